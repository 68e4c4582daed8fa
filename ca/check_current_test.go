package ca_test

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"renewal/ca"
)

// TestCheckCurrent: the proof of the current certificate runs the same
// checks as the first part of Renew, and returns the same sentinels.
func TestCheckCurrent(t *testing.T) {
	f := newFixture(t)
	chain := []*x509.Certificate{f.res.Issuing}
	tests := []struct {
		name     string
		scenario string
		at       func(s time.Time) time.Time // clock relative to the subscriber's notAfter
		want     error
	}{
		{"ok/ru-owner", "ru-owner", nil, nil},
		{"ok/by-individual", "by-individual", nil, nil},
		{"fail/expired", "ru-expired", nil, ca.ErrCertExpired},
		{"fail/revoked", "by-revoked", nil, ca.ErrCertRevoked},
		{"fail/outside-window", "ru-owner", func(na time.Time) time.Time { return na.AddDate(0, -6, 0) }, ca.ErrOutsideWindow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := f.sub(t, tt.scenario)
			now := f.clock.Now()
			if tt.at != nil {
				f.clock.Set(tt.at(s.Cert.NotAfter))
				defer f.clock.Set(now)
			}
			err := f.auth.CheckCurrent(context.Background(), s.Profile, s.Cert, chain)
			if tt.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
	assert.ErrorIs(t, f.auth.CheckCurrent(context.Background(), "no-such-profile", f.sub(t, "ru-owner").Cert, chain), ca.ErrBadRequest)
	// A certificate of this authority verifies without a chain from the
	// client: the authority adds its own issuing CA (which grants no trust
	// by itself; the foreign-CA case of TestRenewRefusals shows that).
	assert.NoError(t, f.auth.CheckCurrent(context.Background(), "ru-owner", f.sub(t, "ru-owner").Cert, nil))
}

// TestCheckSigner: a head's certificate must be valid, trusted and not
// revoked, but it need not be renewable: half a year before its end (far
// outside the renewal window) it signs; a day after its end it does not,
// though a renewal's grace would still allow that in Belarus.
func TestCheckSigner(t *testing.T) {
	f := newFixture(t)
	chain := []*x509.Certificate{f.res.Issuing}
	head := f.sub(t, "ru-head").Cert
	now := f.clock.Now()
	defer f.clock.Set(now)
	for _, tt := range []struct {
		name string
		at   time.Time
		want error
	}{
		{"ok/outside-renewal-window", head.NotAfter.AddDate(0, -6, 0), nil},
		{"fail/expired-a-day", head.NotAfter.Add(24 * time.Hour), ca.ErrCertExpired},
		{"fail/not-yet-valid", head.NotBefore.Add(-time.Hour), ca.ErrCertNotYetValid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.Set(tt.at)
			err := f.auth.CheckSigner(context.Background(), head, chain)
			if tt.want == nil {
				assert.NoError(t, err)
				assert.ErrorIs(t, f.auth.CheckCurrent(context.Background(), "ru-employee", head, chain), ca.ErrOutsideWindow,
					"the renewal checks would have refused it")
			} else {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
	f.clock.Set(now)
	assert.ErrorIs(t, f.auth.CheckSigner(context.Background(), f.sub(t, "by-revoked").Cert, chain), ca.ErrCertRevoked)
}
