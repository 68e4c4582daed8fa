package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// stepTariff is the usage sphere (Step 4 of the Russian source).
type stepTariff struct {
	goapp.Compo
	StepProps

	tariffs []wire.Tariff
	chosen  string
	action
}

func (s *stepTariff) OnMount(ctx goapp.Context) {
	ctx.Async(func() {
		var tl wire.TariffList
		err := getJSON(ctx, "/api/v1/renewal/tariffs", &tl)
		ctx.Dispatch(func(ctx goapp.Context) {
			s.tariffs, s.err = tl.Tariffs, err
			if len(s.tariffs) > 0 && s.chosen == "" {
				s.chosen = s.tariffs[0].Code
			}
		})
	})
}

func (s *stepTariff) submit(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	csrf, chosen := s.R.CSRFToken, s.chosen
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		var r wire.Renewal
		err := sendJSON(ctx, "PUT", "/api/v1/renewal/tariff", csrf, wire.TariffChoice{Tariff: chosen}, &r)
		return &r, err
	})
}

func (s *stepTariff) Render() goapp.UI {
	return goapp.Section().ID("step-tariff").Body(
		goapp.H1().Text(text{"Сфера использования подписи", "What the signature is for"}.in(s.Lang)),
		applicationLine(s.Lang, s.R),
		goapp.Form().OnSubmit(s.submit).Body(
			goapp.FieldSet().Body(
				goapp.Legend().Text(text{"Тариф", "Tariff"}.in(s.Lang)),
				goapp.Range(s.tariffs).Slice(func(i int) goapp.UI {
					t := s.tariffs[i]
					id := "tariff-" + t.Code
					return goapp.Div().Class("choice").Body(
						goapp.Input().Type("radio").ID(id).Name("tariff").Value(t.Code).Checked(s.chosen == t.Code).
							OnChange(func(ctx goapp.Context, e goapp.Event) { s.chosen = t.Code }),
						goapp.Label().For(id).Body(
							goapp.Span().Class("service-title").Text(pick(s.Lang, t.NameRU, t.NameEN)),
							goapp.Span().Class("price").Text(t.Price.Text),
						),
					)
				}),
			),
			s.errorBox(s.Lang),
			submit("choose-tariff", txtContinue, s.Lang, s.busy, s.chosen == ""),
		),
	)
}
