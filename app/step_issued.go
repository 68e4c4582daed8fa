package app

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
	"renewal/app/dates"
	"renewal/app/wire"
)

// newCertificate fetches the issued certificate and its issuing CA.
func newCertificate(ctx goapp.Context) (*x509.Certificate, []*x509.Certificate, error) {
	b, err := getBytes(ctx, "/api/v1/renewal/certificate.pem")
	if err != nil {
		return nil, nil, err
	}
	var certs []*x509.Certificate
	for rest := b; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, nil, errors.New("no certificate in the answer")
	}
	return certs[0], certs[1:], nil
}

// newKey finds the new key: in memory, or kept in this browser.
func newKey(ctx goapp.Context, keys *Keys, appID string) (browsercrypto.Signer, error) {
	if keys.New != nil {
		return keys.New, nil
	}
	s, _, err := browsercrypto.LoadKey(ctx, keyName(appID))
	if err != nil {
		return nil, errNewKeyLost
	}
	keys.New, keys.NewCarrier = s, "browser"
	return s, nil
}

var errNewKeyLost = errors.New("the new key is not in this browser")

// stepIssued shows the new certificate's form; the person acknowledges it
// with a signature made by the NEW key (Step 11 of the Russian source).
type stepIssued struct {
	goapp.Compo
	StepProps
	read bool
	action
	ctx goapp.Context // the step's own: the key picker is gone when the answer comes
}

func (s *stepIssued) OnMount(ctx goapp.Context) { s.ctx = ctx }

func (s *stepIssued) acknowledge(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	s.ack(ctx)
}

func (s *stepIssued) ack(ctx goapp.Context) {
	csrf, keys, appID := s.R.CSRFToken, s.Keys, s.R.ID
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		key, err := newKey(ctx, keys, appID)
		if err != nil {
			return nil, err
		}
		cert, chain, err := newCertificate(ctx)
		if err != nil {
			return nil, err
		}
		form, err := getBytes(ctx, "/api/v1/renewal/certificate-form.pdf")
		if err != nil {
			return nil, err
		}
		sig, err := browsercrypto.SignDetached(key, cert, chain, form, time.Now())
		if err != nil {
			return nil, err
		}
		var r wire.Renewal
		err = sendJSON(ctx, "POST", "/api/v1/renewal/acknowledgement", csrf, wire.ApplicationSignature{Signature: sig}, &r)
		return &r, err
	})
}

func (s *stepIssued) Render() goapp.UI {
	return goapp.Section().ID("step-issued").Body(
		goapp.H1().Text(text{"Сертификат выпущен", "The certificate is issued"}.in(s.Lang)),
		applicationLine(s.Lang, s.R),
		goapp.If(s.R.Issued != nil, func() goapp.UI {
			// The serial in groups of four, as the certificate card shows it.
			n, _ := new(big.Int).SetString(s.R.Issued.Serial, 16)
			groups := serialGroups(n)
			return goapp.Dl().Class("cert-card").Body(
				goapp.Div().Class("cert-row").Body(
					goapp.Dt().Text(text{"Серийный номер", "Serial number"}.in(s.Lang)),
					goapp.Dd().Class("cert-serial").Body(goapp.Range(groups).Slice(func(i int) goapp.UI {
						return goapp.Span().Text(groups[i])
					})),
				),
				goapp.Div().Class("cert-row").Body(
					goapp.Dt().Text(text{"Действует до", "Valid until"}.in(s.Lang)),
					goapp.Dd().ID("issued-until").Text(dates.DateTime(s.R.Issued.NotAfter, s.R.Jurisdiction, s.Lang)),
				),
			)
		}),
		goapp.If(s.R.ActNumber != "", func() goapp.UI {
			return goapp.P().Body(goapp.A().ID("act-pdf").Href("/api/v1/renewal/act.pdf").Target("_blank").
				Text(text{"Акт № ", "Act No. "}.in(s.Lang) + s.R.ActNumber + text{" (PDF)", " (PDF)"}.in(s.Lang)))
		}),
		goapp.P().Body(goapp.A().ID("certificate-form").Href("/api/v1/renewal/certificate-form.pdf").Target("_blank").
			Text(text{"Открыть бланк сертификата (PDF)", "Open the certificate form (PDF)"}.in(s.Lang))),
		goapp.Form().OnSubmit(s.acknowledge).Body(
			goapp.Div().Class("choice").Body(
				goapp.Input().Type("checkbox").ID("form-read").Checked(s.read).
					OnChange(func(ctx goapp.Context, e goapp.Event) { s.read = ctx.JSSrc().Get("checked").Bool() }),
				goapp.Label().For("form-read").Text(text{"С бланком сертификата ознакомлен(а)", "I have read the certificate form"}.in(s.Lang)),
			),
			goapp.If(s.err == nil || !errors.Is(s.err, errNewKeyLost), func() goapp.UI { return s.errorBox(s.Lang) }),
			submit("acknowledge", text{"Подписать бланк новым ключом", "Sign the form with the new key"}, s.Lang, s.busy, !s.read),
		),
		// The key is elsewhere (the request came from the person's own
		// tool, or another browser made it): open it from its file.
		goapp.If(s.err != nil && errors.Is(s.err, errNewKeyLost), func() goapp.UI {
			return goapp.Div().ID("new-key").Body(
				goapp.P().Text(text{
					"Новый ключ не в этом браузере. Откройте файл нового ключа с выпущенным сертификатом (.p12) — или откройте страницу в том браузере, где создавали ключ.",
					"The new key is not in this browser. Open the new key's file with the issued certificate (.p12) — or open the page in the browser where you created the key."}.in(s.Lang)),
				&keyPicker{Lang: s.Lang, Busy: s.busy, OnOpen: func(_ goapp.Context, k browsercrypto.Signer, _ *x509.Certificate, _ []*x509.Certificate) {
					s.Keys.New, s.Keys.NewCarrier = k, "file-own"
					// In the step's context, not the picker's: the picker
					// leaves the screen as the request starts, and go-app
					// drops what a dismounted component dispatches, so the
					// answer would never arrive ("Please wait…" for ever).
					s.ack(s.ctx)
				}},
			)
		}),
	)
}
