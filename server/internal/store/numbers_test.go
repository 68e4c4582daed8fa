package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/tern/v2/migrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/server/internal/pgtest"
)

// insertNumbered creates an application with the next number of year,
// as the renewal service does: number and row in one transaction.
func insertNumbered(ctx context.Context, s *Store, id string, year int, fail bool) (string, error) {
	var number string
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		n, err := tx.NumberNext(ctx, NumberApplication, year)
		if err != nil {
			return err
		}
		number = fmt.Sprintf("%04d-%06d", year, n)
		if err := tx.ApplicationInsert(ctx, ApplicationInsertParams{ID: id, Service: "ru-owner", Jurisdiction: "RU",
			Profile: "ru-qualified", Lang: "ru", Phone: "+79001234567", Email: "a@example.org", ClientIp: "127.0.0.1",
			CreatedAt: time.Now(), Number: number}); err != nil {
			return err
		}
		if fail {
			return errors.New("refused after numbering")
		}
		return nil
	})
	return number, err
}

func TestNumbersSequentialPerYear(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	s, err := Open(ctx, dsn, Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.NoError(t, s.Migrate(ctx))
	for i, want := range []string{"2026-000001", "2026-000002", "2026-000003"} {
		got, err := insertNumbered(ctx, s, fmt.Sprintf("a%d", i), 2026, false)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	got, err := insertNumbered(ctx, s, "b0", 2027, false)
	require.NoError(t, err)
	assert.Equal(t, "2027-000001", got, "a new year starts at 1")

	// A refused creation gives its number back: the next one is not a gap.
	_, err = insertNumbered(ctx, s, "c0", 2026, true)
	require.Error(t, err)
	got, err = insertNumbered(ctx, s, "c1", 2026, false)
	require.NoError(t, err)
	assert.Equal(t, "2026-000004", got)

	// Kinds count apart.
	var act int64
	require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *Tx) (err error) {
		act, err = tx.NumberNext(ctx, NumberAct, 2026)
		return err
	}))
	assert.Equal(t, int64(1), act)

	// A committed number survives a restart: a new store goes on from it,
	// and the database refuses the same number twice.
	s.Close()
	s2, err := Open(ctx, dsn, Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	defer s2.Close()
	got, err = insertNumbered(ctx, s2, "d0", 2026, false)
	require.NoError(t, err)
	assert.Equal(t, "2026-000005", got)
	app, err := s2.ApplicationGet(ctx, "a1")
	require.NoError(t, err)
	assert.Equal(t, "2026-000002", app.Number)
	err = s2.ApplicationInsert(ctx, ApplicationInsertParams{ID: "dup", Service: "ru-owner", Jurisdiction: "RU",
		Profile: "ru-qualified", Lang: "ru", Phone: "+79001234567", Email: "a@example.org", ClientIp: "127.0.0.1",
		CreatedAt: time.Now(), Number: "2026-000005"})
	assert.Error(t, err, "numbers are unique")
}

// TestNumbersConcurrent: N creations at once all get distinct numbers,
// 1..N with none skipped.
func TestNumbersConcurrent(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t), Options{MaxConns: 6, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.NoError(t, s.Migrate(ctx))
	const n = 24
	var wg sync.WaitGroup
	numbers := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			numbers[i], errs[i] = insertNumbered(ctx, s, fmt.Sprintf("p%02d", i), 2026, false)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "creation %d", i)
	}
	sort.Strings(numbers)
	for i, got := range numbers {
		assert.Equal(t, fmt.Sprintf("2026-%06d", i+1), got)
	}
}

// TestNumbersMigrateExisting: applications made before the numbers
// existed get them in creation order, per year, and new ones go on.
func TestNumbersMigrateExisting(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	s, err := Open(ctx, dsn, Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	names, err := migrate.FindMigrations(migrationsFS())
	require.NoError(t, err)
	before := -1
	for i, name := range names {
		if strings.Contains(name, "readable_numbers") {
			before = i
		}
	}
	require.Positive(t, before)
	conn, err := s.Pool().Acquire(ctx)
	require.NoError(t, err)
	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	require.NoError(t, err)
	require.NoError(t, m.LoadMigrations(migrationsFS()))
	require.NoError(t, m.MigrateTo(ctx, int32(before)))
	_, err = conn.Exec(ctx, `INSERT INTO application (id, service, jurisdiction, profile, phone, email, client_ip, created_at) VALUES
		('old2', 'ru-owner', 'RU', 'p', '+7', 'e', 'ip', '2026-03-01T10:00:00Z'),
		('old1', 'ru-owner', 'RU', 'p', '+7', 'e', 'ip', '2026-02-01T10:00:00Z'),
		('old0', 'ru-owner', 'RU', 'p', '+7', 'e', 'ip', '2025-12-31T22:30:00Z')`)
	require.NoError(t, err)
	conn.Release()
	require.NoError(t, s.Migrate(ctx))

	for id, want := range map[string]string{"old0": "2026-000001", "old1": "2026-000002", "old2": "2026-000003"} {
		app, err := s.ApplicationGet(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, want, app.Number, "%s: 22:30 UTC on 31 December is 2026 in Moscow", id)
	}
	got, err := insertNumbered(ctx, s, "new", 2026, false)
	require.NoError(t, err)
	assert.Equal(t, "2026-000004", got)
}
