package bign

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ErrPublicKeyInfo: a SubjectPublicKeyInfo that is not a bign key on a named
// standard curve, or is not well-formed DER.
var ErrPublicKeyInfo = errors.New("bign: not a bign SubjectPublicKeyInfo")

// ErrPrivateKeyInfo: a PKCS#8 structure that is not a bign key on a named
// standard curve, or is not well-formed DER.
var ErrPrivateKeyInfo = errors.New("bign: not a bign PKCS#8 private key")

// SignatureAlgorithmHBelt is the AlgorithmIdentifier of bign-with-hbelt
// (parameters NULL), as bee2evp writes and checks it.
func SignatureAlgorithmHBelt() pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: OIDBignWithHBelt, Parameters: asn1.NullRawValue}
}

// MarshalPKIXPublicKey encodes pub as SubjectPublicKeyInfo: algorithm
// bign-pubkey with the curve's OID as parameters (DomainParameters "named"),
// and the BIT STRING x||y, as bee2evp writes it (checked by hand against
// OpenSSL with its engine).
func MarshalPKIXPublicKey(pub *PublicKey) ([]byte, error) {
	if pub == nil || pub.curve == nil {
		return nil, ErrInvalidPublicKey
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(OIDBignPubKey)
			b.AddASN1ObjectIdentifier(pub.curve.oid)
		})
		b.AddASN1BitString(pub.raw)
	})
	return b.Bytes()
}

// ParsePKIXPublicKey decodes a SubjectPublicKeyInfo of a bign key on one of
// the standard curves named by OID and validates the point. Explicit domain
// parameters ("specified") and "implicit" are refused: certificates of the
// national PKI name their curve.
func ParsePKIXPublicKey(der []byte) (*PublicKey, error) {
	in := cryptobyte.String(der)
	var spki, alg cryptobyte.String
	var algOID, curveOID asn1.ObjectIdentifier
	var key asn1.BitString
	if !in.ReadASN1(&spki, cbasn1.SEQUENCE) || !in.Empty() ||
		!spki.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&algOID) {
		return nil, fmt.Errorf("%w: malformed", ErrPublicKeyInfo)
	}
	if !algOID.Equal(OIDBignPubKey) {
		return nil, fmt.Errorf("%w: algorithm %v", ErrPublicKeyInfo, algOID)
	}
	if !alg.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		return nil, fmt.Errorf("%w: domain parameters are not a named curve", ErrPublicKeyInfo)
	}
	if !alg.ReadASN1ObjectIdentifier(&curveOID) || !alg.Empty() ||
		!spki.ReadASN1BitString(&key) || !spki.Empty() {
		return nil, fmt.Errorf("%w: malformed", ErrPublicKeyInfo)
	}
	c, err := CurveByOID(curveOID)
	if err != nil {
		return nil, err
	}
	if key.BitLength%8 != 0 {
		return nil, fmt.Errorf("%w: public key is not whole bytes", ErrPublicKeyInfo)
	}
	return NewPublicKey(c, key.Bytes)
}

// MarshalPKCS8PrivateKey encodes k as PKCS#8 PrivateKeyInfo the way
// OpenSSL with bee2evp writes it: version 0, algorithm bign-pubkey with the
// curve's OID, and the private key d (little-endian) as the OCTET STRING.
// The result holds the key in clear: it is for encrypting, not for storing.
func MarshalPKCS8PrivateKey(k *PrivateKey) ([]byte, error) {
	if k == nil || k.pub == nil {
		return nil, ErrInvalidPrivateKey
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(OIDBignPubKey)
			b.AddASN1ObjectIdentifier(k.pub.curve.oid)
		})
		b.AddASN1OctetString(k.raw)
	})
	return b.Bytes()
}

// ParsePKCS8PrivateKey decodes what MarshalPKCS8PrivateKey writes; attributes,
// other versions and unnamed curves are refused.
func ParsePKCS8PrivateKey(der []byte) (*PrivateKey, error) {
	in := cryptobyte.String(der)
	var info, alg cryptobyte.String
	var version int64
	var algOID, curveOID asn1.ObjectIdentifier
	var d []byte
	if !in.ReadASN1(&info, cbasn1.SEQUENCE) || !in.Empty() ||
		!info.ReadASN1Integer(&version) ||
		!info.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&algOID) {
		return nil, fmt.Errorf("%w: malformed", ErrPrivateKeyInfo)
	}
	if version != 0 || !algOID.Equal(OIDBignPubKey) {
		return nil, fmt.Errorf("%w: version %d, algorithm %v", ErrPrivateKeyInfo, version, algOID)
	}
	if !alg.ReadASN1ObjectIdentifier(&curveOID) || !alg.Empty() {
		return nil, fmt.Errorf("%w: domain parameters are not a named curve", ErrPrivateKeyInfo)
	}
	var os cryptobyte.String
	if !info.ReadASN1(&os, cbasn1.OCTET_STRING) || !info.Empty() {
		return nil, fmt.Errorf("%w: malformed", ErrPrivateKeyInfo)
	}
	d = os
	c, err := CurveByOID(curveOID)
	if err != nil {
		return nil, err
	}
	return NewPrivateKey(c, d)
}
