package faulttest_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/e2e/load"
	"renewal/server/internal/faulttest"
)

// killPoints are the steps of an issuance where the server is killed:
// the job's statement waits there (a blocking trigger) when SIGKILL
// comes.
var killPoints = []struct {
	name  string
	point func(id string) faulttest.Point
}{
	{"intent", func(id string) faulttest.Point {
		return faulttest.Point{Name: "k_intent", Table: "issuance_intent", Op: "INSERT", When: fmt.Sprintf("NEW.application_id = '%s'", id)}
	}},
	{"certificate-after-signing", func(id string) faulttest.Point {
		return faulttest.Point{Name: "k_certificate", Table: "certificate", Op: "INSERT", When: fmt.Sprintf("NEW.application_id = '%s'", id)}
	}},
	{"state-change", func(id string) faulttest.Point {
		return faulttest.Point{Name: "k_state", Table: "application", Op: "UPDATE",
			When: fmt.Sprintf("NEW.id = '%s' AND NEW.state = 'issued' AND OLD.state <> 'issued'", id)}
	}},
	{"outbox-row", func(id string) faulttest.Point {
		return faulttest.Point{Name: "k_outbox", Table: "outbox", Op: "INSERT",
			When: fmt.Sprintf("NEW.application_id = '%s' AND EXISTS (SELECT 1 FROM certificate c WHERE c.application_id = NEW.application_id)", id)}
	}},
	{"job-completion", func(id string) faulttest.Point {
		return faulttest.Point{Name: "k_completed", Table: "river_job", Op: "UPDATE",
			When: fmt.Sprintf("NEW.kind = 'issue' AND NEW.state = 'completed' AND OLD.state = 'running' AND NEW.args->>'application_id' = '%s'", id)}
	}},
}

// TestKilledAtEachIssuanceStep (SECURITY-CASES 40, 41): a Belarusian
// holder sends the request, then pays; the issuance job stops at one
// step and the server is killed with SIGKILL there. A new server on the
// same database and data directory takes the job up at once (its client
// is gone), the holder's application is issued exactly once, never
// refunded, and the holder goes on to the end. The blocked statement's
// backend is never released by the test: PostgreSQL ends it because its
// client is gone, which frees the application's row lock.
func TestKilledAtEachIssuanceStep(t *testing.T) {
	s := newSite(t, "")
	srv := s.start("")
	m := s.minter()
	for i, kp := range killPoints {
		t.Run(kp.name, func(t *testing.T) {
			s.t = t
			ctx := ctxFor(t, 2*time.Minute)
			h := s.belarusian(m, i)
			r := load.NewRenewal(srv.URL, h, load.Options{Poll: 50 * time.Millisecond, Wait: 40 * time.Second})
			require.NoError(t, r.ToPayment(ctx))
			require.NoError(t, r.SubmitRequest(ctx))
			require.Equal(t, "awaiting_payment", r.State())
			fault, err := faulttest.BlockOnce(ctx, s.pool(), s.dsn, kp.point(r.ID()))
			require.NoError(t, err)
			t.Cleanup(func() { _ = fault.Remove(context.Background()) })
			require.NoError(t, r.Pay(ctx, "awaiting_payment", "paid", "key_pending", "issued"))
			require.NoError(t, fault.Reached(ctx, 30*time.Second), "the issuance reached %s", kp.name)

			_, err = srv.Signal(syscall.SIGKILL, 10*time.Second)
			require.NoError(t, err)
			killed := time.Now()
			srv = s.start(srv.DataDir)
			r.SetBase(srv.URL)
			_, err = r.WaitState(ctx, "issued")
			require.NoError(t, err, "issued after the restart")
			t.Logf("issued %s after the kill", time.Since(killed).Round(10*time.Millisecond))
			require.NoError(t, r.Finish(ctx), "the holder goes on")
			assert.Equal(t, "delivered", r.State())
			s.assertIssuedOnce(r.ID())
			hits, err := fault.Hits(ctx)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, hits, int64(2), "the statement ran again after the kill")
		})
	}
	s.t = t
	s.verifyAudit()
}

// TestKilledDuringTheHoldersRequest: paid first, the holder's request
// issues within itself; the server is killed while that request waits
// after the signature, before the certificate row. Nothing of the
// request is kept (its transaction never committed): the holder sends
// the request again to the new server and gets one certificate.
func TestKilledDuringTheHoldersRequest(t *testing.T) {
	s := newSite(t, "")
	srv := s.start("")
	ctx := ctxFor(t, 2*time.Minute)
	h := s.belarusian(s.minter(), 0)
	r := load.NewRenewal(srv.URL, h, load.Options{Poll: 50 * time.Millisecond, Wait: 40 * time.Second})
	require.NoError(t, r.ToPayment(ctx))
	require.NoError(t, r.Pay(ctx, "key_pending"))
	fault, err := faulttest.BlockOnce(ctx, s.pool(), s.dsn, killPoints[1].point(r.ID()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = fault.Remove(context.Background()) })
	sent := make(chan error, 1)
	go func() { sent <- r.SubmitRequest(ctx) }()
	require.NoError(t, fault.Reached(ctx, 30*time.Second))
	_, err = srv.Signal(syscall.SIGKILL, 10*time.Second)
	require.NoError(t, err)
	assert.Error(t, <-sent, "the request died with the server")
	// The blocked backend is not released: here client_connection_check_interval
	// does not end it (seen, not understood; it does for the job's); the
	// new server ends the sessions of a process that is gone.

	srv = s.start(srv.DataDir)
	r.SetBase(srv.URL)
	require.NoError(t, r.Refresh(ctx))
	assert.Equal(t, "key_pending", r.State())
	assert.False(t, r.View().Request, "the lost request was not kept")
	require.NoError(t, r.SubmitRequest(ctx))
	_, err = r.WaitState(ctx, "issued")
	require.NoError(t, err)
	require.NoError(t, r.Finish(ctx))
	s.assertIssuedOnce(r.ID())
	s.verifyAudit()
}
