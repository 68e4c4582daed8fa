package api

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"renewal/app/wire"
	"renewal/ca"
	"renewal/ca/x509sig"
	"renewal/server/internal/authority"
	"renewal/server/internal/config"
)

// pkiGet sends a request from client ip to app and reads the body.
func pkiDo(t *testing.T, app *fiber.App, method, path, ip string, body []byte, header ...string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("X-Forwarded-For", ip)
	if body != nil {
		req.Header.Set("Content-Type", "application/ocsp-request")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := app.Test(req, -1)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

// demoCurrent is a current demo certificate, as recorded in the store.
func demoCurrent(t *testing.T, f *flow) *x509.Certificate {
	t.Helper()
	for _, s := range f.demo.Subscribers {
		if s.State != "current" {
			continue
		}
		serial, ok := new(big.Int).SetString(s.Serial, 16)
		require.True(t, ok)
		c, err := f.st.CertificateGet(context.Background(), serial)
		require.NoError(t, err)
		cert, err := x509.ParseCertificate(c.DER)
		require.NoError(t, err)
		return cert
	}
	t.Fatal("no current demo certificate")
	return nil
}

func crlLists(t *testing.T, der []byte, issuer *x509.Certificate, serial *big.Int) bool {
	t.Helper()
	crl, err := x509.ParseRevocationList(der)
	require.NoError(t, err)
	require.NoError(t, x509sig.CheckRevocationListSignature(crl, issuer)) // GOST: crypto/x509 cannot
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(serial) == 0 {
			return true
		}
	}
	return false
}

// ocspFor verifies an OCSP response's signature with x509sig (the demo
// authority is GOST, which x/crypto/ocsp cannot verify), then reads its
// statuses with x/crypto/ocsp from a copy without the certificates (it
// would verify the responder's with crypto/x509); Certificate is the
// responder certificate the response carries.
func ocspFor(t *testing.T, der []byte, cert, issuer *x509.Certificate) (*ocsp.Response, error) {
	t.Helper()
	v, err := x509sig.VerifyOCSPResponse(der, issuer, time.Now())
	if err != nil {
		return nil, err
	}
	bare, err := x509sig.OCSPWithoutCertificates(der)
	if err != nil {
		return nil, err
	}
	r, err := ocsp.ParseResponseForCert(bare, cert, nil)
	if err == nil && len(v.Certs) > 0 {
		r.Certificate = v.Certs[0]
	}
	return r, err
}

// A revocation shows in the CRL and in OCSP (POST and GET) at the very
// next request, on the real database, with no refresh job run.
func TestPKIRevocationShowsAtOnce(t *testing.T) {
	f := newFlow(t)
	cert := demoCurrent(t, f)
	issuer := f.auth.Issuer()
	req, err := ocsp.CreateRequest(cert, issuer, nil)
	require.NoError(t, err)
	ocspStatus := func() []int {
		var got []int
		resp, body := pkiDo(t, f.app, "POST", "/ca/ocsp", "198.51.100.1", req)
		require.Equal(t, 200, resp.StatusCode)
		r, err := ocspFor(t, body, cert, issuer)
		require.NoError(t, err)
		got = append(got, r.Status)
		resp, body = pkiDo(t, f.app, "GET", "/ca/ocsp/"+base64.StdEncoding.EncodeToString(req), "198.51.100.1", nil)
		require.Equal(t, 200, resp.StatusCode)
		r, err = ocspFor(t, body, cert, issuer)
		require.NoError(t, err)
		require.NotNil(t, r.Certificate, "the responder's certificate is included")
		assert.False(t, r.Certificate.Equal(issuer), "a delegated responder, not the issuing key")
		return append(got, r.Status)
	}
	resp, before := pkiDo(t, f.app, "GET", "/ca/crl", "198.51.100.1", nil)
	require.Equal(t, 200, resp.StatusCode)
	etag := resp.Header.Get("ETag")
	assert.False(t, crlLists(t, before, issuer, cert.SerialNumber))
	assert.Equal(t, []int{ocsp.Good, ocsp.Good}, ocspStatus())

	require.NoError(t, f.auth.Revoke(context.Background(), cert.SerialNumber, ca.ReasonKeyCompromise))

	resp, after := pkiDo(t, f.app, "GET", "/ca/crl", "198.51.100.1", nil, "If-None-Match", etag)
	require.Equal(t, 200, resp.StatusCode, "the old ETag no longer matches")
	assert.NotEqual(t, etag, resp.Header.Get("ETag"))
	assert.True(t, crlLists(t, after, issuer, cert.SerialNumber), "the CRL lists it at once")
	assert.Equal(t, []int{ocsp.Revoked, ocsp.Revoked}, ocspStatus(), "OCSP says revoked at once")
	resp, again := pkiDo(t, f.app, "GET", "/ca/crl", "198.51.100.2", nil)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, after, again, "the stored CRL, the same bytes to everyone")

	// A second instance on the same database (its own responder key)
	// serves the same bytes: what is published is stored, not made.
	other, err := authority.Load(&config.Config{CADir: f.demo.Dir}, f.st.CA(), "http://127.0.0.1", nil, f.clock.Now)
	require.NoError(t, err)
	defer other.Close()
	crl, _, err := other.CurrentCRL(context.Background())
	require.NoError(t, err)
	assert.Equal(t, after, crl)
	_, stored := pkiDo(t, f.app, "POST", "/ca/ocsp", "198.51.100.2", req)
	answer, err := other.OCSP(context.Background(), req, func() bool { t.Error("no fresh signature"); return false })
	require.NoError(t, err)
	assert.Equal(t, stored, answer)
}

// The root's CRL is served with validators; the issuing CA names it.
func TestPKIRootCRL(t *testing.T) {
	f := newFlow(t)
	resp, der := pkiDo(t, f.app, "GET", "/ca/root.crl", "198.51.100.3", nil)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "application/pkix-crl", resp.Header.Get("Content-Type"))
	crl, err := x509.ParseRevocationList(der)
	require.NoError(t, err)
	require.NoError(t, x509sig.CheckRevocationListSignature(crl, f.auth.Root))
	assert.Empty(t, crl.RevokedCertificateEntries)
	resp, _ = pkiDo(t, f.app, "GET", "/ca/root.crl", "198.51.100.3", nil, "If-None-Match", resp.Header.Get("ETag"))
	assert.Equal(t, 304, resp.StatusCode)
	assert.Equal(t, []string{"http://127.0.0.1/ca/root.crl"}, f.auth.Issuer().CRLDistributionPoints)
	assert.Equal(t, []string{"http://127.0.0.1/ca/root.crt"}, f.auth.Issuer().IssuingCertificateURL)
}

// Per-client limits: over them, 429 with Retry-After and the message in
// both languages; another client is unaffected. A nonce over the budget
// of fresh signatures gets the stored answer without it.
func TestPKIRateLimits(t *testing.T) {
	f := newFlow(t)
	app := New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Services: f.st, Ready: f.st, Authority: f.auth, Root: f.auth.Root, RootCRL: f.auth.RootCRL,
		TrustedProxies: []string{"0.0.0.0"},
		PKILimits:      PKILimits{CRLRate: 0.01, CRLBurst: 2, OCSPRate: 0.01, OCSPBurst: 4, FreshRate: 0.01, FreshBurst: 1}})
	refused := func(resp *http.Response, body []byte) {
		t.Helper()
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err)
		assert.GreaterOrEqual(t, retry, 1)
		var e wire.Error
		require.NoError(t, json.Unmarshal(body, &e))
		assert.Equal(t, "pki_rate_limited", e.Code)
		assert.NotEmpty(t, e.MessageRU)
		assert.NotEmpty(t, e.MessageEN)
	}

	t.Run("crl", func(t *testing.T) {
		ip := "203.0.113.1"
		resp, _ := pkiDo(t, app, "GET", "/ca/crl", ip, nil)
		require.Equal(t, 200, resp.StatusCode)
		resp, _ = pkiDo(t, app, "HEAD", "/ca/root.crl", ip, nil)
		require.Equal(t, 200, resp.StatusCode)
		refused(pkiDo(t, app, "GET", "/ca/crl", ip, nil))
		refused(pkiDo(t, app, "GET", "/ca/root.crl", ip, nil))
		resp, _ = pkiDo(t, app, "GET", "/ca/crl", "203.0.113.2", nil)
		assert.Equal(t, 200, resp.StatusCode, "another client has its own budget")
	})

	cert := demoCurrent(t, f)
	issuer := f.auth.Issuer()
	t.Run("ocsp-fresh", func(t *testing.T) {
		ip := "203.0.113.3"
		req, err := ocsp.CreateRequest(cert, issuer, nil)
		require.NoError(t, err)
		var parsed struct {
			TBS struct {
				Version     int `asn1:"explicit,tag:0,default:0,optional"`
				RequestList []asn1.RawValue
				Extensions  []pkix.Extension `asn1:"explicit,tag:2,optional"`
			}
		}
		_, err = asn1.Unmarshal(req, &parsed)
		require.NoError(t, err)
		nonce, _ := asn1.Marshal(bytes.Repeat([]byte{7}, 16))
		parsed.TBS.Extensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}, Value: nonce}}
		withNonce, err := asn1.Marshal(parsed)
		require.NoError(t, err)

		resp, stored := pkiDo(t, app, "POST", "/ca/ocsp", ip, req)
		require.Equal(t, 200, resp.StatusCode)
		resp, fresh := pkiDo(t, app, "POST", "/ca/ocsp", ip, withNonce)
		require.Equal(t, 200, resp.StatusCode)
		assert.NotEqual(t, stored, fresh, "signed for the nonce")
		assert.True(t, bytes.Contains(fresh, nonce), "the nonce is echoed")
		resp, again := pkiDo(t, app, "POST", "/ca/ocsp", ip, withNonce)
		require.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, stored, again, "over the budget of fresh signatures: the stored answer, without the nonce")
		r, err := ocspFor(t, again, cert, issuer)
		require.NoError(t, err)
		assert.Equal(t, ocsp.Good, r.Status)
		sha256Req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA256})
		require.NoError(t, err)
		refused(pkiDo(t, app, "POST", "/ca/ocsp", ip, sha256Req))
		refused(pkiDo(t, app, "GET", "/ca/ocsp/"+base64.StdEncoding.EncodeToString(req), ip, nil))
		resp, _ = pkiDo(t, app, "POST", "/ca/ocsp", "203.0.113.4", sha256Req)
		assert.Equal(t, 200, resp.StatusCode, "another client has its own budget")
	})
}
