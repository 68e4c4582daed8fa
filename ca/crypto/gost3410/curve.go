package gost3410

import (
	"encoding/asn1"
	"math/big"
	"sync"

	"filippo.io/bigmod"
)

// A Curve is a parameter set of GOST R 34.10-2012: the curve
// y² = x³ + ax + b over GF(p), a base point of prime order q and the
// identifier it goes by in certificates. Several identifiers name the same
// curve (TC26 paramSetB is CryptoPro A, for instance); each has its own
// Curve so that a key keeps the identifier it came with.
//
// Keys, signatures and encodings use the short Weierstrass form of every
// set, as the standard does; the two with cofactor 4 (256 paramSetA, 512
// paramSetC), twisted Edwards curves by construction, compute internally
// on their Edwards form (edwards.go, point.go).
type Curve struct {
	name     string
	oid      asn1.ObjectIdentifier
	size     int  // bytes of a coordinate, of r and of s: 32 or 64
	digest   bool // whether SubjectPublicKeyInfo names the digest (RFC 9215)
	cofactor int64

	pBig, qBig, aBig, bBig, gxBig, gyBig *big.Int

	p, q     *bigmod.Modulus
	a, b, b3 *bigmod.Nat // a, b and 3b in GF(p), for the addition formulas
	aMinus3  bool        // a = −3: the cheaper formulas apply
	pMinus2  []byte      // the exponent of an inversion by Fermat
	qBits    int
	g        *point
	ed       *edwards // the Edwards form, for the cofactor-4 sets (edwards.go)

	base *baseTable // shared by the Curves of one curve (see like)
	odd  *baseOdd   // likewise, for verification (verify.go)
}

// baseTable holds the comb of the base point, made on first use.
type baseTable struct {
	once  sync.Once
	table *[16]*point
}

// Name is a short English name such as "id-tc26-gost-3410-12-256-paramSetA".
func (c *Curve) Name() string { return c.name }

// OID is the parameter set's object identifier.
func (c *Curve) OID() asn1.ObjectIdentifier { return append(asn1.ObjectIdentifier(nil), c.oid...) }

// Size is the byte length of a coordinate and of each half of a
// signature: 32 for 256-bit keys, 64 for 512-bit keys. The digest signed
// is Streebog of the same size.
func (c *Curve) Size() int { return c.size }

// Params returns copies of p, a, b, q, the base point (x, y) and the cofactor.
func (c *Curve) Params() (p, a, b, q, x, y *big.Int, cofactor int64) {
	n := func(v *big.Int) *big.Int { return new(big.Int).Set(v) }
	return n(c.pBig), n(c.aBig), n(c.bBig), n(c.qBig), n(c.gxBig), n(c.gyBig), c.cofactor
}

func mustHex(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("gost3410: bad constant " + s)
	}
	return v
}

func newCurve(name string, oid asn1.ObjectIdentifier, size int, digest bool, cofactor int64, p, a, b, q, x, y string) *Curve {
	c := &Curve{name: name, oid: oid, size: size, digest: digest, cofactor: cofactor,
		pBig: mustHex(p), aBig: mustHex(a), bBig: mustHex(b), qBig: mustHex(q), gxBig: mustHex(x), gyBig: mustHex(y)}
	var err error
	if c.p, err = bigmod.NewModulus(c.pBig.Bytes()); err != nil {
		panic(err)
	}
	if c.q, err = bigmod.NewModulus(c.qBig.Bytes()); err != nil {
		panic(err)
	}
	c.qBits = c.qBig.BitLen()
	c.a = c.fe(c.aBig)
	c.b = c.fe(c.bBig)
	c.b3 = c.fe(new(big.Int).Mod(new(big.Int).Mul(c.bBig, big.NewInt(3)), c.pBig))
	c.aMinus3 = new(big.Int).Add(c.aBig, big.NewInt(3)).Cmp(c.pBig) == 0
	c.pMinus2 = new(big.Int).Sub(c.pBig, big.NewInt(2)).Bytes()
	if cofactor == 4 {
		c.ed = newEdwards(c)
	}
	c.g = c.pointFromAffine(c.gxBig, c.gyBig)
	c.base = new(baseTable)
	c.odd = new(baseOdd)
	return c
}

// like returns the same curve under another identifier.
func (c *Curve) like(name string, oid asn1.ObjectIdentifier, digest bool) *Curve {
	d := *c
	d.name, d.oid, d.digest = name, oid, digest
	return &d
}

// fe converts a public value below p to a field element.
func (c *Curve) fe(v *big.Int) *bigmod.Nat {
	n, err := bigmod.NewNat().SetBytes(v.FillBytes(make([]byte, c.p.Size())), c.p)
	if err != nil {
		panic(err)
	}
	return n
}

// Object identifiers of RFC 9215 and R 1323565.1.024.
var (
	OIDPublicKey256     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1} // id-tc26-gost3410-12-256
	OIDPublicKey512     = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 2} // id-tc26-gost3410-12-512
	OIDStreebog256      = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2} // id-tc26-gost3411-12-256
	OIDStreebog512      = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3} // id-tc26-gost3411-12-512
	OIDSignatureWith256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2} // id-tc26-signwithdigest-gost3410-12-256
	OIDSignatureWith512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 3} // id-tc26-signwithdigest-gost3410-12-512
)

// The parameter sets: RFC 7836 appendix A / R 1323565.1.024 and RFC 4357
// §10 (CryptoPro), hex as published.
var (
	cpA = newCurve("id-GostR3410-2001-CryptoPro-A-ParamSet", asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 1}, 32, true, 1,
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
		"A6",
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
		"1",
		"8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14")
	cpB = newCurve("id-GostR3410-2001-CryptoPro-B-ParamSet", asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 2}, 32, true, 1,
		"8000000000000000000000000000000000000000000000000000000000000C99",
		"8000000000000000000000000000000000000000000000000000000000000C96",
		"3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
		"800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
		"1",
		"3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC")
	cpC = newCurve("id-GostR3410-2001-CryptoPro-C-ParamSet", asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 3}, 32, true, 1,
		"9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
		"9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
		"805A",
		"9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
		"0",
		"41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67")
	cpXchA = cpA.like("id-GostR3410-2001-CryptoPro-XchA-ParamSet", asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 0}, true)
	cpXchB = cpC.like("id-GostR3410-2001-CryptoPro-XchB-ParamSet", asn1.ObjectIdentifier{1, 2, 643, 2, 2, 36, 1}, true)

	tc256A = newCurve("id-tc26-gost-3410-12-256-paramSetA", asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 1}, 32, false, 4,
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
		"C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
		"295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
		"400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
		"91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
		"32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C")
	tc256B = cpA.like("id-tc26-gost-3410-12-256-paramSetB", asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 2}, false)
	tc256C = cpB.like("id-tc26-gost-3410-12-256-paramSetC", asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 3}, false)
	tc256D = cpC.like("id-tc26-gost-3410-12-256-paramSetD", asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 1, 4}, false)

	tc512A = newCurve("id-tc26-gost-3410-12-512-paramSetA", asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 1}, 64, true, 1,
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
		"E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
		"3",
		"7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4")
	tc512B = newCurve("id-tc26-gost-3410-12-512-paramSetB", asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 2}, 64, true, 1,
		"8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006F",
		"8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006C",
		"687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
		"800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
		"2",
		"1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD")
	tc512C = newCurve("id-tc26-gost-3410-12-512-paramSetC", asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 3}, 64, false, 4,
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
		"DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E143064546E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
		"B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE038CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
		"3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
		"E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043AA27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
		"F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9BE18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F")
)

// The seven TC26 parameter sets of GOST R 34.10-2012.
func Curve256A() *Curve { return tc256A } // twisted Edwards, cofactor 4
func Curve256B() *Curve { return tc256B } // the curve of CryptoPro A
func Curve256C() *Curve { return tc256C } // the curve of CryptoPro B
func Curve256D() *Curve { return tc256D } // the curve of CryptoPro C
func Curve512A() *Curve { return tc512A }
func Curve512B() *Curve { return tc512B }
func Curve512C() *Curve { return tc512C } // twisted Edwards, cofactor 4

// The CryptoPro identifiers (RFC 4357) of the 256-bit curves, as OpenSSL
// and most Russian certificates still write them.
func CryptoProA() *Curve    { return cpA }
func CryptoProB() *Curve    { return cpB }
func CryptoProC() *Curve    { return cpC }
func CryptoProXchA() *Curve { return cpXchA }
func CryptoProXchB() *Curve { return cpXchB }

var curves = []*Curve{tc256A, tc256B, tc256C, tc256D, tc512A, tc512B, tc512C, cpA, cpB, cpC, cpXchA, cpXchB}

// Curves lists every parameter set this package knows, the seven TC26
// sets first.
func Curves() []*Curve { return append([]*Curve(nil), curves...) }

// CurveByOID finds a parameter set by its identifier. The test sets of the
// standard's appendix are not among them: they are not for real keys.
func CurveByOID(oid asn1.ObjectIdentifier) (*Curve, bool) {
	for _, c := range curves {
		if c.oid.Equal(oid) {
			return c, true
		}
	}
	return nil, false
}
