package x509sig

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"renewal/ca/crypto/gost3410"
)

// The cache of passed verifications changes no answer: a signature that
// verified still verifies, and any change to the algorithm, key, signed
// bytes or signature is verified afresh and refused; failures are not
// kept; the cache stays bounded.
func TestVerifiedCache(t *testing.T) {
	key, err := gost3410.GenerateKey(gost3410.CryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := gost3410.GenerateKey(gost3410.CryptoProA(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cache"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseSigned(der)
	if err != nil {
		t.Fatal(err)
	}
	alg, err := parseAlgorithm(s.alg)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := verifiedKey(alg.name, key.Public(), s.tbs, s.sig)
	if !ok || !wasVerified(k) {
		t.Fatal("the certificate just made and verified is remembered")
	}
	for range 2 {
		if err := alg.checkSignature(key.Public(), s.tbs, s.sig); err != nil {
			t.Fatalf("verified before: %v", err)
		}
	}
	flip := func(b []byte, i int) []byte { c := append([]byte(nil), b...); c[i] ^= 1; return c }
	for name, tc := range map[string]struct {
		pub      *gost3410.PublicKey
		tbs, sig []byte
	}{
		"fail/other-key":   {other.Public().(*gost3410.PublicKey), s.tbs, s.sig},
		"fail/signed-byte": {key.Public().(*gost3410.PublicKey), flip(s.tbs, len(s.tbs)-1), s.sig},
		"fail/sig-byte":    {key.Public().(*gost3410.PublicKey), s.tbs, flip(s.sig, 3)},
	} {
		for range 2 { // a failure is not kept: the second is refused too
			if err := alg.checkSignature(tc.pub, tc.tbs, tc.sig); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: %v, want ErrBadSignature", name, err)
			}
		}
		if k, _ := verifiedKey(alg.name, tc.pub, tc.tbs, tc.sig); wasVerified(k) {
			t.Errorf("%s: a failure was remembered", name)
		}
	}
	for i := range verifiedCacheSize + 10 {
		var k [32]byte
		k[0], k[1], k[2] = 0xee, byte(i), byte(i>>8)
		rememberVerified(k)
	}
	verified.Lock()
	n := len(verified.m)
	verified.Unlock()
	if n > verifiedCacheSize {
		t.Errorf("the cache holds %d entries, bound %d", n, verifiedCacheSize)
	}
}
