// Package lint checks a certificate before the authority signs it and on an
// operator's request: zlint (the sources that fit signature certificates)
// plus our own lints for the Russian and Belarusian content. Any warning,
// error or fatal finding refuses issuance.
package lint

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"sort"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/profile"
	"renewal/ca/x509sig"
)

// Severity of a finding. Notices and passes are not reported.
type Severity string

const (
	Warn  Severity = "warn"
	Error Severity = "error"
	Fatal Severity = "fatal"
)

// Sources of findings.
const (
	SourceZlint = "zlint"
	SourceRUBY  = "ru-by"
)

// Finding is one problem found in a certificate.
type Finding struct {
	Source   string   // SourceZlint or SourceRUBY
	Name     string   // lint name, e.g. e_subject_common_name_max_length or ru_by_snils_check
	Severity Severity // warn, error or fatal
	Message  string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s [%s] %s: %s", f.Severity, f.Source, f.Name, f.Message)
}

// Certificate lints any DER certificate: zlint, then our lints. prof may be
// nil: then only the checks that need no profile run (identifier check
// digits and string types found by OID, well-formed RU extensions). The error
// is for a certificate that cannot be parsed at all.
func Certificate(der []byte, prof *profile.Profile) ([]Finding, error) {
	findings, err := runZlint(der)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("lint: parse certificate: %w", err)
	}
	findings = append(findings, ours(cert, prof)...)
	sort.SliceStable(findings, func(i, j int) bool {
		if findings[i].Source != findings[j].Source {
			return findings[i].Source < findings[j].Source
		}
		return findings[i].Name < findings[j].Name
	})
	return findings, nil
}

// Linter lints a certificate template before the real signature (Boulder's
// approach): the template is signed by a throwaway issuer with the real
// issuer's name, key identifier and key type, so the to-be-signed bytes are
// exactly those the real issuer will sign.
type Linter struct {
	issuer *x509.Certificate
	key    crypto.Signer
}

// NewLinter makes the throwaway issuer for a real issuer certificate.
func NewLinter(real *x509.Certificate) (*Linter, error) {
	realPub, err := x509sig.PublicKeyOf(real) // GOST too
	if err != nil {
		return nil, fmt.Errorf("lint: issuer key: %w", err)
	}
	key, err := throwawayKey(realPub)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		RawSubject:            real.RawSubject,
		SubjectKeyId:          real.SubjectKeyId,
		NotBefore:             real.NotBefore,
		NotAfter:              real.NotAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	var der []byte
	if _, gost := key.(*gost3410.PrivateKey); gost {
		der, err = x509sig.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	} else {
		der, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	}
	if err != nil {
		return nil, fmt.Errorf("lint: throwaway issuer: %w", err)
	}
	issuer, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("lint: throwaway issuer: %w", err)
	}
	return &Linter{issuer: issuer, key: key}, nil
}

func throwawayKey(pub crypto.PublicKey) (crypto.Signer, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return ecdsa.GenerateKey(k.Curve, rand.Reader)
	case *rsa.PublicKey:
		return rsa.GenerateKey(rand.Reader, k.N.BitLen())
	case ed25519.PublicKey:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	case *gost3410.PublicKey:
		// A GOST CA gets a GOST throwaway key of its parameter set: the
		// linted TBS (signature algorithm field included) is then the
		// real one byte for byte, and zlint's signature-algorithm lints
		// see the real algorithm; zcrypto does not verify signatures,
		// only parses them, so nothing else changes for zlint.
		return gost3410.GenerateKey(k.Curve(), rand.Reader)
	}
	return nil, fmt.Errorf("lint: unsupported issuer key type %T", pub)
}

// ErrFindings is returned by Check when the certificate has findings.
var ErrFindings = errors.New("lint: certificate has findings")

// Check signs the template with the throwaway issuer and lints the result.
// It returns the linted DER (whose RawTBSCertificate the real issuer must
// reproduce) and the findings; err wraps ErrFindings when there are any.
func (l *Linter) Check(tmpl *x509.Certificate, pub crypto.PublicKey, prof *profile.Profile) ([]byte, []Finding, error) {
	// A GOST subject or issuer key: crypto/x509 cannot encode it, x509sig
	// writes the same TBS around it (still signed by the throwaway key).
	var (
		der []byte
		err error
	)
	_, gostKey := pub.(*gost3410.PublicKey)
	_, gostCA := l.key.(*gost3410.PrivateKey)
	if gostKey || gostCA {
		der, err = x509sig.CreateCertificate(rand.Reader, tmpl, l.issuer, pub, l.key)
	} else {
		der, err = x509.CreateCertificate(rand.Reader, tmpl, l.issuer, pub, l.key)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("lint: build certificate: %w", err)
	}
	findings, err := Certificate(der, prof)
	if err != nil {
		return nil, nil, err
	}
	if len(findings) > 0 {
		return der, findings, fmt.Errorf("%w: %d finding(s), first: %s", ErrFindings, len(findings), findings[0])
	}
	return der, nil, nil
}
