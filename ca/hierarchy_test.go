package ca_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"renewal/ca"
	"renewal/ca/internal/hsmtest"
	"renewal/ca/signer"
	"renewal/ca/x509sig"
)

func fileKey(t *testing.T, alg signer.Algorithm) ca.KeyFactory {
	path := filepath.Join(t.TempDir(), "key.pem")
	return func() (signer.Signer, error) { return signer.GenerateFile(path, alg) }
}

func TestInitHierarchy(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	base := func(t *testing.T) ca.HierarchyConfig {
		return ca.HierarchyConfig{
			RootSubject:    pkix.Name{CommonName: "Корневой УЦ", Country: []string{"RU"}},
			IssuingSubject: pkix.Name{CommonName: "Выпускающий УЦ", Country: []string{"RU"}},
			RootValidity:   15 * 365 * day, IssuingValidity: 7 * 365 * day,
			RootKey: fileKey(t, signer.ECDSAP384), IssuingKey: fileKey(t, signer.ECDSAP256),
			Now: now, RootCRLURL: "http://127.0.0.1:1/root.crl",
		}
	}
	t.Run("ok/file-keys", func(t *testing.T) {
		h, err := ca.InitHierarchy(base(t))
		require.NoError(t, err)
		require.NoError(t, h.Root.CheckSignatureFrom(h.Root))
		require.NoError(t, h.Issuing.CheckSignatureFrom(h.Root))
		assert.True(t, h.Issuing.IsCA)
		assert.True(t, h.Issuing.MaxPathLenZero)
		assert.Equal(t, x509.KeyUsageCertSign|x509.KeyUsageCRLSign|x509.KeyUsageDigitalSignature, h.Issuing.KeyUsage)
		assert.Equal(t, h.Root.SubjectKeyId, h.Issuing.AuthorityKeyId)
		assert.Equal(t, now, h.Issuing.NotBefore)
		assert.Equal(t, []string{"http://127.0.0.1:1/root.crl"}, h.Issuing.CRLDistributionPoints)
		_, err = h.Issuing.Verify(x509.VerifyOptions{Roots: pool(h.Root), CurrentTime: now.Add(day)})
		require.NoError(t, err)
	})
	for name, mutate := range map[string]func(*ca.HierarchyConfig){
		"fail/issuing-outlives-root": func(c *ca.HierarchyConfig) { c.IssuingValidity = c.RootValidity + day },
		"fail/no-root-cn":            func(c *ca.HierarchyConfig) { c.RootSubject.CommonName = "" },
		"fail/zero-validity":         func(c *ca.HierarchyConfig) { c.RootValidity = 0 },
		"fail/no-key-factory":        func(c *ca.HierarchyConfig) { c.IssuingKey = nil },
	} {
		t.Run(name, func(t *testing.T) {
			c := base(t)
			mutate(&c)
			_, err := ca.InitHierarchy(c)
			require.Error(t, err)
		})
	}
}

// TestPKCS11Authority: the issuing key lives on a SoftHSM2 token; the
// authority renews a demo certificate, signs a CRL and an OCSP response with
// it, and everything verifies (OpenSSL included).
func TestPKCS11Authority(t *testing.T) {
	f := newFixture(t) // demo certificates are the current ones
	cfg := hsmtest.Config(t)
	hsmKey, err := signer.GeneratePKCS11(cfg, signer.ECDSAP256)
	require.NoError(t, err)
	t.Cleanup(func() { hsmKey.Close() })

	h, err := ca.InitHierarchy(ca.HierarchyConfig{
		RootSubject:    pkix.Name{CommonName: "HSM корневой УЦ"},
		IssuingSubject: pkix.Name{CommonName: "HSM выпускающий УЦ"},
		RootValidity:   10 * 365 * day, IssuingValidity: 5 * 365 * day,
		Now:        f.clock.Now().Add(-day),
		RootKey:    fileKey(t, signer.ECDSAP256),
		IssuingKey: func() (signer.Signer, error) { return hsmKey, nil },
	})
	require.NoError(t, err)
	auth, err := ca.New(ca.Config{
		Issuer: h.Issuing, Roots: []*x509.Certificate{h.Root}, Signer: hsmKey, Profiles: f.profiles, Store: f.store,
		Now: f.clock.Now, OCSPURL: testOCSPURL, CRLURL: testCRLURL,
	})
	require.NoError(t, err)

	// The current certificate is the HSM authority's own: its
	// revocation is in the Store (another issuer's is asked of that issuer).
	tmpl := *f.sub(t, "ru-owner").Cert
	curPub, err := x509sig.PublicKeyOf(&tmpl) // GOST: crypto/x509 leaves it nil
	require.NoError(t, err)
	curDER, err := ca.CreateCertificate(&tmpl, h.Issuing, curPub, hsmKey)
	require.NoError(t, err)
	renewal := f.request(t, "ru-owner", newKey(t, "p256"), "hsm")
	renewal.Current, renewal.CurrentChain = parse(t, curDER), nil

	ctx := context.Background()
	got, err := auth.Renew(ctx, renewal)
	require.NoError(t, err)
	cert := parse(t, got.DER)
	require.NoError(t, cert.CheckSignatureFrom(h.Issuing))
	_, err = cert.Verify(x509.VerifyOptions{Roots: pool(h.Root), Intermediates: pool(h.Issuing), CurrentTime: f.clock.Now(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	require.NoError(t, err)

	dir := t.TempDir()
	writePEM(t, dir, "root.pem", h.Root)
	writePEM(t, dir, "issuing.pem", h.Issuing)
	writePEM(t, dir, "leaf.pem", cert)
	assert.Contains(t, openssl(t, dir, "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "leaf.pem"), "leaf.pem: OK")

	require.NoError(t, auth.Revoke(ctx, got.Serial, ca.ReasonSuperseded))
	crlDER, err := auth.CRL(ctx)
	require.NoError(t, err)
	crl, err := x509.ParseRevocationList(crlDER)
	require.NoError(t, err)
	require.NoError(t, crl.CheckSignatureFrom(h.Issuing))

	req, err := ocsp.CreateRequest(cert, h.Issuing, nil)
	require.NoError(t, err)
	respDER, err := auth.OCSP(ctx, req, nil)
	require.NoError(t, err)
	resp, err := ocsp.ParseResponseForCert(respDER, cert, h.Issuing)
	require.NoError(t, err)
	assert.Equal(t, ocsp.Revoked, resp.Status)
}
