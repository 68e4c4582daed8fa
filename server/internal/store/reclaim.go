package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
// Every working client holds, on a connection of its own, a session
// advisory lock named after its River client ID. PostgreSQL releases it
// when that connection ends, so a free lock means its client is gone (or
// lost its connection a moment: hence only kinds safe to run twice).

// reclaimEvery is how often a queue looks for running jobs of clients
// that are gone.
const reclaimEvery = time.Second

func newClientID() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Reclaim names the job kinds this queue takes up again at once when the
// client running them is gone. Such a kind must be safe to run twice at
// the same time (the issuance: it holds the application's row lock and
// finds its own earlier work). Call before Start.
func (q *Queue) Reclaim(kinds ...string) { q.reclaim = append(q.reclaim, kinds...) }

// lockClient holds this client's liveness lock for as long as ctx, taking
// it again after a lost connection.
// locked is closed once the lock is first held.
func (q *Queue) lockClient(ctx context.Context, log *slog.Logger, locked chan struct{}) {
	first := true
	for ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(ctx, q.jobs.p.Config().ConnConfig.Copy())
		if err == nil {
			_, err = conn.Exec(ctx, "SELECT pg_advisory_lock(hashtextextended($1, 0))", "river client "+q.id)
			if err == nil && first {
				close(locked)
				first = false
			}
			for err == nil {
				select {
				case <-ctx.Done():
				case <-time.After(reclaimEvery):
					_, err = conn.Exec(ctx, "SELECT 1")
					continue
				}
				break
			}
			conn.Close(context.WithoutCancel(ctx))
		}
		if ctx.Err() == nil {
			log.Warn("jobs: liveness lock lost; taking it again", "client", q.id, "err", oneLine(err))
			select {
			case <-ctx.Done():
			case <-time.After(reclaimEvery):
			}
		}
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
	rows, err := c.Query(ctx, `SELECT DISTINCT attempted_by[cardinality(attempted_by)] FROM river_job
		WHERE state = 'running' AND kind = ANY($1) AND cardinality(attempted_by) > 0`, q.reclaim)
	if err != nil {
		return 0, err
	}
	clients, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	var gone []string
	for _, id := range clients {
		if id == q.id {
			continue
		}
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
