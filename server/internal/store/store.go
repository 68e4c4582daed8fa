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
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"renewal/server/internal/store/db"
)

var (
	// ErrNotFound: the row asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrUnavailable: the database cannot be reached now; a retry later may work.
	ErrUnavailable = errors.New("store: database unavailable")
)

// Store holds the connection pool and the generated queries.
type Store struct {
	pool  *pgxpool.Pool
	q     *db.Queries
	queue *Queue
}

// Open connects to the database at url, waiting up to wait for it to
// answer. The error is one line a person can act on.
func Open(ctx context.Context, url string, wait time.Duration) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without it a vanished TCP peer can hold a request for minutes.
		cfg.ConnConfig.ConnectTimeout = 3 * time.Second
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.HealthCheckPeriod = 15 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = pool.Ping(pctx)
		cancel()
		if err == nil {
			return &Store{pool: pool, q: db.New(pool)}, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			pool.Close()
			return nil, fmt.Errorf("database unreachable (%s): %s", where(cfg.ConnConfig), oneLine(err))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// Pool is the connection pool, for the job queue and metrics.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes every connection.
func (s *Store) Close() { s.pool.Close() }

// Ready says whether the database answers and carries the schema this
// binary expects.
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var v int32
	if err := s.pool.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&v); err != nil {
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
	if unavailable(err) {
		return fmt.Errorf("%w: %s", ErrUnavailable, oneLine(err))
	}
	return err
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
