package gost3410

import (
	"math/big"
	"sync"

	"filippo.io/bigmod"
)

// Verification computes z1·P + z2·Q from public values only (the digest,
// the signature, the key), so it may take variable time: Straus'
// interleaving of the two signed-window (wNAF) expansions over one chain of
// doublings, with the same complete additions as everything else (the
// identity, doublings inside additions and P = ±Q need no special case),
// and a variable-time inversion at the end. Signing and key generation do
// not use any of this.

// Window widths: 7 for the base point (32 odd multiples and their
// negatives, made once per curve), 5 for the key (8, made per call, where
// a wider window costs more to build than it saves).
const (
	baseWindow = 7
	keyWindow  = 5
)

// oddTable holds the odd multiples P, 3P, …, (2^(w−1)−1)P and their
// negatives.
type oddTable struct{ pos, neg []*point }

// baseOdd is the odd-multiples table of the base point, made on first
// use: affine (with the negatives after the positives) where verification
// runs in Jacobian coordinates (jacobian.go), projective elsewhere.
type baseOdd struct {
	once  sync.Once
	table *oddTable
	aff   []affinePoint
}

// jacobian reports whether verification on c runs in Jacobian coordinates.
func (c *Curve) jacobian() bool { return c.ed == nil && c.aMinus3 }

func (c *Curve) baseOddTable() *baseOdd {
	c.odd.once.Do(func() {
		t := c.oddMultiples(c.g, baseWindow)
		if c.jacobian() {
			c.odd.aff = c.toAffine(t.pos)
		} else {
			c.odd.table = t
		}
	})
	return c.odd
}

// oddMultiples returns the odd multiples of p for window w.
func (c *Curve) oddMultiples(p *point, w uint) *oddTable {
	n := 1 << (w - 2)
	t := &oddTable{pos: make([]*point, n), neg: make([]*point, n)}
	twice := c.addPoints(p, p)
	t.pos[0] = p
	for i := 1; i < n; i++ {
		t.pos[i] = c.addPoints(t.pos[i-1], twice)
	}
	for i, q := range t.pos {
		t.neg[i] = c.negate(q)
	}
	return t
}

// negate returns −p: (X:−Y:Z), or (−X:Y:Z:−T) on the Edwards form.
func (c *Curve) negate(p *point) *point {
	r := c.newPoint()
	r.set(p)
	zero := c.newFe()
	if c.ed != nil {
		c.sub(r.x, zero, p.x)
		c.sub(r.t, zero, p.t)
	} else {
		c.sub(r.y, zero, p.y)
	}
	return r
}

// wnaf returns the width-w NAF of the big-endian k, least significant
// digit first: each digit 0 or odd in (−2^(w−1), 2^(w−1)), any nonzero
// digit followed by at least w−1 zeros, Σ digit_i·2^i = k.
func wnaf(k []byte, w uint) []int8 {
	n := new(big.Int).SetBytes(k)
	out := make([]int8, 0, 8*len(k)+1)
	window := new(big.Int).Lsh(big.NewInt(1), w)
	low := new(big.Int)
	for n.Sign() > 0 {
		var d int64
		if n.Bit(0) == 1 {
			d = low.Mod(n, window).Int64()
			if d >= 1<<(w-1) {
				d -= 1 << w
			}
			n.Sub(n, big.NewInt(d))
		}
		out = append(out, int8(d))
		n.Rsh(n, 1)
	}
	return out
}

func (t *oddTable) lookup(d int8) *point {
	if d > 0 {
		return t.pos[d/2]
	}
	return t.neg[(-d)/2]
}

// affineLookup is lookup on a table of toAffine.
func affineLookup(t []affinePoint, d int8) *affinePoint {
	if d > 0 {
		return &t[d/2]
	}
	return &t[len(t)/2+int(-d)/2]
}

// straus runs the interleaved double-and-add over the digits of n1 and n2,
// from the top: double, then add the digits' table entries. Doubling O is
// O, so the doublings start at the first nonzero digit.
func straus(n1, n2 []int8, double func(), add1, add2 func(d int8)) {
	started := false
	for i := max(len(n1), len(n2)) - 1; i >= 0; i-- {
		if started {
			double()
		}
		if i < len(n1) && n1[i] != 0 {
			add1(n1[i])
			started = true
		}
		if i < len(n2) && n2[i] != 0 {
			add2(n2[i])
			started = true
		}
	}
}

// linCombVarTime returns the affine x of z1·P + z2·Q (z1, z2 big-endian,
// below q) and ok = 0 when that sum is O.
func (c *Curve) linCombVarTime(z1, z2 []byte, q *point) (x *bigmod.Nat, ok int) {
	n1, n2 := wnaf(z1, baseWindow), wnaf(z2, keyWindow)
	gt, qt := c.baseOddTable(), c.oddMultiples(q, keyWindow)
	if c.jacobian() {
		qa := c.toAffine(qt.pos)
		acc, s := &jacPoint{c.newFe(), c.newFe(), c.newFe()}, c.newScratch() // O
		straus(n1, n2, func() { c.jacDouble(acc, s) },
			func(d int8) { c.jacAddAffine(acc, affineLookup(gt.aff, d), s) },
			func(d int8) { c.jacAddAffine(acc, affineLookup(qa, d), s) })
		return c.jacX(acc)
	}
	acc := c.identity()
	double := func() { acc = c.addPoints(acc, acc) }
	if c.ed != nil {
		s := c.newScratch()
		double = func() { c.doubleEdwards(acc, s) }
	}
	straus(n1, n2, double,
		func(d int8) { acc = c.addPoints(acc, gt.table.lookup(d)) },
		func(d int8) { acc = c.addPoints(acc, qt.lookup(d)) })
	x, _, ok = c.affineWith(acc, func(z *bigmod.Nat) *bigmod.Nat {
		inv, _ := c.newFe().InverseVarTime(z, c.p) // 0 for 0: unchanged on failure
		return inv
	})
	return x, ok
}
