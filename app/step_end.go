package app

import (
	"fmt"
	"strings"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
	"renewal/app/dates"
	"renewal/app/wire"
)

// stepEnd is where an application ends: done with the closing documents
// and what comes next, or rejected, cancelled or expired with the reason
// and what to do instead; also where it waits for the operator after a
// refund revoked its certificate. A closed application can be let go
// ("Renew another certificate"), so this browser starts a new one.
type stepEnd struct {
	goapp.Compo
	StepProps
	// keyHere: the new key was found in this browser's key store (a
	// reload forgets which carrier was chosen).
	keyHere bool
	action
}

func (s *stepEnd) OnMount(ctx goapp.Context) {
	if wire.State(s.R.State) != wire.StateDelivered {
		return
	}
	name := keyName(s.R.ID)
	ctx.Async(func() {
		_, cert, err := browsercrypto.LoadKey(ctx, name)
		ctx.Dispatch(func(ctx goapp.Context) { s.keyHere = err == nil && len(cert) > 0 })
	})
}

// renewAnother lets the closed application go and opens the list of
// services, where the next renewal starts with a fresh session.
func (s *stepEnd) renewAnother(ctx goapp.Context, e goapp.Event) {
	csrf := s.R.CSRFToken
	s.run(ctx, nil, func() (*wire.Renewal, error) {
		err := sendJSON(ctx, "POST", "/api/v1/renewal/release", csrf, nil, nil)
		if err == nil || code(err) == "no_session" {
			ctx.Dispatch(func(ctx goapp.Context) { ctx.Navigate(PathHome) })
			return nil, nil
		}
		return nil, err
	})
}

// anotherButton lets the closed application go and starts afresh: after
// a delivery to renew another certificate, after a refusal to try anew.
func (s *stepEnd) anotherButton(label text) goapp.UI {
	return goapp.Div().Class("actions").Body(
		goapp.Button().ID("renew-another").Type("button").Disabled(s.busy).Aria("busy", s.busy).OnClick(s.renewAnother).
			Text(label.in(s.Lang)),
		s.errorBox(s.Lang),
	)
}

// Texts of the end screens.
var (
	txtNextTitle     = text{"Что дальше", "What comes next"}
	txtKeyBrowser    = text{"Новый ключ и сертификат хранятся в этом браузере на этом компьютере. Подписывайте в этом браузере; если очистить данные сайта, ключ пропадёт.", "The new key and certificate are kept in this browser on this computer. Sign in this browser; clearing the site's data deletes the key."}
	txtKeyFile       = text{"Новый ключ и сертификат — в файле .p12, который вы сохранили. Откройте его паролем файла в программе для подписи; храните копию файла в надёжном месте, пароль восстановить нельзя.", "The new key and certificate are in the .p12 file you saved. Open it with the file's password in your signing tool; keep a copy of the file somewhere safe: the password cannot be recovered."}
	txtKeyOwn        = text{"Новый ключ — в вашем собственном файле ключа; добавьте к нему скачанный сертификат в своей программе.", "The new key is in your own key file; add the downloaded certificate to it in your tool."}
	txtKeyElsewhere  = text{"Новый ключ хранится в том браузере, в котором вы выпускали сертификат (в этом браузере его нет). Подписывайте там.", "The new key is kept in the browser where you had the certificate issued (it is not in this browser). Sign there."}
	txtKeyUnknown    = text{"Новый ключ — там, где вы его сохранили: в файле .p12 (откройте его паролем файла) или в браузере, где выпускали сертификат.", "The new key is where you saved it: in the .p12 file (open it with the file's password) or in the browser where the certificate was issued."}
	txtOldRevoked    = text{"Прежний сертификат (серийный номер %s) отозван удостоверяющим центром с причиной «заменён» в момент, когда вы подписали бланк нового сертификата. Подписывать им больше нельзя.", "The previous certificate (serial number %s) was revoked by the certification centre as superseded when you signed the new certificate's form. It can no longer be used to sign."}
	txtOldLater      = text{"Прежний сертификат (серийный номер %s) будет отозван с причиной «заменён» через %d дн. после подписания бланка нового; до этого им ещё можно подписывать.", "The previous certificate (serial number %s) will be revoked as superseded %d day(s) after you signed the new one's form; until then it still signs."}
	txtRenewInPerson = text{"Новый сертификат действует до %s; он выдан дистанционно, а такой сертификат по закону дистанционно не продлевается: следующий нужно будет получить с личной идентификацией в удостоверяющем центре (или по биометрии).", "The new certificate is valid until %s; it was issued remotely, and by law such a certificate cannot be renewed remotely: the next one needs identification in person at the certification centre (or with biometrics)."}
	txtRenewWindow   = text{"Новый сертификат действует до %s; продлить его так же, удалённо, можно будет с %s до окончания срока: откройте этот сайт, выберите свою услугу и подтвердите личность этим сертификатом.", "The new certificate is valid until %s; you can renew it remotely the same way from %s until it expires: open this site, choose your service and prove who you are with this certificate."}
)

// inPerson is what to bring to the centre when a renewal cannot be done
// remotely: by jurisdiction, and for an organisation's certificate the
// head's power of attorney too.
var inPerson = map[string]text{
	"RU": {"паспорт гражданина РФ, СНИЛС и ИНН", "your Russian passport, SNILS and INN"},
	"BY": {"паспорт или ID-карту с идентификационным номером", "your passport or ID card with the personal number"},
}

var (
	txtInPersonTitle = text{"Что делать теперь", "What to do instead"}
	txtInPerson      = text{"Получить сертификат можно в удостоверяющем центре лично: возьмите %s.", "You can obtain the certificate at the certification centre in person: bring %s."}
	txtInPersonOrg   = text{" Для сертификата сотрудника организации нужна также доверенность, подписанная руководителем организации.", " For an employee's certificate, bring also a power of attorney signed by the head of the organisation."}
)

// organisation reports whether the service renews an organisation's
// employee's certificate.
func organisation(service string) bool { return service == "ru-poa" || service == "by-6.0.01" }

// where says where the new key is: as the server recorded the request's
// carrier, else as this tab chose it, else as this browser's key store
// shows.
func (s *stepEnd) where() text {
	carrier := ""
	if a := s.R.AfterDelivery; a != nil {
		carrier = a.KeyCarrier
	}
	switch {
	case carrier == wire.CarrierFile || carrier == "" && s.Keys.NewCarrier == "file":
		return txtKeyFile
	case carrier == wire.CarrierRequest || carrier == "" && s.Keys.NewCarrier == "file-own":
		return txtKeyOwn
	case carrier == wire.CarrierBrowser && s.keyHere, carrier == "" && (s.Keys.NewCarrier == "browser" || s.keyHere):
		return txtKeyBrowser
	case carrier == wire.CarrierBrowser:
		return txtKeyElsewhere
	}
	return txtKeyUnknown
}

// next is the "what comes next" of a delivered application.
func (s *stepEnd) next() goapp.UI {
	items := []goapp.UI{goapp.Li().ID("next-key").Text(s.where().in(s.Lang))}
	if a := s.R.AfterDelivery; a != nil {
		old := strings.Join(serialHex(a.ReplacedSerial), " ")
		if a.ReplacedRevocationDays == 0 {
			items = append(items, goapp.Li().ID("next-old").Text(fmt.Sprintf(txtOldRevoked.in(s.Lang), old)))
		} else {
			items = append(items, goapp.Li().ID("next-old").Text(fmt.Sprintf(txtOldLater.in(s.Lang), old, a.ReplacedRevocationDays)))
		}
		renew := fmt.Sprintf(txtRenewWindow.in(s.Lang), dates.Date(a.NotAfter, s.R.Jurisdiction, s.Lang), dates.Date(a.RenewFrom, s.R.Jurisdiction, s.Lang))
		if !a.RenewRemotely {
			renew = fmt.Sprintf(txtRenewInPerson.in(s.Lang), dates.Date(a.NotAfter, s.R.Jurisdiction, s.Lang))
		}
		items = append(items, goapp.Li().ID("next-renew").Text(renew))
	}
	return goapp.Section().ID("what-next").Aria("labelledby", "what-next-title").Body(
		goapp.H2().ID("what-next-title").Text(txtNextTitle.in(s.Lang)),
		goapp.Ul().Body(items...),
	)
}

// serialHex groups a hex serial by four, so it wraps on a narrow screen.
func serialHex(h string) []string {
	h = strings.ToUpper(h)
	var out []string
	for len(h) > 4 {
		out, h = append(out, h[:4]), h[4:]
	}
	return append(out, h)
}

// instead is the way out of a definitive refusal: in person, with
// which documents.
func (s *stepEnd) instead() goapp.UI {
	docs, ok := inPerson[s.R.Jurisdiction]
	if !ok {
		return nil
	}
	msg := fmt.Sprintf(txtInPerson.in(s.Lang), docs.in(s.Lang))
	if organisation(s.R.Service) {
		msg += txtInPersonOrg.in(s.Lang)
	}
	return goapp.Section().ID("in-person").Aria("labelledby", "in-person-title").Body(
		goapp.H2().ID("in-person-title").Text(txtInPersonTitle.in(s.Lang)),
		goapp.P().Text(msg),
	)
}

func (s *stepEnd) Render() goapp.UI {
	switch wire.State(s.R.State) {
	case wire.StateDelivered:
		return goapp.Section().ID("step-end").DataSet("outcome", s.R.State).Body(
			goapp.H1().Text(text{"Ваша электронная подпись готова", "Your electronic signature is ready"}.in(s.Lang)),
			s.next(),
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
			s.anotherButton(text{"Продлить другой сертификат", "Renew another certificate"}),
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
			goapp.If(wire.State(s.R.State) == wire.StateRejected, func() goapp.UI { return s.instead() }),
			s.anotherButton(text{"Начать новую заявку", "Start a new application"}),
			goapp.P().Body(goapp.A().Href(PathHome).Text(txtBack.in(s.Lang))),
		)
	}
}
