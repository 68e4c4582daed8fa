package ca_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"io"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"renewal/ca"
	"renewal/ca/signer"
)

func TestRevokeAndCRL(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	got, err := f.auth.Renew(ctx, f.request(t, "ru-owner", newKey(t, "p256"), "t"))
	require.NoError(t, err)

	t.Run("fail/unknown-serial", func(t *testing.T) {
		assert.ErrorIs(t, f.auth.Revoke(ctx, big.NewInt(424242), ca.ReasonKeyCompromise), ca.ErrBadRequest)
	})
	t.Run("fail/reason-7", func(t *testing.T) {
		assert.ErrorIs(t, f.auth.Revoke(ctx, got.Serial, 7), ca.ErrBadRequest)
	})
	t.Run("fail/remove-from-crl", func(t *testing.T) {
		assert.ErrorIs(t, f.auth.Revoke(ctx, got.Serial, ca.ReasonRemoveFromCRL), ca.ErrBadRequest)
	})

	revokedAt := f.clock.Now().Add(time.Hour)
	f.clock.Set(revokedAt)
	require.NoError(t, f.auth.Revoke(ctx, got.Serial, ca.ReasonSuperseded))
	require.NoError(t, f.auth.Revoke(ctx, got.Serial, ca.ReasonKeyCompromise), "revoking twice keeps the first")
	info, err := f.store.Revocation(ctx, got.Serial)
	require.NoError(t, err)
	assert.True(t, info.Revoked)
	assert.Equal(t, ca.ReasonSuperseded, info.Reason)

	der1, err := f.auth.CRL(ctx)
	require.NoError(t, err)
	der2, err := f.auth.CRL(ctx)
	require.NoError(t, err)
	crl, err := x509.ParseRevocationList(der1)
	require.NoError(t, err)
	crl2, err := x509.ParseRevocationList(der2)
	require.NoError(t, err)
	require.NoError(t, crl.CheckSignatureFrom(f.res.Issuing))
	assert.Equal(t, 1, crl2.Number.Cmp(crl.Number), "CRL numbers increase")
	assert.Equal(t, revokedAt.UTC().Truncate(time.Second), crl.ThisUpdate)
	assert.Equal(t, 24*time.Hour, crl.NextUpdate.Sub(crl.ThisUpdate))
	serials := map[string]int{}
	for _, e := range crl.RevokedCertificateEntries {
		serials[e.SerialNumber.String()] = e.ReasonCode
	}
	assert.Equal(t, ca.ReasonSuperseded, serials[got.Serial.String()])
	assert.Contains(t, serials, f.res.RevokeSerial.String())
}

func TestOCSP(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good, err := f.auth.Renew(ctx, f.request(t, "ru-owner", newKey(t, "p256"), "good"))
	require.NoError(t, err)
	goodCert, _ := x509.ParseCertificate(good.DER)
	revoked := f.sub(t, "by-revoked")

	never := *goodCert
	never.SerialNumber = big.NewInt(99999)

	tests := []struct {
		name   string
		cert   *x509.Certificate
		hash   crypto.Hash
		status int
	}{
		{"ok/good-sha1", goodCert, crypto.SHA1, ocsp.Good},
		{"ok/good-sha256", goodCert, crypto.SHA256, ocsp.Good},
		{"ok/revoked", revoked.Cert, crypto.SHA1, ocsp.Revoked},
		{"ok/unknown-never-issued", &never, crypto.SHA1, ocsp.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ocsp.CreateRequest(tt.cert, f.res.Issuing, &ocsp.RequestOptions{Hash: tt.hash})
			require.NoError(t, err)
			respDER, err := f.auth.OCSP(ctx, req, nil)
			require.NoError(t, err)
			resp, err := ocsp.ParseResponseForCert(respDER, tt.cert, f.res.Issuing)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.Status)
			assert.Equal(t, tt.cert.SerialNumber, resp.SerialNumber)
			assert.Equal(t, f.clock.Now(), resp.ThisUpdate)
			assert.True(t, resp.NextUpdate.After(resp.ThisUpdate))
			if tt.status == ocsp.Revoked {
				assert.Equal(t, ocsp.KeyCompromise, resp.RevocationReason)
			}
		})
	}
	t.Run("fail/malformed", func(t *testing.T) {
		resp, err := f.auth.OCSP(ctx, []byte("garbage"), nil)
		require.NoError(t, err)
		assert.Equal(t, ocsp.MalformedRequestErrorResponse, resp)
	})
	t.Run("fail/other-issuer", func(t *testing.T) {
		req, err := ocsp.CreateRequest(goodCert, f.res.Root, nil) // wrong issuer hashes
		require.NoError(t, err)
		resp, err := f.auth.OCSP(ctx, req, nil)
		require.NoError(t, err)
		assert.Equal(t, ocsp.UnauthorizedErrorResponse, resp)
	})
}

// TestCRLPublishedNotSignedOnRequest: requests serve the stored CRL; the
// issuing key signs one on an empty store (once, however many ask at
// the same moment), at each revocation, when the refresh job finds it
// aged or out of date, and when the latest has expired.
func TestCRLPublishedNotSignedOnRequest(t *testing.T) {
	ctx := context.Background()
	signs := &countingSigner{}
	f := newFixture(t, signs.wrap)
	number := func(der []byte) *big.Int {
		crl, err := x509.ParseRevocationList(der)
		require.NoError(t, err)
		require.NoError(t, crl.CheckSignatureFrom(f.res.Issuing))
		return crl.Number
	}

	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := f.auth.CurrentCRL(ctx)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	require.Len(t, f.store.CRLs(), 1, "the first CRL of an empty store is signed once")
	first, at, err := f.auth.CurrentCRL(ctx)
	require.NoError(t, err)
	before := signs.n.Load()
	for range 50 {
		again, at2, err := f.auth.CurrentCRL(ctx)
		require.NoError(t, err)
		assert.Equal(t, first, again, "the stored CRL, not a new signature")
		assert.Equal(t, at, at2)
	}
	assert.Equal(t, before, signs.n.Load(), "no request made the issuing key sign")

	got, err := f.auth.Renew(ctx, f.request(t, "ru-owner", newKey(t, "p256"), "crl"))
	require.NoError(t, err)
	require.NoError(t, f.auth.Revoke(ctx, got.Serial, ca.ReasonSuperseded))
	afterRevoke, _, err := f.auth.CurrentCRL(ctx)
	require.NoError(t, err)
	require.NotEqual(t, first, afterRevoke, "a revocation publishes a new CRL at once")
	assert.Equal(t, 1, number(afterRevoke).Cmp(number(first)))
	crl, err := x509.ParseRevocationList(afterRevoke)
	require.NoError(t, err)
	listed := false
	for _, e := range crl.RevokedCertificateEntries {
		listed = listed || e.SerialNumber.Cmp(got.Serial) == 0
	}
	assert.True(t, listed)

	signed, err := f.auth.RefreshCRL(ctx)
	require.NoError(t, err)
	assert.False(t, signed, "fresh and up to date: the job signs nothing")

	f.clock.Set(f.clock.Now().Add(13 * time.Hour)) // past half of the 24 h validity
	aged, _, err := f.auth.CurrentCRL(ctx)
	require.NoError(t, err)
	assert.Equal(t, afterRevoke, aged, "a request still serves the stored CRL")
	signed, err = f.auth.RefreshCRL(ctx)
	require.NoError(t, err)
	assert.True(t, signed, "the job replaces a CRL past half its life")
	refreshed, _, err := f.auth.CurrentCRL(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, number(refreshed).Cmp(number(afterRevoke)))

	// A revocation whose CRL was not published (another process failed
	// to sign): the job notices the revocations differ.
	other, err := f.auth.Renew(ctx, f.request(t, "by-individual", newKey(t, "p256"), "crl-2"))
	require.NoError(t, err)
	require.NoError(t, f.store.Revoke(ctx, other.Serial, ca.ReasonKeyCompromise, f.clock.Now()))
	signed, err = f.auth.RefreshCRL(ctx)
	require.NoError(t, err)
	assert.True(t, signed, "the revocations changed")

	n := len(f.store.CRLs())
	f.clock.Set(f.clock.Now().Add(25 * time.Hour)) // the latest has expired, no job ran
	expired, _, err := f.auth.CurrentCRL(ctx)
	require.NoError(t, err)
	assert.Len(t, f.store.CRLs(), n+1, "an expired CRL is never served")
	crl, err = x509.ParseRevocationList(expired)
	require.NoError(t, err)
	assert.True(t, f.clock.Now().Before(crl.NextUpdate))
}

// countingSigner counts the issuing key's signatures.
type countingSigner struct {
	signer.Signer
	n atomic.Int64
}

func (c *countingSigner) wrap(cfg *ca.Config) {
	c.Signer = cfg.Signer
	cfg.Signer = c
}

func (c *countingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.n.Add(1)
	return c.Signer.Sign(r, digest, opts)
}
