package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/server/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newStore opens a fresh, migrated database for one test.
func openTestStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t), Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.NoError(t, s.Migrate(ctx))
	return s
}

func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, dsn, Options{MaxConns: 2, Wait: 5 * time.Second})
			if err != nil {
				errs[i] = err
				return
			}
			defer s.Close()
			errs[i] = s.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "instance %d", i)
	}
	s, err := Open(ctx, dsn, Options{MaxConns: 2, Wait: time.Second})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Ready(ctx))
	list, err := s.ServiceList(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 5, "seed rows inserted once")
}

func TestServices(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	list, err := s.ServiceList(ctx)
	require.NoError(t, err)
	var codes []string
	for _, svc := range list {
		codes = append(codes, svc.Code)
		assert.NotEmpty(t, svc.TitleRU)
		assert.NotEmpty(t, svc.TitleEN)
		assert.NotEmpty(t, svc.RequirementsRU)
		assert.Len(t, svc.RequirementsEN, len(svc.RequirementsRU), svc.Code)
	}
	assert.Equal(t, []string{"by-6.0.00", "by-6.0.01", "by-6.0.02", "ru-owner", "ru-poa"}, codes)

	svc, err := s.ServiceGet(ctx, "by-6.0.02")
	require.NoError(t, err)
	assert.Equal(t, "head", svc.Role)
	assert.Equal(t, "BY", svc.Jurisdiction)

	_, err = s.ServiceGet(ctx, "by-9.9.9")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestReadyChecksSchemaVersion(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	require.NoError(t, s.Ready(ctx))
	_, err := s.db.Exec(ctx, "UPDATE "+versionTable+" SET version = version - 1")
	require.NoError(t, err)
	err = s.Ready(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "expects")
}

func TestUnavailableWhenDatabaseGone(t *testing.T) {
	ctx := context.Background()
	// A lazy pool to a port where nothing listens: what a vanished
	// database looks like to a running server.
	p, err := pgxpool.New(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	require.NoError(t, err)
	defer p.Close()
	s := newStore(&pool{p: p, wait: time.Second}, &shared{})
	_, err = s.ServiceList(ctx)
	assert.ErrorIs(t, err, ErrUnavailable)
	_, err = s.ServiceGet(ctx, "ru-owner")
	assert.ErrorIs(t, err, ErrUnavailable)
	assert.ErrorIs(t, s.Ready(ctx), ErrUnavailable)
}

func TestOpenUnreachable(t *testing.T) {
	_, err := Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1", Options{Wait: 300 * time.Millisecond})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "database unreachable")
	assert.NotContains(t, err.Error(), "\n")
}

// Inside a transaction the pool refuses its context at once, whatever
// the load: the mistake cannot wait for four users to show.
func TestNestedAcquireRefused(t *testing.T) {
	s := openTestStore(t)
	err := s.InTx(context.Background(), func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ServiceList(ctx); err != nil {
			return err
		}
		_, err := s.ServiceList(ctx) // the pool, with the transaction's context
		return err
	})
	assert.ErrorIs(t, err, ErrNestedAcquire)
}

// An exhausted pool refuses after the bounded wait, with ErrBusy, and
// serves again once a connection is back.
func TestBusyWhenPoolExhausted(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t), Options{MaxConns: 2, AcquireWait: 200 * time.Millisecond, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.NoError(t, s.Migrate(ctx))
	hold := make(chan struct{})
	held := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
				held <- struct{}{}
				<-hold
				return nil
			})
		}()
	}
	<-held
	<-held
	_, err = s.ServiceList(ctx)
	assert.ErrorIs(t, err, ErrBusy)
	assert.ErrorIs(t, s.InTx(ctx, func(context.Context, *Tx) error { return nil }), ErrBusy)
	assert.Equal(t, int64(2), s.Busy())
	close(hold)
	wg.Wait()
	_, err = s.ServiceList(ctx)
	assert.NoError(t, err)
}
