package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"renewal/server/internal/store/internal/db"
)

// Tx is one database transaction: the generated queries bound to it, and
// the job queue, so a state change and the job it starts commit together
// (River's InsertTx) or not at all.
type Tx struct {
	Queries
	tx     pgx.Tx
	shared *shared
}

// Enqueue adds a job in this transaction.
func (t *Tx) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if t.shared.queue == nil {
		return errors.New("store: no job queue configured")
	}
	if _, err := t.shared.queue.client.InsertTx(ctx, t.tx, args, opts); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), mapErr(err))
	}
	return nil
}

// CompleteJob marks a running job completed in tx, so the job's effect and
// its completion commit together: a crash between them cannot run it twice.
func CompleteJob[T river.JobArgs](ctx context.Context, tx *Tx, job *river.Job[T]) error {
	if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx.tx, job); err != nil {
		return fmt.Errorf("complete job %d: %w", job.ID, mapErr(err))
	}
	return nil
}

// InTx runs f in a transaction on one connection, committed if f returns
// nil. f gets a context that the pool refuses (ErrNestedAcquire): inside
// the transaction, only tx reaches the database. f may return a *Keep
// error to commit what it did and still report a failure (a wrong
// one-time code must count the attempt and refuse the request).
func (s *Store) InTx(ctx context.Context, f func(ctx context.Context, tx *Tx) error) error {
	tx, release, err := s.db.begin(ctx, pgx.TxOptions{})
	if err != nil {
		return mapErr(err)
	}
	defer release()
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	ferr := f(withTx(ctx), &Tx{Queries: Queries{db.New(tx)}, tx: tx, shared: s.shared})
	var keep *Keep
	if ferr != nil && !errors.As(ferr, &keep) {
		return ferr
	}
	if err := tx.Commit(ctx); err != nil {
		return mapErr(err)
	}
	if keep != nil {
		return keep.Err
	}
	return nil
}

// Savepoint runs f in a savepoint of this transaction: if f fails, what
// it did is undone and the transaction goes on, usable.
func (t *Tx) Savepoint(ctx context.Context, f func(ctx context.Context, tx *Tx) error) error {
	return inSavepoint(ctx, t.tx, func(sp pgx.Tx) error {
		return f(ctx, &Tx{Queries: Queries{db.New(sp)}, tx: sp, shared: t.shared})
	})
}

// inSavepoint runs f on a savepoint of tx, released if f returns nil and
// rolled back to otherwise.
func inSavepoint(ctx context.Context, tx pgx.Tx, f func(sp pgx.Tx) error) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return mapErr(err)
	}
	if err := f(sp); err != nil {
		sp.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // f's error is the one to report
		return err
	}
	return mapErr(sp.Commit(ctx))
}

// Keep wraps an error whose transaction must still commit.
type Keep struct{ Err error }

func (k *Keep) Error() string { return k.Err.Error() }
func (k *Keep) Unwrap() error { return k.Err }

// Queue is River on the store's job pool.
type Queue struct {
	client  *river.Client[pgx.Tx]
	id      string // River's client ID, named by the liveness lock
	jobs    *pool
	log     *slog.Logger
	reclaim []string // kinds taken up again when their client is gone
	stop    context.CancelFunc
	goneFor map[string]int // sweeps in a row that found a client gone
}

// NewQueue makes the job queue with the workers given; queues maps the
// queues to work to their number of workers (nil: insert only, as the
// commands do). Their sum plus River's own few must fit in JobConns.
func (s *Store) NewQueue(workers *river.Workers, log *slog.Logger, queues map[string]int) (*Queue, error) {
	id := s.shared.id
	cfg := &river.Config{
		ID: id, Workers: workers, Logger: log,
		JobTimeout: time.Minute,
		// A job left running by a killed process is taken up again after
		// this long (River's default is an hour).
		RescueStuckJobsAfter: 2 * time.Minute,
		// A paid holder waits for the issuance job: fetch soon after an
		// insert's notification (default 100 ms) and poll often enough
		// (default 1 s) that a missed one costs little. River sends at
		// most one insert notification per queue per FetchCooldown, so
		// a job inserted just after a fetch waits for the poll: at 200 ms
		// that was the p99 of a job's start (70-86 ms against 6.5 ms
		// p50, docs/benchmarks.md), at 50 ms it is 36-38 ms. The poll is
		// one indexed query.
		FetchCooldown:     20 * time.Millisecond,
		FetchPollInterval: 50 * time.Millisecond,
	}
	if len(queues) > 0 {
		cfg.Queues = map[string]river.QueueConfig{}
		for name, n := range queues {
			cfg.Queues[name] = river.QueueConfig{MaxWorkers: n}
		}
	}
	client, err := river.NewClient(riverpgxv5.New(s.shared.jobs.p), cfg)
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q := &Queue{client: client, id: id, jobs: s.shared.jobs, log: log}
	s.shared.queue = q
	return q, nil
}

// AddPeriodic schedules a job that River's leader inserts on its
// interval.
func (q *Queue) AddPeriodic(job *river.PeriodicJob) { q.client.PeriodicJobs().Add(job) }

// Start begins working jobs and, with kinds to Reclaim, watches for
// clients that are gone.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return err
	}
	if len(q.reclaim) > 0 {
		lctx, cancel := context.WithCancel(ctx)
		q.stop = cancel
		go q.reclaimLoop(lctx, q.log)
	}
	return nil
}

// Stop lets running jobs finish (until ctx ends).
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if q.stop != nil {
		q.stop()
	}
	return err
}

// JobCancel marks an error as final: River does not retry it.
func JobCancel(err error) error { return river.JobCancel(err) }
