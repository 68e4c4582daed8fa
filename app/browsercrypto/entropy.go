package browsercrypto

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"
)

// FullBits is the estimate at which an EntropyPool is Full, and the cap of
// Bits (so Bits()/FullBits is a progress fraction).
const FullBits = 256

// EntropyPool collects the person's pointer movements and key presses
// while a key is made, for the "move the mouse" step some people expect.
//
// GOST keys (GOSTSeed) are the exception: they are made in Go, and there
// the pool's Sum is mixed into the key's seed, so the person's entropy
// really enters the key.
//
// What it does NOT do, honestly, for WebCrypto keys: generateKey takes no extra
// entropy, so these bytes cannot feed the new key, and they feed no
// signature either (WebCrypto draws its ECDSA nonces itself). Keys and
// signatures come from the browser's generator (crypto.getRandomValues,
// seeded by the operating system; Go's crypto/rand uses the same under
// js/wasm), which needs no help. The pool never replaces it.
//
// What it does: Sum is a SHA-256 of every event; Nonce mixes it into 32
// fresh bytes of crypto/rand, for a client nonce where the protocol has
// one. Hashing fresh random bytes with extra input can never make them
// weaker, and does not make them measurably stronger. Nothing depends on
// the pool being Full: a person who does not move the mouse gets keys just
// as good.
//
// Bits is a heuristic estimate for a progress bar, not a measured
// min-entropy: each event that differs from the one before counts one bit,
// a repeated event counts nothing, and the count stops at FullBits.
//
// Pass coordinates with the event's timeStamp, or a key's code with its
// timeStamp; never the characters typed (a password field may have the
// focus). The zero value is ready to use and safe for concurrent use.
type EntropyPool struct {
	mu     sync.Mutex
	h      hash.Hash
	last   []byte
	bits   int
	events uint64
}

// Add mixes one event's bytes into the pool.
func (p *EntropyPool) Add(event []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.h == nil {
		p.h = sha256.New()
	}
	p.events++
	var n [16]byte
	binary.BigEndian.PutUint64(n[:8], p.events)
	binary.BigEndian.PutUint64(n[8:], uint64(len(event)))
	p.h.Write(n[:]) // length-prefixed: event boundaries are unambiguous
	p.h.Write(event)
	if len(event) > 0 && !bytes.Equal(event, p.last) && p.bits < FullBits {
		p.bits++
	}
	p.last = append(p.last[:0], event...)
}

// Bits is the estimated entropy collected so far, at most FullBits.
func (p *EntropyPool) Bits() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bits
}

// Full reports whether the estimate reached FullBits.
func (p *EntropyPool) Full() bool { return p.Bits() >= FullBits }

// Sum is the SHA-256 of everything added (with the event count and
// lengths); the pool goes on collecting.
func (p *EntropyPool) Sum() [32]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.h == nil {
		p.h = sha256.New()
	}
	var out [32]byte
	p.h.Sum(out[:0])
	return out
}

// Nonce returns 32 bytes for a client nonce: SHA-256 of a label, 32 fresh
// bytes of crypto/rand (crypto.getRandomValues in the browser) and Sum. It
// is as random as crypto/rand whatever the pool holds.
func (p *EntropyPool) Nonce() ([]byte, error) {
	var fresh [32]byte
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, err
	}
	sum := p.Sum()
	h := sha256.New()
	h.Write([]byte("renewal/browsercrypto client nonce v1\x00"))
	h.Write(fresh[:])
	h.Write(sum[:])
	return h.Sum(nil), nil
}
