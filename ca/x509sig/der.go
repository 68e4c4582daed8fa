package x509sig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// throwaway is the key crypto/x509 signs with while it encodes a structure
// for us; its signature is discarded, its public key replaced.
var throwaway = sync.OnceValues(func() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
})

// signed is a SIGNED{} structure: SEQUENCE { tbs, AlgorithmIdentifier,
// BIT STRING, optional trailing fields (OCSP's certs) }.
type signed struct {
	tbs  []byte // the whole to-be-signed element, tag and length included
	alg  []byte // the whole AlgorithmIdentifier element
	sig  []byte // the BIT STRING's bytes
	rest []byte // what follows the signature inside the SEQUENCE
}

// parseSigned splits der; trailing data after the SEQUENCE is refused, and
// so is a signature BIT STRING with unused bits.
func parseSigned(der []byte) (*signed, error) {
	s := cryptobyte.String(der)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, fmt.Errorf("%w: not one DER SEQUENCE", ErrMalformed)
	}
	var tbs, alg cryptobyte.String
	var bits cryptobyte.String
	if !body.ReadASN1Element(&tbs, cbasn1.SEQUENCE) || !body.ReadASN1Element(&alg, cbasn1.SEQUENCE) ||
		!body.ReadASN1(&bits, cbasn1.BIT_STRING) || len(bits) == 0 || bits[0] != 0 {
		return nil, fmt.Errorf("%w: signed structure (to-be-signed data, algorithm, signature)", ErrMalformed)
	}
	return &signed{tbs: tbs, alg: alg, sig: bits[1:], rest: body}, nil
}

// marshalSigned assembles SEQUENCE { tbs, alg, BIT STRING sig, rest }.
func marshalSigned(tbs, alg, sig, rest []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(alg)
		b.AddASN1BitString(sig)
		b.AddBytes(rest)
	})
	return b.Bytes()
}

// elements splits a SEQUENCE into its elements (each whole).
func elements(seq []byte) ([][]byte, error) {
	s := cryptobyte.String(seq)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, fmt.Errorf("%w: not one DER SEQUENCE", ErrMalformed)
	}
	var out [][]byte
	for !body.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !body.ReadAnyASN1Element(&el, &tag) {
			return nil, fmt.Errorf("%w: element", ErrMalformed)
		}
		out = append(out, el)
	}
	return out, nil
}

// joinSequence is the inverse of elements.
func joinSequence(els [][]byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range els {
			b.AddBytes(e)
		}
	})
	return b.Bytes()
}

// isTag reports whether the element el starts with tag.
func isTag(el []byte, tag cbasn1.Tag) bool { return len(el) > 0 && el[0] == byte(tag) }

// subjectPublicKeyBits returns the BIT STRING bytes of a SubjectPublicKeyInfo,
// what key identifiers hash.
func subjectPublicKeyBits(spki []byte) ([]byte, error) {
	s := cryptobyte.String(spki)
	var body, alg cryptobyte.String
	var bits cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!body.ReadASN1(&bits, cbasn1.BIT_STRING) || len(bits) == 0 || bits[0] != 0 {
		return nil, fmt.Errorf("%w: SubjectPublicKeyInfo", ErrMalformed)
	}
	return bits[1:], nil
}

// PublicKeyOf returns a certificate's public key, parsed by ParsePublicKey
// (crypto/x509 leaves GOST and bign keys nil).
func PublicKeyOf(c *x509.Certificate) (crypto.PublicKey, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: no certificate", ErrMalformed)
	}
	return ParsePublicKey(c.RawSubjectPublicKeyInfo)
}

// samePublicKey compares two keys by their SubjectPublicKeyInfo's key bits.
func samePublicKey(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	ea, ok := a.(equaler)
	return ok && ea.Equal(b)
}
