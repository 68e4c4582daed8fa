package bign

import (
	"crypto/subtle"

	"filippo.io/bigmod"
)

// field is arithmetic modulo p or q on filippo.io/bigmod: every operation
// runs in time that depends on the size of the modulus only, never on the
// values (bigmod's contract), so it is safe with private keys and nonces.
//
// bigmod works in place (x.Mul(y) sets x = x·y); the helpers below take an
// explicit destination and handle the aliasing cases the formulas need.
type field struct {
	m    *bigmod.Modulus
	size int // bytes of an element
}

func (f *field) zero() *bigmod.Nat { return bigmod.NewNat().ExpandFor(f.m) }

func (f *field) set(dst, src *bigmod.Nat) *bigmod.Nat {
	copy(dst.Bits(), src.Bits())
	return dst
}

func (f *field) clone(src *bigmod.Nat) *bigmod.Nat { return f.set(f.zero(), src) }

func (f *field) mul(dst, x, y *bigmod.Nat) {
	switch {
	case dst == x:
		dst.Mul(y, f.m)
	case dst == y:
		dst.Mul(x, f.m)
	default:
		f.set(dst, x).Mul(y, f.m)
	}
}

func (f *field) add(dst, x, y *bigmod.Nat) {
	switch {
	case dst == x:
		dst.Add(y, f.m)
	case dst == y:
		dst.Add(x, f.m)
	default:
		f.set(dst, x).Add(y, f.m)
	}
}

func (f *field) sub(dst, x, y *bigmod.Nat) {
	switch {
	case dst == x:
		dst.Sub(y, f.m)
	case dst == y:
		t := f.clone(x)
		t.Sub(y, f.m)
		f.set(dst, t)
	default:
		f.set(dst, x).Sub(y, f.m)
	}
}

// fromLE reads a little-endian element; it refuses values ≥ the modulus and
// input of the wrong length.
func (f *field) fromLE(b []byte) (*bigmod.Nat, error) {
	if len(b) != f.size {
		return nil, errLength
	}
	return bigmod.NewNat().SetBytes(reversed(b), f.m)
}

// toLE writes x as size little-endian bytes.
func (f *field) toLE(x *bigmod.Nat) []byte {
	b := x.Bytes(f.m)
	reverse(b)
	return b
}

// selectNat sets dst = src when cond == 1 and leaves it when cond == 0,
// without branching on cond.
func selectNat(dst, src *bigmod.Nat, cond int) {
	mask := -uint(cond & 1)
	d, s := dst.Bits(), src.Bits()
	for i := range d {
		d[i] = d[i]&^mask | s[i]&mask
	}
}

func reverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}

// ctEqByte is 1 when a == b and 0 otherwise, in constant time.
func ctEqByte(a, b byte) int { return subtle.ConstantTimeByteEq(a, b) }
