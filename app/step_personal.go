package app

import (
	"strings"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
	"renewal/ca/ident"
)

// stepPersonal is the person's data (Step 5 of the Russian source): the
// fields are checked as they are typed with the authority's own
// identifier package, and again by the server.
type stepPersonal struct {
	goapp.Compo
	StepProps

	in       wire.PersonalData
	problems map[string]string
	action
}

func (s *stepPersonal) check(field string, kind ident.Kind, value string) {
	if s.problems == nil {
		s.problems = map[string]string{}
	}
	delete(s.problems, field)
	if strings.TrimSpace(value) == "" {
		return
	}
	if _, err := ident.Check(kind, value); err != nil {
		if ie, ok := err.(*ident.Error); ok {
			s.problems[field] = pick(s.Lang, ie.RU, ie.EN)
		}
	}
}

func (s *stepPersonal) input(id string, kind ident.Kind, set func(string)) goapp.HTMLInput {
	return goapp.Input().ID(id).Type("text").Required(true).Attr("autocomplete", "off").
		Aria("invalid", s.problems[id] != "").Aria("describedby", id+"-error").
		OnInput(func(ctx goapp.Context, e goapp.Event) { set(inputValue(ctx)) }).
		OnBlur(func(ctx goapp.Context, e goapp.Event) {
			if kind != "" {
				s.check(id, kind, inputValue(ctx))
			}
		})
}

func (s *stepPersonal) submit(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	if s.R.Jurisdiction == "RU" {
		s.check("snils", ident.SNILS, s.in.SNILS)
		s.check("inn", ident.INNPerson, s.in.INN)
		s.check("passport", ident.RUPassport, s.in.PassportSeries+s.in.PassportNumber)
	} else {
		s.check("personal-number", ident.BYPersonalNumber, s.in.PersonalNumber)
	}
	if len(s.problems) > 0 {
		return
	}
	csrf, in := s.R.CSRFToken, s.in
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		var r wire.Renewal
		err := sendJSON(ctx, "POST", "/api/v1/renewal/personal-data", csrf, in, &r)
		return &r, err
	})
}

func (s *stepPersonal) Render() goapp.UI {
	var fields []goapp.UI
	if s.R.Jurisdiction == "RU" {
		fields = []goapp.UI{
			goapp.Div().Class("row").Body(
				field("passport-series", text{"Серия паспорта", "Passport series"}, s.Lang,
					s.input("passport-series", "", func(v string) { s.in.PassportSeries = v }).MaxLength(5).Attr("inputmode", "numeric"), "", ""),
				field("passport-number", text{"Номер паспорта", "Passport number"}, s.Lang,
					s.input("passport-number", "", func(v string) { s.in.PassportNumber = v }).MaxLength(7).Attr("inputmode", "numeric"), "", s.problems["passport"]),
			),
			field("passport-issued", text{"Дата выдачи паспорта", "Passport issued on"}, s.Lang,
				goapp.Input().ID("passport-issued").Type("date").Required(true).
					OnInput(func(ctx goapp.Context, e goapp.Event) { s.in.PassportIssued = inputValue(ctx) }), "", ""),
			field("snils", text{"СНИЛС", "SNILS"}, s.Lang, s.input("snils", ident.SNILS, func(v string) { s.in.SNILS = v }),
				"123-456-789 01", s.problems["snils"]),
			field("inn", text{"ИНН", "INN (taxpayer number)"}, s.Lang, s.input("inn", ident.INNPerson, func(v string) { s.in.INN = v }),
				text{"12 цифр", "12 digits"}.in(s.Lang), s.problems["inn"]),
		}
	} else {
		fields = []goapp.UI{
			field("personal-number", text{"Идентификационный номер (из паспорта)", "Personal number (from the passport)"}, s.Lang,
				s.input("personal-number", ident.BYPersonalNumber, func(v string) { s.in.PersonalNumber = v }).MaxLength(14),
				"3140789A001PB1", s.problems["personal-number"]),
		}
	}
	return goapp.Section().ID("step-personal").Body(
		goapp.H1().Text(text{"Данные владельца", "Holder's data"}.in(s.Lang)),
		goapp.P().Class("lead").Text(text{
			"Данные должны совпадать с действующим сертификатом. Их проверят в государственных реестрах: обычно это занимает около двух минут.",
			"The data must match the current certificate. They are checked in the state registries: this usually takes about two minutes."}.in(s.Lang)),
		goapp.Form().OnSubmit(s.submit).Body(append(fields,
			s.errorBox(s.Lang),
			submit("send-data", text{"Проверить данные", "Check the data"}, s.Lang, s.busy))...),
	)
}
