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

// jacDouble is dbl-2001-b (a = −3): δ = Z², γ = Y², β = Xγ,
// α = 3(X−δ)(X+δ), X3 = α² − 8β, Z3 = (Y+Z)² − γ − δ,
// Y3 = α(4β − X3) − 8γ². O (Z = 0) gives Z3 = 0.
func (c *Curve) jacDouble(p *jacPoint) *jacPoint {
	delta, gamma, beta, alpha, t := c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe()
	r := &jacPoint{c.newFe(), c.newFe(), c.newFe()}
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
	c.mul(r.x, alpha, alpha)
	c.sub(r.x, r.x, beta)
	c.sub(r.x, r.x, beta)
	c.add(r.z, p.y, p.z)
	c.mul(r.z, r.z, r.z)
	c.sub(r.z, r.z, gamma)
	c.sub(r.z, r.z, delta)
	c.sub(t, beta, r.x)
	c.mul(r.y, alpha, t)
	c.mul(gamma, gamma, gamma)
	c.add(gamma, gamma, gamma) // 2γ²
	c.add(gamma, gamma, gamma) // 4γ²
	c.add(gamma, gamma, gamma) // 8γ²
	c.sub(r.y, r.y, gamma)
	return r
}

// jacAddAffine returns p + q: Z1Z1 = Z1², U2 = x2·Z1Z1, S2 = y2·Z1·Z1Z1,
// H = U2 − X1, R = S2 − Y1, X3 = R² − H³ − 2X1H², Y3 = R(X1H² − X3) − Y1H³,
// Z3 = Z1H; H = 0 means p = ±q, which it does not cover: a doubling or O.
func (c *Curve) jacAddAffine(p *jacPoint, q *affinePoint) *jacPoint {
	r := &jacPoint{c.newFe(), c.newFe(), c.newFe()}
	if p.z.IsZero() == 1 {
		set(r.x, q.x)
		set(r.y, q.y)
		r.z.Bits()[0] = 1
		return r
	}
	z1z1, u2, s2, h, rr, hh, hhh, v := c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe(), c.newFe()
	c.mul(z1z1, p.z, p.z)
	c.mul(u2, q.x, z1z1)
	c.mul(s2, q.y, p.z)
	c.mul(s2, s2, z1z1)
	c.sub(h, u2, p.x)
	c.sub(rr, s2, p.y)
	if h.IsZero() == 1 {
		if rr.IsZero() == 1 {
			return c.jacDouble(p)
		}
		r.x.Bits()[0], r.y.Bits()[0] = 1, 1 // O
		return r
	}
	c.mul(hh, h, h)
	c.mul(hhh, h, hh)
	c.mul(v, p.x, hh)
	c.mul(r.x, rr, rr)
	c.sub(r.x, r.x, hhh)
	c.sub(r.x, r.x, v)
	c.sub(r.x, r.x, v)
	c.sub(v, v, r.x)
	c.mul(r.y, rr, v)
	c.mul(hhh, p.y, hhh)
	c.sub(r.y, r.y, hhh)
	c.mul(r.z, p.z, h)
	return r
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
