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

// baseOdd is the odd-multiples table of the base point, made on first use.
type baseOdd struct {
	once  sync.Once
	table *oddTable
}

func (c *Curve) baseOddTable() *oddTable {
	c.odd.once.Do(func() { c.odd.table = c.oddMultiples(c.g, baseWindow) })
	return c.odd.table
}

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

// linCombVarTime returns the affine x of z1·P + z2·Q (z1, z2 big-endian,
// below q) and ok = 0 when that sum is O.
func (c *Curve) linCombVarTime(z1, z2 []byte, q *point) (x *bigmod.Nat, ok int) {
	gt, qt := c.baseOddTable(), c.oddMultiples(q, keyWindow)
	n1, n2 := wnaf(z1, baseWindow), wnaf(z2, keyWindow)
	acc := c.identity()
	started := false // doubling O is O: skip the work until the first digit
	for i := max(len(n1), len(n2)) - 1; i >= 0; i-- {
		if started {
			acc = c.addPoints(acc, acc)
		}
		if i < len(n1) && n1[i] != 0 {
			acc, started = c.addPoints(acc, gt.lookup(n1[i])), true
		}
		if i < len(n2) && n2[i] != 0 {
			acc, started = c.addPoints(acc, qt.lookup(n2[i])), true
		}
	}
	x, _, ok = c.affineWith(acc, func(z *bigmod.Nat) *bigmod.Nat {
		inv, _ := c.newFe().InverseVarTime(z, c.p) // 0 for 0: unchanged on failure
		return inv
	})
	return x, ok
}
