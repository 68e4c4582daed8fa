package app

import (
	"crypto/x509/pkix"
	"encoding/binary"
	"fmt"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
	"renewal/app/wire"
)

// stepKey makes the new key and the request for the certificate (Step 9
// of the Russian source): the carrier is this browser (a key that cannot
// be copied out, kept in IndexedDB) or a password-protected file; the
// person moves the mouse and presses keys until the bar is green. In
// Belarus the person may instead import a request file made by their own
// tool. Then the page waits for the certificate.
type stepKey struct {
	goapp.Compo
	StepProps

	carrier string // browser or file
	alg     browsercrypto.KeyAlgorithm
	pool    browsercrypto.EntropyPool
	follower
	action
}

func (s *stepKey) OnMount(ctx goapp.Context) {
	s.carrier, s.alg = "browser", browsercrypto.DefaultAlgorithm
	// Follows the issuance once the request is in.
	s.follow(ctx, time.Second, func(ctx goapp.Context, r *wire.Renewal) {
		if r.State != s.R.State || r.Request != s.R.Request {
			s.Update(ctx, r)
		}
	})
}

// stir feeds a pointer move or a key press to the entropy pool: its
// position or code and the time, never the character typed.
func (s *stepKey) stir(ctx goapp.Context, e goapp.Event) {
	// A mouse event has no keyCode and a key event no clientX: an
	// absent field counts as 0 (Int on undefined panics and ends the app).
	num := func(name string) int {
		if v := e.Get(name); v.Type() == goapp.TypeNumber {
			return v.Int()
		}
		return 0
	}
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(num("clientX")))
	binary.LittleEndian.PutUint64(b[8:], uint64(num("clientY")^num("keyCode")<<16))
	binary.LittleEndian.PutUint64(b[16:], uint64(time.Now().UnixNano()))
	s.pool.Add(b[:])
}

func (s *stepKey) generate(ctx goapp.Context, e goapp.Event) {
	csrf, appID, carrier, alg, keys := s.R.CSRFToken, s.R.ID, s.carrier, s.alg, s.Keys
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		signer, err := browsercrypto.GenerateKey(ctx, alg, carrier == "file")
		if err != nil {
			return nil, err
		}
		if carrier == "browser" {
			if err := browsercrypto.StoreKey(ctx, keyName(appID), signer, nil); err != nil {
				return nil, err
			}
		}
		keys.New, keys.NewCarrier = signer, carrier
		csr, err := browsercrypto.CreateRequest(signer, pkix.Name{})
		if err != nil {
			return nil, err
		}
		var r wire.Renewal
		err = sendJSON(ctx, "POST", "/api/v1/renewal/request", csrf, wire.CertificateRequest{CSR: csr}, &r)
		return &r, err
	})
}

func (s *stepKey) importRequest(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	csrf := s.R.CSRFToken
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		data, _, err := chosenFile(ctx, "request-file")
		if err != nil {
			return nil, err
		}
		var r wire.Renewal
		err = sendJSON(ctx, "POST", "/api/v1/renewal/request", csrf, wire.CertificateRequest{CSR: data}, &r)
		return &r, err
	})
}

func (s *stepKey) Render() goapp.UI {
	if s.R.Request {
		return goapp.Section().ID("step-key").DataSet("waiting", true).Body(
			goapp.H1().Text(text{"Выпуск сертификата", "Issuing the certificate"}.in(s.Lang)),
			goapp.P().Class("lead").Aria("live", "polite").Text(text{
				"Запрос принят. Сертификат выпускается — обычно это занимает несколько секунд; страница обновится сама.",
				"The request is in. The certificate is being issued — usually within seconds; the page updates by itself."}.in(s.Lang)),
		)
	}
	bits := s.pool.Bits()
	percent := bits * 100 / browsercrypto.FullBits
	if percent > 100 {
		percent = 100
	}
	radio := func(name, id, value, label string, checked bool, set func()) goapp.UI {
		return goapp.Div().Class("choice").Body(
			goapp.Input().Type("radio").Name(name).ID(id).Value(value).Checked(checked).
				OnChange(func(ctx goapp.Context, e goapp.Event) { set() }),
			goapp.Label().For(id).Text(label),
		)
	}
	return goapp.Section().ID("step-key").Body(
		goapp.H1().Text(text{"Создание ключа", "Creating the key"}.in(s.Lang)),
		goapp.FieldSet().Body(
			goapp.Legend().Text(text{"Где хранить новый ключ", "Where to keep the new key"}.in(s.Lang)),
			radio("carrier", "carrier-browser", "browser", text{"В этом браузере (ключ нельзя скопировать)", "In this browser (the key cannot be copied out)"}.in(s.Lang),
				s.carrier == "browser", func() { s.carrier = "browser" }),
			radio("carrier", "carrier-file", "file", text{"В файле с паролем (.p12), который вы сохраните", "In a password-protected file (.p12) you save"}.in(s.Lang),
				s.carrier == "file", func() { s.carrier = "file" }),
		),
		goapp.FieldSet().Body(
			goapp.Legend().Text(text{"Алгоритм", "Algorithm"}.in(s.Lang)),
			radio("alg", "alg-p256", string(browsercrypto.AlgECDSAP256), "ECDSA P-256", s.alg == browsercrypto.AlgECDSAP256, func() { s.alg = browsercrypto.AlgECDSAP256 }),
			radio("alg", "alg-rsa", string(browsercrypto.AlgRSA2048), "RSA-2048", s.alg == browsercrypto.AlgRSA2048, func() { s.alg = browsercrypto.AlgRSA2048 }),
		),
		goapp.Div().ID("entropy").Class("entropy").TabIndex(0).
			Aria("label", text{"Поле случайных движений", "Random movement area"}.in(s.Lang)).
			OnMouseMove(s.stir).OnKeyDown(s.stir).On("pointermove", s.stir).Body(
			goapp.P().Text(text{
				"Перемещайте мышь по этому полю или нажимайте клавиши, пока полоса не станет зелёной.",
				"Move the mouse over this area or press keys until the bar turns green."}.in(s.Lang)),
			goapp.Progress().ID("entropy-bar").Max(100).Value(percent).Class(map[bool]string{true: "full", false: ""}[s.pool.Full()]).
				Aria("label", fmt.Sprintf("%d%%", percent)),
		),
		s.errorBox(s.Lang),
		goapp.Button().ID("generate-key").Type("button").Disabled(s.busy || !s.pool.Full()).Aria("busy", s.busy).
			OnClick(s.generate).Text(text{"Создать ключ и запрос", "Create the key and the request"}.in(s.Lang)),
		goapp.If(s.R.Jurisdiction == "BY", func() goapp.UI {
			return goapp.Form().ID("request-import").OnSubmit(s.importRequest).Body(
				goapp.H2().Text(text{"Или импортируйте файл запроса", "Or import a request file"}.in(s.Lang)),
				field("request-file", text{"Файл запроса PKCS#10 (.csr, .req, .p10)", "PKCS#10 request file (.csr, .req, .p10)"}, s.Lang,
					goapp.Input().ID("request-file").Type("file").Accept(".csr,.req,.p10,.pem,.der"), "", ""),
				submit("import-request", text{"Отправить запрос", "Send the request"}, s.Lang, s.busy),
			)
		}),
	)
}
