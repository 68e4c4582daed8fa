package profile

import (
	"slices"
	"strings"

	"renewal/ca/crypto/gost3410"
)

// The GOST R 34.10-2012 key names of key_algorithms, one table: a family
// name ("gost2012-256", "gost2012-512") allows every parameter set of
// that size in the table; a set name ("gost2012-256-B") allows that set
// alone. The CryptoPro signature sets of RFC 4357 are the same curves as
// TC26 256 B, C and D (RFC 7836): a key on them gets the TC26 name, so a
// profile allows a curve, not a spelling of its identifier. The CryptoPro
// exchange sets (XchA, XchB) are for key agreement, not for signature
// keys, and are not in the table: such a key is refused as an unknown set.
const (
	KeyGOST256 = "gost2012-256"
	KeyGOST512 = "gost2012-512"
)

// gostParamSets maps a parameter set's OID to its key_algorithms name
// and the TC26 curve it is (the key of reuse checks: one curve, one
// identity, whichever OID spells it).
var gostParamSets = map[string]struct {
	name  string
	curve *gost3410.Curve
}{
	"1.2.643.7.1.2.1.1.1": {KeyGOST256 + "-A", gost3410.Curve256A()}, // id-tc26-gost-3410-12-256-paramSetA
	"1.2.643.7.1.2.1.1.2": {KeyGOST256 + "-B", gost3410.Curve256B()}, // id-tc26-gost-3410-12-256-paramSetB
	"1.2.643.7.1.2.1.1.3": {KeyGOST256 + "-C", gost3410.Curve256C()}, // id-tc26-gost-3410-12-256-paramSetC
	"1.2.643.7.1.2.1.1.4": {KeyGOST256 + "-D", gost3410.Curve256D()}, // id-tc26-gost-3410-12-256-paramSetD
	"1.2.643.2.2.35.1":    {KeyGOST256 + "-B", gost3410.Curve256B()}, // id-GostR3410-2001-CryptoPro-A-ParamSet
	"1.2.643.2.2.35.2":    {KeyGOST256 + "-C", gost3410.Curve256C()}, // id-GostR3410-2001-CryptoPro-B-ParamSet
	"1.2.643.2.2.35.3":    {KeyGOST256 + "-D", gost3410.Curve256D()}, // id-GostR3410-2001-CryptoPro-C-ParamSet
	"1.2.643.7.1.2.1.2.1": {KeyGOST512 + "-A", gost3410.Curve512A()}, // id-tc26-gost-3410-12-512-paramSetA
	"1.2.643.7.1.2.1.2.2": {KeyGOST512 + "-B", gost3410.Curve512B()}, // id-tc26-gost-3410-12-512-paramSetB
	"1.2.643.7.1.2.1.2.3": {KeyGOST512 + "-C", gost3410.Curve512C()}, // id-tc26-gost-3410-12-512-paramSetC
}

// gostKeyNames are the names key_algorithms may use for GOST keys.
var gostKeyNames = []string{
	KeyGOST256, KeyGOST256 + "-A", KeyGOST256 + "-B", KeyGOST256 + "-C", KeyGOST256 + "-D",
	KeyGOST512, KeyGOST512 + "-A", KeyGOST512 + "-B", KeyGOST512 + "-C",
}

// GOSTKey names a GOST R 34.10-2012 key by its parameter set
// ("gost2012-256-B") and gives the TC26 curve it lies on; ok false for a
// set outside the table.
func GOSTKey(pub *gost3410.PublicKey) (name string, canonical *gost3410.Curve, ok bool) {
	if pub == nil {
		return "", nil, false
	}
	e, ok := gostParamSets[pub.Curve().OID().String()]
	return e.name, e.curve, ok
}

// GOSTCurve is the curve a new key of a key_algorithms name gets: a
// family name the wizard's default set (CryptoPro A, = TC26 256 paramSetB,
// what CryptoPro CSP and OpenSSL's engine make; TC26 paramSetA for 512), a
// set name its own; ok false for a name that is not GOST.
func GOSTCurve(alg string) (*gost3410.Curve, bool) {
	switch alg {
	case KeyGOST256:
		return gost3410.CryptoProA(), true
	case KeyGOST512:
		return gost3410.Curve512A(), true
	}
	for oid, e := range gostParamSets {
		if e.name == alg && strings.HasPrefix(oid, "1.2.643.7.1.2.1.") { // the TC26 spelling
			return e.curve, true
		}
	}
	return nil, false
}

// gostFamily is the family of a GOST set name ("gost2012-256" of
// "gost2012-256-B"); "" for another name.
func gostFamily(alg string) string {
	for _, f := range []string{KeyGOST256, KeyGOST512} {
		if strings.HasPrefix(alg, f+"-") && slices.Contains(gostKeyNames, alg) {
			return f
		}
	}
	return ""
}

// gostLabel is a GOST name as people read it: "GOST R 34.10-2012 256
// (paramSetB)"; ok false for another name.
func gostLabel(alg string) (string, bool) {
	for _, f := range []string{KeyGOST256, KeyGOST512} {
		if alg == f {
			return "GOST R 34.10-2012 " + strings.TrimPrefix(f, "gost2012-"), true
		}
		if set, ok := strings.CutPrefix(alg, f+"-"); ok && slices.Contains(gostKeyNames, alg) {
			return "GOST R 34.10-2012 " + strings.TrimPrefix(f, "gost2012-") + " (paramSet" + set + ")", true
		}
	}
	return "", false
}
