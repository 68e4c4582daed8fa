package x509sig

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}

// Errors of OCSP verification, for errors.Is.
var (
	ErrOCSPStatus    = errors.New("x509sig: the OCSP response is not successful or not basic")
	ErrOCSPResponder = errors.New("x509sig: the OCSP response is signed by neither the issuer nor a responder the issuer authorised (id-kp-OCSPSigning)")
)

// SignOCSPResponse signs tbsResponseData (the DER ResponseData, RFC 6960
// §4.2.1, as the CA's builder makes it) with signer and returns the DER
// BasicOCSPResponse, with certs (the responder's certificate, for a
// delegated responder) in its [0] field when given.
func SignOCSPResponse(r io.Reader, tbsResponseData []byte, signer crypto.Signer, certs []*x509.Certificate) ([]byte, error) {
	alg, err := algorithmFor(signer.Public())
	if err != nil {
		return nil, err
	}
	if _, err := elements(tbsResponseData); err != nil {
		return nil, fmt.Errorf("x509sig: ResponseData: %w", err)
	}
	sig, err := signWith(randOr(r), alg, signer, tbsResponseData)
	if err != nil {
		return nil, err
	}
	var rest []byte
	if len(certs) > 0 {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, c := range certs {
					b.AddBytes(c.Raw)
				}
			})
		})
		if rest, err = b.Bytes(); err != nil {
			return nil, err
		}
	}
	return marshalSigned(tbsResponseData, alg.marshal(), sig, rest)
}

// MarshalOCSPResponse wraps a BasicOCSPResponse in a successful
// OCSPResponse, what a responder sends.
func MarshalOCSPResponse(basic []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(0) // successful
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidOCSPBasic)
				b.AddASN1OctetString(basic)
			})
		})
	})
	return b.Bytes()
}

// OCSPResponse is a verified BasicOCSPResponse.
type OCSPResponse struct {
	TBSResponseData []byte              // DER ResponseData, for the caller to read
	Signer          *x509.Certificate   // the issuer, or the delegated responder that signed
	Certs           []*x509.Certificate // the certificates the response carries
}

// VerifyOCSPResponse verifies a DER OCSPResponse (or a bare
// BasicOCSPResponse) against the issuer of the certificates it speaks of:
// signed by the issuer itself, or by a responder certificate it carries
// that the issuer signed, with id-kp-OCSPSigning and valid at at (RFC 6960
// §4.2.2.2). The responder is the one the ResponderID names (by name or by
// the SHA-1 of its key). The statuses inside are the caller's to read.
func VerifyOCSPResponse(der []byte, issuer *x509.Certificate, at time.Time) (*OCSPResponse, error) {
	if issuer == nil {
		return nil, fmt.Errorf("%w: no issuer", ErrMalformed)
	}
	basic, err := unwrapOCSP(der)
	if err != nil {
		return nil, err
	}
	s, err := parseSigned(basic)
	if err != nil {
		return nil, err
	}
	out := &OCSPResponse{TBSResponseData: s.tbs}
	if len(s.rest) > 0 {
		rest := cryptobyte.String(s.rest)
		var wrap, seq cryptobyte.String
		if !rest.ReadASN1(&wrap, cbasn1.Tag(0).ContextSpecific().Constructed()) || !rest.Empty() ||
			!wrap.ReadASN1(&seq, cbasn1.SEQUENCE) || !wrap.Empty() {
			return nil, fmt.Errorf("%w: BasicOCSPResponse certs", ErrMalformed)
		}
		for !seq.Empty() {
			var c cryptobyte.String
			if !seq.ReadASN1Element(&c, cbasn1.SEQUENCE) {
				return nil, fmt.Errorf("%w: BasicOCSPResponse certs", ErrMalformed)
			}
			cert, err := x509.ParseCertificate(c)
			if err != nil {
				return nil, fmt.Errorf("%w: a certificate in the OCSP response: %v", ErrMalformed, err)
			}
			out.Certs = append(out.Certs, cert)
		}
	}
	byName, byKey, err := responderID(s.tbs)
	if err != nil {
		return nil, err
	}
	names := func(c *x509.Certificate) bool {
		if byName != nil {
			return bytes.Equal(byName, c.RawSubject)
		}
		bits, err := subjectPublicKeyBits(c.RawSubjectPublicKeyInfo)
		if err != nil {
			return false
		}
		h := sha1.Sum(bits)
		return bytes.Equal(h[:], byKey)
	}
	if names(issuer) {
		pub, err := PublicKeyOf(issuer)
		if err != nil {
			return nil, err
		}
		if err := verifySigned(s, pub); err != nil {
			return nil, err
		}
		out.Signer = issuer
		return out, nil
	}
	for _, c := range out.Certs {
		if !names(c) {
			continue
		}
		if !bytes.Equal(c.RawIssuer, issuer.RawSubject) || !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
			return nil, ErrOCSPResponder
		}
		if err := checkCert(c, at); err != nil {
			return nil, fmt.Errorf("x509sig: the OCSP responder's certificate: %w", err)
		}
		ipub, err := PublicKeyOf(issuer)
		if err != nil {
			return nil, err
		}
		if err := CheckCertificateSignature(c, ipub); err != nil {
			return nil, fmt.Errorf("x509sig: the OCSP responder's certificate: %w", err)
		}
		pub, err := PublicKeyOf(c)
		if err != nil {
			return nil, err
		}
		if err := verifySigned(s, pub); err != nil {
			return nil, err
		}
		out.Signer = c
		return out, nil
	}
	return nil, ErrOCSPResponder
}

// OCSPWithoutCertificates re-encodes a successful OCSPResponse with its
// BasicOCSPResponse's tbsResponseData, signatureAlgorithm and signature
// only, for readers such as x/crypto/ocsp that verify an embedded
// responder certificate with crypto/x509, which knows no GOST or bign.
// Verify the response first (VerifyOCSPResponse): what is read from the
// copy is the same signed bytes.
func OCSPWithoutCertificates(der []byte) ([]byte, error) {
	var r struct {
		Status   asn1.Enumerated
		Response struct {
			ResponseType asn1.ObjectIdentifier
			Response     []byte
		} `asn1:"explicit,tag:0,optional"`
	}
	if rest, err := asn1.Unmarshal(der, &r); err != nil {
		return nil, fmt.Errorf("%w: OCSP response: %v", ErrMalformed, err)
	} else if len(rest) != 0 {
		return nil, fmt.Errorf("%w: OCSP response: trailing data", ErrMalformed)
	}
	var basic asn1.RawValue
	if rest, err := asn1.Unmarshal(r.Response.Response, &basic); err != nil || len(rest) != 0 || basic.Tag != asn1.TagSequence {
		return nil, fmt.Errorf("%w: BasicOCSPResponse", ErrMalformed)
	}
	var kept []byte
	in := basic.Bytes
	for i := 0; i < 3; i++ {
		var el asn1.RawValue
		var err error
		if in, err = asn1.Unmarshal(in, &el); err != nil {
			return nil, fmt.Errorf("%w: BasicOCSPResponse: %v", ErrMalformed, err)
		}
		kept = append(kept, el.FullBytes...)
	}
	b, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: kept})
	if err != nil {
		return nil, err
	}
	r.Response.Response = b
	return asn1.Marshal(r)
}

// unwrapOCSP returns the BasicOCSPResponse inside a successful
// OCSPResponse, or der itself if it is a BasicOCSPResponse.
func unwrapOCSP(der []byte) ([]byte, error) {
	s := cryptobyte.String(der)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) || !s.Empty() {
		return nil, fmt.Errorf("%w: OCSP response", ErrMalformed)
	}
	if !body.PeekASN1Tag(cbasn1.ENUM) {
		return der, nil // already BasicOCSPResponse
	}
	var status int
	var wrap, rb cryptobyte.String
	var oid asn1.ObjectIdentifier
	var basic cryptobyte.String
	if !body.ReadASN1Enum(&status) {
		return nil, fmt.Errorf("%w: OCSP response status", ErrMalformed)
	}
	if status != 0 {
		return nil, fmt.Errorf("%w: status %d", ErrOCSPStatus, status)
	}
	if !body.ReadASN1(&wrap, cbasn1.Tag(0).ContextSpecific().Constructed()) || !body.Empty() ||
		!wrap.ReadASN1(&rb, cbasn1.SEQUENCE) || !wrap.Empty() ||
		!rb.ReadASN1ObjectIdentifier(&oid) || !rb.ReadASN1(&basic, cbasn1.OCTET_STRING) || !rb.Empty() {
		return nil, fmt.Errorf("%w: OCSP responseBytes", ErrMalformed)
	}
	if !oid.Equal(oidOCSPBasic) {
		return nil, fmt.Errorf("%w: response type %s", ErrOCSPStatus, oid)
	}
	return basic, nil
}

// responderID reads ResponseData's ResponderID: byName [1] (the Name's
// DER) or byKey [2] (the SHA-1 key hash).
func responderID(tbs []byte) (byName, byKey []byte, err error) {
	s := cryptobyte.String(tbs)
	var body cryptobyte.String
	if !s.ReadASN1(&body, cbasn1.SEQUENCE) {
		return nil, nil, fmt.Errorf("%w: ResponseData", ErrMalformed)
	}
	// version [0] EXPLICIT, DEFAULT v1
	if body.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		var v cryptobyte.String
		body.ReadASN1(&v, cbasn1.Tag(0).ContextSpecific().Constructed())
	}
	var id cryptobyte.String
	switch {
	// ReadASN1 consumes an element of another tag too: peek first.
	case body.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()) && body.ReadASN1(&id, cbasn1.Tag(1).ContextSpecific().Constructed()):
		var name cryptobyte.String
		if !id.ReadASN1Element(&name, cbasn1.SEQUENCE) || !id.Empty() {
			return nil, nil, fmt.Errorf("%w: ResponderID byName", ErrMalformed)
		}
		return name, nil, nil
	case body.PeekASN1Tag(cbasn1.Tag(2).ContextSpecific().Constructed()) && body.ReadASN1(&id, cbasn1.Tag(2).ContextSpecific().Constructed()):
		var key cryptobyte.String
		if !id.ReadASN1(&key, cbasn1.OCTET_STRING) || !id.Empty() || len(key) != sha1.Size {
			return nil, nil, fmt.Errorf("%w: ResponderID byKey", ErrMalformed)
		}
		return nil, key, nil
	}
	return nil, nil, fmt.Errorf("%w: ResponderID", ErrMalformed)
}
