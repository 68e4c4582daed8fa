package app

import (
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
	"renewal/app/wire"
)

// stepApplication shows the reissue application the system drew up and
// has the person sign it with the current key (Step 7 of the Russian
// source). After a reload the key kept in this browser signs (Keys); where
// it could not be kept, the step says why and asks for the file.
type stepApplication struct {
	goapp.Compo
	StepProps
	action
	ctx goapp.Context // the step's own: the key picker is gone when the answer comes
}

func (s *stepApplication) OnMount(ctx goapp.Context) { s.ctx = ctx }

func (s *stepApplication) sign(ctx goapp.Context) {
	csrf, keys := s.R.CSRFToken, s.Keys
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		pdf, err := getBytes(ctx, "/api/v1/renewal/application.pdf")
		if err != nil {
			return nil, err
		}
		sig, err := browsercrypto.SignDetached(keys.Current, keys.CurrentCert, keys.CurrentChain, pdf, time.Now())
		if err != nil {
			return nil, err
		}
		var r wire.Renewal
		err = sendJSON(ctx, "POST", "/api/v1/renewal/application/signature", csrf, wire.ApplicationSignature{Signature: sig}, &r)
		return &r, err
	})
}

func (s *stepApplication) Render() goapp.UI {
	if wire.State(s.R.State) != wire.StateVerified {
		return goapp.Section().ID("step-application").Body(goapp.P().Text(txtLoading.in(s.Lang)))
	}
	return goapp.Section().ID("step-application").Body(
		goapp.H1().Text(text{"Заявление на продление", "Renewal application"}.in(s.Lang)),
		applicationLine(s.Lang, s.R),
		goapp.P().Class("lead").Text(text{
			"Данные проверены. Система сформировала заявление о перевыпуске сертификата: ознакомьтесь с ним и подпишите своей действующей подписью.",
			"Your data passed the check. The system drew up the reissue application: read it and sign it with your current signature."}.in(s.Lang)),
		goapp.P().Body(goapp.A().ID("application-pdf").Href("/api/v1/renewal/application.pdf").Target("_blank").
			Text(text{"Открыть заявление (PDF)", "Open the application (PDF)"}.in(s.Lang))),
		goapp.If(s.Keys.Current != nil, func() goapp.UI {
			return goapp.Div().Body(
				s.errorBox(s.Lang),
				goapp.Button().ID("sign-application").Type("button").Disabled(s.busy).
					OnClick(func(ctx goapp.Context, e goapp.Event) { s.sign(ctx) }).
					Text(text{"Подписать заявление", "Sign the application"}.in(s.Lang)),
			)
		}).Else(func() goapp.UI {
			return goapp.Div().Body(
				goapp.P().ID("reopen-why").Text(s.Keys.reopenWhy(s.Lang)),
				// Signed in the step's context, not the picker's: once the
				// key is open the picker leaves the screen, and go-app
				// drops what a dismounted component dispatches, so the
				// answer would never arrive.
				&keyPicker{Lang: s.Lang, Busy: s.busy, OnOpen: s.Keys.useCurrent(func(goapp.Context) { s.sign(s.ctx) })},
				s.errorBox(s.Lang),
			)
		}),
	)
}
