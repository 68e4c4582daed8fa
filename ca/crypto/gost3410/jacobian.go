package gost3410

import "filippo.io/bigmod"

// Verification on the five sets with a = −3 and cofactor 1 runs in
// Jacobian coordinates, x = X/Z², y = Y/Z³ (Z = 0 is O), whose doubling
// costs 8 multiplications against the complete formula's 14, with the
// odd multiples in affine form (mixed additions, 11). These formulas are
// not complete: jacAddAffine branches on the cases they miss (O, P = Q,
// P = −Q), which is fine for public data and only there. A curve of prime
// order has no point of order two, so the doubling needs no branch.

type jacPoint struct{ x, y, z *bigmod.Nat }

// affinePoint is a point other than O in affine coordinates.
type affinePoint struct{ x, y *bigmod.Nat }

// scratch holds the temporaries of jacDouble, jacAddAffine and
// doubleEdwards, which work in place: a verification allocates them once,
// not per step.
type scratch [8]*bigmod.Nat

func (c *Curve) newScratch() *scratch {
	var s scratch
	for i := range s {
		s[i] = c.newFe()
	}
	return &s
}

// jacDouble sets p = 2p by dbl-2001-b (a = −3): δ = Z², γ = Y², β = Xγ,
// α = 3(X−δ)(X+δ), X3 = α² − 8β, Z3 = (Y+Z)² − γ − δ,
// Y3 = α(4β − X3) − 8γ². O (Z = 0) gives Z3 = 0.
func (c *Curve) jacDouble(p *jacPoint, s *scratch) {
	delta, gamma, beta, alpha, t, x3, z3 := s[0], s[1], s[2], s[3], s[4], s[5], s[6]
	c.mul(delta, p.z, p.z)
	c.mul(gamma, p.y, p.y)
	c.mul(beta, p.x, gamma)
	c.sub(t, p.x, delta)
	c.add(alpha, p.x, delta)
	c.mul(alpha, alpha, t)
	c.add(t, alpha, alpha)
	c.add(alpha, alpha, t)
	c.add(beta, beta, beta) // 2β
	c.add(beta, beta, beta) // 4β
	c.mul(x3, alpha, alpha)
	c.sub(x3, x3, beta)
	c.sub(x3, x3, beta)
	c.add(z3, p.y, p.z)
	c.mul(z3, z3, z3)
	c.sub(z3, z3, gamma)
	c.sub(z3, z3, delta)
	c.sub(t, beta, x3)
	c.mul(p.y, alpha, t)
	c.mul(gamma, gamma, gamma)
	c.add(gamma, gamma, gamma) // 2γ²
	c.add(gamma, gamma, gamma) // 4γ²
	c.add(gamma, gamma, gamma) // 8γ²
	c.sub(p.y, p.y, gamma)
	set(p.x, x3)
	set(p.z, z3)
}

// jacAddAffine sets p = p + q: Z1Z1 = Z1², U2 = x2·Z1Z1, S2 = y2·Z1·Z1Z1,
// H = U2 − X1, R = S2 − Y1, X3 = R² − H³ − 2X1H², Y3 = R(X1H² − X3) − Y1H³,
// Z3 = Z1H; H = 0 means p = ±q, which it does not cover: a doubling or O.
func (c *Curve) jacAddAffine(p *jacPoint, q *affinePoint, s *scratch) {
	if p.z.IsZero() == 1 {
		set(p.x, q.x)
		set(p.y, q.y)
		clear(p.z.Bits())
		p.z.Bits()[0] = 1
		return
	}
	z1z1, u2, s2, h, rr, hh, hhh, v := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	c.mul(z1z1, p.z, p.z)
	c.mul(u2, q.x, z1z1)
	c.mul(s2, q.y, p.z)
	c.mul(s2, s2, z1z1)
	c.sub(h, u2, p.x)
	c.sub(rr, s2, p.y)
	if h.IsZero() == 1 {
		if rr.IsZero() == 1 {
			c.jacDouble(p, s)
			return
		}
		for _, n := range []*bigmod.Nat{p.x, p.y, p.z} {
			clear(n.Bits())
		}
		p.x.Bits()[0], p.y.Bits()[0] = 1, 1 // O
		return
	}
	c.mul(hh, h, h)
	c.mul(hhh, h, hh)
	c.mul(v, p.x, hh)
	c.mul(p.z, p.z, h)
	c.mul(p.x, rr, rr)
	c.sub(p.x, p.x, hhh)
	c.sub(p.x, p.x, v)
	c.sub(p.x, p.x, v)
	c.sub(v, v, p.x)
	c.mul(hhh, p.y, hhh)
	c.mul(p.y, rr, v)
	c.sub(p.y, p.y, hhh)
}

// toAffine converts projective Weierstrass points (X:Y:Z), none O, with
// one variable-time inversion for all (Montgomery's trick), and appends
// their negatives: out[i+len(ps)] = −out[i].
func (c *Curve) toAffine(ps []*point) []affinePoint {
	n := len(ps)
	prefix := make([]*bigmod.Nat, n) // z_0·…·z_i
	prefix[0] = c.newFe()
	set(prefix[0], ps[0].z)
	for i := 1; i < n; i++ {
		prefix[i] = c.newFe()
		c.mul(prefix[i], prefix[i-1], ps[i].z)
	}
	inv, ok := c.newFe().InverseVarTime(prefix[n-1], c.p)
	if !ok {
		panic("gost3410: O among the odd multiples of a point of order q")
	}
	out := make([]affinePoint, 2*n)
	for i := n - 1; i >= 0; i-- {
		zinv := c.newFe()
		if i > 0 {
			c.mul(zinv, inv, prefix[i-1])
			c.mul(inv, inv, ps[i].z)
		} else {
			set(zinv, inv)
		}
		a := affinePoint{c.newFe(), c.newFe()}
		c.mul(a.x, ps[i].x, zinv)
		c.mul(a.y, ps[i].y, zinv)
		neg := affinePoint{a.x, c.newFe()}
		c.sub(neg.y, neg.y, a.y)
		out[i], out[n+i] = a, neg
	}
	return out
}

// jacX returns the affine x of p, ok = 0 for O.
func (c *Curve) jacX(p *jacPoint) (*bigmod.Nat, int) {
	zinv, ok := c.newFe().InverseVarTime(p.z, c.p)
	if !ok {
		return c.newFe(), 0
	}
	x := c.newFe()
	c.mul(zinv, zinv, zinv)
	c.mul(x, p.x, zinv)
	return x, 1
}
