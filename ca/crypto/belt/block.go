// Package belt implements the Belarusian block cipher belt (STB 34.101.31-2020)
// and the parts of that standard the service needs: the block cipher itself,
// wide-block encryption (belt-wbl), key wrapping (belt-kwp), the MAC (belt-mac)
// and the hash function belt-hash.
//
// Byte order is the standard's: a block is four 32-bit words, each stored
// little-endian.
//
// Two implementations of the S-box H exist here. The fast one indexes a
// 256-byte table with secret data, as bee2 does; the table is small (four
// cache lines) but its access pattern can still leak through the cache. The
// constant-time one reads the whole table for every lookup and is used
// wherever the key is secret in our protocols: key wrapping, wide-block
// encryption, and the hash returned by NewConstantTimeHash (bign hashes its
// private key with it when deriving the nonce). Bulk hashing of public data
// uses the fast path.
package belt

import (
	"crypto/cipher"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/bits"
	"strconv"
)

// BlockSize is the belt block size in bytes.
const BlockSize = 16

// hTable is the S-box H of STB 34.101.31 (table 1).
var hTable = func() (t [256]byte) {
	b, err := hex.DecodeString("" +
		"B194BAC80A08F53B366D008E584A5DE48504FA9D1BB6C7AC252E72C202FDCE0D" +
		"5BE3D61217B96181FE6786AD716B890B5CB0C0FF33C356B835C405AED8E07F99" +
		"E12BDC1AE28257EC703FCCF095EE8DF1C1AB76389FE678CAF7C6F860D5BB9C4F" +
		"F33C657B637C306ADD4EA7799EB23D313E98B56E27D3BCCF591E181F4C5AB793" +
		"E9DEE72C8F0C0FA62DDB49F46F73964706075316ED247A3739CBA38303A98BF6" +
		"92BD9B1CE5D141015445FBC95E4D0EF2682080AA227D642F2687F93490405511" +
		"BE32971343FC9A48A02A885F194B09A17ECDA4D01544AF8CA58450BF66D2E88A" +
		"A2D7465242A8DFB36974C551EB232921D4EFD9B43A622875911410EA776CDA1D")
	if err != nil || len(b) != 256 {
		panic("belt: bad H table")
	}
	copy(t[:], b)
	return t
}()

// hWords is H packed into 64-bit words for the constant-time lookup.
var hWords = func() (w [32]uint64) {
	for i := range w {
		w[i] = binary.LittleEndian.Uint64(hTable[8*i:])
	}
	return w
}()

// H returns a copy of the table H; the standard's test vectors are slices of it.
func H() []byte {
	h := hTable
	return h[:]
}

// key is an expanded belt key: eight 32-bit words θ1..θ8.
type key [8]uint32

// expandKey turns a 16-, 24- or 32-byte key into θ1..θ8 (STB 34.101.31,
// 5.2: a 128-bit key is repeated, a 192-bit one completed by two XORs).
func expandKey(k []byte) (key, error) {
	var e key
	switch len(k) {
	case 16, 24, 32:
	default:
		return e, KeySizeError(len(k))
	}
	for i := 0; i < len(k)/4; i++ {
		e[i] = binary.LittleEndian.Uint32(k[4*i:])
	}
	switch len(k) {
	case 16:
		copy(e[4:], e[:4])
	case 24:
		e[6] = e[0] ^ e[1] ^ e[2]
		e[7] = e[3] ^ e[4] ^ e[5]
	}
	return e, nil
}

// KeySizeError reports a key whose length is not 16, 24 or 32 bytes.
type KeySizeError int

func (k KeySizeError) Error() string {
	return "belt: invalid key size " + strconv.Itoa(int(k))
}

// sub applies H to each byte of u (fast, table-indexed).
func sub(u uint32) uint32 {
	return uint32(hTable[u&0xff]) | uint32(hTable[u>>8&0xff])<<8 |
		uint32(hTable[u>>16&0xff])<<16 | uint32(hTable[u>>24])<<24
}

// subCT applies H to each byte of u reading all of the table every time, so
// that the memory access pattern does not depend on u.
func subCT(u uint32) uint32 {
	i0, i1, i2, i3 := u>>3&31, u>>11&31, u>>19&31, u>>27&31
	var a0, a1, a2, a3 uint64
	for i := uint32(0); i < 32; i++ {
		w := hWords[i]
		a0 |= w & eqMask(i, i0)
		a1 |= w & eqMask(i, i1)
		a2 |= w & eqMask(i, i2)
		a3 |= w & eqMask(i, i3)
	}
	b0 := byte(a0 >> ((u & 7) * 8))
	b1 := byte(a1 >> ((u >> 8 & 7) * 8))
	b2 := byte(a2 >> ((u >> 16 & 7) * 8))
	b3 := byte(a3 >> ((u >> 24 & 7) * 8))
	return uint32(b0) | uint32(b1)<<8 | uint32(b2)<<16 | uint32(b3)<<24
}

// eqMask is all ones when a == b and zero otherwise, without branches.
func eqMask(a, b uint32) uint64 {
	x := uint64(a ^ b)
	// x-1 borrows into bit 63 only when x == 0.
	return -((x - 1) >> 63)
}

// hRot[s][b] = RotHi^s(H(b)) for s = 5, 13, 21, 29: G_r of a word is then
// four lookups (bee2's layout), the fast path for public data.
var hRot = func() (t [4][256]uint32) {
	for i, r := range [4]int{5, 13, 21, 29} {
		for b := range 256 {
			t[i][b] = bits.RotateLeft32(uint32(hTable[b]), r)
		}
	}
	return t
}()

func g5(u uint32) uint32 {
	return hRot[0][u&0xff] ^ hRot[1][u>>8&0xff] ^ hRot[2][u>>16&0xff] ^ hRot[3][u>>24]
}

func g13(u uint32) uint32 {
	return hRot[1][u&0xff] ^ hRot[2][u>>8&0xff] ^ hRot[3][u>>16&0xff] ^ hRot[0][u>>24]
}

func g21(u uint32) uint32 {
	return hRot[2][u&0xff] ^ hRot[3][u>>8&0xff] ^ hRot[0][u>>16&0xff] ^ hRot[1][u>>24]
}

// encrypt is the belt-block encryption of STB 34.101.31, with the
// subscripts of the standard (K[7i-6] … K[7i], K_j = θ_{(j-1) mod 8 + 1}).
func encrypt(k *key, a, b, c, d uint32, ct bool) (uint32, uint32, uint32, uint32) {
	if ct {
		return encryptCT(k, a, b, c, d)
	}
	for i := uint32(1); i <= 8; i++ {
		j := 7*i - 7 // index of K[7i-6] in θ (0-based, mod 8)
		b ^= g5(a + k[j%8])
		c ^= g21(d + k[(j+1)%8])
		a -= g13(b + k[(j+2)%8])
		e := g21(b+c+k[(j+3)%8]) ^ i
		b += e
		c -= e
		d += g13(c + k[(j+4)%8])
		b ^= g21(a + k[(j+5)%8])
		c ^= g5(d + k[(j+6)%8])
		a, b = b, a
		c, d = d, c
		b, c = c, b
	}
	return b, d, a, c
}

// encryptCT is encrypt with the constant-time S-box.
func encryptCT(k *key, a, b, c, d uint32) (uint32, uint32, uint32, uint32) {
	g := subCT
	for i := uint32(1); i <= 8; i++ {
		j := 7*i - 7
		b ^= bits.RotateLeft32(g(a+k[j%8]), 5)
		c ^= bits.RotateLeft32(g(d+k[(j+1)%8]), 21)
		a -= bits.RotateLeft32(g(b+k[(j+2)%8]), 13)
		e := bits.RotateLeft32(g(b+c+k[(j+3)%8]), 21) ^ i
		b += e
		c -= e
		d += bits.RotateLeft32(g(c+k[(j+4)%8]), 13)
		b ^= bits.RotateLeft32(g(a+k[(j+5)%8]), 21)
		c ^= bits.RotateLeft32(g(d+k[(j+6)%8]), 5)
		a, b = b, a
		c, d = d, c
		b, c = c, b
	}
	return b, d, a, c
}

// decrypt is the belt-block decryption of STB 34.101.31.
func decrypt(k *key, a, b, c, d uint32, ct bool) (uint32, uint32, uint32, uint32) {
	g := sub
	if ct {
		g = subCT
	}
	for i := uint32(8); i >= 1; i-- {
		j := 7*i - 1 // index of K[7i] in θ (0-based, mod 8)
		b ^= bits.RotateLeft32(g(a+k[j%8]), 5)
		c ^= bits.RotateLeft32(g(d+k[(j-1)%8]), 21)
		a -= bits.RotateLeft32(g(b+k[(j-2)%8]), 13)
		e := bits.RotateLeft32(g(b+c+k[(j-3)%8]), 21) ^ i
		b += e
		c -= e
		d += bits.RotateLeft32(g(c+k[(j-4)%8]), 13)
		b ^= bits.RotateLeft32(g(a+k[(j-5)%8]), 21)
		c ^= bits.RotateLeft32(g(d+k[(j-6)%8]), 5)
		a, b = b, a
		c, d = d, c
		a, d = d, a
	}
	return c, a, d, b
}

func (k *key) encryptBlock(dst, src []byte, ct bool) {
	_ = src[15]
	_ = dst[15]
	a, b, c, d := encrypt(k,
		binary.LittleEndian.Uint32(src[0:]), binary.LittleEndian.Uint32(src[4:]),
		binary.LittleEndian.Uint32(src[8:]), binary.LittleEndian.Uint32(src[12:]), ct)
	binary.LittleEndian.PutUint32(dst[0:], a)
	binary.LittleEndian.PutUint32(dst[4:], b)
	binary.LittleEndian.PutUint32(dst[8:], c)
	binary.LittleEndian.PutUint32(dst[12:], d)
}

func (k *key) decryptBlock(dst, src []byte, ct bool) {
	_ = src[15]
	_ = dst[15]
	a, b, c, d := decrypt(k,
		binary.LittleEndian.Uint32(src[0:]), binary.LittleEndian.Uint32(src[4:]),
		binary.LittleEndian.Uint32(src[8:]), binary.LittleEndian.Uint32(src[12:]), ct)
	binary.LittleEndian.PutUint32(dst[0:], a)
	binary.LittleEndian.PutUint32(dst[4:], b)
	binary.LittleEndian.PutUint32(dst[8:], c)
	binary.LittleEndian.PutUint32(dst[12:], d)
}

// blockCipher is belt-block as a cipher.Block. It uses the constant-time
// S-box: a cipher.Block is keyed with a secret.
type blockCipher struct{ k key }

// NewCipher returns belt-block keyed with a 16-, 24- or 32-byte key.
func NewCipher(k []byte) (cipher.Block, error) {
	e, err := expandKey(k)
	if err != nil {
		return nil, err
	}
	return &blockCipher{k: e}, nil
}

func (c *blockCipher) BlockSize() int { return BlockSize }

func (c *blockCipher) Encrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("belt: input not full block")
	}
	c.k.encryptBlock(dst, src, true)
}

func (c *blockCipher) Decrypt(dst, src []byte) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("belt: input not full block")
	}
	c.k.decryptBlock(dst, src, true)
}

var errShort = errors.New("belt: wide block shorter than 32 bytes")
