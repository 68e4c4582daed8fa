package docs_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/cms"
	"renewal/server/internal/docs"
)

var now = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

type issuer struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newIssuer(t *testing.T, name string) issuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return issuer{cert: c, key: key}
}

// leaf issues a certificate for pub, valid from now for a day.
func (is issuer) leaf(t *testing.T, pub crypto.PublicKey, serial int64) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "Смирнов Алексей Викторович"},
		NotBefore: now, NotAfter: now.Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, is.cert, pub, is.key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

type holder struct {
	key  crypto.Signer
	cert *x509.Certificate
}

func newHolder(t *testing.T, is issuer, kind string, serial int64) holder {
	t.Helper()
	var key crypto.Signer
	var err error
	switch kind {
	case "p256":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "rsa2048":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case "rsa1024":
		key, err = rsa.GenerateKey(rand.Reader, 1024)
	default:
		t.Fatalf("key kind %q", kind)
	}
	require.NoError(t, err)
	return holder{key: key, cert: is.leaf(t, key.Public(), serial)}
}

func (h holder) sign(t *testing.T, content []byte, at time.Time) []byte {
	t.Helper()
	der, err := cms.SignDetached(content, h.cert, nil, at, cms.MessageSignerFunc(h.key))
	require.NoError(t, err)
	return der
}

// files writes the holder's certificate and key for openssl into dir.
func (h holder) files(t *testing.T, dir, prefix string) (certFile, keyFile string) {
	t.Helper()
	k, err := x509.MarshalPKCS8PrivateKey(h.key)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, prefix+".pem"), filepath.Join(dir, prefix+".key")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.cert.Raw}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k}), 0o600))
	return certFile, keyFile
}

// opensslSign runs openssl cms -sign over content and returns the DER.
func opensslSign(t *testing.T, content []byte, args ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	require.NoError(t, err, "openssl must be installed")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "content.bin"), filepath.Join(dir, "sig.der")
	require.NoError(t, os.WriteFile(in, content, 0o600))
	cmd := exec.Command(bin, append([]string{"cms", "-sign", "-binary", "-in", in, "-outform", "DER", "-out", out}, args...)...)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "openssl %s:\n%s", strings.Join(cmd.Args, " "), msg)
	der, err := os.ReadFile(out)
	require.NoError(t, err)
	return der
}

// webCrypto mimics crypto.subtle.sign for ECDSA: r||s, converted by the browser code.
func webCrypto(key *ecdsa.PrivateKey) func([]byte) ([]byte, error) {
	return func(msg []byte) ([]byte, error) {
		h := sha256.Sum256(msg)
		r, s, err := ecdsa.Sign(rand.Reader, key, h[:])
		if err != nil {
			return nil, err
		}
		n := (key.Curve.Params().BitSize + 7) / 8
		rs := make([]byte, 2*n)
		r.FillBytes(rs[:n])
		s.FillBytes(rs[n:])
		return cms.P1363ToDER(rs)
	}
}

func TestVerifyDetachedAccepts(t *testing.T) {
	is := newIssuer(t, "УЦ")
	content := []byte("%PDF-1.4\nзаявление\n%%EOF\n")
	p256 := newHolder(t, is, "p256", 10)
	p384 := newHolder(t, is, "p384", 11)
	rsa2048 := newHolder(t, is, "rsa2048", 12)
	dir := t.TempDir()

	cmsSign := func(h holder, sign func([]byte) ([]byte, error)) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			der, err := cms.SignDetached(content, h.cert, []*x509.Certificate{is.cert}, now.Add(time.Minute), sign)
			require.NoError(t, err)
			return der
		}
	}
	openssl := func(h holder, md string, extra ...string) func(*testing.T) []byte {
		return func(t *testing.T) []byte {
			c, k := h.files(t, dir, md+h.cert.SerialNumber.String())
			return opensslSign(t, content, append([]string{"-signer", c, "-inkey", k, "-md", md}, extra...)...)
		}
	}
	tests := []struct {
		name     string
		signer   holder
		make     func(*testing.T) []byte
		wantTime bool
	}{
		{"cms/ecdsa-p256/message-signer", p256, cmsSign(p256, cms.MessageSignerFunc(p256.key)), true},
		{"cms/ecdsa-p256/webcrypto-p1363", p256, cmsSign(p256, webCrypto(p256.key.(*ecdsa.PrivateKey))), true},
		{"cms/ecdsa-p384/webcrypto-p1363", p384, cmsSign(p384, webCrypto(p384.key.(*ecdsa.PrivateKey))), true},
		{"cms/rsa-2048/message-signer", rsa2048, cmsSign(rsa2048, cms.MessageSignerFunc(rsa2048.key)), true},
		{"openssl/ecdsa-p256/sha256", p256, openssl(p256, "sha256"), false},
		{"openssl/ecdsa-p384/sha384", p384, openssl(p384, "sha384"), false},
		{"openssl/rsa-2048/sha256", rsa2048, openssl(rsa2048, "sha256"), false},
		{"openssl/rsa-2048/sha512", rsa2048, openssl(rsa2048, "sha512"), false},
		{"openssl/ecdsa-p256/no-certificates-embedded", p256, openssl(p256, "sha256", "-nocerts"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := docs.VerifyDetached(tt.make(t), content, tt.signer.cert)
			require.NoError(t, err)
			if tt.wantTime {
				assert.Equal(t, now.Add(time.Minute), st)
				assert.Equal(t, time.UTC, st.Location())
			} else {
				assert.False(t, st.IsZero(), "openssl adds signingTime (the current time)")
			}
		})
	}
}

// TestVerifyDetachedSigningTimeNotChecked: a browser clock behind the
// issuance of a fresh certificate must not break the signature; validity is
// the caller's business (smallstep/pkcs7 alone would refuse this).
func TestVerifyDetachedSigningTimeNotChecked(t *testing.T) {
	is := newIssuer(t, "УЦ")
	h := newHolder(t, is, "p256", 10)
	for _, at := range []time.Time{h.cert.NotBefore.Add(-2 * time.Minute), h.cert.NotAfter.Add(time.Hour), {}} {
		st, err := docs.VerifyDetached(h.sign(t, []byte("ack"), at), []byte("ack"), h.cert)
		require.NoError(t, err)
		assert.True(t, st.Equal(at), "got %v want %v", st, at)
	}
}

func TestVerifyDetachedRefusals(t *testing.T) {
	is := newIssuer(t, "УЦ")
	otherCA := newIssuer(t, "УЦ")     // same name, other key
	h := newHolder(t, is, "p256", 10) // the expected signer
	other := newHolder(t, is, "p256", 11)
	// Same issuer name and serial as h, other key: an impostor certificate.
	impostor := newHolder(t, otherCA, "p256", 10)
	weak := newHolder(t, is, "rsa1024", 12)
	content := []byte("%PDF-1.4\nзаявление\n%%EOF\n")
	good := h.sign(t, content, now)
	dir := t.TempDir()
	hc, hk := h.files(t, dir, "h")
	oc, okey := other.files(t, dir, "other")

	flipLast := append([]byte{}, good...)
	flipLast[len(flipLast)-1] ^= 0x01 // the last byte belongs to the signature value
	flipMid := append([]byte{}, good...)
	flipMid[len(flipMid)-20] ^= 0x80
	altered := append([]byte{}, content...)
	altered[10] ^= 0x01

	tests := []struct {
		name    string
		sig     []byte
		content []byte
		signer  *x509.Certificate
		want    error
	}{
		{"content-altered-one-byte", good, altered, h.cert, docs.ErrContentMismatch},
		{"content-truncated", good, content[:len(content)-1], h.cert, docs.ErrContentMismatch},
		{"content-empty", good, nil, h.cert, docs.ErrContentMismatch},
		{"signed-by-another-certificate", other.sign(t, content, now), content, h.cert, docs.ErrWrongSigner},
		{"impostor-certificate-same-issuer-and-serial", impostor.sign(t, content, now), content, h.cert, docs.ErrWrongSigner},
		{"signature-last-byte-flipped", flipLast, content, h.cert, docs.ErrBadSignature},
		{"signature-byte-flipped", flipMid, content, h.cert, docs.ErrBadSignature},
		{"garbage", []byte("this is not a CMS signature"), content, h.cert, docs.ErrBadSignature},
		{"empty", nil, content, h.cert, docs.ErrBadSignature},
		{"truncated", good[:len(good)/2], content, h.cert, docs.ErrBadSignature},
		{"certificate-instead-of-cms", h.cert.Raw, content, h.cert, docs.ErrBadSignature},
		{"attached-openssl", opensslSign(t, content, "-signer", hc, "-inkey", hk, "-md", "sha256", "-nodetach"), content, h.cert, docs.ErrUnsupported},
		{"sha1-openssl", opensslSign(t, content, "-signer", hc, "-inkey", hk, "-md", "sha1"), content, h.cert, docs.ErrUnsupported},
		{"no-signed-attributes-openssl", opensslSign(t, content, "-signer", hc, "-inkey", hk, "-md", "sha256", "-noattr"), content, h.cert, docs.ErrUnsupported},
		{"two-signers-openssl", opensslSign(t, content, "-signer", hc, "-inkey", hk, "-signer", oc, "-inkey", okey, "-md", "sha256"), content, h.cert, docs.ErrUnsupported},
		{"rsa-1024-signer", weak.sign(t, content, now), content, weak.cert, docs.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := docs.VerifyDetached(tt.sig, tt.content, tt.signer)
			require.ErrorIs(t, err, tt.want)
			assert.True(t, st.IsZero())
			t.Log(err)
		})
	}

	t.Run("nil-signer", func(t *testing.T) {
		_, err := docs.VerifyDetached(good, content, nil)
		require.Error(t, err)
	})
	t.Run("sentinels-are-distinct", func(t *testing.T) {
		all := []error{docs.ErrBadSignature, docs.ErrWrongSigner, docs.ErrContentMismatch, docs.ErrUnsupported}
		for i, a := range all {
			for j, b := range all {
				assert.Equal(t, i == j, a == b)
			}
			assert.NotEmpty(t, a.Error())
		}
	})
}
