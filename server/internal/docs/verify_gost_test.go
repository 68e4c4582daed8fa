package docs_test

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

	"renewal/ca/cms"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/x509sig"
	"renewal/server/internal/docs"
)

// gostLeaf is a GOST certificate of a fresh key on c, issued by a GOST CA
// (x509sig signs both: crypto/x509 cannot).
func gostLeaf(t testing.TB, ca *x509.Certificate, caKey *gost3410.PrivateKey, c *gost3410.Curve, serial int64) (*x509.Certificate, *gost3410.PrivateKey) {
	t.Helper()
	key, err := gost3410.GenerateKey(c, rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "Смирнов Алексей Викторович"},
		NotBefore: now, NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509sig.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert, key
}

func gostCA(t testing.TB) (*x509.Certificate, *gost3410.PrivateKey) {
	t.Helper()
	key, err := gost3410.GenerateKey(gost3410.Curve256B(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "УЦ ГОСТ"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509sig.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert, key
}

// TestVerifyDetachedGOST: CMS signed with GOST R 34.10-2012 (256 and 512)
// is verified through ca/cms, bound to the expected certificate, and
// refused when anything does not hold.
func TestVerifyDetachedGOST(t *testing.T) {
	ca, caKey := gostCA(t)
	content := []byte("%PDF-1.7 заявление\n")
	for _, c := range []*gost3410.Curve{gost3410.CryptoProA(), gost3410.Curve512A()} {
		cert, key := gostLeaf(t, ca, caKey, c, 10)
		other, otherKey := gostLeaf(t, ca, caKey, c, 11)
		sign := func(content []byte, cert *x509.Certificate, key *gost3410.PrivateKey) []byte {
			sig, err := cms.SignDetached(content, cert, nil, now, cms.MessageSignerFunc(key))
			require.NoError(t, err)
			return sig
		}
		sig := sign(content, cert, key)
		t.Run("ok/"+c.Name(), func(t *testing.T) {
			at, err := docs.VerifyDetached(sig, content, cert)
			require.NoError(t, err)
			assert.True(t, at.Equal(now))
		})
		t.Run("fail/other-content/"+c.Name(), func(t *testing.T) {
			_, err := docs.VerifyDetached(sig, append(bytes.Clone(content), ' '), cert)
			assert.ErrorIs(t, err, docs.ErrContentMismatch)
		})
		t.Run("fail/other-signer/"+c.Name(), func(t *testing.T) {
			_, err := docs.VerifyDetached(sign(content, other, otherKey), content, cert)
			assert.ErrorIs(t, err, docs.ErrWrongSigner)
		})
		t.Run("fail/signature-altered/"+c.Name(), func(t *testing.T) {
			bad := bytes.Clone(sig)
			bad[len(bad)-1] ^= 1 // the signature value ends the structure
			_, err := docs.VerifyDetached(bad, content, cert)
			assert.ErrorIs(t, err, docs.ErrBadSignature)
		})
		t.Run("fail/attached/"+c.Name(), func(t *testing.T) {
			att, err := cms.SignAttached(content, cert, nil, now, cms.MessageSignerFunc(key))
			require.NoError(t, err)
			_, err = docs.VerifyDetached(att, content, cert)
			assert.ErrorIs(t, err, docs.ErrUnsupported)
		})
	}
	t.Run("fail/streebog-256-announced-on-512-key", func(t *testing.T) {
		cert, key := gostLeaf(t, ca, caKey, gost3410.Curve512A(), 12)
		sig, err := cms.SignDetached(content, cert, nil, now, cms.MessageSignerFunc(key))
		require.NoError(t, err)
		s512 := []byte{0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03}
		s256 := []byte{0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02}
		// Outside the embedded certificate (its key names Streebog-512
		// too): the digestAlgorithms and the SignerInfo.
		i := bytes.Index(sig, cert.Raw)
		require.Positive(t, i)
		before, after := sig[:i], sig[i+len(cert.Raw):]
		require.Positive(t, bytes.Count(before, s512)+bytes.Count(after, s512))
		bad := append(append(bytes.ReplaceAll(before, s512, s256), cert.Raw...), bytes.ReplaceAll(after, s512, s256)...)
		_, err = docs.VerifyDetached(bad, content, cert)
		assert.ErrorIs(t, err, docs.ErrUnsupported)
	})
}

// FuzzVerifyDetachedGOST is FuzzVerifyDetached with a GOST signer: the
// path through ca/cms never panics, refuses with one of the four errors,
// and an accepted signature is bound to the content.
func FuzzVerifyDetachedGOST(f *testing.F) {
	ca, caKey := gostCA(f)
	cert, key := gostLeaf(f, ca, caKey, gost3410.Curve512C(), 20)
	content := []byte("%PDF-1.4 заявление на изготовление сертификата")
	good, err := cms.SignDetached(content, cert, nil, now, cms.MessageSignerFunc(key))
	require.NoError(f, err)
	_, err = docs.VerifyDetached(good, content, cert)
	require.NoError(f, err, "the valid seed is refused")
	f.Add(good, content)
	f.Add(good, content[1:])
	f.Add(good[:len(good)-2], content)
	flipped := bytes.Clone(good)
	flipped[len(flipped)-10] ^= 1
	f.Add(flipped, content)
	f.Add([]byte{0x30, 0x80, 0x00, 0x00}, content)
	f.Fuzz(func(t *testing.T, sig, content []byte) {
		_, err := docs.VerifyDetached(sig, content, cert)
		if err != nil {
			for _, e := range []error{docs.ErrBadSignature, docs.ErrWrongSigner, docs.ErrContentMismatch, docs.ErrUnsupported} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("refusal %v wraps none of the documented errors", err)
		}
		if _, err := docs.VerifyDetached(sig, append(bytes.Clone(content), 0), cert); !errors.Is(err, docs.ErrContentMismatch) {
			t.Fatalf("accepted, and also over other content: %v", err)
		}
	})
}
