package belt

import (
	"encoding/binary"
	"hash"
)

// Size is the belt-hash digest size in bytes.
const Size = 32

// HashBlockSize is the belt-hash block size in bytes.
const HashBlockSize = 32

// digest is the state of belt-hash.
type digest struct {
	h   [8]uint32 // chaining value
	s   [4]uint32 // running ⊕ of σ1 over the blocks
	n   uint64    // bytes hashed so far
	buf [HashBlockSize]byte
	nb  int
	ct  bool
}

// New returns belt-hash for public data.
func New() hash.Hash { d := &digest{}; d.Reset(); return d }

// NewConstantTimeHash returns belt-hash whose work does not depend on the
// data hashed through the cache: for secret input (a private key).
func NewConstantTimeHash() hash.Hash { d := &digest{ct: true}; d.Reset(); return d }

// Sum returns belt-hash of data.
func Sum(data []byte) [Size]byte {
	var d digest
	d.Reset()
	d.Write(data)
	var out [Size]byte
	d.checkSum(out[:0])
	return out
}

func (d *digest) Reset() {
	for i := range d.h {
		d.h[i] = binary.LittleEndian.Uint32(hTable[4*i:])
	}
	d.s = [4]uint32{}
	d.n = 0
	d.nb = 0
}

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return HashBlockSize }

func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	d.n += uint64(n)
	if d.nb > 0 {
		c := copy(d.buf[d.nb:], p)
		d.nb += c
		p = p[c:]
		if d.nb < HashBlockSize {
			return n, nil
		}
		x := loadBlock(d.buf[:])
		compress(&d.h, &d.s, &x, d.ct)
		d.nb = 0
	}
	for len(p) >= HashBlockSize {
		x := loadBlock(p)
		compress(&d.h, &d.s, &x, d.ct)
		p = p[HashBlockSize:]
	}
	d.nb = copy(d.buf[:], p)
	return n, nil
}

func (d *digest) Sum(b []byte) []byte {
	c := *d // Sum does not change the state
	return c.checkSum(b)
}

func (d *digest) checkSum(b []byte) []byte {
	h, s := d.h, d.s
	if d.nb > 0 {
		var last [HashBlockSize]byte
		copy(last[:], d.buf[:d.nb])
		x := loadBlock(last[:])
		compress(&h, &s, &x, d.ct)
	}
	// The last block is the 128-bit length in bits and s.
	bitsLo, bitsHi := d.n<<3, d.n>>61
	x := [8]uint32{uint32(bitsLo), uint32(bitsLo >> 32), uint32(bitsHi), uint32(bitsHi >> 32), s[0], s[1], s[2], s[3]}
	var ignore [4]uint32
	compress(&h, &ignore, &x, d.ct)
	var out [Size]byte
	for i, w := range h {
		binary.LittleEndian.PutUint32(out[4*i:], w)
	}
	return append(b, out[:]...)
}

func loadBlock(p []byte) (x [8]uint32) {
	_ = p[31]
	for i := range x {
		x[i] = binary.LittleEndian.Uint32(p[4*i:])
	}
	return x
}

// compress is belt-compress: h is the chaining value
// u3||u4, x the message block u1||u2; s absorbs σ1.
func compress(h *[8]uint32, s *[4]uint32, x *[8]uint32, ct bool) {
	k := key(*x)
	// σ1 = E_{u1||u2}(u3 ⊕ u4) ⊕ u3 ⊕ u4
	u0, u1, u2, u3 := h[0]^h[4], h[1]^h[5], h[2]^h[6], h[3]^h[7]
	e0, e1, e2, e3 := encrypt(&k, u0, u1, u2, u3, ct)
	s0, s1, s2, s3 := e0^u0, e1^u1, e2^u2, e3^u3
	s[0] ^= s0
	s[1] ^= s1
	s[2] ^= s2
	s[3] ^= s3
	// h0' = E_{σ1||u4}(u1) ⊕ u1, h1' = E_{~σ1||u3}(u2) ⊕ u2
	k1 := key{s0, s1, s2, s3, h[4], h[5], h[6], h[7]}
	k2 := key{^s0, ^s1, ^s2, ^s3, h[0], h[1], h[2], h[3]}
	a0, a1, a2, a3 := encrypt(&k1, x[0], x[1], x[2], x[3], ct)
	b0, b1, b2, b3 := encrypt(&k2, x[4], x[5], x[6], x[7], ct)
	*h = [8]uint32{a0 ^ x[0], a1 ^ x[1], a2 ^ x[2], a3 ^ x[3], b0 ^ x[4], b1 ^ x[5], b2 ^ x[6], b3 ^ x[7]}
}
