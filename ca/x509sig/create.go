package x509sig

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ErrWrongSigner is returned when the signer is not the issuer's key.
var ErrWrongSigner = errors.New("x509sig: the signer's key is not the issuer's public key")

func randOr(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// CreateCertificateRequest makes a DER PKCS#10 request from template
// (subject, extensions, attributes as crypto/x509 takes them), signed by
// signer — a GOST, bign, ECDSA or RSA key. template.SignatureAlgorithm is
// ignored: the algorithm follows the key.
func CreateCertificateRequest(r io.Reader, template *x509.CertificateRequest, signer crypto.Signer) ([]byte, error) {
	alg, err := algorithmFor(signer.Public())
	if err != nil {
		return nil, err
	}
	spki, err := MarshalPublicKey(signer.Public())
	if err != nil {
		return nil, err
	}
	tk, err := throwaway()
	if err != nil {
		return nil, err
	}
	tmpl := *template
	tmpl.SignatureAlgorithm = x509.UnknownSignatureAlgorithm
	der, err := x509.CreateCertificateRequest(rand.Reader, &tmpl, tk)
	if err != nil {
		return nil, fmt.Errorf("x509sig: encode the request: %w", err)
	}
	s, err := parseSigned(der)
	if err != nil {
		return nil, err
	}
	// CertificationRequestInfo: version, subject, subjectPKInfo, [0] attributes.
	els, err := elements(s.tbs)
	if err != nil || len(els) != 4 {
		return nil, fmt.Errorf("%w: CertificationRequestInfo from crypto/x509", ErrMalformed)
	}
	els[2] = spki
	return finish(r, alg, signer, els, nil)
}

// finish joins the to-be-signed elements, signs them and assembles the
// signed structure.
func finish(r io.Reader, alg *algorithm, signer crypto.Signer, els [][]byte, rest []byte) ([]byte, error) {
	tbs, err := joinSequence(els)
	if err != nil {
		return nil, err
	}
	sig, err := signWith(randOr(r), alg, signer, tbs)
	if err != nil {
		return nil, err
	}
	return marshalSigned(tbs, alg.marshal(), sig, rest)
}

// CreateCertificate makes a DER certificate as x509.CreateCertificate
// would from template and parent, for the subject key pub, signed by
// signer (parent's key; for a self-signed certificate pass template as
// parent and pub = signer.Public()). Either key may be GOST, bign, ECDSA
// or RSA. As crypto/x509 does, a CA certificate without SubjectKeyId gets
// one by RFC 7093 method 1 — computed from the real key, not from the
// throwaway key that crypto/x509 encodes with. The result is parsed by
// crypto/x509 and its signature verified before it is returned.
func CreateCertificate(r io.Reader, template, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) ([]byte, error) {
	if template == nil || parent == nil || signer == nil {
		return nil, errors.New("x509sig: template, parent and signer are required")
	}
	alg, err := algorithmFor(signer.Public())
	if err != nil {
		return nil, err
	}
	selfSigned := template == parent
	if selfSigned {
		if !samePublicKey(signer.Public(), pub) {
			return nil, fmt.Errorf("%w: a self-signed certificate is signed by its own key", ErrWrongSigner)
		}
	} else if len(parent.RawSubjectPublicKeyInfo) > 0 {
		// A parsed issuer certificate: its key must be the signer's.
		ppub, err := PublicKeyOf(parent)
		if err != nil {
			return nil, fmt.Errorf("x509sig: the issuer's public key: %w", err)
		}
		if !samePublicKey(signer.Public(), ppub) {
			return nil, ErrWrongSigner
		}
	} else if parent.PublicKey != nil && !samePublicKey(signer.Public(), parent.PublicKey) {
		return nil, ErrWrongSigner
	}
	spki, err := MarshalPublicKey(pub)
	if err != nil {
		return nil, err
	}
	tk, err := throwaway()
	if err != nil {
		return nil, err
	}
	tmpl := *template
	tmpl.SignatureAlgorithm = x509.UnknownSignatureAlgorithm
	tmpl.PublicKey = nil
	if len(tmpl.SubjectKeyId) == 0 && tmpl.IsCA {
		bits, err := subjectPublicKeyBits(spki)
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256(bits)
		tmpl.SubjectKeyId = h[:20]
	}
	par := *parent
	if selfSigned {
		par = tmpl
	}
	par.PublicKey = tk.Public()
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &par, tk.Public(), tk)
	if err != nil {
		return nil, fmt.Errorf("x509sig: encode the certificate: %w", err)
	}
	s, err := parseSigned(der)
	if err != nil {
		return nil, err
	}
	// TBSCertificate: [0] version, serial, signature, issuer, validity,
	// subject, subjectPublicKeyInfo, extensions…
	els, err := elements(s.tbs)
	if err != nil || len(els) < 7 || !isTag(els[0], cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, fmt.Errorf("%w: TBSCertificate from crypto/x509", ErrMalformed)
	}
	els[2] = alg.marshal()
	els[6] = spki
	out, err := finish(r, alg, signer, els, nil)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(out)
	if err != nil {
		return nil, fmt.Errorf("x509sig: crypto/x509 cannot parse the certificate made: %w", err)
	}
	if err := CheckCertificateSignature(cert, signer.Public()); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateRevocationList makes a DER CRL as x509.CreateRevocationList would
// (which checks the issuer's cRLSign usage and key identifier), signed by
// signer, which must be the issuer's key.
func CreateRevocationList(r io.Reader, template *x509.RevocationList, issuer *x509.Certificate, signer crypto.Signer) ([]byte, error) {
	if template == nil || issuer == nil || signer == nil {
		return nil, errors.New("x509sig: template, issuer and signer are required")
	}
	alg, err := algorithmFor(signer.Public())
	if err != nil {
		return nil, err
	}
	ipub, err := PublicKeyOf(issuer)
	if err != nil {
		return nil, fmt.Errorf("x509sig: the issuer's public key: %w", err)
	}
	if !samePublicKey(signer.Public(), ipub) {
		return nil, ErrWrongSigner
	}
	tk, err := throwaway()
	if err != nil {
		return nil, err
	}
	tmpl := *template
	tmpl.SignatureAlgorithm = x509.UnknownSignatureAlgorithm
	iss := *issuer
	iss.PublicKey = tk.Public()
	der, err := x509.CreateRevocationList(rand.Reader, &tmpl, &iss, tk)
	if err != nil {
		return nil, fmt.Errorf("x509sig: encode the CRL: %w", err)
	}
	s, err := parseSigned(der)
	if err != nil {
		return nil, err
	}
	// TBSCertList: version (INTEGER, optional), signature, issuer, …
	els, err := elements(s.tbs)
	if err != nil || len(els) < 3 {
		return nil, fmt.Errorf("%w: TBSCertList from crypto/x509", ErrMalformed)
	}
	i := 0
	if isTag(els[0], cbasn1.INTEGER) {
		i = 1
	}
	els[i] = alg.marshal()
	out, err := finish(r, alg, signer, els, nil)
	if err != nil {
		return nil, err
	}
	crl, err := x509.ParseRevocationList(out)
	if err != nil {
		return nil, fmt.Errorf("x509sig: crypto/x509 cannot parse the CRL made: %w", err)
	}
	if err := CheckRevocationListSignature(crl, issuer); err != nil {
		return nil, err
	}
	return out, nil
}

// checkInner finds the AlgorithmIdentifier inside a TBSCertificate
// (index 2, after [0] version and serial) or a TBSCertList (after an
// optional version) and checks it is byte for byte the outer one.
func checkInner(s *signed, crl bool) error {
	els, err := elements(s.tbs)
	if err != nil {
		return err
	}
	i := 1
	if crl {
		i = 0
		if len(els) > 0 && isTag(els[0], cbasn1.INTEGER) {
			i = 1
		}
	} else if len(els) > 0 && isTag(els[0], cbasn1.Tag(0).ContextSpecific().Constructed()) {
		i = 2
	}
	if len(els) <= i || !bytes.Equal(els[i], s.alg) {
		return ErrInnerOuter
	}
	return nil
}
