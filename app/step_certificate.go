package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
	"renewal/app/wire"
)

// stepCertificate proves the current certificate (Steps 2 and 3 of the
// Russian source: choose the signature, test it): the person opens it,
// the browser signs the server's challenge with its key, and the server
// checks both. Nothing of the key or the file leaves the browser.
//
// Between opening and signing, the step shows the certificate's data on a
// card (the source's step 2: the person checks it on screen); only
// "The data is right, sign" makes the test signature and sends the proof.
type stepCertificate struct {
	goapp.Compo
	StepProps
	action

	opened *openedKey // shown on the card, not yet used
}

// openedKey is a key the person opened but has not yet confirmed.
type openedKey struct {
	signer browsercrypto.Signer
	cert   *x509.Certificate
	chain  []*x509.Certificate
}

func (s *stepCertificate) show(ctx goapp.Context, k browsercrypto.Signer, c *x509.Certificate, chain []*x509.Certificate) {
	s.opened, s.err = &openedKey{k, c, chain}, nil
}

// confirm uses the shown key as the current one and proves it.
func (s *stepCertificate) confirm(ctx goapp.Context, e goapp.Event) {
	if s.opened == nil {
		return
	}
	o := s.opened
	s.Keys.useCurrent(s.prove)(ctx, o.signer, o.cert, o.chain)
}

// other forgets the shown key and returns to the picker.
func (s *stepCertificate) other(ctx goapp.Context, e goapp.Event) {
	if s.busy {
		return
	}
	s.opened, s.err = nil, nil
}

func (s *stepCertificate) prove(ctx goapp.Context) {
	csrf, keys, appID := s.R.CSRFToken, s.Keys, s.R.ID
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		var ch wire.Challenge
		if err := sendJSON(ctx, "POST", "/api/v1/renewal/challenge", csrf, nil, &ch); err != nil {
			return nil, err
		}
		sig, err := browsercrypto.SignChallenge(keys.Current, ch.Message)
		if err != nil {
			return nil, err
		}
		p := wire.Proof{ChallengeID: ch.ID, Certificate: keys.CurrentCert.Raw, Signature: sig}
		for _, c := range keys.CurrentChain {
			p.Chain = append(p.Chain, c.Raw)
		}
		var r wire.Renewal
		if err := sendJSON(ctx, "POST", "/api/v1/renewal/proof", csrf, p, &r); err != nil {
			return nil, err
		}
		// Proven: keep it for this application, so that a reload at a
		// later step still signs without the file (replaces another
		// certificate proven before).
		keys.keepCurrent(ctx, appID)
		return &r, nil
	})
}

func (s *stepCertificate) Render() goapp.UI {
	lead := text{
		"Выберите действующий сертификат, который хотите продлить. Система проверит подпись: браузер подпишет запрос сервера ключом сертификата. Файл и пароль не покидают ваш компьютер.",
		"Choose the current certificate you want to renew. The system tests the signature: the browser signs the server's request with the certificate's key. The file and the password never leave your computer."}
	if wire.State(s.R.State) != wire.StateContactsVerified {
		lead = text{
			"Чтобы продолжить оформление, подтвердите тот же сертификат, с которого начали.",
			"To continue the application, prove the same certificate you started with."}
	}
	if s.opened != nil {
		return goapp.Section().ID("step-certificate").Body(
			goapp.H1().Text(text{"Действующий сертификат", "Your current certificate"}.in(s.Lang)),
			goapp.P().Class("lead").Text(text{
				"Проверьте данные сертификата. Если всё верно, браузер подпишет им запрос сервера.",
				"Check the certificate's data. If it is right, the browser signs the server's request with it."}.in(s.Lang)),
			certCard(s.Lang, certificateFacts(s.opened.cert, s.Lang, time.Now())),
			s.errorBox(s.Lang),
			// Once the server has refused this certificate, signing it again
			// is no way on: another certificate, or another service, is.
			goapp.If(code(s.err) != "", func() goapp.UI {
				return goapp.Div().Class("actions").Body(
					goapp.Button().ID("cert-other").Type("button").OnClick(s.other).
						Text(text{"Выбрать другой сертификат", "Choose another certificate"}.in(s.Lang)),
					goapp.A().ID("cert-services").Href(PathHome).Text(txtBack.in(s.Lang)),
				)
			}).Else(func() goapp.UI {
				return goapp.Div().Class("actions").Body(
					goapp.Button().ID("cert-confirm").Type("button").Disabled(s.busy).Aria("busy", s.busy).OnClick(s.confirm).
						Text(map[bool]text{true: txtWorking, false: {"Данные верны, подписать", "The data is right, sign"}}[s.busy].in(s.Lang)),
					goapp.Button().ID("cert-other").Type("button").Class("link-button secondary").Disabled(s.busy).OnClick(s.other).
						Text(text{"Другой сертификат", "Another certificate"}.in(s.Lang)),
				)
			}),
		)
	}
	return goapp.Section().ID("step-certificate").Body(
		goapp.H1().Text(text{"Действующий сертификат", "Your current certificate"}.in(s.Lang)),
		goapp.P().Class("lead").Text(lead.in(s.Lang)),
		&keyPicker{Lang: s.Lang, Busy: s.busy, OnOpen: s.show, OpenLabel: text{"Открыть", "Open"}},
		s.errorBox(s.Lang),
	)
}

// keyPicker opens a certificate and its key: from a PKCS#12 file
// (.p12/.pfx) or from the keys kept in this browser, and hands them to
// OnOpen.
type keyPicker struct {
	goapp.Compo
	Lang   string
	Busy   bool
	OnOpen func(goapp.Context, browsercrypto.Signer, *x509.Certificate, []*x509.Certificate)
	// OpenLabel names the open button; empty means "Open and sign".
	OpenLabel text

	password string
	stored   []browsercrypto.StoredKey
	entries  []browsercrypto.Opened // a key store's keys, to choose from
	opening  bool
	err      error
}

func (k *keyPicker) OnMount(ctx goapp.Context) {
	ctx.Async(func() {
		keys, _ := browsercrypto.ListKeys(ctx) // none, or no IndexedDB: only the file
		ctx.Dispatch(func(ctx goapp.Context) { k.stored = withCertificates(keys) })
	})
}

func withCertificates(keys []browsercrypto.StoredKey) []browsercrypto.StoredKey {
	var out []browsercrypto.StoredKey
	for _, s := range keys {
		if len(s.CertDER) > 0 && ownKey(s.Name) {
			out = append(out, s)
		}
	}
	return out
}

func (k *keyPicker) openFile(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	if k.opening {
		return
	}
	k.opening, k.err, k.entries = true, nil, nil
	password := k.password
	ctx.Async(func() {
		var all []browsercrypto.Opened
		data, _, err := chosenFile(ctx, "p12-file")
		if err != nil {
			err = errFileNotChosen
		} else {
			all, err = browsercrypto.OpenPKCS12Entries(ctx, data, password)
		}
		ctx.Dispatch(func(ctx goapp.Context) {
			k.opening, k.err = false, err
			switch {
			case err != nil:
			case len(all) == 1:
				k.opened(ctx, all[0])
			default: // a key store: the person chooses the signature
				k.entries = all
			}
		})
	})
}

func (k *keyPicker) opened(ctx goapp.Context, o browsercrypto.Opened) {
	k.entries = nil
	if k.OnOpen != nil {
		k.OnOpen(ctx, o.Signer, o.Cert, o.Chain)
	}
}

// entryList shows a key store's signatures: owner, issuer, valid to;
// expired or not yet valid ones are shown, marked.
func (k *keyPicker) entryList() goapp.UI {
	now := time.Now()
	return goapp.Div().ID("p12-entries").Body(
		goapp.H2().Text(text{"В файле несколько подписей", "The file holds several signatures"}.in(k.Lang)),
		goapp.P().Text(text{"Выберите из списка нужную подпись.", "Choose the signature from the list."}.in(k.Lang)),
		goapp.Ul().Class("services").Body(goapp.Range(k.entries).Slice(func(i int) goapp.UI {
			c := k.entries[i].Cert
			mark := ""
			switch {
			case now.After(c.NotAfter):
				mark = text{"срок действия истёк", "expired"}.in(k.Lang)
			case now.Before(c.NotBefore):
				mark = text{"ещё не действует", "not yet valid"}.in(k.Lang)
			}
			o := k.entries[i]
			return goapp.Li().Body(goapp.Button().Type("button").Class("service").ID(fmt.Sprintf("p12-entry-%d", i)).
				DataSet("expired", mark != "").OnClick(func(ctx goapp.Context, e goapp.Event) { k.opened(ctx, o) }).Body(
				goapp.Strong().Class("entry-owner").Text(c.Subject.CommonName),
				goapp.Span().Class("entry-issuer").Text(text{"Выдан: ", "Issued by: "}.in(k.Lang)+c.Issuer.CommonName),
				goapp.Span().Class("entry-until").Text(text{"Действует до ", "Valid until "}.in(k.Lang)+c.NotAfter.Format("02.01.2006")),
				// In the button's own colour: red on the button's blue
				// would fail the contrast check.
				goapp.If(mark != "", func() goapp.UI { return goapp.Strong().Class("entry-mark").Text("⚠ " + mark) }),
			))
		})),
		goapp.Button().ID("p12-entries-back").Type("button").Class("link-button secondary").
			OnClick(func(ctx goapp.Context, e goapp.Event) { k.entries = nil }).
			Text(text{"Другой файл", "Another file"}.in(k.Lang)),
	)
}

func (k *keyPicker) openStored(name string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		k.open(ctx, func(c context.Context) (browsercrypto.Signer, *x509.Certificate, []*x509.Certificate, error) {
			signer, der, err := browsercrypto.LoadKey(c, name)
			if err != nil {
				return nil, nil, nil, err
			}
			cert, err := x509.ParseCertificate(der)
			return signer, cert, nil, err
		})
	}
}

func (k *keyPicker) open(ctx goapp.Context, f func(context.Context) (browsercrypto.Signer, *x509.Certificate, []*x509.Certificate, error)) {
	if k.opening {
		return
	}
	k.opening, k.err = true, nil
	ctx.Async(func() {
		signer, cert, chain, err := f(ctx)
		ctx.Dispatch(func(ctx goapp.Context) {
			k.opening, k.err = false, err
			if err != nil {
				return
			}
			if k.OnOpen != nil {
				k.OnOpen(ctx, signer, cert, chain)
			}
		})
	})
}

func (k *keyPicker) openLabel() text {
	if k.OpenLabel == (text{}) {
		return text{"Открыть и подписать", "Open and sign"}
	}
	return k.OpenLabel
}

var errFileNotChosen = errors.New("no file chosen")

// keyError says in words why a key did not open.
func keyError(lang string, err error) string {
	switch {
	case errors.Is(err, errFileNotChosen):
		return text{"Выберите файл сертификата (.p12 или .pfx).", "Choose the certificate file (.p12 or .pfx)."}.in(lang)
	case errors.Is(err, browsercrypto.ErrWrongPassword):
		return text{"Неверный пароль файла.", "Wrong password for the file."}.in(lang)
	case errors.Is(err, browsercrypto.ErrBadFile):
		return text{"Этот файл не открывается как файл подписи: он повреждён, это не PKCS#12 (.p12, .pfx) или он сделан алгоритмами, которых браузер не знает. Контейнер ключа КриптоПро — не файл PKCS#12: сначала экспортируйте ключ с сертификатом в .pfx. Выберите файл .p12 или .pfx с ключом ГОСТ Р 34.10-2012, ECDSA или RSA, который выдал удостоверяющий центр или сохранил этот сервис.",
			"This file does not open as a signature file: it is damaged, not a PKCS#12 (.p12, .pfx), or made with algorithms the browser does not know. A CryptoPro key container is not a PKCS#12 file: export the key with its certificate to a .pfx first. Choose a .p12 or .pfx file with a GOST R 34.10-2012, ECDSA or RSA key that your certification centre issued or this service saved."}.in(lang)
	case errors.Is(err, browsercrypto.ErrUnsupportedKey):
		return text{"Ключ в файле этого типа браузер использовать не может (нужен ГОСТ Р 34.10-2012, ECDSA P-256/P-384 или RSA). Выберите другой файл подписи.",
			"The browser cannot use a key of this type (GOST R 34.10-2012, ECDSA P-256/P-384 or RSA is needed). Choose another signature file."}.in(lang)
	case errors.Is(err, browsercrypto.ErrKeyMismatch):
		return text{"В файле нет ключа, к которому относится сертификат: файл собран неверно. Выберите другой файл или сохраните его заново в программе, где создан ключ.",
			"The file has no key for its certificate: it was put together wrongly. Choose another file or export it again from the program that holds the key."}.in(lang)
	default:
		return text{"Не удалось открыть ключ: ", "The key could not be opened: "}.in(lang) + err.Error()
	}
}

func (k *keyPicker) Render() goapp.UI {
	busy := k.Busy || k.opening
	if len(k.entries) > 0 {
		return goapp.Div().ID("key-picker").Body(k.entryList())
	}
	return goapp.Div().ID("key-picker").Body(
		goapp.If(len(k.stored) > 0, func() goapp.UI {
			return goapp.Div().Class("stored-keys").Body(
				goapp.H2().Text(text{"Ключи в этом браузере", "Keys in this browser"}.in(k.Lang)),
				goapp.Ul().Class("services").Body(goapp.Range(k.stored).Slice(func(i int) goapp.UI {
					c, _ := x509.ParseCertificate(k.stored[i].CertDER)
					label := k.stored[i].Name
					if c != nil {
						label = fmt.Sprintf("%s — %s %s", c.Subject.CommonName, text{"до", "until"}.in(k.Lang), c.NotAfter.Format("02.01.2006"))
					}
					return goapp.Li().Body(goapp.Button().Type("button").Class("service").ID("stored-" + k.stored[i].Name).
						Disabled(busy).OnClick(k.openStored(k.stored[i].Name)).Text(label))
				})),
			)
		}),
		goapp.Form().ID("p12-form").OnSubmit(k.openFile).Body(
			&filePicker{ID: "p12-file", Accept: ".p12,.pfx,application/x-pkcs12", Lang: k.Lang,
				Label: text{"Файл сертификата с ключом (.p12, .pfx)", "Certificate file with its key (.p12, .pfx)"}},
			field("p12-password", text{"Пароль файла (ПИН)", "File password (PIN)"}, k.Lang,
				goapp.Input().ID("p12-password").Type("password").Attr("autocomplete", "off").
					OnInput(func(ctx goapp.Context, e goapp.Event) { k.password = inputValue(ctx) }), "", ""),
			goapp.If(k.err != nil, func() goapp.UI {
				return goapp.Div().Class("problem").Aria("live", "assertive").Body(goapp.P().Text(keyError(k.Lang, k.err)))
			}),
			submit("open-key", k.openLabel(), k.Lang, busy),
		),
	)
}
