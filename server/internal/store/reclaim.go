package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
)

// A job left running by a process that was killed stays "running" in
// river_job until River's rescuer (on the leader, every 30 s) finds it
// older than RescueStuckJobsAfter: minutes for a paid holder waiting for
// the certificate. For kinds that may safely run twice, a queue instead
// takes such a job up again as soon as the client that ran it is gone.
//
// Every process that opens the store holds, on a connection of its own,
// a session advisory lock named after its ID (its River client ID, and
// the application_name of its sessions). PostgreSQL releases it when that
// connection ends, so a free lock means the process is gone (or lost its
// connection a moment: hence only kinds safe to run twice, and sessions
// ended only after endAfter sweeps). Its sessions that outlive it (a statement
// waiting on a lock when it died, holding the application's row lock)
// are ended, so the job taken up again does not wait on them.

// reclaimEvery is how often a queue looks for processes that are gone.
const reclaimEvery = time.Second

// relockEvery is how soon a lost liveness lock is taken again.
const relockEvery = 200 * time.Millisecond

// endAfter is how many sweeps in a row must find a process gone before
// its sessions are ended: a lock being taken again after a restart of
// the database is not a process gone.
const endAfter = 3

// appName is the application_name of a process's sessions (at most 63
// bytes are kept).
func appName(id string) string { return "renewal " + id }

func newClientID() string {
	host, _ := os.Hostname()
	if len(host) > 32 {
		host = host[:32]
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Reclaim names the job kinds this queue takes up again at once when the
// client running them is gone. Such a kind must be safe to run twice at
// the same time (the issuance: it holds the application's row lock and
// finds its own earlier work). Call before Start.
func (q *Queue) Reclaim(kinds ...string) { q.reclaim = append(q.reclaim, kinds...) }

// holdLiveness takes this process's liveness lock on a connection of its
// own and holds it until Close, taking it again after a lost connection.
// Every process that opens the store holds it (commands too), so a free
// lock means its process is gone.
func (s *Store) holdLiveness() error {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	locked := make(chan struct{})
	cfg := s.shared.jobs.p.Config().ConnConfig
	go func() {
		defer close(done)
		first := true
		for ctx.Err() == nil {
			conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
			if err == nil {
				_, err = conn.Exec(ctx, "SELECT pg_advisory_lock(hashtextextended($1, 0))", "river client "+s.shared.id)
				if err == nil && first {
					close(locked)
					first = false
				}
				for err == nil && ctx.Err() == nil {
					select {
					case <-ctx.Done():
					case <-time.After(reclaimEvery):
						_, err = conn.Exec(ctx, "SELECT 1")
					}
				}
				conn.Close(context.Background())
			}
			// Soon: other processes take a free lock for a sign that
			// this one is gone.
			select {
			case <-ctx.Done():
			case <-time.After(relockEvery):
			}
		}
	}()
	select {
	case <-locked:
		s.shared.stopLive = func() { cancel(); <-done }
		return nil
	case <-time.After(10 * time.Second):
		cancel()
		<-done
		return errors.New("database: the liveness lock was not taken within 10 s")
	}
}

// reclaimLoop looks for running jobs of reclaimable kinds whose client
// is gone, and makes them available again.
func (q *Queue) reclaimLoop(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(reclaimEvery)
	defer t.Stop()
	for {
		if n, err := q.reclaimGone(ctx); err != nil {
			if ctx.Err() == nil {
				log.Debug("jobs: reclaim", "err", oneLine(err))
			}
		} else if n > 0 {
			log.Warn("jobs: took up again the jobs of a client that is gone", "jobs", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (q *Queue) reclaimGone(ctx context.Context) (int64, error) {
	c, err := q.jobs.acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer c.Release()
	// The processes that run a reclaimable job, and those with a session.
	rows, err := c.Query(ctx, `SELECT DISTINCT id FROM (
		SELECT attempted_by[cardinality(attempted_by)] AS id FROM river_job
		WHERE state = 'running' AND kind = ANY($1) AND cardinality(attempted_by) > 0
		UNION
		SELECT substr(application_name, length($2) + 1) FROM pg_stat_activity
		WHERE datname = current_database() AND starts_with(application_name, $2)) c
		WHERE id <> $3`, q.reclaim, appName(""), q.id)
	if err != nil {
		return 0, err
	}
	clients, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	var gone []string
	seen := map[string]int{}
	for _, id := range clients {
		var free bool
		// Taken and given back on this one session: free means no live
		// session holds it.
		if err := c.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, "river client "+id).Scan(&free); err != nil {
			return 0, err
		}
		if free {
			if _, err := c.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, "river client "+id); err != nil {
				return 0, err
			}
			gone = append(gone, id)
			seen[id] = q.goneFor[id] + 1
		}
	}
	q.goneFor = seen
	// Its sessions may outlive it: one waiting on a lock when it died
	// holds the application's row lock until PostgreSQL notices, which
	// client_connection_check_interval does not always do. Gone on
	// endAfter sweeps in a row, they are ended.
	var ended []string
	for _, id := range gone {
		if seen[id] >= endAfter {
			ended = append(ended, appName(id))
		}
	}
	if len(ended) > 0 {
		var n int
		err := c.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = ANY($1) AND pid <> pg_backend_pid()`, ended).Scan(&n)
		if err != nil {
			q.log.Warn("jobs: ending the sessions of a client that is gone", "err", oneLine(err))
		} else if n > 0 {
			q.log.Warn("jobs: ended the sessions of a client that is gone", "sessions", n)
		}
	}
	if len(gone) == 0 {
		return 0, nil
	}
	tag, err := c.Exec(ctx, `UPDATE river_job SET state = 'available', scheduled_at = now(),
		errors = array_append(errors, jsonb_build_object('at', now(), 'attempt', attempt,
			'error', 'taken up again: the client running it ('||attempted_by[cardinality(attempted_by)]||') is gone', 'trace', ''))
		WHERE state = 'running' AND kind = ANY($1) AND attempted_by[cardinality(attempted_by)] = ANY($2)`, q.reclaim, gone)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
