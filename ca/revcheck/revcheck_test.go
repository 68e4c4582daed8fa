package revcheck_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/revcheck"
	"renewal/ca/revcheck/revchecktest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	clk    *clock
	other  *revchecktest.CA
	client *revcheck.Client
}

func newEnv(t *testing.T, cfg revcheck.Config) *env {
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	if cfg.Timeout == 0 {
		cfg.Timeout, cfg.OCSPTimeout = time.Second, 300*time.Millisecond
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return &env{clk: clk, other: revchecktest.New(t, "Other", clk.Now), client: revcheck.New(cfg)}
}

func (e *env) leaf(t *testing.T) *x509.Certificate {
	c, _ := e.other.Issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "holder"}})
	return c
}

func (e *env) status(t *testing.T, c *x509.Certificate) (ca.RevocationInfo, error) {
	return e.client.Status(context.Background(), c, e.other.Issuing, e.clk.Now())
}

// TestStatus: the answer counts only when it is the issuer's, for this
// certificate, and fresh; OCSP first, the CRL when OCSP gives nothing;
// nothing at all is an error, never "good".
func TestStatus(t *testing.T) {
	tests := []struct {
		name     string
		b        revchecktest.Behaviour
		revoke   bool
		want     string // good, revoked, unavailable
		ocspOnly bool   // the CRL must not be asked
	}{
		{name: "ok/ocsp-good", want: "good", ocspOnly: true},
		{name: "ok/ocsp-good-delegated-responder", b: revchecktest.Behaviour{Delegate: true}, want: "good", ocspOnly: true},
		{name: "fail/ocsp-revoked", revoke: true, want: "revoked", ocspOnly: true},
		{name: "fail/ocsp-revoked-delegated-responder", b: revchecktest.Behaviour{Delegate: true}, revoke: true, want: "revoked", ocspOnly: true},
		{name: "fail/ocsp-down-crl-lists-it", b: revchecktest.Behaviour{OCSPDown: true}, revoke: true, want: "revoked"},
		{name: "ok/ocsp-down-crl-good", b: revchecktest.Behaviour{OCSPDown: true}, want: "good"},
		{name: "ok/ocsp-unknown-crl-good", b: revchecktest.Behaviour{Unknown: true}, want: "good"},
		{name: "fail/ocsp-unknown-crl-lists-it", b: revchecktest.Behaviour{Unknown: true}, revoke: true, want: "revoked"},
		{name: "fail/both-down", b: revchecktest.Behaviour{OCSPDown: true, CRLDown: true}, want: "unavailable"},
		// Honest answers, too late: without the timeouts they would be "good".
		{name: "fail/both-slow-past-the-timeout", b: revchecktest.Behaviour{OCSPDelay: 1500 * time.Millisecond, CRLDelay: 1500 * time.Millisecond}, want: "unavailable"},
		{name: "fail/ocsp-slow-crl-down", b: revchecktest.Behaviour{OCSPDelay: 700 * time.Millisecond, CRLDown: true}, want: "unavailable"},
		{name: "fail/both-stale", b: revchecktest.Behaviour{ThisUpdateShift: -2 * time.Hour}, want: "unavailable"},
		{name: "fail/ocsp-stale-crl-down", b: revchecktest.Behaviour{ThisUpdateShift: -2 * time.Hour, CRLDown: true}, want: "unavailable"},
		{name: "fail/ocsp-down-crl-stale", b: revchecktest.Behaviour{ThisUpdateShift: -2 * time.Hour, OCSPDown: true}, want: "unavailable"},
		{name: "fail/ocsp-from-the-future-crl-down", b: revchecktest.Behaviour{ThisUpdateShift: time.Hour, CRLDown: true}, want: "unavailable"},
		{name: "ok/ocsp-thisupdate-within-leeway", b: revchecktest.Behaviour{ThisUpdateShift: 2 * time.Minute, CRLDown: true}, want: "good"},
		{name: "fail/ocsp-wrong-key-crl-down", b: revchecktest.Behaviour{WrongKey: true, CRLDown: true}, want: "unavailable"},
		{name: "fail/ocsp-and-crl-wrong-key", b: revchecktest.Behaviour{WrongKey: true}, want: "unavailable"},
		{name: "fail/ocsp-delegate-without-eku-crl-down", b: revchecktest.Behaviour{DelegateNoEKU: true, CRLDown: true}, want: "unavailable"},
		{name: "fail/ocsp-other-serial-crl-down", b: revchecktest.Behaviour{OtherSerial: true, CRLDown: true}, want: "unavailable"},
		{name: "ok/crl-names-its-distribution-point", b: revchecktest.Behaviour{OCSPDown: true, IDPURL: "{crl}"}, want: "good"},
		{name: "fail/crl-of-another-distribution-point", b: revchecktest.Behaviour{OCSPDown: true, IDPURL: "http://127.0.0.1:1/partition-2.crl"}, want: "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, revcheck.Config{})
			c := e.leaf(t)
			if tt.b.IDPURL == "{crl}" {
				tt.b.IDPURL = e.other.CRLURL
			}
			e.other.Set(tt.b)
			if tt.revoke {
				e.other.Revoke(c.SerialNumber, e.clk.Now().Add(-time.Hour), ca.ReasonKeyCompromise)
			}
			info, err := e.status(t, c)
			switch tt.want {
			case "good":
				require.NoError(t, err)
				assert.False(t, info.Revoked)
			case "revoked":
				require.NoError(t, err)
				assert.True(t, info.Revoked)
				assert.Equal(t, ca.ReasonKeyCompromise, info.Reason)
				assert.Equal(t, e.clk.Now().Add(-time.Hour), info.RevokedAt.UTC())
			case "unavailable":
				assert.ErrorIs(t, err, revcheck.ErrUnavailable)
				assert.False(t, info.Revoked)
			}
			if tt.ocspOnly {
				assert.Zero(t, e.other.CRLRequests.Load(), "CRL asked")
			}
		})
	}
}

// TestStatusOfAnotherIssuersCertificate: a status signed by the issuer
// for the right serial but naming another issuer in its CertID is not an
// answer about this certificate (x/crypto alone matches by serial).
func TestStatusOfAnotherIssuersCertificate(t *testing.T) {
	e := newEnv(t, revcheck.Config{})
	third := revchecktest.New(t, "Third", e.clk.Now)
	c := e.leaf(t)
	e.other.Set(revchecktest.Behaviour{CertIDOf: third.Issuing, CRLDown: true})
	_, err := e.status(t, c)
	assert.ErrorIs(t, err, revcheck.ErrUnavailable)

	e.other.Set(revchecktest.Behaviour{CRLDown: true})
	_, err = e.status(t, c)
	assert.NoError(t, err, "the same responder, naming the right issuer")
}

// TestStatusWithoutSources: a certificate of another issuer that names no
// OCSP responder and no http(s) CRL can never be checked: refused for
// good, not "try again later".
func TestStatusWithoutSources(t *testing.T) {
	e := newEnv(t, revcheck.Config{})
	for name, tmpl := range map[string]*x509.Certificate{
		"fail/none":      {Subject: pkix.Name{CommonName: "h"}, OCSPServer: []string{}, CRLDistributionPoints: []string{}},
		"fail/ldap-only": {Subject: pkix.Name{CommonName: "h"}, OCSPServer: []string{}, CRLDistributionPoints: []string{"ldap://ldap.example/cn=CRL"}},
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := e.other.Issue(t, tmpl)
			_, err := e.status(t, c)
			assert.ErrorIs(t, err, ca.ErrRevocationUncheckable)
			assert.NotErrorIs(t, err, revcheck.ErrUnavailable, "trying later will not help")
		})
	}
	t.Run("fail/issuer-did-not-sign-it", func(t *testing.T) {
		other := revchecktest.New(t, "Lookalike", e.clk.Now)
		_, err := e.client.Status(context.Background(), e.leaf(t), other.Issuing, e.clk.Now())
		assert.ErrorIs(t, err, revcheck.ErrUnavailable)
		assert.Zero(t, e.other.OCSPRequests.Load()+other.OCSPRequests.Load())
	})
}

// TestExpiredCertificateAndCRL: a CA may drop expired certificates from
// its CRL (RFC 5280 §3.3), so an expired certificate (a Belarusian
// renewal in its grace) that the CRL does not list is not thereby good;
// listed, it is revoked; with expiredCertsOnCRL covering it, unlisted is
// good. OCSP still answers for it.
func TestExpiredCertificateAndCRL(t *testing.T) {
	for _, tt := range []struct {
		name   string
		b      revchecktest.Behaviour
		revoke bool
		want   string
	}{
		{"fail/crl-silent-about-an-expired-certificate", revchecktest.Behaviour{OCSPDown: true}, false, "unavailable"},
		{"fail/crl-lists-the-expired-certificate", revchecktest.Behaviour{OCSPDown: true}, true, "revoked"},
		{"ok/crl-keeps-expired-certificates", revchecktest.Behaviour{OCSPDown: true, ExpiredKeptFrom: time.Now().AddDate(-1, 0, 0)}, false, "good"},
		{"fail/crl-keeps-only-later-expiries", revchecktest.Behaviour{OCSPDown: true, ExpiredKeptFrom: time.Now()}, false, "unavailable"},
		{"ok/ocsp-good", revchecktest.Behaviour{}, false, "good"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, revcheck.Config{})
			now := e.clk.Now()
			c, _ := e.other.Issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "h"},
				NotBefore: now.AddDate(-1, -2, 0), NotAfter: now.AddDate(0, -2, 0)})
			e.other.Set(tt.b)
			if tt.revoke {
				e.other.Revoke(c.SerialNumber, now.AddDate(0, -3, 0), ca.ReasonKeyCompromise)
			}
			info, err := e.status(t, c)
			switch tt.want {
			case "good":
				require.NoError(t, err)
				assert.False(t, info.Revoked)
			case "revoked":
				require.NoError(t, err)
				assert.True(t, info.Revoked)
			default:
				assert.ErrorIs(t, err, revcheck.ErrUnavailable)
				assert.ErrorContains(t, err, "expired")
			}
		})
	}
}

// TestCRLSizeLimit: a CRL longer than the limit is no answer, though it is
// valid and does not list the certificate.
func TestCRLSizeLimit(t *testing.T) {
	e := newEnv(t, revcheck.Config{MaxCRLBytes: 32 << 10})
	c := e.leaf(t)
	e.other.Set(revchecktest.Behaviour{OCSPDown: true, ExtraRevoked: 2000}) // ~70 KB
	_, err := e.status(t, c)
	assert.ErrorIs(t, err, revcheck.ErrUnavailable)
	assert.ErrorContains(t, err, "longer than")

	big := newEnv(t, revcheck.Config{})
	c = big.leaf(t)
	big.other.Set(revchecktest.Behaviour{OCSPDown: true, ExtraRevoked: 2000})
	_, err = big.status(t, c)
	assert.NoError(t, err, "the same CRL under the default 1 MiB")
}

// TestCache: an answer is reused until its nextUpdate, without a request;
// after it, the source is asked again.
func TestCache(t *testing.T) {
	t.Run("ok/ocsp", func(t *testing.T) {
		e := newEnv(t, revcheck.Config{})
		c := e.leaf(t)
		for range 3 {
			_, err := e.status(t, c)
			require.NoError(t, err)
		}
		assert.EqualValues(t, 1, e.other.OCSPRequests.Load())
		// Revoked meanwhile: the cached "good" stands until nextUpdate...
		e.other.Revoke(c.SerialNumber, e.clk.Now(), ca.ReasonKeyCompromise)
		e.clk.Add(59 * time.Minute)
		info, err := e.status(t, c)
		require.NoError(t, err)
		assert.False(t, info.Revoked)
		assert.EqualValues(t, 1, e.other.OCSPRequests.Load())
		// ...and not a second longer.
		e.clk.Add(time.Minute)
		info, err = e.status(t, c)
		require.NoError(t, err)
		assert.True(t, info.Revoked)
		assert.EqualValues(t, 2, e.other.OCSPRequests.Load())
	})
	t.Run("ok/crl", func(t *testing.T) {
		e := newEnv(t, revcheck.Config{})
		e.other.Set(revchecktest.Behaviour{OCSPDown: true})
		a, b := e.leaf(t), e.leaf(t)
		for _, c := range []*x509.Certificate{a, b, a} {
			_, err := e.status(t, c)
			require.NoError(t, err)
		}
		assert.EqualValues(t, 1, e.other.CRLRequests.Load(), "one CRL for every certificate of its issuer")
		e.other.Revoke(b.SerialNumber, e.clk.Now(), ca.ReasonKeyCompromise)
		e.clk.Add(time.Hour)
		info, err := e.status(t, b)
		require.NoError(t, err)
		assert.True(t, info.Revoked)
		assert.EqualValues(t, 2, e.other.CRLRequests.Load())
	})
	t.Run("ok/unavailable-is-not-cached", func(t *testing.T) {
		e := newEnv(t, revcheck.Config{})
		c := e.leaf(t)
		e.other.Set(revchecktest.Behaviour{OCSPDown: true, CRLDown: true})
		_, err := e.status(t, c)
		require.ErrorIs(t, err, revcheck.ErrUnavailable)
		e.other.Set(revchecktest.Behaviour{})
		_, err = e.status(t, c)
		assert.NoError(t, err)
	})
	t.Run("ok/bounded", func(t *testing.T) {
		e := newEnv(t, revcheck.Config{MaxStatuses: 2})
		certs := []*x509.Certificate{e.leaf(t), e.leaf(t), e.leaf(t)}
		for _, c := range certs {
			_, err := e.status(t, c)
			require.NoError(t, err)
			e.clk.Add(time.Minute) // the first expires first
		}
		assert.EqualValues(t, 3, e.other.OCSPRequests.Load())
		_, err := e.status(t, certs[2])
		require.NoError(t, err)
		assert.EqualValues(t, 3, e.other.OCSPRequests.Load(), "the newest is kept")
		_, err = e.status(t, certs[0])
		require.NoError(t, err)
		assert.EqualValues(t, 4, e.other.OCSPRequests.Load(), "the oldest was dropped")
	})
	t.Run("ok/by-issuer-and-serial", func(t *testing.T) {
		// Two issuers, one serial: the answer about one is not the other's.
		e := newEnv(t, revcheck.Config{})
		third := revchecktest.New(t, "Third", e.clk.Now)
		serial := big.NewInt(4242)
		mine, _ := e.other.Issue(t, &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "a"}})
		theirs, _ := third.Issue(t, &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "b"}})
		third.Revoke(serial, e.clk.Now(), ca.ReasonKeyCompromise)
		info, err := e.status(t, mine)
		require.NoError(t, err)
		assert.False(t, info.Revoked)
		info, err = e.client.Status(context.Background(), theirs, third.Issuing, e.clk.Now())
		require.NoError(t, err)
		assert.True(t, info.Revoked)
		assert.EqualValues(t, 1, third.OCSPRequests.Load())
	})
}

// BenchmarkStatus: an answer from the cache, and a fresh OCSP round trip
// (HTTP on 127.0.0.1, a signed response verified) or CRL fetch.
func BenchmarkStatus(b *testing.B) {
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	other := revchecktest.New(b, "Other", clk.Now)
	leaf, _ := other.Issue(b, &x509.Certificate{Subject: pkix.Name{CommonName: "holder"}})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	b.Run("cached", func(b *testing.B) {
		c := revcheck.New(revcheck.Config{Logger: quiet})
		if _, err := c.Status(ctx, leaf, other.Issuing, clk.Now()); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := c.Status(ctx, leaf, other.Issuing, clk.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, bh := range map[string]revchecktest.Behaviour{"ocsp": {}, "crl": {OCSPDown: true}} {
		b.Run(name, func(b *testing.B) {
			other.Set(bh)
			defer other.Set(revchecktest.Behaviour{})
			for b.Loop() {
				c := revcheck.New(revcheck.Config{Logger: quiet}) // empty caches
				if _, err := c.Status(ctx, leaf, other.Issuing, clk.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
