package ca_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/signer"
)

// Relying parties' own implementations judge what the authority
// publishes: OpenSSL, and NSS (Firefox's and Thunderbird's library) with
// its vfychain and crlutil. Both fail (never skip) when missing, like the
// other OpenSSL tests: the interop is part of what the authority promises.

// pkiServer serves the authority's CRL and OCSP over HTTP on 127.0.0.1,
// at the URLs it writes into the certificates it issues.
type pkiServer struct {
	*httptest.Server
	auth atomic.Pointer[ca.Authority]
	crls atomic.Int64 // GETs of the CRL
}

func newPKIServer(t *testing.T) *pkiServer {
	p := &pkiServer{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := p.auth.Load()
		switch {
		case r.URL.Path == "/crl":
			p.crls.Add(1)
			der, _, err := a.CurrentCRL(r.Context())
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/pkix-crl")
			_, _ = w.Write(der)
		case r.URL.Path == "/ocsp" && r.Method == http.MethodPost:
			body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			resp, err := a.OCSP(r.Context(), body, nil)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/ocsp-response")
			_, _ = w.Write(resp)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(p.Close)
	return p
}

// interop is a fixture whose new certificates point at a live pkiServer,
// with the files relying parties get in dir.
type interop struct {
	*fixture
	srv  *pkiServer
	dir  string
	good *x509.Certificate
	bad  *x509.Certificate
}

func newInterop(t *testing.T) *interop {
	srv := newPKIServer(t)
	f := newFixture(t, func(cfg *ca.Config) {
		cfg.OCSPURL, cfg.CRLURL = srv.URL+"/ocsp", srv.URL+"/crl"
	})
	srv.auth.Store(f.auth)
	ctx := context.Background()
	in := &interop{fixture: f, srv: srv, dir: t.TempDir()}
	good, err := f.auth.Renew(ctx, f.request(t, "ru-owner", newKey(t, "p256"), "interop-good"))
	require.NoError(t, err)
	bad, err := f.auth.Renew(ctx, f.request(t, "by-employee", newKey(t, "p256"), "interop-bad"))
	require.NoError(t, err)
	require.NoError(t, f.auth.Revoke(ctx, bad.Serial, ca.ReasonKeyCompromise))
	in.good, in.bad = parse(t, good.DER), parse(t, bad.DER)

	crl, _, err := f.auth.CurrentCRL(ctx)
	require.NoError(t, err)
	rootKey, err := signer.LoadFile(f.res.RootKeyFile)
	require.NoError(t, err)
	rootCRL, err := ca.SignRootCRL(f.res.Root, rootKey, nil, f.clock.Now(), ca.RootCRLValidity)
	require.NoError(t, err)
	for name, der := range map[string][]byte{
		"issuing.crl": crl, "root.crl": rootCRL,
		"root.der": f.res.Root.Raw, "issuing.der": f.res.Issuing.Raw, "good.der": in.good.Raw, "revoked.der": in.bad.Raw,
	} {
		require.NoError(t, os.WriteFile(filepath.Join(in.dir, name), der, 0o644))
	}
	for name, der := range map[string][]byte{"issuing.crl.pem": crl, "root.crl.pem": rootCRL} {
		require.NoError(t, os.WriteFile(filepath.Join(in.dir, name), pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o644))
	}
	writePEM(t, in.dir, "root.pem", f.res.Root)
	writePEM(t, in.dir, "issuing.pem", f.res.Issuing)
	writePEM(t, in.dir, "good.pem", in.good)
	writePEM(t, in.dir, "revoked.pem", in.bad)
	return in
}

// run runs a tool in dir and returns its output and whether it exited 0.
func run(t *testing.T, dir, tool, pkg string, args ...string) (string, bool) {
	t.Helper()
	bin, err := exec.LookPath(tool)
	require.NoError(t, err, "%s must be installed (apt-get install -y %s)", tool, pkg)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		require.NoError(t, err) // not started at all
	}
	return string(out), err == nil
}

// OpenSSL checks the whole chain against both CRLs, each CRL's
// signature, and OCSP with a nonce through the delegated responder.
func TestOpenSSLRevocation(t *testing.T) {
	in := newInterop(t)
	verify := func(leaf string, crls ...string) (string, bool) {
		args := []string{"verify", "-crl_check_all", "-CAfile", "root.pem", "-untrusted", "issuing.pem"}
		for _, c := range crls {
			args = append(args, "-CRLfile", c)
		}
		return run(t, in.dir, "openssl", "openssl", append(args, leaf)...)
	}
	out, ok := verify("good.pem", "root.crl.pem", "issuing.crl.pem")
	assert.True(t, ok, out)
	assert.Contains(t, out, "good.pem: OK")
	out, ok = verify("revoked.pem", "root.crl.pem", "issuing.crl.pem")
	assert.False(t, ok, out)
	assert.Contains(t, out, "certificate revoked")
	out, ok = verify("good.pem", "issuing.crl.pem")
	assert.False(t, ok, "without the root's CRL the chain check cannot pass:\n%s", out)
	assert.Contains(t, out, "unable to get certificate CRL")

	out = openssl(t, in.dir, "crl", "-in", "issuing.crl", "-inform", "DER", "-CAfile", "issuing.pem", "-noout")
	assert.Contains(t, out, "verify OK")
	out = openssl(t, in.dir, "crl", "-in", "root.crl", "-inform", "DER", "-CAfile", "root.pem", "-noout", "-text")
	assert.Contains(t, out, "verify OK")
	assert.Contains(t, out, "No Revoked Certificates")

	out = openssl(t, in.dir, "x509", "-in", "issuing.pem", "-noout", "-ext", "crlDistributionPoints,authorityInfoAccess")
	assert.Contains(t, out, testRootCRLURL)
	assert.Contains(t, out, "CA Issuers - URI:"+testRootURL)

	ocspCheck := func(leaf string) string {
		out := openssl(t, in.dir, "ocsp", "-issuer", "issuing.pem", "-cert", leaf, "-url", in.srv.URL+"/ocsp",
			"-CAfile", "root.pem", "-nonce", "-resp_text")
		assert.Contains(t, out, "Response verify OK")
		assert.NotContains(t, out, "WARNING: no nonce in response")
		assert.Contains(t, out, "OCSP Nonce")
		assert.NotContains(t, out, "Responder Id: C = RU, O = Демо УЦ, CN = Демонстрационный выпускающий УЦ")
		return out
	}
	assert.Contains(t, ocspCheck("good.pem"), "good.pem: good")
	out = ocspCheck("revoked.pem")
	assert.Contains(t, out, "revoked.pem: revoked")
	assert.Contains(t, out, "Reason: keyCompromise")
	// Without a nonce: the stored answer.
	out = openssl(t, in.dir, "ocsp", "-issuer", "issuing.pem", "-cert", "good.pem", "-url", in.srv.URL+"/ocsp",
		"-CAfile", "root.pem", "-no_nonce")
	assert.Contains(t, out, "Response verify OK")
	assert.Contains(t, out, "good.pem: good")
}

// NSS: vfychain (libpkix) checks the leaf by OCSP at the URL in the
// certificate, through the delegated responder; crlutil imports each CRL
// only if its signature verifies against its issuer in the database;
// vfychain then checks the leaf and the issuing CA by the CRLs alone, and
// fails without either of them.
func TestNSSRevocation(t *testing.T) {
	in := newInterop(t)
	nss := func(tool string, args ...string) (string, bool) {
		return run(t, in.dir, tool, "libnss3-tools", args...)
	}
	mustNSS := func(tool string, args ...string) string {
		out, ok := nss(tool, args...)
		require.True(t, ok, "%s %s:\n%s", tool, strings.Join(args, " "), out)
		return out
	}
	newDB := func(name string, crls ...string) string {
		require.NoError(t, os.Mkdir(filepath.Join(in.dir, name), 0o700))
		db := "sql:" + filepath.Join(in.dir, name)
		mustNSS("certutil", "-N", "-d", db, "--empty-password")
		mustNSS("certutil", "-A", "-d", db, "-n", "root", "-t", "C,C,C", "-i", "root.der")
		mustNSS("certutil", "-A", "-d", db, "-n", "issuing", "-t", ",,", "-i", "issuing.der")
		for _, c := range crls {
			mustNSS("crlutil", "-I", "-d", db, "-i", c, "-t", "1")
		}
		return db
	}
	// -u 4: e-mail signer (the profiles' emailProtection).
	verify := func(db, leaf string, revocation ...string) (string, bool) {
		return nss("vfychain", append(append([]string{"-d", db, "-pp", "-u", "4"}, revocation...), leaf)...)
	}

	t.Run("ocsp", func(t *testing.T) {
		db := newDB("ocsp") // no CRLs: OCSP alone decides
		leafOCSP := []string{"-g", "leaf", "-h", "requireFreshInfo", "-m", "ocsp", "-s", "failIfNoInfo"}
		out, ok := verify(db, "good.der", leafOCSP...)
		assert.True(t, ok, out)
		assert.Contains(t, out, "Chain is good!")
		out, ok = verify(db, "revoked.der", leafOCSP...)
		assert.False(t, ok, out)
		assert.Contains(t, out, "-8180", "SEC_ERROR_REVOKED_CERTIFICATE")
	})

	t.Run("crl", func(t *testing.T) {
		db := newDB("crl", "root.crl", "issuing.crl")
		out := mustNSS("crlutil", "-L", "-d", db)
		assert.Contains(t, out, "root")
		assert.Contains(t, out, "issuing")
		broken, err := os.ReadFile(filepath.Join(in.dir, "issuing.crl"))
		require.NoError(t, err)
		broken[len(broken)-3] ^= 0xff
		require.NoError(t, os.WriteFile(filepath.Join(in.dir, "broken.crl"), broken, 0o644))
		out, ok := nss("crlutil", "-I", "-d", db, "-i", "broken.crl", "-t", "1")
		assert.False(t, ok, "NSS refuses a CRL whose signature does not verify:\n%s", out)

		// The leaf must have fresh information; the issuing CA needs the
		// root's CRL, fresh.
		byCRL := []string{"-g", "leaf", "-h", "testLocalInfoFirst", "-m", "crl", "-s", "failIfNoInfo",
			"-g", "chain", "-h", "testLocalInfoFirst,requireFreshInfo", "-m", "crl", "-s", "requireInfo"}
		out, ok = verify(db, "good.der", byCRL...)
		assert.True(t, ok, out)
		assert.Contains(t, out, "Chain is good!")
		out, ok = verify(db, "revoked.der", byCRL...)
		assert.False(t, ok, out)
		assert.Contains(t, out, "-8180", "SEC_ERROR_REVOKED_CERTIFICATE")

		out, ok = verify(newDB("issuing-only", "issuing.crl"), "good.der", byCRL...)
		assert.False(t, ok, "without the root's CRL the chain check fails:\n%s", out)
		rootOnly := newDB("root-only", "root.crl")
		fetched := in.srv.crls.Load()
		out, ok = verify(rootOnly, "good.der", byCRL...)
		assert.True(t, ok, "the issuing CA's CRL fetched from the leaf's distribution point:\n%s", out)
		assert.Greater(t, in.srv.crls.Load(), fetched, "NSS fetched the CRL from the server")
		byCRL[6] = "failIfNoInfo,forbidFetching"
		out, ok = verify(rootOnly, "good.der", byCRL...)
		assert.False(t, ok, "without the issuing CA's CRL, and not allowed to fetch it, the leaf check fails:\n%s", out)
	})
}
