package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
	"renewal/app/wire"
)

// stepSave writes the signature where the person keeps it (Step 12 of
// the Russian source): the key in this browser gets its certificate, or
// the key and certificate are saved as a password-protected file.
type stepSave struct {
	goapp.Compo
	StepProps
	password string
	repeat   string // the password typed again: it cannot be recovered
	action
}

const minFilePassword = 12

func (s *stepSave) save(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	csrf, keys, appID, password := s.R.CSRFToken, s.Keys, s.R.ID, s.password
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		key, err := newKey(ctx, keys, appID)
		if err != nil {
			return nil, err
		}
		cert, chain, err := newCertificate(ctx)
		if err != nil {
			return nil, err
		}
		switch keys.NewCarrier {
		case "file-own": // the person's own key file: they add the certificate with their tool
		case "file":
			p12, err := browsercrypto.ExportPKCS12(ctx, key, cert, chain, password)
			if err != nil {
				return nil, err
			}
			offerDownload("signature-"+cert.SerialNumber.Text(16)+".p12", "application/x-pkcs12", p12)
			// The file has it now: the extractable copy leaves the browser.
			_ = browsercrypto.DeleteKey(ctx, fileKeyName(appID))
		default:
			if err := browsercrypto.SetCertificate(ctx, keyName(appID), cert.Raw); err != nil {
				return nil, err
			}
		}
		var r wire.Renewal
		err = sendJSON(ctx, "POST", "/api/v1/renewal/delivered", csrf, nil, &r)
		return &r, err
	})
}

// saveLabel says what the button does with this carrier.
func (s *stepSave) saveLabel() text {
	switch s.Keys.NewCarrier {
	case "file":
		return text{"Скачать файл подписи (.p12)", "Download the signature file (.p12)"}
	case "file-own":
		return text{"Готово: сертификат у меня", "Done: I have the certificate"}
	default:
		return text{"Сохранить сертификат в этом браузере", "Keep the certificate in this browser"}
	}
}

func (s *stepSave) Render() goapp.UI {
	file := s.Keys.NewCarrier == "file"
	return goapp.Section().ID("step-save").Body(
		goapp.H1().Text(text{"Сохранение подписи", "Saving the signature"}.in(s.Lang)),
		goapp.Form().OnSubmit(s.save).Body(
			goapp.If(file, func() goapp.UI {
				mismatch := ""
				if s.repeat != "" && s.repeat != s.password {
					mismatch = text{"Пароли не совпадают.", "The passwords do not match."}.in(s.Lang)
				}
				return goapp.Div().Body(
					field("file-password", text{"Пароль файла подписи (не меньше 12 символов)", "Password of the signature file (at least 12 characters)"}, s.Lang,
						goapp.Input().ID("file-password").Type("password").Attr("minlength", minFilePassword).Required(true).Attr("autocomplete", "new-password").
							OnInput(func(ctx goapp.Context, e goapp.Event) { s.password = inputValue(ctx) }),
						text{"Без пароля файл не откроется; восстановить его нельзя.", "The file opens only with this password; it cannot be recovered."}.in(s.Lang), ""),
					field("file-password-repeat", text{"Повторите пароль", "Repeat the password"}, s.Lang,
						goapp.Input().ID("file-password-repeat").Type("password").Required(true).Attr("autocomplete", "new-password").
							OnInput(func(ctx goapp.Context, e goapp.Event) { s.repeat = inputValue(ctx) }),
						"", mismatch),
				)
			}).ElseIf(s.Keys.NewCarrier == "file-own", func() goapp.UI {
				return goapp.P().Text(text{"Скачайте сертификат и добавьте его к своему ключу в своей программе.", "Download the certificate and add it to your key in your own tool."}.in(s.Lang))
			}).Else(func() goapp.UI {
				return goapp.P().Text(text{"Ключ останется в этом браузере вместе с сертификатом.", "The key stays in this browser with its certificate."}.in(s.Lang))
			}),
			s.errorBox(s.Lang),
			submit("save", s.saveLabel(), s.Lang, s.busy, file && (len(s.password) < minFilePassword || s.repeat != s.password)),
		),
		goapp.P().Body(goapp.A().ID("certificate-pem").Href("/api/v1/renewal/certificate.pem").
			Text(text{"Скачать сертификат (PEM)", "Download the certificate (PEM)"}.in(s.Lang))),
	)
}
