package ca

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"renewal/ca/profile"
	"renewal/ca/x509sig"
)

// TemplateParams describes a subscriber certificate of a profile.
type TemplateParams struct {
	Profile    *profile.Profile
	Tariff     profile.Tariff
	RawSubject []byte // DER subject, copied as is
	PublicKey  crypto.PublicKey
	Serial     *big.Int
	NotBefore  time.Time
	NotAfter   time.Time
	// IdentificationKind written when the profile has RU extensions:
	// 0 in person, 1 remote with a qualified certificate, 2, 3.
	IdentificationKind int
	// Carrier of the new key (profile.Carriers) chooses the subjectSignTool
	// text; "" is CarrierRequest.
	Carrier   string
	OCSPURL   string
	CRLURL    string
	IssuerURL string
}

// LeafTemplate builds the certificate template for a subscriber: subject
// copied, key usage and EKU, policies (the profile's and the tariff's), AIA
// and CRL distribution point, subject key identifier, and the Russian
// extensions. The authority key identifier comes from the issuer at signing.
// Extensions a CSR asked for are never copied.
func LeafTemplate(p TemplateParams) (*x509.Certificate, error) {
	if p.Profile == nil || len(p.RawSubject) == 0 || p.PublicKey == nil || p.Serial == nil {
		return nil, errors.New("ca: template: profile, subject, public key and serial are required")
	}
	_, isRSA := p.PublicKey.(*rsa.PublicKey)
	ski, err := subjectKeyID(p.PublicKey)
	if err != nil {
		return nil, err
	}
	t := &x509.Certificate{
		SerialNumber:          p.Serial,
		RawSubject:            p.RawSubject,
		NotBefore:             p.NotBefore.UTC(),
		NotAfter:              p.NotAfter.UTC(),
		KeyUsage:              p.Profile.KeyUsage(isRSA),
		BasicConstraintsValid: true,
		IsCA:                  false,
		SubjectKeyId:          ski,
	}
	// EKUs: the profile's, then the tariff's. Written as OIDs; the parser
	// turns the known ones back into x509.ExtKeyUsage.
	t.UnknownExtKeyUsage = uniqueOIDs(append(p.Profile.ExtKeyUsage(), p.Tariff.ExtKeyUsage...))
	for _, oid := range uniqueOIDs(append(p.Profile.Policies(), p.Tariff.Policies...)) {
		o, err := x509.OIDFromInts(toUint64s(oid))
		if err != nil {
			return nil, fmt.Errorf("ca: template: policy %s: %w", oid, err)
		}
		t.Policies = append(t.Policies, o)
	}
	if p.OCSPURL != "" {
		t.OCSPServer = []string{p.OCSPURL}
	}
	if p.IssuerURL != "" {
		t.IssuingCertificateURL = []string{p.IssuerURL}
	}
	if p.CRLURL != "" {
		t.CRLDistributionPoints = []string{p.CRLURL}
	}
	if p.Profile.CopyEmailToSAN() {
		attrs, err := profile.ParseName(p.RawSubject)
		if err != nil {
			return nil, fmt.Errorf("ca: template: %w", err)
		}
		for _, a := range attrs {
			if a.OID.Equal(profile.OIDEmailAddress) && a.Value != "" {
				t.EmailAddresses = append(t.EmailAddresses, a.Value)
			}
		}
	}
	if ru := p.Profile.RU(); ru != nil {
		carrier := p.Carrier
		if carrier == "" {
			carrier = profile.CarrierRequest
		}
		tool, err := ru.SubjectSignToolFor(carrier, keyAlgorithm(p.PublicKey))
		if err != nil {
			return nil, fmt.Errorf("ca: template: %w", err)
		}
		exts, err := ruExtensions(ru, tool, p.IdentificationKind)
		if err != nil {
			return nil, err
		}
		t.ExtraExtensions = append(t.ExtraExtensions, exts...)
		if ru.PrivateKeyUsagePeriod {
			ext, err := privateKeyUsagePeriod(t.NotBefore, t.NotAfter)
			if err != nil {
				return nil, err
			}
			t.ExtraExtensions = append(t.ExtraExtensions, ext)
		}
	}
	return t, nil
}

// uniqueOIDs drops repeats (a tariff may name an OID the profile has).
func uniqueOIDs(in []asn1.ObjectIdentifier) []asn1.ObjectIdentifier {
	var out []asn1.ObjectIdentifier
	seen := map[string]bool{}
	for _, o := range in {
		if !seen[o.String()] {
			seen[o.String()] = true
			out = append(out, o)
		}
	}
	return out
}

func toUint64s(oid asn1.ObjectIdentifier) []uint64 {
	out := make([]uint64, len(oid))
	for i, v := range oid {
		out[i] = uint64(v)
	}
	return out
}

// ruExtensions encodes subjectSignTool, issuerSignTool and
// IdentificationKind (all non-critical).
func ruExtensions(ru *profile.RUExtensions, subjectSignTool string, identificationKind int) ([]pkix.Extension, error) {
	if identificationKind < 0 || identificationKind > 3 {
		return nil, fmt.Errorf("ca: IdentificationKind %d out of 0..3", identificationKind)
	}
	sst, err := asn1.MarshalWithParams(subjectSignTool, "utf8")
	if err != nil {
		return nil, fmt.Errorf("ca: subjectSignTool: %w", err)
	}
	ist, err := asn1.Marshal(struct {
		SignTool     string `asn1:"utf8"`
		CATool       string `asn1:"utf8"`
		SignToolCert string `asn1:"utf8"`
		CAToolCert   string `asn1:"utf8"`
	}{ru.IssuerSignTool[0], ru.IssuerSignTool[1], ru.IssuerSignTool[2], ru.IssuerSignTool[3]})
	if err != nil {
		return nil, fmt.Errorf("ca: issuerSignTool: %w", err)
	}
	ik, err := asn1.Marshal(identificationKind)
	if err != nil {
		return nil, fmt.Errorf("ca: IdentificationKind: %w", err)
	}
	return []pkix.Extension{
		{Id: profile.OIDSubjectSignTool, Value: sst},
		{Id: profile.OIDIssuerSignTool, Value: ist},
		{Id: profile.OIDIdentificationKind, Value: ik},
	}, nil
}

// oidPrivateKeyUsagePeriod is id-ce-privateKeyUsagePeriod (RFC 5280).
var oidPrivateKeyUsagePeriod = asn1.ObjectIdentifier{2, 5, 29, 16}

// privateKeyUsagePeriod is the extension PrivateKeyUsagePeriod ::=
// SEQUENCE { notBefore [0] GeneralizedTime, notAfter [1] GeneralizedTime }
// (implicit tags), non-critical as RFC 5280 requires: here the key's
// period of use is the certificate's validity.
func privateKeyUsagePeriod(notBefore, notAfter time.Time) (pkix.Extension, error) {
	v, err := asn1.Marshal(struct {
		NotBefore time.Time `asn1:"generalized,tag:0"`
		NotAfter  time.Time `asn1:"generalized,tag:1"`
	}{notBefore.UTC(), notAfter.UTC()})
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("ca: privateKeyUsagePeriod: %w", err)
	}
	return pkix.Extension{Id: oidPrivateKeyUsagePeriod, Value: v}, nil
}

// subjectKeyID is RFC 7093 method 1: the leftmost 160 bits of the SHA-256
// of the subjectPublicKey BIT STRING.
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509sig.MarshalPublicKey(pub) // crypto/x509's, or GOST
	if err != nil {
		return nil, fmt.Errorf("ca: marshal public key: %w", err)
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, fmt.Errorf("ca: parse public key: %w", err)
	}
	sum := sha256.Sum256(spki.PublicKey.Bytes)
	return sum[:20], nil
}

// NewSerial returns a serial number of 159 random bits: 20 random bytes
// with the top bit cleared (so the DER INTEGER stays within 20 octets and
// positive), never zero.
func NewSerial() (*big.Int, error) {
	b := make([]byte, 20)
	for {
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("ca: serial: %w", err)
		}
		b[0] &= 0x7f
		s := new(big.Int).SetBytes(b)
		if s.Sign() > 0 {
			return s, nil
		}
	}
}
