package app

import (
	"fmt"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/dates"
	"renewal/app/wire"
	"renewal/ca/ident"
)

// stepPersonal is the person's data (Step 5 of the Russian source): the
// fields are checked as they are typed with the authority's own
// identifier package, and again by the server. When a register did not
// find what was typed, the step comes back with the server's correction:
// the reason at the top, the fields it names marked, every answer kept.
type stepPersonal struct {
	goapp.Compo
	StepProps

	in       wire.PersonalData
	issued   string // the date of issue as typed, ДД.ММ.ГГГГ
	problems map[string]string
	// edited are the fields changed since the correction came: their
	// mark goes, the others' stays.
	edited map[string]bool
	filled bool
	action
}

// fieldIDs are the form's element ids of PersonalData's JSON names, the
// names a correction and the server's invalid_<name> codes use.
var fieldIDs = map[string]string{
	"passport_series": "passport-series", "passport_number": "passport-number", "passport_issued": "passport-issued",
	"passport": "passport-number", "snils": "snils", "inn": "inn", "personal_number": "personal-number",
}

// hinted are the fields shown with a hint (field's id-hint).
var hinted = map[string]bool{"passport-issued": true, "snils": true, "inn": true, "personal-number": true}

// formOrder is the order of the form's fields, for the focus.
var formOrder = []string{"passport-series", "passport-number", "passport-issued", "snils", "inn", "personal-number"}

var (
	txtCorrectionField = text{"Проверьте это значение: реестр его не нашёл.", "Check this value: the register did not find it."}
	txtCorrectionsLeft = text{"Исправить данные можно ещё %d %s; после этого заявку придётся подавать лично.",
		"The data may be corrected %d more %s; after that, you will have to apply in person."}
	txtCorrectionsLast = text{"Это последняя возможность исправить данные: если реестр снова их не найдёт, заявка будет закрыта.",
		"This is the last chance to correct the data: if the register does not find them again, the application will be closed."}
)

func (s *stepPersonal) OnMount(ctx goapp.Context) {
	s.fill()
	if c := s.R.Correction; c != nil && len(c.Fields) > 0 {
		s.focusFirst(ctx, func(id string) bool { return s.marked(id) })
	}
}

// fill takes the values last entered, which the server gives back with a
// correction, once.
func (s *stepPersonal) fill() {
	if s.filled || s.R.PersonalData == nil {
		return
	}
	s.filled, s.in = true, *s.R.PersonalData
	// Shown as on the card; the server reads either form.
	if s.in.SNILS != "" {
		s.in.SNILS = ident.Format(ident.SNILS, s.in.SNILS)
	}
	if d, err := time.Parse("2006-01-02", s.in.PassportIssued); err == nil {
		s.issued = d.Format("02.01.2006")
	}
}

// focusFirst moves the focus to the first field of the form that want
// picks, once the page shows it.
func (s *stepPersonal) focusFirst(ctx goapp.Context, want func(id string) bool) {
	focus := func(goapp.Context) {
		for _, id := range formOrder {
			if want(id) {
				if el := goapp.Window().GetElementByID(id); el.Truthy() {
					el.Call("focus")
					return
				}
			}
		}
	}
	// Now, for a field already on the page; and after the update, for
	// one the update brings.
	focus(ctx)
	ctx.Defer(focus)
}

// marked reports whether the server's correction names the field and
// the person has not changed it since.
func (s *stepPersonal) marked(id string) bool {
	if s.R.Correction == nil || s.edited[id] {
		return false
	}
	for _, f := range s.R.Correction.Fields {
		if fieldIDs[f] == id {
			return true
		}
	}
	return false
}

// problem is what to say under a field: its own check first, then the
// correction's mark.
func (s *stepPersonal) problem(id string) string {
	if p := s.problems[id]; p != "" {
		return p
	}
	if s.marked(id) {
		return txtCorrectionField.in(s.Lang)
	}
	return ""
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

// checkIssued reads the date as typed; a valid one goes to the server as
// YYYY-MM-DD.
func (s *stepPersonal) checkIssued() {
	if s.problems == nil {
		s.problems = map[string]string{}
	}
	delete(s.problems, "passport-issued")
	d, err := ident.PassportIssued(s.issued, time.Now().In(dates.Zone("RU")).Format("2006-01-02"))
	if ie, ok := err.(*ident.Error); ok {
		s.problems["passport-issued"] = pick(s.Lang, ie.RU, ie.EN)
		return
	}
	s.in.PassportIssued = d
	// An ISO date typed is shown back in the field's own format.
	if len(d) == 10 {
		s.issued = d[8:10] + "." + d[5:7] + "." + d[:4]
	}
}

// input is a text field; value is what it shows (kept across renders
// and refilled after a correction).
func (s *stepPersonal) input(id string, kind ident.Kind, value string, set func(string)) goapp.HTMLInput {
	p := s.problem(id)
	in := goapp.Input().ID(id).Type("text").Required(true).Attr("autocomplete", "off").Value(value).
		Aria("invalid", p != "").
		OnInput(func(ctx goapp.Context, e goapp.Event) {
			if s.edited == nil {
				s.edited = map[string]bool{}
			}
			s.edited[id] = true
			set(inputValue(ctx))
		}).
		OnBlur(func(ctx goapp.Context, e goapp.Event) {
			if kind != "" {
				s.check(id, kind, inputValue(ctx))
			}
		})
	var by []string
	if p != "" {
		by = append(by, id+"-error")
	}
	if hinted[id] {
		by = append(by, id+"-hint")
	}
	if len(by) > 0 {
		in = in.Aria("describedby", strings.Join(by, " "))
	}
	return in
}

func (s *stepPersonal) submit(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	if s.R.Jurisdiction == "RU" {
		s.check("snils", ident.SNILS, s.in.SNILS)
		s.check("inn", ident.INNPerson, s.in.INN)
		s.check("passport-number", ident.RUPassport, s.in.PassportSeries+s.in.PassportNumber)
		s.checkIssued()
	} else {
		s.check("personal-number", ident.BYPersonalNumber, s.in.PersonalNumber)
	}
	if len(s.problems) > 0 {
		s.focusFirst(ctx, func(id string) bool { return s.problems[id] != "" })
		return
	}
	csrf, in := s.R.CSRFToken, s.in
	s.run(ctx, func(ctx goapp.Context, r *wire.Renewal) {
		s.edited = nil // the next correction marks afresh
		s.Update(ctx, r)
	}, func() (*wire.Renewal, error) {
		var r wire.Renewal
		err := sendJSON(ctx, "POST", "/api/v1/renewal/personal-data", csrf, in, &r)
		if id := fieldOf(err); id != "" {
			// The server refused one field: say it under that field.
			msg := pick(s.Lang, err.(*apiError).body.MessageRU, err.(*apiError).body.MessageEN)
			ctx.Dispatch(func(ctx goapp.Context) {
				if s.problems == nil {
					s.problems = map[string]string{}
				}
				s.problems[id] = msg
				s.focusFirst(ctx, func(f string) bool { return f == id })
			})
		}
		return &r, err
	})
}

// fieldOf is the form field a refusal names (invalid_<name>), or "".
func fieldOf(err error) string {
	if c, ok := strings.CutPrefix(code(err), "invalid_"); ok {
		return fieldIDs[c]
	}
	return ""
}

// correction is the alert at the top: why the data came back and how
// many more corrections are allowed.
func (s *stepPersonal) correction() goapp.UI {
	c := s.R.Correction
	if c == nil {
		return nil
	}
	times := ruPlural(c.Remaining, "раз", "раза", "раз")
	if s.Lang == langEN {
		times = map[bool]string{true: "time", false: "times"}[c.Remaining == 1]
	}
	left := fmt.Sprintf(txtCorrectionsLeft.in(s.Lang), c.Remaining, times)
	if c.Remaining == 0 {
		left = txtCorrectionsLast.in(s.Lang)
	}
	return goapp.Div().ID("correction").Class("problem").Attr("role", "alert").DataSet("code", c.Code).Body(
		goapp.P().Text(pick(s.Lang, c.RU, c.EN)),
		goapp.P().Class("muted").Text(left),
	)
}

func (s *stepPersonal) Render() goapp.UI {
	s.fill()
	var fields []goapp.UI
	if s.R.Jurisdiction == "RU" {
		fields = []goapp.UI{
			goapp.Div().Class("row").Body(
				field("passport-series", text{"Серия паспорта", "Passport series"}, s.Lang,
					s.input("passport-series", "", s.in.PassportSeries, func(v string) { s.in.PassportSeries = v }).MaxLength(5).Attr("inputmode", "numeric"),
					"", s.problem("passport-series")),
				field("passport-number", text{"Номер паспорта", "Passport number"}, s.Lang,
					s.input("passport-number", "", s.in.PassportNumber, func(v string) { s.in.PassportNumber = v }).MaxLength(7).Attr("inputmode", "numeric"),
					"", s.problem("passport-number")),
			),
			// A text field with the format written out: <input type=date>
			// speaks the browser's language, not the page's.
			field("passport-issued", text{"Дата выдачи паспорта (ДД.ММ.ГГГГ)", "Passport issued on (DD.MM.YYYY)"}, s.Lang,
				s.input("passport-issued", "", s.issued, func(v string) { s.issued = v }).MaxLength(10).
					Attr("inputmode", "numeric").Placeholder(text{"ДД.ММ.ГГГГ", "DD.MM.YYYY"}.in(s.Lang)).
					OnBlur(func(ctx goapp.Context, e goapp.Event) {
						if strings.TrimSpace(s.issued) != "" {
							s.checkIssued()
						}
					}),
				text{"Например, 01.06.2015", "For example, 01.06.2015"}.in(s.Lang), s.problem("passport-issued")),
			field("snils", text{"СНИЛС", "SNILS"}, s.Lang, s.input("snils", ident.SNILS, s.in.SNILS, func(v string) { s.in.SNILS = v }),
				"123-456-789 01", s.problem("snils")),
			field("inn", text{"ИНН", "INN (taxpayer number)"}, s.Lang, s.input("inn", ident.INNPerson, s.in.INN, func(v string) { s.in.INN = v }),
				text{"12 цифр", "12 digits"}.in(s.Lang), s.problem("inn")),
		}
	} else {
		fields = []goapp.UI{
			field("personal-number", text{"Идентификационный номер (из паспорта)", "Personal number (from the passport)"}, s.Lang,
				s.input("personal-number", ident.BYPersonalNumber, s.in.PersonalNumber, func(v string) { s.in.PersonalNumber = v }).MaxLength(14),
				text{"Например, 3140789A001PB1", "For example, 3140789A001PB1"}.in(s.Lang), s.problem("personal-number")),
		}
	}
	return goapp.Section().ID("step-personal").Body(
		goapp.H1().Text(text{"Данные владельца", "Holder's data"}.in(s.Lang)),
		s.correction(),
		goapp.P().Class("lead").Text(text{
			"Данные должны совпадать с действующим сертификатом. Их проверят в государственных реестрах: обычно это занимает около двух минут.",
			"The data must match the current certificate. They are checked in the state registries: this usually takes about two minutes."}.in(s.Lang)),
		goapp.Form().OnSubmit(s.submit).Body(append(fields,
			goapp.If(fieldOf(s.err) == "", func() goapp.UI { return s.errorBox(s.Lang) }),
			submit("send-data", text{"Проверить данные", "Check the data"}, s.Lang, s.busy))...),
	)
}
