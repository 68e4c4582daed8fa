package keyfile

import (
	"encoding/asn1"
	"encoding/binary"
	"math/bits"
)

// GOST 28147-89 (the block cipher of GOST R 34.12-2015's Magma, in
// 28147's byte order as OpenSSL's engine uses it: key words and block
// halves little-endian) in CFB mode with CryptoPro key meshing, only to
// read and write what `openssl pkcs12 -keypbe gost89` makes. The S-box is
// looked up by value (a table index): like every 28147 implementation; the
// key it protects is the file's, derived from the password by PBKDF2.

// oidGOSTParamZ is id-tc26-gost-28147-param-Z (RFC 7836), the S-box of
// Magma: the only parameter set the engine writes for PKCS#12.
var oidGOSTParamZ = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 2, 5, 1, 1}

// gostSbox[i] substitutes the i-th nibble from the least significant.
type gostSbox [8][16]byte

var gostSboxes = map[string]*gostSbox{
	oidGOSTParamZ.String(): {
		{0xc, 0x4, 0x6, 0x2, 0xa, 0x5, 0xb, 0x9, 0xe, 0x8, 0xd, 0x7, 0x0, 0x3, 0xf, 0x1},
		{0x6, 0x8, 0x2, 0x3, 0x9, 0xa, 0x5, 0xc, 0x1, 0xe, 0x4, 0x7, 0xb, 0xd, 0x0, 0xf},
		{0xb, 0x3, 0x5, 0x8, 0x2, 0xf, 0xa, 0xd, 0xe, 0x1, 0x7, 0x4, 0xc, 0x9, 0x6, 0x0},
		{0xc, 0x8, 0x2, 0x1, 0xd, 0x4, 0xf, 0x6, 0x7, 0x0, 0xa, 0x5, 0x3, 0xe, 0x9, 0xb},
		{0x7, 0xf, 0x5, 0xa, 0x8, 0x1, 0x6, 0xd, 0x0, 0x9, 0x3, 0xe, 0xb, 0x4, 0x2, 0xc},
		{0x5, 0xd, 0xf, 0x6, 0x9, 0x2, 0xc, 0xa, 0xb, 0x7, 0x8, 0x1, 0x4, 0x3, 0xe, 0x0},
		{0x8, 0xe, 0x2, 0x5, 0x6, 0x9, 0x1, 0xc, 0xf, 0x4, 0xb, 0x0, 0xd, 0xa, 0x3, 0x7},
		{0x1, 0x7, 0xe, 0xd, 0x0, 0x5, 0x8, 0x3, 0x4, 0xf, 0xa, 0x6, 0x9, 0xc, 0xb, 0x2},
	},
}

// cryptoProMeshingKey is C of RFC 4357 2.3.2.
var cryptoProMeshingKey = [32]byte{
	0x69, 0x00, 0x72, 0x22, 0x64, 0xc9, 0x04, 0x23, 0x8d, 0x3a, 0xdb, 0x96, 0x46, 0xe9, 0x2a, 0xc4,
	0x18, 0xfe, 0xac, 0x94, 0x00, 0xed, 0x07, 0x12, 0xc0, 0x86, 0xdc, 0xc2, 0xef, 0x4c, 0xa9, 0x2b,
}

type gost28147 struct {
	k    [8]uint32
	sbox *gostSbox
}

func newGost28147(sbox *gostSbox, key []byte) *gost28147 {
	g := &gost28147{sbox: sbox}
	for i := range g.k {
		g.k[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
	return g
}

func (g *gost28147) f(x uint32) uint32 {
	var y uint32
	for i := 0; i < 8; i++ {
		y |= uint32(g.sbox[i][(x>>(4*i))&0xf]) << (4 * i)
	}
	return bits.RotateLeft32(y, 11)
}

// order is the round-key schedule: K1..K8 three times, then K8..K1.
var encOrder, decOrder [32]int

func init() {
	for i := 0; i < 24; i++ {
		encOrder[i] = i % 8
	}
	for i := 24; i < 32; i++ {
		encOrder[i] = 31 - i
	}
	for i := range decOrder {
		decOrder[i] = encOrder[31-i]
	}
}

func (g *gost28147) crypt(dst, src []byte, order *[32]int) {
	n1 := binary.LittleEndian.Uint32(src)
	n2 := binary.LittleEndian.Uint32(src[4:])
	for _, i := range order {
		n1, n2 = n2^g.f(n1+g.k[i]), n1
	}
	binary.LittleEndian.PutUint32(dst, n2)
	binary.LittleEndian.PutUint32(dst[4:], n1)
}

// gostCFB en- or decrypts data in CFB-64 with CryptoPro key meshing every
// 1024 bytes: K' = D_K(C), IV' = E_K'(IV).
func gostCFB(sbox *gostSbox, key, iv, data []byte, encrypt bool) []byte {
	g := newGost28147(sbox, key)
	reg := make([]byte, 8)
	copy(reg, iv)
	ks := make([]byte, 8)
	out := make([]byte, len(data))
	for off := 0; off < len(data); off += 8 {
		if off > 0 && off%1024 == 0 {
			var nk [32]byte
			for i := 0; i < 4; i++ {
				g.crypt(nk[8*i:], cryptoProMeshingKey[8*i:], &decOrder)
			}
			g = newGost28147(sbox, nk[:])
			clear(nk[:])
			g.crypt(reg, reg, &encOrder)
		}
		g.crypt(ks, reg, &encOrder)
		end := min(off+8, len(data))
		for i := off; i < end; i++ {
			out[i] = data[i] ^ ks[i-off]
		}
		if encrypt {
			copy(reg, out[off:end])
		} else {
			copy(reg, data[off:end])
		}
	}
	clear(g.k[:])
	return out
}
