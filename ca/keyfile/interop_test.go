package keyfile

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// Files written by go-pkcs12 (an implementation we did not write), with
// each of its encoders: the browser read them with go-pkcs12 before, so
// keyfile must read them all.
func TestReadGoPKCS12(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Владелец"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)

	for _, tc := range []struct {
		name     string
		enc      *pkcs12.Encoder
		password string
	}{
		{"ok/legacy-rc2", pkcs12.LegacyRC2, "пароль"}, // RC2-40 certificates, 3DES key, SHA-1 MAC
		{"ok/legacy-des", pkcs12.LegacyDES, "пароль"},
		{"ok/modern2023", pkcs12.Modern2023, "пароль"},
		{"ok/modern2026-pbmac1", pkcs12.Modern2026, "пароль"},
		{"ok/empty-password", pkcs12.LegacyDES, ""},
		{"ok/passwordless-no-mac", pkcs12.Passwordless, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.enc.Encode(key, cert, nil, tc.password)
			require.NoError(t, err)
			es, err := DecodePKCS12(f, tc.password)
			require.NoError(t, err)
			require.Len(t, es, 1)
			assert.True(t, key.Equal(es[0].Key))
			require.NotNil(t, es[0].Cert)
			assert.Equal(t, cert.Raw, es[0].Cert.Raw)
			if tc.enc != pkcs12.Passwordless {
				_, err = DecodePKCS12(f, "не тот")
				assert.ErrorIs(t, err, ErrPassword)
			} else {
				_, err = DecodePKCS12(f, "any")
				assert.ErrorIs(t, err, ErrUnsupported, "no MAC: read under the empty password only")
			}
		})
	}
}

// The empty password as no bytes at all in the MAC's PKCS#12 KDF (not
// RFC 7292's lone terminating zero), as some writers have it: read too.
func TestReadBareEmptyPassword(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	f, err := EncodePKCS12([]Entry{{Key: key}}, "", &Options{Iterations: 10})
	require.NoError(t, err)
	var p pfx
	require.NoError(t, unmarshal(f, &p, "pfx"))
	var auth []byte
	require.NoError(t, unmarshal(explicit0Inner(p.AuthSafe.Content), &auth, "authSafe"))
	m, _ := macFor(p.MacData.Mac.Algorithm.Algorithm)
	p.MacData.Mac.Digest, err = m.sum(secret{bare: true}, p.MacData.MacSalt, p.MacData.Iterations, auth)
	require.NoError(t, err)
	bare, err := asn1.Marshal(p)
	require.NoError(t, err)
	require.NotEqual(t, f, bare)

	es, err := DecodePKCS12(bare, "")
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.True(t, key.Equal(es[0].Key))
	_, err = DecodePKCS12(bare, "x")
	assert.ErrorIs(t, err, ErrPassword)
}

// A PBMAC1 key shorter than 20 bytes is refused before it is compared
// (RFC 9579 section 5), even when the MAC under it is right.
func TestPBMAC1ShortKeyRefused(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(8), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	f, err := pkcs12.Modern2026.Encode(key, cert, nil, "pw")
	require.NoError(t, err)

	var p pfx
	require.NoError(t, unmarshal(f, &p, "pfx"))
	var auth []byte
	require.NoError(t, unmarshal(explicit0Inner(p.AuthSafe.Content), &auth, "authSafe"))
	var mp pbmac1Params
	require.NoError(t, unmarshal(p.MacData.Mac.Algorithm.Parameters.FullBytes, &mp, "PBMAC1"))
	var kp pbkdf2Params
	require.NoError(t, unmarshal(mp.KDF.Parameters.FullBytes, &kp, "PBKDF2"))
	for _, n := range []int{16, 32} {
		kp.KeyLength = n
		kdf, err := asn1.Marshal(kp)
		require.NoError(t, err)
		mp.KDF.Parameters = asn1.RawValue{FullBytes: kdf}
		params, err := asn1.Marshal(mp)
		require.NoError(t, err)
		p.MacData.Mac.Algorithm.Parameters = asn1.RawValue{FullBytes: params}
		mk, err := pbkdf2.Key(sha256.New, "pw", kp.Salt, kp.Iterations, n)
		require.NoError(t, err)
		h := hmac.New(sha256.New, mk)
		h.Write(auth)
		p.MacData.Mac.Digest = h.Sum(nil)
		g, err := asn1.Marshal(p)
		require.NoError(t, err)
		_, err = DecodePKCS12(g, "pw")
		if n < 20 {
			assert.ErrorIs(t, err, ErrMalformed, "key length %d", n)
		} else {
			assert.NoError(t, err, "key length %d", n)
		}
	}
}
