package ca_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"renewal/ca"
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
			respDER, err := f.auth.OCSP(ctx, req)
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
		resp, err := f.auth.OCSP(ctx, []byte("garbage"))
		require.NoError(t, err)
		assert.Equal(t, ocsp.MalformedRequestErrorResponse, resp)
	})
	t.Run("fail/other-issuer", func(t *testing.T) {
		req, err := ocsp.CreateRequest(goodCert, f.res.Root, nil) // wrong issuer hashes
		require.NoError(t, err)
		resp, err := f.auth.OCSP(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, ocsp.UnauthorizedErrorResponse, resp)
	})
}

// TestCurrentCRLSignedOnlyWhenNeeded: asking for the CRL does not sign one
// each time; a revocation, or half the CRL's validity, does.
func TestCurrentCRLSignedOnlyWhenNeeded(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	first, at, err := f.auth.CurrentCRL(ctx)
	require.NoError(t, err)
	for range 5 {
		again, at2, err := f.auth.CurrentCRL(ctx)
		require.NoError(t, err)
		assert.Equal(t, first, again, "the same CRL, not a new signature")
		assert.Equal(t, at, at2)
	}
	number := func(der []byte) *big.Int {
		crl, err := x509.ParseRevocationList(der)
		require.NoError(t, err)
		return crl.Number
	}

	got, err := f.auth.Renew(ctx, f.request(t, "ru-owner", newKey(t, "p256"), "crl"))
	require.NoError(t, err)
	require.NoError(t, f.auth.Revoke(ctx, got.Serial, ca.ReasonSuperseded))
	afterRevoke, _, err := f.auth.CurrentCRL(ctx)
	require.NoError(t, err)
	require.NotEqual(t, first, afterRevoke, "a revocation makes a new CRL at once")
	assert.Equal(t, 1, number(afterRevoke).Cmp(number(first)))
	crl, err := x509.ParseRevocationList(afterRevoke)
	require.NoError(t, err)
	listed := false
	for _, e := range crl.RevokedCertificateEntries {
		listed = listed || e.SerialNumber.Cmp(got.Serial) == 0
	}
	assert.True(t, listed)

	f.clock.Set(f.clock.Now().Add(13 * time.Hour)) // past half of the 24 h validity
	aged, _, err := f.auth.CurrentCRL(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, number(aged).Cmp(number(afterRevoke)), "a CRL past half its life is signed anew")
}
