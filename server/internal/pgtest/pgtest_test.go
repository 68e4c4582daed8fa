package pgtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/server/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestNewDatabase(t *testing.T) {
	ctx := context.Background()
	var first, second string
	t.Run("two databases", func(t *testing.T) {
		dsnA, dsnB := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
		require.NotEqual(t, dsnA, dsnB)

		a, b := connect(t, dsnA), connect(t, dsnB)
		require.NoError(t, a.QueryRow(ctx, "SELECT current_database()").Scan(&first))
		require.NoError(t, b.QueryRow(ctx, "SELECT current_database()").Scan(&second))
		assert.NotEqual(t, first, second)
		assert.Contains(t, first, "two_databases")

		_, err := a.Exec(ctx, "CREATE TABLE only_in_a (x int); INSERT INTO only_in_a VALUES (1)")
		require.NoError(t, err)
		var n int
		require.NoError(t, a.QueryRow(ctx, "SELECT count(*) FROM only_in_a").Scan(&n))
		assert.Equal(t, 1, n)

		var exists bool
		require.NoError(t, b.QueryRow(ctx, "SELECT to_regclass('only_in_a') IS NOT NULL").Scan(&exists))
		assert.False(t, exists, "the second database is empty")
		// a is still open: the cleanup must drop the database anyway (FORCE)
	})

	// the subtest's cleanups dropped both databases
	c := connect(t, pgtest.NewDatabase(t))
	var left int
	require.NoError(t, c.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname IN ($1, $2)", first, second).Scan(&left))
	assert.Zero(t, left)
}
