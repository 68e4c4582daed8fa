package demo

import (
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"renewal/ca"
	"renewal/ca/signer"
	"renewal/ca/x509sig"
)

var oidSubjectKeyID = asn1.ObjectIdentifier{2, 5, 29, 14}

// The issuing CA's files in a demo directory (Build writes them).
const (
	issuingFile    = "issuing.pem"
	issuingKeyFile = "issuing.key"
)

// LoadIssuer reads the issuing CA's certificate and key from a demo
// directory, for Reissue.
func LoadIssuer(dir string) (*x509.Certificate, signer.Signer, error) {
	key, err := signer.LoadFile(filepath.Join(dir, issuingKeyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("demo: issuing key: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, issuingFile))
	if err != nil {
		return nil, nil, fmt.Errorf("demo: issuing CA: %w", err)
	}
	certs, err := ca.ParsePEM(b)
	if err != nil || len(certs) == 0 {
		return nil, nil, fmt.Errorf("demo: issuing CA in %s: %v", dir, err)
	}
	return certs[0], key, nil
}

// Reissue is another certificate of base's holder: the same subject and
// extensions, its own key of base's kind (the same GOST curve, else
// P-256), serial and key identifier, valid until
// notAfter (zero: base's), signed by issuer. Tests and the load benchmark
// use it for many holders, or a second certificate of one person.
func Reissue(base, issuer *x509.Certificate, issuerKey crypto.Signer, notAfter time.Time) (*x509.Certificate, crypto.Signer, error) {
	basePub, err := x509sig.PublicKeyOf(base)
	if err != nil {
		return nil, nil, err
	}
	key, err := sameKind(basePub)
	if err != nil {
		return nil, nil, err
	}
	serial, err := ca.NewSerial()
	if err != nil {
		return nil, nil, err
	}
	spki, err := x509sig.MarshalPublicKey(key.Public())
	if err != nil {
		return nil, nil, err
	}
	var parsed struct {
		Algorithm asn1.RawValue
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &parsed); err != nil {
		return nil, nil, err
	}
	skid := sha1.Sum(parsed.Key.Bytes)
	if notAfter.IsZero() {
		notAfter = base.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		RawSubject:   base.RawSubject,
		NotBefore:    base.NotBefore,
		NotAfter:     notAfter,
		SubjectKeyId: skid[:],
	}
	for _, e := range base.Extensions {
		if !e.Id.Equal(oidSubjectKeyID) {
			tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, e)
		}
	}
	der, err := ca.CreateCertificate(tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: reissue %x: %w", base.SerialNumber, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}
