package bign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"renewal/ca/crypto/belt"
)

// The ECDSA P-256 benchmarks are the floor the bign numbers are read
// against, measured in the same run (make bench prints both).

func BenchmarkKeyGen(b *testing.B) {
	b.Run("bign-curve256v1", func(b *testing.B) {
		for b.Loop() {
			if _, err := GenerateKey(Curve256v1(), rand.Reader); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ecdsa-p256", func(b *testing.B) {
		for b.Loop() {
			if _, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSign(b *testing.B) {
	k, err := NewPrivateKey(Curve256v1(), unhex(b, vecD))
	if err != nil {
		b.Fatal(err)
	}
	h := belt.Sum([]byte("hi\n"))
	b.Run("bign-curve256v1-deterministic", func(b *testing.B) {
		for b.Loop() {
			if _, err := k.Sign(nil, h[:], nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bign-curve256v1-randomized", func(b *testing.B) {
		for b.Loop() {
			if _, err := k.Sign(rand.Reader, h[:], &SignerOpts{Randomized: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	d := sha256.Sum256([]byte("hi\n"))
	b.Run("ecdsa-p256", func(b *testing.B) {
		for b.Loop() {
			if _, err := ecdsa.SignASN1(rand.Reader, ek, d[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	pub, err := NewPublicKey(Curve256v1(), unhex(b, vecQ))
	if err != nil {
		b.Fatal(err)
	}
	h := belt.Sum(belt.H()[:13])
	sig := unhex(b, vecG2)
	b.Run("bign-curve256v1", func(b *testing.B) {
		for b.Loop() {
			if err := Verify(pub, OIDBeltHash, h[:], sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	d := sha256.Sum256([]byte("hi\n"))
	esig, _ := ecdsa.SignASN1(rand.Reader, ek, d[:])
	b.Run("ecdsa-p256", func(b *testing.B) {
		for b.Loop() {
			if !ecdsa.VerifyASN1(&ek.PublicKey, d[:], esig) {
				b.Fatal("ecdsa does not verify")
			}
		}
	})
}
