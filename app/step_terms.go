package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// stepTerms shows each agreement in full; each is accepted on its own.
type stepTerms struct {
	goapp.Compo
	StepProps

	docs     []wire.TermsDocument
	accepted map[string]bool
	action
}

func (s *stepTerms) OnMount(ctx goapp.Context) {
	s.accepted = map[string]bool{}
	ctx.Async(func() {
		var tl wire.TermsList
		err := getJSON(ctx, "/api/v1/renewal/terms", &tl)
		ctx.Dispatch(func(ctx goapp.Context) { s.docs, s.err = tl.Documents, err })
	})
}

func (s *stepTerms) all() bool {
	for _, d := range s.docs {
		if !s.accepted[d.Code] {
			return false
		}
	}
	return len(s.docs) > 0
}

func (s *stepTerms) submit(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	var in wire.TermsAcceptance
	for _, d := range s.docs {
		in.Accepted = append(in.Accepted, wire.AcceptedDocument{Code: d.Code, Version: d.Version, SHA256: d.SHA256})
	}
	csrf := s.R.CSRFToken
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		var r wire.Renewal
		err := sendJSON(ctx, "POST", "/api/v1/renewal/terms", csrf, in, &r)
		return &r, err
	})
}

func (s *stepTerms) Render() goapp.UI {
	return goapp.Section().ID("step-terms").Body(
		goapp.H1().Text(text{"Условия", "Terms"}.in(s.Lang)),
		applicationLine(s.Lang, s.R),
		// The tariff's line names the price; alone only without a tariff.
		goapp.If(s.R.Amount != nil && s.R.TariffName == nil, func() goapp.UI {
			return goapp.P().Class("lead").Text(text{"Стоимость: ", "Price: "}.in(s.Lang) + s.R.Amount.Text)
		}),
		tariffLine(s.Lang, s.R),
		goapp.Form().OnSubmit(s.submit).Body(
			goapp.Range(s.docs).Slice(func(i int) goapp.UI {
				d := s.docs[i]
				id := "accept-" + d.Code
				return goapp.Article().Class("terms").Body(
					goapp.H2().Text(pick(s.Lang, d.TitleRU, d.TitleEN)+" ("+d.Version+")"),
					// The agreements bind in Russian only: an English page says so
					// and marks the text's language for screen readers.
					goapp.If(s.Lang == langEN, func() goapp.UI {
						return goapp.P().Class("muted").Text("This agreement is published in Russian, the language in which it binds.")
					}),
					goapp.Pre().Class("terms-text").Lang("ru").TabIndex(0).Text(d.Text),
					goapp.Div().Class("choice").Body(
						goapp.Input().Type("checkbox").ID(id).Checked(s.accepted[d.Code]).
							OnChange(func(ctx goapp.Context, e goapp.Event) { s.accepted[d.Code] = ctx.JSSrc().Get("checked").Bool() }),
						goapp.Label().For(id).Text(text{"Ознакомлен(а) и согласен(на)", "I have read and agree"}.in(s.Lang)),
					),
				)
			}),
			s.errorBox(s.Lang),
			submit("accept-terms", txtContinue, s.Lang, s.busy, !s.all()),
		),
	)
}
