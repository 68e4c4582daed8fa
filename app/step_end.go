package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// stepEnd is where an application ends: done with the closing documents,
// or rejected, cancelled or expired with the reason; also where it waits
// for the operator after a refund revoked its certificate.
type stepEnd struct {
	goapp.Compo
	StepProps
}

func (s *stepEnd) Render() goapp.UI {
	switch wire.State(s.R.State) {
	case wire.StateDelivered:
		return goapp.Section().ID("step-end").DataSet("outcome", s.R.State).Body(
			goapp.H1().Text(text{"Ваша электронная подпись готова", "Your electronic signature is ready"}.in(s.Lang)),
			goapp.P().Class("lead").Text(text{"Закрывающие документы для отчётности:", "Closing documents for your accounts:"}.in(s.Lang)),
			goapp.Ul().Body(
				goapp.Li().Body(goapp.A().ID("act-pdf").Href("/api/v1/renewal/act.pdf").Text(text{"Акт (PDF)", "Act (PDF)"}.in(s.Lang))),
				goapp.If(s.R.Jurisdiction == "RU", func() goapp.UI {
					return goapp.Li().Body(goapp.A().ID("upd-pdf").Href("/api/v1/renewal/upd.pdf").Text(text{"УПД (PDF)", "Universal transfer document (PDF)"}.in(s.Lang)))
				}),
				goapp.Li().Body(goapp.A().Href("/api/v1/renewal/certificate.pem").Text(text{"Сертификат (PEM)", "Certificate (PEM)"}.in(s.Lang))),
				goapp.If(s.R.Service == "ru-poa" || s.R.Service == "by-6.0.01", func() goapp.UI {
					return goapp.Li().Body(
						goapp.A().ID("confirmation-doc").Href("/api/v1/renewal/confirmation/document.txt").Target("_blank").
							Text(text{"Подтверждение руководителя", "The head's confirmation"}.in(s.Lang)),
						goapp.Text(" · "),
						goapp.A().Href("/api/v1/renewal/confirmation/signature.p7s").Text(text{"его подпись (.p7s)", "its signature (.p7s)"}.in(s.Lang)),
					)
				}),
			),
		)
	case wire.StateUnderReview:
		reason := text{"Платёж возвращён, и выданный сертификат отозван. Заявку рассматривает оператор удостоверяющего центра; он свяжется с вами.",
			"The payment was returned and the certificate issued was revoked. The certification centre's operator is reviewing the application and will contact you."}
		if s.R.Rejection != nil {
			reason = text{s.R.Rejection.RU, s.R.Rejection.EN}
		}
		return goapp.Section().ID("step-end").DataSet("outcome", s.R.State).Body(
			goapp.H1().Text(text{"Сертификат отозван", "The certificate was revoked"}.in(s.Lang)),
			goapp.Div().Class("problem").Body(goapp.P().ID("reason").Text(reason.in(s.Lang))),
			goapp.P().Body(goapp.A().Href(PathHome).Text(txtBack.in(s.Lang))),
		)
	default:
		reason := text{"Заявка закрыта.", "The application is closed."}
		if s.R.Rejection != nil {
			reason = text{s.R.Rejection.RU, s.R.Rejection.EN}
		}
		return goapp.Section().ID("step-end").DataSet("outcome", s.R.State).Body(
			goapp.H1().Text(text{"Продление не выполнено", "The renewal did not go through"}.in(s.Lang)),
			goapp.Div().Class("problem").Body(goapp.P().ID("reason").Text(reason.in(s.Lang))),
			goapp.P().Body(goapp.A().Href(PathHome).Text(txtBack.in(s.Lang))),
		)
	}
}
