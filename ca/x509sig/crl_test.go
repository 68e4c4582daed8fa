package x509sig

import (
	"crypto/x509"
	"errors"
	"math/big"
	"testing"
	"time"

	"renewal/ca/crypto/gost3410"
)

func TestCRLRefusals(t *testing.T) {
	k := gostKey(t, gost3410.Curve256A())
	k512 := gostKey(t, gost3410.Curve512A())
	tmpl := caTemplate("CRL CA", 0)
	ca := issue(t, tmpl, nil, k.Public(), k)
	der, err := CreateRevocationList(nil, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now, NextUpdate: now.Add(time.Hour)}, ca, k)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRevocationList(der, ca); err != nil {
		t.Fatalf("the good CRL: %v", err)
	}
	// Same name and key, keyUsage without cRLSign.
	nt := *tmpl
	nt.KeyUsage = x509.KeyUsageCertSign
	noCRLSign := issue(t, &nt, nil, k.Public(), k)
	if _, err := ParseRevocationList(der, noCRLSign); !errors.Is(err, ErrNoCRLSign) {
		t.Errorf("issuer without cRLSign: %v", err)
	}
	// Same name, a 512-bit key: the 256 signature is refused as a mismatch.
	other := issue(t, caTemplate("CRL CA", 0), nil, k512.Public(), k512)
	if _, err := ParseRevocationList(der, other); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("issuer with a 512-bit key: %v", err)
	}
	// Another name.
	named := issue(t, caTemplate("Other CA", 0), nil, k.Public(), k)
	if _, err := ParseRevocationList(der, named); !errors.Is(err, ErrIssuerName) {
		t.Errorf("issuer of another name: %v", err)
	}
	// Signing with a key that is not the issuer's.
	if _, err := CreateRevocationList(nil, &x509.RevocationList{Number: big.NewInt(2), ThisUpdate: now, NextUpdate: now.Add(time.Hour)}, ca, k512); !errors.Is(err, ErrWrongSigner) {
		t.Errorf("a signer that is not the issuer: %v", err)
	}
	// Flipped signature bytes.
	s, _ := parseSigned(der)
	s.sig[0] ^= 0x80
	bad, _ := marshalSigned(s.tbs, s.alg, s.sig, nil)
	if _, err := ParseRevocationList(bad, ca); !errors.Is(err, ErrBadSignature) {
		t.Errorf("a broken signature: %v", err)
	}
	for i := 0; i < len(der); i++ {
		if _, err := ParseRevocationList(der[:i], ca); err == nil {
			t.Fatalf("truncated to %d bytes: accepted", i)
		}
	}
}
