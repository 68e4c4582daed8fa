// Package streebog implements the hash function GOST R 34.11-2012
// ("Streebog", RFC 6986) with 256- and 512-bit output.
//
// Byte order: a message is hashed as the byte string it is; the standard
// writes its vectors (RFC 6986 §10) as numbers, most significant byte
// first, which is the reverse of the byte string. Sum returns the bytes
// OpenSSL's md_gost12_256/512 print, likewise the reverse of the written
// numbers.
//
// The compression function uses lookup tables indexed by the data (as
// every fast Streebog does); see the package gost3410 for what that
// means where the data is secret.
package streebog

import (
	"encoding/binary"
	"errors"
	"hash"
	"math/bits"
)

const (
	// BlockSize is the block size of Streebog in bytes.
	BlockSize = 64
	// Size256 and Size512 are the digest sizes in bytes.
	Size256 = 32
	Size512 = 64
)

type digest struct {
	h, n, sigma [8]uint64
	buf         [BlockSize]byte
	nx          int
	size        int
}

// New256 returns a new hash.Hash computing Streebog-256.
func New256() hash.Hash { d := &digest{size: Size256}; d.Reset(); return d }

// New512 returns a new hash.Hash computing Streebog-512.
func New512() hash.Hash { d := &digest{size: Size512}; d.Reset(); return d }

// Sum256 returns the Streebog-256 digest of data.
func Sum256(data []byte) [Size256]byte {
	d := digest{size: Size256}
	d.Reset()
	d.Write(data)
	var out [Size256]byte
	d.checkSum(out[:0])
	return out
}

// Sum512 returns the Streebog-512 digest of data.
func Sum512(data []byte) [Size512]byte {
	d := digest{size: Size512}
	d.Reset()
	d.Write(data)
	var out [Size512]byte
	d.checkSum(out[:0])
	return out
}

func (d *digest) Size() int      { return d.size }
func (d *digest) BlockSize() int { return BlockSize }

func (d *digest) Reset() {
	// IV: 0^512 for Streebog-512, (00000001)^64 for Streebog-256.
	var iv uint64
	if d.size == Size256 {
		iv = 0x0101010101010101
	}
	for i := range d.h {
		d.h[i] = iv
	}
	d.n, d.sigma = [8]uint64{}, [8]uint64{}
	d.nx = 0
}

func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.nx > 0 {
		c := copy(d.buf[d.nx:], p)
		d.nx += c
		p = p[c:]
		if d.nx < BlockSize {
			return n, nil
		}
		d.block(&d.buf)
		d.nx = 0
	}
	for len(p) >= BlockSize {
		d.block((*[BlockSize]byte)(p))
		p = p[BlockSize:]
	}
	d.nx = copy(d.buf[:], p)
	return n, nil
}

func (d *digest) Sum(in []byte) []byte {
	c := *d
	return c.checkSum(in)
}

// block is stage 2 of the standard for one full block.
func (d *digest) block(b *[BlockSize]byte) {
	var m [8]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	g(&d.h, &d.n, &m)
	add512(&d.n, &[8]uint64{512})
	add512(&d.sigma, &m)
}

// checkSum is stage 3: the padded last block, then N and Σ.
func (d *digest) checkSum(in []byte) []byte {
	var last [BlockSize]byte
	copy(last[:], d.buf[:d.nx])
	last[d.nx] = 1
	var m [8]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(last[8*i:])
	}
	g(&d.h, &d.n, &m)
	add512(&d.n, &[8]uint64{uint64(d.nx) * 8})
	add512(&d.sigma, &m)
	var zero [8]uint64
	g(&d.h, &zero, &d.n)
	g(&d.h, &zero, &d.sigma)
	var out [Size512]byte
	for i, w := range d.h {
		binary.LittleEndian.PutUint64(out[8*i:], w)
	}
	// Streebog-256 is the most significant half of the final state.
	return append(in, out[Size512-d.size:]...)
}

func add512(a, b *[8]uint64) {
	var c uint64
	for i := range a {
		a[i], c = bits.Add64(a[i], b[i], c)
	}
}

// lpsx sets dst = LPS(a ⊕ b). Output word i takes byte i of every input
// word (the transposition P), each through its table. Written out with
// locals so that the eight words stay in registers.
func lpsx(dst, a, b *[8]uint64) {
	r0, r1, r2, r3 := a[0]^b[0], a[1]^b[1], a[2]^b[2], a[3]^b[3]
	r4, r5, r6, r7 := a[4]^b[4], a[5]^b[5], a[6]^b[6], a[7]^b[7]
	t0, t1, t2, t3, t4, t5, t6, t7 := &lps[0], &lps[1], &lps[2], &lps[3], &lps[4], &lps[5], &lps[6], &lps[7]
	for i := 0; i < 8; i++ {
		dst[i] = t0[byte(r0)] ^ t1[byte(r1)] ^ t2[byte(r2)] ^ t3[byte(r3)] ^
			t4[byte(r4)] ^ t5[byte(r5)] ^ t6[byte(r6)] ^ t7[byte(r7)]
		r0, r1, r2, r3 = r0>>8, r1>>8, r2>>8, r3>>8
		r4, r5, r6, r7 = r4>>8, r5>>8, r6>>8, r7>>8
	}
}

// g is the compression function g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m.
func g(h, n, m *[8]uint64) {
	var k, t [8]uint64
	lpsx(&k, h, n)
	t = *m
	for i := 0; i < 12; i++ {
		lpsx(&t, &t, &k)
		lpsx(&k, &k, &rc[i])
	}
	for i := range h {
		h[i] ^= t[i] ^ k[i] ^ m[i]
	}
}

const (
	magic         = "stb\x01"
	marshaledSize = len(magic) + 1 + 3*8*8 + BlockSize + 1
)

// MarshalBinary saves the running state (encoding.BinaryMarshaler).
func (d *digest) MarshalBinary() ([]byte, error) {
	return d.AppendBinary(make([]byte, 0, marshaledSize))
}

// AppendBinary appends the running state (encoding.BinaryAppender).
func (d *digest) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, magic...)
	b = append(b, byte(d.size))
	for _, a := range []*[8]uint64{&d.h, &d.n, &d.sigma} {
		for _, w := range a {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
	}
	b = append(b, d.buf[:]...)
	return append(b, byte(d.nx)), nil
}

// UnmarshalBinary restores a state saved by MarshalBinary of a hash of the
// same size.
func (d *digest) UnmarshalBinary(b []byte) error {
	if len(b) != marshaledSize || string(b[:len(magic)]) != magic {
		return errors.New("streebog: invalid hash state")
	}
	b = b[len(magic):]
	if int(b[0]) != d.size {
		return errors.New("streebog: hash state of another digest size")
	}
	b = b[1:]
	for _, a := range []*[8]uint64{&d.h, &d.n, &d.sigma} {
		for i := range a {
			a[i] = binary.LittleEndian.Uint64(b)
			b = b[8:]
		}
	}
	copy(d.buf[:], b[:BlockSize])
	nx := int(b[BlockSize])
	if nx >= BlockSize {
		return errors.New("streebog: invalid hash state")
	}
	d.nx = nx
	return nil
}

// Clone returns an independent copy of the running state (hash.Cloner).
func (d *digest) Clone() (hash.Cloner, error) {
	c := *d
	return &c, nil
}

var _ hash.Cloner = (*digest)(nil)
