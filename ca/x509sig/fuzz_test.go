package x509sig

import (
	"crypto/x509"
	"math/big"
	mrand "math/rand/v2"
	"testing"
	"time"

	"renewal/ca/crypto/gost3410"
)

// FuzzParseVerify feeds arbitrary DER to every parser and verifier of the
// package: errors are fine, panics are not, and nothing but the seeds'
// own bytes may verify.
func FuzzParseVerify(f *testing.F) {
	// Keys from a fixed seed: fuzz workers rerun this setup and must get
	// the CA the coordinator's seeds were made with.
	seeded := func(c *gost3410.Curve, seed byte) *gost3410.PrivateKey {
		k, err := gost3410.GenerateKey(c, mrand.NewChaCha8([32]byte{seed}))
		if err != nil {
			f.Fatal(err)
		}
		return k
	}
	k := seeded(gost3410.Curve256A(), 1)
	ca := issue(f, caTemplate("Fuzz CA", 0), nil, k.Public(), k)
	lk := seeded(gost3410.Curve512A(), 2)
	leaf := issue(f, leafTemplate("Fuzz leaf"), ca, lk.Public(), k)
	csr, err := CreateCertificateRequest(nil, &x509.CertificateRequest{Subject: leaf.Subject}, lk)
	if err != nil {
		f.Fatal(err)
	}
	crl, err := CreateRevocationList(nil, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now, NextUpdate: now.Add(time.Hour)}, ca, k)
	if err != nil {
		f.Fatal(err)
	}
	basic, err := SignOCSPResponse(nil, responseData(f, ca, ca, leaf.SerialNumber, now), k, []*x509.Certificate{ca})
	if err != nil {
		f.Fatal(err)
	}
	resp, err := MarshalOCSPResponse(basic)
	if err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{ca.Raw, leaf.Raw, csr, crl, basic, resp, ca.RawSubjectPublicKeyInfo, {}, {0x30, 0x00}}
	for _, s := range seeds {
		f.Add(s)
	}
	// What the seeds' signatures cover: the only to-be-signed data that may
	// verify. (An OCSP response's certificates and its wrapping are not
	// signed, so whole bytes would be the wrong thing to compare.)
	signedData := map[string]bool{}
	for _, s := range seeds {
		if b, err := unwrapOCSP(s); err == nil {
			if sg, err := parseSigned(b); err == nil {
				signedData[string(sg.tbs)] = true
			}
		}
	}
	mustBeSeed := func(t *testing.T, what string, der []byte) {
		t.Helper()
		b, err := unwrapOCSP(der)
		if err != nil {
			t.Fatalf("%s verified but does not parse again: %v", what, err)
		}
		sg, err := parseSigned(b)
		if err != nil || !signedData[string(sg.tbs)] {
			t.Fatalf("%s verifies over data nobody signed: %x", what, der)
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		_, _ = ParsePublicKey(der)
		_, _ = parseAlgorithm(der)
		if _, _, err := ParseCertificateRequest(der); err == nil {
			mustBeSeed(t, "a request", der)
		}
		if c, err := x509.ParseCertificate(der); err == nil {
			if err := CheckSignatureFrom(c, ca); err == nil {
				mustBeSeed(t, "a certificate", der)
			}
			_, _ = VerifyChain(c, ChainOptions{Roots: []*x509.Certificate{ca}, At: now})
		}
		if err := CheckCertificateSignature(&x509.Certificate{Raw: der}, k.Public()); err == nil {
			mustBeSeed(t, "a certificate's raw bytes", der)
		}
		if _, err := ParseRevocationList(der, ca); err == nil {
			mustBeSeed(t, "a CRL", der)
		}
		if _, err := VerifyOCSPResponse(der, ca, now); err == nil {
			mustBeSeed(t, "an OCSP response", der)
		}
	})
}
