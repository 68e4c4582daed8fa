package ca_test

import (
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/revcheck"
	"renewal/ca/revcheck/revchecktest"
)

// foreignFixture is the demo authority that also trusts another
// authority (as trusted.pem makes it) and asks it through revcheck.
type foreignFixture struct {
	*fixture
	other *revchecktest.CA
}

type foreignOpts struct {
	lookalike bool // the other authority has our names (not our keys)
	untrusted bool // not among the Roots
	noClient  bool // Config.Foreign nil
}

func newForeignFixture(t *testing.T, o foreignOpts) *foreignFixture {
	res, _ := demoData(t)
	var other *revchecktest.CA
	f := newFixture(t, func(c *ca.Config) {
		if o.lookalike {
			other = revchecktest.NewLookalike(t, res.Root, res.Issuing, c.Now)
		} else {
			other = revchecktest.New(t, "Other", c.Now)
		}
		if !o.untrusted {
			c.Roots = append(c.Roots, other.Root)
		}
		if !o.noClient {
			c.Foreign = revcheck.New(revcheck.Config{Timeout: time.Second, OCSPTimeout: 300 * time.Millisecond,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		}
	})
	return &foreignFixture{fixture: f, other: other}
}

// current is a certificate of the other authority for the holder of a
// demo scenario (same subject and validity, so every other check
// passes), with the given serial (nil: random).
func (f *foreignFixture) current(t *testing.T, scenario string, serial *big.Int) *x509.Certificate {
	tmpl := *f.sub(t, scenario).Cert
	tmpl.SerialNumber, tmpl.OCSPServer, tmpl.CRLDistributionPoints = serial, nil, nil
	c, _ := f.other.Issue(t, &tmpl)
	return c
}

// TestForeignRevocation: a certificate of another trusted issuer is asked
// of that issuer's OCSP and CRL, one of ours of our Store: by issuer and
// serial, never by serial alone. No fresh, verified answer: refused with
// "try again later".
func TestForeignRevocation(t *testing.T) {
	tests := []struct {
		name   string
		opts   foreignOpts
		b      revchecktest.Behaviour
		serial func(f *foreignFixture) *big.Int // nil: random
		revoke bool                             // by the other authority
		ours   string                           // a demo certificate of ours instead
		// noSources: the certificate names no OCSP responder and no CRL.
		noSources bool
		want      error
	}{
		{name: "ok/foreign-good", want: nil},
		{name: "fail/foreign-revoked-in-ocsp", revoke: true, want: ca.ErrCertRevoked},
		{name: "fail/foreign-ocsp-down-crl-lists-it", b: revchecktest.Behaviour{OCSPDown: true}, revoke: true, want: ca.ErrCertRevoked},
		{name: "ok/foreign-ocsp-down-crl-good", b: revchecktest.Behaviour{OCSPDown: true}, want: nil},
		{name: "fail/foreign-ocsp-and-crl-down", b: revchecktest.Behaviour{OCSPDown: true, CRLDown: true}, want: ca.ErrRevocationUnavailable},
		{name: "fail/foreign-ocsp-timeout-crl-stale", b: revchecktest.Behaviour{OCSPDelay: 700 * time.Millisecond, ThisUpdateShift: -2 * time.Hour}, want: ca.ErrRevocationUnavailable},
		{name: "fail/foreign-answer-signed-by-wrong-key", b: revchecktest.Behaviour{WrongKey: true}, want: ca.ErrRevocationUnavailable},
		{name: "fail/foreign-no-client", opts: foreignOpts{noClient: true}, want: ca.ErrRevocationUnavailable},
		{name: "fail/foreign-names-no-ocsp-and-no-crl", noSources: true, want: ca.ErrRevocationUncheckable},
		{name: "ok/foreign-serial-revoked-in-our-store", serial: func(f *foreignFixture) *big.Int { return f.res.RevokeSerial }, want: nil},
		{name: "ok/lookalike-names-serial-revoked-in-our-store", opts: foreignOpts{lookalike: true},
			serial: func(f *foreignFixture) *big.Int { return f.res.RevokeSerial }, want: nil},
		{name: "fail/lookalike-names-revoked-by-its-issuer", opts: foreignOpts{lookalike: true}, revoke: true, want: ca.ErrCertRevoked},
		{name: "fail/ours-revoked-in-our-store", ours: "by-revoked", want: ca.ErrCertRevoked},
		{name: "ok/ours-good-other-authority-down", ours: "ru-owner", b: revchecktest.Behaviour{OCSPDown: true, CRLDown: true}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newForeignFixture(t, tt.opts)
			f.other.Set(tt.b)
			var cert *x509.Certificate
			chain := []*x509.Certificate{f.other.Issuing}
			prof := "ru-owner"
			if tt.ours != "" {
				s := f.sub(t, tt.ours)
				cert, prof, chain = s.Cert, s.Profile, []*x509.Certificate{f.res.Issuing}
			} else {
				var serial *big.Int
				if tt.serial != nil {
					serial = tt.serial(f)
				}
				cert = f.current(t, "ru-owner", serial)
				if tt.noSources {
					tmpl := *cert
					tmpl.OCSPServer, tmpl.CRLDistributionPoints = []string{}, []string{}
					cert, _ = f.other.Issue(t, &tmpl)
				}
			}
			if tt.revoke {
				f.other.Revoke(cert.SerialNumber, f.clock.Now().Add(-time.Hour), ca.ReasonKeyCompromise)
			}
			ctx := context.Background()
			for name, err := range map[string]error{
				"CheckCurrent": f.auth.CheckCurrent(ctx, prof, cert, chain),
				"CheckSigner":  f.auth.CheckSigner(ctx, cert, chain),
			} {
				if tt.want == nil {
					assert.NoError(t, err, name)
					continue
				}
				assert.ErrorIs(t, err, tt.want, name)
				for _, other := range []error{ca.ErrCertRevoked, ca.ErrRevocationUnavailable, ca.ErrRevocationUncheckable} {
					if other != tt.want {
						assert.NotErrorIs(t, err, other, name)
					}
				}
				var e *ca.Error
				if assert.ErrorAs(t, err, &e, name) {
					assert.NotEmpty(t, e.RU)
					assert.NotEmpty(t, e.EN)
				}
			}
			if tt.ours != "" {
				assert.Zero(t, f.other.OCSPRequests.Load()+f.other.CRLRequests.Load(), "our certificate is never asked abroad")
			}
		})
	}
}

// TestRenewForeignRevoked: Renew refuses a revoked foreign certificate
// before anything is recorded or signed.
func TestRenewForeignRevoked(t *testing.T) {
	f := newForeignFixture(t, foreignOpts{})
	cur := f.current(t, "ru-owner", nil)
	f.other.Revoke(cur.SerialNumber, f.clock.Now().Add(-time.Minute), ca.ReasonKeyCompromise)
	req := f.request(t, "ru-owner", newKey(t, "p256"), "t")
	req.Current, req.CurrentChain = cur, []*x509.Certificate{f.other.Issuing}
	got, err := f.auth.Renew(context.Background(), req)
	assert.ErrorIs(t, err, ca.ErrCertRevoked)
	assert.Nil(t, got)
	assert.Empty(t, f.store.Intents())
	assert.Len(t, f.store.IssuedCertificates(), f.demoN)
}

// TestCheckCurrentUntrustedIssuer (SECURITY-CASES 4): a chain to an
// authority that is not on the trusted list is refused, whatever its
// names, and its responder is never asked.
func TestCheckCurrentUntrustedIssuer(t *testing.T) {
	for name, o := range map[string]foreignOpts{
		"fail/unknown-authority":          {untrusted: true},
		"fail/lookalike-of-our-own-names": {untrusted: true, lookalike: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := newForeignFixture(t, o)
			cur := f.current(t, "ru-owner", nil)
			chain := []*x509.Certificate{f.other.Issuing, f.other.Root}
			ctx := context.Background()
			assert.ErrorIs(t, f.auth.CheckCurrent(ctx, "ru-owner", cur, chain), ca.ErrUntrustedChain)
			assert.ErrorIs(t, f.auth.CheckSigner(ctx, cur, chain), ca.ErrUntrustedChain)
			assert.Zero(t, f.other.OCSPRequests.Load()+f.other.CRLRequests.Load())
		})
	}
	t.Run("ok/same-authority-trusted", func(t *testing.T) {
		f := newForeignFixture(t, foreignOpts{})
		require.NoError(t, f.auth.CheckCurrent(context.Background(), "ru-owner", f.current(t, "ru-owner", nil), []*x509.Certificate{f.other.Issuing}))
	})
}
