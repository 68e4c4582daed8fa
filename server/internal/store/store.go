// Package store is the only package that talks to PostgreSQL. SQL lives
// in queries/*.sql and is turned into typed Go by sqlc (package db);
// store maps those rows to the types the rest of the server uses and
// pgx's errors to ErrNotFound and ErrUnavailable.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"renewal/server/internal/store/internal/db"
)

var (
	// ErrNotFound: the row asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrOpenApplication: the certificate already has an open application
	// (one at a time: application_open_certificate_key).
	ErrOpenApplication = errors.New("store: the certificate already has an open application")
	// ErrUnavailable: the database cannot be reached now; a retry later may work.
	ErrUnavailable = errors.New("store: database unavailable")
)

// Store is the database: the pool of requests, River's own pool, and the
// generated queries on the first. A Store made by ForJobs runs its
// transactions on River's pool.
type Store struct {
	Queries       // on the pool, outside any transaction
	db      *pool // where this Store's queries and transactions run
	shared  *shared
}

// shared is what every view of one Store has in common.
type shared struct {
	requests, jobs *pool
	queue          *Queue
	// id names this process to the database: River's client ID and every
	// connection's application_name (appName).
	id string
	// The liveness lock (reclaim.go), held while the store is open.
	stopLive func()
	// The LISTEN connection (listen.go), opened by the first Subscribe.
	listenMu sync.Mutex
	listener *listener
}

// Open connects to the database at url with the pools o sizes, waiting
// up to o.Wait for it to answer. The error is one line a person can act
// on.
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	o = o.withDefaults()
	id := newClientID()
	req, err := newPool(ctx, url, o.MaxConns, id)
	if err != nil {
		return nil, err
	}
	jobs, err := newPool(ctx, url, o.JobConns, id)
	if err != nil {
		req.Close()
		return nil, err
	}
	sh := &shared{requests: &pool{p: req, wait: o.AcquireWait}, jobs: &pool{p: jobs, wait: 10 * o.AcquireWait}, id: id}
	s := newStore(sh.requests, sh)
	deadline := time.Now().Add(o.Wait)
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = req.Ping(pctx)
		cancel()
		if err == nil {
			if err := s.holdLiveness(); err != nil {
				s.Close()
				return nil, err
			}
			return s, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.Close()
			return nil, fmt.Errorf("database unreachable (%s): %s", where(req.Config().ConnConfig), oneLine(err))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// ForJobs is this store on River's pool, for the workers' transactions.
func (s *Store) ForJobs() *Store {
	return newStore(s.shared.jobs, s.shared)
}

func newStore(p *pool, sh *shared) *Store {
	return &Store{Queries: Queries{db.New(p)}, db: p, shared: sh}
}

// Pool is the pool of requests, for metrics.
func (s *Store) Pool() *pgxpool.Pool { return s.shared.requests.p }

// JobPool is River's pool, for metrics.
func (s *Store) JobPool() *pgxpool.Pool { return s.shared.jobs.p }

// Busy counts the requests refused because no connection came free in
// time, for metrics.
func (s *Store) Busy() int64 { return s.shared.requests.Busy() }

// Close closes every connection.
func (s *Store) Close() {
	if s.shared.stopLive != nil {
		s.shared.stopLive()
	}
	s.shared.stopListener()
	s.shared.requests.p.Close()
	s.shared.jobs.p.Close()
}

// Ready says whether the database answers and carries the schema this
// binary expects.
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var v int32
	if err := s.db.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&v); err != nil {
		return mapErr(err)
	}
	if want := ExpectedVersion(); v != want {
		return fmt.Errorf("schema version %d, this binary expects %d", v, want)
	}
	return nil
}

// mapErr is the one place where pgx's errors become ours.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if errors.Is(err, ErrBusy) || errors.Is(err, ErrNestedAcquire) {
		return err
	}
	if e, ok := constraintErrors[constraint(err)]; ok {
		return fmt.Errorf("%w: %s", e, oneLine(err))
	}
	if unavailable(err) {
		return fmt.Errorf("%w: %s", ErrUnavailable, oneLine(err))
	}
	return err
}

// constraintErrors are the unique constraints whose violation is a rule
// of the workflow, not a bug.
var constraintErrors = map[string]error{
	"application_open_certificate_key": ErrOpenApplication,
}

// unavailable recognises errors that mean "no database right now" rather
// than "this query is wrong".
func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P0x: shutdown or not accepting.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) ||
		errors.As(err, &netErr) ||
		pgconn.Timeout(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(err.Error(), "conn closed")
}

func where(c *pgx.ConnConfig) string {
	return fmt.Sprintf("host=%s port=%d database=%s", c.Host, c.Port, c.Database)
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
