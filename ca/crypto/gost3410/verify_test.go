package gost3410

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"

	"filippo.io/bigmod"
)

// linCombReference is the verification's z1·P + z2·Q before it had its
// own code: the constant-time comb, window and Fermat inversion of signing.
func linCombReference(c *Curve, z1, z2 []byte, q *point) (*bigmod.Nat, int) {
	x, _, ok := c.affine(c.addPoints(c.scalarBaseMult(z1), c.scalarMult(q, z2)))
	return x, ok
}

// verifyReference is Verify on the reference computation: the same checks.
func verifyReference(pub *PublicKey, digest, sig []byte) bool {
	return verify(pub, digest, sig, linCombReference)
}

// The width-w NAF has the digits it should and sums back to k.
func TestWNAF(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	ks := [][]byte{{0}, {1}, {2}, {0x7f}, {0xff}, {0xff, 0xff}, bytes.Repeat([]byte{0xff}, 64), bytes.Repeat([]byte{0x55}, 32)}
	for i := 0; i < 50; i++ {
		b := make([]byte, 1+i)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		ks = append(ks, b)
	}
	for _, w := range []uint{2, keyWindow, baseWindow} {
		for _, k := range ks {
			digits := wnaf(k, w)
			sum := new(big.Int)
			for i := len(digits) - 1; i >= 0; i-- {
				d := int(digits[i])
				sum.Lsh(sum, 1).Add(sum, big.NewInt(int64(d)))
				if d == 0 {
					continue
				}
				if d%2 == 0 || d <= -(1<<(w-1)) || d >= 1<<(w-1) {
					t.Fatalf("w=%d k=%x: digit %d", w, k, d)
				}
				for j := i + 1; j < i+int(w) && j < len(digits); j++ {
					if digits[j] != 0 {
						t.Fatalf("w=%d k=%x: digits %d and %d closer than w", w, k, i, j)
					}
				}
			}
			if sum.Cmp(new(big.Int).SetBytes(k)) != 0 {
				t.Fatalf("w=%d k=%x: sums to %x", w, k, sum)
			}
			if len(digits) > 0 && digits[len(digits)-1] <= 0 {
				t.Fatalf("w=%d k=%x: top digit %d", w, k, digits[len(digits)-1])
			}
		}
	}
}

// The variable-time z1·P + z2·Q agrees with exact affine arithmetic and
// with the reference on every set (the standard's test sets too, whose a
// is not −3), for random scalars and the edges: 0, 1, q−1, sums that are O
// (z2·Q = −z1·P) and doublings met inside an addition (z2·Q = z1·P).
func TestLinCombVarTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range append(Curves()[:7], test256, test512) {
		rnd := func() *big.Int {
			b := make([]byte, c.size)
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
			return new(big.Int).Mod(new(big.Int).SetBytes(b), c.qBig)
		}
		qm1 := new(big.Int).Sub(c.qBig, big.NewInt(1))
		d := rnd()
		if d.Sign() == 0 {
			d.SetInt64(2)
		}
		priv, err := NewPrivateKey(c, d.FillBytes(make([]byte, c.size)))
		if err != nil {
			t.Fatal(err)
		}
		pub := priv.PublicKey()
		dInv := new(big.Int).ModInverse(d, c.qBig)
		type tc struct {
			z1, z2 *big.Int
			q      *PublicKey
		}
		var cases []tc
		small := []*big.Int{big.NewInt(0), big.NewInt(1), qm1, rnd()}
		for _, a := range small {
			for _, b := range small {
				cases = append(cases, tc{a, b, pub})
			}
		}
		gKey := &PublicKey{curve: c, x: c.gxBig, y: c.gyBig, pt: c.g}
		for i := 0; i < 4; i++ {
			z1 := rnd()
			// z2·d = ∓z1: z2·Q = −z1·P (O) and z2·Q = z1·P (a doubling).
			zo := new(big.Int).Mul(new(big.Int).Sub(c.qBig, z1), dInv)
			zd := new(big.Int).Mul(z1, dInv)
			cases = append(cases, tc{z1, zo.Mod(zo, c.qBig), pub}, tc{z1, zd.Mod(zd, c.qBig), pub},
				tc{z1, new(big.Int).Sub(c.qBig, z1), gKey}, tc{z1, z1, gKey}, tc{rnd(), rnd(), pub})
		}
		for _, k := range cases {
			z1b, z2b := k.z1.FillBytes(make([]byte, c.size)), k.z2.FillBytes(make([]byte, c.size))
			x, ok := c.linCombVarTime(z1b, z2b, k.q.pt)
			rx, rok := linCombReference(c, z1b, z2b, k.q.pt)
			ax, ay := c.affineScalarMult(c.gxBig, c.gyBig, k.z1)
			bx, by := c.affineScalarMult(k.q.x, k.q.y, k.z2)
			wx, _ := c.affineAdd(ax, ay, bx, by)
			if ok != rok || (ok == 1 && x.Equal(rx) != 1) {
				t.Fatalf("%s z1=%x z2=%x: differs from the reference", c.name, k.z1, k.z2)
			}
			if (wx == nil) != (ok == 0) || (wx != nil && new(big.Int).SetBytes(x.Bytes(c.p)).Cmp(wx) != 0) {
				t.Fatalf("%s z1=%x z2=%x: differs from the affine computation", c.name, k.z1, k.z2)
			}
		}
	}
}

// Verify and the reference give the same answer on every set for valid
// signatures, each half and the digest corrupted, another key, the
// boundary values of r and s, digests with e = 0 mod q (read as 1) and
// signatures whose z1·P + z2·Q is O (s = r·d).
func TestVerifyAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for ci, c := range Curves() {
		n := 2
		if ci >= 7 {
			n = 1 // the CryptoPro identifiers share the curves of TC26 sets
		}
		other, _ := GenerateKey(c, newPRNG(byte(100+ci)))
		le := func(v *big.Int) []byte { // v as a little-endian digest
			b := v.FillBytes(make([]byte, c.size))
			for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
				b[i], b[j] = b[j], b[i]
			}
			return b
		}
		qm1 := new(big.Int).Sub(c.qBig, big.NewInt(1))
		for i := 0; i < n; i++ {
			priv, _ := GenerateKey(c, newPRNG(byte(ci*16+i)))
			pub := priv.PublicKey()
			digest := make([]byte, c.size)
			for j := range digest {
				digest[j] = byte(rng.Uint32())
			}
			digests := [][]byte{digest, make([]byte, c.size), le(big.NewInt(1))}
			if i > 0 || ci >= 7 {
				digests = digests[:1]
			} else if c.qBig.BitLen() <= 8*c.size {
				digests = append(digests, le(c.qBig), le(qm1))
			}
			for _, dg := range digests {
				sig, err := priv.Sign(nil, dg, nil)
				if err != nil {
					t.Fatal(err)
				}
				check := func(what string, pub *PublicKey, dg, sig []byte, want bool) {
					t.Helper()
					got, ref := Verify(pub, dg, sig), verifyReference(pub, dg, sig)
					if got != ref || got != want {
						t.Fatalf("%s %s: Verify %v, reference %v, want %v", c.name, what, got, ref, want)
					}
				}
				check("valid", pub, dg, sig, true)
				flip := func(j int, b byte) []byte { s := bytes.Clone(sig); s[j] ^= b; return s }
				check("s flipped", pub, dg, flip(int(rng.IntN(c.size)), 1<<rng.IntN(8)), false)
				check("r flipped", pub, dg, flip(c.size+int(rng.IntN(c.size)), 1<<rng.IntN(8)), false)
				d2 := bytes.Clone(dg)
				d2[rng.IntN(c.size)] ^= 1 << rng.IntN(8)
				// 0 and 1 both give e = 1: a flip between them still verifies.
				check("digest flipped", pub, d2, sig, c.digestToE(d2).Equal(c.digestToE(dg)) == 1)
				check("other key", other.PublicKey(), dg, sig, false)
				r := new(big.Int).SetBytes(sig[c.size:])
				for _, s := range []*big.Int{big.NewInt(1), qm1} {
					bad, _ := MarshalSignature(c, r, s)
					check("s at an edge", pub, dg, bad, false)
				}
				for _, rr := range []*big.Int{big.NewInt(1), qm1} {
					bad, _ := MarshalSignature(c, rr, new(big.Int).SetBytes(sig[:c.size]))
					check("r at an edge", pub, dg, bad, false)
				}
				// s = r·d mod q makes z1·P + z2·Q = (s − r·d)·v·P = O.
				d := new(big.Int).SetBytes(priv.Bytes())
				s := new(big.Int).Mul(r, d)
				inf, _ := MarshalSignature(c, r, s.Mod(s, c.qBig))
				check("sum at infinity", pub, dg, inf, false)
				// Out of range: 0 and q for either half.
				zero, q := make([]byte, c.size), c.qBig.FillBytes(make([]byte, c.size))
				check("s = 0", pub, dg, append(bytes.Clone(zero), sig[c.size:]...), false)
				check("r = 0", pub, dg, append(bytes.Clone(sig[:c.size]), zero...), false)
				check("s = q", pub, dg, append(bytes.Clone(q), sig[c.size:]...), false)
				check("r = q", pub, dg, append(bytes.Clone(sig[:c.size]), q...), false)
			}
		}
	}
}

// The Jacobian formulas against exact affine arithmetic, with a random Z,
// in each case the addition branches on: O + q, q + q (a doubling), −q + q
// (O) and p + q; and the doubling of O and of p.
func TestJacobianFormulas(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, c := range Curves()[:7] {
		if !c.jacobian() {
			continue
		}
		rnd := func() *big.Int {
			b := make([]byte, c.size)
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
			return new(big.Int).Mod(new(big.Int).SetBytes(b), c.pBig)
		}
		fe := func(v *big.Int) *bigmod.Nat { return c.fe(new(big.Int).Mod(v, c.pBig)) }
		// jac writes (x, y) as (λ²x : λ³y : λ), nil as O.
		jac := func(x, y *big.Int) *jacPoint {
			if x == nil {
				return &jacPoint{c.newFe(), c.fe(big.NewInt(1)), c.newFe()}
			}
			l := rnd()
			l2 := new(big.Int).Mul(l, l)
			return &jacPoint{fe(new(big.Int).Mul(x, l2)), fe(new(big.Int).Mul(y, new(big.Int).Mul(l2, l))), fe(l)}
		}
		// back returns the affine form of p, nil for O.
		back := func(p *jacPoint) (*big.Int, *big.Int) {
			if p.z.IsZero() == 1 {
				return nil, nil
			}
			z := new(big.Int).SetBytes(p.z.Bytes(c.p))
			zi := new(big.Int).ModInverse(z, c.pBig)
			zi2 := new(big.Int).Mul(zi, zi)
			x := new(big.Int).Mul(new(big.Int).SetBytes(p.x.Bytes(c.p)), zi2)
			y := new(big.Int).Mul(new(big.Int).SetBytes(p.y.Bytes(c.p)), zi2.Mul(zi2, zi))
			return x.Mod(x, c.pBig), y.Mod(y, c.pBig)
		}
		sc := c.newScratch()
		add := func(p *jacPoint, q *affinePoint) *jacPoint { c.jacAddAffine(p, q, sc); return p }
		double := func(p *jacPoint) *jacPoint { c.jacDouble(p, sc); return p }
		same := func(what string, x1, y1, x2, y2 *big.Int) {
			t.Helper()
			if (x1 == nil) != (x2 == nil) || (x1 != nil && (x1.Cmp(x2) != 0 || y1.Cmp(y2) != 0)) {
				t.Fatalf("%s %s: (%v, %v), want (%v, %v)", c.name, what, x1, y1, x2, y2)
			}
		}
		for i := 0; i < 3; i++ {
			px, py := c.affineScalarMult(c.gxBig, c.gyBig, rnd())
			qx, qy := c.affineScalarMult(c.gxBig, c.gyBig, rnd())
			q := &affinePoint{c.fe(qx), c.fe(qy)}
			x, y := back(add(jac(nil, nil), q))
			same("O + q", x, y, qx, qy)
			x, y = back(add(jac(qx, qy), q))
			wx, wy := c.affineAdd(qx, qy, qx, qy)
			same("q + q", x, y, wx, wy)
			x, y = back(add(jac(qx, new(big.Int).Sub(c.pBig, qy)), q))
			same("−q + q", x, y, nil, nil)
			x, y = back(add(jac(px, py), q))
			wx, wy = c.affineAdd(px, py, qx, qy)
			same("p + q", x, y, wx, wy)
			x, y = back(double(jac(nil, nil)))
			same("2·O", x, y, nil, nil)
			x, y = back(double(jac(px, py)))
			wx, wy = c.affineAdd(px, py, px, py)
			same("2·p", x, y, wx, wy)
			if _, ok := c.jacX(jac(nil, nil)); ok != 0 {
				t.Fatalf("%s: jacX(O) is not O", c.name)
			}
			if x, ok := c.jacX(jac(px, py)); ok != 1 || new(big.Int).SetBytes(x.Bytes(c.p)).Cmp(px) != 0 {
				t.Fatalf("%s: jacX(p) is not p's x", c.name)
			}
		}
	}
}

// doubleEdwards gives what the unified addition gives for p + p, on
// multiples of the base point, O, and the points (0, −1) of order 2 and
// (1, 0) of order 4.
func TestDoubleEdwards(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, c := range Curves()[:7] {
		if c.ed == nil {
			continue
		}
		one, minus1 := c.fe(big.NewInt(1)), c.fe(new(big.Int).Sub(c.pBig, big.NewInt(1)))
		pts := []*point{c.identity(), {c.newFe(), minus1, one, c.newFe()}, {one, c.newFe(), one, c.newFe()}}
		for i := 0; i < 4; i++ {
			k := make([]byte, c.size)
			for j := range k {
				k[j] = byte(rng.Uint32())
			}
			k[0] &= 0x3f
			pts = append(pts, c.scalarMult(c.g, k))
		}
		s := c.newScratch()
		for i, p := range pts {
			a := c.addEdwards(p, p)
			d := c.newPoint()
			d.set(p)
			c.doubleEdwards(d, s)
			x1, y1, ok1 := c.affine(d)
			x2, y2, ok2 := c.affine(a)
			// affine is the Weierstrass map: compare the Edwards ratios too,
			// which stay defined where it is not (O and order 2).
			cross := func(u1, z1, u2, z2 *bigmod.Nat) bool {
				l, r := c.newFe(), c.newFe()
				c.mul(l, u1, z2)
				c.mul(r, u2, z1)
				return l.Equal(r) == 1
			}
			if ok1 != ok2 || x1.Equal(x2) != 1 || y1.Equal(y2) != 1 ||
				!cross(d.x, d.z, a.x, a.z) || !cross(d.y, d.z, a.y, a.z) || !cross(d.t, d.z, a.t, a.z) || d.z.IsZero() == 1 {
				t.Fatalf("%s point %d: doubleEdwards differs from addEdwards", c.name, i)
			}
		}
	}
}

// Concurrent first verifications on a curve share one base-point table
// (run with -race): each sees it whole, and each verifies.
func TestVerifyConcurrentFirstUse(t *testing.T) {
	for _, c0 := range []*Curve{tc256B, tc256A} {
		c := *c0
		c.odd = new(baseOdd) // a curve whose table is not made yet
		priv, _ := GenerateKey(&c, newPRNG(1))
		digest := bytes.Repeat([]byte{3}, c.size)
		sig, _ := priv.Sign(nil, digest, nil)
		errs := make(chan bool, 4)
		for i := 0; i < 4; i++ {
			go func() { errs <- Verify(priv.PublicKey(), digest, sig) }()
		}
		for i := 0; i < 4; i++ {
			if !<-errs {
				t.Fatalf("%s: a concurrent verification failed", c.name)
			}
		}
	}
}
