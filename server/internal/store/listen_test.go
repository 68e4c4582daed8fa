package store

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/server/internal/pgcluster"
	"renewal/server/internal/pgtest"
)

func received(sub *Subscription, within time.Duration) bool {
	select {
	case <-sub.C:
		return true
	case <-time.After(within):
		return false
	}
}

// drain takes the signal every new listener sends once it listens.
func drain(t *testing.T, s *Store, sub *Subscription, connects int64) {
	t.Helper()
	require.Eventually(t, func() bool { return s.ListenerConnects() >= connects }, 20*time.Second, 10*time.Millisecond)
	received(sub, time.Second)
}

// TestListenAcrossStores: a change notified in one process's transaction
// reaches another process's subscriber of that application, at the
// commit and not before; a rolled-back one never; another application's
// subscriber gets nothing.
func TestListenAcrossStores(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, err := Open(ctx, dsn, Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	defer a.Close()
	b, err := Open(ctx, dsn, Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	defer b.Close()

	mine := b.Subscribe("app-1", nil)
	defer mine.Close()
	other := b.Subscribe("app-2", nil)
	defer other.Close()
	drain(t, b, mine, 1)
	received(other, time.Second)

	commit := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- a.InTx(ctx, func(ctx context.Context, tx *Tx) error {
			if err := tx.ApplicationNotify(ctx, "app-1"); err != nil {
				return err
			}
			<-commit
			return nil
		})
	}()
	assert.False(t, received(mine, 300*time.Millisecond), "nothing before the commit")
	close(commit)
	require.NoError(t, <-done)
	assert.True(t, received(mine, 5*time.Second), "the other store's subscriber hears the commit")
	assert.False(t, received(other, 200*time.Millisecond), "another application's subscriber hears nothing")

	require.Error(t, a.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		require.NoError(t, tx.ApplicationNotify(ctx, "app-1"))
		return context.Canceled
	}))
	assert.False(t, received(mine, 300*time.Millisecond), "a rolled-back change is never heard")
}

// TestListenAfterRestart: PostgreSQL restarts (every connection closed);
// the listener reconnects by itself and notifications flow again.
func TestListenAfterRestart(t *testing.T) {
	dir, err := os.MkdirTemp("/tmp", "rnwpg-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, pgcluster.Options{
		DataDir: filepath.Join(dir, "pg"), SocketDir: filepath.Join(dir, "sock"), Database: "renewal",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Stop(context.Background()) })

	s, err := Open(ctx, c.DSN("renewal"), Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	defer s.Close()
	sub := s.Subscribe("app-r", slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	defer sub.Close()
	drain(t, s, sub, 1)
	require.NoError(t, s.ApplicationNotify(ctx, "app-r"))
	require.True(t, received(sub, 5*time.Second))

	require.NoError(t, c.Restart(ctx))
	require.Eventually(t, func() bool { return s.ListenerConnects() >= 2 }, 30*time.Second, 20*time.Millisecond, "the listener reconnects")
	assert.True(t, received(sub, 5*time.Second), "a reconnect wakes every subscriber (what was sent meanwhile is lost)")
	require.Eventually(t, func() bool { return s.ApplicationNotify(ctx, "app-r") == nil }, 10*time.Second, 50*time.Millisecond)
	assert.True(t, received(sub, 5*time.Second), "notifications flow again")
}
