package faulttest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/e2e/load"
)

// TestInstanceWithClockTenMinutesOff (SECURITY-CASES 44): instance B's
// clock is 10 minutes behind (--dev-clock-skew, the test seam); A's is
// right. B decides by the database's clock, as A does:
//   - a code A sent, 11 minutes old, is refused by B as expired (B's own
//     clock would still think it fresh);
//   - a challenge A made, 6 minutes old, is refused by B; one that B
//     makes is accepted by A (B's own clock would have made it expire
//     5 minutes ago);
//   - the certificate B issues is valid from the database's now, not
//     from 10 minutes ago;
//
// and B says that its host's clock is off.
func TestInstanceWithClockTenMinutesOff(t *testing.T) {
	s := newSite(t, "")
	a := s.start("")
	b := s.start("", "--dev-clock-skew", "-10m")
	ctx := ctxFor(t, 2*time.Minute)
	m := s.minter()
	age := func(table, appID string, d time.Duration) {
		_, err := s.pool().Exec(context.Background(), `UPDATE `+table+` SET created_at = created_at - $2::interval,
			expires_at = expires_at - $2::interval WHERE application_id = $1`, appID, d.String())
		require.NoError(t, err)
	}
	refusedWith := func(err error, code string) {
		t.Helper()
		var he *load.HTTPError
		if assert.True(t, errors.As(err, &he), "refused: %v", err) {
			assert.Equal(t, code, he.Code)
		}
	}

	// A code from A, 11 minutes old, at B.
	old := load.NewRenewal(a.URL, s.belarusian(m, 0), load.Options{Wait: 20 * time.Second})
	require.NoError(t, old.Open(ctx))
	age("otp", old.ID(), 11*time.Minute)
	old.SetBase(b.URL)
	refusedWith(old.VerifyContacts(ctx), "code_expired")

	// A fresh code from A is good at B; challenges cross over.
	r := load.NewRenewal(a.URL, s.belarusian(m, 1), load.Options{Poll: 50 * time.Millisecond, Wait: 30 * time.Second})
	require.NoError(t, r.Open(ctx))
	r.SetBase(b.URL)
	require.NoError(t, r.VerifyContacts(ctx))
	r.SetBase(a.URL)
	ch, err := r.Challenge(ctx)
	require.NoError(t, err)
	age("cert_challenge", r.ID(), 6*time.Minute)
	r.SetBase(b.URL)
	refusedWith(r.Prove(ctx, ch), "challenge_invalid")
	ch, err = r.Challenge(ctx)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(5*time.Minute), ch.ExpiresAt, time.Minute, "B's challenge lasts 5 minutes of the trusted clock")
	r.SetBase(a.URL)
	require.NoError(t, r.Prove(ctx, ch), "A accepts the challenge B made")

	// B issues (the request, paid, is issued within B's own request).
	r.SetBase(b.URL)
	require.NoError(t, r.AfterProof(ctx))
	require.NoError(t, r.Pay(ctx, "key_pending"))
	require.NoError(t, r.SubmitRequest(ctx))
	require.Equal(t, "issued", r.State(), "issued by B, within its request")
	require.NoError(t, r.Finish(ctx))
	cert := r.Certificate()
	require.NotNil(t, cert)
	assert.WithinDuration(t, time.Now(), cert.NotBefore, time.Minute, "notBefore from the trusted clock")
	s.assertIssuedOnce(r.ID())
	assert.True(t, strings.Contains(b.Logs(), "this host's clock is off"), "B reports its clock")
	assert.False(t, strings.Contains(a.Logs(), "this host's clock is off"))
	s.verifyAudit()
}
