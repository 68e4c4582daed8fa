package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	// ErrBusy: every connection is in use and none came free in time;
	// the request is refused whole and may be repeated in a second.
	ErrBusy = errors.New("store: all database connections are busy")
	// ErrNestedAcquire: code running inside a transaction asked the pool
	// for a second connection. That is how the pool deadlocked under four
	// users, and how a read missed its own transaction's writes; it is a
	// bug, refused at once whatever the load.
	ErrNestedAcquire = errors.New("store: a query on the pool from inside a transaction (use the transaction)")
)

// Options size the pools. Requests and jobs have a budget each, so jobs
// never starve requests and requests never starve jobs.
type Options struct {
	// MaxConns is the pool of requests (default DefaultMaxConns).
	MaxConns int32
	// JobConns is River's own pool, for its producer, completer, leader
	// election and the workers' transactions (default DefaultJobConns).
	JobConns int32
	// AcquireWait is how long a request waits for a free connection
	// before ErrBusy (default DefaultAcquireWait).
	AcquireWait time.Duration
	// Wait is how long Open waits for the database to answer at all.
	Wait time.Duration
}

// Defaults fitted to these machines: a request holds a connection for a
// few milliseconds, so 16 serve hundreds of requests a second; River
// works 12 jobs at once (renewal.Queues) and needs a few of its own.
const (
	clientCheckInterval = "2s"
	DefaultMaxConns     = 16
	DefaultJobConns     = 16
	DefaultAcquireWait  = time.Second
)

func (o Options) withDefaults() Options {
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.JobConns <= 0 {
		o.JobConns = DefaultJobConns
	}
	if o.AcquireWait <= 0 {
		o.AcquireWait = DefaultAcquireWait
	}
	return o
}

// txKey marks the context a transaction's code runs with.
type txKey struct{}

func withTx(ctx context.Context) context.Context { return context.WithValue(ctx, txKey{}, true) }

func inTx(ctx context.Context) bool { v, _ := ctx.Value(txKey{}).(bool); return v }

// pool is a pgxpool as the generated queries and InTx see it: it refuses
// a transaction's context, and waits a bounded time for a connection.
type pool struct {
	p    *pgxpool.Pool
	wait time.Duration
	busy atomic.Int64 // acquisitions refused with ErrBusy
}

func newPool(ctx context.Context, url string, size int32, id string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	// Another instance that finds this one gone ends its sessions by name.
	cfg.ConnConfig.RuntimeParams["application_name"] = appName(id)
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without it a vanished TCP peer can hold a request for minutes.
		cfg.ConnConfig.ConnectTimeout = 3 * time.Second
	}
	cfg.MaxConns = size
	// A backend whose client died mid-statement (the server killed while
	// its query waits on a lock) notices within this much and rolls back,
	// releasing the application's row lock for the next attempt. Only
	// PostgreSQL 14 and later know the setting.
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if v, _ := strconv.Atoi(strings.SplitN(c.PgConn().ParameterStatus("server_version"), ".", 2)[0]); v >= 14 {
			_, err := c.Exec(ctx, "SET client_connection_check_interval = '"+clientCheckInterval+"'")
			return err
		}
		return nil
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.HealthCheckPeriod = 15 * time.Second
	// The last line of defence: whatever reaches the pool with a
	// transaction's context (River, a hand-written query) is refused too.
	cfg.PrepareConn = func(ctx context.Context, _ *pgx.Conn) (bool, error) {
		if inTx(ctx) {
			return true, ErrNestedAcquire
		}
		return true, nil
	}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	return p, nil
}

// acquire takes a connection, waiting at most p.wait for one.
func (p *pool) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	if inTx(ctx) {
		return nil, ErrNestedAcquire
	}
	actx, cancel := context.WithTimeout(ctx, p.wait)
	defer cancel()
	c, err := p.p.Acquire(actx)
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			p.busy.Add(1)
			return nil, ErrBusy
		}
		return nil, err
	}
	return c, nil
}

// Busy is how many acquisitions were refused with ErrBusy, for /metrics.
func (p *pool) Busy() int64 { return p.busy.Load() }

// stale reports whether err is a pooled connection found dead before it
// did anything (the database restarted or failed over while it sat
// idle). Then every connection of that time is suspect: the pool is
// reset, and the statement may be tried once more on a new one.
func (p *pool) stale(c *pgxpool.Conn, err error, begin bool) bool {
	if err == nil || !c.Conn().IsClosed() || !(begin || pgconn.SafeToRetry(err)) {
		return false
	}
	p.p.Reset()
	return true
}

func (p *pool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	for try := 0; ; try++ {
		c, err := p.acquire(ctx)
		if err != nil {
			return pgconn.CommandTag{}, err
		}
		tag, err := c.Exec(ctx, sql, args...)
		retry := p.stale(c, err, false) && try == 0
		c.Release()
		if !retry {
			return tag, err
		}
	}
}

func (p *pool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	for try := 0; ; try++ {
		c, err := p.acquire(ctx)
		if err != nil {
			return nil, err
		}
		rows, err := c.Query(ctx, sql, args...)
		if err != nil {
			retry := p.stale(c, err, false) && try == 0
			c.Release()
			if retry {
				continue
			}
			return nil, err
		}
		return &releasingRows{Rows: rows, c: c}, nil
	}
}

func (p *pool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return &retryRow{p: p, ctx: ctx, sql: sql, args: args}
}

// retryRow runs its query at Scan, once more on a new connection if the
// first was stale.
type retryRow struct {
	p    *pool
	ctx  context.Context
	sql  string
	args []any
}

func (r *retryRow) Scan(dest ...any) error {
	for try := 0; ; try++ {
		c, err := r.p.acquire(r.ctx)
		if err != nil {
			return err
		}
		err = c.QueryRow(r.ctx, r.sql, r.args...).Scan(dest...)
		retry := r.p.stale(c, err, false) && try == 0
		c.Release()
		if !retry {
			return err
		}
	}
}

// begin starts a transaction on a connection of its own. A BEGIN that
// fails on a stale connection changed nothing: it is tried once more.
func (p *pool) begin(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, func(), error) {
	for try := 0; ; try++ {
		c, err := p.acquire(ctx)
		if err != nil {
			return nil, nil, err
		}
		tx, err := c.BeginTx(ctx, opts)
		if err != nil {
			retry := p.stale(c, err, true) && try == 0
			c.Release()
			if retry {
				continue
			}
			return nil, nil, err
		}
		return tx, c.Release, nil
	}
}

// releasingRows gives the connection back when the rows are closed.
type releasingRows struct {
	pgx.Rows
	c    *pgxpool.Conn
	done bool
}

func (r *releasingRows) Close() {
	r.Rows.Close()
	if !r.done {
		r.done = true
		r.c.Release()
	}
}

func (r *releasingRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}
