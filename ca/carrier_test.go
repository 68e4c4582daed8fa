package ca_test

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/profile"
)

// subjectSignTool reads 1.2.643.100.111 from a certificate.
func subjectSignTool(t *testing.T, c *x509.Certificate) string {
	t.Helper()
	for _, e := range c.Extensions {
		if e.Id.Equal(profile.OIDSubjectSignTool) {
			var s string
			_, err := asn1.UnmarshalWithParams(e.Value, &s, "utf8")
			require.NoError(t, err)
			return s
		}
	}
	t.Fatal("no subjectSignTool")
	return ""
}

// The signature tool written into a Russian certificate follows the new
// key's carrier and its real algorithm, from the profile's configuration.
func TestRenewSignToolByCarrier(t *testing.T) {
	tests := []struct {
		name, carrier, key, want string
	}{
		{"ok/browser", profile.CarrierBrowser, "p256", "Средство электронной подписи: приложение удостоверяющего центра в браузере, ключ ECDSA P-256 хранится в браузере"},
		{"ok/file-gost", profile.CarrierFile, "gost256", "Средство электронной подписи: приложение удостоверяющего центра в браузере, ключ GOST R 34.10-2012 256 (paramSetB) в файле PKCS#12 под паролем"},
		{"ok/request-rsa", profile.CarrierRequest, "rsa2048", "Средство электронной подписи владельца (ключ RSA-2048; запрос сформирован этим средством)"},
		{"ok/none-is-request", "", "p384", "Средство электронной подписи владельца (ключ ECDSA P-384; запрос сформирован этим средством)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			req := f.request(t, "ru-owner", newKey(t, tt.key), "tok-"+tt.name)
			req.Carrier = tt.carrier
			got, err := f.auth.Renew(context.Background(), req)
			require.NoError(t, err)
			cert, err := x509.ParseCertificate(got.DER)
			require.NoError(t, err)
			assert.Equal(t, tt.want, subjectSignTool(t, cert))
		})
	}
	t.Run("fail/unknown-carrier", func(t *testing.T) {
		f := newFixture(t)
		req := f.request(t, "ru-owner", newKey(t, "p256"), "tok-unknown")
		req.Carrier = "token"
		_, err := f.auth.Renew(context.Background(), req)
		assert.True(t, errors.Is(err, ca.ErrBadRequest), "%v", err)
	})
}

// A strong key the profile does not list is refused, in the dry run the
// server makes when the request arrives and at issuance.
func TestKeyNotAllowedByProfile(t *testing.T) {
	set, err := profile.LoadBytes([]byte("profiles:\n  ru-owner:\n    key_algorithms: [ecdsa-p256]\n"))
	require.NoError(t, err)
	f := newFixture(t, func(c *ca.Config) { c.Profiles = set })
	cur := f.sub(t, "ru-owner")
	for _, tt := range []struct {
		name, key string
		want      error
	}{
		{"ok/ecdsa-p256", "p256", nil},
		{"fail/ecdsa-p384", "p384", ca.ErrKeyNotAllowed},
		{"fail/rsa-2048", "rsa2048", ca.ErrKeyNotAllowed},
		{"fail/weak-before-profile", "rsa1024", ca.ErrWeakKey},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := f.auth.CheckRequest(context.Background(), cur.Profile, cur.Cert, csr(t, newKey(t, tt.key), nil))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			assert.True(t, errors.Is(err, tt.want), "%v, want %v", err, tt.want)
		})
	}
	_, err = f.auth.Renew(context.Background(), f.request(t, "ru-owner", newKey(t, "p384"), "tok-p384"))
	assert.True(t, errors.Is(err, ca.ErrKeyNotAllowed), "%v", err)
	p, _ := set.Get("ru-owner")
	assert.Equal(t, []string{"ecdsa-p256"}, p.KeyAlgorithms())
}
