package renewal

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"renewal/app/money"
	"renewal/app/wire"
	"renewal/ca/ident"
	"renewal/ca/profile"
)

//go:embed catalog.yaml terms/*.txt
var catalogFiles embed.FS

// Catalog is the centre's offer: services, prices and agreements.
type Catalog struct {
	services   map[string]serviceTerms
	currencies map[string]string
	prices     map[string]map[string]int64 // profile → tariff → minor units
	terms      map[string][]wire.TermsDocument
	profiles   *profile.Set
	sellers    map[string]Seller
	vat        map[string]int
}

// Seller is the centre on invoices and closing documents.
type Seller struct {
	Name        string `yaml:"name"`
	INN         string `yaml:"inn"`
	KPP         string `yaml:"kpp"`
	UNP         string `yaml:"unp"`
	Address     string `yaml:"address"`
	Bank        string `yaml:"bank"`
	BIC         string `yaml:"bic"`
	Account     string `yaml:"account"`
	CorrAccount string `yaml:"corr_account"`
}

// TaxID is the number a payment to this seller names: the УНП in
// Belarus, the ИНН in Russia.
func (sl Seller) TaxID() string {
	if sl.UNP != "" {
		return sl.UNP
	}
	return sl.INN
}

type serviceTerms struct {
	Profile  string `yaml:"profile"`
	Approval bool   `yaml:"approval"` // the head of the organisation confirms
	Head     bool   `yaml:"head"`     // the head's own service (6.0.02)
	NameRU   string `yaml:"name_ru"`  // the full name, for formal documents
	NameEN   string `yaml:"name_en"`
}

type catalogFile struct {
	Services   map[string]serviceTerms     `yaml:"services"`
	Currencies map[string]string           `yaml:"currencies"`
	Prices     map[string]map[string]int64 `yaml:"prices"`
	Seller     map[string]Seller           `yaml:"seller"`
	VAT        map[string]int              `yaml:"vat"`
	Terms      map[string][]struct {
		Code    string `yaml:"code"`
		Version string `yaml:"version"`
		TitleRU string `yaml:"title_ru"`
		TitleEN string `yaml:"title_en"`
		File    string `yaml:"file"`
	} `yaml:"terms"`
}

// LoadCatalog reads the embedded catalogue and checks it against the
// profiles: every service's profile and every priced tariff must exist.
func LoadCatalog(profiles *profile.Set) (*Catalog, error) {
	raw, err := catalogFiles.ReadFile("catalog.yaml")
	if err != nil {
		return nil, err
	}
	var f catalogFile
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	c := &Catalog{services: f.Services, currencies: f.Currencies, prices: f.Prices, terms: map[string][]wire.TermsDocument{},
		profiles: profiles, sellers: f.Seller, vat: f.VAT}
	for j, sel := range f.Seller {
		if j == "RU" {
			if err := ident.CheckINN(sel.INN); err != nil {
				return nil, fmt.Errorf("catalog: seller %s: %w", j, err)
			}
		}
		if j == "BY" {
			if err := ident.CheckUNP(sel.UNP); err != nil {
				return nil, fmt.Errorf("catalog: seller %s: %w", j, err)
			}
		}
	}
	for code, s := range f.Services {
		p, ok := profiles.Get(s.Profile)
		if !ok {
			return nil, fmt.Errorf("catalog: service %s: no profile %q", code, s.Profile)
		}
		if s.NameRU == "" || s.NameEN == "" {
			return nil, fmt.Errorf("catalog: service %s: no full name", code)
		}
		if len(f.Prices[s.Profile]) == 0 {
			return nil, fmt.Errorf("catalog: service %s: no prices for profile %s", code, s.Profile)
		}
		if _, ok := f.Currencies[string(p.Jurisdiction())]; !ok {
			return nil, fmt.Errorf("catalog: no currency for %s", p.Jurisdiction())
		}
	}
	for prof, tariffs := range f.Prices {
		p, ok := profiles.Get(prof)
		if !ok {
			return nil, fmt.Errorf("catalog: prices for unknown profile %q", prof)
		}
		for t, amount := range tariffs {
			if _, ok := p.Tariff(t); !ok {
				return nil, fmt.Errorf("catalog: profile %s has no tariff %q", prof, t)
			}
			if amount <= 0 {
				return nil, fmt.Errorf("catalog: %s/%s: the price must be positive", prof, t)
			}
		}
	}
	for j, docs := range f.Terms {
		for _, d := range docs {
			text, err := catalogFiles.ReadFile("terms/" + d.File)
			if err != nil {
				return nil, fmt.Errorf("catalog: terms %s: %w", d.Code, err)
			}
			sum := sha256.Sum256(text)
			c.terms[j] = append(c.terms[j], wire.TermsDocument{
				Code: d.Code, Version: d.Version, TitleRU: d.TitleRU, TitleEN: d.TitleEN,
				Text: string(text), SHA256: hex.EncodeToString(sum[:]),
			})
		}
	}
	return c, nil
}

// CatalogService is one service of the catalogue: the profile it issues
// under, and who takes part.
type CatalogService struct {
	Code     string
	Profile  string
	Approval bool // the head of the organisation confirms
	Head     bool // the head's own service (6.0.02)
}

// Services lists the catalogue's services by code.
func (c *Catalog) Services() []CatalogService {
	out := make([]CatalogService, 0, len(c.services))
	for code, s := range c.services {
		out = append(out, CatalogService{Code: code, Profile: s.Profile, Approval: s.Approval, Head: s.Head})
	}
	slices.SortFunc(out, func(a, b CatalogService) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// service returns the terms of a service code.
func (c *Catalog) service(code string) (serviceTerms, *profile.Profile, bool) {
	s, ok := c.services[code]
	if !ok {
		return serviceTerms{}, nil, false
	}
	p, ok := c.profiles.Get(s.Profile)
	return s, p, ok
}

// Tariffs lists the usage spheres of a profile with their prices.
func (c *Catalog) Tariffs(p *profile.Profile) []wire.Tariff {
	var out []wire.Tariff
	for _, t := range p.Tariffs() {
		amount, ok := c.prices[p.Name()][t.Code]
		if !ok {
			continue // not offered remotely
		}
		out = append(out, wire.Tariff{Code: t.Code, NameRU: t.NameRU, NameEN: t.NameEN, Price: c.money(p, amount)})
	}
	return out
}

func (c *Catalog) price(p *profile.Profile, tariff string) (wire.Money, bool) {
	amount, ok := c.prices[p.Name()][tariff]
	if !ok {
		return wire.Money{}, false
	}
	return c.money(p, amount), true
}

func (c *Catalog) money(p *profile.Profile, minor int64) wire.Money {
	cur := c.currencies[string(p.Jurisdiction())]
	return wire.Money{Minor: minor, Currency: cur, Text: money.Format(minor, cur)}
}

// ServiceName is a service's full name in a language ("ru", "en"), for
// formal documents and the head's page; the code itself if unknown.
func (c *Catalog) ServiceName(code, lang string) string {
	s, ok := c.services[code]
	switch {
	case !ok:
		return code
	case lang == "en":
		return s.NameEN
	default:
		return s.NameRU
	}
}

// TariffName is a tariff's name from the profile, in a language; the
// code itself if the service or tariff is unknown.
func (c *Catalog) TariffName(service, tariff, lang string) string {
	_, p, ok := c.service(service)
	if !ok {
		return tariff
	}
	t, ok := p.Tariff(tariff)
	switch {
	case !ok:
		return tariff
	case lang == "en":
		return t.NameEN
	default:
		return t.NameRU
	}
}

// Terms are the agreements of a jurisdiction, in full.
func (c *Catalog) Terms(jurisdiction string) []wire.TermsDocument {
	return c.terms[jurisdiction]
}
