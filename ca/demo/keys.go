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

// keyFor makes a demo holder's current key of the kind the profile's
// wizard makes (its first key algorithm): GOST R 34.10-2012 for the
// Russian qualified profiles, so the demo's current certificates are what
// real Russian holders bring; P-256 otherwise.
func keyFor(prof *profile.Profile) (crypto.Signer, error) {
	algs := prof.KeyAlgorithms()
	first := ""
	if len(algs) > 0 {
		first = algs[0]
	}
	if c := gostCurveOf(first); c != nil {
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
