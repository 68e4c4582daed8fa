package belt

import (
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

// WBLEncrypt encrypts buf in place with belt-wbl: a wide-block cipher on any
// length of at least 32 bytes. It uses the constant-time S-box: its keys are
// secret (key wrapping, bign's nonce).
func WBLEncrypt(buf, k []byte) error {
	e, err := expandKey(k)
	if err != nil {
		return err
	}
	return e.wblEncrypt(buf)
}

// WBLDecrypt inverts WBLEncrypt in place.
func WBLDecrypt(buf, k []byte) error {
	e, err := expandKey(k)
	if err != nil {
		return err
	}
	return e.wblDecrypt(buf)
}

func (k *key) wblEncrypt(r []byte) error {
	n := len(r)
	if n < 32 {
		return errShort
	}
	blocks := uint64((n + 15) / 16)
	var s, y [16]byte
	for round := uint64(1); round <= 2*blocks; round++ {
		// s <- r1 ⊕ … ⊕ r_{n-1}: the whole 16-byte blocks before the last 16 bytes.
		copy(s[:], r[:16])
		for i := 16; i+16 < n; i += 16 {
			subtle.XORBytes(s[:], s[:], r[i:i+16])
		}
		// r <- ShLo^128(r), r* <- s (r* is the last 16 bytes).
		copy(r, r[16:])
		copy(r[n-16:], s[:])
		// The r* of before the shift, now at n-32, absorbs E(s) ⊕ <round>.
		k.encryptBlock(y[:], s[:], true)
		xorRound(&y, round)
		subtle.XORBytes(r[n-32:n-16], r[n-32:n-16], y[:])
	}
	return nil
}

func (k *key) wblDecrypt(r []byte) error {
	n := len(r)
	if n < 32 {
		return errShort
	}
	blocks := uint64((n + 15) / 16)
	var s, y [16]byte
	for round := 2 * blocks; round >= 1; round-- {
		copy(s[:], r[n-16:])
		copy(r[16:], r[:n-16])
		copy(r[:16], s[:])
		k.encryptBlock(y[:], s[:], true)
		xorRound(&y, round)
		subtle.XORBytes(r[n-16:], r[n-16:], y[:])
		for i := 16; i+16 < n; i += 16 {
			subtle.XORBytes(r[:16], r[:16], r[i:i+16])
		}
	}
	return nil
}

// xorRound adds the round number as a little-endian integer to the block.
func xorRound(y *[16]byte, round uint64) {
	var t [8]byte
	binary.LittleEndian.PutUint64(t[:], round)
	subtle.XORBytes(y[:8], y[:8], t[:])
}

// ErrUnwrap is returned when a wrapped key fails its integrity check: a wrong
// key, a wrong header or a damaged token.
var ErrUnwrap = errors.New("belt: key token does not unwrap with this key and header")

// KWPWrap wraps secret with belt-kwp: belt-wbl of
// secret||header under k. header is 16 bytes, or nil for sixteen zeros. The
// secret is at least 16 bytes; the token is 16 bytes longer.
func KWPWrap(secret, header, k []byte) ([]byte, error) {
	if len(secret) < 16 {
		return nil, errors.New("belt: key to wrap shorter than 16 bytes")
	}
	if header != nil && len(header) != 16 {
		return nil, errors.New("belt: key-wrap header is not 16 bytes")
	}
	e, err := expandKey(k)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(secret)+16)
	copy(out, secret)
	copy(out[len(secret):], header)
	if err := e.wblEncrypt(out); err != nil {
		return nil, err
	}
	return out, nil
}

// KWPUnwrap undoes KWPWrap and checks the header in constant time.
func KWPUnwrap(token, header, k []byte) ([]byte, error) {
	if len(token) < 32 {
		return nil, errors.New("belt: key token shorter than 32 bytes")
	}
	if header != nil && len(header) != 16 {
		return nil, errors.New("belt: key-wrap header is not 16 bytes")
	}
	e, err := expandKey(k)
	if err != nil {
		return nil, err
	}
	buf := append([]byte(nil), token...)
	if err := e.wblDecrypt(buf); err != nil {
		return nil, err
	}
	want := make([]byte, 16)
	copy(want, header)
	if subtle.ConstantTimeCompare(buf[len(buf)-16:], want) != 1 {
		clear(buf)
		return nil, ErrUnwrap
	}
	return buf[:len(buf)-16], nil
}
