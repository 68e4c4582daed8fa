package keyfile

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"renewal/ca/crypto/gost3410"
)

// benchEntry is a GOST key with a chain certificate, so that a file has
// its three derivations (key bag, certificate safe, MAC).
func benchEntry(b *testing.B) Entry {
	k, err := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	ca, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bench"},
		NotBefore: time.Unix(1e9, 0), NotAfter: time.Unix(2e9, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ca.Public(), ca)
	if err != nil {
		b.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		b.Fatal(err)
	}
	return Entry{Key: k, Chain: []*x509.Certificate{c}}
}

// The cost of one key file at DefaultIterations: three derivations (key
// bag, certificate safe, MAC) of DefaultIterations each. Run under
// WebAssembly for the browser's figure (docs/gost.md):
//
//	GOOS=js GOARCH=wasm go test -exec "$(go env GOROOT)/lib/wasm/go_js_wasm_exec" -run '^$' -bench . ./ca/keyfile
func BenchmarkEncodePKCS12(b *testing.B) {
	for _, tc := range []struct {
		name string
		pr   Profile
	}{{"aes", ProfileAES}, {"gost", ProfileGOST}} {
		b.Run(tc.name, func(b *testing.B) {
			e := benchEntry(b)
			for b.Loop() {
				if _, err := EncodePKCS12([]Entry{e}, "password", &Options{Profile: tc.pr}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodePKCS12(b *testing.B) {
	for _, tc := range []struct {
		name string
		pr   Profile
	}{{"aes", ProfileAES}, {"gost", ProfileGOST}} {
		b.Run(tc.name, func(b *testing.B) {
			f, err := EncodePKCS12([]Entry{benchEntry(b)}, "password", &Options{Profile: tc.pr})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := DecodePKCS12(f, "password"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
