package renewal

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/x509sig"
)

// gostCertKey is a self-signed GOST R 34.10-2012 certificate of a fresh key
// on c, made by x509sig.
func gostCertKey(tb testing.TB, c *gost3410.Curve) (*x509.Certificate, *gost3410.PrivateKey) {
	tb.Helper()
	key, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(8), Subject: pkix.Name{CommonName: "Иванов Иван Иванович", Country: []string{"RU"}},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509sig.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return cert, key
}

func gostCert(tb testing.TB, c *gost3410.Curve) *x509.Certificate {
	cert, _ := gostCertKey(tb, c)
	return cert
}

// gostCertSPKIEnd is the offset in der just past the certificate's
// SubjectPublicKeyInfo, whose last bytes are the end of Y.
func gostCertSPKIEnd(tb testing.TB, der []byte) int {
	tb.Helper()
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	i := bytes.Index(der, cert.RawSubjectPublicKeyInfo)
	if i < 0 {
		tb.Fatal("no SPKI in the certificate")
	}
	return i + len(cert.RawSubjectPublicKeyInfo)
}

// TestCheckSignatureGOST: the proof's signature check for GOST keys of
// 256 and 512 bits (Streebog of the key's size, s‖r) and its refusals,
// each with its catalogue error.
func TestCheckSignatureGOST(t *testing.T) {
	msg := ChallengeMessage("app-1", []byte("0123456789abcdef0123456789abcdef"))
	for _, c := range []*gost3410.Curve{gost3410.CryptoProA(), gost3410.Curve256A(), gost3410.Curve512A(), gost3410.Curve512C()} {
		cert, key := gostCertKey(t, c)
		_, _, _, q, _, _, _ := c.Params()
		sig, err := key.SignMessage(rand.Reader, msg, nil)
		require.NoError(t, err)
		n := c.Size()
		t.Run("ok/"+c.Name(), func(t *testing.T) {
			assert.NoError(t, checkSignature(cert, msg, sig))
		})
		t.Run("fail/other-message/"+c.Name(), func(t *testing.T) {
			assert.ErrorIs(t, checkSignature(cert, append(bytes.Clone(msg), '!'), sig), ErrProofSignature)
		})
		t.Run("fail/truncated/"+c.Name(), func(t *testing.T) {
			assert.ErrorIs(t, checkSignature(cert, msg, sig[:len(sig)-1]), ErrProofSignatureForm)
		})
		t.Run("fail/s-is-q/"+c.Name(), func(t *testing.T) {
			bad := bytes.Clone(sig)
			q.FillBytes(bad[:n])
			assert.ErrorIs(t, checkSignature(cert, msg, bad), ErrProofSignatureForm)
		})
		t.Run("fail/r-is-zero/"+c.Name(), func(t *testing.T) {
			bad := bytes.Clone(sig)
			clear(bad[n:])
			assert.ErrorIs(t, checkSignature(cert, msg, bad), ErrProofSignatureForm)
		})
		t.Run("fail/ecdsa-form/"+c.Name(), func(t *testing.T) {
			// An ECDSA DER signature on a GOST key is no s‖r of its size.
			assert.ErrorIs(t, checkSignature(cert, msg, []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}), ErrProofSignatureForm)
		})
		t.Run("fail/key-off-curve/"+c.Name(), func(t *testing.T) {
			der := bytes.Clone(cert.Raw)
			der[gostCertSPKIEnd(t, der)-1] ^= 1
			bad, err := x509.ParseCertificate(der)
			require.NoError(t, err)
			assert.ErrorIs(t, checkSignature(bad, msg, sig), ErrCertificateKey)
			_, _, err = proofCertificates(wire.Proof{Certificate: der})
			assert.ErrorIs(t, err, ErrCertificateKey)
			assert.True(t, errors.Is(err, gost3410.ErrOffCurve) || errors.Is(err, gost3410.ErrNotInSubgroup), "%v", err)
		})
	}
}
