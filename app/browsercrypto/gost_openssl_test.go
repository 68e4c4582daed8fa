//go:build !js

package browsercrypto

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openssl runs OpenSSL with Debian's GOST engine in dir. It is a small copy
// of renewal/ca/internal/gostssl, which Go's internal rule keeps from app/.
// Without openssl or the engine the tests fail, never skip.
type openssl struct {
	t   *testing.T
	dir string
}

func newOpenSSL(t *testing.T) *openssl {
	t.Helper()
	o := &openssl{t: t, dir: t.TempDir()}
	const cnf = "openssl_conf = openssl_def\n[openssl_def]\nengines = engine_section\n[engine_section]\ngost = gost_section\n[gost_section]\nengine_id = gost\ndefault_algorithms = ALL\n"
	o.write("gost.cnf", []byte(cnf))
	if out, err := o.run("dgst", "-md_gost12_256", "gost.cnf"); err != nil {
		t.Fatalf("openssl with the GOST engine is needed (apt-get install -y openssl libengine-gost-openssl): %v\n%s", err, out)
	}
	return o
}

func (o *openssl) run(args ...string) ([]byte, error) {
	cmd := exec.Command("openssl", args...)
	cmd.Dir = o.dir
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+filepath.Join(o.dir, "gost.cnf"))
	return cmd.CombinedOutput()
}

func (o *openssl) must(args ...string) string {
	o.t.Helper()
	out, err := o.run(args...)
	if err != nil {
		o.t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (o *openssl) write(name string, b []byte) {
	o.t.Helper()
	if err := os.WriteFile(filepath.Join(o.dir, name), b, 0o600); err != nil {
		o.t.Fatal(err)
	}
}

func (o *openssl) read(name string) []byte {
	o.t.Helper()
	b, err := os.ReadFile(filepath.Join(o.dir, name))
	if err != nil {
		o.t.Fatal(err)
	}
	return b
}

// OpenSSL's GOST engine verifies the browser's CSR and CMS and opens its
// PKCS#12 file, for both key sizes.
func TestGOSTWithOpenSSL(t *testing.T) {
	o := newOpenSSL(t)
	for _, alg := range gostAlgs {
		t.Run(string(alg), func(t *testing.T) {
			o.t = t
			k := newGOSTKey(t, alg)
			csr, err := CreateRequest(k, pkix.Name{CommonName: "Browser GOST"})
			if err != nil {
				t.Fatal(err)
			}
			o.write("req.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr}))
			if out := o.must("req", "-verify", "-in", "req.pem", "-noout"); !strings.Contains(out, "verify OK") || strings.Contains(out, "failure") {
				t.Errorf("openssl req -verify: %s", out)
			}
			bad := bytes.Clone(csr)
			bad[len(bad)-2] ^= 1
			o.write("bad.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: bad}))
			// openssl req -verify may exit 0 on a bad signature: read what it says.
			if out, err := o.run("req", "-verify", "-in", "bad.pem", "-noout"); err == nil && !strings.Contains(string(out), "verify failure") {
				t.Errorf("openssl verified a damaged request: %s", out)
			}

			cert := selfSignedGOST(t, k)
			o.write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
			content := []byte("Заявление: подписано в браузере")
			p7, err := SignDetached(k, cert, nil, content, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			o.write("app.txt", content)
			o.write("app.p7s", p7)
			o.must("cms", "-verify", "-binary", "-inform", "DER", "-in", "app.p7s", "-content", "app.txt", "-noverify", "-out", "/dev/null")
			o.write("other.txt", append(content, '!'))
			if out, err := o.run("cms", "-verify", "-binary", "-inform", "DER", "-in", "app.p7s", "-content", "other.txt", "-noverify", "-out", "/dev/null"); err == nil {
				t.Errorf("openssl verified the CMS over other content: %s", out)
			}

			pfx, err := ExportGOSTPKCS12(k, cert, nil, "пароль файла")
			if err != nil {
				t.Fatal(err)
			}
			o.write("ours.p12", pfx)
			out := o.must("pkcs12", "-in", "ours.p12", "-passin", "pass:пароль файла", "-nodes")
			// The key OpenSSL read is ours: its public key is the certificate's.
			o.write("out.pem", []byte(out))
			pubOut := o.must("pkey", "-in", "out.pem", "-pubout")
			pubCert := o.must("x509", "-in", "cert.pem", "-noout", "-pubkey")
			if pubOut != pubCert {
				t.Errorf("OpenSSL read another key from our file:\n%s\nwant\n%s", pubOut, pubCert)
			}
			if _, err := o.run("pkcs12", "-in", "ours.p12", "-passin", "pass:wrong", "-nodes"); err == nil {
				t.Error("openssl opened our file with a wrong password")
			}
		})
	}
}

// A GOST .p12 made by OpenSSL (its own key, GOST PBE and MAC as the engine
// writes them, or AES) opens in the browser's decoder as a GOST Signer
// whose certificate matches.
func TestGOSTPKCS12FromOpenSSL(t *testing.T) {
	o := newOpenSSL(t)
	for _, tc := range []struct{ alg, param, md string }{
		{"gost2012_256", "A", "-md_gost12_256"},
		{"gost2012_512", "B", "-md_gost12_512"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			o.t = t
			o.must("genpkey", "-algorithm", tc.alg, "-pkeyopt", "paramset:"+tc.param, "-out", "own.key")
			o.must("req", "-new", "-x509", "-key", "own.key", "-subj", "/CN=own", tc.md, "-days", "1", "-out", "own.pem")
			o.must("pkcs12", "-export", "-inkey", "own.key", "-in", "own.pem", "-passout", "pass:секрет", "-out", "own.p12")
			es, err := decodePKCS12(o.read("own.p12"), "секрет")
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 1 {
				t.Fatalf("%d entries", len(es))
			}
			g, ok := es[0].key.(*GOSTKey)
			if !ok {
				t.Fatalf("key %T", es[0].key)
			}
			block, _ := pem.Decode(o.read("own.pem"))
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(es[0].cert.Raw, cert.Raw) {
				t.Error("another certificate")
			}
			// The opened key signs what OpenSSL's certificate verifies.
			sig, err := SignChallenge(g, []byte("challenge"))
			if err != nil {
				t.Fatal(err)
			}
			if err := verify(gostPublicOf(cert), []byte("challenge"), sig); err != nil {
				t.Error(err)
			}
			if _, err := decodePKCS12(o.read("own.p12"), "не тот"); err != ErrWrongPassword {
				t.Errorf("wrong password: %v", err)
			}
		})
	}
}
