package ca_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"math/big"
	"testing"

	"golang.org/x/crypto/ocsp"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
)

// requestRefusals are the sentinels CheckRequest may answer a request
// with; anything else would be an internal error shown as a 500.
var requestRefusals = []error{ca.ErrBadRequest, ca.ErrBadCSR, ca.ErrBadSignature, ca.ErrUnsupportedAlgorithm,
	ca.ErrWeakKey, ca.ErrKeyReused, ca.ErrSubjectChanged}

// FuzzCheckRequest: the authority's request checks never panic on a
// hostile CSR, and every refusal is an *ca.Error with one of the request
// sentinels and both messages. The fuzzer's bytes are the CSR for the
// demo ru-owner's renewal, under a profile that takes GOST keys too, so
// hostile GOST keys and signatures reach their checks.
func FuzzCheckRequest(f *testing.F) {
	fx := newFixture(f, gostProfiles("ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096, gost2012-256, gost2012-512"))
	cur := fx.sub(f, "ru-owner")
	for _, der := range [][]byte{
		csr(f, newKey(f, "p256"), cur.Cert.RawSubject), // accepted
		csr(f, newKey(f, "p384"), nil),
		csr(f, newKey(f, "rsa2048"), cur.Cert.RawSubject),
		csr(f, newKey(f, "rsa1024"), cur.Cert.RawSubject),
		csr(f, newKey(f, "ed25519"), cur.Cert.RawSubject),
		csr(f, cur.Key, cur.Cert.RawSubject), // the current key
		csr(f, newKey(f, "p256"), fx.sub(f, "ru-employee").Cert.RawSubject),
		gostLikeCSR(f),
		gostCSR(f, gostKey(f, gost3410.Curve256A())),
		gostCSR(f, gostKey(f, gost3410.Curve512C())),
		{0x30, 0x03, 0x02, 0x01, 0x00},
		{},
	} {
		f.Add(der)
	}
	seed := csr(f, newKey(f, "p256"), cur.Cert.RawSubject)
	bad := bytes.Clone(seed)
	bad[len(bad)-5] ^= 0xff // the signature
	f.Add(bad)
	f.Add(seed[:len(seed)-1])
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, der []byte) {
		err := fx.auth.CheckRequest(ctx, cur.Profile, cur.Cert, der)
		if err == nil {
			if _, perr := x509.ParseCertificateRequest(der); perr != nil {
				t.Fatalf("accepted a request x509 cannot parse: %v", perr)
			}
			return
		}
		var e *ca.Error
		if !errors.As(err, &e) {
			t.Fatalf("refusal %T %v is not a *ca.Error", err, err)
		}
		if e.RU == "" || e.EN == "" {
			t.Fatalf("refusal %v without a message", err)
		}
		for _, s := range requestRefusals {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("refusal %v is not a request refusal", err)
	})
}

// FuzzOCSP: the OCSP responder never panics and never fails on a request
// (the memstore cannot); the answer is malformedRequest, unauthorized, or
// a response signed by the issuer for the request's serial with the
// status the store gives it. With build set, the request is made for the
// fixture's issuer from the fuzzer's serial and hash choice, so workers
// (each with its own demo hierarchy) reach the signing path too.
func FuzzOCSP(f *testing.F) {
	fx := newFixture(f)
	ctx := context.Background()
	hashes := []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512, crypto.MD5}
	status := map[string]int{}
	for _, s := range fx.res.Subscribers {
		status[s.Serial.String()] = ocsp.Good
	}
	status[fx.res.RevokeSerial.String()] = ocsp.Revoked

	for i, s := range []*big.Int{fx.sub(f, "ru-owner").Serial, fx.res.RevokeSerial, big.NewInt(99999)} {
		req, err := ocsp.CreateRequest(&x509.Certificate{SerialNumber: s}, fx.res.Issuing, &ocsp.RequestOptions{Hash: hashes[i%2]})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(req, false, []byte(nil), uint8(0))
		f.Add([]byte(nil), true, s.Bytes(), uint8(i))
	}
	other, _ := ocsp.CreateRequest(fx.sub(f, "ru-owner").Cert, fx.res.Root, nil)
	f.Add(other, false, []byte(nil), uint8(0))
	f.Add([]byte("garbage"), false, []byte(nil), uint8(0))
	f.Add([]byte{}, true, []byte{}, uint8(4))
	f.Fuzz(func(t *testing.T, req []byte, build bool, serial []byte, hash uint8) {
		if build {
			var err error
			req, err = ocsp.CreateRequest(&x509.Certificate{SerialNumber: new(big.Int).SetBytes(serial)}, fx.res.Issuing,
				&ocsp.RequestOptions{Hash: hashes[int(hash)%len(hashes)]})
			if err != nil {
				return // a hash x/crypto/ocsp cannot name
			}
		}
		resp, err := fx.auth.OCSP(ctx, req, nil)
		if err != nil {
			t.Fatalf("OCSP failed on a request: %v", err)
		}
		if bytes.Equal(resp, ocsp.MalformedRequestErrorResponse) || bytes.Equal(resp, ocsp.UnauthorizedErrorResponse) {
			return
		}
		parsed, err := ocsp.ParseRequest(req)
		if err != nil {
			t.Fatalf("answered a request that does not parse: %v", err)
		}
		r, err := ocsp.ParseResponse(resp, fx.res.Issuing)
		if err != nil {
			t.Fatalf("response does not verify: %v", err)
		}
		if r.SerialNumber.Cmp(parsed.SerialNumber) != 0 {
			t.Fatalf("response for serial %v, request for %v", r.SerialNumber, parsed.SerialNumber)
		}
		want, ok := status[parsed.SerialNumber.String()]
		if !ok {
			want = ocsp.Unknown
		}
		if r.Status != want {
			t.Fatalf("serial %v: status %d, want %d", parsed.SerialNumber, r.Status, want)
		}
	})
}
