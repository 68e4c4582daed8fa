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
	"renewal/server/internal/store/db"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newStore opens a fresh, migrated database for one test.
func newStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t), 5*time.Second)
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
			s, err := Open(ctx, dsn, 5*time.Second)
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
	s, err := Open(ctx, dsn, time.Second)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Ready(ctx))
	list, err := s.ServiceList(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 5, "seed rows inserted once")
}

func TestServices(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
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
	s := newStore(t)
	require.NoError(t, s.Ready(ctx))
	_, err := s.pool.Exec(ctx, "UPDATE "+versionTable+" SET version = version - 1")
	require.NoError(t, err)
	err = s.Ready(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "expects")
}

func TestUnavailableWhenDatabaseGone(t *testing.T) {
	ctx := context.Background()
	// A lazy pool to a port where nothing listens: what a vanished
	// database looks like to a running server.
	pool, err := pgxpool.New(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	require.NoError(t, err)
	defer pool.Close()
	s := &Store{pool: pool, q: db.New(pool)}
	_, err = s.ServiceList(ctx)
	assert.ErrorIs(t, err, ErrUnavailable)
	_, err = s.ServiceGet(ctx, "ru-owner")
	assert.ErrorIs(t, err, ErrUnavailable)
	assert.ErrorIs(t, s.Ready(ctx), ErrUnavailable)
}

func TestOpenUnreachable(t *testing.T) {
	_, err := Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1", 300*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "database unreachable")
	assert.NotContains(t, err.Error(), "\n")
}
