// Package demo creates a demonstration certification authority and the
// current certificates of demo subscribers, one per renewal scenario, whose
// certificates expire soon (inside the renewal window). It is for the
// server's demo mode and for tests; nothing here is production material.
package demo

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"renewal/ca"
	"renewal/ca/keyfile"
	"renewal/ca/lint"
	"renewal/ca/profile"
	"renewal/ca/signer"
)

// Options of Build.
type Options struct {
	// Password of every subscriber's PKCS#12 file (required).
	Password string
	// Profiles; nil means the embedded defaults.
	Profiles *profile.Set
	// URLs written into the demo certificates, as the authority would.
	OCSPURL, CRLURL, IssuerURL string
	// URLs written into the issuing CA certificate: the root's CRL and
	// certificate (optional).
	RootCRLURL, RootIssuerURL string
	// CAAlgorithm is the root's and the issuing CA's key; zero means
	// GOST R 34.10-2012 256 (signer.GOST256), as a Russian accredited
	// centre's. An ECDSA issuing key gets an ECDSA P-384 root.
	CAAlgorithm signer.Algorithm
}

// Subscriber is one demo certificate holder.
type Subscriber struct {
	ID           string
	Name         string // "Иванов Иван Иванович"
	Scenario     string // by-individual, by-employee, by-head, ru-owner, ru-employee, ru-head, ru-expired, by-revoked
	Jurisdiction string // RU or BY
	Profile      string
	State        string // current, expired, revoked
	Organisation string // organisation id, or ""
	File         string // PKCS#12 file: key, certificate, issuing CA and root
	CertFile     string // the certificate alone, PEM
	Serial       *big.Int
	NotAfter     time.Time
	// Identifiers by attribute name: inn, snils, ogrnip, innle, ogrn,
	// personalNumber, unp.
	Identifiers map[string]string
	Cert        *x509.Certificate
	Key         crypto.Signer // the subscriber's current key (demo only)
}

// Result of Build.
type Result struct {
	Root, Issuing  *x509.Certificate
	RootFile       string // PEM
	IssuingFile    string // PEM
	RootKeyFile    string // PKCS#8 PEM, mode 0600
	IssuingKeyFile string // PKCS#8 PEM, mode 0600
	IssuingKey     signer.Signer
	Subscribers    []Subscriber
	// RevokeSerial is the serial the caller must record as revoked
	// (scenario by-revoked), after recording the demo certificates.
	RevokeSerial *big.Int
}

// Subscriber returns the subscriber of a scenario.
func (r *Result) Subscriber(scenario string) (Subscriber, bool) {
	for _, s := range r.Subscribers {
		if s.Scenario == scenario {
			return s, true
		}
	}
	return Subscriber{}, false
}

// Build creates in dir (which must not hold a previous demo) a root and an
// issuing CA with file keys, and one current certificate per demo person,
// each written as a PKCS#12 file protected by opts.Password. Every demo
// certificate passes the same lints the authority runs before signing.
func Build(dir string, now time.Time, opts Options) (*Result, error) {
	if opts.Password == "" {
		return nil, errors.New("demo: a PKCS#12 password is required")
	}
	profiles := opts.Profiles
	if profiles == nil {
		var err error
		if profiles, err = profile.Load(""); err != nil {
			return nil, err
		}
	}
	ids, err := LoadIdentities()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	caAlg, rootAlg := opts.CAAlgorithm, signer.ECDSAP384
	if caAlg == "" {
		caAlg = signer.GOST256
	}
	if caAlg.IsGOST() {
		rootAlg = caAlg // a GOST chain is GOST throughout
	}
	res := &Result{
		RootFile:       filepath.Join(dir, "root.pem"),
		IssuingFile:    filepath.Join(dir, issuingFile),
		RootKeyFile:    filepath.Join(dir, "root.key"),
		IssuingKeyFile: filepath.Join(dir, issuingKeyFile),
	}
	h, err := ca.InitHierarchy(ca.HierarchyConfig{
		RootSubject: pkix.Name{
			CommonName: "Демонстрационный корневой УЦ", Organization: []string{"Демо УЦ"}, Country: []string{"RU"},
		},
		IssuingSubject: pkix.Name{
			CommonName: "Демонстрационный выпускающий УЦ", Organization: []string{"Демо УЦ"}, Country: []string{"RU"},
		},
		// Backdated so the subscribers' year-old certificates nest inside.
		Now:             now.AddDate(-3, 0, 0),
		RootValidity:    20 * 365 * 24 * time.Hour,
		IssuingValidity: 10 * 365 * 24 * time.Hour,
		RootKey:         func() (signer.Signer, error) { return signer.GenerateFile(res.RootKeyFile, rootAlg) },
		IssuingKey:      func() (signer.Signer, error) { return signer.GenerateFile(res.IssuingKeyFile, caAlg) },
		RootCRLURL:      opts.RootCRLURL,
		RootIssuerURL:   opts.RootIssuerURL,
	})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	res.Root, res.Issuing, res.IssuingKey = h.Root, h.Issuing, h.IssuingKey
	if err := os.WriteFile(res.RootFile, ca.EncodePEM(h.Root), 0o644); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if err := os.WriteFile(res.IssuingFile, ca.EncodePEM(h.Issuing), 0o644); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}

	for _, p := range ids.People {
		sub, err := buildSubscriber(dir, now, opts, profiles, ids, h, p)
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", p.ID, err)
		}
		res.Subscribers = append(res.Subscribers, sub)
		if p.State == "revoked" {
			res.RevokeSerial = sub.Serial
		}
	}
	return res, nil
}

func buildSubscriber(dir string, now time.Time, opts Options, profiles *profile.Set, ids *Identities, h *ca.Hierarchy, p Person) (Subscriber, error) {
	prof, ok := profiles.Get(p.Profile)
	if !ok {
		return Subscriber{}, fmt.Errorf("unknown profile %q", p.Profile)
	}
	values, idents, err := subjectValues(prof, ids, p)
	if err != nil {
		return Subscriber{}, err
	}
	rawSubject, err := prof.EncodeSubject(values)
	if err != nil {
		return Subscriber{}, err
	}
	key, err := keyFor(prof)
	if err != nil {
		return Subscriber{}, err
	}
	serial, err := ca.NewSerial()
	if err != nil {
		return Subscriber{}, err
	}
	notAfter := now.UTC().Truncate(time.Second).AddDate(0, 0, p.ExpiresInDays)
	notBefore := notAfter.Add(-prof.Validity())
	tariffs := prof.Tariffs()
	tmpl, err := ca.LeafTemplate(ca.TemplateParams{
		Profile:            prof,
		Tariff:             tariffs[0],
		RawSubject:         rawSubject,
		PublicKey:          key.Public(),
		Serial:             serial,
		NotBefore:          notBefore,
		NotAfter:           notAfter,
		IdentificationKind: 0, // issued in person: may renew remotely
		OCSPURL:            opts.OCSPURL,
		CRLURL:             opts.CRLURL,
		IssuerURL:          opts.IssuerURL,
	})
	if err != nil {
		return Subscriber{}, err
	}
	der, err := ca.CreateCertificate(tmpl, h.Issuing, key.Public(), h.IssuingKey)
	if err != nil {
		return Subscriber{}, fmt.Errorf("sign: %w", err)
	}
	findings, err := lint.Certificate(der, prof)
	if err != nil {
		return Subscriber{}, err
	}
	if len(findings) > 0 {
		return Subscriber{}, fmt.Errorf("demo certificate fails lint: %v", findings)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return Subscriber{}, err
	}
	// keyfile writes GOST and ECDSA keys alike (PBES2, AES-256, HMAC-SHA256:
	// what OpenSSL 3 writes and reads, and the wizard opens).
	p12, err := keyfile.EncodePKCS12([]keyfile.Entry{{Key: key, Cert: cert, Chain: []*x509.Certificate{h.Issuing, h.Root}}}, opts.Password, nil)
	if err != nil {
		return Subscriber{}, fmt.Errorf("pkcs12: %w", err)
	}
	file := filepath.Join(dir, p.FileName())
	if err := os.WriteFile(file, p12, 0o600); err != nil {
		return Subscriber{}, err
	}
	certFile := filepath.Join(dir, p.ID+".pem")
	if err := os.WriteFile(certFile, ca.EncodePEM(cert), 0o644); err != nil {
		return Subscriber{}, err
	}
	return Subscriber{
		ID:           p.ID,
		Name:         p.FullName(),
		Scenario:     p.Scenario,
		Jurisdiction: p.Jurisdiction,
		Profile:      p.Profile,
		State:        p.State,
		Organisation: p.Organisation,
		File:         file,
		CertFile:     certFile,
		Serial:       cert.SerialNumber,
		NotAfter:     cert.NotAfter,
		Identifiers:  idents,
		Cert:         cert,
		Key:          key,
	}, nil
}

// subjectValues maps a person (and the organisation) to the profile's
// attribute names; identifiers are also returned on their own.
func subjectValues(prof *profile.Profile, ids *Identities, p Person) (map[string]string, map[string]string, error) {
	all := map[string]string{
		"cn":             p.FullName(),
		"surname":        p.Surname,
		"givenName":      p.GivenNames,
		"c":              string(prof.Jurisdiction()),
		"st":             p.Region,
		"l":              p.Locality,
		"street":         p.Street,
		"email":          p.Email,
		"title":          p.Title,
		"personalNumber": p.PersonalNumber,
		"unp":            p.UNP,
		"inn":            p.INN,
		"snils":          p.SNILS,
		"ogrnip":         p.OGRNIP,
	}
	if p.Organisation != "" {
		org, ok := ids.Organisation(p.Organisation)
		if !ok {
			return nil, nil, fmt.Errorf("unknown organisation %q", p.Organisation)
		}
		all["o"] = org.Name
		all["st"], all["l"], all["street"] = org.Region, org.Locality, org.Street
		all["unp"] = org.UNP
		all["innle"] = org.INN
		all["ogrn"] = org.OGRN
	}
	values := map[string]string{}
	idents := map[string]string{}
	for name, v := range all {
		a, ok := prof.AttributeByName(name)
		if !ok || v == "" {
			continue
		}
		values[name] = v
		if a.HasIdent {
			idents[name] = v
		}
	}
	return values, idents, nil
}
