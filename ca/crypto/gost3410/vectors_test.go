package gost3410

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"testing"

	"filippo.io/bigmod"
)

// The test parameter sets of GOST R 34.10-2012 appendix A (not for real
// keys, so not in CurveByOID).
var (
	test256 = newCurve("id-GostR3410-2001-TestParamSet", asn1.ObjectIdentifier{1, 2, 643, 2, 2, 35, 0}, 32, true, 1,
		"8000000000000000000000000000000000000000000000000000000000000431",
		"7",
		"5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
		"8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
		"2",
		"08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8")
	test512 = newCurve("id-tc26-gost-3410-12-512-paramSetTest", asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 1, 2, 0}, 64, true, 1,
		"4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
		"7",
		"1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
		"4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
		"24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
		"2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E")
)

func h(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The examples of GOST R 34.10-2012 appendix A (also RFC 7091 appendix A
// for the first; the same values in bee2's test/crypto/g12s_test.c): the
// public key from d, the signature from e and k, and its verification.
func TestStandardExamples(t *testing.T) {
	cases := []struct {
		name                  string
		c                     *Curve
		d, qx, qy, e, k, r, s string
	}{
		{"A.1", test256,
			"7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
			"7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
			"26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
			"2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
			"77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
			"41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
			"01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40"},
		{"A.2", test512,
			"0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
			"115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
			"37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
			"3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
			"0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
			"2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
			"1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			priv, err := NewPrivateKey(c, h(t, tc.d))
			if err != nil {
				t.Fatal(err)
			}
			x, y := priv.PublicKey().Coordinates()
			if x.Cmp(mustHex(tc.qx)) != 0 || y.Cmp(mustHex(tc.qy)) != 0 {
				t.Fatalf("Q = (%X, %X)", x, y)
			}
			// The example gives e as a number; our API takes the digest,
			// which is e little-endian.
			digest := reverse(mustHex(tc.e).FillBytes(make([]byte, c.size)))
			e := c.digestToE(digest)
			if !bytes.Equal(e.Bytes(c.q), h(t, tc.e)) {
				t.Fatalf("e = %X", e.Bytes(c.q))
			}
			k, err := bigmod.NewNat().SetBytes(h(t, tc.k), c.q)
			if err != nil {
				t.Fatal(err)
			}
			sig, ok := priv.signWith(e, k)
			if !ok {
				t.Fatal("no signature")
			}
			want := append(h(t, tc.s), h(t, tc.r)...) // s‖r
			if !bytes.Equal(sig, want) {
				t.Fatalf("signature %X, want %X", sig, want)
			}
			pub, err := NewPublicKey(c, mustHex(tc.qx), mustHex(tc.qy))
			if err != nil {
				t.Fatal(err)
			}
			if !Verify(pub, digest, sig) {
				t.Fatal("the standard's signature does not verify")
			}
			// A bit flipped at either end of s and of r.
			for _, i := range []int{0, c.size - 1, c.size, 2*c.size - 1} {
				bad := bytes.Clone(sig)
				bad[i] ^= 1
				if Verify(pub, digest, bad) {
					t.Fatalf("verified with byte %d flipped", i)
				}
			}
			other := bytes.Clone(digest)
			other[0] ^= 1
			if Verify(pub, other, sig) {
				t.Fatal("verified for another digest")
			}
		})
	}
}

// Each parameter set is sound: p and q prime, the base point on the curve
// and of order q, the curve order cofactor·q (checked through a random
// point: (cofactor·q)·R = O), and q of the announced size.
func TestParameterSets(t *testing.T) {
	for _, c := range append(Curves(), test256, test512) {
		if !c.pBig.ProbablyPrime(20) || !c.qBig.ProbablyPrime(20) {
			t.Errorf("%s: p or q not prime", c.name)
		}
		if !c.onCurve(c.gxBig, c.gyBig) {
			t.Errorf("%s: base point off the curve", c.name)
		}
		if x, _ := c.affineScalarMult(c.gxBig, c.gyBig, c.qBig); x != nil {
			t.Errorf("%s: q·P ≠ O", c.name)
		}
		if c.p.Size() != c.size || c.q.Size() != c.size {
			t.Errorf("%s: sizes %d/%d, want %d", c.name, c.p.Size(), c.q.Size(), c.size)
		}
		x, y := randomCurvePoint(t, c, 7)
		n := new(big.Int).Mul(c.qBig, big.NewInt(c.cofactor))
		if ox, _ := c.affineScalarMult(x, y, n); ox != nil {
			t.Errorf("%s: the order of the curve is not %d·q", c.name, c.cofactor)
		}
	}
}

// randomCurvePoint finds a point of the whole curve (any order) by trying
// x = seed, seed+1, … until x³ + ax + b is a square.
func randomCurvePoint(t *testing.T, c *Curve, seed int64) (*big.Int, *big.Int) {
	t.Helper()
	for x := big.NewInt(seed); ; x.Add(x, big.NewInt(1)) {
		rhs := new(big.Int).Mul(x, x)
		rhs.Add(rhs, c.aBig).Mul(rhs, x).Add(rhs, c.bBig).Mod(rhs, c.pBig)
		if y := new(big.Int).ModSqrt(rhs, c.pBig); y != nil {
			return new(big.Int).Set(x), y
		}
	}
}

// The signature value is s‖r: the standard's example A.1 through
// MarshalSignature and ParseSignature, and out-of-range halves refused.
func TestSignatureLayout(t *testing.T) {
	c := test256
	r := mustHex("41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493")
	s := mustHex("01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40")
	sig, err := MarshalSignature(c, r, s)
	if err != nil {
		t.Fatal(err)
	}
	if want := "01456c64ba4642a1653c235a98a60249bcd6d3f746b631df928014f6c5bf9c40" +
		"41aa28d2f1ab148280cd9ed56feda41974053554a42767b83ad043fd39dc0493"; hex.EncodeToString(sig) != want {
		t.Fatalf("s‖r = %x", sig)
	}
	r2, s2, err := ParseSignature(c, sig)
	if err != nil || r2.Cmp(r) != 0 || s2.Cmp(s) != 0 {
		t.Fatalf("parse: %v", err)
	}
	for _, bad := range [][2]*big.Int{{big.NewInt(0), s}, {r, c.qBig}, {nil, s}} {
		if _, err := MarshalSignature(c, bad[0], bad[1]); err == nil {
			t.Errorf("r=%v s=%v accepted", bad[0], bad[1])
		}
	}
	if _, _, err := ParseSignature(c, sig[1:]); err == nil {
		t.Error("short signature parsed")
	}
	if _, _, err := ParseSignature(c, append(c.qBig.FillBytes(make([]byte, 32)), sig[32:]...)); err == nil {
		t.Error("s = q parsed")
	}
}

// Which addition each set takes: a = −3 on the five sets of cofactor 1
// (the cheaper RCB formulas), Edwards on the two of cofactor 4; and both
// RCB variants agree where both apply.
func TestAdditionChoice(t *testing.T) {
	for _, c := range Curves()[:7] {
		if got, want := c.aMinus3, c.cofactor == 1; got != want {
			t.Errorf("%s: a = −3 is %v", c.name, got)
		}
		if (c.ed != nil) != (c.cofactor == 4) {
			t.Errorf("%s: Edwards form %v", c.name, c.ed != nil)
		}
		if !c.aMinus3 {
			continue
		}
		p := c.g
		for i := 0; i < 5; i++ {
			q := c.addRCB(p, c.g)
			r := c.addRCBMinus3(p, c.g)
			x1, y1, _ := c.affine(q)
			x2, y2, _ := c.affine(r)
			if x1.Equal(x2) != 1 || y1.Equal(y2) != 1 {
				t.Fatalf("%s: the two RCB additions disagree", c.name)
			}
			p = q
		}
	}
}
