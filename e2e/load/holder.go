package load

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"renewal/app/wire"
	"renewal/ca/demo"
	"renewal/ca/keyfile"
)

// Holder is one simulated person: a current certificate of their own, its
// key, contacts of their own and a client address of their own (codes are
// limited per phone, per e-mail and per address).
type Holder struct {
	Index    int
	Service  string // the service chosen on the first screen
	Phone    string
	Email    string
	IP       string // sent as X-Forwarded-For through the trusted proxy
	Cert     *x509.Certificate
	Chain    []*x509.Certificate // the issuing CA
	Key      crypto.Signer
	Personal wire.PersonalData
}

// A scenario is a demo subscriber whose certificate is cloned for each
// holder: the same subject (so the registry simulator knows the person),
// a new key and serial.
type scenario struct {
	demo     string // the demo manifest's scenario
	service  string
	tld      string // of the holder's e-mail
	phone    func(i int) string
	personal wire.PersonalData
}

// scenarios alternate between holders: the Russian owner ("Я владелец")
// and the Belarusian individual (6.0.00), both paid by card. Their
// personal data are the demo people's (ca/demo/identities.yaml).
var scenarios = []scenario{
	{demo: "ru-owner", service: "ru-owner", tld: "ru", phone: func(i int) string { return fmt.Sprintf("+7900%07d", i) },
		personal: wire.PersonalData{PassportSeries: "4510", PassportNumber: "123456", PassportIssued: "2015-06-01",
			SNILS: "693-849-373 75", INN: "771952685970"}},
	{demo: "by-individual", service: "by-6.0.00", tld: "by", phone: func(i int) string { return fmt.Sprintf("+37529%07d", i) },
		personal: wire.PersonalData{PersonalNumber: "4150385B012PB6"}},
}

// Minter makes holders with the demo authority of a --dev server: it
// reads the demo subscribers and signs a fresh current certificate for
// each holder with the demo issuing key (DATA_DIR/demo/issuing.key).
type Minter struct {
	issuer    *x509.Certificate
	issuerKey crypto.Signer
	bases     []*x509.Certificate // one per scenario
	offset    int
}

// Offset is a minter whose holder i is this one's holder i+n: other
// people, for a warm-up before the measured run.
func (m *Minter) Offset(n int) *Minter {
	o := *m
	o.offset += n
	return &o
}

// NewMinter reads the demo authority in demoDir (DATA_DIR/demo).
func NewMinter(demoDir string) (*Minter, error) {
	b, err := os.ReadFile(filepath.Join(demoDir, "subscribers.json"))
	if err != nil {
		return nil, fmt.Errorf("read demo subscribers: %w", err)
	}
	var subs []struct{ Scenario, File string }
	if err := json.Unmarshal(b, &subs); err != nil {
		return nil, fmt.Errorf("parse demo subscribers: %w", err)
	}
	pw, err := os.ReadFile(filepath.Join(demoDir, "password.txt"))
	if err != nil {
		return nil, fmt.Errorf("read demo password: %w", err)
	}
	issuer, key, err := demo.LoadIssuer(demoDir)
	if err != nil {
		return nil, err
	}
	m := &Minter{issuer: issuer, issuerKey: key}
	for _, sc := range scenarios {
		file := ""
		for _, s := range subs {
			if s.Scenario == sc.demo {
				file = s.File
			}
		}
		if file == "" {
			return nil, fmt.Errorf("no demo subscriber %s", sc.demo)
		}
		if !filepath.IsAbs(file) {
			file = filepath.Join(demoDir, file)
		}
		p12, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", sc.demo, err)
		}
		// keyfile reads GOST keys too (go-pkcs12 does not).
		entries, err := keyfile.DecodePKCS12(p12, strings.TrimSpace(string(pw)))
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", sc.demo, err)
		}
		if len(entries) != 1 {
			return nil, fmt.Errorf("open %s: %d keys in the file, want 1", sc.demo, len(entries))
		}
		m.bases = append(m.bases, entries[0].Cert)
	}
	return m, nil
}

// Holder makes holder i (from 1): scenarios alternate, and the contacts
// and client address are derived from i so that no two holders share
// them. The certificate is the demo subscriber's with every extension
// kept but its own key, serial and key identifier.
func (m *Minter) Holder(i int) (*Holder, error) {
	i += m.offset
	sc := scenarios[i%len(scenarios)]
	base := m.bases[i%len(scenarios)]
	cert, key, err := demo.Reissue(base, m.issuer, m.issuerKey, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("holder %d: %w", i, err)
	}
	return &Holder{
		Index:    i,
		Service:  sc.service,
		Phone:    sc.phone(i),
		Email:    fmt.Sprintf("load%d@example.%s", i, sc.tld),
		IP:       clientIP(i),
		Cert:     cert,
		Chain:    []*x509.Certificate{m.issuer},
		Key:      key,
		Personal: sc.personal,
	}, nil
}

// clientIP is holder i's address in 198.18.0.0/15, the range set aside
// for benchmarks (RFC 2544).
func clientIP(i int) string {
	return fmt.Sprintf("198.%d.%d.%d", 18+(i>>16)&1, (i>>8)&0xff, i&0xff)
}
