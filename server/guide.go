package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"renewal/app/wire"
	"renewal/ca/demo"
	"renewal/ca/profile"
	"renewal/server/internal/authority"
	"renewal/server/internal/registry"
	"renewal/server/internal/renewal"
	"renewal/server/internal/store"
)

// printDemo prints where the demo files are, their password and the
// guide table: what a newcomer needs to try a renewal.
func printDemo(ctx context.Context, w io.Writer, d *authority.Demo, cat *renewal.Catalog, st *store.Store) error {
	services, err := st.ServiceList(ctx)
	if err != nil {
		return err
	}
	ids, err := demo.LoadIdentities()
	if err != nil {
		return err
	}
	guide, err := demoGuide(ids, cat, services)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(w, d.Describe()+guide+demoGuideNote)
	return err
}

// demoGuideNote follows the table, here and in the README.
const demoGuideNote = "Коды из SMS и писем, ссылки руководителю: /dev/outbox. Паспорт на шаге данных: серия, номер; дата выдачи любая прошедшая.\n"

// demoGuide is the table `make run` prints and the README shows: for each
// demo person, the service to choose and what to type into the wizard.
// It is drawn from what the service itself uses (the demo identities, the
// demo register's passports, the catalogue and the services table), so it
// cannot drift from them; an unknown profile or service is an error.
func demoGuide(ids *demo.Identities, cat *renewal.Catalog, services []wire.Service) (string, error) {
	shown := map[string]string{} // service code → what the home page shows
	for _, s := range services {
		shown[s.Code] = s.Number
		if s.Number == "" {
			shown[s.Code] = s.TitleRU
		}
	}
	// The demo is made with the embedded profiles (authority.EnsureDemo).
	profiles, err := profile.Load("")
	if err != nil {
		return "", err
	}
	rows := [][]string{{"Сценарий", "Услуга", "Файл", "Ключ", "Паспорт", "СНИЛС", "ИНН / личный номер", "Сертификат"}}
	for _, p := range ids.People {
		prof, ok := profiles.Get(p.Profile)
		if !ok {
			return "", fmt.Errorf("demo guide: %s: unknown profile %q", p.ID, p.Profile)
		}
		service, err := guideService(ids, cat, shown, p)
		if err != nil {
			return "", err
		}
		passport := registry.DemoPassport(p.ID)
		if len(passport) == 10 {
			passport = passport[:4] + " " + passport[4:] // series, number: two fields of the form
		}
		id := p.INN
		if p.Jurisdiction == "BY" {
			id = p.PersonalNumber
		}
		state, ok := map[string]string{"current": "действует", "expired": "истёк: отказ", "revoked": "отозван: отказ"}[p.State]
		if !ok {
			return "", fmt.Errorf("demo guide: %s: unknown state %q", p.ID, p.State)
		}
		key := strings.Replace(profile.KeyAlgorithmLabel(demo.KeyAlgorithm(prof)), "GOST R 34.10-2012", "ГОСТ 2012-", 1)
		rows = append(rows, []string{p.Scenario, service, p.FileName(), strings.ReplaceAll(key, "- ", "-"), dash(passport), dash(p.SNILS), dash(id), state})
	}
	return table(rows), nil
}

// guideService is the service a person chooses: the head of an
// organisation confirms his employees' requests (his service, or the
// link e-mailed to him where there is none); everyone else renews under
// the non-head service of his profile.
func guideService(ids *demo.Identities, cat *renewal.Catalog, shown map[string]string, p demo.Person) (string, error) {
	org, _ := ids.Organisation(p.Organisation)
	head := p.Organisation != "" && org.Head == p.ID
	for _, s := range cat.Services() {
		if s.Profile != p.Profile || s.Head != head {
			continue
		}
		name, ok := shown[s.Code]
		if !ok {
			return "", fmt.Errorf("demo guide: service %s is in the catalogue but not in the services table", s.Code)
		}
		return name, nil
	}
	if head {
		return "ссылка в письме", nil
	}
	return "", fmt.Errorf("demo guide: %s: no service issues profile %s", p.ID, p.Profile)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// table aligns rows in columns two spaces apart, the header underlined.
// Widths count runes: the names are Cyrillic.
func table(rows [][]string) string {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(r []string) {
		var l strings.Builder
		for i, c := range r {
			l.WriteString(c + strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)+2))
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	line(rows[0])
	rule := make([]string, len(width))
	for i, w := range width {
		rule[i] = strings.Repeat("-", w)
	}
	line(rule)
	for _, r := range rows[1:] {
		line(r)
	}
	return b.String()
}
