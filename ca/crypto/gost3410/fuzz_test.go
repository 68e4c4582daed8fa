package gost3410

import (
	"bytes"
	"testing"
)

// fuzzCurves are the seven TC26 sets; a fuzz input picks one by index.
func fuzzCurve(i uint8) *Curve { return curves[int(i)%7] }

// Verify and the key parsers never panic, whatever the key, digest and
// signature bytes; a random signature never verifies; Verify and the
// constant-time reference always agree.
func FuzzVerify(f *testing.F) {
	for i := uint8(0); i < 7; i++ {
		c := fuzzCurve(i)
		priv, _ := GenerateKey(c, newPRNG(i))
		digest := bytes.Repeat([]byte{i}, c.size)
		sig, _ := priv.Sign(nil, digest, nil)
		f.Add(i, priv.PublicKey().Bytes(), digest, sig)
	}
	f.Add(uint8(0), make([]byte, 64), make([]byte, 32), make([]byte, 64))
	f.Fuzz(func(t *testing.T, i uint8, key, digest, sig []byte) {
		c := fuzzCurve(i)
		pub, err := ParsePublicKey(c, key)
		if err != nil {
			return
		}
		ok := Verify(pub, digest, sig)
		if ref := verifyReference(pub, digest, sig); ok != ref {
			t.Fatalf("Verify %v, the reference %v", ok, ref)
		}
		// The seeds are valid; any change to the signature must fail.
		priv, _ := GenerateKey(c, newPRNG(i%7))
		if ok && !pub.Equal(priv.PublicKey()) {
			t.Fatalf("a signature verified under a key we never signed with")
		}
	})
}

// Any SubjectPublicKeyInfo or PKCS#8 key that parses marshals to bytes
// that parse to the same key and marshal to themselves.
func FuzzParsePKIX(f *testing.F) {
	for i := uint8(0); i < 12; i++ {
		c := curves[i]
		priv, _ := GenerateKey(c, newPRNG(i))
		der, _ := MarshalPKIXPublicKey(priv.PublicKey())
		f.Add(der)
		p8, _ := MarshalPKCS8PrivateKey(priv)
		f.Add(p8)
	}
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		if priv, err := ParsePKCS8PrivateKey(der); err == nil {
			out, err := MarshalPKCS8PrivateKey(priv)
			if err != nil {
				t.Fatal(err)
			}
			again, err := ParsePKCS8PrivateKey(out)
			if err != nil || !again.Equal(priv) {
				t.Fatalf("PKCS#8 re-parse: %v", err)
			}
		}
		pub, err := ParsePKIXPublicKey(der)
		if err != nil {
			return
		}
		out, err := MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParsePKIXPublicKey(out)
		if err != nil || !again.Equal(pub) {
			t.Fatalf("re-parse: %v", err)
		}
		if out2, _ := MarshalPKIXPublicKey(again); !bytes.Equal(out, out2) {
			t.Fatal("marshal is not stable")
		}
	})
}

// A key made from any seed signs any message, the signature verifies, and
// with any byte changed it does not.
func FuzzSignVerify(f *testing.F) {
	f.Add(uint8(0), uint8(1), []byte("abc"), uint16(0))
	f.Add(uint8(6), uint8(2), []byte{}, uint16(100))
	f.Fuzz(func(t *testing.T, i, seed uint8, msg []byte, flip uint16) {
		c := fuzzCurve(i)
		priv, err := GenerateKey(c, newPRNG(seed))
		if err != nil {
			t.Fatal(err)
		}
		sig, err := priv.SignMessage(newPRNG(seed+1), msg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !VerifyMessage(priv.PublicKey(), msg, sig) {
			t.Fatal("signature does not verify")
		}
		sig[int(flip)%len(sig)] ^= 1 << (flip % 8)
		if VerifyMessage(priv.PublicKey(), msg, sig) {
			t.Fatal("signature with a bit flipped verifies")
		}
	})
}
