package ca_test

import (
	"context"
	"fmt"
	"testing"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
)

// benchRenewGOST is benchRenew with a GOST 256 (paramSetA) CSR.
func benchRenewGOST(b *testing.B, f *fixture, auth *ca.Authority, key *gost3410.Curve) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		req := f.gostRequest(b, "ru-owner", gostKey(b, key), fmt.Sprintf("bench-%d", i))
		b.StartTimer()
		if _, err := auth.Renew(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIssuanceGOST: the issuance cost with a GOST subject key (the
// demo ECDSA CA of the authority's tests) and with a GOST issuing CA, beside
// BenchmarkIssuance's ECDSA figures. The subject keys: CryptoPro A, what
// the wizard makes and the demo (a GOST 256 CA on CryptoPro A) issues for;
// and 256 paramSetA, a cofactor-4 set whose key validation costs a
// scalar multiplication more.
func BenchmarkIssuanceGOST(b *testing.B) {
	b.Run("gost256-csr-ecdsa-ca", func(b *testing.B) {
		f := newFixture(b, gostProfiles("gost2012-256"))
		benchRenewGOST(b, f, f.auth, gost3410.CryptoProA())
	})
	b.Run("gost256-csr-gost256-ca", func(b *testing.B) {
		g := newGOSTCA(b, gost3410.Curve256B())
		benchRenewGOST(b, g.f, g.auth, gost3410.CryptoProA())
	})
	b.Run("gost256A-csr-gost256-ca", func(b *testing.B) {
		g := newGOSTCA(b, gost3410.Curve256B())
		benchRenewGOST(b, g.f, g.auth, gost3410.Curve256A())
	})
	b.Run("gost256-csr-gost512-ca", func(b *testing.B) {
		g := newGOSTCA(b, gost3410.Curve512A())
		benchRenewGOST(b, g.f, g.auth, gost3410.CryptoProA())
	})
}
