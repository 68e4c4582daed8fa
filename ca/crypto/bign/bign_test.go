package bign

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/crypto/belt"
)

// The vectors are STB 34.101.45 appendix G (Г) as bee2 keeps them in
// test/crypto/bign_test.c. The keys and the randomized signatures there come
// from brngCTRX, a generator of the test itself; ctrx below is the same.

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// ctrx is bee2's brngCTRX (bign_test.c): the input X (H[0:256], repeated) run
// through brng-ctr of STB 34.101.47 with key H[128:160] and iv H[192:224]:
// Y = belt-hash(key || s || X_t || r), s incremented, r ^= Y. Only whole
// 32-byte reads, the only size bign asks for on curve256v1.
type ctrx struct {
	key, x []byte
	off    int
	s, r   [32]byte
}

func newCTRX() *ctrx {
	h := belt.H()
	g := &ctrx{key: h[128:160], x: h[:256]}
	copy(g.s[:], h[192:224])
	for i := range g.r {
		g.r[i] = ^g.s[i]
	}
	return g
}

func (g *ctrx) Read(buf []byte) (int, error) {
	if len(buf)%32 != 0 {
		return 0, fmt.Errorf("ctrx: read of %d bytes, whole blocks only", len(buf))
	}
	for i := range buf {
		buf[i] = g.x[g.off]
		g.off = (g.off + 1) % len(g.x)
	}
	for i := 0; i < len(buf); i += 32 {
		h := belt.New()
		h.Write(g.key)
		h.Write(g.s[:])
		h.Write(buf[i : i+32])
		h.Write(g.r[:])
		y := h.Sum(nil)
		copy(buf[i:], y)
		for j := range g.s { // s + 1, little-endian
			g.s[j]++
			if g.s[j] != 0 {
				break
			}
		}
		for j := range g.r {
			g.r[j] ^= y[j]
		}
	}
	return len(buf), nil
}

const (
	vecD  = "1F66B5B84B7339674533F0329C74F21834281FED0732429E0C79235FC273E269"
	vecQ  = "BD1A5650179D79E03FCEE49D4C2BD5DDF54CE46D0CF11E4FF87BF7A890857FD07AC6A60361E8C8173491686D461B2826190C2EDA5909054A9AB84D2AB9D99A90"
	vecG2 = "E36B7F0377AE4C524027C387FADF1B20CE72F1530B71F2B5FD3A8C584FE2E1AED20082E30C8AF65011F4FB54649DFD3D"
	vecG3 = "47A63C8B9C936E94B5FAB3D9CBD78366290F3210E163EEC8DB4E921E8479D4138F112CC23E6DCE65EC5FF21DF4231C28"
)

func TestVectorsRandomized(t *testing.T) {
	// Г.1 key generation, then Г.2 and Г.3 signatures from the same generator,
	// in the order bee2 draws them (Г.4, a key transport, draws in between: we
	// draw its 32 bytes too).
	c := Curve256v1()
	g := newCTRX()
	k, err := GenerateKey(c, g)
	require.NoError(t, err)
	assert.Equal(t, unhex(t, vecD), k.Bytes(), "Г.1 private key")
	assert.Equal(t, unhex(t, vecQ), k.PublicKey().Bytes(), "Г.1 public key")

	h := belt.H()
	hash13 := belt.Sum(h[:13])
	sig, err := k.Sign(g, hash13[:], &SignerOpts{Randomized: true})
	require.NoError(t, err)
	assert.Equal(t, unhex(t, vecG2), sig, "Г.2")
	require.NoError(t, Verify(k.PublicKey(), OIDBeltHash, hash13[:], sig))

	_, err = g.Read(make([]byte, 32)) // Г.4's ephemeral key
	require.NoError(t, err)
	hash48 := belt.Sum(h[:48])
	sig, err = k.Sign(g, hash48[:], &SignerOpts{Randomized: true})
	require.NoError(t, err)
	assert.Equal(t, unhex(t, vecG3), sig, "Г.3")
	require.NoError(t, Verify(k.PublicKey(), nil, hash48[:], sig))
}

func TestVectorsVerify(t *testing.T) {
	c := Curve256v1()
	pub, err := NewPublicKey(c, unhex(t, vecQ))
	require.NoError(t, err)
	h := belt.H()
	hash13, hash48 := belt.Sum(h[:13]), belt.Sum(h[:48])
	cases := []struct {
		name string
		hash []byte
		sig  string
		oid  asn1.ObjectIdentifier
		ok   bool
	}{
		{"ok/Г.2", hash13[:], vecG2, OIDBeltHash, true},
		{"ok/Г.3", hash48[:], vecG3, OIDBeltHash, true},
		{"fail/Г.2-other-hash", hash48[:], vecG2, OIDBeltHash, false},
		{"fail/Г.2-other-oid", hash13[:], vecG2, OIDBash256, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(pub, tc.oid, tc.hash, unhex(t, tc.sig))
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrVerification)
			}
		})
	}
	t.Run("fail/every-byte-flipped", func(t *testing.T) {
		sig := unhex(t, vecG2)
		for i := range sig {
			sig[i] ^= 1
			assert.Error(t, Verify(pub, OIDBeltHash, hash13[:], sig), "byte %d", i)
			sig[i] ^= 1
		}
	})
	t.Run("fail/other-public-key", func(t *testing.T) {
		other, err := NewPrivateKey(c, unhex(t, "79628979DF369BEB94DEF3299476AED414F39148AA69E31A7397E8AA70578AB3"))
		require.NoError(t, err)
		assert.ErrorIs(t, Verify(other.PublicKey(), OIDBeltHash, hash13[:], unhex(t, vecG2)), ErrVerification)
	})
}

func TestVectorsDeterministic(t *testing.T) {
	// Г.6 and Г.7 give the nonce k of bignSign2; bee2 recovers it from the
	// signature as k = (s1 + H + (s0 + 2^l)·d) mod q. We check our k directly
	// and that the signature yields it.
	c := Curve256v1()
	k, err := NewPrivateKey(c, unhex(t, vecD))
	require.NoError(t, err)
	h := belt.H()
	cases := []struct {
		name  string
		msg   []byte
		extra []byte
		k     string
	}{
		{"ok/Г.6", h[:13], nil, "829614D8411DBBC4E1F2471A4004586440FD8C9553FAB6A1A45CE417AE97111E"},
		{"ok/Г.7", h[:48], h[192 : 192+23], "7ADC8713283EBFA547A2AD9CDFB245AE0F7B968DF0F91CB785D1F932A3583107"},
	}
	oidDER, err := asn1.Marshal(OIDBeltHash)
	require.NoError(t, err)
	require.Len(t, oidDER, 11)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hash := belt.Sum(tc.msg)
			assert.Equal(t, unhex(t, tc.k), k.nonce(oidDER, hash[:], tc.extra))

			sig, err := k.Sign(nil, hash[:], &SignerOpts{Extra: tc.extra})
			require.NoError(t, err)
			require.NoError(t, Verify(k.PublicKey(), OIDBeltHash, hash[:], sig))
			assert.Equal(t, unhex(t, tc.k), recoverNonce(t, c, k, hash[:], sig))

			again, err := k.Sign(rand.Reader, hash[:], nil)
			require.NoError(t, err)
			if tc.extra == nil {
				assert.Equal(t, sig, again, "deterministic: same digest, same signature")
			} else {
				assert.NotEqual(t, sig, again, "t changes the nonce")
			}
		})
	}
	t.Run("ok/sign-message", func(t *testing.T) {
		sig, err := k.SignMessage(nil, h[:13], nil)
		require.NoError(t, err)
		hash := belt.Sum(h[:13])
		want, err := k.Sign(nil, hash[:], crypto.Hash(0))
		require.NoError(t, err)
		assert.Equal(t, want, sig)
		assert.NoError(t, VerifyMessage(k.PublicKey(), h[:13], sig))
		assert.ErrorIs(t, VerifyMessage(k.PublicKey(), h[:14], sig), ErrVerification)
	})
}

// recoverNonce computes (s1 + H + (s0 + 2^l)·d) mod q as bee2's test does.
func recoverNonce(t *testing.T, c *Curve, k *PrivateKey, hash, sig []byte) []byte {
	t.Helper()
	fq := &c.fq
	l8 := c.level / 8
	tn, err := fq.fromLE(s0PlusTwoL(c, sig[:l8]))
	require.NoError(t, err)
	tn.Mul(k.d, fq.m)
	s1, err := fq.fromLE(sig[l8:])
	require.NoError(t, err)
	hn, err := fq.fromLE(hash)
	require.NoError(t, err)
	s1.Add(tn, fq.m).Add(hn, fq.m)
	return fq.toLE(s1)
}

func TestPublicKeyValidation(t *testing.T) {
	c := Curve256v1()
	q := unhex(t, vecQ)
	mod := func(f func(b []byte)) []byte {
		b := append([]byte(nil), q...)
		f(b)
		return b
	}
	pLE := func() []byte {
		// p itself, little-endian: 43 FF … FF.
		b := make([]byte, 32)
		for i := range b {
			b[i] = 0xff
		}
		b[0] = 0x43
		return b
	}
	cases := []struct {
		name string
		raw  []byte
		ok   bool
	}{
		{"ok/Г.1", q, true},
		{"ok/base-point", append(make([]byte, 32), c.fp.toLE(c.gy)...), true},
		{"fail/x-flipped", mod(func(b []byte) { b[0] ^= 1 }), false},
		{"fail/y-flipped", mod(func(b []byte) { b[63] ^= 0x80 }), false},
		{"fail/zero", make([]byte, 64), false},
		{"fail/x-equals-p", append(pLE(), q[32:]...), false},
		{"fail/y-equals-p", append(append([]byte(nil), q[:32]...), pLE()...), false},
		{"fail/all-ff", mod(func(b []byte) {
			for i := range b {
				b[i] = 0xff
			}
		}), false},
		{"fail/short", q[:63], false},
		{"fail/long", append(append([]byte(nil), q...), 0), false},
		{"fail/empty", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pub, err := NewPublicKey(c, tc.raw)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, tc.raw, pub.Bytes())
			} else {
				assert.ErrorIs(t, err, ErrInvalidPublicKey)
			}
		})
	}
	t.Run("fail/x-plus-p-aliases-base-point", func(t *testing.T) {
		// A coordinate ≥ p is refused even if it is congruent to a good one:
		// x = 0 for the base point, so x + p (= p) must not pass.
		raw := append(pLE(), c.fp.toLE(c.gy)...)
		_, err := NewPublicKey(c, raw)
		assert.ErrorIs(t, err, ErrInvalidPublicKey)
	})
}

func TestPrivateKeyValidation(t *testing.T) {
	c := Curve256v1()
	q := reversed(c.fq.m.Nat().Bytes(c.fq.m))
	qMinus1 := append([]byte(nil), q...)
	qMinus1[0]--
	cases := []struct {
		name string
		d    []byte
		ok   bool
	}{
		{"ok/Г.1", unhex(t, vecD), true},
		{"ok/one", append([]byte{1}, make([]byte, 31)...), true},
		{"ok/q-1", qMinus1, true},
		{"fail/zero", make([]byte, 32), false},
		{"fail/q", q, false},
		{"fail/short", make([]byte, 31), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewPrivateKey(c, tc.d)
			if !tc.ok {
				assert.ErrorIs(t, err, ErrInvalidPrivateKey)
				return
			}
			require.NoError(t, err)
			_, err = NewPublicKey(c, k.PublicKey().Bytes())
			assert.NoError(t, err, "dG is a valid public key")
		})
	}
}

func TestCurves(t *testing.T) {
	for _, c := range []*Curve{Curve256v1(), Curve384v1(), Curve512v1()} {
		t.Run("ok/"+c.Name(), func(t *testing.T) {
			// q·G = O and (q-1)·G = -G: the order and the complete formulas agree.
			q := reversed(c.fq.m.Nat().Bytes(c.fq.m))
			_, _, ok := c.affine(c.scalarMult(c.generator(), q))
			assert.Equal(t, 0, ok, "qG is the point at infinity")
			qm1 := append([]byte(nil), q...)
			qm1[0]--
			x, y, ok := c.affine(c.scalarMult(c.generator(), qm1))
			require.Equal(t, 1, ok)
			assert.Equal(t, uint(1), x.IsZero(), "x of -G is 0")
			negY := c.fp.zero()
			negY.Sub(c.gy, c.fp.m)
			assert.Equal(t, uint(1), y.Equal(negY), "(q-1)G = -G")
			// 2G by the scalar multiplication equals G+G by the addition.
			two := make([]byte, c.Size())
			two[0] = 2
			x2, y2, _ := c.affine(c.scalarMult(c.generator(), two))
			s := c.newScratch()
			g := c.generator()
			c.add(g, g, g, s)
			xs, ys, _ := c.affine(g)
			assert.Equal(t, uint(1), x2.Equal(xs))
			assert.Equal(t, uint(1), y2.Equal(ys))
			assert.True(t, c.onCurve(x2, y2))

			// The fixed-base table agrees with the generic multiplication.
			for _, k := range [][]byte{make([]byte, c.Size()), two, qm1, q, bytes.Repeat([]byte{0xff}, c.Size()), randomBytes(c.Size())} {
				xa, ya, oka := c.affine(c.scalarBaseMult(k))
				xb, yb, okb := c.affine(c.scalarMult(c.generator(), k))
				require.Equal(t, okb, oka, "k=%x", k)
				if oka == 1 {
					assert.Equal(t, uint(1), xa.Equal(xb), "k=%x", k)
					assert.Equal(t, uint(1), ya.Equal(yb), "k=%x", k)
				}
			}

			got, err := CurveByOID(c.OID())
			require.NoError(t, err)
			assert.Same(t, c, got)
		})
	}
	_, err := CurveByOID(asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 45, 3, 4})
	assert.ErrorIs(t, err, ErrUnknownCurve)
}

func TestRoundTripAllCurves(t *testing.T) {
	for _, tc := range []struct {
		c   *Curve
		oid asn1.ObjectIdentifier
	}{
		{Curve256v1(), OIDBeltHash},
		{Curve384v1(), OIDBash384},
		{Curve512v1(), OIDBash512},
	} {
		t.Run("ok/"+tc.c.Name(), func(t *testing.T) {
			k, err := GenerateKey(tc.c, rand.Reader)
			require.NoError(t, err)
			digest := make([]byte, tc.c.Size())
			_, _ = rand.Read(digest)
			for _, opts := range []*SignerOpts{{HashOID: tc.oid}, {HashOID: tc.oid, Randomized: true}} {
				sig, err := k.Sign(rand.Reader, digest, opts)
				require.NoError(t, err)
				require.Len(t, sig, tc.c.SignatureSize())
				assert.NoError(t, Verify(k.PublicKey(), tc.oid, digest, sig))
				digest[0] ^= 1
				assert.ErrorIs(t, Verify(k.PublicKey(), tc.oid, digest, sig), ErrVerification)
				digest[0] ^= 1
			}
		})
	}
}

func TestSignRefusals(t *testing.T) {
	k256, err := NewPrivateKey(Curve256v1(), unhex(t, vecD))
	require.NoError(t, err)
	k384, err := GenerateKey(Curve384v1(), rand.Reader)
	require.NoError(t, err)
	digest := make([]byte, 32)
	cases := []struct {
		name string
		sign func() ([]byte, error)
		want error
	}{
		{"fail/digest-short", func() ([]byte, error) { return k256.Sign(nil, digest[:31], nil) }, ErrDigestSize},
		{"fail/digest-sha256-size-on-384", func() ([]byte, error) { return k384.Sign(nil, digest, &SignerOpts{HashOID: OIDBash384}) }, ErrDigestSize},
		{"fail/no-hash-oid-on-384", func() ([]byte, error) { return k384.Sign(nil, make([]byte, 48), nil) }, ErrHashOID},
		{"fail/crypto-hash", func() ([]byte, error) { return k256.Sign(nil, digest, crypto.SHA256) }, nil},
		{"fail/randomized-without-rand", func() ([]byte, error) { return k256.Sign(nil, digest, &SignerOpts{Randomized: true}) }, nil},
		{"fail/zero-private-key", func() ([]byte, error) { return new(PrivateKey).Sign(nil, digest, nil) }, ErrInvalidPrivateKey},
		{"fail/sign-message-on-384", func() ([]byte, error) { return k384.SignMessage(nil, []byte("x"), &SignerOpts{HashOID: OIDBash384}) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := tc.sign()
			assert.Nil(t, sig)
			require.Error(t, err)
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
}

func TestVerifyRefusals(t *testing.T) {
	pub, err := NewPublicKey(Curve256v1(), unhex(t, vecQ))
	require.NoError(t, err)
	h := belt.Sum(belt.H()[:13])
	good := unhex(t, vecG2)
	s1q := append(append([]byte(nil), good[:16]...), reversed(Curve256v1().fq.m.Nat().Bytes(Curve256v1().fq.m))...)
	cases := []struct {
		name   string
		digest []byte
		sig    []byte
		want   error
	}{
		{"fail/sig-short", h[:], good[:47], ErrVerification},
		{"fail/sig-long", h[:], append(append([]byte(nil), good...), 0), ErrVerification},
		{"fail/sig-empty", h[:], nil, ErrVerification},
		{"fail/s1-equals-q", h[:], s1q, ErrVerification},
		{"fail/s1-all-ff", h[:], append(append([]byte(nil), good[:16]...), unhex(t, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")...), ErrVerification},
		{"fail/digest-short", h[:31], good, ErrDigestSize},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, Verify(pub, OIDBeltHash, tc.digest, tc.sig), tc.want)
		})
	}
	t.Run("fail/zero-public-key", func(t *testing.T) {
		assert.ErrorIs(t, Verify(new(PublicKey), OIDBeltHash, h[:], good), ErrInvalidPublicKey)
		assert.ErrorIs(t, VerifyMessage(nil, []byte("x"), good), ErrInvalidPublicKey)
		_, err := MarshalPKIXPublicKey(new(PublicKey))
		assert.ErrorIs(t, err, ErrInvalidPublicKey)
	})
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
