package ca_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"renewal/ca"
)

var (
	oidNonce   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	oidNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
)

// The OCSP request and response shapes, enough to add a nonce to a
// request and read responseExtensions back (x/crypto/ocsp does neither).
type testCertID struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	NameHash      []byte
	IssuerKeyHash []byte
	SerialNumber  *big.Int
}

type testTBSRequest struct {
	Version     int `asn1:"explicit,tag:0,default:0,optional"`
	RequestList []struct{ Cert testCertID }
	Extensions  []pkix.Extension `asn1:"explicit,tag:2,optional"`
}

type testRequest struct{ TBS testTBSRequest }

type testResponse struct {
	Status   asn1.Enumerated
	Response struct {
		Type  asn1.ObjectIdentifier
		Basic []byte
	} `asn1:"explicit,tag:0,optional"`
}

type testBasic struct {
	TBS struct {
		Version     int `asn1:"optional,default:0,explicit,tag:0"`
		ResponderID asn1.RawValue
		ProducedAt  time.Time `asn1:"generalized"`
		Responses   []asn1.RawValue
		Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
	}
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
	Certs     []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

// withNonce is an OCSP request for cert with a nonce of n bytes; it
// returns the request and the nonce extension's value.
func withNonce(t testing.TB, cert, issuer *x509.Certificate, hash crypto.Hash, n int) ([]byte, []byte) {
	t.Helper()
	der, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: hash})
	require.NoError(t, err)
	var req testRequest
	_, err = asn1.Unmarshal(der, &req)
	require.NoError(t, err)
	value, err := asn1.Marshal(bytes.Repeat([]byte{0xa5}, n))
	require.NoError(t, err)
	req.TBS.Extensions = []pkix.Extension{{Id: oidNonce, Value: value}}
	out, err := asn1.Marshal(req)
	require.NoError(t, err)
	return out, value
}

// responseNonce is the nonce of a response's responseExtensions, or nil.
func responseNonce(t *testing.T, der []byte) []byte {
	t.Helper()
	var r testResponse
	_, err := asn1.Unmarshal(der, &r)
	require.NoError(t, err)
	var b testBasic
	_, err = asn1.Unmarshal(r.Response.Basic, &b)
	require.NoError(t, err)
	for _, e := range b.TBS.Extensions {
		if e.Id.Equal(oidNonce) {
			return e.Value
		}
	}
	return nil
}

// checkResponder: the response is signed by a delegated responder the
// issuing CA certified for OCSP, never by the issuing key, and producedAt
// is not before thisUpdate.
func checkResponder(t *testing.T, f *fixture, resp *ocsp.Response) {
	t.Helper()
	require.NotNil(t, resp.Certificate, "the responder's certificate is included")
	assert.False(t, resp.Certificate.Equal(f.res.Issuing), "not signed by the issuing key")
	require.NoError(t, resp.Certificate.CheckSignatureFrom(f.res.Issuing))
	assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}, resp.Certificate.ExtKeyUsage)
	nocheck := false
	for _, e := range resp.Certificate.Extensions {
		nocheck = nocheck || e.Id.Equal(oidNoCheck)
	}
	assert.True(t, nocheck, "id-pkix-ocsp-nocheck")
	assert.False(t, resp.ProducedAt.Before(resp.ThisUpdate), "producedAt %v before thisUpdate %v", resp.ProducedAt, resp.ThisUpdate)
	assert.False(t, resp.NextUpdate.After(resp.Certificate.NotAfter), "the responder outlives the response")
	require.NotEmpty(t, resp.ResponderKeyHash, "responderID byKey")
}

// Requests without a nonce get the response signed at issuance, byte for
// byte, and no signature is made for them; a revocation shows at once;
// an answer past its nextUpdate is never served.
func TestOCSPPreSigned(t *testing.T) {
	ctx := context.Background()
	signs := &countingSigner{}
	f := newFixture(t, signs.wrap)
	got, err := f.auth.Renew(ctx, f.request(t, "ru-owner", newKey(t, "p256"), "pre"))
	require.NoError(t, err)
	cert := parse(t, got.DER)
	stored, revokedNow, ok, err := f.store.OCSPResponse(ctx, cert.SerialNumber)
	require.NoError(t, err)
	require.True(t, ok, "made at issuance")
	assert.False(t, revokedNow)

	req, err := ocsp.CreateRequest(cert, f.res.Issuing, nil) // SHA-1, no nonce
	require.NoError(t, err)
	noLive := func() bool { t.Error("a stored answer needs no fresh signature"); return false }
	before := signs.n.Load()
	for range 20 {
		der, err := f.auth.OCSP(ctx, req, noLive)
		require.NoError(t, err)
		require.Equal(t, stored.DER, der, "the stored response")
	}
	assert.Equal(t, before, signs.n.Load(), "the issuing key signed nothing")
	resp, err := ocsp.ParseResponseForCert(stored.DER, cert, f.res.Issuing)
	require.NoError(t, err)
	assert.Equal(t, ocsp.Good, resp.Status)
	checkResponder(t, f, resp)

	require.NoError(t, f.auth.Revoke(ctx, cert.SerialNumber, ca.ReasonKeyCompromise))
	der, err := f.auth.OCSP(ctx, req, noLive)
	require.NoError(t, err)
	resp, err = ocsp.ParseResponseForCert(der, cert, f.res.Issuing)
	require.NoError(t, err)
	assert.Equal(t, ocsp.Revoked, resp.Status, "revoked at once, no refresh job ran")
	assert.Equal(t, ocsp.KeyCompromise, resp.RevocationReason)
	checkResponder(t, f, resp)
	again, err := f.auth.OCSP(ctx, req, noLive)
	require.NoError(t, err)
	assert.Equal(t, der, again, "the revoked answer is stored and served from then on")

	f.clock.Set(f.clock.Now().Add(3 * time.Hour)) // past half of 4 h
	valid := 0
	for _, c := range f.store.IssuedCertificates() {
		if c.NotAfter.After(f.clock.Now()) {
			valid++
		}
	}
	n, err := f.auth.RefreshOCSP(ctx, 1000)
	require.NoError(t, err)
	assert.Equal(t, valid, n, "the job signs every valid certificate's answer that is missing or past half its life")
	refreshed, _, _, err := f.store.OCSPResponse(ctx, cert.SerialNumber)
	require.NoError(t, err)
	assert.NotEqual(t, der, refreshed.DER)
	n, err = f.auth.RefreshOCSP(ctx, 1000)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to refresh")

	f.clock.Set(f.clock.Now().Add(5 * time.Hour)) // past its nextUpdate, no job ran
	der, err = f.auth.OCSP(ctx, req, noLive)
	require.NoError(t, err)
	resp, err = ocsp.ParseResponseForCert(der, cert, f.res.Issuing)
	require.NoError(t, err)
	assert.True(t, f.clock.Now().Before(resp.NextUpdate), "an expired answer is never served")
	checkResponder(t, f, resp)
}

// A nonce is echoed in responseExtensions by a response signed for the
// request, within the client's budget; over it, the stored answer (no
// nonce) is given; what has no stored answer is refused.
func TestOCSPNonceAndBudget(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	got, err := f.auth.Renew(ctx, f.request(t, "ru-owner", newKey(t, "p256"), "nonce"))
	require.NoError(t, err)
	cert := parse(t, got.DER)
	stored, _, _, err := f.store.OCSPResponse(ctx, cert.SerialNumber)
	require.NoError(t, err)
	yes := func() bool { return true }
	no := func() bool { return false }

	for _, tt := range []struct {
		name string
		hash crypto.Hash
	}{{"ok/sha1", crypto.SHA1}, {"ok/sha256", crypto.SHA256}} {
		t.Run(tt.name, func(t *testing.T) {
			req, nonce := withNonce(t, cert, f.res.Issuing, tt.hash, 16)
			der, err := f.auth.OCSP(ctx, req, yes)
			require.NoError(t, err)
			resp, err := ocsp.ParseResponseForCert(der, cert, f.res.Issuing)
			require.NoError(t, err)
			assert.Equal(t, ocsp.Good, resp.Status)
			assert.Equal(t, nonce, responseNonce(t, der), "the request's nonce, echoed")
			checkResponder(t, f, resp)
		})
	}
	t.Run("ok/over-budget-stored-without-nonce", func(t *testing.T) {
		req, _ := withNonce(t, cert, f.res.Issuing, crypto.SHA1, 16)
		der, err := f.auth.OCSP(ctx, req, no)
		require.NoError(t, err)
		assert.Equal(t, stored.DER, der)
		assert.Nil(t, responseNonce(t, der))
	})
	t.Run("ok/nonce-too-long-ignored", func(t *testing.T) {
		req, _ := withNonce(t, cert, f.res.Issuing, crypto.SHA1, 33)
		der, err := f.auth.OCSP(ctx, req, func() bool { t.Error("no fresh signature for an ignored nonce"); return false })
		require.NoError(t, err)
		assert.Equal(t, stored.DER, der, "RFC 8954: answered without the nonce")
	})
	t.Run("fail/over-budget-sha256", func(t *testing.T) {
		req, err := ocsp.CreateRequest(cert, f.res.Issuing, &ocsp.RequestOptions{Hash: crypto.SHA256})
		require.NoError(t, err)
		_, err = f.auth.OCSP(ctx, req, no)
		assert.ErrorIs(t, err, ca.ErrOCSPRateLimited)
	})
	never := *cert
	never.SerialNumber = big.NewInt(0x7e57)
	t.Run("fail/over-budget-unknown", func(t *testing.T) {
		req, err := ocsp.CreateRequest(&never, f.res.Issuing, nil)
		require.NoError(t, err)
		_, err = f.auth.OCSP(ctx, req, no)
		assert.ErrorIs(t, err, ca.ErrOCSPRateLimited)
		_, _, ok, err := f.store.OCSPResponse(ctx, never.SerialNumber)
		require.NoError(t, err)
		assert.False(t, ok, "nothing stored for a serial never issued")
	})
	t.Run("ok/unknown-within-budget", func(t *testing.T) {
		req, nonce := withNonce(t, &never, f.res.Issuing, crypto.SHA1, 32)
		der, err := f.auth.OCSP(ctx, req, yes)
		require.NoError(t, err)
		resp, err := ocsp.ParseResponseForCert(der, &never, f.res.Issuing)
		require.NoError(t, err)
		assert.Equal(t, ocsp.Unknown, resp.Status)
		assert.Equal(t, nonce, responseNonce(t, der))
	})
}

// The responder certificate is renewed before half its life is gone, so
// it always outlives the answers it signs.
func TestOCSPResponderRenewed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	sub := f.sub(t, "ru-owner")
	responder := func() *x509.Certificate {
		req, nonce := withNonce(t, sub.Cert, f.res.Issuing, crypto.SHA1, 16)
		der, err := f.auth.OCSP(ctx, req, nil)
		require.NoError(t, err)
		require.Equal(t, nonce, responseNonce(t, der))
		resp, err := ocsp.ParseResponseForCert(der, sub.Cert, f.res.Issuing)
		require.NoError(t, err)
		checkResponder(t, f, resp)
		return resp.Certificate
	}
	first := responder()
	assert.True(t, first.Equal(responder()), "one responder while it is young")
	f.clock.Set(f.clock.Now().Add(first.NotAfter.Sub(first.NotBefore)/2 + time.Minute))
	second := responder()
	assert.False(t, first.Equal(second), "a new responder past half the old one's life")
}

// Near the issuing CA's end the responder's certificate is cut short by
// it, and the answers by the responder's: still one responder for many
// requests, not one each (which would put every request on the issuing
// key again).
func TestOCSPResponderNearIssuerEnd(t *testing.T) {
	ctx := context.Background()
	signs := &countingSigner{}
	f := newFixture(t, signs.wrap)
	sub := f.sub(t, "ru-owner")
	f.clock.Set(f.res.Issuing.NotAfter.Add(-2 * time.Hour)) // less than an answer's 4 h
	before := signs.n.Load()
	for range 50 {
		req, _ := withNonce(t, sub.Cert, f.res.Issuing, crypto.SHA1, 16)
		der, err := f.auth.OCSP(ctx, req, nil)
		require.NoError(t, err)
		resp, err := ocsp.ParseResponseForCert(der, sub.Cert, f.res.Issuing)
		require.NoError(t, err)
		checkResponder(t, f, resp)
		assert.False(t, resp.Certificate.NotAfter.After(f.res.Issuing.NotAfter))
	}
	assert.Equal(t, int64(1), signs.n.Load()-before, "one responder certificate")
}
