package gost3410

import (
	"crypto/subtle"
	"math/big"
	"math/bits"

	"filippo.io/bigmod"
)

// point is a projective point (X:Y:Z) of y² = x³ + ax + b, Z = 0 the
// point at infinity, or on the two cofactor-4 sets an extended point
// (X:Y:Z:T) of their Edwards form (edwards.go). Coordinates are bigmod
// Nats, whose operations take the same time whatever the values.
//
// Every addition is complete (no branch, no exceptional case, doublings
// included) for every pair of points that can reach it:
//   - cofactor 1: the complete formulas of Renes, Costello and Batina
//     (2016; algorithm 4 for a = −3, which all five sets have, algorithm
//     1 for any a, used by the standard's test sets), which fail only when
//     P − Q has order two; these curves have prime order, so no point has
//     order two;
//   - cofactor 4: those formulas would fail there (a test shows the
//     (0:0:0) they give), so these sets use the unified Edwards addition,
//     complete on all points because d is not a square.
//
// Public keys are still checked for q·Q = O (NewPublicKey): a key of small
// order or with a torsion part is refused before any use. Verification
// alone, on public data, also uses incomplete Jacobian formulas that branch
// on their exceptional cases (jacobian.go).
type point struct{ x, y, z, t *bigmod.Nat }

func (c *Curve) newFe() *bigmod.Nat { return bigmod.NewNat().ExpandFor(c.p) }

func (c *Curve) newPoint() *point {
	return &point{c.newFe(), c.newFe(), c.newFe(), c.newFe()}
}

// identity returns O: (0:1:0), or (0:1:1:0) on the Edwards form.
func (c *Curve) identity() *point {
	p := c.newPoint()
	p.y.Bits()[0] = 1
	if c.ed != nil {
		p.z.Bits()[0] = 1
	}
	return p
}

// pointFromAffine converts a public point (x, y) of the Weierstrass curve,
// not O, and on the Edwards sets of odd order (the base point or a checked
// public key: the map below is undefined only at points of order 1, 2 or 4).
func (c *Curve) pointFromAffine(x, y *big.Int) *point {
	p := c.newPoint()
	if c.ed != nil {
		u, v := c.ed.fromWeierstrass(x, y)
		set(p.x, c.fe(u))
		set(p.y, c.fe(v))
		set(p.t, c.fe(new(big.Int).Mod(new(big.Int).Mul(u, v), c.pBig)))
	} else {
		set(p.x, c.fe(x))
		set(p.y, c.fe(y))
	}
	p.z.Bits()[0] = 1
	return p
}

func set(dst, src *bigmod.Nat) { copy(dst.Bits(), src.Bits()) }

func (p *point) set(q *point) { set(p.x, q.x); set(p.y, q.y); set(p.z, q.z); set(p.t, q.t) }

// condSet sets p = q when on is 1, without a branch.
func (p *point) condSet(q *point, on int) {
	condAssign(p.x, q.x, on)
	condAssign(p.y, q.y, on)
	condAssign(p.z, q.z, on)
	condAssign(p.t, q.t, on)
}

// condAssign sets dst = src when on is 1 and leaves it when on is 0,
// without a branch.
func condAssign(dst, src *bigmod.Nat, on int) {
	mask := -uint(on)
	d, s := dst.Bits(), src.Bits()
	for i := range d {
		d[i] ^= mask & (d[i] ^ s[i])
	}
}

// Field operations dst = a ∘ b; any argument may alias dst. bigmod works
// in place (x = x ∘ y) and reads all of y before it writes x.
func (c *Curve) mul(dst, a, b *bigmod.Nat) {
	switch {
	case dst == b:
		dst.Mul(a, c.p) // commutative
	case dst == a:
		dst.Mul(b, c.p)
	default:
		set(dst, a)
		dst.Mul(b, c.p)
	}
}

func (c *Curve) add(dst, a, b *bigmod.Nat) {
	switch {
	case dst == b:
		dst.Add(a, c.p)
	case dst == a:
		dst.Add(b, c.p)
	default:
		set(dst, a)
		dst.Add(b, c.p)
	}
}

func (c *Curve) sub(dst, a, b *bigmod.Nat) {
	switch {
	case dst == a:
		dst.Sub(b, c.p)
	case dst == b:
		t := c.newFe()
		set(t, a)
		t.Sub(b, c.p)
		set(dst, t)
	default:
		set(dst, a)
		dst.Sub(b, c.p)
	}
}

// addPoints returns p1 + p2.
func (c *Curve) addPoints(p1, p2 *point) *point {
	switch {
	case c.ed != nil:
		return c.addEdwards(p1, p2)
	case c.aMinus3:
		return c.addRCBMinus3(p1, p2)
	}
	return c.addRCB(p1, p2)
}

// addRCBMinus3 is RCB 2016 algorithm 4, for a = −3 (12M + 2m_b): the
// five sets of cofactor 1 all have a = −3.
func (c *Curve) addRCBMinus3(p1, p2 *point) *point {
	t0, t1, t2, t3, t4 := c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe()
	x3, y3, z3 := c.newFe(), c.newFe(), c.newFe()
	b := c.b
	c.mul(t0, p1.x, p2.x)
	c.mul(t1, p1.y, p2.y)
	c.mul(t2, p1.z, p2.z)
	c.add(t3, p1.x, p1.y)
	c.add(t4, p2.x, p2.y)
	c.mul(t3, t3, t4)
	c.add(t4, t0, t1)
	c.sub(t3, t3, t4)
	c.add(t4, p1.y, p1.z)
	c.add(x3, p2.y, p2.z)
	c.mul(t4, t4, x3)
	c.add(x3, t1, t2)
	c.sub(t4, t4, x3)
	c.add(x3, p1.x, p1.z)
	c.add(y3, p2.x, p2.z)
	c.mul(x3, x3, y3)
	c.add(y3, t0, t2)
	c.sub(y3, x3, y3)
	c.mul(z3, b, t2)
	c.sub(x3, y3, z3)
	c.add(z3, x3, x3)
	c.add(x3, x3, z3)
	c.sub(z3, t1, x3)
	c.add(x3, t1, x3)
	c.mul(y3, b, y3)
	c.add(t1, t2, t2)
	c.add(t2, t1, t2)
	c.sub(y3, y3, t2)
	c.sub(y3, y3, t0)
	c.add(t1, y3, y3)
	c.add(y3, t1, y3)
	c.add(t1, t0, t0)
	c.add(t0, t1, t0)
	c.sub(t0, t0, t2)
	c.mul(t1, t4, y3)
	c.mul(t2, t0, y3)
	c.mul(y3, x3, z3)
	c.add(y3, y3, t2)
	c.mul(x3, t3, x3)
	c.sub(x3, x3, t1)
	c.mul(z3, t4, z3)
	c.mul(t1, t3, t0)
	c.add(z3, z3, t1)
	return &point{x3, y3, z3, c.newFe()}
}

// addRCB is RCB 2016 algorithm 1 (12M + 3m_a + 2m_3b).
func (c *Curve) addRCB(p1, p2 *point) *point {
	t0, t1, t2, t3, t4, t5 := c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe()
	x3, y3, z3 := c.newFe(), c.newFe(), c.newFe()
	a, b3 := c.a, c.b3
	c.mul(t0, p1.x, p2.x)
	c.mul(t1, p1.y, p2.y)
	c.mul(t2, p1.z, p2.z)
	c.add(t3, p1.x, p1.y)
	c.add(t4, p2.x, p2.y)
	c.mul(t3, t3, t4)
	c.add(t4, t0, t1)
	c.sub(t3, t3, t4)
	c.add(t4, p1.x, p1.z)
	c.add(t5, p2.x, p2.z)
	c.mul(t4, t4, t5)
	c.add(t5, t0, t2)
	c.sub(t4, t4, t5)
	c.add(t5, p1.y, p1.z)
	c.add(x3, p2.y, p2.z)
	c.mul(t5, t5, x3)
	c.add(x3, t1, t2)
	c.sub(t5, t5, x3)
	c.mul(z3, a, t4)
	c.mul(x3, b3, t2)
	c.add(z3, x3, z3)
	c.sub(x3, t1, z3)
	c.add(z3, t1, z3)
	c.mul(y3, x3, z3)
	c.add(t1, t0, t0)
	c.add(t1, t1, t0)
	c.mul(t2, a, t2)
	c.mul(t4, b3, t4)
	c.add(t1, t1, t2)
	c.sub(t2, t0, t2)
	c.mul(t2, a, t2)
	c.add(t4, t4, t2)
	c.mul(t0, t1, t4)
	c.add(y3, y3, t0)
	c.mul(t0, t5, t4)
	c.mul(x3, t3, x3)
	c.sub(x3, x3, t0)
	c.mul(t0, t3, t1)
	c.mul(z3, t5, z3)
	c.add(z3, z3, t0)
	return &point{x3, y3, z3, c.newFe()}
}

// scalarMult returns k·p for a big-endian scalar k of c.size bytes, in
// time independent of k: a fixed 4-bit window, the table read whole for
// every window.
func (c *Curve) scalarMult(p *point, k []byte) *point {
	var table [16]*point
	table[0] = c.identity()
	table[1] = p
	for i := 2; i < 16; i++ {
		table[i] = c.addPoints(table[i-1], p)
	}
	acc := c.identity()
	sel := c.newPoint()
	for _, byt := range k {
		for _, w := range [2]int{int(byt >> 4), int(byt & 15)} {
			for j := 0; j < 4; j++ {
				acc = c.addPoints(acc, acc)
			}
			sel.set(table[0])
			for i := 1; i < 16; i++ {
				on := subtle.ConstantTimeEq(int32(i), int32(w))
				sel.condSet(table[i], on)
			}
			acc = c.addPoints(acc, sel)
		}
	}
	return acc
}

// affine returns the Weierstrass coordinates of p, and ok = 0 for O (then
// x and y are 0). One inversion by Fermat, z^(p-2), the same time for
// every z.
func (c *Curve) affine(p *point) (x, y *bigmod.Nat, ok int) {
	return c.affineWith(p, func(z *bigmod.Nat) *bigmod.Nat { return c.newFe().Exp(z, c.pMinus2, c.p) })
}

// affineWith is affine with the inversion inv, which must give 0 for 0:
// Fermat's for secrets, a variable-time one for verification.
func (c *Curve) affineWith(p *point, inv func(*bigmod.Nat) *bigmod.Nat) (x, y *bigmod.Nat, ok int) {
	if c.ed != nil {
		return c.affineEdwards(p, inv)
	}
	zinv := inv(p.z)
	x, y = c.newFe(), c.newFe()
	c.mul(x, p.x, zinv)
	c.mul(y, p.y, zinv)
	return x, y, 1 - int(p.z.IsZero())
}

// Exact arithmetic on math/big, variable time, for public data only:
// checking public keys, including points that are not in the subgroup,
// where the complete formulas would not be complete.

func (c *Curve) onCurve(x, y *big.Int) bool {
	if x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.pBig) >= 0 || y.Cmp(c.pBig) >= 0 {
		return false
	}
	lhs := new(big.Int).Mul(y, y)
	rhs := new(big.Int).Mul(x, x)
	rhs.Add(rhs, c.aBig)
	rhs.Mul(rhs, x)
	rhs.Add(rhs, c.bBig)
	return lhs.Sub(lhs, rhs).Mod(lhs, c.pBig).Sign() == 0
}

// baseTable returns, computed once per curve, the 16 sums of the "teeth"
// 2^(t·d)·P (t = 0…3, d = Size·2 bits) of a Lim–Lee comb for the base
// point P: table[j] = Σ bit t of j · 2^(t·d)·P. Building it costs about
// one window multiplication (3d doublings), which matters in the browser
// where the first key is made right after loading; then a multiple of P
// is d doublings and d additions, 2.6 times fewer operations than the
// window method.
func (c *Curve) baseTable() *[16]*point {
	c.base.once.Do(func() {
		d := 2 * c.size
		var teeth [4]*point
		teeth[0] = c.g
		for t := 1; t < 4; t++ {
			acc := teeth[t-1]
			for i := 0; i < d; i++ {
				acc = c.addPoints(acc, acc)
			}
			teeth[t] = acc
		}
		var table [16]*point
		table[0] = c.identity()
		for j := 1; j < 16; j++ {
			top := bits.Len(uint(j)) - 1
			table[j] = c.addPoints(table[j&^(1<<top)], teeth[top])
		}
		c.base.table = &table
	})
	return c.base.table
}

// scalarBaseMult returns k·P for the base point, k big-endian of c.size
// bytes, in time independent of k: every step doubles, reads the whole
// table and adds.
func (c *Curve) scalarBaseMult(k []byte) *point {
	table := c.baseTable()
	d := 2 * c.size
	bit := func(b int) int { return int(k[len(k)-1-b/8]>>(b%8)) & 1 }
	acc := c.identity()
	sel := c.newPoint()
	for i := d - 1; i >= 0; i-- {
		acc = c.addPoints(acc, acc)
		w := bit(i) | bit(d+i)<<1 | bit(2*d+i)<<2 | bit(3*d+i)<<3
		sel.set(table[0])
		for j := 1; j < 16; j++ {
			on := subtle.ConstantTimeEq(int32(j), int32(w))
			sel.condSet(table[j], on)
		}
		acc = c.addPoints(acc, sel)
	}
	return acc
}

// inSubgroup reports whether q·(x, y) = O, for a point (x, y) already
// known to be on the curve: exact Jacobian double-and-add on math/big with
// every special case handled (variable time, public data only).
func (c *Curve) inSubgroup(x, y *big.Int) bool {
	p := c.pBig
	mod := func(v *big.Int) *big.Int { return v.Mod(v, p) }
	mul := func(a, b *big.Int) *big.Int { return mod(new(big.Int).Mul(a, b)) }
	sub := func(a, b *big.Int) *big.Int { return mod(new(big.Int).Sub(a, b)) }
	var X, Y, Z *big.Int // Z = 0: the point at infinity
	X, Y, Z = big.NewInt(1), big.NewInt(1), big.NewInt(0)
	double := func() {
		if Z.Sign() == 0 || Y.Sign() == 0 {
			X, Y, Z = big.NewInt(1), big.NewInt(1), big.NewInt(0)
			return
		}
		xx, yy, zz := mul(X, X), mul(Y, Y), mul(Z, Z)
		s := mul(big.NewInt(4), mul(X, yy))
		m := mod(new(big.Int).Add(mul(big.NewInt(3), xx), mul(c.aBig, mul(zz, zz))))
		x3 := sub(mul(m, m), mod(new(big.Int).Lsh(s, 1)))
		y3 := sub(mul(m, sub(s, x3)), mul(big.NewInt(8), mul(yy, yy)))
		z3 := mul(big.NewInt(2), mul(Y, Z))
		X, Y, Z = x3, y3, z3
	}
	addAffine := func() {
		if Z.Sign() == 0 {
			X, Y, Z = new(big.Int).Set(x), new(big.Int).Set(y), big.NewInt(1)
			return
		}
		z1z1 := mul(Z, Z)
		u2, s2 := mul(x, z1z1), mul(y, mul(Z, z1z1))
		h, r := sub(u2, X), sub(s2, Y)
		if h.Sign() == 0 {
			if r.Sign() == 0 {
				double()
			} else {
				X, Y, Z = big.NewInt(1), big.NewInt(1), big.NewInt(0)
			}
			return
		}
		hh := mul(h, h)
		hhh := mul(h, hh)
		v := mul(X, hh)
		x3 := sub(sub(mul(r, r), hhh), mod(new(big.Int).Lsh(v, 1)))
		y3 := sub(mul(r, sub(v, x3)), mul(Y, hhh))
		X, Y, Z = x3, y3, mul(Z, h)
	}
	for i := c.qBig.BitLen() - 1; i >= 0; i-- {
		double()
		if c.qBig.Bit(i) == 1 {
			addAffine()
		}
	}
	return Z.Sign() == 0
}
