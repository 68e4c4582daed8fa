package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRevocationAsRelyingPartiesCheck: what the binary publishes is what
// OpenSSL needs to check a whole chain (the root's CRL and the issuing
// CA's, both served), OCSP echoes a nonce, and a revocation made by
// `ca revoke` (another process, on the same database) shows in the
// running server's CRL and OCSP at their next answer.
func TestRevocationAsRelyingPartiesCheck(t *testing.T) {
	dir, err := newDataDir()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	s, err := startServerIn(dir, nil, "--dev")
	require.NoError(t, err)
	stopAtEnd(t, s)
	demo := filepath.Join(dir, "demo")
	work := t.TempDir()
	path := func(name string) string { return filepath.Join(work, name) }

	b, err := os.ReadFile(filepath.Join(demo, "subscribers.json"))
	require.NoError(t, err)
	var subs []struct{ Scenario, File, Serial string }
	require.NoError(t, json.Unmarshal(b, &subs))
	var certFile, serial string
	for _, sub := range subs {
		if sub.Scenario == "ru-owner" {
			certFile, serial = strings.TrimSuffix(sub.File, ".p12")+".pem", sub.Serial
		}
	}
	require.NotEmpty(t, certFile)

	fetchCRL := func(route, name string) {
		t.Helper()
		resp, body := get(t, s.URL+route)
		require.Equal(t, 200, resp.StatusCode, route)
		require.NoError(t, os.WriteFile(path(name+".der"), body, 0o644))
		out, err := openssl(t, "crl", "-inform", "DER", "-in", path(name+".der"), "-out", path(name+".pem"))
		require.NoError(t, err, out)
	}
	verify := func() (string, error) {
		return openssl(t, "verify", "-crl_check_all", "-CAfile", filepath.Join(demo, "root.pem"),
			"-untrusted", filepath.Join(demo, "issuing.pem"), "-CRLfile", path("root.pem"), "-CRLfile", path("issuing.pem"), certFile)
	}
	ocspAsk := func() string {
		out, err := openssl(t, "ocsp", "-issuer", filepath.Join(demo, "issuing.pem"), "-cert", certFile,
			"-url", s.URL+"/ca/ocsp", "-CAfile", filepath.Join(demo, "root.pem"), "-nonce")
		require.NoError(t, err, out)
		assert.Contains(t, out, "Response verify OK")
		assert.NotContains(t, out, "no nonce in response")
		return out
	}

	fetchCRL("/ca/root.crl", "root")
	fetchCRL("/ca/crl", "issuing")
	out, err := openssl(t, "crl", "-inform", "DER", "-in", path("root.der"), "-CAfile", filepath.Join(demo, "root.pem"), "-noout")
	require.NoError(t, err, out)
	assert.Contains(t, out, "verify OK")
	out, err = verify()
	require.NoError(t, err, out)
	assert.Contains(t, out, ": OK")
	assert.Contains(t, ocspAsk(), ": good")
	out, err = openssl(t, "x509", "-in", filepath.Join(demo, "issuing.pem"), "-noout", "-ext", "crlDistributionPoints,authorityInfoAccess")
	require.NoError(t, err, out)
	assert.Contains(t, out, s.URL+"/ca/root.crl")
	assert.Contains(t, out, s.URL+"/ca/root.crt")

	cmdOut, code := server(t, "ca", "revoke", "--data-dir", dir, "--dev", serial, "--reason", "keyCompromise")
	require.Equal(t, 0, code, cmdOut)

	fetchCRL("/ca/crl", "issuing")
	out, err = verify()
	assert.Error(t, err, out)
	assert.Contains(t, out, "certificate revoked", "the running server's CRL lists it at once")
	out = ocspAsk()
	assert.Contains(t, out, ": revoked", "OCSP says revoked at once")
	assert.Contains(t, out, "Reason: keyCompromise")
}
