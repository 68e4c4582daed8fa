package demo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/profile"
)

// KeyAlgorithm is the key_algorithms name of a demo holder's current key:
// the kind the profile's wizard makes (its first), so the Russian
// holders bring GOST R 34.10-2012 as real ones do; P-256 for a profile
// whose first key is not GOST.
func KeyAlgorithm(prof *profile.Profile) string {
	if algs := prof.KeyAlgorithms(); len(algs) > 0 {
		if _, gost := profile.GOSTCurve(algs[0]); gost {
			return algs[0]
		}
	}
	return "ecdsa-p256"
}

// keyFor makes a demo holder's current key (KeyAlgorithm).
func keyFor(prof *profile.Profile) (crypto.Signer, error) {
	if c, gost := profile.GOSTCurve(KeyAlgorithm(prof)); gost {
		return gost3410.GenerateKey(c, rand.Reader)
	}
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// sameKind makes a new key of the kind of pub: the same GOST curve, or
// P-256 for anything else.
func sameKind(pub crypto.PublicKey) (crypto.Signer, error) {
	if g, ok := pub.(*gost3410.PublicKey); ok {
		return gost3410.GenerateKey(g.Curve(), rand.Reader)
	}
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}
