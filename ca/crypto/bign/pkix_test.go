package bign

import (
	"encoding/asn1"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// spkiG1 is the SubjectPublicKeyInfo of the Г.1 public key, built by hand from
// STB 34.101.45 7.3 (bign-pubkey, named curve bign-curve256v1, BIT STRING x||y).
const spkiG1 = "305d" + "3018" + "060a2a7000020022652d0201" + "060a2a7000020022652d0301" + "03410" + "0" + vecQ

func TestPKIX(t *testing.T) {
	pub, err := NewPublicKey(Curve256v1(), unhex(t, vecQ))
	require.NoError(t, err)
	der, err := MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	assert.Equal(t, unhex(t, spkiG1), der)
	back, err := ParsePKIXPublicKey(der)
	require.NoError(t, err)
	assert.True(t, back.Equal(pub))

	build := func(alg asn1.ObjectIdentifier, params func(b *cryptobyte.Builder), key []byte, bitPad bool) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(alg)
				params(b)
			})
			if bitPad {
				b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) { b.AddUint8(1); b.AddBytes(key) })
			} else {
				b.AddASN1BitString(key)
			}
		})
		return b.BytesOrPanic()
	}
	named := func(oid asn1.ObjectIdentifier) func(b *cryptobyte.Builder) {
		return func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) }
	}
	bad := unhex(t, vecQ)
	bad[0] ^= 1
	cases := []struct {
		name string
		der  []byte
		want error
	}{
		{"fail/ecdsa-algorithm", build(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, named(OIDCurve256v1), unhex(t, vecQ), false), ErrPublicKeyInfo},
		{"fail/implicit-params", build(OIDBignPubKey, func(b *cryptobyte.Builder) { b.AddASN1NULL() }, unhex(t, vecQ), false), ErrPublicKeyInfo},
		{"fail/no-params", build(OIDBignPubKey, func(*cryptobyte.Builder) {}, unhex(t, vecQ), false), ErrPublicKeyInfo},
		{"fail/unknown-curve", build(OIDBignPubKey, named(asn1.ObjectIdentifier{1, 2, 112, 0, 2, 0, 34, 101, 45, 3, 9}), unhex(t, vecQ), false), ErrUnknownCurve},
		{"fail/curve-384-with-256-key", build(OIDBignPubKey, named(OIDCurve384v1), unhex(t, vecQ), false), ErrInvalidPublicKey},
		{"fail/point-off-curve", build(OIDBignPubKey, named(OIDCurve256v1), bad, false), ErrInvalidPublicKey},
		{"fail/unused-bits", build(OIDBignPubKey, named(OIDCurve256v1), unhex(t, vecQ), true), ErrPublicKeyInfo},
		{"fail/trailing-data", append(unhex(t, spkiG1), 0), ErrPublicKeyInfo},
		{"fail/truncated", unhex(t, spkiG1)[:50], ErrPublicKeyInfo},
		{"fail/empty", nil, ErrPublicKeyInfo},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePKIXPublicKey(tc.der)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestSignatureAlgorithm(t *testing.T) {
	der, err := asn1.Marshal(SignatureAlgorithmHBelt())
	require.NoError(t, err)
	// SEQUENCE { OID 1.2.112.0.2.0.34.101.45.12, NULL }
	assert.Equal(t, unhex(t, "300d06092a7000020022652d0c0500"), der)
}

// A key pair written by OpenSSL 3.0.19 with bee2evp (`genpkey -algorithm
// bign -pkeyopt params:bign-curve256v1`, then `pkey -outform DER` and
// `pkey -pubout -outform DER`): a throwaway key, made here by hand.
const (
	opensslPKCS8 = "303f0201003018060a2a7000020022652d0201060a2a7000020022652d03010420cb7bb17b4add7279cd9a2ac02460a8de2e9381c7fc77b6303e4413e4519935cc"
	opensslSPKI  = "305d3018060a2a7000020022652d0201060a2a7000020022652d03010341001960d3e9f9f708d7bedbdb6051e0ee27d635d35dbedec1a1bcf74c95e5c56c6d08e159d6bd054d558a061330d155bc3bc11102c316d8ec2bf3ec1c7556fd5ca9"
)

func TestPKCS8(t *testing.T) {
	k, err := ParsePKCS8PrivateKey(unhex(t, opensslPKCS8))
	require.NoError(t, err)
	pub, err := ParsePKIXPublicKey(unhex(t, opensslSPKI))
	require.NoError(t, err)
	assert.True(t, k.PublicKey().Equal(pub), "our dG is OpenSSL's public key")
	der, err := MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	assert.Equal(t, unhex(t, opensslPKCS8), der)
	spki, err := MarshalPKIXPublicKey(k.PublicKey())
	require.NoError(t, err)
	assert.Equal(t, unhex(t, opensslSPKI), spki)

	good := unhex(t, opensslPKCS8)
	mutate := func(i int, v byte) []byte {
		b := append([]byte(nil), good...)
		b[i] = v
		return b
	}
	zeroKey := append(append([]byte(nil), good[:len(good)-32]...), make([]byte, 32)...)
	cases := []struct {
		name string
		der  []byte
		want error
	}{
		{"fail/version-1", mutate(4, 1), ErrPrivateKeyInfo},
		{"fail/other-algorithm", mutate(18, 0x02), ErrPrivateKeyInfo}, // bign-pubkey → …45.2.2
		{"fail/unknown-curve", mutate(30, 0x09), ErrUnknownCurve},
		{"fail/zero-key", zeroKey, ErrInvalidPrivateKey},
		{"fail/trailing", append(append([]byte(nil), good...), 0), ErrPrivateKeyInfo},
		{"fail/truncated", good[:40], ErrPrivateKeyInfo},
		{"fail/spki-given", unhex(t, opensslSPKI), ErrPrivateKeyInfo},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePKCS8PrivateKey(tc.der)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}
