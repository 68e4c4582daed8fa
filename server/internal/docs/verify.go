// Package docs renders the documents a certificate holder signs (the reissue
// application, the certificate form) as deterministic PDFs and verifies the
// detached CMS signatures the browser makes over them (see renewal/ca/cms).
package docs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"renewal/ca/cms"
	"renewal/ca/crypto/gost3410"

	"github.com/smallstep/pkcs7"
)

// Errors of VerifyDetached. They are wrapped with details; test with errors.Is.
var (
	ErrBadSignature    = errors.New("docs: the signature is malformed or does not verify")
	ErrWrongSigner     = errors.New("docs: the document is signed with a different certificate")
	ErrContentMismatch = errors.New("docs: the signature was made over a different document")
	ErrUnsupported     = errors.New("docs: unsupported signature format or algorithm")
)

// minRSABits is the smallest RSA key accepted for document signatures.
const minRSABits = 2048

var (
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECPublicKey     = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
)

// VerifyDetached checks that sigDER is a CMS SignedData (RFC 5652) with
// detached content and exactly one signer, that the signer is signer (sid
// names its issuer and serial; an embedded certificate with that sid must be
// byte-for-byte signer), that the signed attributes carry contentType id-data
// and messageDigest equal to the hash of content, and that the signature over
// the signed attributes verifies with signer's public key. Allowed algorithms:
// ECDSA P-256/P-384 with SHA-256/SHA-384, RSA (2048 bits or more) PKCS#1 v1.5
// with SHA-256/384/512; the digest algorithm must match the signature
// algorithm's hash; GOST R 34.10-2012 256/512 with the Streebog of the
// key's size (verified by ca/cms; the signer's certificate embedded).
//
// It returns the signingTime attribute (UTC), or the zero time when the
// signature has none. signingTime is what the signer's clock claimed: it is
// not compared with the certificate's validity, and neither the chain nor the
// validity nor the revocation of signer is checked here: the caller does that.
// The caller should also bound the size of sigDER.
func VerifyDetached(sigDER, content []byte, signer *x509.Certificate) (signingTime time.Time, err error) {
	if signer == nil {
		return time.Time{}, errors.New("docs: VerifyDetached: signer certificate is nil")
	}
	if err := checkKey(signer); err != nil {
		return time.Time{}, err
	}
	p7, err := parse(sigDER)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: not a CMS SignedData: %v", ErrBadSignature, err)
	}
	switch n := len(p7.Signers); {
	case n == 0:
		return time.Time{}, fmt.Errorf("%w: no signer", ErrBadSignature)
	case n > 1:
		return time.Time{}, fmt.Errorf("%w: %d signers, want exactly one", ErrUnsupported, n)
	}
	if len(p7.Content) > 0 {
		return time.Time{}, fmt.Errorf("%w: the content is embedded (attached); want a detached signature", ErrUnsupported)
	}
	si := p7.Signers[0]

	// The signer: sid must name signer, and an embedded certificate with
	// that sid must be exactly signer.
	if !bytes.Equal(si.IssuerAndSerialNumber.IssuerName.FullBytes, signer.RawIssuer) ||
		si.IssuerAndSerialNumber.SerialNumber == nil || si.IssuerAndSerialNumber.SerialNumber.Cmp(signer.SerialNumber) != 0 {
		return time.Time{}, fmt.Errorf("%w: the signer info names another issuer or serial number", ErrWrongSigner)
	}
	for _, c := range p7.Certificates {
		if c.SerialNumber.Cmp(signer.SerialNumber) == 0 && bytes.Equal(c.RawIssuer, signer.RawIssuer) && !bytes.Equal(c.Raw, signer.Raw) {
			return time.Time{}, fmt.Errorf("%w: the embedded certificate differs from the expected one", ErrWrongSigner)
		}
	}

	gost := isGOST(signer)
	if !gost {
		if err := checkAlgorithms(si.DigestAlgorithm.Algorithm, si.DigestEncryptionAlgorithm.Algorithm, signer); err != nil {
			return time.Time{}, err
		}
	}
	signingTime, err = checkAttributes(p7)
	if err != nil {
		return time.Time{}, err
	}
	if gost {
		return signingTime, verifyGOST(sigDER, content, signer)
	}

	// pkcs7 checks messageDigest and the signature. It looks the signer up
	// in p7.Certificates by sid, so only the expected certificate is offered;
	// it also refuses a signingTime outside that certificate's validity, a
	// check that belongs to the caller (a browser clock a minute behind the
	// issuance of a fresh certificate must not break the signature), so the
	// copy it sees has unbounded validity. Only its public key is used.
	unbounded := *signer
	unbounded.NotBefore, unbounded.NotAfter = time.Time{}, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	p7.Certificates = []*x509.Certificate{&unbounded}
	p7.Content = content
	if err := p7.Verify(); err != nil {
		var mismatch *pkcs7.MessageDigestMismatchError
		if errors.As(err, &mismatch) {
			return time.Time{}, fmt.Errorf("%w: message digest differs", ErrContentMismatch)
		}
		return time.Time{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return signingTime, nil
}

// parse wraps pkcs7.Parse: it must never panic on hostile input.
func parse(der []byte) (p7 *pkcs7.PKCS7, err error) {
	defer func() {
		if r := recover(); r != nil {
			p7, err = nil, fmt.Errorf("parser panic: %v", r)
		}
	}()
	p7, err = pkcs7.Parse(der)
	if err == nil && p7 == nil {
		err = errors.New("empty result")
	}
	return p7, err
}

// isGOST: crypto/x509 leaves a GOST R 34.10-2012 key unparsed (nil).
func isGOST(c *x509.Certificate) bool {
	if c.PublicKey != nil {
		return false
	}
	_, err := gost3410.ParsePKIXPublicKey(c.RawSubjectPublicKeyInfo)
	return err == nil
}

// verifyGOST checks a GOST signature with ca/cms, which pkcs7 cannot: the
// digest is the Streebog of the key's size (a Streebog-256 digest on a
// 512-bit key is refused), the signature s‖r over the signed attributes.
// cms.Verify finds the signer among the embedded certificates, so the
// signer's certificate must be there, and be exactly signer.
func verifyGOST(sigDER, content []byte, signer *x509.Certificate) error {
	if content == nil {
		content = []byte{} // cms.Verify reads nil as "no detached content"
	}
	v, err := cms.Verify(sigDER, content)
	switch {
	case errors.Is(err, cms.ErrDigestMismatch):
		return fmt.Errorf("%w: message digest differs", ErrContentMismatch)
	case errors.Is(err, cms.ErrSigner):
		return fmt.Errorf("%w: %v", ErrWrongSigner, err)
	case errors.Is(err, cms.ErrAlgorithm):
		return fmt.Errorf("%w: %v", ErrUnsupported, err)
	case err != nil:
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	case !bytes.Equal(v.Signer.Raw, signer.Raw):
		return fmt.Errorf("%w: the embedded signer certificate differs from the expected one", ErrWrongSigner)
	}
	return nil
}

func checkKey(c *x509.Certificate) error {
	if isGOST(c) {
		return nil // 256 or 512, any parameter set gost3410 validates
	}
	switch k := c.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() || k.Curve == elliptic.P384() {
			return nil
		}
		return fmt.Errorf("%w: ECDSA curve %s", ErrUnsupported, k.Curve.Params().Name)
	case *rsa.PublicKey:
		if k.N.BitLen() >= minRSABits {
			return nil
		}
		return fmt.Errorf("%w: RSA key of %d bits", ErrUnsupported, k.N.BitLen())
	default:
		return fmt.Errorf("%w: certificate key %T", ErrUnsupported, c.PublicKey)
	}
}

// checkAlgorithms allows SHA-256/384(/512 for RSA) digests and a signature
// algorithm of the certificate's key type whose hash, if it names one, is the
// digest algorithm.
func checkAlgorithms(digest, sig asn1.ObjectIdentifier, signer *x509.Certificate) error {
	var hash string
	switch {
	case digest.Equal(pkcs7.OIDDigestAlgorithmSHA256):
		hash = "SHA-256"
	case digest.Equal(pkcs7.OIDDigestAlgorithmSHA384):
		hash = "SHA-384"
	case digest.Equal(pkcs7.OIDDigestAlgorithmSHA512):
		hash = "SHA-512"
	default:
		return fmt.Errorf("%w: digest algorithm %s", ErrUnsupported, digest)
	}
	var sigHash string // "" when the OID names the key type only
	switch signer.PublicKey.(type) {
	case *ecdsa.PublicKey:
		switch {
		case sig.Equal(oidECDSAWithSHA256):
			sigHash = "SHA-256"
		case sig.Equal(oidECDSAWithSHA384):
			sigHash = "SHA-384"
		case sig.Equal(oidECPublicKey):
		default:
			return fmt.Errorf("%w: signature algorithm %s for an ECDSA key", ErrUnsupported, sig)
		}
		if hash == "SHA-512" {
			return fmt.Errorf("%w: ECDSA with SHA-512", ErrUnsupported)
		}
	case *rsa.PublicKey:
		switch {
		case sig.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA256):
			sigHash = "SHA-256"
		case sig.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA384):
			sigHash = "SHA-384"
		case sig.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA512):
			sigHash = "SHA-512"
		case sig.Equal(pkcs7.OIDEncryptionAlgorithmRSA):
		default:
			return fmt.Errorf("%w: signature algorithm %s for an RSA key", ErrUnsupported, sig)
		}
	}
	if sigHash != "" && sigHash != hash {
		return fmt.Errorf("%w: signature algorithm %s with digest algorithm %s", ErrUnsupported, sig, digest)
	}
	return nil
}

// checkAttributes requires signed attributes with exactly one contentType
// (id-data) and one messageDigest, allows at most one signingTime, each with
// a single value, and returns the signing time.
func checkAttributes(p7 *pkcs7.PKCS7) (time.Time, error) {
	attrs := p7.Signers[0].AuthenticatedAttributes
	if len(attrs) == 0 {
		return time.Time{}, fmt.Errorf("%w: no signed attributes", ErrUnsupported)
	}
	seen := map[string]int{}
	for _, a := range attrs {
		seen[a.Type.String()]++
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(a.Value.Bytes, &v)
		if err != nil || len(rest) > 0 {
			return time.Time{}, fmt.Errorf("%w: attribute %s must have exactly one value", ErrBadSignature, a.Type)
		}
	}
	for _, oid := range []asn1.ObjectIdentifier{pkcs7.OIDAttributeContentType, pkcs7.OIDAttributeMessageDigest, pkcs7.OIDAttributeSigningTime} {
		n := seen[oid.String()]
		if n > 1 || n == 0 && !oid.Equal(pkcs7.OIDAttributeSigningTime) {
			return time.Time{}, fmt.Errorf("%w: %d attributes %s, want one", ErrBadSignature, n, oid)
		}
	}
	var ct asn1.ObjectIdentifier
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeContentType, &ct); err != nil {
		return time.Time{}, fmt.Errorf("%w: contentType: %v", ErrBadSignature, err)
	}
	if !ct.Equal(pkcs7.OIDData) {
		return time.Time{}, fmt.Errorf("%w: content type %s, want id-data", ErrUnsupported, ct)
	}
	var t time.Time
	if seen[pkcs7.OIDAttributeSigningTime.String()] == 1 {
		if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &t); err != nil {
			return time.Time{}, fmt.Errorf("%w: signingTime: %v", ErrBadSignature, err)
		}
		t = t.UTC()
	}
	return t, nil
}
