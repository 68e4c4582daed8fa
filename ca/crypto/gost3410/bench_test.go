package gost3410

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"testing"
)

// GOST R 34.10-2012 per parameter set, beside crypto/ecdsa P-256 in the
// same run as the floor (Go's P-256 is assembly on amd64; P-384 and P-521
// are pure-Go fiat code, closer in kind to ours).
func BenchmarkGOST(b *testing.B) {
	for _, c := range curves[:7] {
		priv, _ := GenerateKey(c, nil)
		digest := make([]byte, c.size)
		digest[0] = 1
		sig, _ := priv.Sign(rand.Reader, digest, nil)
		b.Run(c.name+"/keygen", func(b *testing.B) {
			for b.Loop() {
				GenerateKey(c, nil)
			}
		})
		b.Run(c.name+"/sign", func(b *testing.B) {
			for b.Loop() {
				priv.Sign(rand.Reader, digest, nil)
			}
		})
		b.Run(c.name+"/verify", func(b *testing.B) {
			for b.Loop() {
				if !Verify(priv.PublicKey(), digest, sig) {
					b.Fatal("invalid")
				}
			}
		})
	}
	for _, e := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		name := "ecdsa-" + e.Params().Name
		priv, _ := ecdsa.GenerateKey(e, rand.Reader)
		d := sha256.Sum256([]byte("x"))
		sig, _ := ecdsa.SignASN1(rand.Reader, priv, d[:])
		b.Run(name+"/keygen", func(b *testing.B) {
			for b.Loop() {
				ecdsa.GenerateKey(e, rand.Reader)
			}
		})
		b.Run(name+"/sign", func(b *testing.B) {
			for b.Loop() {
				ecdsa.SignASN1(rand.Reader, priv, d[:])
			}
		})
		b.Run(name+"/verify", func(b *testing.B) {
			for b.Loop() {
				ecdsa.VerifyASN1(&priv.PublicKey, d[:], sig)
			}
		})
	}
}

// Verification alone, per parameter set, with ECDSA P-256 as the floor
// (go test -run '^$' -bench Verify): the operation a renewal repeats most.
func BenchmarkVerify(b *testing.B) {
	for _, c := range curves[:7] {
		priv, _ := GenerateKey(c, nil)
		digest := make([]byte, c.size)
		digest[0] = 1
		sig, _ := priv.Sign(rand.Reader, digest, nil)
		pub := priv.PublicKey()
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if !Verify(pub, digest, sig) {
					b.Fatal("invalid")
				}
			}
		})
	}
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	d := sha256.Sum256([]byte("x"))
	sig, _ := ecdsa.SignASN1(rand.Reader, priv, d[:])
	b.Run("ecdsa-P-256", func(b *testing.B) {
		for b.Loop() {
			if !ecdsa.VerifyASN1(&priv.PublicKey, d[:], sig) {
				b.Fatal("invalid")
			}
		}
	})
}
