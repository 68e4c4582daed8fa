package bign

import "filippo.io/bigmod"

// point is a projective point (X:Y:Z) of y² = x³ + ax + b; the neutral
// element is (0:1:0). The addition is the complete formula of Renes,
// Costello and Batina 2016 (algorithm 1, arbitrary a): one code path for
// every pair of inputs, the neutral element and doubling included, which is
// what a constant-time scalar multiplication needs. It is correct on curves of
// odd order; the bign curves have prime order.
type point struct{ x, y, z *bigmod.Nat }

func (c *Curve) newPoint() *point {
	f := &c.fp
	return &point{x: f.zero(), y: f.zero(), z: f.zero()}
}

func (c *Curve) identity() *point {
	p := c.newPoint()
	p.y.SetUint(1).ExpandFor(c.fp.m)
	return p
}

func (c *Curve) setPoint(dst, src *point) *point {
	c.fp.set(dst.x, src.x)
	c.fp.set(dst.y, src.y)
	c.fp.set(dst.z, src.z)
	return dst
}

// scratch holds the temporaries of one addition, reused along a scalar
// multiplication.
type scratch struct{ t0, t1, t2, t3, t4, t5, x3, y3, z3 *bigmod.Nat }

func (c *Curve) newScratch() *scratch {
	f := &c.fp
	return &scratch{f.zero(), f.zero(), f.zero(), f.zero(), f.zero(), f.zero(), f.zero(), f.zero(), f.zero()}
}

// add sets r = p + q (r may alias p or q).
func (c *Curve) add(r, p, q *point, s *scratch) {
	f := &c.fp
	a, b3 := c.a, c.b3
	t0, t1, t2, t3, t4, t5, x3, y3, z3 := s.t0, s.t1, s.t2, s.t3, s.t4, s.t5, s.x3, s.y3, s.z3
	f.mul(t0, p.x, q.x) // 1
	f.mul(t1, p.y, q.y) // 2
	f.mul(t2, p.z, q.z) // 3
	f.add(t3, p.x, p.y) // 4
	f.add(t4, q.x, q.y) // 5
	f.mul(t3, t3, t4)   // 6
	f.add(t4, t0, t1)   // 7
	f.sub(t3, t3, t4)   // 8
	f.add(t4, p.x, p.z) // 9
	f.add(t5, q.x, q.z) // 10
	f.mul(t4, t4, t5)   // 11
	f.add(t5, t0, t2)   // 12
	f.sub(t4, t4, t5)   // 13
	f.add(t5, p.y, p.z) // 14
	f.add(x3, q.y, q.z) // 15
	f.mul(t5, t5, x3)   // 16
	f.add(x3, t1, t2)   // 17
	f.sub(t5, t5, x3)   // 18
	f.mul(z3, a, t4)    // 19
	f.mul(x3, b3, t2)   // 20
	f.add(z3, x3, z3)   // 21
	f.sub(x3, t1, z3)   // 22
	f.add(z3, t1, z3)   // 23
	f.mul(y3, x3, z3)   // 24
	f.add(t1, t0, t0)   // 25
	f.add(t1, t1, t0)   // 26
	f.mul(t2, a, t2)    // 27
	f.mul(t4, b3, t4)   // 28
	f.add(t1, t1, t2)   // 29
	f.sub(t2, t0, t2)   // 30
	f.mul(t2, a, t2)    // 31
	f.add(t4, t4, t2)   // 32
	f.mul(t0, t1, t4)   // 33
	f.add(y3, y3, t0)   // 34
	f.mul(t0, t5, t4)   // 35
	f.mul(x3, t3, x3)   // 36
	f.sub(x3, x3, t0)   // 37
	f.mul(t0, t3, t1)   // 38
	f.mul(z3, t5, z3)   // 39
	f.add(z3, z3, t0)   // 40
	f.set(r.x, x3)
	f.set(r.y, y3)
	f.set(r.z, z3)
}

// scalarMult returns k·p for a scalar given as little-endian bytes, in time
// that depends only on len(k): a fixed 4-bit window, every window adds a table
// entry chosen by a full scan (the neutral element for a zero digit).
func (c *Curve) scalarMult(p *point, k []byte) *point {
	s := c.newScratch()
	var table [16]*point
	table[0] = c.identity()
	table[1] = c.setPoint(c.newPoint(), p)
	for i := 2; i < 16; i++ {
		table[i] = c.newPoint()
		c.add(table[i], table[i-1], p, s)
	}
	acc := c.identity()
	sel := c.newPoint()
	for i := len(k) - 1; i >= 0; i-- {
		for _, digit := range [2]byte{k[i] >> 4, k[i] & 15} {
			for j := 0; j < 4; j++ {
				c.add(acc, acc, acc, s)
			}
			for j := range table {
				e := ctEqByte(byte(j), digit)
				selectNat(sel.x, table[j].x, e)
				selectNat(sel.y, table[j].y, e)
				selectNat(sel.z, table[j].z, e)
			}
			c.add(acc, acc, sel, s)
		}
	}
	return acc
}

// baseTable holds j·16^w·G for every 4-bit window w of a scalar and j in
// 1..15: a multiplication of G is then one addition per window, with no
// doublings. Built once per curve on first use (64 windows × 15 points for
// bign-curve256v1).
func (c *Curve) baseTable() [][15]*point {
	c.baseOnce.Do(func() {
		s := c.newScratch()
		windows := 2 * c.fq.size
		t := make([][15]*point, windows)
		p := c.generator()
		for w := range t {
			t[w][0] = c.setPoint(c.newPoint(), p)
			for j := 1; j < 15; j++ {
				t[w][j] = c.newPoint()
				c.add(t[w][j], t[w][j-1], p, s)
			}
			c.add(p, t[w][14], p, s) // 16·p
		}
		c.base = t
	})
	return c.base
}

// scalarBaseMult returns k·G (k little-endian), constant time like
// scalarMult: every window adds one entry chosen by a full scan, the neutral
// element for a zero digit.
func (c *Curve) scalarBaseMult(k []byte) *point {
	t := c.baseTable()
	s := c.newScratch()
	acc := c.identity()
	sel := c.newPoint()
	one := c.identity()
	for i, b := range k {
		for h, digit := range [2]byte{b & 15, b >> 4} {
			w := 2*i + h
			c.setPoint(sel, one)
			for j := range t[w] {
				e := ctEqByte(byte(j+1), digit)
				selectNat(sel.x, t[w][j].x, e)
				selectNat(sel.y, t[w][j].y, e)
				selectNat(sel.z, t[w][j].z, e)
			}
			c.add(acc, acc, sel, s)
		}
	}
	return acc
}

// affine returns the affine coordinates of p, and ok = 0 for the neutral
// element. The inversion is Fermat's (z^(p-2)), constant time.
func (c *Curve) affine(p *point) (x, y *bigmod.Nat, ok int) {
	f := &c.fp
	zinv := f.zero().Exp(p.z, c.pMinus2, f.m)
	x = f.clone(p.x)
	x.Mul(zinv, f.m)
	y = f.clone(p.y)
	y.Mul(zinv, f.m)
	return x, y, 1 - int(p.z.IsZero())
}

// onCurve reports whether y² = x³ + ax + b.
func (c *Curve) onCurve(x, y *bigmod.Nat) bool {
	f := &c.fp
	lhs := f.clone(y)
	lhs.Mul(y, f.m)
	rhs := f.clone(x)
	rhs.Mul(x, f.m)
	rhs.Add(c.a, f.m)
	rhs.Mul(x, f.m)
	rhs.Add(c.b, f.m)
	return lhs.Equal(rhs) == 1
}
