package gost3410

import (
	"encoding/asn1"
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// algorithmIdentifier writes the AlgorithmIdentifier of c's public keys
// (RFC 9215 §4), shared by SubjectPublicKeyInfo and PKCS#8.
func (c *Curve) algorithmIdentifier(b *cryptobyte.Builder) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(c.PublicKeyAlgorithm())
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(c.oid)
			if c.digest {
				b.AddASN1ObjectIdentifier(c.DigestAlgorithm())
			}
		})
	})
}

// MarshalPKCS8PrivateKey returns the unencrypted PKCS#8 PrivateKeyInfo
// (RFC 5208) as OpenSSL's GOST engine writes it: version 0, the public
// key's AlgorithmIdentifier, and d as an OCTET STRING of Curve.Size
// little-endian bytes.
func MarshalPKCS8PrivateKey(priv *PrivateKey) ([]byte, error) {
	if priv == nil {
		return nil, errors.New("gost3410: no private key")
	}
	c := priv.pub.curve
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		c.algorithmIdentifier(b)
		b.AddASN1OctetString(reverse(priv.Bytes()))
	})
	return b.Bytes()
}

var ErrMalformedPKCS8 = errors.New("gost3410: malformed PKCS#8 GOST private key")

// ParsePKCS8PrivateKey parses an unencrypted PKCS#8 PrivateKeyInfo of a
// GOST R 34.10-2012 key. The key inside the OCTET STRING may be, as
// implementations differ, d itself (little-endian, OpenSSL), an OCTET
// STRING of d little-endian, or an INTEGER. Attributes and a public key
// after it are ignored; d must be in [1, q-1].
func ParsePKCS8PrivateKey(der []byte) (*PrivateKey, error) {
	in := cryptobyte.String(der)
	var info, alg cryptobyte.String
	var version int64
	var key []byte
	if !in.ReadASN1(&info, cbasn1.SEQUENCE) || !in.Empty() ||
		!info.ReadASN1Integer(&version) || version != 0 && version != 1 ||
		!info.ReadASN1Element(&alg, cbasn1.SEQUENCE) ||
		!info.ReadASN1Bytes(&key, cbasn1.OCTET_STRING) {
		return nil, ErrMalformedPKCS8
	}
	c, err := parseAlgorithm(alg)
	if err != nil {
		return nil, err
	}
	var d []byte
	inner := cryptobyte.String(key)
	switch {
	case len(key) == c.size:
		d = reverse(append([]byte(nil), key...))
	case inner.PeekASN1Tag(cbasn1.OCTET_STRING):
		var le []byte
		if !inner.ReadASN1Bytes(&le, cbasn1.OCTET_STRING) || !inner.Empty() || len(le) != c.size {
			return nil, ErrMalformedPKCS8
		}
		d = reverse(append([]byte(nil), le...))
	case inner.PeekASN1Tag(cbasn1.INTEGER):
		var be []byte
		if !inner.ReadASN1Bytes(&be, cbasn1.INTEGER) || !inner.Empty() || len(be) == 0 || be[0]&0x80 != 0 {
			return nil, ErrMalformedPKCS8
		}
		for len(be) > 0 && be[0] == 0 {
			be = be[1:]
		}
		if len(be) > c.size {
			return nil, ErrKeyRange
		}
		d = make([]byte, c.size)
		copy(d[c.size-len(be):], be)
	default:
		return nil, ErrMalformedPKCS8
	}
	return NewPrivateKey(c, d)
}

// parseAlgorithm reads the AlgorithmIdentifier of a GOST R 34.10-2012 key
// (a whole element, tag included) and returns its parameter set, with the
// checks ParsePKIXPublicKey describes.
func parseAlgorithm(elem cryptobyte.String) (*Curve, error) {
	var alg, params cryptobyte.String
	var algOID, setOID asn1.ObjectIdentifier
	if !elem.ReadASN1(&alg, cbasn1.SEQUENCE) || !elem.Empty() ||
		!alg.ReadASN1ObjectIdentifier(&algOID) {
		return nil, ErrMalformedSPKI
	}
	var size int
	switch {
	case algOID.Equal(OIDPublicKey256):
		size = 32
	case algOID.Equal(OIDPublicKey512):
		size = 64
	default:
		return nil, ErrNotGOST
	}
	if !alg.ReadASN1(&params, cbasn1.SEQUENCE) || !alg.Empty() ||
		!params.ReadASN1ObjectIdentifier(&setOID) {
		return nil, ErrMalformedSPKI
	}
	c, ok := CurveByOID(setOID)
	if !ok {
		return nil, ErrUnknownParamSet
	}
	if c.size != size {
		return nil, ErrParamSetSize
	}
	if !params.Empty() {
		var dig asn1.ObjectIdentifier
		if !params.ReadASN1ObjectIdentifier(&dig) {
			return nil, ErrMalformedSPKI
		}
		// RFC 4357's encryptionParamSet may follow; nothing else.
		if !params.Empty() {
			var enc asn1.ObjectIdentifier
			if !params.ReadASN1ObjectIdentifier(&enc) || !params.Empty() {
				return nil, ErrMalformedSPKI
			}
		}
		if !dig.Equal(c.DigestAlgorithm()) {
			return nil, ErrDigestParam
		}
	}
	return c, nil
}
