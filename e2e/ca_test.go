package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/gostssl"
)

// demoSubscriber reads the suite server's demo manifest.
func demoSubscriber(t *testing.T, scenario string) (certFile string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(suite.DataDir, "demo", "subscribers.json"))
	require.NoError(t, err)
	var subs []struct{ Scenario, File string }
	require.NoError(t, json.Unmarshal(b, &subs))
	for _, s := range subs {
		if s.Scenario == scenario {
			return strings.TrimSuffix(s.File, ".p12") + ".pem"
		}
	}
	t.Fatalf("no demo subscriber %s", scenario)
	return ""
}

// openssl runs OpenSSL with its GOST engine loaded (the demo authority
// is GOST R 34.10-2012): paths absolute or relative to a fresh directory.
func openssl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := gostssl.New(t).Run(nil, args...)
	return string(out), err
}

func server(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "bin", "renewal-server"), args...)
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

// TestRevocationEndpoints asks the suite server's CRL and OCSP responder
// with OpenSSL about the demo subscribers: good, and revoked.
func TestRevocationEndpoints(t *testing.T) {
	demo := filepath.Join(suite.DataDir, "demo")
	crl := filepath.Join(t.TempDir(), "crl.der")
	_, body := get(t, suite.URL+"/ca/crl")
	require.NoError(t, os.WriteFile(crl, body, 0o644))
	out, err := openssl(t, "crl", "-inform", "DER", "-in", crl, "-noout", "-text", "-CAfile", filepath.Join(demo, "issuing.pem"))
	require.NoError(t, err, out)
	assert.Contains(t, out, "Key Compromise", "the demo's revoked certificate is listed")

	for scenario, want := range map[string]string{"ru-owner": ": good", "by-revoked": ": revoked"} {
		cert := demoSubscriber(t, scenario)
		out, err := openssl(t, "ocsp", "-issuer", filepath.Join(demo, "issuing.pem"), "-cert", cert,
			"-url", suite.URL+"/ca/ocsp", "-CAfile", filepath.Join(demo, "root.pem"))
		require.NoError(t, err, out)
		assert.Contains(t, out, "Response verify OK", scenario)
		assert.Contains(t, out, want, scenario)

		out, err = openssl(t, "verify", "-CAfile", filepath.Join(demo, "root.pem"), "-untrusted", filepath.Join(demo, "issuing.pem"), cert)
		assert.NoError(t, err, out)
	}
}

// TestLintCommand: `ca lint` passes a certificate of the authority and
// flags one with a wrong СНИЛС check digit, with exit status 1.
func TestLintCommand(t *testing.T) {
	out, code := server(t, "ca", "lint", "--profile", "ru-owner", demoSubscriber(t, "ru-owner"))
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "no findings")

	bad := filepath.Join(t.TempDir(), "bad-snils.pem")
	require.NoError(t, os.WriteFile(bad, certWithSNILS(t, "11223344596"), 0o644)) // the right check digits are 95
	out, code = server(t, "ca", "lint", bad)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, strings.ToLower(out), "snils")
}

// certWithSNILS makes a self-signed certificate whose subject carries the
// СНИЛС attribute (1.2.643.100.3, NumericString) with the given value.
func certWithSNILS(t *testing.T, snils string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	name := pkix.Name{
		Country:    []string{"RU"},
		CommonName: "Тестов Тест Тестович",
		ExtraNames: []pkix.AttributeTypeAndValue{{
			Type:  asn1.ObjectIdentifier{1, 2, 643, 100, 3},
			Value: asn1.RawValue{Tag: asn1.TagNumericString, Bytes: []byte(snils)},
		}},
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1234567), Subject: name, Issuer: name,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestCAInit: without --dev the server refuses to start until `ca init`
// made an authority; then it serves that authority's CRL.
func TestCAInit(t *testing.T) {
	dir, err := newDataDir()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })

	_, err = startServerIn(dir, prodEnv, prodFlags...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ca init", "the refusal says what to do")

	out, code := server(t, "ca", "init", "--data-dir", dir, "--organisation", "Тестовый УЦ")
	require.Equal(t, 0, code, out)
	for _, f := range []string{"root.pem", "issuing.pem", "root.key", "issuing.key", "root.crl"} {
		assert.FileExists(t, filepath.Join(dir, "ca", f))
	}
	fi, err := os.Stat(filepath.Join(dir, "ca", "issuing.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the key file is private")
	out, code = server(t, "ca", "init", "--data-dir", dir)
	assert.Equal(t, 1, code, "a second init must not overwrite: %s", out)
	assert.Contains(t, out, "refusing")

	s, err := startServerIn(dir, prodEnv, prodFlags...)
	require.NoError(t, err)
	stopAtEnd(t, s)
	_, crl := get(t, s.URL+"/ca/crl")
	parsed, err := x509.ParseRevocationList(crl)
	require.NoError(t, err)
	issuing, err := os.ReadFile(filepath.Join(dir, "ca", "issuing.pem"))
	require.NoError(t, err)
	block, _ := pem.Decode(issuing)
	issuer, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.NoError(t, parsed.CheckSignatureFrom(issuer))
	_, root := get(t, s.URL+"/ca/root.crt")
	assert.True(t, bytes.HasPrefix(root, []byte{0x30}), "DER")
}

// TestCAOnToken: `ca init` generates the issuing key on a PKCS#11 token
// (SoftHSM2), and the server signs its CRL with it; no issuing key file.
func TestCAOnToken(t *testing.T) {
	const module = "/usr/lib/softhsm/libsofthsm2.so"
	require.FileExists(t, module, "apt-get install softhsm2 (make test does)")
	dir, err := newDataDir()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	tokens := filepath.Join(dir, "tokens")
	require.NoError(t, os.MkdirAll(tokens, 0o700))
	conf := filepath.Join(dir, "softhsm2.conf")
	require.NoError(t, os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\n"), 0o600))
	env := []string{"SOFTHSM2_CONF=" + conf, "CA_PKCS11_PIN=4321"}
	init := exec.Command("softhsm2-util", "--init-token", "--free", "--label", "issuing", "--pin", "4321", "--so-pin", "87654321")
	init.Env = append(os.Environ(), env...)
	out, err := init.CombinedOutput()
	require.NoError(t, err, string(out))

	flags := []string{"--ca-pkcs11-module", module, "--ca-pkcs11-token", "issuing"}
	cmd := exec.Command(filepath.Join(root, "bin", "renewal-server"), append([]string{"ca", "init", "--data-dir", dir}, flags...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), `on token "issuing"`)
	assert.NoFileExists(t, filepath.Join(dir, "ca", "issuing.key"), "the issuing key stays on the token")

	s, err := startServerIn(dir, append(env, prodEnv...), append(flags, prodFlags...)...)
	require.NoError(t, err)
	stopAtEnd(t, s)
	_, crl := get(t, s.URL+"/ca/crl")
	parsed, err := x509.ParseRevocationList(crl)
	require.NoError(t, err)
	issuing, err := os.ReadFile(filepath.Join(dir, "ca", "issuing.pem"))
	require.NoError(t, err)
	block, _ := pem.Decode(issuing)
	issuer, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.NoError(t, parsed.CheckSignatureFrom(issuer), "the CRL is signed by the key on the token")
}

// prodEnv and prodFlags stand in for what a production server must name:
// the mail relay and SMS gateway (the tests that use them send no
// message), its public URL and its register.
var prodFlags = []string{"--smtp-host", "127.0.0.1", "--smtp-port", "9", "--smtp-from", "noreply@ca.example.ru", "--sms-url", "http://127.0.0.1:9/sms",
	"--public-url", "https://ca.example.ru", "--registry-file", filepath.Join("testdata", "registry.yaml"),
	"--profiles", filepath.Join("testdata", "profiles.yaml")}

// TestAuditVerifyCommand: once the running suite server's sequencer has
// signed a checkpoint, `audit verify` recomputes the log from its
// database (through its socket) and finds it intact.
func TestAuditVerifyCommand(t *testing.T) {
	resp, err := http.Post(suite.URL+"/api/v1/renewal", "application/json",
		strings.NewReader(`{"service":"by-6.0.00","phone":"+375290000101","email":"kovaleva@example.by"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)
	require.Eventually(t, func() bool {
		resp, err := http.Get(suite.URL + "/api/v1/audit/checkpoint")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, 10*time.Second, 100*time.Millisecond, "the sequencer signs a checkpoint within seconds")
	out, code := server(t, "audit", "verify", "--dev", "--data-dir", suite.DataDir)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "audit log intact")
	assert.Contains(t, out, "go.sum database tree", "the latest checkpoint is printed")
}

var prodEnv = []string{"SMS_TOKEN=unused"}

// TestProductionRefusesDevDefaults: without --dev the binary will not
// serve with the listening address in its certificates or with the demo
// register, and says which setting is missing.
func TestProductionRefusesDevDefaults(t *testing.T) {
	without := func(flag string) []string {
		var out []string
		for i := 0; i < len(prodFlags); i += 2 {
			if prodFlags[i] != flag {
				out = append(out, prodFlags[i], prodFlags[i+1])
			}
		}
		return out
	}
	for _, flag := range []string{"--public-url", "--registry-file"} {
		dir, err := newDataDir()
		require.NoError(t, err)
		t.Cleanup(func() { os.RemoveAll(dir) })
		_, err = startServerIn(dir, prodEnv, without(flag)...)
		require.Error(t, err, "started without %s", flag)
		assert.Contains(t, err.Error(), flag)
	}

	// The embedded profiles' placeholders (the centre's tools in
	// issuerSignTool, example policy OIDs) are refused: each is named.
	dir, err := newDataDir()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	out, code := server(t, "ca", "init", "--data-dir", dir)
	require.Equal(t, 0, code, out)
	_, err = startServerIn(dir, prodEnv, without("--profiles")...)
	require.Error(t, err, "started with the placeholders")
	assert.Contains(t, err.Error(), "заглушки")
	assert.Contains(t, err.Error(), "ru-owner: ru_extensions.issuer_sign_tool[0]")
	assert.Contains(t, err.Error(), "by-individual: policies 2.999.112.1.1")
}
