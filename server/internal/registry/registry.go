// Package registry stands for the state registries a renewal is checked
// against: passports (Russia), the tax register, the register of legal
// entities with who heads each organisation, and the register of
// personal numbers (Belarus). Registry is the interface; File is the
// built-in adapter reading a data file, with a configurable delay and
// failures, for development and tests.
package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"renewal/ca/demo"
)

// Query is what is checked about one person.
type Query struct {
	Jurisdiction   string // RU or BY
	FullName       string
	Passport       string // RU: 10 digits, series then number
	SNILS          string
	INN            string // a person's ИНН
	PersonalNumber string // BY
	OrgINN         string // RU: the organisation's ИНН (employees)
	OrgOGRN        string
	OrgUNP         string // BY
}

// Step is one registry consulted and its answer.
type Step struct {
	Name   string `json:"name"`
	NameRU string `json:"name_ru"`
	NameEN string `json:"name_en"`
	Status string `json:"status"` // pending, passed, failed
}

// Verdict is the answer: passed, or failed with a reason a person reads.
type Verdict struct {
	Passed bool
	Steps  []Step
	Code   string
	RU, EN string
}

// correctable is the one rule of which failures a person can fix by
// typing again, and the form fields (wire.PersonalData's JSON names) to
// mark: a register that does not find what was typed. Every other code
// is definitive: the register knows the passport as invalid, the
// organisation (read from the certificate, not typed) is gone, or the
// registries did not answer.
var correctable = map[string][]string{
	"passport_mismatch": {"passport_series", "passport_number"},
	"tax_not_found":     {"snils", "inn"},
	"person_not_found":  {"personal_number"},
}

// Correction reports whether a failed verdict can be corrected, and the
// fields the person should look at again.
func (v Verdict) Correction() (fields []string, ok bool) {
	if v.Passed {
		return nil, false
	}
	f, ok := correctable[v.Code]
	return slices.Clone(f), ok
}

// ErrUnavailable is a temporary failure: ask again later.
var ErrUnavailable = errors.New("registry: temporarily unavailable")

// Registry checks a person's data.
type Registry interface {
	// Steps names the registries a query will consult, for progress.
	Steps(q Query) []Step
	// Check consults them; progress is told each step as it completes.
	Check(ctx context.Context, q Query, progress func([]Step)) (Verdict, error)
	// Head returns who heads the organisation with this identifier (RU:
	// ИНН of the organisation, BY: УНП), with the identifiers to compare
	// with the head's certificate and the contacts to notify.
	Head(ctx context.Context, jurisdiction, orgID string) (Person, error)
	// Organisation returns the registered legal entity with this
	// identifier (RU: ИНН of the organisation, BY: УНП), or
	// ErrNoOrganisation.
	Organisation(ctx context.Context, jurisdiction, orgID string) (Organisation, error)
	// Person returns the registered person with this identifier (RU:
	// СНИЛС, BY: the personal number) and the contacts the register
	// knows, or ErrNotRegistered.
	Person(ctx context.Context, jurisdiction, id string) (Person, error)
}

// ErrNotRegistered: the register knows nobody by that identifier.
var ErrNotRegistered = errors.New("registry: no person with this identifier")

// Data is the content of a registry data file.
type Data struct {
	People        []Person       `yaml:"people"`
	Organisations []Organisation `yaml:"organisations"`
	// InvalidPassports: lost, stolen or replaced passports (10 digits).
	InvalidPassports []string `yaml:"invalid_passports"`
}

// Person is one registered person.
type Person struct {
	Jurisdiction   string `yaml:"jurisdiction"`
	FullName       string `yaml:"full_name"`
	Passport       string `yaml:"passport"`
	INN            string `yaml:"inn"`
	SNILS          string `yaml:"snils"`
	PersonalNumber string `yaml:"personal_number"`
	Email          string `yaml:"email"`
	Phone          string `yaml:"phone"`
}

// Organisation is one registered legal entity.
type Organisation struct {
	Jurisdiction string `yaml:"jurisdiction"`
	Name         string `yaml:"name"`
	INN          string `yaml:"inn"`
	OGRN         string `yaml:"ogrn"`
	UNP          string `yaml:"unp"`
	Head         string `yaml:"head"` // full name
	Liquidated   bool   `yaml:"liquidated"`
}

// File is the built-in registry.
type File struct {
	data  Data
	delay time.Duration // spread over the steps, like the real ~2 minutes

	mu       sync.Mutex
	failNext int // temporary failures still to return
}

// Options of the built-in registry.
type Options struct {
	Path     string        // data file; empty: the demo people and organisations
	Delay    time.Duration // total time a check takes
	FailNext int           // the first n checks fail temporarily (retry with backoff)
}

// NewFile loads the data file (or the demo data).
func NewFile(o Options) (*File, error) {
	var d Data
	if o.Path == "" {
		var err error
		if d, err = demoData(); err != nil {
			return nil, err
		}
	} else {
		b, err := os.ReadFile(o.Path)
		if err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("registry %s: %w", o.Path, err)
		}
	}
	return &File{data: d, delay: o.Delay, failNext: o.FailNext}, nil
}

// demoPassports are the demo people's passports (the demo identities do
// not carry them): series and number, 10 digits.
var demoPassports = map[string]string{
	"ru-smirnov": "4510123456", "ru-petrova": "4511234567",
	"ru-ivanov": "4512345678", "ru-kuznetsov": "4613456789",
}

// DemoPassport is the passport (series and number, 10 digits) the demo
// register holds for a demo person, or "" (Belarus asks for none).
func DemoPassport(personID string) string { return demoPassports[personID] }

// demoData turns the demo identities into registry records.
func demoData() (Data, error) {
	ids, err := demo.LoadIdentities()
	if err != nil {
		return Data{}, err
	}
	var d Data
	names := map[string]string{}
	for _, p := range ids.People {
		names[p.ID] = p.FullName()
		d.People = append(d.People, Person{
			Jurisdiction: p.Jurisdiction, FullName: p.FullName(), Passport: demoPassports[p.ID],
			INN: p.INN, SNILS: p.SNILS, PersonalNumber: p.PersonalNumber, Email: p.Email, Phone: p.Phone,
		})
	}
	for _, o := range ids.Organisations {
		d.Organisations = append(d.Organisations, Organisation{
			Jurisdiction: o.Jurisdiction, Name: o.Name, INN: o.INN, OGRN: o.OGRN, UNP: o.UNP, Head: names[o.Head],
		})
	}
	d.InvalidPassports = []string{"4500000001"} // reported lost
	return d, nil
}

// Replace puts new data in place of the old, as an updated register
// would be: checks after it see the new data.
func (f *File) Replace(d Data) {
	f.mu.Lock()
	f.data = d
	f.mu.Unlock()
}

// Data is a copy of the data as it is now.
func (f *File) Data() Data {
	d := f.current()
	d.People = slices.Clone(d.People)
	d.Organisations = slices.Clone(d.Organisations)
	d.InvalidPassports = slices.Clone(d.InvalidPassports)
	return d
}

func (f *File) current() Data {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.data
}

// FailNext makes the next n checks fail temporarily (tests, --dev).
func (f *File) FailNext(n int) {
	f.mu.Lock()
	f.failNext = n
	f.mu.Unlock()
}

func (f *File) Steps(q Query) []Step {
	var s []Step
	if q.Jurisdiction == "RU" {
		s = append(s, Step{Name: "passport", NameRU: "Паспорт: МВД России", NameEN: "Passport: Ministry of Internal Affairs"})
		s = append(s, Step{Name: "tax", NameRU: "ИНН и СНИЛС: ФНС и СФР", NameEN: "INN and SNILS: tax service and social fund"})
	} else {
		s = append(s, Step{Name: "person", NameRU: "Идентификационный номер: регистр населения", NameEN: "Personal number: population register"})
	}
	if q.OrgINN != "" || q.OrgUNP != "" {
		s = append(s, Step{Name: "organisation", NameRU: "Организация: реестр юридических лиц", NameEN: "Organisation: register of legal entities"})
	}
	for i := range s {
		s[i].Status = "pending"
	}
	return s
}

func (f *File) Check(ctx context.Context, q Query, progress func([]Step)) (Verdict, error) {
	f.mu.Lock()
	if f.failNext > 0 {
		f.failNext--
		f.mu.Unlock()
		return Verdict{}, fmt.Errorf("%w: connection to the registry timed out", ErrUnavailable)
	}
	f.mu.Unlock()

	steps := f.Steps(q)
	pause := f.delay / time.Duration(len(steps))
	for i := range steps {
		if pause > 0 {
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return Verdict{}, ctx.Err()
			}
		}
		v := f.step(steps[i].Name, q)
		if !v.Passed {
			steps[i].Status = "failed"
			v.Steps = steps
			progress(steps)
			return v, nil
		}
		steps[i].Status = "passed"
		progress(steps)
	}
	return Verdict{Passed: true, Steps: steps}, nil
}

func (f *File) step(name string, q Query) Verdict {
	switch name {
	case "passport":
		for _, bad := range f.current().InvalidPassports {
			if bad == q.Passport {
				return fail("passport_invalid", "Паспорт числится недействительным по данным МВД. Обратитесь в удостоверяющий центр лично.",
					"The passport is listed as invalid by the Ministry of Internal Affairs. Please visit the centre in person.")
			}
		}
		p, ok := f.person(q)
		if !ok || p.Passport != q.Passport {
			return fail("passport_mismatch", "Паспорт не найден среди паспортов владельца сертификата. Проверьте серию и номер.",
				"The passport was not found among the certificate holder's passports. Check the series and number.")
		}
	case "tax":
		if _, ok := f.person(q); !ok {
			return fail("tax_not_found", "ИНН и СНИЛС не найдены в реестрах ФНС и СФР.", "The INN and SNILS were not found in the tax and social fund registers.")
		}
	case "person":
		if _, ok := f.person(q); !ok {
			return fail("person_not_found", "Идентификационный номер не найден в регистре населения.", "The personal number was not found in the population register.")
		}
	case "organisation":
		o, ok := f.organisation(q.Jurisdiction, firstNonEmpty(q.OrgINN, q.OrgUNP))
		if !ok || o.Liquidated {
			return fail("organisation_not_found", "Организация не найдена в реестре юридических лиц или ликвидирована.",
				"The organisation was not found in the register of legal entities, or it was liquidated.")
		}
	}
	return Verdict{Passed: true}
}

func (f *File) person(q Query) (Person, bool) {
	for _, p := range f.current().People {
		if p.Jurisdiction != q.Jurisdiction {
			continue
		}
		if q.Jurisdiction == "RU" && p.INN == q.INN && p.SNILS == q.SNILS && p.INN != "" {
			return p, true
		}
		if q.Jurisdiction == "BY" && p.PersonalNumber == q.PersonalNumber && p.PersonalNumber != "" {
			return p, true
		}
	}
	return Person{}, false
}

func (f *File) organisation(jurisdiction, id string) (Organisation, bool) {
	for _, o := range f.current().Organisations {
		if o.Jurisdiction == jurisdiction && id != "" && (o.INN == id || o.UNP == id) {
			return o, true
		}
	}
	return Organisation{}, false
}

// ErrNoOrganisation: the register knows no legal entity by that identifier.
var ErrNoOrganisation = errors.New("registry: no organisation with this identifier")

func (f *File) Organisation(ctx context.Context, jurisdiction, orgID string) (Organisation, error) {
	o, ok := f.organisation(jurisdiction, orgID)
	if !ok {
		return Organisation{}, ErrNoOrganisation
	}
	return o, nil
}

// ErrNoHead: the register names no head for the organisation.
var ErrNoHead = errors.New("registry: the organisation or its head is not registered")

func (f *File) Head(ctx context.Context, jurisdiction, orgID string) (Person, error) {
	o, ok := f.organisation(jurisdiction, orgID)
	if !ok || o.Liquidated || o.Head == "" {
		return Person{}, ErrNoHead
	}
	for _, p := range f.current().People {
		if p.Jurisdiction == jurisdiction && p.FullName == o.Head {
			return p, nil
		}
	}
	return Person{}, ErrNoHead
}

func (f *File) Person(ctx context.Context, jurisdiction, id string) (Person, error) {
	if id == "" {
		return Person{}, ErrNotRegistered
	}
	for _, p := range f.current().People {
		if p.Jurisdiction != jurisdiction {
			continue
		}
		if (jurisdiction == "RU" && p.SNILS == id) || (jurisdiction == "BY" && p.PersonalNumber == id) {
			return p, nil
		}
	}
	return Person{}, ErrNotRegistered
}

func fail(code, ru, en string) Verdict { return Verdict{Code: code, RU: ru, EN: en} }

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
