package x509sig

import (
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/gostssl"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// responseData builds a ResponseData (RFC 6960 §4.2.1) saying "good" for
// serial of issuer at the time at, with the responder named by the SHA-1
// of its key, as ca/ocspresponse.go writes it.
func responseData(t testing.TB, issuer, responder *x509.Certificate, serial *big.Int, at time.Time) []byte {
	t.Helper()
	keyHash := func(c *x509.Certificate) []byte {
		bits, err := subjectPublicKeyBits(c.RawSubjectPublicKeyInfo)
		if err != nil {
			t.Fatal(err)
		}
		h := sha1.Sum(bits)
		return h[:]
	}
	nameHash := sha1.Sum(issuer.RawSubject)
	gt := func(b *cryptobyte.Builder, tm time.Time) { b.AddASN1GeneralizedTime(tm.UTC().Truncate(time.Second)) }
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(2).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1OctetString(keyHash(responder))
		})
		gt(b, at)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26})
						b.AddASN1NULL()
					})
					b.AddASN1OctetString(nameHash[:])
					b.AddASN1OctetString(keyHash(issuer))
					b.AddASN1BigInt(serial)
				})
				b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(*cryptobyte.Builder) {})
				gt(b, at)
				b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
					gt(b, at.Add(time.Hour))
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// OCSP responses signed by a GOST CA itself and by a GOST delegated
// responder, verified by `openssl ocsp -respin` and by VerifyOCSPResponse.
func TestOCSPVerifiedByOpenSSL(t *testing.T) {
	ssl := gostssl.New(t)
	ck := gostKey(t, gost3410.Curve256A())
	ca := issue(t, caTemplate("OCSP CA", 0), nil, ck.Public(), ck)
	lk := gostKey(t, gost3410.Curve256B())
	leaf := issue(t, leafTemplate("Person"), ca, lk.Public(), ck)
	rk := gostKey(t, gost3410.Curve512A())
	rt := leafTemplate("Responder")
	rt.KeyUsage = x509.KeyUsageDigitalSignature
	rt.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	responder := issue(t, rt, ca, rk.Public(), ck)
	ssl.Write("ca.pem", pemOf("CERTIFICATE", ca.Raw))
	ssl.Write("leaf.pem", pemOf("CERTIFICATE", leaf.Raw))

	for _, tc := range []struct {
		name   string
		signer crypto.Signer
		cert   *x509.Certificate
		certs  []*x509.Certificate
	}{
		{"by the CA", ck, ca, nil},
		{"by a delegated responder", rk, responder, []*x509.Certificate{responder}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// OpenSSL checks the status times against its clock, not -attime.
			tbs := responseData(t, ca, tc.cert, leaf.SerialNumber, time.Now())
			basic, err := SignOCSPResponse(nil, tbs, tc.signer, tc.certs)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := MarshalOCSPResponse(basic)
			if err != nil {
				t.Fatal(err)
			}
			ssl.Write("resp.der", resp)
			// -verify_other names the CA as a possible signer: OpenSSL looks
			// for the signer among the response's certificates and these.
			out := ssl.MustRun(nil, "ocsp", "-respin", "resp.der", "-CAfile", "ca.pem", "-verify_other", "ca.pem",
				"-issuer", "ca.pem", "-cert", "leaf.pem", "-no_nonce", "-attime", itoa(now.Unix()))
			if !strings.Contains(string(out), "Response verify OK") || !strings.Contains(string(out), "leaf.pem: good") {
				t.Fatalf("openssl ocsp:\n%s", out)
			}
			got, err := VerifyOCSPResponse(resp, ca, now)
			if err != nil {
				t.Fatal(err)
			}
			if got.Signer != tc.cert && !got.Signer.Equal(tc.cert) {
				t.Fatalf("signer %v, want %v", got.Signer.Subject, tc.cert.Subject)
			}
		})
	}

	// Refusals: a responder without id-kp-OCSPSigning, and a response
	// whose signature is not the responder's.
	t.Run("refusals", func(t *testing.T) {
		nt := leafTemplate("Not a responder")
		nk := gostKey(t, gost3410.Curve256A())
		notResponder := issue(t, nt, ca, nk.Public(), ck)
		basic, err := SignOCSPResponse(nil, responseData(t, ca, notResponder, leaf.SerialNumber, now), nk, []*x509.Certificate{notResponder})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := VerifyOCSPResponse(basic, ca, now); !errors.Is(err, ErrOCSPResponder) {
			t.Fatalf("a responder without OCSPSigning: %v", err)
		}
		// Named as the CA, signed by the leaf's key.
		basic, err = SignOCSPResponse(nil, responseData(t, ca, ca, leaf.SerialNumber, now), lk, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := VerifyOCSPResponse(basic, ca, now); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("a response signed by the wrong key: %v", err)
		}
	})
}
