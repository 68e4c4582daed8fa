//go:build !js

package browsercrypto

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"renewal/ca/gostssl"
)

// openssl is ca/gostssl's runner (it fails, never skips, without openssl
// or its GOST engine), in the shape these tests call it.
type openssl struct{ *gostssl.Runner }

func newOpenSSL(t *testing.T) *openssl { t.Helper(); return &openssl{gostssl.New(t)} }

func (o *openssl) run(args ...string) ([]byte, error) { return o.Run(nil, args...) }

func (o *openssl) must(args ...string) string { return string(o.MustRun(nil, args...)) }

func (o *openssl) write(name string, b []byte) { o.Write(name, b) }

func (o *openssl) read(name string) []byte { return o.Read(name) }

// OpenSSL's GOST engine verifies the browser's CSR and CMS and opens its
// PKCS#12 file, for both key sizes.
func TestGOSTWithOpenSSL(t *testing.T) {
	o := newOpenSSL(t)
	for _, alg := range gostAlgs {
		t.Run(string(alg), func(t *testing.T) {
			o := &openssl{o.With(t)}
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
			o := &openssl{o.With(t)}
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
