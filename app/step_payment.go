package app

import (
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/dates"
	"renewal/app/wire"
)

// stepPayment pays for the renewal (Step 8 of the Russian source): by
// card on the gateway's page, by ERIP code (Belarus), or by bank invoice,
// which arrives in 2-3 days; the page follows the state by itself.
type stepPayment struct {
	goapp.Compo
	StepProps
	follower
	action
	// editing: the receipt e-mail's field is open; receipt is its value.
	editing bool
	receipt string
}

func (s *stepPayment) OnMount(ctx goapp.Context) {
	s.follow(ctx, 2*time.Second, func(ctx goapp.Context, r *wire.Renewal) {
		if r.State != s.R.State || !samePayment(r.Payment, s.R.Payment) {
			s.Update(ctx, r)
		}
	})
}

func samePayment(a, b *wire.Payment) bool {
	return (a == nil) == (b == nil) && (a == nil || (a.ID == b.ID && a.Status == b.Status))
}

func (s *stepPayment) pay(method wire.PaymentMethod) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		csrf := s.R.CSRFToken
		s.run(ctx, s.Update, func() (*wire.Renewal, error) {
			var r wire.Renewal
			err := sendJSON(ctx, "POST", "/api/v1/renewal/payment", csrf, wire.PaymentStart{Method: string(method)}, &r)
			if err == nil && method == wire.PaymentCard && r.Payment != nil && r.Payment.RedirectURL != "" {
				// The gateway's page is not a page of this app: load it.
				// ctx.Navigate would route it inside the app, which
				// knows no /sandbox/pay/… and shows "Not Found".
				goapp.Window().Get("location").Set("href", r.Payment.RedirectURL)
			}
			return &r, err
		})
	}
}

// saveReceipt sends the receipt's e-mail; the server checks it as it
// checks the contact e-mail and answers with the application.
func (s *stepPayment) saveReceipt(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	csrf, address := s.R.CSRFToken, s.receipt
	s.run(ctx, func(ctx goapp.Context, r *wire.Renewal) {
		s.editing = false
		s.Update(ctx, r)
	}, func() (*wire.Renewal, error) {
		var r wire.Renewal
		err := sendJSON(ctx, "PUT", "/api/v1/renewal/receipt-email", csrf, wire.ReceiptEmail{Email: address}, &r)
		return &r, err
	})
}

// receiptBlock shows where the receipt goes and lets the person change
// it (the source's step 8: "укажите e-mail для получения чека").
func (s *stepPayment) receiptBlock() goapp.UI {
	if !s.editing {
		return goapp.P().ID("receipt").Body(
			goapp.Text(text{"Чек об оплате придёт на ", "The receipt goes to "}.in(s.Lang)),
			goapp.Strong().ID("receipt-to").Text(s.R.ReceiptEmail),
			goapp.Text(" "),
			goapp.Button().Type("button").ID("receipt-change").Class("link-button secondary").Disabled(s.busy).
				OnClick(func(ctx goapp.Context, e goapp.Event) { s.editing, s.receipt = true, s.R.ReceiptEmail }).
				Text(text{"Изменить", "Change"}.in(s.Lang)),
		)
	}
	// The server checks the address (and answers in the page's
	// language); the browser's own check would speak the browser's.
	return goapp.Form().ID("receipt-form").NoValidate(true).OnSubmit(s.saveReceipt).Body(
		goapp.Label().For("receipt-email").Text(text{"E-mail для получения чека", "E-mail for the receipt"}.in(s.Lang)),
		goapp.Div().Class("row").Body(
			goapp.Input().Type("email").ID("receipt-email").Attr("autocomplete", "email").Required(true).Value(s.receipt).
				OnInput(func(ctx goapp.Context, e goapp.Event) { s.receipt = inputValue(ctx) }),
			submit("receipt-save", text{"Сохранить", "Save"}, s.Lang, s.busy, s.receipt == ""),
		),
	)
}

func (s *stepPayment) Render() goapp.UI {
	p := s.R.Payment
	// The method of the payment under way is marked, on the server's
	// word: it stays marked after a reload or on another device.
	chosen := wire.PaymentMethod("")
	if p != nil && wire.PaymentStatus(p.Status) == wire.PaymentPending {
		chosen = wire.PaymentMethod(p.Method)
	}
	methods := []struct {
		id   wire.PaymentMethod
		name text
	}{
		{wire.PaymentCard, text{"Банковской картой", "By card"}},
		{wire.PaymentInvoice, text{"По счёту (2–3 дня)", "By invoice (2–3 days)"}},
	}
	if s.R.Jurisdiction == "BY" {
		methods = []struct {
			id   wire.PaymentMethod
			name text
		}{
			{wire.PaymentCard, text{"Картой (Assist)", "By card (Assist)"}},
			{wire.PaymentERIP, text{"Через ЕРИП", "Through ERIP"}},
			{wire.PaymentInvoice, text{"Через клиент-банк по счёту", "By invoice through client-bank"}},
		}
	}
	return goapp.Section().ID("step-payment").Body(
		goapp.H1().Text(text{"Оплата", "Payment"}.in(s.Lang)),
		applicationLine(s.Lang, s.R),
		goapp.If(s.R.Amount != nil, func() goapp.UI {
			return goapp.P().Class("lead").Text(text{"К оплате: ", "To pay: "}.in(s.Lang) + s.R.Amount.Text)
		}),
		tariffLine(s.Lang, s.R),
		s.receiptBlock(),
		goapp.If(p != nil && wire.PaymentStatus(p.Status) == wire.PaymentPending && wire.PaymentMethod(p.Method) == wire.PaymentERIP, func() goapp.UI {
			return goapp.Div().ID("erip").Class("notice").Body(
				goapp.P().Text(text{"Оплатите в любом банке, интернет-банке или инфокиоске:", "Pay at any bank, internet bank or kiosk:"}.in(s.Lang)),
				goapp.P().Text(pick(s.Lang, p.ERIPPath, p.ERIPPathEN)),
				goapp.P().Body(goapp.Text(text{"Код платежа: ", "Payment code: "}.in(s.Lang)), goapp.Strong().ID("erip-code").Text(p.ERIPCode)),
			)
		}),
		goapp.If(p != nil && wire.PaymentStatus(p.Status) == wire.PaymentPending && wire.PaymentMethod(p.Method) == wire.PaymentInvoice, func() goapp.UI {
			return goapp.Div().ID("invoice").Class("notice").Body(
				goapp.P().Body(goapp.Text(text{"Счёт № ", "Invoice No. "}.in(s.Lang)), goapp.Strong().Text(p.InvoiceNumber)),
				goapp.P().Body(goapp.A().ID("invoice-pdf").Href("/api/v1/renewal/invoice.pdf").Target("_blank").Text(text{"Открыть счёт (PDF)", "Open the invoice (PDF)"}.in(s.Lang))),
				goapp.P().Text(text{
					"Платёж по счёту обычно идёт 2–3 дня. Страницу можно закрыть: когда оплата поступит, ссылка для продолжения придёт на " + s.R.Email + ".",
					"A bank transfer usually takes 2–3 days. You may close the page: when the payment arrives, a link to continue goes to " + s.R.Email + "."}.in(s.Lang)),
				goapp.P().Text(text{"Счёт выставлен ", "Invoice of "}.in(s.Lang)+dates.DateTime(p.CreatedAt, s.R.Jurisdiction, s.Lang)),
			)
		}),
		goapp.If(p != nil && (wire.PaymentStatus(p.Status) == wire.PaymentFailed || wire.PaymentStatus(p.Status) == wire.PaymentRefunded), func() goapp.UI {
			return goapp.Div().Class("problem").Body(goapp.P().Text(text{"Оплата не прошла. Попробуйте ещё раз или выберите другой способ.", "The payment did not go through. Try again or choose another method."}.in(s.Lang)))
		}),
		goapp.Div().Class("actions").Role("group").Aria("label", text{"Способ оплаты", "Payment method"}.in(s.Lang)).Body(goapp.Range(methods).Slice(func(i int) goapp.UI {
			m := methods[i]
			on := m.id == chosen
			b := goapp.Button().ID("pay-"+string(m.id)).Type("button").Disabled(s.busy).OnClick(s.pay(m.id)).
				Aria("pressed", on)
			if on {
				// A mark a person sees, not only a colour: "✓" and the words.
				return b.Class("method chosen").Body(goapp.Span().Aria("hidden", true).Text("✓ "), goapp.Text(m.name.in(s.Lang)),
					goapp.Span().Class("method-state").Text(text{" — выбран", " — chosen"}.in(s.Lang)))
			}
			return b.Class("method").Text(m.name.in(s.Lang))
		})),
		s.errorBox(s.Lang),
	)
}
