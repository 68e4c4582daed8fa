package demo

import (
	"bytes"
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"
)

//go:embed identities.yaml
var identitiesYAML []byte

// Identities is the demo data: people and organisations.
type Identities struct {
	Organisations []Organisation `yaml:"organisations"`
	People        []Person       `yaml:"people"`
}

// Organisation is a demo legal entity.
type Organisation struct {
	ID           string `yaml:"id"`
	Jurisdiction string `yaml:"jurisdiction"`
	Name         string `yaml:"name"`
	FullName     string `yaml:"full_name"`
	UNP          string `yaml:"unp"`  // BY
	INN          string `yaml:"inn"`  // RU, ИНН ЮЛ (10 digits)
	OGRN         string `yaml:"ogrn"` // RU
	Region       string `yaml:"region"`
	Locality     string `yaml:"locality"`
	Street       string `yaml:"street"`
	Head         string `yaml:"head"` // person id of the head (руководитель)
}

// Person is a demo certificate holder.
type Person struct {
	ID             string `yaml:"id"`
	Scenario       string `yaml:"scenario"`
	Profile        string `yaml:"profile"`
	Jurisdiction   string `yaml:"jurisdiction"`
	Surname        string `yaml:"surname"`
	GivenNames     string `yaml:"given_names"` // имя и отчество
	PersonalNumber string `yaml:"personal_number"`
	UNP            string `yaml:"unp"` // BY sole proprietor
	INN            string `yaml:"inn"` // RU person, 12 digits
	SNILS          string `yaml:"snils"`
	OGRNIP         string `yaml:"ogrnip"`
	Organisation   string `yaml:"organisation"` // organisation id, employees and heads
	Title          string `yaml:"title"`
	Region         string `yaml:"region"`
	Locality       string `yaml:"locality"`
	Street         string `yaml:"street"`
	Email          string `yaml:"email"`
	Phone          string `yaml:"phone"`
	ExpiresInDays  int    `yaml:"expires_in_days"`
	State          string `yaml:"state"` // current, expired, revoked
}

// FullName is "Surname GivenNames", e.g. "Иванов Иван Иванович".
func (p Person) FullName() string { return p.Surname + " " + p.GivenNames }

// FileName is the name of the person's PKCS#12 file in the demo directory.
func (p Person) FileName() string { return p.ID + ".p12" }

// LoadIdentities parses the embedded demo data.
func LoadIdentities() (*Identities, error) {
	var ids Identities
	dec := yaml.NewDecoder(bytes.NewReader(identitiesYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&ids); err != nil {
		return nil, fmt.Errorf("demo: identities: %w", err)
	}
	orgs := map[string]bool{}
	for _, o := range ids.Organisations {
		orgs[o.ID] = true
	}
	people := map[string]bool{}
	for _, p := range ids.People {
		if people[p.ID] {
			return nil, fmt.Errorf("demo: identities: duplicate person %q", p.ID)
		}
		people[p.ID] = true
		if p.Organisation != "" && !orgs[p.Organisation] {
			return nil, fmt.Errorf("demo: identities: %s: unknown organisation %q", p.ID, p.Organisation)
		}
	}
	for _, o := range ids.Organisations {
		if !people[o.Head] {
			return nil, fmt.Errorf("demo: identities: organisation %s: unknown head %q", o.ID, o.Head)
		}
	}
	return &ids, nil
}

// Organisation returns the organisation with that id.
func (ids *Identities) Organisation(id string) (Organisation, bool) {
	for _, o := range ids.Organisations {
		if o.ID == id {
			return o, true
		}
	}
	return Organisation{}, false
}

// Person returns the person with that id.
func (ids *Identities) Person(id string) (Person, bool) {
	for _, p := range ids.People {
		if p.ID == id {
			return p, true
		}
	}
	return Person{}, false
}

// YAML returns the embedded data file as is.
func YAML() []byte { return bytes.Clone(identitiesYAML) }
