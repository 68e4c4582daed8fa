// Package bign implements the Belarusian digital signature of STB 34.101.45-2013
// on the standard curves bign-curve256v1, bign-curve384v1 and bign-curve512v1:
// key generation, signing with the standard's deterministic nonce (6.3.3, as
// bee2's bignSign2) or a random one, verification and public-key validation.
//
// Everything that touches a private key or a nonce (scalar arithmetic, the
// scalar multiplication, the nonce derivation) runs in constant time: bigmod
// for the arithmetic, complete addition formulas, a fixed-window
// multiplication with a full-scan table lookup, belt in its constant-time
// mode. Verification uses the same code; it handles public data only, so it
// would not need to.
//
// Octet strings are the standard's: field elements and scalars little-endian,
// a public key x||y, a signature s0||s1 with s0 of l bits and s1 of 2l bits.
package bign

import (
	"crypto"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"filippo.io/bigmod"

	"renewal/ca/crypto/belt"
)

var (
	// ErrInvalidPublicKey: not x||y of the curve's length, a coordinate ≥ p, or off the curve.
	ErrInvalidPublicKey = errors.New("bign: invalid public key")
	// ErrInvalidPrivateKey: not of the curve's length, zero or ≥ q.
	ErrInvalidPrivateKey = errors.New("bign: invalid private key")
	// ErrVerification: the signature does not verify.
	ErrVerification = errors.New("bign: signature does not verify")
	// ErrDigestSize: the digest is not 2l bits long.
	ErrDigestSize = errors.New("bign: digest length does not match the curve")
	// ErrUnknownCurve: an OID that names none of the standard curves.
	ErrUnknownCurve = errors.New("bign: unknown curve")
	// ErrHashOID: no hash OID given and the curve has no default (levels 192 and 256).
	ErrHashOID = errors.New("bign: hash algorithm OID required for this curve")

	errLength = errors.New("bign: wrong length")
)

// PublicKey is a validated bign public key.
type PublicKey struct {
	curve *Curve
	x, y  *bigmod.Nat
	raw   []byte
}

// NewPublicKey parses x||y (little-endian coordinates) and validates it:
// both coordinates below p and the point on the curve (the curves have
// cofactor 1, so that is all STB 34.101.45, algorithm 6.2.3, requires).
func NewPublicKey(c *Curve, raw []byte) (*PublicKey, error) {
	n := c.fp.size
	if len(raw) != 2*n {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidPublicKey, len(raw), 2*n)
	}
	x, errX := c.fp.fromLE(raw[:n])
	y, errY := c.fp.fromLE(raw[n:])
	if errX != nil || errY != nil {
		return nil, fmt.Errorf("%w: coordinate not below p", ErrInvalidPublicKey)
	}
	if !c.onCurve(x, y) {
		return nil, fmt.Errorf("%w: point not on %s", ErrInvalidPublicKey, c.name)
	}
	return &PublicKey{curve: c, x: x, y: y, raw: append([]byte(nil), raw...)}, nil
}

// Curve returns the key's curve.
func (k *PublicKey) Curve() *Curve { return k.curve }

// Bytes returns x||y.
func (k *PublicKey) Bytes() []byte { return append([]byte(nil), k.raw...) }

// Equal reports whether x is the same public key.
func (k *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	return ok && o.curve == k.curve && subtle.ConstantTimeCompare(o.raw, k.raw) == 1
}

func (k *PublicKey) point() *point {
	c := k.curve
	return &point{x: c.fp.clone(k.x), y: c.fp.clone(k.y), z: c.fp.zero().SetUint(1).ExpandFor(c.fp.m)}
}

// PrivateKey is a bign private key d ∈ [1, q-1] with its public key dG.
type PrivateKey struct {
	pub *PublicKey
	d   *bigmod.Nat // mod q
	raw []byte      // d, little-endian
}

// GenerateKey makes a key pair with randomness from rand: d is read as
// Size() little-endian bytes and drawn again while it is 0 or ≥ q. Fed with
// bee2's test generator, this gives the key of the standard's example Г.1.
func GenerateKey(c *Curve, rand io.Reader) (*PrivateKey, error) {
	d, err := randomScalar(c, rand)
	if err != nil {
		return nil, err
	}
	return NewPrivateKey(c, d)
}

func randomScalar(c *Curve, rand io.Reader) ([]byte, error) {
	if rand == nil {
		return nil, errors.New("bign: no source of randomness")
	}
	b := make([]byte, c.fq.size)
	// q > 2^(2l) - 2^(l+1): a draw is refused with probability below 2^-(l-1).
	for range 64 {
		if _, err := io.ReadFull(rand, b); err != nil {
			return nil, fmt.Errorf("bign: read randomness: %w", err)
		}
		if x, err := c.fq.fromLE(b); err == nil && x.IsZero() == 0 {
			return b, nil
		}
	}
	return nil, errors.New("bign: randomness source keeps giving values out of range")
}

// NewPrivateKey makes a private key from d (little-endian, Size() bytes).
func NewPrivateKey(c *Curve, d []byte) (*PrivateKey, error) {
	dn, err := c.fq.fromLE(d)
	if err != nil || dn.IsZero() == 1 {
		return nil, ErrInvalidPrivateKey
	}
	x, y, ok := c.affine(c.scalarBaseMult(d))
	if ok != 1 {
		return nil, ErrInvalidPrivateKey // cannot happen for d in [1, q-1]
	}
	raw := append(c.fp.toLE(x), c.fp.toLE(y)...)
	return &PrivateKey{
		pub: &PublicKey{curve: c, x: x, y: y, raw: raw},
		d:   dn,
		raw: append([]byte(nil), d...),
	}, nil
}

// Bytes returns d, little-endian.
func (k *PrivateKey) Bytes() []byte { return append([]byte(nil), k.raw...) }

// Public returns the *PublicKey.
func (k *PrivateKey) Public() crypto.PublicKey { return k.pub }

// PublicKey returns the public key.
func (k *PrivateKey) PublicKey() *PublicKey { return k.pub }

// Equal reports whether x is the same private key.
func (k *PrivateKey) Equal(x crypto.PrivateKey) bool {
	o, ok := x.(*PrivateKey)
	return ok && o.pub.curve == k.pub.curve && subtle.ConstantTimeCompare(o.raw, k.raw) == 1
}

// SignerOpts chooses how Sign works. There is no crypto.Hash for belt-hash,
// so HashFunc is 0 and the hash is named by its OID, which the signature
// covers (STB 34.101.45, algorithm 7.1.3: s0 = belt-hash(OID || R || H)).
type SignerOpts struct {
	// HashOID names the hash that made the digest; nil means the curve's
	// default (belt-hash on bign-curve256v1; other curves require one).
	HashOID asn1.ObjectIdentifier
	// Randomized takes the nonce from rand instead of the deterministic
	// generation of 6.3.3.
	Randomized bool
	// Extra is the optional additional data t of the deterministic generation.
	Extra []byte
}

// HashFunc returns 0: the digest is passed as is.
func (*SignerOpts) HashFunc() crypto.Hash { return 0 }

func (k *PrivateKey) options(opts crypto.SignerOpts) (*SignerOpts, []byte, error) {
	if k == nil || k.pub == nil || k.d == nil {
		return nil, nil, ErrInvalidPrivateKey // a zero PrivateKey, not one from NewPrivateKey
	}
	var o SignerOpts
	switch v := opts.(type) {
	case nil:
	case *SignerOpts:
		if v != nil {
			o = *v
		}
	default:
		// A crypto.Hash means a hash bign is not defined with; refuse rather than guess.
		if opts.HashFunc() != 0 {
			return nil, nil, fmt.Errorf("bign: hash %v is not a bign hash; pass *bign.SignerOpts", opts.HashFunc())
		}
	}
	if o.HashOID == nil {
		o.HashOID = k.pub.curve.defaultHash
	}
	if o.HashOID == nil {
		return nil, nil, ErrHashOID
	}
	der, err := asn1.Marshal(o.HashOID)
	if err != nil {
		return nil, nil, fmt.Errorf("bign: encode hash OID: %w", err)
	}
	return &o, der, nil
}

// Sign signs a digest of Size() bytes (belt-hash for bign-curve256v1).
// By default the nonce is deterministic and rand is not used (like
// ed25519); with &SignerOpts{Randomized: true} the nonce comes from rand.
func (k *PrivateKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	o, oidDER, err := k.options(opts)
	if err != nil {
		return nil, err
	}
	c := k.pub.curve
	if len(digest) != c.fq.size {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrDigestSize, len(digest), c.fq.size)
	}
	var kb []byte
	if o.Randomized {
		if kb, err = randomScalar(c, rand); err != nil {
			return nil, err
		}
	} else {
		kb = k.nonce(oidDER, digest, o.Extra)
	}
	return k.signWithNonce(oidDER, digest, kb)
}

// SignMessage hashes msg with belt-hash and signs it; only curves whose
// digest belt-hash can be (bign-curve256v1) and the belt-hash OID.
func (k *PrivateKey) SignMessage(rand io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	o, _, err := k.options(opts)
	if err != nil {
		return nil, err
	}
	if !o.HashOID.Equal(OIDBeltHash) || k.pub.curve.fq.size != belt.Size {
		return nil, fmt.Errorf("bign: SignMessage hashes with belt-hash only, on %s", Curve256v1().name)
	}
	h := belt.Sum(msg)
	return k.Sign(rand, h[:], o)
}

// nonce is the deterministic k of STB 34.101.45, 6.3.3: θ = belt-hash(OID ||
// d || t), then k = belt-wbl_θ(H) repeated until 0 < k < q.
func (k *PrivateKey) nonce(oidDER, digest, extra []byte) []byte {
	c := k.pub.curve
	h := belt.NewConstantTimeHash()
	h.Write(oidDER)
	h.Write(k.raw)
	h.Write(extra)
	theta := h.Sum(nil)
	kb := append([]byte(nil), digest...)
	for {
		if err := belt.WBLEncrypt(kb, theta); err != nil {
			panic(err) // the digest is at least 32 bytes and theta 32: cannot fail
		}
		// Leaks only whether a round was refused: probability below 2^-(l-1).
		if x, err := c.fq.fromLE(kb); err == nil && x.IsZero() == 0 {
			return kb
		}
	}
}

// signWithNonce is the signing algorithm 7.1.3 from the nonce on; Verify is 7.1.4.
func (k *PrivateKey) signWithNonce(oidDER, digest, kb []byte) ([]byte, error) {
	c := k.pub.curve
	fq := &c.fq
	kn, err := fq.fromLE(kb)
	if err != nil || kn.IsZero() == 1 {
		return nil, errors.New("bign: nonce out of range")
	}
	// R = kG; s0 = belt-hash(OID || <R>_2l || H) truncated to l bits.
	rx, _, _ := c.affine(c.scalarBaseMult(kb))
	h := belt.New()
	h.Write(oidDER)
	h.Write(c.fp.toLE(rx))
	h.Write(digest)
	s0 := h.Sum(nil)[:c.level/8]
	// s1 = (k - H - (s0 + 2^l)·d) mod q.
	t, err := fq.fromLE(s0PlusTwoL(c, s0))
	if err != nil {
		return nil, err
	}
	t.Mul(k.d, fq.m)
	hn, err := bigmod.NewNat().SetOverflowingBytes(reversed(digest), fq.m)
	if err != nil {
		return nil, err
	}
	s1 := kn
	s1.Sub(hn, fq.m)
	s1.Sub(t, fq.m)
	return append(append([]byte(nil), s0...), fq.toLE(s1)...), nil
}

// s0PlusTwoL returns s0 + 2^l as Size() little-endian bytes (below q).
func s0PlusTwoL(c *Curve, s0 []byte) []byte {
	b := make([]byte, c.fq.size)
	copy(b, s0)
	b[len(s0)] = 1
	return b
}

// Verify checks sig (s0||s1) over digest made by the hash named by hashOID
// (nil: the curve's default).
func Verify(pub *PublicKey, hashOID asn1.ObjectIdentifier, digest, sig []byte) error {
	if pub == nil || pub.curve == nil {
		return ErrInvalidPublicKey // a zero PublicKey, not one from NewPublicKey
	}
	c := pub.curve
	if hashOID == nil {
		hashOID = c.defaultHash
	}
	if hashOID == nil {
		return ErrHashOID
	}
	oidDER, err := asn1.Marshal(hashOID)
	if err != nil {
		return fmt.Errorf("bign: encode hash OID: %w", err)
	}
	if len(digest) != c.fq.size {
		return fmt.Errorf("%w: %d bytes, want %d", ErrDigestSize, len(digest), c.fq.size)
	}
	if len(sig) != c.SignatureSize() {
		return fmt.Errorf("%w: signature of %d bytes, want %d", ErrVerification, len(sig), c.SignatureSize())
	}
	l8 := c.level / 8
	s0, s1b := sig[:l8], sig[l8:]
	fq := &c.fq
	s1, err := fq.fromLE(s1b)
	if err != nil {
		return fmt.Errorf("%w: s1 not below q", ErrVerification)
	}
	hn, err := bigmod.NewNat().SetOverflowingBytes(reversed(digest), fq.m)
	if err != nil {
		return err
	}
	// R = ((s1 + H) mod q)·G + (s0 + 2^l)·Q.
	s1.Add(hn, fq.m)
	r1 := c.scalarBaseMult(fq.toLE(s1))
	// s0 + 2^l has l+1 bits: its l/8+1 low bytes are all of it, and skipping
	// the zero bytes halves this multiplication (public data: the length
	// is fixed by the curve, nothing secret).
	r2 := c.scalarMult(pub.point(), s0PlusTwoL(c, s0)[:l8+1])
	c.add(r1, r1, r2, c.newScratch())
	rx, _, ok := c.affine(r1)
	if ok != 1 {
		return fmt.Errorf("%w: R is the point at infinity", ErrVerification)
	}
	h := belt.New()
	h.Write(oidDER)
	h.Write(c.fp.toLE(rx))
	h.Write(digest)
	if subtle.ConstantTimeCompare(h.Sum(nil)[:l8], s0) != 1 {
		return ErrVerification
	}
	return nil
}

// VerifyMessage hashes msg with belt-hash and verifies sig over it.
func VerifyMessage(pub *PublicKey, msg, sig []byte) error {
	if pub == nil || pub.curve == nil {
		return ErrInvalidPublicKey
	}
	if pub.curve.fq.size != belt.Size {
		return fmt.Errorf("bign: VerifyMessage hashes with belt-hash only, on %s", Curve256v1().name)
	}
	h := belt.Sum(msg)
	return Verify(pub, OIDBeltHash, h[:], sig)
}

var (
	_ crypto.Signer        = (*PrivateKey)(nil)
	_ crypto.MessageSigner = (*PrivateKey)(nil)
)
