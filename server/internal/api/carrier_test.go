package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca/profile"
	"renewal/server/internal/payments"
)

// TestIssuedSignToolFollowsCarrier: the wizard says where the new key
// lives; the certificate's subjectSignTool (1.2.643.100.111) is the
// profile's text for that carrier with the key's real algorithm, and a
// carrier the service does not know is refused with nothing kept. The
// view tells the wizard which key to make.
func TestIssuedSignToolFollowsCarrier(t *testing.T) {
	assert.Equal(t, profile.Carriers, []string{wire.CarrierBrowser, wire.CarrierFile, wire.CarrierRequest}, "wire and profile name the same carriers")
	set, err := profile.Load("")
	require.NoError(t, err)
	prof, _ := set.Get("ru-owner")
	f := newFlow(t)
	for i, carrier := range []string{wire.CarrierBrowser, wire.CarrierFile} {
		t.Run("ok/"+carrier, func(t *testing.T) {
			h := f.toRussiaPayment(fmt.Sprintf("+7900000051%d", i), carrier+"-tool@example.ru")
			p, ref := h.pay()
			require.Equal(t, 200, f.notify(event("ev-tool-"+carrier, payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
			h.waitState("key_pending")

			var v wire.Renewal
			h.must("GET", "/api/v1/renewal", nil, &v)
			assert.Equal(t, prof.KeyAlgorithms()[0], v.KeyAlgorithm, "the profile chooses the key")
			require.Equal(t, "ecdsa-p256", v.KeyAlgorithm)

			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			require.NoError(t, err)
			csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
			require.NoError(t, err)
			status, e := h.call("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr, Carrier: "token"}, nil)
			assert.Equal(t, 400, status)
			assert.Equal(t, "unknown_carrier", e.Code)
			h.must("GET", "/api/v1/renewal", nil, &v)
			assert.False(t, v.Request, "a refused carrier keeps nothing")

			h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr, Carrier: carrier}, nil)
			h.waitState("issued")
			var pemBytes []byte
			h.must("GET", "/api/v1/renewal/certificate.pem", nil, &pemBytes)
			want, err := prof.RU().SubjectSignToolFor(carrier, "ecdsa-p256")
			require.NoError(t, err)
			assert.Equal(t, want, signTool(t, parsePEMCert(t, pemBytes)))
		})
	}
	b, _ := prof.RU().SubjectSignToolFor(wire.CarrierBrowser, "ecdsa-p256")
	fl, _ := prof.RU().SubjectSignToolFor(wire.CarrierFile, "ecdsa-p256")
	assert.NotEqual(t, b, fl, "the two carriers have different texts")
	assert.False(t, slices.Contains(profile.Carriers, "token"))
}

func signTool(t *testing.T, c *x509.Certificate) string {
	t.Helper()
	for _, e := range c.Extensions {
		if e.Id.Equal(profile.OIDSubjectSignTool) {
			var s string
			_, err := asn1.UnmarshalWithParams(e.Value, &s, "utf8")
			require.NoError(t, err)
			return s
		}
	}
	t.Fatal("no subjectSignTool in the certificate")
	return ""
}
