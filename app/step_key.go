package app

import (
	"context"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
	"renewal/app/wire"
)

// stepKey makes the new key and the request for the certificate (Step 9
// of the Russian source): the carrier is this browser (a key that cannot
// be copied out, kept in IndexedDB) or a password-protected file, each
// explained in plain words; the key's algorithm is the profile's
// (wire.Renewal.KeyAlgorithm), not the person's choice. The person moves
// the mouse and presses keys until the bar is green. In Belarus the person
// may instead import a request file made by their own tool. Then the page
// waits for the certificate.
//
// A token and the cloud key store are not offered until they work
// (issues 16 and 17): no dead options.
type stepKey struct {
	goapp.Compo
	StepProps

	carrier string // wire.CarrierBrowser or wire.CarrierFile
	pool    browsercrypto.EntropyPool
	follower
	action
}

func (s *stepKey) OnMount(ctx goapp.Context) {
	s.carrier = wire.CarrierBrowser
	if browsercrypto.IsGOST(keyAlgorithm(s.R)) {
		// A GOST key lives in Go, not WebCrypto, so this site's scripts
		// could always read it back: it is the person's in a
		// password-protected file only. (The wizard keeps it encrypted in
		// IndexedDB until that file is saved, app/keys.go, and no longer.)
		s.carrier = wire.CarrierFile
	}
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

// keyAlgorithm is the key to make: the profile's, told by the server.
func keyAlgorithm(r *wire.Renewal) browsercrypto.KeyAlgorithm {
	if r != nil && r.KeyAlgorithm != "" {
		return browsercrypto.KeyAlgorithm(r.KeyAlgorithm)
	}
	return browsercrypto.DefaultAlgorithm
}

// makeKey is the one place the wizard branches on the algorithm: WebCrypto
// makes ECDSA and RSA keys; a GOST key is made in Go from a seed that
// mixes crypto.getRandomValues with the person's movements (pool).
func makeKey(ctx context.Context, alg browsercrypto.KeyAlgorithm, carrier string, pool *browsercrypto.EntropyPool) (browsercrypto.Signer, error) {
	if !browsercrypto.IsGOST(alg) {
		return browsercrypto.GenerateKey(ctx, alg, carrier == wire.CarrierFile)
	}
	if carrier != wire.CarrierFile {
		return nil, errGOSTFileOnly
	}
	seed, err := browsercrypto.GOSTSeed(alg, pool)
	if err != nil {
		return nil, err
	}
	defer clear(seed)
	k, err := browsercrypto.GenerateGOSTKey(alg, seed)
	if err != nil {
		return nil, err
	}
	return k, nil
}

var errGOSTFileOnly = errors.New("a GOST key is saved to a password-protected file only")

func (s *stepKey) generate(ctx goapp.Context, e goapp.Event) {
	csrf, appID, carrier, alg, keys := s.R.CSRFToken, s.R.ID, s.carrier, keyAlgorithm(s.R), s.Keys
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		signer, err := makeKey(ctx, alg, carrier, &s.pool)
		if err != nil {
			return nil, err
		}
		switch carrier {
		case wire.CarrierBrowser:
			// A key of an earlier try whose request was refused is no
			// one's: replace it.
			_ = browsercrypto.DeleteKey(ctx, keyName(appID))
			if err := browsercrypto.StoreKey(ctx, keyName(appID), signer, nil); err != nil {
				return nil, err
			}
		case wire.CarrierFile:
			// Kept until the file is saved, so a reload before that does
			// not lose the key of an issued certificate.
			keys.newKeepErr = browsercrypto.KeepForFile(ctx, fileKeyName(appID), signer)
		}
		keys.New, keys.NewCarrier = signer, carrier
		csr, err := browsercrypto.CreateRequest(signer, pkix.Name{})
		if err != nil {
			return nil, err
		}
		var r wire.Renewal
		err = sendJSON(ctx, "POST", "/api/v1/renewal/request", csrf, wire.CertificateRequest{CSR: csr, Carrier: carrier}, &r)
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
		err = sendJSON(ctx, "POST", "/api/v1/renewal/request", csrf, wire.CertificateRequest{CSR: data, Carrier: wire.CarrierRequest}, &r)
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
			goapp.If(s.Keys.NewCarrier == wire.CarrierFile && s.Keys.newKeepErr != nil, func() goapp.UI {
				return goapp.P().ID("file-key-not-kept").Class("notice").Text(text{
					"Этот браузер не может сохранить новый ключ до записи файла: не закрывайте и не перезагружайте страницу, пока не сохраните файл подписи, иначе ключ пропадёт и сертификат придётся выпускать заново.",
					"This browser cannot keep the new key until the file is written: do not close or reload the page before you save the signature file, or the key is lost and the certificate must be issued again."}.in(s.Lang))
			}),
		)
	}
	bits := s.pool.Bits()
	percent := bits * 100 / browsercrypto.FullBits
	if percent > 100 {
		percent = 100
	}
	carrier := func(id, value string, label, explain text) goapp.UI {
		return goapp.Div().Class("choice carrier").Body(
			goapp.Input().Type("radio").Name("carrier").ID(id).Value(value).Checked(s.carrier == value).
				Aria("describedby", id+"-explain").
				OnChange(func(ctx goapp.Context, e goapp.Event) { s.carrier = value }),
			goapp.Label().For(id).Body(
				goapp.Strong().Text(label.in(s.Lang)),
				goapp.Span().ID(id+"-explain").Class("hint").Text(" "+explain.in(s.Lang)),
			),
		)
	}
	gost := browsercrypto.IsGOST(keyAlgorithm(s.R))
	return goapp.Section().ID("step-key").DataSet("key-algorithm", string(keyAlgorithm(s.R))).Body(
		goapp.H1().Text(text{"Создание ключа", "Creating the key"}.in(s.Lang)),
		goapp.If(gost, func() goapp.UI {
			// True of a GOST key only: WebCrypto keys take no outside entropy.
			return goapp.P().ID("gost-key-explain").Class("hint").Text(text{
				"Ключ ГОСТ Р 34.10-2012 создаёт эта страница: из случайных чисел браузера вместе с вашими движениями мыши и нажатиями клавиш. Браузер не умеет хранить ключ ГОСТ так, чтобы его нельзя было скопировать, поэтому ключ сохраняется только в файл, и защищает его пароль, который вы зададите.",
				"This page makes the GOST R 34.10-2012 key: from the browser's random numbers together with your mouse movements and key presses. A browser cannot keep a GOST key so that it cannot be copied, so the key is saved to a file only, protected by a password you choose."}.in(s.Lang))
		}),
		goapp.FieldSet().Body(
			goapp.Legend().Text(text{"Где хранить новый ключ", "Where to keep the new key"}.in(s.Lang)),
			goapp.If(!gost, func() goapp.UI {
				return carrier("carrier-browser", wire.CarrierBrowser,
					text{"В этом браузере", "In this browser"},
					text{"Ключ нельзя скопировать из браузера: подписывать им можно только здесь, в этом браузере на этом компьютере. На Госуслугах, торговых площадках, в программах сдачи отчётности и на другом компьютере он работать не будет. Берегите доступ к компьютеру и не очищайте данные этого сайта в браузере — с ними пропадёт и ключ.",
						"The key cannot be copied out of the browser: it signs only here, in this browser on this computer. It will not work on Gosuslugi, trading platforms, in tax reporting programs or on another computer. Guard access to the computer and do not clear this site's data in the browser — the key goes with it."})
			}),
			carrier("carrier-file", wire.CarrierFile,
				text{"В файле с паролем (.p12)", "In a password-protected file (.p12)"},
				text{"Вы сохраните файл ключа с сертификатом под паролем. Его можно перенести на другой компьютер или записать на токен и подписывать в других программах. Храните файл и пароль отдельно друг от друга и в надёжном месте: кто получит оба, сможет подписывать от вашего имени.",
					"You save the key with its certificate in a password-protected file. It can be moved to another computer or put on a token, and used by other programs. Keep the file and the password apart and safe: whoever gets both can sign in your name."}),
		),
		goapp.Div().ID("entropy").Class("entropy").TabIndex(0).
			Aria("label", text{"Поле случайных движений", "Random movement area"}.in(s.Lang)).
			OnMouseMove(s.stir).OnKeyDown(s.stir).On("pointermove", s.stir).Body(
			goapp.P().Text(text{
				"Перемещайте мышь или водите пальцем по этому полю, или нажимайте клавиши, пока полоса не станет зелёной.",
				"Move the mouse or your finger over this area, or press keys, until the bar turns green."}.in(s.Lang)),
			goapp.Progress().ID("entropy-bar").Max(100).Value(percent).Class(map[bool]string{true: "full", false: ""}[s.pool.Full()]).
				Aria("label", fmt.Sprintf("%d%%", percent)),
		),
		s.errorBox(s.Lang),
		goapp.Button().ID("generate-key").Type("button").Disabled(s.busy || !s.pool.Full()).Aria("busy", s.busy).
			OnClick(s.generate).Text(text{"Создать ключ и запрос", "Create the key and the request"}.in(s.Lang)),
		goapp.If(s.R.Jurisdiction == "BY", func() goapp.UI {
			return goapp.Form().ID("request-import").OnSubmit(s.importRequest).Body(
				goapp.H2().Text(text{"Или импортируйте файл запроса", "Or import a request file"}.in(s.Lang)),
				&filePicker{ID: "request-file", Accept: ".csr,.req,.p10,.pem,.der", Lang: s.Lang,
					Label: text{"Файл запроса PKCS#10 (.csr, .req, .p10)", "PKCS#10 request file (.csr, .req, .p10)"}},
				submit("import-request", text{"Отправить запрос", "Send the request"}, s.Lang, s.busy),
			)
		}),
	)
}
