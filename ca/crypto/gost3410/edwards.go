package gost3410

import (
	"math/big"

	"filippo.io/bigmod"
)

// The two sets with cofactor 4 (256 paramSetA, 512 paramSetC) are, by
// construction (R 1323565.1.024), twisted Edwards curves
// e·u² + v² = 1 + d·u²·v² with e = 1, birationally equivalent to their
// Weierstrass form by
//
//	x = s(1+v)/(1−v) + t,  y = s(1+v)/((1−v)u),  s = (e−d)/4, t = (e+d)/6,
//	u = (x−t)/y,           v = (x−t−s)/(x−t+s).
//
// There we compute on the Edwards form in extended coordinates
// (X:Y:Z:T), u = X/Z, v = Y/Z, T = XY/Z, with the unified addition of
// Hisil, Wong, Carter and Dawson (2008), 9M + 1m_d: complete, for every
// pair of points including those of order 2 and 4, because e is a square
// and d is not (checked in the tests). Weierstrass coordinates appear
// only at the edges: the base point and public keys in (public), the x of
// a result out (one inversion).
type edwards struct {
	d          *bigmod.Nat
	s, tt      *bigmod.Nat
	sBig, tBig *big.Int
	dBig, p    *big.Int
}

// newEdwards derives d from a (with e = 1): a = s² − 3t² gives
// d² + 14d + 1 + 48a = 0, of which the root that also gives b = 2t³ − ts²
// is d. It panics if neither does: the constants would be wrong.
func newEdwards(c *Curve) *edwards {
	p := c.pBig
	m := func(v *big.Int) *big.Int { return v.Mod(v, p) }
	inv := func(v int64) *big.Int { return new(big.Int).ModInverse(big.NewInt(v), p) }
	disc := m(new(big.Int).Mul(big.NewInt(48), new(big.Int).Sub(big.NewInt(1), c.aBig)))
	root := new(big.Int).ModSqrt(disc, p)
	if root == nil {
		panic("gost3410: " + c.name + " has no Edwards form with e = 1")
	}
	for _, r := range []*big.Int{root, m(new(big.Int).Neg(root))} {
		d := m(new(big.Int).Sub(r, big.NewInt(7)))
		s := m(new(big.Int).Mul(new(big.Int).Sub(big.NewInt(1), d), inv(4)))
		t := m(new(big.Int).Mul(new(big.Int).Add(big.NewInt(1), d), inv(6)))
		t2 := m(new(big.Int).Mul(t, t))
		a := m(new(big.Int).Sub(m(new(big.Int).Mul(s, s)), m(new(big.Int).Mul(big.NewInt(3), t2))))
		b := m(new(big.Int).Sub(m(new(big.Int).Mul(big.NewInt(2), m(new(big.Int).Mul(t2, t)))), m(new(big.Int).Mul(t, m(new(big.Int).Mul(s, s))))))
		if a.Cmp(c.aBig) == 0 && b.Cmp(c.bBig) == 0 {
			return &edwards{d: c.fe(d), s: c.fe(s), tt: c.fe(t), sBig: s, tBig: t, dBig: d, p: p}
		}
	}
	panic("gost3410: " + c.name + ": no root gives b")
}

// fromWeierstrass maps a public point (x, y) to (u, v); see
// pointFromAffine for the points where it is defined.
//
// Every caller passes the base point or a key NewPublicKey accepted, so
// the undefined cases cannot come; if one did, that is a bug to stop at,
// not a value to compute on.
func (e *edwards) fromWeierstrass(x, y *big.Int) (u, v *big.Int) {
	p := e.p
	xt := new(big.Int).Sub(x, e.tBig)
	num := new(big.Int).Sub(xt, e.sBig)
	den := new(big.Int).Add(xt, e.sBig)
	den.Mod(den, p)
	yInv, denInv := new(big.Int).ModInverse(y, p), new(big.Int).ModInverse(den, p)
	if yInv == nil || denInv == nil {
		panic("gost3410: a point of order 2 or 4 reached the Edwards map unchecked")
	}
	u = new(big.Int).Mul(xt, yInv)
	u.Mod(u, p)
	v = new(big.Int).Mul(num, denInv)
	v.Mod(v, p)
	return u, v
}

// addEdwards is add-2008-hwcd with e = 1: A = X1X2, B = Y1Y2, C = d·T1T2,
// D = Z1Z2, E = (X1+Y1)(X2+Y2) − A − B, F = D − C, G = D + C, H = B − A;
// X3 = EF, Y3 = GH, T3 = EH, Z3 = FG.
func (c *Curve) addEdwards(p1, p2 *point) *point {
	a, b, cc, d, e, f, g, h := c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe()
	c.mul(a, p1.x, p2.x)
	c.mul(b, p1.y, p2.y)
	c.mul(cc, p1.t, p2.t)
	c.mul(cc, cc, c.ed.d)
	c.mul(d, p1.z, p2.z)
	c.add(e, p1.x, p1.y)
	c.add(f, p2.x, p2.y)
	c.mul(e, e, f)
	c.sub(e, e, a)
	c.sub(e, e, b)
	c.sub(f, d, cc)
	c.add(g, d, cc)
	c.sub(h, b, a)
	r := c.newPoint()
	c.mul(r.x, e, f)
	c.mul(r.y, g, h)
	c.mul(r.t, e, h)
	c.mul(r.z, f, g)
	return r
}

// affineEdwards returns the Weierstrass x = s(Z+Y)/(Z−Y) + t and
// y = s(Z+Y)·Z/((Z−Y)·X) of p with one inversion of (Z−Y)·X, and ok = 0
// when that is 0: O (X = 0) or a point of order 2 (never one of ours).
func (c *Curve) affineEdwards(p *point, inv func(*bigmod.Nat) *bigmod.Nat) (x, y *bigmod.Nat, ok int) {
	zmy, zpy, den := c.newFe(), c.newFe(), c.newFe()
	c.sub(zmy, p.z, p.y)
	c.add(zpy, p.z, p.y)
	c.mul(den, zmy, p.x)
	dinv := inv(den)
	spy := c.newFe()
	c.mul(spy, zpy, c.ed.s) // s(Z+Y)
	x, y = c.newFe(), c.newFe()
	c.mul(x, spy, p.x)
	c.mul(x, x, dinv) // s(Z+Y)/(Z−Y)
	c.add(x, x, c.ed.tt)
	c.mul(y, spy, p.z)
	c.mul(y, y, dinv)
	return x, y, 1 - int(den.IsZero())
}

// doubleEdwards sets p = 2p by dbl-2008-hwcd with e = 1 (4M + 4S against
// 9M + 1m_d): A = X², B = Y², C = 2Z², E = (X+Y)² − A − B, G = A + B,
// F = G − C, H = A − B; X3 = EF, Y3 = GH, T3 = EH, Z3 = FG. It is the
// unified addition of p to itself rewritten with the curve equation, so as
// complete; verification uses it (secret paths keep the one addition).
func (c *Curve) doubleEdwards(p *point, s *scratch) {
	a, b, cc, e, f, g, h := s[0], s[1], s[2], s[3], s[4], s[5], s[6]
	c.mul(a, p.x, p.x)
	c.mul(b, p.y, p.y)
	c.mul(cc, p.z, p.z)
	c.add(cc, cc, cc)
	c.add(e, p.x, p.y)
	c.mul(e, e, e)
	c.sub(e, e, a)
	c.sub(e, e, b)
	c.add(g, a, b)
	c.sub(f, g, cc)
	c.sub(h, a, b)
	c.mul(p.x, e, f)
	c.mul(p.y, g, h)
	c.mul(p.t, e, h)
	c.mul(p.z, f, g)
}
