package x509sig

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
)

// Errors of the issuer checks, for errors.Is.
var (
	ErrNotCA       = errors.New("x509sig: the issuer is not a CA (basicConstraints cA is not set)")
	ErrNoCertSign  = errors.New("x509sig: the issuer's keyUsage does not allow keyCertSign")
	ErrNoCRLSign   = errors.New("x509sig: the issuer's keyUsage does not allow cRLSign")
	ErrIssuerName  = errors.New("x509sig: the issuer name does not match the issuer certificate's subject")
	ErrNoPublicKey = errors.New("x509sig: no public key to verify with")
)

// verifySigned verifies a signed structure with pub.
func verifySigned(s *signed, pub crypto.PublicKey) error {
	if pub == nil {
		return ErrNoPublicKey
	}
	alg, err := parseAlgorithm(s.alg)
	if err != nil {
		return err
	}
	return alg.checkSignature(pub, s.tbs, s.sig)
}

// CheckCertificateSignature verifies cert's signature with the issuer's
// public key pub: the outer and inner algorithm identifiers must be the
// same, the algorithm known and matching pub (GOST 256 with a 256-bit key,
// ECDSA with an ECDSA key of its curve…).
func CheckCertificateSignature(cert *x509.Certificate, pub crypto.PublicKey) error {
	if cert == nil {
		return fmt.Errorf("%w: no certificate", ErrMalformed)
	}
	s, err := parseSigned(cert.Raw)
	if err != nil {
		return err
	}
	if err := checkInner(s, false); err != nil {
		return err
	}
	return verifySigned(s, pub)
}

// CheckSignatureFrom verifies that parent signed cert, as
// x509.Certificate.CheckSignatureFrom does — parent a CA (for version 3),
// keyCertSign if keyUsage is present — for every algorithm of the table.
// Names are not compared here; VerifyChain does.
func CheckSignatureFrom(cert, parent *x509.Certificate) error {
	if parent == nil {
		return fmt.Errorf("%w: no issuer certificate", ErrMalformed)
	}
	if parent.Version == 3 && !(parent.BasicConstraintsValid && parent.IsCA) {
		return ErrNotCA
	}
	if parent.KeyUsage != 0 && parent.KeyUsage&x509.KeyUsageCertSign == 0 {
		return ErrNoCertSign
	}
	pub, err := PublicKeyOf(parent)
	if err != nil {
		return err
	}
	return CheckCertificateSignature(cert, pub)
}

// ParseCertificateRequest parses a DER PKCS#10 request and verifies its
// proof of possession: the signature by the key it carries. It returns the
// request as crypto/x509 parses it (for a GOST key its PublicKey is nil
// and PublicKeyAlgorithm unknown) and the key parsed by ParsePublicKey.
func ParseCertificateRequest(der []byte) (*x509.CertificateRequest, crypto.PublicKey, error) {
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	pub, err := ParsePublicKey(csr.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil, nil, err
	}
	s, err := parseSigned(csr.Raw)
	if err != nil {
		return nil, nil, err
	}
	if err := verifySigned(s, pub); err != nil {
		return nil, nil, fmt.Errorf("x509sig: the request's proof of possession: %w", err)
	}
	return csr, pub, nil
}

// CheckRevocationListSignature verifies that issuer signed crl: the CRL's
// issuer name is the certificate's subject, the certificate's keyUsage (if
// present) allows cRLSign, the algorithms inside and outside agree and the
// signature verifies with the issuer's key.
func CheckRevocationListSignature(crl *x509.RevocationList, issuer *x509.Certificate) error {
	if crl == nil || issuer == nil {
		return fmt.Errorf("%w: no CRL or no issuer", ErrMalformed)
	}
	if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
		return ErrIssuerName
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return ErrNoCRLSign
	}
	pub, err := PublicKeyOf(issuer)
	if err != nil {
		return err
	}
	s, err := parseSigned(crl.Raw)
	if err != nil {
		return err
	}
	if err := checkInner(s, true); err != nil {
		return err
	}
	return verifySigned(s, pub)
}

// ParseRevocationList parses a DER CRL and verifies it against issuer.
func ParseRevocationList(der []byte, issuer *x509.Certificate) (*x509.RevocationList, error) {
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := CheckRevocationListSignature(crl, issuer); err != nil {
		return nil, err
	}
	return crl, nil
}
