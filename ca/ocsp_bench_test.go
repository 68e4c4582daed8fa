package ca_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"
)

// BenchmarkOCSP: the answer most relying parties get (stored, SHA-1
// CertID, no nonce) against one signed for a nonce by the responder, on
// the in-memory store. The issuing key signs neither.
func BenchmarkOCSP(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	got, err := f.auth.Renew(ctx, f.request(b, "ru-owner", newKey(b, "p256"), "bench"))
	require.NoError(b, err)
	cert, err := x509.ParseCertificate(got.DER)
	require.NoError(b, err)
	stored, err := ocsp.CreateRequest(cert, f.res.Issuing, nil)
	require.NoError(b, err)
	nonce, _ := withNonce(b, cert, f.res.Issuing, crypto.SHA1, 16)
	for _, bc := range []struct {
		name string
		req  []byte
	}{{"stored", stored}, {"nonce", nonce}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := f.auth.OCSP(ctx, bc.req, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCurrentCRL: serving the stored CRL.
func BenchmarkCurrentCRL(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	_, _, err := f.auth.CurrentCRL(ctx)
	require.NoError(b, err)
	for b.Loop() {
		if _, _, err := f.auth.CurrentCRL(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
