package bign

import (
	"testing"

	"renewal/ca/crypto/belt"
)

// FuzzVerify: verification and key parsing never panic, whatever the bytes;
// a random signature never verifies.
func FuzzVerify(f *testing.F) {
	h := belt.Sum(belt.H()[:13])
	q := unhex(f, vecQ)
	f.Add(q, h[:], unhex(f, vecG2))
	f.Add(q, h[:], make([]byte, 48))
	f.Add(make([]byte, 64), h[:], unhex(f, vecG2))
	f.Add(unhex(f, spkiG1), make([]byte, 31), []byte{})
	f.Add(unhex(f, opensslPKCS8), h[:], unhex(f, vecG2))
	good, err := NewPublicKey(Curve256v1(), q)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pubRaw, digest, sig []byte) {
		_, _ = ParsePKIXPublicKey(pubRaw)
		_, _ = ParsePKCS8PrivateKey(pubRaw)
		pub, err := NewPublicKey(Curve256v1(), pubRaw)
		if err != nil {
			pub = good
		}
		err = Verify(pub, nil, digest, sig)
		if err == nil && !(pub.Equal(good) && string(digest) == string(h[:]) && string(sig) == string(unhex(t, vecG2))) {
			// Only the seeded vector can verify; anything else would be a forgery.
			t.Fatalf("unexpected valid signature %x over %x", sig, digest)
		}
	})
}

// FuzzSignVerify: for any private key, message and additional data t, the
// deterministic signature verifies.
func FuzzSignVerify(f *testing.F) {
	f.Add(unhex(f, vecD), []byte("hi\n"), []byte{})
	f.Add(append([]byte{1}, make([]byte, 31)...), []byte{}, []byte("t"))
	c := Curve256v1()
	fixed, err := NewPrivateKey(c, unhex(f, vecD))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, d, msg, extra []byte) {
		k, err := NewPrivateKey(c, d)
		if err != nil {
			// Most fuzzed keys have the wrong length: sign with the Г.1 key
			// then, so the signing path runs on every input without paying
			// for a key derivation each time.
			k = fixed
		}
		h := belt.Sum(msg)
		sig, err := k.Sign(nil, h[:], &SignerOpts{Extra: extra})
		if err != nil {
			t.Fatal(err)
		}
		// One verification per input: a run of make fuzz-short stays short.
		// Refusals of altered signatures are FuzzVerify's and the unit tests'.
		if err := Verify(k.PublicKey(), OIDBeltHash, h[:], sig); err != nil {
			t.Fatalf("own signature does not verify: %v", err)
		}
	})
}
