package gost3410

import (
	"crypto/hmac"
	"crypto/sha512"

	"filippo.io/bigmod"
)

// nonces derives the per-signature k as RFC 6979 §3.2 does, with
// HMAC-SHA-512 as the PRF, GOST's e as the message input, and the optional
// extra data k' of §3.6 filled with fresh randomness when the caller gives
// a generator. Without randomness the signature is deterministic; with a
// weak generator k still depends on the secret key and the message, so it
// cannot repeat across messages or be predicted without the key.
//
// SHA-512, not Streebog: this PRF runs over the private key, and SHA-512
// has no data-indexed tables, while every fast Streebog indexes its tables
// by the data (a cache-watching tenant on the same core could learn bytes
// of d). A table-free Streebog was measured ~240× slower per hash. The
// choice of PRF is internal: it changes no signature's validity, only
// which valid k is chosen (RFC 6979 §3.6 allows any HMAC hash; Go's ecdsa
// does the same).
type nonces struct {
	c    *Curve
	k, v []byte
	hl   int
}

func newNonces(c *Curve, d, e, extra []byte) *nonces {
	n := &nonces{c: c, hl: sha512.Size}
	n.v = make([]byte, n.hl)
	for i := range n.v {
		n.v[i] = 1
	}
	n.k = make([]byte, n.hl)
	for _, sep := range []byte{0, 1} {
		n.k = n.mac(n.v, []byte{sep}, d, e, extra)
		n.v = n.mac(n.v)
	}
	return n
}

func (n *nonces) mac(parts ...[]byte) []byte {
	h := hmac.New(sha512.New, n.k)
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// next returns the next candidate in [1, q-1] (§3.2 step h); ok is false
// only if a hundred candidates in a row were out of range, which HMAC
// makes impossible in practice (each is with probability below 1/2).
func (n *nonces) next() (k *bigmod.Nat, ok bool) {
	c := n.c
	for try := 0; try < 100; try++ {
		var t []byte
		for len(t) < c.size {
			n.v = n.mac(n.v)
			t = append(t, n.v...)
		}
		t = t[:c.size]
		// bits2int: the leftmost qBits bits, a shift by a public amount.
		if sh := uint(8*c.size - c.qBits); sh > 0 {
			for i := len(t) - 1; i > 0; i-- {
				t[i] = t[i]>>sh | t[i-1]<<(8-sh)
			}
			t[0] >>= sh
		}
		cand, err := bigmod.NewNat().SetBytes(t, c.q)
		// Only whether a candidate was rejected can show; the next one is
		// independent of it.
		valid := err == nil && cand.IsZero() == 0
		n.k = n.mac(n.v, []byte{0})
		n.v = n.mac(n.v)
		if valid {
			return cand, true
		}
	}
	return nil, false
}
