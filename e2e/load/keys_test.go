package load

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/x509sig"
)

// TestNewKeyRequestAndChallenge: each kind a profile may name gives a key
// on the wizard's curve whose request x509sig reads back with that key,
// and whose challenge signature has the proof's form: GOST s‖r over
// Streebog, ECDSA DER over SHA-256.
func TestNewKeyRequestAndChallenge(t *testing.T) {
	msg := []byte("challenge")
	for alg, curve := range map[string]*gost3410.Curve{"gost2012-256": gost3410.CryptoProA(), "gost2012-512": gost3410.Curve512A(), "ecdsa-p256": nil, "": nil} {
		key, err := newKey(alg)
		require.NoError(t, err, alg)
		csr, err := x509sig.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
		require.NoError(t, err, alg)
		_, pub, err := x509sig.ParseCertificateRequest(csr)
		require.NoError(t, err, alg)
		assert.True(t, samePublic(key, pub), alg)
		sig, err := signChallenge(key, msg)
		require.NoError(t, err, alg)
		if curve != nil {
			g := pub.(*gost3410.PublicKey)
			assert.Equal(t, curve.OID(), g.Curve().OID(), alg)
			assert.Len(t, sig, 2*curve.Size(), alg)
			assert.True(t, gost3410.VerifyMessage(g, msg, sig), alg)
			continue
		}
		sum := sha256.Sum256(msg)
		assert.True(t, ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), sum[:], sig), alg)
	}
	_, err := newKey("rsa-2048")
	assert.Error(t, err, "a kind the load generator cannot make is refused, not replaced by P-256")
}
