package cms_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/cms"
)

var now = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

type pki struct {
	root    *x509.Certificate
	rootKey crypto.Signer
}

func newPKI(t *testing.T) pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Тестовый корневой УЦ", Country: []string{"RU"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	require.NoError(t, err)
	root, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return pki{root: root, rootKey: key}
}

func (p pki) leaf(t *testing.T, pub crypto.PublicKey, serial int64) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "Смирнов Алексей Викторович", Country: []string{"RU"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.root, pub, p.rootKey)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

// webCryptoSigner mimics crypto.subtle.sign({name: "ECDSA", hash: "SHA-256"}):
// it hashes the message itself and returns r||s, which the browser code
// converts with P1363ToDER.
func webCryptoSigner(key *ecdsa.PrivateKey) func([]byte) ([]byte, error) {
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

func openssl(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	require.NoError(t, err, "openssl must be installed")
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeFile(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o600))
}

// signedData is enough of RFC 5652 to check what SignDetached produces.
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo struct {
		EContentType asn1.ObjectIdentifier
		EContent     asn1.RawValue `asn1:"optional,explicit,tag:0"`
	}
	Certificates asn1.RawValue   `asn1:"optional,tag:0"`
	SignerInfos  []asn1.RawValue `asn1:"set"`
}

type signerInfo struct {
	Version int
	SID     struct {
		Issuer asn1.RawValue
		Serial *big.Int
	}
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

func TestSignDetached(t *testing.T) {
	p := newPKI(t)
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)

	ecdsaSHA256 := asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	rsaSHA256 := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	content := []byte("%PDF-1.4 заявление на изготовление сертификата\x00\xff\r\n")
	tests := []struct {
		name    string
		key     crypto.Signer
		sign    func([]byte) ([]byte, error)
		sigAlg  asn1.ObjectIdentifier
		x509Alg x509.SignatureAlgorithm
	}{
		{"ecdsa-p256/message-signer", p256, cms.MessageSignerFunc(p256), ecdsaSHA256, x509.ECDSAWithSHA256},
		{"ecdsa-p256/webcrypto-p1363", p256, webCryptoSigner(p256), ecdsaSHA256, x509.ECDSAWithSHA256},
		{"ecdsa-p384/webcrypto-p1363", p384, webCryptoSigner(p384), ecdsaSHA256, x509.ECDSAWithSHA256},
		{"rsa-2048/message-signer", rsa2048, cms.MessageSignerFunc(rsa2048), rsaSHA256, x509.SHA256WithRSA},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := p.leaf(t, tt.key.Public(), int64(100+i))
			der, err := cms.SignDetached(content, leaf, []*x509.Certificate{p.root, leaf}, now.Add(1500*time.Millisecond), tt.sign)
			require.NoError(t, err)

			// Structure: detached, one signer, sid, algorithms, attributes.
			var ci contentInfo
			rest, err := asn1.Unmarshal(der, &ci)
			require.NoError(t, err)
			require.Empty(t, rest)
			assert.Equal(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}, ci.ContentType)
			var sd signedData
			_, err = asn1.Unmarshal(ci.Content.Bytes, &sd)
			require.NoError(t, err)
			assert.Equal(t, 1, sd.Version)
			assert.Empty(t, sd.EncapContentInfo.EContent.FullBytes, "detached: eContent must be absent")
			assert.Equal(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}, sd.EncapContentInfo.EContentType)
			certs, err := x509.ParseCertificates(sd.Certificates.Bytes)
			require.NoError(t, err)
			require.Len(t, certs, 2, "the duplicate leaf in chain is dropped")
			require.Len(t, sd.SignerInfos, 1)
			var si signerInfo
			_, err = asn1.Unmarshal(sd.SignerInfos[0].FullBytes, &si)
			require.NoError(t, err)
			assert.Equal(t, 1, si.Version)
			assert.Equal(t, leaf.RawIssuer, si.SID.Issuer.FullBytes)
			assert.Zero(t, leaf.SerialNumber.Cmp(si.SID.Serial))
			assert.Equal(t, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, si.DigestAlgorithm.Algorithm)
			assert.Equal(t, tt.sigAlg, si.SignatureAlgorithm.Algorithm)

			// The signature is over the signed attributes re-tagged as SET.
			toSign := append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
			require.NoError(t, leaf.CheckSignature(tt.x509Alg, toSign, si.Signature))

			var raw []asn1.RawValue
			_, err = asn1.UnmarshalWithParams(toSign, &raw, "set")
			require.NoError(t, err)
			require.Len(t, raw, 3)
			got := map[string][]byte{}
			for i, r := range raw {
				if i > 0 {
					assert.Negative(t, bytes.Compare(raw[i-1].FullBytes, r.FullBytes), "DER SET OF must be sorted")
				}
				var a attribute
				_, err = asn1.Unmarshal(r.FullBytes, &a)
				require.NoError(t, err)
				got[a.Type.String()] = a.Values.Bytes
			}
			var md []byte
			_, err = asn1.Unmarshal(got["1.2.840.113549.1.9.4"], &md)
			require.NoError(t, err)
			sum := sha256.Sum256(content)
			assert.Equal(t, sum[:], md)
			var ct asn1.ObjectIdentifier
			_, err = asn1.Unmarshal(got["1.2.840.113549.1.9.3"], &ct)
			require.NoError(t, err)
			assert.Equal(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}, ct)
			var st time.Time
			_, err = asn1.Unmarshal(got["1.2.840.113549.1.9.5"], &st)
			require.NoError(t, err)
			assert.True(t, st.Equal(now.Add(time.Second)), "signingTime %v", st)

			// OpenSSL accepts it, with the chain checked, and refuses altered content.
			dir := t.TempDir()
			writeFile(t, dir, "root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.root.Raw}))
			writeFile(t, dir, "sig.der", der)
			writeFile(t, dir, "content.bin", content)
			writeFile(t, dir, "altered.bin", append([]byte{content[0] ^ 1}, content[1:]...))
			args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der", "-CAfile", "root.pem",
				"-purpose", "any", "-attime", strconv.FormatInt(now.Unix(), 10), "-out", "out.bin", "-content"}
			out, err := openssl(t, dir, append(args, "content.bin")...)
			require.NoError(t, err, out)
			assert.Contains(t, out, "Verification successful")
			verified, err := os.ReadFile(filepath.Join(dir, "out.bin"))
			require.NoError(t, err)
			assert.Equal(t, content, verified)

			out, err = openssl(t, dir, append(args, "altered.bin")...)
			require.Error(t, err, "openssl must refuse altered content:\n%s", out)
			assert.NotContains(t, out, "Verification successful")
		})
	}
}

// TestSignDetachedNoSigningTime covers the zero signing time: the
// attribute is omitted and OpenSSL still accepts the signature.
func TestSignDetachedNoSigningTime(t *testing.T) {
	p := newPKI(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	leaf := p.leaf(t, key.Public(), 7)
	der, err := cms.SignDetached([]byte("x"), leaf, nil, time.Time{}, cms.MessageSignerFunc(key))
	require.NoError(t, err)
	dir := t.TempDir()
	writeFile(t, dir, "sig.der", der)
	writeFile(t, dir, "content.bin", []byte("x"))
	out, err := openssl(t, dir, "cms", "-cmsout", "-print", "-inform", "DER", "-in", "sig.der")
	require.NoError(t, err, out)
	assert.Contains(t, out, "messageDigest")
	assert.NotContains(t, out, "signingTime")
	out, err = openssl(t, dir, "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der", "-content", "content.bin", "-noverify", "-out", "/dev/null")
	require.NoError(t, err, out)
}

func TestSignDetachedRefusals(t *testing.T) {
	p := newPKI(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	require.NoError(t, err)
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	leaf := p.leaf(t, key.Public(), 10)

	rawP1363 := func(msg []byte) ([]byte, error) { // forgot P1363ToDER
		h := sha256.Sum256(msg)
		r, s, err := ecdsa.Sign(rand.Reader, key, h[:])
		if err != nil {
			return nil, err
		}
		rs := make([]byte, 64)
		r.FillBytes(rs[:32])
		s.FillBytes(rs[32:])
		return rs, nil
	}
	boom := assert.AnError
	tests := []struct {
		name string
		cert *x509.Certificate
		sign func([]byte) ([]byte, error)
		want error
	}{
		{"nil-certificate", nil, cms.MessageSignerFunc(key), nil},
		{"nil-sign", leaf, nil, nil},
		{"ed25519-key", p.leaf(t, edPub, 11), cms.MessageSignerFunc(key), cms.ErrUnsupportedKey},
		{"p521-key", p.leaf(t, p521.Public(), 12), cms.MessageSignerFunc(p521), cms.ErrUnsupportedKey},
		{"other-key", leaf, cms.MessageSignerFunc(other), cms.ErrKeyMismatch},
		{"p1363-not-converted", leaf, rawP1363, cms.ErrKeyMismatch},
		{"sign-error", leaf, func([]byte) ([]byte, error) { return nil, boom }, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der, err := cms.SignDetached([]byte("content"), tt.cert, nil, now, tt.sign)
			require.Error(t, err)
			assert.Nil(t, der)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
}

func TestP1363ToDER(t *testing.T) {
	type sigValue struct{ R, S *big.Int }
	pad := func(n int, prefix ...byte) []byte { // prefix then 0x5a... up to n bytes
		b := bytes.Repeat([]byte{0x5a}, n)
		copy(b, prefix)
		return b
	}
	tests := []struct {
		name string
		r, s []byte
	}{
		{"p256/plain", pad(32, 0x12), pad(32, 0x34)},
		{"p256/high-bit-needs-0x00", pad(32, 0xff), pad(32, 0x80)},
		{"p256/leading-zero-bytes", pad(32, 0x00, 0x00, 0x7f), pad(32, 0x00, 0x80)},
		{"p256/tiny", append(make([]byte, 31), 1), append(make([]byte, 31), 0x81)},
		{"p384/leading-zero", pad(48, 0x00, 0x01), pad(48, 0xfe)},
		{"p521/leading-zeros", pad(66, 0x00, 0x00, 0x00, 0x01), pad(66, 0x01)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			der, err := cms.P1363ToDER(append(append([]byte{}, tt.r...), tt.s...))
			require.NoError(t, err)
			var v sigValue
			rest, err := asn1.Unmarshal(der, &v)
			require.NoError(t, err, "encoding/asn1 rejects non-minimal INTEGERs, so this also checks DER")
			require.Empty(t, rest)
			assert.Zero(t, new(big.Int).SetBytes(tt.r).Cmp(v.R))
			assert.Zero(t, new(big.Int).SetBytes(tt.s).Cmp(v.S))
			want, err := asn1.Marshal(v)
			require.NoError(t, err)
			assert.Equal(t, want, der)
		})
	}

	t.Run("real-signatures-with-short-r-and-s", func(t *testing.T) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		h := sha256.Sum256([]byte("leading zeros"))
		var shortR, shortS bool
		for i := 0; i < 20000 && !(shortR && shortS); i++ {
			r, s, err := ecdsa.Sign(rand.Reader, key, h[:])
			require.NoError(t, err)
			if r.BitLen() > 248 && s.BitLen() > 248 {
				continue
			}
			shortR = shortR || r.BitLen() <= 248
			shortS = shortS || s.BitLen() <= 248
			rs := make([]byte, 64)
			r.FillBytes(rs[:32])
			s.FillBytes(rs[32:])
			der, err := cms.P1363ToDER(rs)
			require.NoError(t, err)
			require.True(t, ecdsa.VerifyASN1(&key.PublicKey, h[:], der))
		}
		assert.True(t, shortR && shortS, "no signature with a leading zero byte found")
	})

	for _, tt := range []struct {
		name string
		sig  []byte
	}{
		{"empty", nil},
		{"odd", make([]byte, 63)},
		{"p256-plus-one", bytes.Repeat([]byte{1}, 65)},
		{"der-sized", bytes.Repeat([]byte{1}, 70)},
		{"p521-minus-two", bytes.Repeat([]byte{1}, 130)},
		{"too-long", bytes.Repeat([]byte{1}, 134)},
		{"zero-r", append(make([]byte, 32), bytes.Repeat([]byte{1}, 32)...)},
		{"zero-s", append(bytes.Repeat([]byte{1}, 32), make([]byte, 32)...)},
	} {
		t.Run("refused/"+tt.name, func(t *testing.T) {
			der, err := cms.P1363ToDER(tt.sig)
			assert.ErrorIs(t, err, cms.ErrBadP1363)
			assert.Nil(t, der)
		})
	}
}

// TestWASMBuildStdlibOnly guards the promise that this package compiles
// into the browser with the standard library and our own pure-Go GOST
// packages only (which bring filippo.io/bigmod, itself pure Go).
func TestWASMBuildStdlibOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go tool; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	require.NoError(t, err)
	run := func(args ...string) string {
		cmd := exec.Command(goBin, args...)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	run("build", "-o", os.DevNull, ".")
	nonStd := strings.Fields(run("list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "."))
	assert.ElementsMatch(t, []string{"renewal/ca/cms", "renewal/ca/crypto/gost3410", "renewal/ca/crypto/streebog", "filippo.io/bigmod",
		"golang.org/x/crypto/cryptobyte", "golang.org/x/crypto/cryptobyte/asn1"},
		nonStd, "only the standard library and our GOST packages may be imported")
	// The standard library itself uses syscall/js under js/wasm; the
	// package must not import it directly.
	direct := strings.Fields(run("list", "-f", `{{join .Imports " "}}`, "."))
	assert.NotContains(t, direct, "syscall/js")
}
