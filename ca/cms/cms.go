// Package cms builds detached CMS SignedData (RFC 5652) signatures.
//
// It is compiled into the browser (GOOS=js GOARCH=wasm) and therefore uses
// the standard library only: no syscall/js, no third-party modules. The
// private key never reaches this package: SignDetached hands the bytes to be
// signed to a callback, which in the browser calls WebCrypto and converts
// its r||s result with P1363ToDER.
//
// Verification lives on the server (renewal/server/internal/docs).
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
)

var (
	// ErrUnsupportedKey: the certificate's key is neither ECDSA P-256/P-384
	// nor RSA.
	ErrUnsupportedKey = errors.New("cms: unsupported certificate key (want ECDSA P-256/P-384 or RSA)")
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
//   - digestAlgorithm SHA-256, always (also for P-384 keys, so that the
//     browser always asks WebCrypto for {hash: "SHA-256"});
//   - signed attributes contentType (id-data), messageDigest (SHA-256 of
//     content) and signingTime (signingTime in UTC, truncated to the second;
//     omitted when signingTime is the zero time);
//   - signatureAlgorithm ecdsa-with-SHA256 (ECDSA P-256/P-384) or
//     sha256WithRSAEncryption (RSA);
//   - certificates: cert and chain, duplicates dropped, in DER SET OF
//     order (sorted by encoding, so not necessarily cert first).
//
// sign receives the DER of the signed attributes encoded as a SET (the bytes
// to be signed, RFC 5652 5.4), must hash them with SHA-256 itself (as
// WebCrypto and crypto.MessageSigner do) and returns the
// signature in X.509/CMS form: ASN.1 DER for ECDSA (see P1363ToDER), PKCS#1
// v1.5 for RSA. The signature is checked against cert's public key before the
// structure is assembled (ErrKeyMismatch).
func SignDetached(content []byte, cert *x509.Certificate, chain []*x509.Certificate, signingTime time.Time, sign func(message []byte) ([]byte, error)) ([]byte, error) {
	if cert == nil || sign == nil {
		return nil, errors.New("cms: certificate and sign function are required")
	}
	sigAlg, x509Alg, err := algorithmFor(cert.PublicKey)
	if err != nil {
		return nil, err
	}

	digest := sha256.Sum256(content)
	attrs := [][]byte{
		attribute(oidContentType, mustMarshal(oidData)),
		attribute(oidMessageDigest, tlv(tagOctetString, digest[:])),
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
	if err := cert.CheckSignature(x509Alg, toSign, sig); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyMismatch, err)
	}

	sha256Alg := tlv(tagSequence, mustMarshal(oidSHA256)) // parameters absent (RFC 5754 2)
	signerInfo := tlv(tagSequence, concat(
		mustMarshal(1), // version: issuerAndSerialNumber
		tlv(tagSequence, concat(cert.RawIssuer, mustMarshal(cert.SerialNumber))),
		sha256Alg,
		tlv(tagContext0, attrSet), // signedAttrs [0] IMPLICIT
		sigAlg,
		tlv(tagOctetString, sig),
	))

	certs := [][]byte{cert.Raw}
	for _, c := range chain {
		if c != nil && !slices.ContainsFunc(certs, func(b []byte) bool { return bytes.Equal(b, c.Raw) }) {
			certs = append(certs, c.Raw)
		}
	}

	signedData := tlv(tagSequence, concat(
		mustMarshal(1),                         // version
		tlv(tagSet, sha256Alg),                 // digestAlgorithms
		tlv(tagSequence, mustMarshal(oidData)), // encapContentInfo without eContent: detached
		tlv(tagContext0, setOf(certs)),         // certificates [0] IMPLICIT
		tlv(tagSet, signerInfo),                // signerInfos
	))
	return tlv(tagSequence, concat(mustMarshal(oidSignedData), tlv(tagContext0, signedData))), nil
}

// algorithmFor returns the DER signatureAlgorithm identifier for the key and
// the matching x509.SignatureAlgorithm used to self-check the signature.
func algorithmFor(pub crypto.PublicKey) ([]byte, x509.SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return nil, 0, fmt.Errorf("%w: curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		// ecdsa-with-SHA256: parameters absent (RFC 5758 3.2).
		return tlv(tagSequence, mustMarshal(oidECDSAWithSHA256)), x509.ECDSAWithSHA256, nil
	case *rsa.PublicKey:
		// sha256WithRSAEncryption: parameters NULL (RFC 4055 5).
		return tlv(tagSequence, concat(mustMarshal(oidSHA256WithRSA), asn1.NullBytes)), x509.SHA256WithRSA, nil
	default:
		return nil, 0, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
}

// MessageSignerFunc adapts s to SignDetached's sign function. A
// crypto.MessageSigner receives the message itself (SignMessage with
// crypto.SHA256); a plain crypto.Signer gets its SHA-256 digest (Sign). ECDSA
// keys return ASN.1 DER, RSA keys PKCS#1 v1.5, as SignDetached expects.
func MessageSignerFunc(s crypto.Signer) func([]byte) ([]byte, error) {
	return func(message []byte) ([]byte, error) {
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
