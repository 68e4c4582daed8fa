package ca_test

import (
	"context"
	"crypto"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"
)

// pkijs installs PKI.js (pinned in testdata/pkijs, from the npm registry
// through npm's own cache) beside its check script in a directory of the
// test's, and returns a runner of the script. Like OpenSSL, node and npm
// must be there: the test fails, never skips, without them.
func pkijs(t *testing.T, dir string) func(leaf string, args ...string) (string, bool) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s must be installed (apt-get install -y nodejs npm)", tool)
	}
	js := filepath.Join(dir, "pkijs")
	require.NoError(t, os.Mkdir(js, 0o755))
	for _, f := range []string{"package.json", "package-lock.json", "check.mjs"} {
		b, err := os.ReadFile(filepath.Join("testdata", "pkijs", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(js, f), b, 0o644))
	}
	out, ok := run(t, js, "npm", "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	require.True(t, ok, "npm ci:\n%s", out)
	return func(leaf string, args ...string) (string, bool) {
		return run(t, js, "node", "nodejs", append([]string{"check.mjs", dir, leaf}, args...)...)
	}
}

// PKI.js's default chain validation accepts the chain with the root's and
// the issuing CA's CRLs, or with the root's CRL and the leaf's OCSP
// response (the delegated responder's signature and the echoed nonce
// checked too), and refuses a revoked leaf either way. Without the root's
// CRL it cannot vouch for the issuing CA and refuses the chain.
func TestPKIjsRevocation(t *testing.T) {
	in := newInterop(t)
	check := pkijs(t, in.dir)
	ctx := context.Background()
	var nonce []byte
	for name, c := range map[string]string{"good.ocsp": "good.der", "revoked.ocsp": "revoked.der"} {
		cert := in.good
		if c == "revoked.der" {
			cert = in.bad
		}
		req, value := withNonce(t, cert, in.res.Issuing, crypto.SHA1, 16)
		nonce = value
		der, err := in.auth.OCSP(ctx, req, nil)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(in.dir, name), der, 0o644))
	}
	nonceArg := "nonce:" + hex.EncodeToString(nonce) // the same 16 bytes in both requests

	out, ok := check("good.der", "crl:root.crl", "crl:issuing.crl")
	assert.True(t, ok, out)
	out, ok = check("revoked.der", "crl:root.crl", "crl:issuing.crl")
	assert.False(t, ok, out)
	assert.Contains(t, out, "revoked")
	out, ok = check("good.der", "crl:issuing.crl")
	assert.False(t, ok, "the issuing CA needs the root's CRL:\n%s", out)
	assert.Contains(t, out, "No revocation values found")

	out, ok = check("good.der", "crl:root.crl", "ocsp:good.ocsp", nonceArg)
	assert.True(t, ok, out)
	out, ok = check("revoked.der", "crl:root.crl", "ocsp:revoked.ocsp", nonceArg)
	assert.False(t, ok, out)
	assert.Contains(t, out, "revoked")

	broken, err := os.ReadFile(filepath.Join(in.dir, "good.ocsp"))
	require.NoError(t, err)
	parsed, err := ocsp.ParseResponse(broken, nil)
	require.NoError(t, err)
	// Inside the signature, just before the responder's certificate.
	broken[len(broken)-len(parsed.Certificate.Raw)-20] ^= 0x01
	_, err = ocsp.ParseResponse(broken, in.res.Issuing)
	require.Error(t, err, "Go agrees the signature is broken")
	require.NoError(t, os.WriteFile(filepath.Join(in.dir, "broken.ocsp"), broken, 0o644))
	out, ok = check("good.der", "crl:root.crl", "ocsp:broken.ocsp")
	assert.False(t, ok, "a response whose signature is broken is refused:\n%s", out)
}
