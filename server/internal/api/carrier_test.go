package api

import (
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
			require.Equal(t, "gost2012-256", v.KeyAlgorithm, "a Russian qualified certificate is GOST")

			_, csr := h.newRequest()
			status, e := h.call("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr, Carrier: "token"}, nil)
			assert.Equal(t, 400, status)
			assert.Equal(t, "unknown_carrier", e.Code)
			h.must("GET", "/api/v1/renewal", nil, &v)
			assert.False(t, v.Request, "a refused carrier keeps nothing")

			h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr, Carrier: carrier}, nil)
			h.waitState("issued")
			var pemBytes []byte
			h.must("GET", "/api/v1/renewal/certificate.pem", nil, &pemBytes)
			// The key's real set: CryptoPro A is TC26 256 paramSetB.
			want, err := prof.RU().SubjectSignToolFor(carrier, "gost2012-256-B")
			require.NoError(t, err)
			assert.Equal(t, want, signTool(t, parsePEMCert(t, pemBytes)))
		})
	}
	b, _ := prof.RU().SubjectSignToolFor(wire.CarrierBrowser, "gost2012-256-B")
	fl, _ := prof.RU().SubjectSignToolFor(wire.CarrierFile, "gost2012-256-B")
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
