package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/dates"
	"renewal/app/wire"
)

// applicationLine names the application for people on every step that
// has one: its number, when it was made (in the jurisdiction's zone) and
// the service's full name, the line a person reads out to support.
func applicationLine(lang string, r *wire.Renewal) goapp.UI {
	if r == nil || r.Number == "" {
		return nil
	}
	return goapp.P().ID("application-line").Class("application-line muted").Body(
		goapp.Text(text{"Заявление № ", "Application No. "}.in(lang)),
		goapp.Strong().ID("application-number").Text(r.Number),
		goapp.Text(text{" от ", " of "}.in(lang)),
		goapp.Span().ID("application-date").Text(dates.DateTime(r.CreatedAt, r.Jurisdiction, lang)),
		goapp.If(r.ServiceName.In(lang) != "", func() goapp.UI {
			return goapp.Span().ID("application-service").Class("application-service").Text(r.ServiceName.In(lang))
		}),
	)
}

// tariffLine is the chosen tariff by name, with its amount.
func tariffLine(lang string, r *wire.Renewal) goapp.UI {
	if r == nil || r.TariffName == nil || r.Amount == nil {
		return nil
	}
	return goapp.P().ID("tariff-line").Text(text{"Тариф: ", "Tariff: "}.in(lang) + r.TariffName.In(lang) + " · " + r.Amount.Text)
}
