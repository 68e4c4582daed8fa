// Package x509sig signs and verifies X.509 objects — CSRs, certificates,
// CRLs, OCSP responses — with algorithms crypto/x509 cannot sign or
// verify (GOST R 34.10-2012, bign), and with ECDSA and RSA through
// crypto/x509, so that callers have one set of functions whatever the key.
//
// The encoding is crypto/x509's: each Create* function lets crypto/x509
// build the structure with a throwaway P-256 key, then replaces the
// subject's SubjectPublicKeyInfo and the signature AlgorithmIdentifier in
// the to-be-signed DER and signs that DER with the real signer. So every
// field, extension and check of crypto/x509 stays as it is (nothing of the
// throwaway key survives: its key identifier is recomputed from the real
// key), and only the two fields crypto/x509 cannot write are ours.
//
// Algorithms are entries of one table (OID → hash, verification, key
// check), not code paths: adding bign-with-bash or another set is one entry.
// An algorithm not in the table is refused, never passed.
package x509sig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"

	"renewal/ca/crypto/belt"
	"renewal/ca/crypto/bign"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/crypto/streebog"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Errors, for errors.Is. English and technical: the service maps them to
// its own Russian and English messages.
var (
	ErrUnknownAlgorithm = errors.New("x509sig: unknown or unsupported signature algorithm")
	ErrAlgorithmParams  = errors.New("x509sig: the signature algorithm has parameters it must not have")
	ErrKeyMismatch      = errors.New("x509sig: the signature algorithm does not match the signer's public key (algorithm or key size)")
	ErrBadSignature     = errors.New("x509sig: the signature does not verify")
	ErrUnsupportedKey   = errors.New("x509sig: unsupported public key type")
	ErrMalformed        = errors.New("x509sig: malformed DER structure")
	ErrInnerOuter       = errors.New("x509sig: the signature algorithm inside the signed data differs from the one outside")
)

// params says what an AlgorithmIdentifier's parameters must be.
type params int

const (
	paramsAbsent       params = iota // RFC 9215, RFC 5758: no parameters
	paramsNULL                       // bign-with-hbelt as bee2evp writes it
	paramsNULLOrAbsent               // both are met: RSA PKCS#1 v1.5 (RFC 4055 says NULL); GOST (RFC 9215 says absent, OpenSSL's CSRs carry NULL)
)

// algorithm is one signature algorithm: how to hash the signed data, which
// keys may sign with it, how to verify.
type algorithm struct {
	name   string
	oid    asn1.ObjectIdentifier
	params params
	// writeNULL: the parameters are written as NULL (else omitted).
	writeNULL bool
	// newHash hashes the signed data; nil when std is set.
	newHash func() hash.Hash
	// std is the crypto/x509 algorithm that verifies ECDSA and RSA.
	std x509.SignatureAlgorithm
	// opts are passed to crypto.Signer.Sign.
	opts func() crypto.SignerOpts
	// keyOK reports whether a signature of this algorithm may be verified
	// with pub (for GOST, the key's size must be the algorithm's).
	keyOK func(pub crypto.PublicKey) bool
	// signs reports whether we sign with this algorithm for pub's key;
	// nil: only verified.
	signs func(pub crypto.PublicKey) bool
	// verify checks sig over digest (own algorithms only).
	verify func(pub crypto.PublicKey, digest, sig []byte) error
}

func gostKeyOK(size int) func(crypto.PublicKey) bool {
	return func(pub crypto.PublicKey) bool {
		k, ok := pub.(*gost3410.PublicKey)
		return ok && k.Curve().Size() == size
	}
}

func gostVerify(pub crypto.PublicKey, digest, sig []byte) error {
	k := pub.(*gost3410.PublicKey)
	if len(sig) != 2*k.Curve().Size() {
		return fmt.Errorf("%w: a GOST R 34.10-2012 signature of %d bytes, %d expected", ErrBadSignature, len(sig), 2*k.Curve().Size())
	}
	if !gost3410.Verify(k, digest, sig) {
		return ErrBadSignature
	}
	return nil
}

func bign128(pub crypto.PublicKey) bool {
	k, ok := pub.(*bign.PublicKey)
	return ok && k.Curve().Level() == 128
}

func ecdsaKeyOK(pub crypto.PublicKey) bool {
	_, ok := pub.(*ecdsa.PublicKey)
	return ok
}

func ecdsaCurve(c elliptic.Curve) func(crypto.PublicKey) bool {
	return func(pub crypto.PublicKey) bool {
		k, ok := pub.(*ecdsa.PublicKey)
		return ok && k.Curve == c
	}
}

func ed25519KeyOK(pub crypto.PublicKey) bool {
	_, ok := pub.(ed25519.PublicKey)
	return ok
}

func rsaKeyOK(pub crypto.PublicKey) bool {
	_, ok := pub.(*rsa.PublicKey)
	return ok
}

func hashOpts(h crypto.Hash) func() crypto.SignerOpts { return func() crypto.SignerOpts { return h } }

// algorithms is the table. We sign ECDSA with the hash of the curve's size
// (P-256 → SHA-256 …) and RSA with SHA-256, as crypto/x509 chooses; we
// verify every pairing crypto/x509 verifies (an ECDSA key of any curve
// with any of the three hashes), so other CAs' certificates still pass.
// Ed25519 is verified only; RSA-PSS is not in the table (refused).
var algorithms = []*algorithm{
	{
		name: "GOST R 34.10-2012 256 with Streebog-256", oid: gost3410.OIDSignatureWith256, params: paramsNULLOrAbsent,
		newHash: streebog.New256, opts: hashOpts(0), keyOK: gostKeyOK(32), signs: gostKeyOK(32), verify: gostVerify,
	},
	{
		name: "GOST R 34.10-2012 512 with Streebog-512", oid: gost3410.OIDSignatureWith512, params: paramsNULLOrAbsent,
		newHash: streebog.New512, opts: hashOpts(0), keyOK: gostKeyOK(64), signs: gostKeyOK(64), verify: gostVerify,
	},
	{
		name: "bign-with-hbelt", oid: bign.OIDBignWithHBelt, params: paramsNULL, writeNULL: true,
		newHash: belt.New,
		opts:    func() crypto.SignerOpts { return &bign.SignerOpts{HashOID: bign.OIDBeltHash} },
		keyOK:   bign128, signs: bign128,
		verify: func(pub crypto.PublicKey, digest, sig []byte) error {
			if err := bign.Verify(pub.(*bign.PublicKey), bign.OIDBeltHash, digest, sig); err != nil {
				return fmt.Errorf("%w: %v", ErrBadSignature, err)
			}
			return nil
		},
	},
	{name: "ECDSA with SHA-256", oid: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, std: x509.ECDSAWithSHA256, opts: hashOpts(crypto.SHA256), keyOK: ecdsaKeyOK, signs: ecdsaCurve(elliptic.P256())},
	{name: "ECDSA with SHA-384", oid: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, std: x509.ECDSAWithSHA384, opts: hashOpts(crypto.SHA384), keyOK: ecdsaKeyOK, signs: ecdsaCurve(elliptic.P384())},
	{name: "ECDSA with SHA-512", oid: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, std: x509.ECDSAWithSHA512, opts: hashOpts(crypto.SHA512), keyOK: ecdsaKeyOK, signs: ecdsaCurve(elliptic.P521())},
	{name: "RSA PKCS#1 v1.5 with SHA-256", oid: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, params: paramsNULLOrAbsent, writeNULL: true, std: x509.SHA256WithRSA, opts: hashOpts(crypto.SHA256), keyOK: rsaKeyOK, signs: rsaKeyOK},
	{name: "RSA PKCS#1 v1.5 with SHA-384", oid: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, params: paramsNULLOrAbsent, writeNULL: true, std: x509.SHA384WithRSA, opts: hashOpts(crypto.SHA384), keyOK: rsaKeyOK},
	{name: "RSA PKCS#1 v1.5 with SHA-512", oid: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, params: paramsNULLOrAbsent, writeNULL: true, std: x509.SHA512WithRSA, opts: hashOpts(crypto.SHA512), keyOK: rsaKeyOK},
	{name: "Ed25519", oid: asn1.ObjectIdentifier{1, 3, 101, 112}, std: x509.PureEd25519, keyOK: ed25519KeyOK},
}

// algorithmFor picks the algorithm a key signs with: the first entry of
// the table that takes it (RSA signs with SHA-256).
func algorithmFor(pub crypto.PublicKey) (*algorithm, error) {
	for _, a := range algorithms {
		if a.signs != nil && a.signs(pub) {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}

// parseAlgorithm reads a DER AlgorithmIdentifier, finds it in the table and
// checks its parameters. Trailing data is refused.
func parseAlgorithm(der []byte) (*algorithm, error) {
	s := cryptobyte.String(der)
	var body cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !s.Empty() || !body.ReadASN1ObjectIdentifier(&oid) {
		return nil, fmt.Errorf("%w: AlgorithmIdentifier", ErrMalformed)
	}
	var alg *algorithm
	for _, a := range algorithms {
		if a.oid.Equal(oid) {
			alg = a
			break
		}
	}
	if alg == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownAlgorithm, oid)
	}
	isNULL := bytes.Equal(body, []byte{5, 0})
	switch {
	case body.Empty():
		if alg.params == paramsNULL {
			return nil, fmt.Errorf("%w: %s needs NULL parameters", ErrAlgorithmParams, alg.name)
		}
	case isNULL && alg.params != paramsAbsent:
	default:
		return nil, fmt.Errorf("%w: %s", ErrAlgorithmParams, alg.name)
	}
	return alg, nil
}

// marshal returns the AlgorithmIdentifier as this package writes it.
func (a *algorithm) marshal() []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(a.oid)
		if a.writeNULL {
			b.AddASN1NULL()
		}
	})
	return b.BytesOrPanic() // an OID from the table always encodes
}

// checkSignature verifies sig over signed by pub under alg; a verification
// that passed before is not computed again (verifycache.go).
func (a *algorithm) checkSignature(pub crypto.PublicKey, signed, sig []byte) error {
	if !a.keyOK(pub) {
		return fmt.Errorf("%w: %s cannot be verified with a %s", ErrKeyMismatch, a.name, describeKey(pub))
	}
	k, cacheable := verifiedKey(a.name, pub, signed, sig)
	if cacheable && wasVerified(k) {
		return nil
	}
	if err := a.verifyNow(pub, signed, sig); err != nil {
		return err
	}
	if cacheable {
		rememberVerified(k)
	}
	return nil
}

func (a *algorithm) verifyNow(pub crypto.PublicKey, signed, sig []byte) error {
	if a.verify == nil {
		// ECDSA and RSA: crypto/x509 verifies.
		if err := (&x509.Certificate{PublicKey: pub}).CheckSignature(a.std, signed, sig); err != nil {
			return fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
		return nil
	}
	h := a.newHash()
	h.Write(signed)
	return a.verify(pub, h.Sum(nil), sig)
}

// signWith signs data with signer under alg and verifies the result before
// it is used: a faulty signer or token fails here, not at a relying party.
func signWith(rand io.Reader, alg *algorithm, signer crypto.Signer, data []byte) ([]byte, error) {
	opts := alg.opts()
	var h hash.Hash
	if alg.newHash != nil {
		h = alg.newHash()
	} else {
		h = opts.HashFunc().New()
	}
	h.Write(data)
	sig, err := signer.Sign(rand, h.Sum(nil), opts)
	if err != nil {
		return nil, fmt.Errorf("x509sig: sign with %s: %w", alg.name, err)
	}
	if err := alg.checkSignature(signer.Public(), data, sig); err != nil {
		return nil, fmt.Errorf("x509sig: the signer's own signature does not verify: %w", err)
	}
	return sig, nil
}

// ParsePublicKey parses a DER SubjectPublicKeyInfo: GOST R 34.10-2012 and
// bign by our packages, every other key by crypto/x509. A GOST or bign
// key is checked (on the curve, in the subgroup) by its package, once:
// valid ones are remembered (cache.go).
func ParsePublicKey(spki []byte) (crypto.PublicKey, error) {
	s := cryptobyte.String(spki)
	var body, algSeq cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&algSeq, cbasn1.SEQUENCE) || !algSeq.ReadASN1ObjectIdentifier(&oid) {
		return nil, fmt.Errorf("%w: SubjectPublicKeyInfo", ErrMalformed)
	}
	switch {
	case oid.Equal(gost3410.OIDPublicKey256) || oid.Equal(gost3410.OIDPublicKey512):
		return parsedKey(spki, func(b []byte) (crypto.PublicKey, error) { return gost3410.ParsePKIXPublicKey(b) })
	case oid.Equal(bign.OIDBignPubKey):
		return parsedKey(spki, func(b []byte) (crypto.PublicKey, error) { return bign.ParsePKIXPublicKey(b) })
	}
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
	}
	return pub, nil
}

// MarshalPublicKey returns the DER SubjectPublicKeyInfo of pub.
func MarshalPublicKey(pub crypto.PublicKey) ([]byte, error) {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		return gost3410.MarshalPKIXPublicKey(k)
	case *bign.PublicKey:
		return bign.MarshalPKIXPublicKey(k)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
	}
	return der, nil
}

func describeKey(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		return fmt.Sprintf("GOST R 34.10-2012 %d-bit key", 8*k.Curve().Size())
	case *bign.PublicKey:
		return fmt.Sprintf("bign key of level %d", k.Curve().Level())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name + " key"
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d-bit key", k.N.BitLen())
	case nil:
		return "missing key"
	}
	return fmt.Sprintf("%T key", pub)
}
