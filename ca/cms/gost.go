package cms

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"renewal/ca/crypto/gost3410"
)

var (
	// ErrMalformed: the bytes are not a CMS SignedData this package reads
	// (truncated, garbage, BER indefinite lengths, trailing data).
	ErrMalformed = errors.New("cms: malformed SignedData")
	// ErrSignature: the signature does not verify with the signer's key.
	ErrSignature = errors.New("cms: the signature does not verify")
	// ErrDigestMismatch: the messageDigest attribute is not the digest of
	// the content.
	ErrDigestMismatch = errors.New("cms: the content does not match the signed digest")
	// ErrAlgorithm: a digest or signature algorithm that is not the one of
	// the signer's key (a Streebog-256 digest announced as Streebog-512, an
	// ECDSA identifier on a GOST key), or one this package does not verify.
	ErrAlgorithm = errors.New("cms: digest or signature algorithm does not match the signer's key")
	// ErrSigner: no certificate in the structure is the signer's, or there
	// is not exactly one signer.
	ErrSigner = errors.New("cms: signer certificate missing or not exactly one signer")
	// ErrAttributes: the signed attributes are absent, repeated or
	// contradict the content (RFC 5652 5.3, 11).
	ErrAttributes = errors.New("cms: signed attributes missing or invalid")
	// ErrContent: both an attached content and a detached one, or neither.
	ErrContent = errors.New("cms: content missing, or given twice")
)

// gostAlg is the CMS algorithms of one GOST key size.
type gostAlg struct {
	digestAlg, keyAlg []byte // DER AlgorithmIdentifiers, parameters NULL
	digestOID         asn1.ObjectIdentifier
	// sigOIDs are the signatureAlgorithm identifiers accepted: the key's
	// algorithm (RFC 4490, OpenSSL) and the signature-with-digest one.
	sigOIDs []asn1.ObjectIdentifier
	digest  func(content []byte) []byte
}

func gostAlgorithm(c *gost3410.Curve) gostAlg {
	return gostAlg{
		digestAlg: tlv(tagSequence, concat(mustMarshal(c.DigestAlgorithm()), asn1.NullBytes)),
		keyAlg:    tlv(tagSequence, concat(mustMarshal(c.PublicKeyAlgorithm()), asn1.NullBytes)),
		digestOID: c.DigestAlgorithm(),
		sigOIDs:   []asn1.ObjectIdentifier{c.PublicKeyAlgorithm(), c.SignatureAlgorithm()},
		digest: func(b []byte) []byte {
			h := c.NewHash()
			h.Write(b)
			return h.Sum(nil)
		},
	}
}

// gostKey returns cert's GOST public key. Go's crypto/x509 leaves such keys
// unparsed (PublicKey nil), so the SubjectPublicKeyInfo is read here.
func gostKey(cert *x509.Certificate) (*gost3410.PublicKey, bool) {
	if cert.PublicKey != nil {
		return nil, false
	}
	pub, err := gost3410.ParsePKIXPublicKey(cert.RawSubjectPublicKeyInfo)
	return pub, err == nil
}

// Verified is what Verify found: the signer and what it signed.
type Verified struct {
	Signer       *x509.Certificate
	Certificates []*x509.Certificate // every certificate the structure carries
	Content      []byte              // the attached content, or the detached one given
	SigningTime  time.Time           // zero when the attribute is absent
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue // [0] EXPLICIT
}

type signedDataASN struct {
	Version          int
	DigestAlgorithms asn1.RawValue `asn1:"set"`
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      []signerInfo  `asn1:"set"`
}

type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"optional"` // [0] EXPLICIT OCTET STRING
}

type signerInfo struct {
	Version            int
	SID                asn1.RawValue // issuerAndSerialNumber or [0] subjectKeyIdentifier
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial asn1.RawValue
}

type attributeASN struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

func unmarshal(b []byte, v any, what string) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil || len(rest) != 0 {
		return fmt.Errorf("%w: %s", ErrMalformed, what)
	}
	return nil
}

func explicit0(v asn1.RawValue) ([]byte, bool) {
	if v.Class != asn1.ClassContextSpecific || v.Tag != 0 || !v.IsCompound {
		return nil, false
	}
	return v.Bytes, true
}

// Verify checks a CMS SignedData with one signer whose key is GOST
// R 34.10-2012 (256 or 512), attached or, when detached is not nil, over
// detached: DER only (what `openssl cms -sign -outform DER` writes); signed
// attributes required, with contentType equal to eContentType and
// messageDigest equal to the Streebog of the content; the digest algorithm
// must be the Streebog of the key's size; the signature s||r over the
// attributes' SET.
//
// It verifies the signature only: the signer certificate's chain,
// validity, key usage and revocation are the caller's to check (the
// returned Signer and Certificates are the input for that).
func Verify(der, detached []byte) (*Verified, error) {
	var ci contentInfo
	if err := unmarshal(der, &ci, "ContentInfo"); err != nil {
		return nil, err
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("%w: content type %v, want signedData", ErrMalformed, ci.ContentType)
	}
	inner, ok := explicit0(ci.Content)
	if !ok {
		return nil, fmt.Errorf("%w: ContentInfo content", ErrMalformed)
	}
	var sd signedDataASN
	if err := unmarshal(inner, &sd, "SignedData"); err != nil {
		return nil, err
	}
	if len(sd.SignerInfos) != 1 {
		return nil, fmt.Errorf("%w: %d signers", ErrSigner, len(sd.SignerInfos))
	}
	si := sd.SignerInfos[0]

	content := detached
	if len(sd.EncapContentInfo.EContent.FullBytes) != 0 {
		os, ok := explicit0(sd.EncapContentInfo.EContent)
		var attached []byte
		if !ok || unmarshal(os, &attached, "eContent") != nil {
			return nil, fmt.Errorf("%w: eContent", ErrMalformed)
		}
		if detached != nil {
			return nil, fmt.Errorf("%w: attached and detached", ErrContent)
		}
		content = attached
	} else if detached == nil {
		return nil, fmt.Errorf("%w: detached signature without content", ErrContent)
	}

	var certs []*x509.Certificate
	if len(sd.Certificates.Bytes) > 0 {
		var err error
		if certs, err = x509.ParseCertificates(sd.Certificates.Bytes); err != nil {
			return nil, fmt.Errorf("%w: certificates: %v", ErrMalformed, err)
		}
	}
	signer, err := findSigner(si, certs)
	if err != nil {
		return nil, err
	}
	pub, ok := gostKey(signer)
	if !ok {
		return nil, fmt.Errorf("%w: the signer's key is not GOST R 34.10-2012", ErrAlgorithm)
	}
	alg := gostAlgorithm(pub.Curve())
	if !si.DigestAlgorithm.Algorithm.Equal(alg.digestOID) || !nullOrAbsent(si.DigestAlgorithm.Parameters) {
		return nil, fmt.Errorf("%w: digest %v for a %d-bit key", ErrAlgorithm, si.DigestAlgorithm.Algorithm, 8*pub.Curve().Size())
	}
	if !oidIn(si.SignatureAlgorithm.Algorithm, alg.sigOIDs) || !nullOrAbsent(si.SignatureAlgorithm.Parameters) {
		return nil, fmt.Errorf("%w: signature %v for a %d-bit key", ErrAlgorithm, si.SignatureAlgorithm.Algorithm, 8*pub.Curve().Size())
	}

	if len(si.SignedAttrs.FullBytes) == 0 {
		return nil, fmt.Errorf("%w: no signed attributes", ErrAttributes)
	}
	signingTime, err := checkAttributes(si.SignedAttrs.Bytes, sd.EncapContentInfo.EContentType, alg.digest(content))
	if err != nil {
		return nil, err
	}
	// The signature covers the attributes with their SET tag (RFC 5652
	// 5.4), not the [0] IMPLICIT that carries them.
	toSign := bytes.Clone(si.SignedAttrs.FullBytes)
	toSign[0] = tagSet
	if !gost3410.VerifyMessage(pub, toSign, si.Signature) {
		return nil, ErrSignature
	}
	return &Verified{Signer: signer, Certificates: certs, Content: content, SigningTime: signingTime}, nil
}

func nullOrAbsent(p asn1.RawValue) bool {
	return len(p.FullBytes) == 0 || bytes.Equal(p.FullBytes, asn1.NullBytes)
}

func oidIn(oid asn1.ObjectIdentifier, set []asn1.ObjectIdentifier) bool {
	for _, o := range set {
		if o.Equal(oid) {
			return true
		}
	}
	return false
}

// findSigner picks the certificate the SignerInfo names.
func findSigner(si signerInfo, certs []*x509.Certificate) (*x509.Certificate, error) {
	switch {
	case si.Version == 1 && si.SID.Class == asn1.ClassUniversal && si.SID.Tag == asn1.TagSequence:
		var ias issuerAndSerial
		if err := unmarshal(si.SID.FullBytes, &ias, "issuerAndSerialNumber"); err != nil {
			return nil, err
		}
		for _, c := range certs {
			if bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) && bytes.Equal(mustMarshal(c.SerialNumber), ias.Serial.FullBytes) {
				return c, nil
			}
		}
	case si.Version == 3 && si.SID.Class == asn1.ClassContextSpecific && si.SID.Tag == 0 && !si.SID.IsCompound:
		for _, c := range certs {
			if len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, si.SID.Bytes) {
				return c, nil
			}
		}
	default:
		return nil, fmt.Errorf("%w: SignerInfo version %d with its identifier", ErrMalformed, si.Version)
	}
	return nil, fmt.Errorf("%w: the signer's certificate is not in the structure", ErrSigner)
}

// checkAttributes checks contentType and messageDigest (each exactly once,
// one value) and reads signingTime.
func checkAttributes(raw []byte, eContentType asn1.ObjectIdentifier, digest []byte) (time.Time, error) {
	var sawType, sawDigest, sawTime bool
	var signingTime time.Time
	for rest := raw; len(rest) > 0; {
		var a attributeASN
		var err error
		if rest, err = asn1.Unmarshal(rest, &a); err != nil {
			return time.Time{}, fmt.Errorf("%w: signed attribute", ErrMalformed)
		}
		var once *bool
		switch {
		case a.Type.Equal(oidContentType):
			once = &sawType
			var ct asn1.ObjectIdentifier
			if unmarshal(a.Values.Bytes, &ct, "contentType") != nil || !ct.Equal(eContentType) {
				return time.Time{}, fmt.Errorf("%w: contentType", ErrAttributes)
			}
		case a.Type.Equal(oidMessageDigest):
			once = &sawDigest
			var md []byte
			if unmarshal(a.Values.Bytes, &md, "messageDigest") != nil {
				return time.Time{}, fmt.Errorf("%w: messageDigest", ErrAttributes)
			}
			if !bytes.Equal(md, digest) {
				return time.Time{}, ErrDigestMismatch
			}
		case a.Type.Equal(oidSigningTime):
			once = &sawTime
			if unmarshal(a.Values.Bytes, &signingTime, "signingTime") != nil {
				return time.Time{}, fmt.Errorf("%w: signingTime", ErrAttributes)
			}
		default:
			continue
		}
		if *once {
			return time.Time{}, fmt.Errorf("%w: attribute %v twice", ErrAttributes, a.Type)
		}
		*once = true
	}
	if !sawType || !sawDigest {
		return time.Time{}, fmt.Errorf("%w: contentType and messageDigest are required", ErrAttributes)
	}
	return signingTime, nil
}
