package x509sig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"testing"

	"renewal/ca/crypto/gost3410"
)

// The cost of issuing and of verifying a two-certificate chain, GOST
// against ECDSA P-256 through the same functions.
func BenchmarkIssueVerify(b *testing.B) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tc := range []struct {
		name string
		key  crypto.Signer
	}{
		{"gost256", gostKey(b, gost3410.Curve256A())},
		{"gost512", gostKey(b, gost3410.Curve512A())},
		{"ecdsaP256", ec},
	} {
		root := issue(b, caTemplate("Bench root", 0), nil, tc.key.Public(), tc.key)
		leaf := issue(b, leafTemplate("Bench leaf"), root, tc.key.Public(), tc.key)
		b.Run("CreateCertificate/"+tc.name, func(b *testing.B) {
			tmpl := leafTemplate("Bench leaf")
			for b.Loop() {
				if _, err := CreateCertificate(nil, tmpl, root, tc.key.Public(), tc.key); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("VerifyChain/"+tc.name, func(b *testing.B) {
			opts := ChainOptions{Roots: []*x509.Certificate{root}, At: now}
			for b.Loop() {
				if _, err := VerifyChain(leaf, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
