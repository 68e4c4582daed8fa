package ca_test

import (
	"context"
	"fmt"
	"testing"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
)

// benchRenewGOST is benchRenew with a GOST 256 (paramSetA) CSR.
func benchRenewGOST(b *testing.B, f *fixture, auth *ca.Authority) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		req := f.gostRequest(b, "ru-owner", gostKey(b, gost3410.Curve256A()), fmt.Sprintf("bench-%d", i))
		b.StartTimer()
		if _, err := auth.Renew(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIssuanceGOST: the issuance cost with a GOST subject key (the
// demo ECDSA CA) and with a GOST issuing CA, beside BenchmarkIssuance's
// ECDSA figures.
func BenchmarkIssuanceGOST(b *testing.B) {
	b.Run("gost256-csr-ecdsa-ca", func(b *testing.B) {
		f := newFixture(b, gostProfiles("gost2012-256"))
		benchRenewGOST(b, f, f.auth)
	})
	b.Run("gost256-csr-gost256-ca", func(b *testing.B) {
		g := newGOSTCA(b, gost3410.Curve256B())
		benchRenewGOST(b, g.f, g.auth)
	})
	b.Run("gost256-csr-gost512-ca", func(b *testing.B) {
		g := newGOSTCA(b, gost3410.Curve512A())
		benchRenewGOST(b, g.f, g.auth)
	})
}
