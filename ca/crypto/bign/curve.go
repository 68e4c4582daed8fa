package bign

import (
	"encoding/asn1"
	"encoding/hex"
	"sync"

	"filippo.io/bigmod"
)

// Curve is one of the standard curves of STB 34.101.45 (appendix B):
// y² = x³ + ax + b over GF(p), base point G = (0, yG) of prime order q.
// The curve for security level l has 2l-bit p and q.
type Curve struct {
	name    string
	oid     asn1.ObjectIdentifier
	level   int // l, in bits
	fp, fq  field
	a, b    *bigmod.Nat // mod p
	b3      *bigmod.Nat // 3b, for the complete addition formula
	gx, gy  *bigmod.Nat
	pMinus2 []byte // big-endian exponent for inversion mod p
	// defaultHash is the hash OID Sign uses when the caller names none:
	// belt-hash for level 128, none for the others (their 48- and 64-byte
	// digests come from bash, which this package does not implement).
	defaultHash asn1.ObjectIdentifier

	baseOnce sync.Once
	base     [][15]*point
}

// Name returns the standard's name of the curve, such as "bign-curve256v1".
func (c *Curve) Name() string { return c.name }

// OID returns the curve's object identifier.
func (c *Curve) OID() asn1.ObjectIdentifier { return append(asn1.ObjectIdentifier(nil), c.oid...) }

// Level returns the security level l in bits (128, 192 or 256).
func (c *Curve) Level() int { return c.level }

// Size returns the length in bytes of a field element, of a private key and
// of the digest the curve signs (2l bits).
func (c *Curve) Size() int { return c.fp.size }

// PublicKeySize returns the length of a public key x||y.
func (c *Curve) PublicKeySize() int { return 2 * c.fp.size }

// SignatureSize returns the length of a signature s0||s1 (3l bits).
func (c *Curve) SignatureSize() int { return c.fp.size + c.fp.size/2 }

// curveParams are the little-endian octet strings of table B.1–B.3 (as
// bee2's bign_params.c keeps them).
type curveParams struct {
	name, p, a, b, q, yG string
	oid                  asn1.ObjectIdentifier
	level                int
	defaultHash          asn1.ObjectIdentifier
}

var (
	curve256 = sync.OnceValue(func() *Curve {
		return mustCurve(curveParams{
			name:        "bign-curve256v1",
			oid:         OIDCurve256v1,
			level:       128,
			p:           "43ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			a:           "40ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			b:           "f1039cd66b7d2eb253928b976950f54cbefbd8e4ab3ac1d2eda8f315156cce77",
			q:           "07663d2699bf5a7efc4dfb0dd68e5cd9ffffffffffffffffffffffffffffffff",
			yG:          "936a510418cf291e52f608c4663991785d83d651a3c9e45c9fd616fb3cfcf76b",
			defaultHash: OIDBeltHash,
		})
	})
	curve384 = sync.OnceValue(func() *Curve {
		return mustCurve(curveParams{
			name:  "bign-curve384v1",
			oid:   OIDCurve384v1,
			level: 192,
			p:     "c3feffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			a:     "c0feffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			b:     "64bf736823fca7bc7cbdcef3f0e2bd143a2e71e9f96a21a696b1fb0fbb482771d2345d65ab5a073320ef9c95e1df753c",
			q:     "b7a70cf33fdcb73d0affa4a6e7da4680bb7baf7303c4cc6cfeffffffffffffffffffffffffffffffffffffffffffffff",
			yG:    "51c433f731cb5eeaf9422a6b273e408455d3b1669ee74905a0ff86dc119a723a89bf2d437e1130639e9e2ea82482435d",
		})
	})
	curve512 = sync.OnceValue(func() *Curve {
		return mustCurve(curveParams{
			name:  "bign-curve512v1",
			oid:   OIDCurve512v1,
			level: 256,
			p:     "c7fdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			a:     "c4fdffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			b:     "909c13d6986934097aa2493a272286ea43a2ac878c003329955e24c4b5dc112788b0addae313ce1751255dddeea9c65b8958fd606a5d8cd8438c3b934459b46c",
			q:     "f18e060d49adffdc32df5695e5ca1b36f413212eb0eb6bf24e0098012c09c0b2ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
			yG:    "bdedefce6fae92b7040d4cc9b983aa676122e8ee957377ffd26ffa0ee2dd7369dacacc001bf8edd2e2bc61b3b341abb0ab8fd1a0f7e682b1817603e47aff26a8",
		})
	})
)

// Curve256v1 returns bign-curve256v1 (level 128): with belt-hash, the
// algorithm bign-with-hbelt.
func Curve256v1() *Curve { return curve256() }

// Curve384v1 returns bign-curve384v1 (level 192).
func Curve384v1() *Curve { return curve384() }

// Curve512v1 returns bign-curve512v1 (level 256).
func Curve512v1() *Curve { return curve512() }

// CurveByOID returns the standard curve named by oid.
func CurveByOID(oid asn1.ObjectIdentifier) (*Curve, error) {
	switch {
	case oid.Equal(OIDCurve256v1):
		return Curve256v1(), nil
	case oid.Equal(OIDCurve384v1):
		return Curve384v1(), nil
	case oid.Equal(OIDCurve512v1):
		return Curve512v1(), nil
	}
	return nil, ErrUnknownCurve
}

func mustCurve(cp curveParams) *Curve {
	le := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			panic("bign: bad curve constant: " + err.Error())
		}
		return b
	}
	p, q := le(cp.p), le(cp.q)
	pm, err := bigmod.NewModulus(reversed(p))
	if err != nil {
		panic(err)
	}
	qm, err := bigmod.NewModulus(reversed(q))
	if err != nil {
		panic(err)
	}
	c := &Curve{
		name: cp.name, oid: cp.oid, level: cp.level,
		fp: field{m: pm, size: len(p)}, fq: field{m: qm, size: len(q)},
		defaultHash: cp.defaultHash,
	}
	must := func(x *bigmod.Nat, err error) *bigmod.Nat {
		if err != nil {
			panic("bign: bad curve constant: " + err.Error())
		}
		return x
	}
	c.a = must(c.fp.fromLE(le(cp.a)))
	c.b = must(c.fp.fromLE(le(cp.b)))
	c.b3 = c.fp.clone(c.b)
	c.b3.Add(c.b, pm).Add(c.b, pm)
	c.gx = c.fp.zero()
	c.gy = must(c.fp.fromLE(le(cp.yG)))
	// p - 2 as a big-endian exponent; p ends in ...43/C3/C7, no borrow past the low byte.
	pm2 := reversed(p)
	pm2[len(pm2)-1] -= 2
	c.pMinus2 = pm2
	if !c.onCurve(c.gx, c.gy) {
		panic("bign: base point of " + cp.name + " is not on the curve")
	}
	return c
}

func (c *Curve) generator() *point {
	return &point{x: c.fp.clone(c.gx), y: c.fp.clone(c.gy), z: c.fp.zero().SetUint(1).ExpandFor(c.fp.m)}
}
