package docs_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"renewal/ca/cms"
	"renewal/server/internal/docs"
)

// fuzzSigner is the same certificate and key in every process of a fuzz
// run (the coordinator's seeds must verify in the workers): the key is a
// fixed scalar and the issuer signs with Ed25519, which is deterministic.
func fuzzSigner(tb testing.TB) (*x509.Certificate, *ecdsa.PrivateKey) {
	tb.Helper()
	caKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), bytes.Repeat([]byte{0x42}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Fuzz CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "Смирнов Алексей Викторович"},
		NotBefore: now, NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caTmpl, key.Public(), caKey)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return cert, key
}

// FuzzVerifyDetached: VerifyDetached never panics on a hostile signature
// (the application, confirmation and acknowledgement are all checked by
// it); every refusal wraps one of its four errors; an accepted signature
// is bound to the content (one byte more is ErrContentMismatch).
func FuzzVerifyDetached(f *testing.F) {
	cert, key := fuzzSigner(f)
	content := []byte("%PDF-1.4 заявление на изготовление сертификата")
	sign := func(c []byte, at time.Time, chain ...*x509.Certificate) []byte {
		sig, err := cms.SignDetached(c, cert, chain, at, cms.MessageSignerFunc(key))
		if err != nil {
			f.Fatal(err)
		}
		return sig
	}
	good := sign(content, now)
	if _, err := docs.VerifyDetached(good, content, cert); err != nil {
		f.Fatalf("the valid seed is refused: %v", err)
	}
	f.Add(good, content)
	f.Add(sign(content, time.Time{}), content)
	f.Add(sign(content, now, cert), content)
	f.Add(sign([]byte{}, now), []byte{})
	f.Add(good, content[1:])
	f.Add(good[:len(good)-2], content)
	flipped := bytes.Clone(good)
	flipped[len(flipped)-10] ^= 1
	f.Add(flipped, content)
	f.Add([]byte{0x30, 0x80, 0x00, 0x00}, content)
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, sig, content []byte) {
		_, err := docs.VerifyDetached(sig, content, cert)
		if err != nil {
			for _, e := range []error{docs.ErrBadSignature, docs.ErrWrongSigner, docs.ErrContentMismatch, docs.ErrUnsupported} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("refusal %v wraps none of the documented errors", err)
		}
		if _, err := docs.VerifyDetached(sig, append(bytes.Clone(content), 0), cert); !errors.Is(err, docs.ErrContentMismatch) {
			t.Fatalf("accepted, and also over other content: %v", err)
		}
	})
}
