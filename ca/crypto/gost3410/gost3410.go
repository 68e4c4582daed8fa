// Package gost3410 implements the signature scheme GOST R 34.10-2012
// with 256- and 512-bit keys on the parameter sets of TC26 (RFC 7836,
// R 1323565.1.024) and CryptoPro (RFC 4357), and the encodings of keys and
// signatures that certificates use (RFC 4491, RFC 9215).
//
// Constant time: everything that touches a private key or a nonce —
// scalar multiplication, the arithmetic of s = r·d + k·e, key and nonce
// generation — runs on filippo.io/bigmod, whose operations take the same
// time whatever the values, with complete addition formulas and a table
// read whole at every window. Verification and public-key checks work on
// public data only and may take variable time. The nonce derivation
// hashes the private key with HMAC-SHA-512, not Streebog, whose fast
// forms index tables by the data; see nonce.go.
//
// Byte conventions (checked against OpenSSL's GOST engine in the tests):
// a digest is read as a little-endian integer; a signature is s‖r, each
// big-endian of Curve.Size bytes; a public key in a certificate is the
// OCTET STRING X‖Y, each little-endian.
package gost3410

import (
	"crypto"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"hash"
	"io"
	"math/big"

	"filippo.io/bigmod"

	"renewal/ca/crypto/streebog"
)

// PublicKey is a GOST R 34.10-2012 public key: a point of order q on its
// curve. Values of this type come only from NewPublicKey, the parsers and
// PrivateKey.Public, which check the point.
type PublicKey struct {
	curve *Curve
	x, y  *big.Int
	pt    *point
}

// PrivateKey is a GOST R 34.10-2012 private key d in [1, q-1] with its
// public key d·P.
type PrivateKey struct {
	pub PublicKey
	d   *bigmod.Nat
}

// Errors of key checks and signing, to test with errors.Is. Their texts
// are English and technical: a service maps them to its own messages.
var (
	ErrOffCurve      = errors.New("gost3410: the point is not on the curve")
	ErrNotInSubgroup = errors.New("gost3410: the point is not in the subgroup of order q")
	ErrKeyRange      = errors.New("gost3410: the private key is not in [1, q-1]")
	ErrKeyLength     = errors.New("gost3410: the key has the wrong length for its parameter set")
	ErrDigestSize    = errors.New("gost3410: the digest has the wrong length for the key (Streebog-256 for 256-bit keys, Streebog-512 for 512-bit keys)")
	ErrHashFunc      = errors.New("gost3410: the signer takes a Streebog digest of the key's size; crypto.Hash has no Streebog, so opts.HashFunc() must be 0")
	ErrRandomness    = errors.New("gost3410: cannot read randomness")
	errNoCurve       = errors.New("gost3410: no parameter set")
	errBadKeyValue   = errors.New("gost3410: invalid public key")
	errNoKey         = errors.New("gost3410: no private key")
	errNonce         = errors.New("gost3410: no valid nonce found (cannot happen with a working HMAC)")
)

// NewPublicKey checks (x, y) and returns it as a public key of curve c:
// both coordinates below p, the point on the curve (so not at infinity,
// which has no affine coordinates) and in the subgroup of order q.
func NewPublicKey(c *Curve, x, y *big.Int) (*PublicKey, error) {
	if c == nil {
		return nil, errNoCurve
	}
	if x == nil || y == nil || !c.onCurve(x, y) {
		return nil, ErrOffCurve
	}
	// On a curve of prime order (cofactor 1) every point but O has order
	// q, so q·Q = O holds already (SEC 1 §3.2.2.1 checks it only when the
	// cofactor is not 1). On the cofactor-4 curves, points of order 2, 4,
	// 2q and 4q must be refused.
	if c.cofactor != 1 && !c.inSubgroup(x, y) {
		return nil, ErrNotInSubgroup
	}
	return &PublicKey{curve: c, x: new(big.Int).Set(x), y: new(big.Int).Set(y), pt: c.pointFromAffine(x, y)}, nil
}

// Curve returns the key's parameter set.
func (pub *PublicKey) Curve() *Curve { return pub.curve }

// Coordinates returns copies of the affine coordinates.
func (pub *PublicKey) Coordinates() (x, y *big.Int) {
	return new(big.Int).Set(pub.x), new(big.Int).Set(pub.y)
}

// Equal reports whether pub and x are the same key on the same parameter
// set (crypto.PublicKey's convention).
func (pub *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	if !ok || o == nil || pub == nil || o.curve == nil || pub.curve == nil {
		return false
	}
	return o.curve.oid.Equal(pub.curve.oid) && o.x.Cmp(pub.x) == 0 && o.y.Cmp(pub.y) == 0
}

// GenerateKey makes a key with d uniform in [1, q-1], from rand or, if
// rand is nil, crypto/rand.
func GenerateKey(c *Curve, r io.Reader) (*PrivateKey, error) {
	if c == nil {
		return nil, errNoCurve
	}
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, c.size)
	// Each try fails with probability below 1/2: a hundred failures mean a
	// broken generator (all zeros, all ones), not bad luck.
	for try := 0; try < 100; try++ {
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, ErrRandomness
		}
		// Keep as many bits as q has and reject values ≥ q or 0: uniform,
		// and at most a few tries since q > 2^(qBits-1).
		b[0] &= 0xff >> (8*c.size - c.qBits)
		if k, err := newPrivateKey(c, b); err == nil {
			return k, nil
		}
	}
	return nil, ErrRandomness
}

// NewPrivateKey returns the key d given as Curve.Size big-endian bytes.
// (OpenSSL's PKCS#8 keeps d little-endian: reverse it first.)
func NewPrivateKey(c *Curve, d []byte) (*PrivateKey, error) {
	if c == nil {
		return nil, errNoCurve
	}
	if len(d) != c.size {
		return nil, ErrKeyLength
	}
	return newPrivateKey(c, d)
}

func newPrivateKey(c *Curve, b []byte) (*PrivateKey, error) {
	d, err := bigmod.NewNat().SetBytes(b, c.q)
	if err != nil || d.IsZero() == 1 {
		return nil, ErrKeyRange
	}
	pt := c.scalarBaseMult(d.Bytes(c.q))
	x, y, _ := c.affine(pt)
	xb, yb := new(big.Int).SetBytes(x.Bytes(c.p)), new(big.Int).SetBytes(y.Bytes(c.p))
	return &PrivateKey{pub: PublicKey{curve: c, x: xb, y: yb, pt: c.pointFromAffine(xb, yb)}, d: d}, nil
}

// Bytes returns d as Curve.Size big-endian bytes.
func (priv *PrivateKey) Bytes() []byte { return priv.d.Bytes(priv.pub.curve.q) }

// Public returns the public key (crypto.Signer).
func (priv *PrivateKey) Public() crypto.PublicKey { return priv.PublicKey() }

// PublicKey returns the public key as its concrete type.
func (priv *PrivateKey) PublicKey() *PublicKey { p := priv.pub; return &p }

// Equal reports whether priv and x are the same key (in constant time on d).
func (priv *PrivateKey) Equal(x crypto.PrivateKey) bool {
	o, ok := x.(*PrivateKey)
	if !ok || o == nil || priv == nil || o.d == nil || priv.d == nil ||
		!o.pub.curve.oid.Equal(priv.pub.curve.oid) {
		return false
	}
	return subtle.ConstantTimeCompare(priv.Bytes(), o.Bytes()) == 1
}

// NewHash returns the Streebog of the key's size: what SignMessage and
// VerifyMessage hash with.
func (c *Curve) NewHash() hash.Hash {
	if c.size == 64 {
		return streebog.New512()
	}
	return streebog.New256()
}

// Sign signs a Streebog digest of the key's size (crypto.Signer), with
// nonces derived from the key and the digest (RFC 6979 style) and hedged
// with randomness from rand when rand is not nil. opts.HashFunc() must be
// 0: crypto.Hash has no Streebog. The signature is s‖r (RFC 4491).
func (priv *PrivateKey) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != 0 {
		return nil, ErrHashFunc
	}
	return priv.sign(r, digest)
}

// SignMessage hashes msg with the key's Streebog and signs the digest
// (crypto.MessageSigner).
func (priv *PrivateKey) SignMessage(r io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != 0 {
		return nil, ErrHashFunc
	}
	if priv == nil || priv.d == nil {
		return nil, errNoKey
	}
	h := priv.pub.curve.NewHash()
	h.Write(msg)
	return priv.sign(r, h.Sum(nil))
}

// digestToE is e = α mod q, or 1 if that is 0 (GOST R 34.10-2012 §6.1
// steps 2-3), α the digest read as a little-endian integer. Public.
func (c *Curve) digestToE(digest []byte) *bigmod.Nat {
	be := make([]byte, len(digest))
	for i, b := range digest {
		be[len(digest)-1-i] = b
	}
	e := new(big.Int).SetBytes(be)
	e.Mod(e, c.qBig)
	if e.Sign() == 0 {
		e.SetInt64(1)
	}
	n, _ := bigmod.NewNat().SetBytes(e.FillBytes(make([]byte, c.q.Size())), c.q)
	return n
}

func (priv *PrivateKey) sign(r io.Reader, digest []byte) ([]byte, error) {
	if priv == nil || priv.d == nil {
		return nil, errNoKey
	}
	c := priv.pub.curve
	if len(digest) != c.size {
		return nil, ErrDigestSize
	}
	e := c.digestToE(digest)
	var extra []byte
	if r != nil {
		extra = make([]byte, c.size)
		if _, err := io.ReadFull(r, extra); err != nil {
			return nil, ErrRandomness
		}
	}
	ng := newNonces(c, priv.Bytes(), e.Bytes(c.q), extra)
	// r = 0 or s = 0 happens with probability about 2/q per try.
	for try := 0; try < 100; try++ {
		k, ok := ng.next()
		if !ok {
			break
		}
		if sig, ok := priv.signWith(e, k); ok {
			return sig, nil
		}
	}
	return nil, errNonce
}

// signWith is steps 4-6 of §6.1 with the nonce k; ok is false when r or s
// came out 0 and another k is needed.
func (priv *PrivateKey) signWith(e, k *bigmod.Nat) ([]byte, bool) {
	c := priv.pub.curve
	x, _, _ := c.affine(c.scalarBaseMult(k.Bytes(c.q)))
	rr := bigmod.NewNat().Mod(x, c.q)
	if rr.IsZero() == 1 {
		return nil, false
	}
	// s = r·d + k·e mod q
	rd := bigmod.NewNat().ExpandFor(c.q)
	set(rd, rr)
	rd.Mul(priv.d, c.q)
	ke := bigmod.NewNat().ExpandFor(c.q)
	set(ke, k)
	ke.Mul(e, c.q)
	s := rd.Add(ke, c.q)
	if s.IsZero() == 1 {
		return nil, false
	}
	return append(s.Bytes(c.q), rr.Bytes(c.q)...), true
}

// Verify reports whether sig (s‖r) is a valid signature of the Streebog
// digest by pub. Public data only: variable time.
func Verify(pub *PublicKey, digest, sig []byte) bool {
	return verify(pub, digest, sig, (*Curve).linCombVarTime)
}

// verify is §6.2 with linComb computing the affine x of z1·P + z2·Q (ok = 0
// for O): the variable-time one, or in the tests the constant-time
// machinery of signing as a reference.
func verify(pub *PublicKey, digest, sig []byte, linComb func(c *Curve, z1, z2 []byte, q *point) (*bigmod.Nat, int)) bool {
	if pub == nil || pub.curve == nil {
		return false
	}
	c := pub.curve
	if len(digest) != c.size || len(sig) != 2*c.size {
		return false
	}
	// Step 1: 0 < r < q and 0 < s < q.
	s, err1 := bigmod.NewNat().SetBytes(sig[:c.size], c.q)
	r, err2 := bigmod.NewNat().SetBytes(sig[c.size:], c.q)
	if err1 != nil || err2 != nil || s.IsZero() == 1 || r.IsZero() == 1 {
		return false
	}
	e := c.digestToE(digest)
	v, ok := bigmod.NewNat().InverseVarTime(e, c.q)
	if !ok {
		return false
	}
	// z1 = s·v, z2 = −r·v (mod q); C = z1·P + z2·Q.
	z1 := bigmod.NewNat().ExpandFor(c.q)
	set(z1, s)
	z1.Mul(v, c.q)
	rv := bigmod.NewNat().ExpandFor(c.q)
	set(rv, r)
	rv.Mul(v, c.q)
	z2 := bigmod.NewNat().ExpandFor(c.q).Sub(rv, c.q)
	x, notInf := linComb(c, z1.Bytes(c.q), z2.Bytes(c.q), pub.pt)
	if notInf == 0 {
		return false
	}
	return bigmod.NewNat().Mod(x, c.q).Equal(r) == 1
}

// VerifyMessage hashes msg with the key's Streebog and verifies sig.
func VerifyMessage(pub *PublicKey, msg, sig []byte) bool {
	if pub == nil || pub.curve == nil {
		return false
	}
	h := pub.curve.NewHash()
	h.Write(msg)
	return Verify(pub, h.Sum(nil), sig)
}

var (
	_ crypto.Signer        = (*PrivateKey)(nil)
	_ crypto.MessageSigner = (*PrivateKey)(nil)
)

var ErrSignature = errors.New("gost3410: the signature is not s‖r with 0 < r, s < q of the key's size")

// MarshalSignature returns the signature value s‖r (RFC 4491 §2.2.2,
// each big-endian of Curve.Size bytes) for r and s in (0, q): the layout
// Sign returns and Verify takes, which certificates, CRLs and CMS carry
// in their BIT STRING or OCTET STRING.
func MarshalSignature(c *Curve, r, s *big.Int) ([]byte, error) {
	if c == nil || !c.inScalarRange(r) || !c.inScalarRange(s) {
		return nil, ErrSignature
	}
	out := make([]byte, 2*c.size)
	s.FillBytes(out[:c.size])
	r.FillBytes(out[c.size:])
	return out, nil
}

// ParseSignature splits s‖r and checks that both are in (0, q).
func ParseSignature(c *Curve, sig []byte) (r, s *big.Int, err error) {
	if c == nil || len(sig) != 2*c.size {
		return nil, nil, ErrSignature
	}
	s, r = new(big.Int).SetBytes(sig[:c.size]), new(big.Int).SetBytes(sig[c.size:])
	if !c.inScalarRange(r) || !c.inScalarRange(s) {
		return nil, nil, ErrSignature
	}
	return r, s, nil
}

func (c *Curve) inScalarRange(v *big.Int) bool {
	return v != nil && v.Sign() > 0 && v.Cmp(c.qBig) < 0
}
