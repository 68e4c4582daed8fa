package ca_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"renewal/ca"
	"renewal/ca/internal/hsmtest"
	"renewal/ca/lint"
	"renewal/ca/signer"
)

// Run: go test ./ca -run '^$' -bench . -benchtime 2s
//
// BenchmarkIssuance is one renewal end to end (current-certificate checks,
// CSR checks, template, lint, record intent, sign, verify, record issued)
// with the issuing key in a file and on SoftHSM2. BenchmarkFloor is the bare
// x509.CreateCertificate of the same template with the same file key.
// BenchmarkStage splits an issuance into its costly parts.

func benchRenew(b *testing.B, f *fixture, auth *ca.Authority) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		req := f.request(b, "ru-owner", newKey(b, "p256"), fmt.Sprintf("bench-%d", i))
		b.StartTimer()
		if _, err := auth.Renew(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIssuance(b *testing.B) {
	b.Run("file-key", func(b *testing.B) {
		f := newFixture(b)
		benchRenew(b, f, f.auth)
	})
	b.Run("file-key-issuing-ca-as-anchor", func(b *testing.B) {
		// Roots holds the issuing CA itself: the current certificate's chain
		// check is one P-256 verification instead of P-256 + P-384 (root).
		f := newFixture(b, func(c *ca.Config) { c.Roots = []*x509.Certificate{shared.res.Issuing} })
		benchRenew(b, f, f.auth)
	})
	b.Run("softhsm", func(b *testing.B) {
		f := newFixture(b)
		key, err := signer.GeneratePKCS11(hsmtest.Config(b), signer.ECDSAP256)
		if err != nil {
			b.Fatal(err)
		}
		defer key.Close()
		h, err := ca.InitHierarchy(ca.HierarchyConfig{
			RootSubject: pkix.Name{CommonName: "bench root"}, IssuingSubject: pkix.Name{CommonName: "bench issuing"},
			RootValidity: 10 * 365 * day, IssuingValidity: 5 * 365 * day, Now: f.clock.Now().Add(-day),
			RootKey:    func() (signer.Signer, error) { return newKey(b, "p256"), nil },
			IssuingKey: func() (signer.Signer, error) { return key, nil },
		})
		if err != nil {
			b.Fatal(err)
		}
		// The demo subscribers are another issuer's to this CA: their
		// revocation is answered "good" (goodForeign), as the GOST CA tests do.
		auth, err := ca.New(ca.Config{Issuer: h.Issuing, Roots: []*x509.Certificate{f.res.Root}, Signer: key, Profiles: f.profiles,
			Store: f.store, Now: f.clock.Now, OCSPURL: testOCSPURL, CRLURL: testCRLURL, Foreign: goodForeign{},
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		benchRenew(b, f, auth)
	})
}

// leafTemplate is the template a ru-owner renewal signs.
func leafTemplate(b *testing.B, f *fixture) (*x509.Certificate, any) {
	prof, _ := f.profiles.Get("ru-owner")
	key := newKey(b, "p256")
	serial, err := ca.NewSerial()
	if err != nil {
		b.Fatal(err)
	}
	now := f.clock.Now()
	tmpl, err := ca.LeafTemplate(ca.TemplateParams{
		Profile: prof, Tariff: prof.Tariffs()[0], RawSubject: f.sub(b, "ru-owner").Cert.RawSubject,
		PublicKey: key.Public(), Serial: serial, NotBefore: now, NotAfter: now.Add(prof.Validity()),
		IdentificationKind: 1, OCSPURL: testOCSPURL, CRLURL: testCRLURL, IssuerURL: testIssuerURL,
	})
	if err != nil {
		b.Fatal(err)
	}
	return tmpl, key.Public()
}

func BenchmarkFloor(b *testing.B) {
	f := newFixture(b)
	tmpl, pub := leafTemplate(b, f)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := x509.CreateCertificate(rand.Reader, tmpl, f.res.Issuing, pub, f.res.IssuingKey); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStage(b *testing.B) {
	f := newFixture(b)
	tmpl, pub := leafTemplate(b, f)
	prof, _ := f.profiles.Get("ru-owner")
	cur := f.sub(b, "ru-owner").Cert
	csrDER := csr(b, newKey(b, "p256"), nil)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.res.Issuing, pub, f.res.IssuingKey)
	if err != nil {
		b.Fatal(err)
	}
	linter, err := lint.NewLinter(f.res.Issuing)
	if err != nil {
		b.Fatal(err)
	}
	now := f.clock.Now()

	b.Run("csr-parse-verify", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			c, err := x509.ParseCertificateRequest(csrDER)
			if err != nil || c.CheckSignature() != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("current-chain-verify", func(b *testing.B) {
		inter := pool(f.res.Issuing)
		for i := 0; i < b.N; i++ {
			if _, err := cur.Verify(x509.VerifyOptions{Roots: f.roots, Intermediates: inter, CurrentTime: now,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lint-total", func(b *testing.B) {
		// Throwaway-issuer signature + zcrypto parse + zlint + our lints.
		for i := 0; i < b.N; i++ {
			if _, _, err := linter.Check(tmpl, pub, prof); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("lint-zlint-and-ours-only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := lint.Certificate(der, prof); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sign-and-verify", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			d, err := x509.CreateCertificate(rand.Reader, tmpl, f.res.Issuing, pub, f.res.IssuingKey)
			if err != nil {
				b.Fatal(err)
			}
			c, err := x509.ParseCertificate(d)
			if err != nil || c.CheckSignatureFrom(f.res.Issuing) != nil {
				b.Fatal(err)
			}
		}
	})
}
