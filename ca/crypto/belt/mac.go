package belt

import (
	"encoding/binary"
	"hash"
)

// MACSize is the belt-mac tag size in bytes.
const MACSize = 8

// mac is belt-mac, a CMAC-like tag; constant-time S-box,
// as its key is secret.
type mac struct {
	k   key
	r   [4]uint32 // E(0)
	s   [4]uint32
	buf [BlockSize]byte
	nb  int // bytes in buf; a full block stays here until more data comes
}

// NewMAC returns belt-mac keyed with a 16-, 24- or 32-byte key.
func NewMAC(k []byte) (hash.Hash, error) {
	e, err := expandKey(k)
	if err != nil {
		return nil, err
	}
	m := &mac{k: e}
	m.Reset()
	return m, nil
}

func (m *mac) Reset() {
	a, b, c, d := encrypt(&m.k, 0, 0, 0, 0, true)
	m.r = [4]uint32{a, b, c, d}
	m.s = [4]uint32{}
	m.nb = 0
}

func (m *mac) Size() int      { return MACSize }
func (m *mac) BlockSize() int { return BlockSize }

func (m *mac) absorb(p []byte) {
	var x [4]uint32
	for i := range x {
		x[i] = m.s[i] ^ binary.LittleEndian.Uint32(p[4*i:])
	}
	a, b, c, d := encrypt(&m.k, x[0], x[1], x[2], x[3], true)
	m.s = [4]uint32{a, b, c, d}
}

func (m *mac) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if m.nb == BlockSize {
			m.absorb(m.buf[:])
			m.nb = 0
		}
		c := copy(m.buf[m.nb:], p)
		m.nb += c
		p = p[c:]
	}
	return n, nil
}

func (m *mac) Sum(b []byte) []byte {
	var last [BlockSize]byte
	copy(last[:], m.buf[:m.nb])
	var x [4]uint32
	r := m.r
	var phi [4]uint32
	if m.nb == BlockSize {
		phi = [4]uint32{r[1], r[2], r[3], r[0] ^ r[1]} // φ1(r)
	} else {
		last[m.nb] = 0x80
		phi = [4]uint32{r[0] ^ r[3], r[0], r[1], r[2]} // φ2(r)
	}
	for i := range x {
		x[i] = m.s[i] ^ binary.LittleEndian.Uint32(last[4*i:]) ^ phi[i]
	}
	a, c, _, _ := encrypt(&m.k, x[0], x[1], x[2], x[3], true)
	var out [MACSize]byte
	binary.LittleEndian.PutUint32(out[0:], a)
	binary.LittleEndian.PutUint32(out[4:], c)
	return append(b, out[:]...)
}
