package demo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/profile"
)

// KeyAlgorithm is the key_algorithms name of a demo holder's current key:
// the kind the profile's wizard makes (its first), so the Russian
// holders bring GOST R 34.10-2012 as real ones do; P-256 for a profile
// whose first key is not GOST.
func KeyAlgorithm(prof *profile.Profile) string {
	if algs := prof.KeyAlgorithms(); len(algs) > 0 && gostCurveOf(algs[0]) != nil {
		return algs[0]
	}
	return "ecdsa-p256"
}

// keyFor makes a demo holder's current key (KeyAlgorithm).
func keyFor(prof *profile.Profile) (crypto.Signer, error) {
	if c := gostCurveOf(KeyAlgorithm(prof)); c != nil {
		return gost3410.GenerateKey(c, rand.Reader)
	}
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// gostCurveOf is the curve a key_algorithms name makes: a family name
// gets the wizard's default set (CryptoPro A for 256 bits, what CryptoPro
// CSP and OpenSSL's engine make; TC26 paramSetA for 512), a set name its
// own; nil for a name that is not GOST.
func gostCurveOf(alg string) *gost3410.Curve {
	switch alg {
	case profile.KeyGOST256:
		return gost3410.CryptoProA()
	case profile.KeyGOST512:
		return gost3410.Curve512A()
	}
	sets := map[string]*gost3410.Curve{
		"256-A": gost3410.Curve256A(), "256-B": gost3410.Curve256B(),
		"256-C": gost3410.Curve256C(), "256-D": gost3410.Curve256D(),
		"512-A": gost3410.Curve512A(), "512-B": gost3410.Curve512B(), "512-C": gost3410.Curve512C(),
	}
	if set, ok := strings.CutPrefix(alg, "gost2012-"); ok {
		return sets[set]
	}
	return nil
}

// sameKind makes a new key of the kind of pub: the same GOST curve, or
// P-256 for anything else.
func sameKind(pub crypto.PublicKey) (crypto.Signer, error) {
	if g, ok := pub.(*gost3410.PublicKey); ok {
		return gost3410.GenerateKey(g.Curve(), rand.Reader)
	}
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}
