package gost3410

import (
	"encoding/asn1"
	"errors"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Bytes returns the public key as certificates carry it inside the OCTET
// STRING (RFC 4491 §2.3.2): X‖Y, each little-endian of Curve.Size bytes.
func (pub *PublicKey) Bytes() []byte {
	if pub == nil || pub.curve == nil {
		return nil
	}
	n := pub.curve.size
	out := make([]byte, 2*n)
	pub.x.FillBytes(out[:n])
	pub.y.FillBytes(out[n:])
	reverse(out[:n])
	reverse(out[n:])
	return out
}

// ParsePublicKey reads X‖Y (little-endian, as Bytes writes it) as a key of
// curve c and checks it as NewPublicKey does.
func ParsePublicKey(c *Curve, b []byte) (*PublicKey, error) {
	if c == nil {
		return nil, errNoCurve
	}
	if len(b) != 2*c.size {
		return nil, ErrKeyLength
	}
	xb := reverse(append([]byte(nil), b[:c.size]...))
	yb := reverse(append([]byte(nil), b[c.size:]...))
	return NewPublicKey(c, new(big.Int).SetBytes(xb), new(big.Int).SetBytes(yb))
}

func reverse(b []byte) []byte {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// PublicKeyAlgorithm returns id-tc26-gost3410-12-256 or -512.
func (c *Curve) PublicKeyAlgorithm() asn1.ObjectIdentifier {
	if c.size == 64 {
		return OIDPublicKey512
	}
	return OIDPublicKey256
}

// SignatureAlgorithm returns id-tc26-signwithdigest-gost3410-12-256 or -512.
func (c *Curve) SignatureAlgorithm() asn1.ObjectIdentifier {
	if c.size == 64 {
		return OIDSignatureWith512
	}
	return OIDSignatureWith256
}

// DigestAlgorithm returns id-tc26-gost3411-12-256 or -512.
func (c *Curve) DigestAlgorithm() asn1.ObjectIdentifier {
	if c.size == 64 {
		return OIDStreebog512
	}
	return OIDStreebog256
}

// MarshalPKIXPublicKey returns the DER SubjectPublicKeyInfo (RFC 9215 §4):
// the algorithm with GostR3410-2012-PublicKeyParameters, the digest
// parameter set written only for the sets that RFC 9215 says must have it
// (CryptoPro and 512-bit A and B, as OpenSSL writes them), and the key as
// an OCTET STRING inside the BIT STRING.
func MarshalPKIXPublicKey(pub *PublicKey) ([]byte, error) {
	if pub == nil || pub.curve == nil {
		return nil, errBadKeyValue
	}
	c := pub.curve
	var key cryptobyte.Builder
	key.AddASN1OctetString(pub.Bytes())
	keyDER, err := key.Bytes()
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		c.algorithmIdentifier(b)
		b.AddASN1BitString(keyDER)
	})
	return b.Bytes()
}

// Errors of the encodings (SubjectPublicKeyInfo, PKCS#8), for errors.Is.
var (
	ErrMalformedSPKI   = errors.New("gost3410: malformed SubjectPublicKeyInfo")
	ErrNotGOST         = errors.New("gost3410: not a GOST R 34.10-2012 public key")
	ErrUnknownParamSet = errors.New("gost3410: unknown or unsupported parameter set")
	ErrParamSetSize    = errors.New("gost3410: the parameter set does not match the key size of the algorithm")
	ErrDigestParam     = errors.New("gost3410: the digest parameter set does not match the key size")
)

// ParsePKIXPublicKey parses a DER SubjectPublicKeyInfo of a GOST R
// 34.10-2012 key and checks the key. It refuses other algorithms, unknown
// parameter sets, a 256-bit set under the 512-bit algorithm or the other
// way round, a digest parameter of the wrong size, trailing data and any
// point NewPublicKey refuses. A digest parameter where RFC 9215 says to
// omit it (or the reverse) is accepted, as other implementations write
// both.
func ParsePKIXPublicKey(der []byte) (*PublicKey, error) {
	in := cryptobyte.String(der)
	var spki, alg cryptobyte.String
	var bits asn1.BitString
	if !in.ReadASN1(&spki, cbasn1.SEQUENCE) || !in.Empty() ||
		!spki.ReadASN1Element(&alg, cbasn1.SEQUENCE) {
		return nil, ErrMalformedSPKI
	}
	c, err := parseAlgorithm(alg)
	if err != nil {
		return nil, err
	}
	if !spki.ReadASN1BitString(&bits) || !spki.Empty() || bits.BitLength%8 != 0 {
		return nil, ErrMalformedSPKI
	}
	key := cryptobyte.String(bits.Bytes)
	var raw cryptobyte.String
	if !key.ReadASN1(&raw, cbasn1.OCTET_STRING) || !key.Empty() {
		return nil, ErrMalformedSPKI
	}
	return ParsePublicKey(c, raw)
}
