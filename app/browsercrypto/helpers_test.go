package browsercrypto

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"testing"
	"time"
)

// goSigner is a Go key that behaves like a WebCrypto key: SignMessage with
// SHA-256 only, and Sign (a digest) refused. Tests use it where no browser
// is at hand, and it proves x509 and cms never call Sign.
type goSigner struct{ key crypto.Signer }

func (g goSigner) Public() crypto.PublicKey { return g.key.Public() }

func (g goSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, ErrDigestSigning
}

func (g goSigner) SignMessage(r io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts.HashFunc() != crypto.SHA256 {
		return nil, fmt.Errorf("hash %v", opts.HashFunc())
	}
	d := sha256.Sum256(msg)
	return g.key.Sign(rand.Reader, d[:], crypto.SHA256)
}

func newGoSigner(t testing.TB, alg KeyAlgorithm) goSigner {
	t.Helper()
	var k crypto.Signer
	var err error
	switch alg {
	case AlgECDSAP256:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ecdsa-p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case AlgRSA2048:
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("no test key for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return goSigner{k}
}

// testCA is a throwaway issuer for certificates of keys under test.
type testCA struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{key: key, cert: cert}
}

// issue certifies pub.
func (ca *testCA) issue(t testing.TB, pub crypto.PublicKey, cn string) *x509.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// verifySignature checks a SHA-256 signature in X.509 form with Go's crypto.
func verifySignature(t testing.TB, pub crypto.PublicKey, msg, sig []byte) {
	t.Helper()
	d := sha256.Sum256(msg)
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, d[:], sig) {
			t.Fatalf("ECDSA signature (%d bytes) does not verify", len(sig))
		}
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], sig); err != nil {
			t.Fatalf("RSA signature: %v", err)
		}
	default:
		t.Fatalf("key %T", pub)
	}
}

// A tiny detached-CMS verifier, enough to check the signature math of
// SignDetached: the messageDigest attribute is SHA-256(content) and the
// signature over the DER SET of the signed attributes verifies with cert.
type cmsContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue // [0] EXPLICIT: Bytes is the SignedData
}

type cmsSignedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo asn1.RawValue
	Certificates     asn1.RawValue
	SignerInfos      []cmsSignerInfo `asn1:"set"`
}

type cmsSignerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
}

type cmsAttribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue
}

func verifyDetachedCMS(der, content []byte, cert *x509.Certificate) error {
	var ci cmsContentInfo
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) > 0 {
		return fmt.Errorf("ContentInfo: %v (%d trailing bytes)", err, len(rest))
	}
	if !ci.ContentType.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}) {
		return fmt.Errorf("content type %v, want signedData", ci.ContentType)
	}
	var sd cmsSignedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return fmt.Errorf("SignedData: %v", err)
	}
	// Detached: encapContentInfo holds the OID of id-data and no eContent.
	var eci struct{ Type asn1.ObjectIdentifier }
	if rest, err := asn1.Unmarshal(sd.EncapContentInfo.FullBytes, &eci); err != nil || len(rest) > 0 {
		return fmt.Errorf("encapContentInfo: %v", err)
	}
	if len(sd.EncapContentInfo.Bytes) != len(mustASN1(eci.Type)) {
		return errors.New("encapContentInfo carries content: not detached")
	}
	if sd.Certificates.Class != asn1.ClassContextSpecific || sd.Certificates.Tag != 0 {
		return errors.New("certificates [0] missing")
	}
	certs, err := x509.ParseCertificates(sd.Certificates.Bytes)
	if err != nil {
		return fmt.Errorf("certificates: %v", err)
	}
	found := false
	for _, c := range certs {
		found = found || c.Equal(cert)
	}
	if !found {
		return errors.New("signer's certificate not in the CMS")
	}
	if len(sd.SignerInfos) != 1 {
		return fmt.Errorf("%d SignerInfos", len(sd.SignerInfos))
	}
	si := sd.SignerInfos[0]
	if si.SignedAttrs.Class != asn1.ClassContextSpecific || si.SignedAttrs.Tag != 0 {
		return errors.New("signedAttrs [0] missing")
	}
	var gotDigest []byte
	for rest := si.SignedAttrs.Bytes; len(rest) > 0; {
		var a cmsAttribute
		var err error
		if rest, err = asn1.Unmarshal(rest, &a); err != nil {
			return fmt.Errorf("attribute: %v", err)
		}
		if a.Type.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}) {
			if _, err := asn1.Unmarshal(a.Values.Bytes, &gotDigest); err != nil {
				return fmt.Errorf("messageDigest: %v", err)
			}
		}
	}
	want := sha256.Sum256(content)
	if !bytes.Equal(gotDigest, want[:]) {
		return errors.New("messageDigest is not SHA-256 of the content")
	}
	// The signature covers the attributes as a DER SET (tag 0x31), RFC 5652 5.4.
	signed := append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
	alg := x509.SHA256WithRSA
	if _, ok := cert.PublicKey.(*ecdsa.PublicKey); ok {
		alg = x509.ECDSAWithSHA256
	}
	if err := cert.CheckSignature(alg, signed, si.Signature); err != nil {
		return fmt.Errorf("signature: %v", err)
	}
	return nil
}

func mustASN1(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
