package ca_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/profile"
)

// These tests talk to the real OpenSSL. They fail (never skip) when it is
// missing: the interop is part of what the authority promises.

func openssl(t *testing.T, dir string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	require.NoError(t, err, "openssl must be installed (apt-get install -y openssl)")
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "openssl %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

func writePEM(t *testing.T, dir, name string, certs ...*x509.Certificate) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, ca.EncodePEM(certs...), 0o644))
	return path
}

func parse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

func TestOpenSSLVerify(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	writePEM(t, dir, "root.pem", f.res.Root)
	writePEM(t, dir, "issuing.pem", f.res.Issuing)
	for _, tt := range []struct{ name, scenario, key string }{
		{"ok/ru-owner-ecdsa-p256", "ru-owner", "p256"},
		{"ok/ru-employee-rsa-2048", "ru-employee", "rsa2048"},
		{"ok/by-individual-ecdsa-p384", "by-individual", "p384"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.auth.Renew(context.Background(), f.request(t, tt.scenario, newKey(t, tt.key), tt.name))
			require.NoError(t, err)
			writePEM(t, dir, "leaf.pem", parse(t, got.DER))
			out := openssl(t, dir, "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "leaf.pem")
			assert.Contains(t, out, "leaf.pem: OK")
		})
	}
}

func TestOpenSSLOCSP(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dir := t.TempDir()
	writePEM(t, dir, "root.pem", f.res.Root)
	writePEM(t, dir, "issuing.pem", f.res.Issuing)

	good, err := f.auth.Renew(ctx, f.request(t, "ru-owner", newKey(t, "p256"), "good"))
	require.NoError(t, err)
	writePEM(t, dir, "good.pem", parse(t, good.DER))
	bad, err := f.auth.Renew(ctx, f.request(t, "by-employee", newKey(t, "p256"), "bad"))
	require.NoError(t, err)
	require.NoError(t, f.auth.Revoke(ctx, bad.Serial, ca.ReasonKeyCompromise))
	writePEM(t, dir, "revoked.pem", parse(t, bad.DER))

	srv := newPKIServer(t)
	srv.auth.Store(f.auth)
	// One certificate per request: x/crypto/ocsp answers only the first
	// entry of a multi-certificate request.
	out := openssl(t, dir, "ocsp", "-issuer", "issuing.pem", "-cert", "good.pem",
		"-url", srv.URL+"/ocsp", "-CAfile", "root.pem", "-no_nonce")
	assert.Contains(t, out, "Response verify OK")
	assert.Contains(t, out, "good.pem: good")

	out = openssl(t, dir, "ocsp", "-issuer", "issuing.pem", "-cert", "revoked.pem",
		"-url", srv.URL+"/ocsp", "-CAfile", "root.pem", "-no_nonce")
	assert.Contains(t, out, "Response verify OK")
	assert.Contains(t, out, "revoked.pem: revoked")
	assert.Contains(t, out, "Reason: keyCompromise")

	out = openssl(t, dir, "ocsp", "-issuer", "issuing.pem", "-serial", "0x7e57", "-url", srv.URL+"/ocsp", "-CAfile", "root.pem", "-no_nonce")
	assert.Contains(t, out, "0x7e57: unknown")
}

func TestOpenSSLCRL(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dir := t.TempDir()
	got, err := f.auth.Renew(ctx, f.request(t, "ru-owner", newKey(t, "p256"), "t"))
	require.NoError(t, err)
	require.NoError(t, f.auth.Revoke(ctx, got.Serial, ca.ReasonCessationOfOperation))
	der, err := f.auth.CRL(ctx)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "crl.der"), der, 0o644))
	writePEM(t, dir, "issuing.pem", f.res.Issuing)

	out := openssl(t, dir, "crl", "-in", "crl.der", "-inform", "DER", "-noout", "-text")
	assert.Contains(t, out, fmt.Sprintf("Serial Number: %X", got.Serial.Bytes()))
	assert.Contains(t, out, fmt.Sprintf("Serial Number: %X", f.res.RevokeSerial.Bytes()))
	assert.Contains(t, out, "Cessation Of Operation")
	assert.Contains(t, out, "X509v3 CRL Number")

	out = openssl(t, dir, "crl", "-in", "crl.der", "-inform", "DER", "-CAfile", "issuing.pem", "-noout")
	assert.Contains(t, out, "verify OK")
}

// opensslSubject renders a DER subject as an `openssl req -subj` argument
// with numeric OIDs; OpenSSL (with -utf8) then encodes most values as
// UTF8String, unlike the current certificate.
func opensslSubject(t *testing.T, raw []byte) string {
	attrs, err := profile.ParseName(raw)
	require.NoError(t, err)
	var b strings.Builder
	for _, a := range attrs {
		b.WriteString("/" + a.OID.String() + "=" + strings.ReplaceAll(a.Value, "/", `\/`))
	}
	return b.String()
}

func TestOpenSSLCSR(t *testing.T) {
	f := newFixture(t)
	cur := f.sub(t, "ru-owner").Cert
	newkey := func(spec ...string) []string {
		return append([]string{"req", "-new", "-nodes", "-keyout", "key.pem", "-outform", "DER", "-out", "csr.der"}, spec...)
	}
	tests := []struct {
		name  string
		setup [][]string // openssl commands run in order
		want  *ca.Error  // nil: issued
	}{
		{name: "ok/openssl-ec-p256-empty-subject", setup: [][]string{newkey("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-subj", "/")}},
		{name: "ok/openssl-ec-p256-same-subject-utf8", setup: [][]string{newkey("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-utf8", "-subj", opensslSubject(t, cur.RawSubject))}},
		{name: "ok/openssl-ec-p384", setup: [][]string{newkey("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-subj", "/")}},
		{name: "ok/openssl-rsa-2048", setup: [][]string{newkey("-newkey", "rsa:2048", "-subj", "/")}},
		{name: "fail/openssl-subject-changed", want: ca.ErrSubjectChanged, setup: [][]string{newkey("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-utf8", "-subj", "/CN=Другой Человек")}},
		{name: "fail/openssl-rsa-1024-weak", want: ca.ErrWeakKey, setup: [][]string{newkey("-newkey", "rsa:1024", "-subj", "/")}},
		{name: "fail/openssl-rsa-e3-weak", want: ca.ErrWeakKey, setup: [][]string{
			{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_keygen_pubexp:3", "-out", "key.pem"},
			{"req", "-new", "-key", "key.pem", "-subj", "/", "-outform", "DER", "-out", "csr.der"},
		}},
		{name: "fail/openssl-ec-p521-weak", want: ca.ErrWeakKey, setup: [][]string{newkey("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521", "-subj", "/")}},
		{name: "fail/openssl-ed25519-unsupported", want: ca.ErrUnsupportedAlgorithm, setup: [][]string{newkey("-newkey", "ed25519", "-subj", "/")}},
		{name: "fail/openssl-sha1-unsupported", want: ca.ErrUnsupportedAlgorithm, setup: [][]string{newkey("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha1", "-subj", "/")}},
	}
	dirRoot := t.TempDir()
	writePEM(t, dirRoot, "root.pem", f.res.Root)
	writePEM(t, dirRoot, "issuing.pem", f.res.Issuing)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, args := range tt.setup {
				openssl(t, dir, args...)
			}
			csrDER, err := os.ReadFile(filepath.Join(dir, "csr.der"))
			require.NoError(t, err)
			req := f.request(t, "ru-owner", newKey(t, "p256"), tt.name)
			req.CSR = csrDER
			if strings.Contains(tt.name, "same-subject") {
				parsed, err := x509.ParseCertificateRequest(csrDER)
				require.NoError(t, err)
				assert.NotEqual(t, cur.RawSubject, parsed.RawSubject, "OpenSSL encodes the strings differently")
			}
			before := len(f.store.IssuedCertificates())
			got, err := f.auth.Renew(context.Background(), req)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				assert.Len(t, f.store.IssuedCertificates(), before)
				return
			}
			require.NoError(t, err)
			cert := parse(t, got.DER)
			assert.Equal(t, cur.RawSubject, cert.RawSubject)
			// The issued certificate matches the OpenSSL key.
			keyPEM, err := os.ReadFile(filepath.Join(dir, "key.pem"))
			require.NoError(t, err)
			block, _ := pem.Decode(keyPEM)
			require.NotNil(t, block)
			priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			require.NoError(t, err)
			pub := priv.(crypto.Signer).Public().(interface{ Equal(crypto.PublicKey) bool })
			assert.True(t, pub.Equal(cert.PublicKey))
			writePEM(t, dirRoot, "leaf.pem", cert)
			assert.Contains(t, openssl(t, dirRoot, "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "leaf.pem"), "leaf.pem: OK")
		})
	}
}
