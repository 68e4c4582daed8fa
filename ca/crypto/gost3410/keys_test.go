package gost3410

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

type prng struct{ r *rand.ChaCha8 }

func (p prng) Read(b []byte) (int, error) { return p.r.Read(b) }

type zeros struct{}

func (zeros) Read(b []byte) (int, error) { clear(b); return len(b), nil }

func newPRNG(seed byte) prng { return prng{rand.NewChaCha8([32]byte{seed})} }

// The constant-time projective code (the window for any point, the comb
// for the base point) agrees with exact affine arithmetic
// on every parameter set, for random scalars and the edge cases 0, 1,
// q-1 and q.
func TestScalarMultAgainstAffine(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range append(Curves()[:7], test256, test512) {
		ks := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(15), big.NewInt(16),
			new(big.Int).Sub(c.qBig, big.NewInt(1)), new(big.Int).Set(c.qBig)}
		for i := 0; i < 2; i++ {
			b := make([]byte, c.size)
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
			ks = append(ks, new(big.Int).Mod(new(big.Int).SetBytes(b), c.qBig))
		}
		for _, k := range ks {
			wx, wy := c.affineScalarMult(c.gxBig, c.gyBig, k)
			kb := k.FillBytes(make([]byte, c.size))
			for name, pt := range map[string]*point{"window": c.scalarMult(c.g, kb), "comb": c.scalarBaseMult(kb)} {
				x, y, ok := c.affine(pt)
				if wx == nil {
					if ok != 0 {
						t.Errorf("%s %s: %v·P should be O", c.name, name, k)
					}
					continue
				}
				if ok != 1 || new(big.Int).SetBytes(x.Bytes(c.p)).Cmp(wx) != 0 || new(big.Int).SetBytes(y.Bytes(c.p)).Cmp(wy) != 0 {
					t.Errorf("%s %s: %v·P differs from the affine computation", c.name, name, k)
				}
			}
		}
	}
}

// Public-key validation refuses points off the curve, coordinates not
// reduced mod p, the all-zero encoding (how "infinity" would be written),
// and on the cofactor-4 sets points of the curve outside the subgroup of
// order q, including points of small order.
func TestPublicKeyValidation(t *testing.T) {
	for _, c := range Curves()[:7] {
		if _, err := NewPublicKey(c, c.gxBig, c.gyBig); err != nil {
			t.Fatalf("%s: base point refused: %v", c.name, err)
		}
		if _, err := NewPublicKey(c, c.gxBig, new(big.Int).Add(c.gyBig, big.NewInt(1))); !errors.Is(err, ErrOffCurve) {
			t.Errorf("%s: off-curve point: %v", c.name, err)
		}
		if _, err := NewPublicKey(c, new(big.Int).Add(c.gxBig, c.pBig), c.gyBig); !errors.Is(err, ErrOffCurve) {
			t.Errorf("%s: x + p: %v", c.name, err)
		}
		if _, err := NewPublicKey(c, c.gxBig, new(big.Int).Sub(c.gyBig, c.pBig)); !errors.Is(err, ErrOffCurve) {
			t.Errorf("%s: negative y: %v", c.name, err)
		}
		if _, err := ParsePublicKey(c, make([]byte, 2*c.size)); err == nil {
			t.Errorf("%s: all-zero key accepted", c.name)
		}
		if _, err := ParsePublicKey(c, make([]byte, 2*c.size-1)); !errors.Is(err, ErrKeyLength) {
			t.Errorf("%s: short key: %v", c.name, err)
		}
		if c.cofactor == 1 {
			continue
		}
		// The Jacobian subgroup check agrees with exact affine arithmetic.
		for seed := int64(1); seed < 12; seed++ {
			x, y := randomCurvePoint(t, c, seed*77)
			ox, _ := c.affineScalarMult(x, y, c.qBig)
			if c.inSubgroup(x, y) != (ox == nil) {
				t.Errorf("%s: subgroup checks disagree on x = %v", c.name, x)
			}
		}
		found := 0
		for seed := int64(1); found < 3 && seed < 1000; seed++ {
			x, y := randomCurvePoint(t, c, seed*1000)
			if ox, _ := c.affineScalarMult(x, y, c.qBig); ox == nil {
				continue // in the subgroup by chance
			}
			found++
			if _, err := NewPublicKey(c, x, y); !errors.Is(err, ErrNotInSubgroup) {
				t.Errorf("%s: point of order 2q or 4q: %v", c.name, err)
			}
			// q·R has order 2 or 4.
			sx, sy := c.affineScalarMult(x, y, c.qBig)
			if _, err := NewPublicKey(c, sx, sy); !errors.Is(err, ErrNotInSubgroup) {
				t.Errorf("%s: point of small order: %v", c.name, err)
			}
			// R + P: on the curve, not in the subgroup either.
			ax, ay := c.affineAdd(x, y, c.gxBig, c.gyBig)
			if _, err := NewPublicKey(c, ax, ay); !errors.Is(err, ErrNotInSubgroup) {
				t.Errorf("%s: base point plus a torsion point: %v", c.name, err)
			}
		}
		if found == 0 {
			t.Fatalf("%s: no point outside the subgroup found", c.name)
		}
	}
}

// Keys are generated in range, sign and verify through crypto.Signer and
// crypto.MessageSigner, deterministically without randomness and hedged
// with it; the signer refuses a digest of the wrong size and a non-zero
// hash function.
func TestSignVerify(t *testing.T) {
	for i, c := range Curves() {
		priv, err := GenerateKey(c, newPRNG(byte(i)))
		if err != nil {
			t.Fatal(err)
		}
		pub := priv.Public().(*PublicKey)
		msg := []byte("заявление на продление сертификата")
		var signer crypto.MessageSigner = priv
		sig, err := signer.SignMessage(newPRNG(99), msg, crypto.Hash(0))
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != 2*c.size || !VerifyMessage(pub, msg, sig) {
			t.Fatalf("%s: own signature does not verify", c.name)
		}
		if VerifyMessage(pub, append(msg, '.'), sig) {
			t.Fatalf("%s: verified for another message", c.name)
		}
		hh := c.NewHash()
		hh.Write(msg)
		digest := hh.Sum(nil)
		d1, _ := priv.Sign(nil, digest, nil)
		d2, _ := priv.Sign(nil, digest, crypto.Hash(0))
		if !bytes.Equal(d1, d2) || !Verify(pub, digest, d1) {
			t.Fatalf("%s: without randomness signatures should be equal and valid", c.name)
		}
		h1, _ := priv.Sign(newPRNG(1), digest, nil)
		h2, _ := priv.Sign(newPRNG(2), digest, nil)
		if bytes.Equal(h1, h2) || bytes.Equal(h1, d1) || !Verify(pub, digest, h1) || !Verify(pub, digest, h2) {
			t.Fatalf("%s: hedged signatures should differ and be valid", c.name)
		}
		if _, err := priv.Sign(nil, digest[:len(digest)-1], nil); !errors.Is(err, ErrDigestSize) {
			t.Fatalf("%s: short digest: %v", c.name, err)
		}
		if _, err := priv.Sign(nil, digest, crypto.SHA256); !errors.Is(err, ErrHashFunc) {
			t.Fatalf("%s: SHA-256 opts: %v", c.name, err)
		}
		again, err := NewPrivateKey(c, priv.Bytes())
		if err != nil || !again.Equal(priv) || !again.PublicKey().Equal(pub) {
			t.Fatalf("%s: private key does not round-trip: %v", c.name, err)
		}
		// r or s of 0 or ≥ q.
		q := c.qBig.FillBytes(make([]byte, c.size))
		for _, bad := range [][]byte{
			append(make([]byte, c.size), d1[c.size:]...),
			append(bytes.Clone(d1[:c.size]), make([]byte, c.size)...),
			append(bytes.Clone(q), d1[c.size:]...),
			append(bytes.Clone(d1[:c.size]), q...),
		} {
			if Verify(pub, digest, bad) {
				t.Fatalf("%s: out-of-range r or s verified", c.name)
			}
		}
	}
	for _, c := range []*Curve{Curve256A(), Curve512C()} {
		for _, d := range [][]byte{make([]byte, c.size), c.qBig.FillBytes(make([]byte, c.size))} {
			if _, err := NewPrivateKey(c, d); !errors.Is(err, ErrKeyRange) {
				t.Errorf("%s: private key 0 or q: %v", c.name, err)
			}
		}
	}
}

// The key is uniform in [1, q-1]: with a generator that first yields
// values ≥ q, GenerateKey rejects them and takes the next one.
func TestGenerateKeyRejects(t *testing.T) {
	c := Curve256A() // q ≈ 2^254: the top two bits are masked off
	ones := bytes.Repeat([]byte{0xff}, c.size)
	one := append(make([]byte, c.size-1), 1)
	priv, err := GenerateKey(c, bytes.NewReader(append(ones, one...)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(priv.Bytes(), one) {
		t.Fatalf("d = %x, want 1", priv.Bytes())
	}
	if _, err := GenerateKey(c, bytes.NewReader(ones)); !errors.Is(err, ErrRandomness) {
		t.Fatalf("ran out of randomness: %v", err)
	}
	// A broken generator that yields only zeros fails instead of hanging.
	if _, err := GenerateKey(c, zeros{}); !errors.Is(err, ErrRandomness) {
		t.Fatalf("all-zero generator: %v", err)
	}
	// The zero values of the key types refuse instead of panicking.
	if _, err := new(PrivateKey).Sign(nil, make([]byte, 32), nil); !errors.Is(err, errNoKey) {
		t.Fatalf("zero PrivateKey: %v", err)
	}
	if Verify(new(PublicKey), make([]byte, 32), make([]byte, 64)) || new(PublicKey).Bytes() != nil {
		t.Fatal("zero PublicKey")
	}
	if _, err := MarshalPKIXPublicKey(new(PublicKey)); err == nil {
		t.Fatal("zero PublicKey marshalled")
	}
}

// PKCS#8: the three forms of d that implementations write are read, and a
// key of 0, of q, of the wrong length or under another algorithm refused.
func TestPKCS8Forms(t *testing.T) {
	c := Curve256A()
	priv, _ := GenerateKey(c, newPRNG(3))
	build := func(alg asn1.ObjectIdentifier, key []byte) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(0)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(alg)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(c.oid) })
			})
			b.AddASN1OctetString(key)
		})
		return b.BytesOrPanic()
	}
	wrap := func(tag cbasn1.Tag, v []byte) []byte {
		var b cryptobyte.Builder
		b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(v) })
		return b.BytesOrPanic()
	}
	le := reverse(priv.Bytes())
	be := priv.Bytes()
	for name, key := range map[string][]byte{
		"raw little-endian":          le,
		"OCTET STRING little-endian": wrap(cbasn1.OCTET_STRING, le),
		"INTEGER":                    wrap(cbasn1.INTEGER, append([]byte{0}, be...)),
	} {
		got, err := ParsePKCS8PrivateKey(build(OIDPublicKey256, key))
		if err != nil || !got.Equal(priv) {
			t.Errorf("%s: %v", name, err)
		}
	}
	q := c.qBig.FillBytes(make([]byte, 32))
	for name, der := range map[string][]byte{
		"zero":         build(OIDPublicKey256, make([]byte, 32)),
		"q":            build(OIDPublicKey256, reverse(bytes.Clone(q))),
		"31 bytes":     build(OIDPublicKey256, le[:31]),
		"512-bit alg":  build(OIDPublicKey512, le),
		"another alg":  build(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, le),
		"trailing":     append(build(OIDPublicKey256, le), 0),
		"negative int": build(OIDPublicKey256, wrap(cbasn1.INTEGER, append([]byte{0x80}, be...))),
	} {
		if _, err := ParsePKCS8PrivateKey(der); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// SubjectPublicKeyInfo: unknown or mismatched parameter sets, a digest
// parameter of the other size, the test sets, trailing data and a key
// off the curve are refused, each with its reason.
func TestPKIXRefuses(t *testing.T) {
	priv, _ := GenerateKey(Curve256A(), newPRNG(4))
	key := priv.PublicKey().Bytes()
	build := func(alg asn1.ObjectIdentifier, params []asn1.ObjectIdentifier, key []byte) []byte {
		var k cryptobyte.Builder
		k.AddASN1OctetString(key)
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(alg)
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, p := range params {
						b.AddASN1ObjectIdentifier(p)
					}
				})
			})
			b.AddASN1BitString(k.BytesOrPanic())
		})
		return b.BytesOrPanic()
	}
	setA := Curve256A().OID()
	if _, err := ParsePKIXPublicKey(build(OIDPublicKey256, []asn1.ObjectIdentifier{setA}, key)); err != nil {
		t.Fatalf("the well-formed key: %v", err)
	}
	if _, err := ParsePKIXPublicKey(build(OIDPublicKey256, []asn1.ObjectIdentifier{setA, OIDStreebog256}, key)); err != nil {
		t.Fatalf("with the digest parameter: %v", err)
	}
	offCurve := bytes.Clone(key)
	offCurve[0] ^= 1
	for name, c := range map[string]struct {
		der  []byte
		want error
	}{
		"unknown set":          {build(OIDPublicKey256, []asn1.ObjectIdentifier{{1, 2, 643, 7, 1, 2, 1, 1, 9}}, key), ErrUnknownParamSet},
		"test set":             {build(OIDPublicKey256, []asn1.ObjectIdentifier{test256.oid}, key), ErrUnknownParamSet},
		"256 set, 512 alg":     {build(OIDPublicKey512, []asn1.ObjectIdentifier{setA}, key), ErrParamSetSize},
		"Streebog-512 for 256": {build(OIDPublicKey256, []asn1.ObjectIdentifier{setA, OIDStreebog512}, key), ErrDigestParam},
		"ECDSA":                {build(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, []asn1.ObjectIdentifier{setA}, key), ErrNotGOST},
		"no parameters":        {build(OIDPublicKey256, nil, key), ErrMalformedSPKI},
		"short key":            {build(OIDPublicKey256, []asn1.ObjectIdentifier{setA}, key[:63]), ErrKeyLength},
		"off the curve":        {build(OIDPublicKey256, []asn1.ObjectIdentifier{setA}, offCurve), ErrOffCurve},
		"trailing data":        {append(build(OIDPublicKey256, []asn1.ObjectIdentifier{setA}, key), 0), ErrMalformedSPKI},
	} {
		if _, err := ParsePKIXPublicKey(c.der); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// The cofactor-4 sets have points of order two, where RCB's Weierstrass
// formulas are not complete: P + Q with P − Q of order two gives (0:0:0).
// That is why those sets compute on their Edwards form, whose addition is
// complete because d is not a square (and e = 1 is): the same sum comes
// out right there, torsion and all.
func TestCofactorFourSetsUseCompleteEdwards(t *testing.T) {
	for _, c := range []*Curve{Curve256A(), Curve512C()} {
		if c.ed == nil {
			t.Fatalf("%s: no Edwards form", c.name)
		}
		// d as R 1323565.1.024 / RFC 7836 publish it (e = 1).
		wantD := map[*Curve]string{
			tc256A: "0605F6B7C183FA81578BC39CFAD518132B9DF62897009AF7E522C32D6DC7BFFB",
			tc512C: "9E4F5D8C017D8D9F13A5CF3CDF5BFE4DAB402D54198E31EBDE28A0621050439CA6B39E0A515C06B304E2CE43E79E369E91A0CFC2BC2A22B4CA302DBB33EE7550",
		}[c]
		if c.ed.dBig.Cmp(mustHex(wantD)) != 0 {
			t.Fatalf("%s: derived d = %X", c.name, c.ed.dBig)
		}
		if big.Jacobi(c.ed.dBig, c.pBig) != -1 {
			t.Fatalf("%s: d is a square: the Edwards addition would not be complete", c.name)
		}
		var tx, ty *big.Int
		for seed := int64(1); tx == nil; seed++ {
			x, y := randomCurvePoint(t, c, seed*31)
			sx, sy := c.affineScalarMult(x, y, c.qBig)
			if sx == nil {
				continue
			}
			if sy.Sign() != 0 { // order 4: double it to order 2
				sx, sy = c.affineAdd(sx, sy, sx, sy)
			}
			tx, ty = sx, sy
		}
		px, py := c.affineAdd(c.gxBig, c.gyBig, tx, ty) // P = G + T, so P − G = T
		wx, wy := c.affineAdd(px, py, c.gxBig, c.gyBig)

		// Weierstrass projective points by hand: RCB fails.
		proj := func(x, y *big.Int) *point {
			p := c.newPoint()
			set(p.x, c.fe(x))
			set(p.y, c.fe(y))
			p.z.Bits()[0] = 1
			return p
		}
		bad := c.addRCB(proj(px, py), proj(c.gxBig, c.gyBig))
		if bad.x.IsZero() != 1 || bad.y.IsZero() != 1 || bad.z.IsZero() != 1 {
			t.Errorf("%s: expected RCB's exceptional (0:0:0) for P − Q of order two", c.name)
		}

		// The Edwards form: right.
		x, y, ok := c.affine(c.addPoints(c.pointFromAffine(px, py), c.g))
		if ok != 1 || new(big.Int).SetBytes(x.Bytes(c.p)).Cmp(wx) != 0 || new(big.Int).SetBytes(y.Bytes(c.p)).Cmp(wy) != 0 {
			t.Errorf("%s: the Edwards sum with torsion is wrong", c.name)
		}
		// And doubling, identity and inverse on the Edwards form.
		x, y, ok = c.affine(c.addPoints(c.g, c.g))
		dx, dy := c.affineAdd(c.gxBig, c.gyBig, c.gxBig, c.gyBig)
		if ok != 1 || new(big.Int).SetBytes(x.Bytes(c.p)).Cmp(dx) != 0 || new(big.Int).SetBytes(y.Bytes(c.p)).Cmp(dy) != 0 {
			t.Errorf("%s: 2G is wrong", c.name)
		}
		if _, _, ok := c.affine(c.addPoints(c.g, c.pointFromAffine(c.gxBig, new(big.Int).Sub(c.pBig, c.gyBig)))); ok != 0 {
			t.Errorf("%s: G + (−G) is not O", c.name)
		}
	}
}

// A generator stuck on one output cannot make two signatures share a
// nonce: k is derived from the key and the digest as well, so two
// messages get two r, and two keys signing one message too.
func TestStuckGeneratorNoNonceReuse(t *testing.T) {
	for _, c := range []*Curve{Curve256A(), Curve512B()} {
		k1, _ := GenerateKey(c, newPRNG(1))
		k2, _ := GenerateKey(c, newPRNG(2))
		d1 := bytes.Repeat([]byte{1}, c.size)
		d2 := bytes.Repeat([]byte{2}, c.size)
		s11, _ := k1.Sign(zeros{}, d1, nil)
		s12, _ := k1.Sign(zeros{}, d2, nil)
		s21, _ := k2.Sign(zeros{}, d1, nil)
		r := func(sig []byte) []byte { return sig[c.size:] }
		if bytes.Equal(r(s11), r(s12)) || bytes.Equal(r(s11), r(s21)) {
			t.Fatalf("%s: the same r (the same k) for another message or key", c.name)
		}
		if !Verify(k1.PublicKey(), d1, s11) || !Verify(k1.PublicKey(), d2, s12) || !Verify(k2.PublicKey(), d1, s21) {
			t.Fatalf("%s: signatures with a stuck generator do not verify", c.name)
		}
	}
}
