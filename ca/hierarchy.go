package ca

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/signer"
	"renewal/ca/x509sig"
)

// KeyFactory makes (or opens) the key of one CA: a file key for the root, a
// PKCS#11 key for the issuing CA in production.
type KeyFactory func() (signer.Signer, error)

// HierarchyConfig describes the CA hierarchy that `ca init` creates.
type HierarchyConfig struct {
	RootSubject     pkix.Name
	IssuingSubject  pkix.Name
	RootValidity    time.Duration
	IssuingValidity time.Duration
	RootKey         KeyFactory
	IssuingKey      KeyFactory
	Now             time.Time // zero: time.Now()
	// Optional URLs written into the issuing CA certificate: the root's CRL
	// and the root certificate's location.
	RootCRLURL    string
	RootIssuerURL string
}

// Hierarchy is a root and an issuing CA signed by it, with their keys.
type Hierarchy struct {
	Root       *x509.Certificate
	Issuing    *x509.Certificate
	RootKey    signer.Signer
	IssuingKey signer.Signer
}

// InitHierarchy creates a self-signed root and an issuing CA certificate
// signed by the root. The issuing CA may sign end-entity certificates, CRLs
// and OCSP responses (path length 0).
func InitHierarchy(cfg HierarchyConfig) (*Hierarchy, error) {
	switch {
	case cfg.RootKey == nil || cfg.IssuingKey == nil:
		return nil, errors.New("ca: init: key factories are required")
	case cfg.RootValidity <= 0 || cfg.IssuingValidity <= 0:
		return nil, errors.New("ca: init: validities must be positive")
	case cfg.IssuingValidity > cfg.RootValidity:
		return nil, errors.New("ca: init: the issuing CA cannot outlive the root")
	case cfg.RootSubject.CommonName == "" || cfg.IssuingSubject.CommonName == "":
		return nil, errors.New("ca: init: both subjects need a common name")
	}
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)

	rootKey, err := cfg.RootKey()
	if err != nil {
		return nil, fmt.Errorf("ca: init: root key: %w", err)
	}
	issKey, err := cfg.IssuingKey()
	if err != nil {
		return nil, fmt.Errorf("ca: init: issuing key: %w", err)
	}

	rootSerial, err := NewSerial()
	if err != nil {
		return nil, err
	}
	rootSKI, err := subjectKeyID(rootKey.Public())
	if err != nil {
		return nil, err
	}
	rootTmpl := &x509.Certificate{
		SerialNumber:          rootSerial,
		Subject:               cfg.RootSubject,
		NotBefore:             now,
		NotAfter:              now.Add(cfg.RootValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            1,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		SubjectKeyId:          rootSKI,
	}
	rootDER, err := CreateCertificate(rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	if err != nil {
		return nil, fmt.Errorf("ca: init: sign root: %w", err)
	}
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		return nil, fmt.Errorf("ca: init: parse root: %w", err)
	}

	issSerial, err := NewSerial()
	if err != nil {
		return nil, err
	}
	issSKI, err := subjectKeyID(issKey.Public())
	if err != nil {
		return nil, err
	}
	issTmpl := &x509.Certificate{
		SerialNumber:          issSerial,
		Subject:               cfg.IssuingSubject,
		NotBefore:             now,
		NotAfter:              now.Add(cfg.IssuingValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		// digitalSignature: kept for relying parties that met responses
		// signed by this key; OCSP is now signed by a delegated responder.
		KeyUsage:     x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		SubjectKeyId: issSKI,
	}
	if cfg.RootCRLURL != "" {
		issTmpl.CRLDistributionPoints = []string{cfg.RootCRLURL}
	}
	if cfg.RootIssuerURL != "" {
		issTmpl.IssuingCertificateURL = []string{cfg.RootIssuerURL}
	}
	issDER, err := CreateCertificate(issTmpl, root, issKey.Public(), rootKey)
	if err != nil {
		return nil, fmt.Errorf("ca: init: sign issuing CA: %w", err)
	}
	iss, err := x509.ParseCertificate(issDER)
	if err != nil {
		return nil, fmt.Errorf("ca: init: parse issuing CA: %w", err)
	}
	if err := checkSignature(iss, root); err != nil {
		return nil, fmt.Errorf("ca: init: verify issuing CA: %w", err)
	}
	return &Hierarchy{Root: root, Issuing: iss, RootKey: rootKey, IssuingKey: issKey}, nil
}

// EncodePEM encodes certificates as PEM CERTIFICATE blocks.
func EncodePEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// ParsePEM decodes every CERTIFICATE block.
func ParsePEM(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("ca: parse PEM certificate: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("ca: no CERTIFICATE block")
	}
	return out, nil
}

// RootCRLValidity is how long a root CRL is valid: the root key is
// offline, so it is signed rarely (at `ca init`, and whenever the key is
// at hand and less than a quarter is left).
const RootCRLValidity = 365 * 24 * time.Hour

// SignRootCRL signs the root's CRL, listing the CA certificates it revoked
// (normally none), valid from now for validity. Its number is thisUpdate
// in Unix seconds: increasing, with no counter to keep beside an offline
// key.
func SignRootCRL(root *x509.Certificate, key crypto.Signer, revoked []x509.RevocationListEntry, now time.Time, validity time.Duration) ([]byte, error) {
	if !root.IsCA || root.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return nil, errors.New("ca: root crl: the root lacks cRLSign")
	}
	now = now.UTC().Truncate(time.Second)
	tmpl := &x509.RevocationList{
		Number:                    big.NewInt(now.Unix()),
		ThisUpdate:                now,
		NextUpdate:                now.Add(validity),
		RevokedCertificateEntries: revoked,
	}
	var (
		der []byte
		err error
	)
	if _, gost := key.Public().(*gost3410.PublicKey); gost {
		der, err = x509sig.CreateRevocationList(rand.Reader, tmpl, root, key)
	} else {
		der, err = x509.CreateRevocationList(rand.Reader, tmpl, root, key)
	}
	if err != nil {
		return nil, fmt.Errorf("ca: root crl: %w", err)
	}
	return der, nil
}
