// Package cms builds CMS SignedData (RFC 5652) signatures, detached and
// attached, with ECDSA, RSA and GOST R 34.10-2012 keys (RFC 4490 and
// R 1323565.1.025 conventions, as OpenSSL's GOST engine writes them), and
// verifies GOST ones (Verify; ECDSA/RSA verification lives on the server,
// renewal/server/internal/docs).
//
// It is compiled into the browser (GOOS=js GOARCH=wasm) and therefore uses
// the standard library and our own GOST packages only: no syscall/js, no
// third-party modules. The private key never reaches this package:
// SignDetached hands the bytes to be signed to a callback, which in the
// browser calls WebCrypto (and converts its r||s result with P1363ToDER) or
// the GOST key kept in Go.
package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"renewal/ca/crypto/gost3410"
)

var (
	// ErrUnsupportedKey: the certificate's key is neither ECDSA P-256/P-384,
	// RSA nor GOST R 34.10-2012.
	ErrUnsupportedKey = errors.New("cms: unsupported certificate key (want ECDSA P-256/P-384, RSA or GOST R 34.10-2012)")
	// ErrKeyMismatch: the sign callback returned a signature that the
	// certificate's public key does not verify (wrong key chosen, or an r||s
	// signature passed through unconverted).
	ErrKeyMismatch = errors.New("cms: signature does not verify with the certificate's public key")
	// ErrBadP1363: P1363ToDER got a signature of the wrong length or a zero r or s.
	ErrBadP1363 = errors.New("cms: malformed IEEE P1363 (r||s) ECDSA signature")
)

var (
	oidData            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSHA256          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
)

// DER tags used below.
const (
	tagInteger     = 0x02
	tagOctetString = 0x04
	tagSequence    = 0x30
	tagSet         = 0x31
	tagContext0    = 0xa0 // [0] constructed
)

// SignDetached returns the DER of ContentInfo{signedData} over content,
// detached (eContent absent), with one SignerInfo:
//
//   - sid = issuerAndSerialNumber of cert (SignedData and SignerInfo version 1);
//   - digestAlgorithm SHA-256 for ECDSA and RSA, always (also for P-384
//     keys, so that the browser always asks WebCrypto for {hash:
//     "SHA-256"}); for GOST R 34.10-2012 keys the Streebog of the key's
//     size (id-tc26-gost3411-12-256/512, parameters NULL as OpenSSL writes);
//   - signed attributes contentType (id-data), messageDigest (the digest of
//     content: Streebog's bytes as the hash gives them, as OpenSSL's engine
//     writes) and signingTime (signingTime in UTC, truncated to the second;
//     omitted when signingTime is the zero time);
//   - signatureAlgorithm ecdsa-with-SHA256 (ECDSA P-256/P-384),
//     sha256WithRSAEncryption (RSA), or for GOST the key's algorithm
//     id-tc26-gost3410-12-256/512 (RFC 4490 3.2; what OpenSSL writes), the
//     signature s||r;
//   - certificates: cert and chain, duplicates dropped, in DER SET OF
//     order (sorted by encoding, so not necessarily cert first).
//
// sign receives the DER of the signed attributes encoded as a SET (the bytes
// to be signed, RFC 5652 5.4), must hash them itself (SHA-256, or Streebog
// for GOST: as WebCrypto and crypto.MessageSigner do) and returns the
// signature in X.509/CMS form: ASN.1 DER for ECDSA (see P1363ToDER), PKCS#1
// v1.5 for RSA, s||r for GOST. The signature is checked against cert's
// public key before the structure is assembled (ErrKeyMismatch).
func SignDetached(content []byte, cert *x509.Certificate, chain []*x509.Certificate, signingTime time.Time, sign func(message []byte) ([]byte, error)) ([]byte, error) {
	return signedData(content, cert, chain, signingTime, sign, true)
}

// SignAttached is SignDetached with content inside the structure
// (eContent), as `openssl cms -sign -nodetach` makes.
func SignAttached(content []byte, cert *x509.Certificate, chain []*x509.Certificate, signingTime time.Time, sign func(message []byte) ([]byte, error)) ([]byte, error) {
	return signedData(content, cert, chain, signingTime, sign, false)
}

func signedData(content []byte, cert *x509.Certificate, chain []*x509.Certificate, signingTime time.Time, sign func(message []byte) ([]byte, error), detached bool) ([]byte, error) {
	if cert == nil || sign == nil {
		return nil, errors.New("cms: certificate and sign function are required")
	}
	alg, err := algorithmFor(cert)
	if err != nil {
		return nil, err
	}

	digest := alg.digest(content)
	attrs := [][]byte{
		attribute(oidContentType, mustMarshal(oidData)),
		attribute(oidMessageDigest, tlv(tagOctetString, digest)),
	}
	if !signingTime.IsZero() {
		// encoding/asn1 picks UTCTime for 1950-2049 and GeneralizedTime
		// otherwise, as RFC 5652 11.3 requires.
		t, err := asn1.Marshal(signingTime.UTC().Truncate(time.Second))
		if err != nil {
			return nil, fmt.Errorf("cms: signing time: %w", err)
		}
		attrs = append(attrs, attribute(oidSigningTime, t))
	}
	attrSet := setOf(attrs)
	toSign := tlv(tagSet, attrSet)

	sig, err := sign(toSign)
	if err != nil {
		return nil, fmt.Errorf("cms: sign: %w", err)
	}
	if err := alg.check(toSign, sig); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyMismatch, err)
	}

	signerInfo := tlv(tagSequence, concat(
		mustMarshal(1), // version: issuerAndSerialNumber
		tlv(tagSequence, concat(cert.RawIssuer, mustMarshal(cert.SerialNumber))),
		alg.digestAlg,
		tlv(tagContext0, attrSet), // signedAttrs [0] IMPLICIT
		alg.sigAlg,
		tlv(tagOctetString, sig),
	))

	certs := [][]byte{cert.Raw}
	for _, c := range chain {
		if c != nil && !slices.ContainsFunc(certs, func(b []byte) bool { return bytes.Equal(b, c.Raw) }) {
			certs = append(certs, c.Raw)
		}
	}

	encap := mustMarshal(oidData) // without eContent: detached
	if !detached {
		encap = concat(encap, tlv(tagContext0, tlv(tagOctetString, content)))
	}
	sd := tlv(tagSequence, concat(
		mustMarshal(1),                 // version
		tlv(tagSet, alg.digestAlg),     // digestAlgorithms
		tlv(tagSequence, encap),        // encapContentInfo
		tlv(tagContext0, setOf(certs)), // certificates [0] IMPLICIT
		tlv(tagSet, signerInfo),        // signerInfos
	))
	return tlv(tagSequence, concat(mustMarshal(oidSignedData), tlv(tagContext0, sd))), nil
}

// signAlg is what one kind of key signs CMS with.
type signAlg struct {
	digestAlg, sigAlg []byte // DER AlgorithmIdentifiers
	digest            func(content []byte) []byte
	// check verifies sig over the signed attributes (the self-check).
	check func(message, sig []byte) error
}

// algorithmFor picks the algorithms for cert's key.
func algorithmFor(cert *x509.Certificate) (*signAlg, error) {
	sha256Alg := tlv(tagSequence, mustMarshal(oidSHA256)) // parameters absent (RFC 5754 2)
	sha := func(b []byte) []byte { d := sha256.Sum256(b); return d[:] }
	switch k := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return nil, fmt.Errorf("%w: curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		// ecdsa-with-SHA256: parameters absent (RFC 5758 3.2).
		return &signAlg{sha256Alg, tlv(tagSequence, mustMarshal(oidECDSAWithSHA256)), sha, func(m, s []byte) error {
			return cert.CheckSignature(x509.ECDSAWithSHA256, m, s)
		}}, nil
	case *rsa.PublicKey:
		// sha256WithRSAEncryption: parameters NULL (RFC 4055 5).
		return &signAlg{sha256Alg, tlv(tagSequence, concat(mustMarshal(oidSHA256WithRSA), asn1.NullBytes)), sha, func(m, s []byte) error {
			return cert.CheckSignature(x509.SHA256WithRSA, m, s)
		}}, nil
	}
	if pub, ok := gostKey(cert); ok {
		g := gostAlgorithm(pub.Curve())
		return &signAlg{g.digestAlg, g.keyAlg, g.digest, func(m, s []byte) error {
			if !gost3410.VerifyMessage(pub, m, s) {
				return ErrSignature
			}
			return nil
		}}, nil
	}
	return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, cert.PublicKey)
}

// MessageSignerFunc adapts s to SignDetached's sign function. A
// crypto.MessageSigner receives the message itself (SignMessage with
// crypto.SHA256, or with no hash for a GOST key, which hashes with the
// Streebog of its size); a plain crypto.Signer gets its SHA-256 digest
// (Sign). ECDSA keys return ASN.1 DER, RSA keys PKCS#1 v1.5, GOST keys
// s||r, as SignDetached expects.
func MessageSignerFunc(s crypto.Signer) func([]byte) ([]byte, error) {
	return func(message []byte) ([]byte, error) {
		if _, ok := s.Public().(*gost3410.PublicKey); ok {
			return crypto.SignMessage(s, rand.Reader, message, crypto.Hash(0))
		}
		return crypto.SignMessage(s, rand.Reader, message, crypto.SHA256)
	}
}

// P1363ToDER converts an ECDSA signature in IEEE P1363 form (r||s, each
// left-padded to the curve's byte length, as WebCrypto returns it) to the
// ASN.1 DER ECDSA-Sig-Value. The length must be 64 (P-256), 96 (P-384) or
// 132 (P-521) bytes; r and s must be non-zero. Leading zero bytes of r and s
// are dropped and a 0x00 is prepended when the top bit is set, as DER
// INTEGER requires.
func P1363ToDER(sig []byte) ([]byte, error) {
	switch len(sig) {
	case 64, 96, 132:
	default:
		return nil, fmt.Errorf("%w: length %d, want 64, 96 or 132", ErrBadP1363, len(sig))
	}
	n := len(sig) / 2
	r := new(big.Int).SetBytes(sig[:n])
	s := new(big.Int).SetBytes(sig[n:])
	if r.Sign() == 0 || s.Sign() == 0 {
		return nil, fmt.Errorf("%w: r or s is zero", ErrBadP1363)
	}
	return tlv(tagSequence, concat(derInteger(r), derInteger(s))), nil
}

func derInteger(v *big.Int) []byte {
	b := v.Bytes() // minimal big-endian, no leading zeros; v > 0
	if b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return tlv(tagInteger, b)
}

// attribute encodes Attribute ::= SEQUENCE { attrType, attrValues SET OF } with one value.
func attribute(oid asn1.ObjectIdentifier, value []byte) []byte {
	return tlv(tagSequence, concat(mustMarshal(oid), tlv(tagSet, value)))
}

// setOf returns the contents of a DER SET OF: the encodings sorted as
// octet strings (X.690 11.6).
func setOf(elems [][]byte) []byte {
	sorted := slices.Clone(elems)
	slices.SortFunc(sorted, bytes.Compare)
	return concat(sorted...)
}

func concat(parts ...[]byte) []byte {
	return slices.Concat(parts...)
}

// tlv encodes one DER element with a single-octet tag and definite length.
func tlv(tag byte, content []byte) []byte {
	n := len(content)
	out := make([]byte, 0, n+6)
	out = append(out, tag)
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	default:
		var l []byte
		for v := n; v > 0; v >>= 8 {
			l = append([]byte{byte(v)}, l...)
		}
		out = append(out, 0x80|byte(len(l)))
		out = append(out, l...)
	}
	return append(out, content...)
}

// mustMarshal marshals values that cannot fail (OIDs, small ints, *big.Int).
func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic("cms: asn1: " + err.Error())
	}
	return b
}
