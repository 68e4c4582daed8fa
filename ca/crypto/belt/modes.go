package belt

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

// The confidentiality modes of STB 34.101.31: belt-ecb and belt-cbc (with
// the standard's ciphertext stealing, so any length of at least one block),
// belt-cfb and belt-ctr (streams). None authenticates: pair them with
// belt-mac or use belt-kwp for keys. All use the constant-time S-box.

var errModeShort = errors.New("belt: ecb and cbc need at least 16 bytes")

func checkIV(iv []byte) error {
	if len(iv) != BlockSize {
		return errors.New("belt: iv is not 16 bytes")
	}
	return nil
}

// ECBEncrypt encrypts src into dst (same length, may be the same slice)
// with belt-ecb.
func ECBEncrypt(dst, src, k []byte) error { return ecb(dst, src, k, false) }

// ECBDecrypt inverts ECBEncrypt.
func ECBDecrypt(dst, src, k []byte) error { return ecb(dst, src, k, true) }

func ecb(dst, src, k []byte, decrypt bool) error {
	e, err := expandKey(k)
	if err != nil {
		return err
	}
	if len(src) < BlockSize || len(dst) != len(src) {
		return errModeShort
	}
	f := func(out, in []byte) { e.encryptBlock(out, in, true) }
	if decrypt {
		f = func(out, in []byte) { e.decryptBlock(out, in, true) }
	}
	copy(dst, src)
	n := len(dst) / BlockSize * BlockSize
	for i := 0; i < n; i += BlockSize {
		f(dst[i:i+BlockSize], dst[i:i+BlockSize])
	}
	if r := len(dst) - n; r > 0 {
		// Stealing: the short last block borrows the tail of the block before.
		prev, last := dst[n-BlockSize:n], dst[n:]
		var b [BlockSize]byte
		copy(b[:], last)
		copy(b[r:], prev[r:])
		f(b[:], b[:])
		copy(last, prev[:r])
		copy(prev, b[:])
	}
	return nil
}

// CBCEncrypt encrypts src into dst with belt-cbc under iv.
func CBCEncrypt(dst, src, k, iv []byte) error {
	e, err := expandKey(k)
	if err != nil {
		return err
	}
	if err := checkIV(iv); err != nil {
		return err
	}
	if len(src) < BlockSize || len(dst) != len(src) {
		return errModeShort
	}
	copy(dst, src)
	var chain [BlockSize]byte
	copy(chain[:], iv)
	n := len(dst) / BlockSize * BlockSize
	for i := 0; i < n; i += BlockSize {
		blk := dst[i : i+BlockSize]
		subtle.XORBytes(blk, blk, chain[:])
		e.encryptBlock(blk, blk, true)
		copy(chain[:], blk)
	}
	if r := len(dst) - n; r > 0 {
		prev, last := dst[n-BlockSize:n], dst[n:]
		var b [BlockSize]byte
		copy(b[:], prev)
		subtle.XORBytes(b[:r], b[:r], last)
		e.encryptBlock(b[:], b[:], true)
		copy(last, prev[:r])
		copy(prev, b[:])
	}
	return nil
}

// CBCDecrypt inverts CBCEncrypt.
func CBCDecrypt(dst, src, k, iv []byte) error {
	e, err := expandKey(k)
	if err != nil {
		return err
	}
	if err := checkIV(iv); err != nil {
		return err
	}
	if len(src) < BlockSize || len(dst) != len(src) {
		return errModeShort
	}
	copy(dst, src)
	var chain, c [BlockSize]byte
	copy(chain[:], iv)
	r := len(dst) % BlockSize
	whole := len(dst)
	if r > 0 {
		whole = len(dst) - r - BlockSize // the last full block and the short one go together
	}
	for i := 0; i < whole; i += BlockSize {
		blk := dst[i : i+BlockSize]
		copy(c[:], blk)
		e.decryptBlock(blk, blk, true)
		subtle.XORBytes(blk, blk, chain[:])
		chain = c
	}
	if r > 0 {
		prev, last := dst[whole:whole+BlockSize], dst[whole+BlockSize:]
		var b [BlockSize]byte
		e.decryptBlock(b[:], prev, true)
		// b = (X_n || 0) ⊕ C_{n-1}; its head against the short block gives X_n,
		// and the short block completes C_{n-1}.
		var x [BlockSize]byte
		subtle.XORBytes(x[:r], b[:r], last)
		copy(b[:r], last)
		copy(last, x[:r])
		e.decryptBlock(prev, b[:], true)
		subtle.XORBytes(prev, prev, chain[:])
	}
	return nil
}

// cfb is belt-cfb: the keystream is E(previous ciphertext block).
type cfb struct {
	k       key
	reg, ks [BlockSize]byte
	pos     int
	decrypt bool
}

// NewCFBEncrypter returns belt-cfb encryption under key and iv.
func NewCFBEncrypter(k, iv []byte) (cipher.Stream, error) { return newCFB(k, iv, false) }

// NewCFBDecrypter returns belt-cfb decryption under key and iv.
func NewCFBDecrypter(k, iv []byte) (cipher.Stream, error) { return newCFB(k, iv, true) }

func newCFB(k, iv []byte, decrypt bool) (cipher.Stream, error) {
	e, err := expandKey(k)
	if err != nil {
		return nil, err
	}
	if err := checkIV(iv); err != nil {
		return nil, err
	}
	s := &cfb{k: e, pos: BlockSize, decrypt: decrypt}
	copy(s.reg[:], iv)
	return s, nil
}

func (s *cfb) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("belt: output smaller than input")
	}
	for i, in := range src {
		if s.pos == BlockSize {
			s.k.encryptBlock(s.ks[:], s.reg[:], true)
			s.pos = 0
		}
		out := in ^ s.ks[s.pos]
		if s.decrypt {
			s.reg[s.pos] = in
		} else {
			s.reg[s.pos] = out
		}
		dst[i] = out
		s.pos++
	}
}

// ctr is belt-ctr: the counter starts at E(iv) and is incremented (a
// 128-bit little-endian integer) before each block.
type ctr struct {
	k      key
	lo, hi uint64
	ks     [BlockSize]byte
	pos    int
}

// NewCTR returns belt-ctr under key and iv (the same for both directions).
func NewCTR(k, iv []byte) (cipher.Stream, error) {
	e, err := expandKey(k)
	if err != nil {
		return nil, err
	}
	if err := checkIV(iv); err != nil {
		return nil, err
	}
	var s0 [BlockSize]byte
	e.encryptBlock(s0[:], iv, true)
	return &ctr{k: e, lo: binary.LittleEndian.Uint64(s0[:8]), hi: binary.LittleEndian.Uint64(s0[8:]), pos: BlockSize}, nil
}

func (s *ctr) XORKeyStream(dst, src []byte) {
	if len(dst) < len(src) {
		panic("belt: output smaller than input")
	}
	for i, in := range src {
		if s.pos == BlockSize {
			s.lo++
			if s.lo == 0 {
				s.hi++
			}
			var c [BlockSize]byte
			binary.LittleEndian.PutUint64(c[:8], s.lo)
			binary.LittleEndian.PutUint64(c[8:], s.hi)
			s.k.encryptBlock(s.ks[:], c[:], true)
			s.pos = 0
		}
		dst[i] = in ^ s.ks[s.pos]
		s.pos++
	}
}
