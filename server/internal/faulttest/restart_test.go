package faulttest_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/e2e/load"
	"renewal/server/internal/faulttest"
	"renewal/server/internal/pgcluster"
)

// ownCluster is a PostgreSQL cluster of the test's own, to restart.
func ownCluster(t *testing.T) *pgcluster.Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "rnwpg-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	c, err := pgcluster.Start(ctxFor(t, 90*time.Second), pgcluster.Options{
		DataDir: filepath.Join(dir, "pg"), SocketDir: filepath.Join(dir, "sock"), Database: "renewal",
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Stop(context.Background()) })
	return c
}

// TestPostgresRestartMidRenewal (SECURITY-CASES 43): PostgreSQL is
// restarted (a fast shutdown closes every connection, as a failover
// does) twice under a running server: between two steps of a renewal,
// and while the holder's request waits inside the issuance, after the
// signature. The next step after the first succeeds at once; the
// interrupted request fails cleanly (503, nothing kept) and its retry
// issues one certificate. The server is never restarted, and a second
// instance on the database does not take the first for gone.
func TestPostgresRestartMidRenewal(t *testing.T) {
	c := ownCluster(t)
	s := newSite(t, c.DSN("renewal"))
	srv := s.start("")
	// A second instance on the database: the restart must not make
	// either take the other for gone (ending its sessions).
	other := s.start("")
	ctx := ctxFor(t, 2*time.Minute)
	h := s.belarusian(s.minter(), 0)
	r := load.NewRenewal(srv.URL, h, load.Options{Poll: 50 * time.Millisecond, Wait: 30 * time.Second})
	require.NoError(t, r.ToPayment(ctx))

	require.NoError(t, c.Restart(ctx))
	require.NoError(t, r.Pay(ctx, "key_pending"), "the first step after the restart succeeds, and the jobs go on")

	fault, err := faulttest.BlockOnce(ctx, s.pool(), s.dsn, killPoints[1].point(r.ID()))
	require.NoError(t, err)
	sent := make(chan error, 1)
	go func() { sent <- r.SubmitRequest(ctx) }()
	require.NoError(t, fault.Reached(ctx, 30*time.Second))
	require.NoError(t, c.Restart(ctx))
	err = <-sent
	var he *load.HTTPError
	if assert.True(t, errors.As(err, &he), "an answer, not a broken connection: %v", err) {
		assert.Equal(t, http.StatusServiceUnavailable, he.Status)
		assert.Equal(t, "unavailable", he.Code)
	}
	require.NoError(t, r.Refresh(ctx))
	assert.Equal(t, "key_pending", r.State())
	assert.False(t, r.View().Request, "nothing of the interrupted request was kept")

	require.NoError(t, r.SubmitRequest(ctx), "the retry succeeds")
	_, err = r.WaitState(ctx, "issued")
	require.NoError(t, err)
	require.NoError(t, r.Finish(ctx))
	s.assertIssuedOnce(r.ID())
	resp, err := http.Get(srv.URL + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	_ = fault.Remove(context.Background())
	s.verifyAudit()
	for _, x := range []string{srv.Logs(), other.Logs()} {
		assert.NotContains(t, x, "ended the sessions of a client that is gone")
	}
}
