package app

import (
	"crypto/x509"
	"slices"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
	"renewal/app/dates"
	"renewal/app/wire"
)

// PathApprove is the head's page a link opens.
const PathApprove = "/approve/"

// approvePaid is where the card gateway sends the head back
// (PathApprove+"paid", the server's return URL): not a link token.
const approvePaid = "paid"

// Approval is the head's page (Belarus 6.0.02, Russia's confirmation by
// the head): open the link, prove his own certificate, confirm one or
// many requests with one signature or decline one, and in Belarus pay.
type Approval struct {
	goapp.Compo

	lang    string
	status  status
	err     error
	a       *wire.Approval
	key     browsercrypto.Signer
	cert    *x509.Certificate
	chain   []*x509.Certificate
	chosen  map[string]bool
	reasons map[string]string
	// doc is the confirmation drawn up for the chosen requests, shown in
	// full; only "Подписать" signs it.
	doc *wire.Confirmation
	// signedFor names the employees of the confirmation just signed, so
	// the page says it went through.
	signedFor []string
	action
}

func (p *Approval) OnNav(ctx goapp.Context) {
	p.chosen, p.reasons = map[string]bool{}, map[string]string{}
	if goapp.IsServer {
		return
	}
	token := strings.TrimPrefix(ctx.Page().URL().Path, PathApprove)
	p.status = statusLoading
	ctx.Async(func() {
		var a wire.Approval
		var err error
		if token != "" && token != approvePaid {
			err = sendJSON(ctx, "POST", "/api/v1/approval/open", "", wire.Resume{Token: token}, &a)
		} else {
			err = getJSON(ctx, "/api/v1/approval", &a)
		}
		ctx.Dispatch(func(ctx goapp.Context) {
			if err != nil {
				p.status, p.err = statusFailed, err
				return
			}
			p.status, p.a = statusDone, &a
			goapp.Window().Get("history").Call("replaceState", nil, "", PathApprove)
		})
	})
}

func (p *Approval) OnMount(ctx goapp.Context) { observeLang(ctx, &p.lang) }

func (p *Approval) update(ctx goapp.Context, a *wire.Approval) { p.a = a }

// prove signs the server's challenge with the head's key.
func (p *Approval) prove(ctx goapp.Context, key browsercrypto.Signer, cert *x509.Certificate, chain []*x509.Certificate) {
	p.key, p.cert, p.chain = key, cert, chain
	csrf := p.a.CSRFToken
	p.runApproval(ctx, func() (*wire.Approval, error) {
		var ch wire.Challenge
		if err := sendJSON(ctx, "POST", "/api/v1/approval/challenge", csrf, nil, &ch); err != nil {
			return nil, err
		}
		sig, err := browsercrypto.SignChallenge(key, ch.Message)
		if err != nil {
			return nil, err
		}
		proof := wire.Proof{ChallengeID: ch.ID, Certificate: cert.Raw, Signature: sig}
		for _, c := range chain {
			proof.Chain = append(proof.Chain, c.Raw)
		}
		var a wire.Approval
		err = sendJSON(ctx, "POST", "/api/v1/approval/proof", csrf, proof, &a)
		return &a, err
	})
}

func (p *Approval) runApproval(ctx goapp.Context, f func() (*wire.Approval, error)) {
	if p.busy {
		return
	}
	p.busy, p.err = true, nil
	ctx.Async(func() {
		a, err := f()
		ctx.Dispatch(func(ctx goapp.Context) {
			p.busy, p.action.err = false, err
			if err == nil && a != nil {
				p.a = a
			}
		})
	})
}

// prepare draws up the confirmation of the chosen requests on the server
// and shows it: the head reads the very bytes he will sign.
func (p *Approval) prepare(ctx goapp.Context, e goapp.Event) {
	ids, csrf := p.chosenIDs(), p.a.CSRFToken
	if p.busy {
		return
	}
	p.busy, p.action.err = true, nil
	ctx.Async(func() {
		var c wire.Confirmation
		err := sendJSON(ctx, "POST", "/api/v1/approval/confirmation", csrf, wire.ConfirmationRequest{Applications: ids}, &c)
		ctx.Dispatch(func(ctx goapp.Context) {
			p.busy, p.action.err = false, err
			if err == nil {
				p.doc = &c
			}
		})
	})
}

// sign signs the document shown, as shown.
func (p *Approval) sign(ctx goapp.Context, e goapp.Event) {
	if p.doc == nil {
		return
	}
	c, csrf, key, cert, chain := *p.doc, p.a.CSRFToken, p.key, p.cert, p.chain
	var names []string
	chosen := p.chosenIDs()
	for _, r := range p.a.Requests {
		if slices.Contains(chosen, r.ID) {
			names = append(names, r.Employee)
		}
	}
	p.runApproval(ctx, func() (*wire.Approval, error) {
		sig, err := browsercrypto.SignDetached(key, cert, chain, c.Document, time.Now())
		if err != nil {
			return nil, err
		}
		var a wire.Approval
		err = sendJSON(ctx, "POST", "/api/v1/approval/confirmation/"+c.ID+"/signature", csrf, wire.ConfirmationSignature{Signature: sig}, &a)
		if err == nil {
			ctx.Dispatch(func(goapp.Context) { p.doc, p.signedFor = nil, names })
		}
		return &a, err
	})
}

func (p *Approval) decline(id string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		csrf, reason := p.a.CSRFToken, p.reasons[id]
		p.runApproval(ctx, func() (*wire.Approval, error) {
			var a wire.Approval
			err := sendJSON(ctx, "POST", "/api/v1/approval/decline", csrf, wire.Decline{Application: id, Reason: reason}, &a)
			return &a, err
		})
	}
}

func (p *Approval) pay(method wire.PaymentMethod) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		csrf := p.a.CSRFToken
		p.runApproval(ctx, func() (*wire.Approval, error) {
			var a wire.Approval
			err := sendJSON(ctx, "POST", "/api/v1/approval/payment", csrf, wire.PaymentStart{Method: string(method)}, &a)
			if err == nil && method == wire.PaymentCard && a.Payment != nil && a.Payment.RedirectURL != "" {
				goapp.Window().Get("location").Set("href", a.Payment.RedirectURL)
			}
			return &a, err
		})
	}
}

func (p *Approval) Render() goapp.UI {
	return goapp.Div().Class("page").Body(
		&header{},
		goapp.Main().ID("approval").DataSet("ready", p.status == statusDone || p.status == statusFailed).
			DataSet("proven", p.a != nil && p.a.Proven).Body(p.body()),
	)
}

func (p *Approval) body() goapp.UI {
	switch {
	case p.status == statusFailed:
		return problem(p.lang, p.err, nil)
	case p.status != statusDone:
		return goapp.P().Class("muted").Text(txtLoading.in(p.lang))
	case !p.a.Proven:
		return goapp.Section().ID("head-certificate").Body(
			goapp.H1().Text(text{"Подтверждение полномочий сотрудников", "Confirming employees' authority"}.in(p.lang)),
			goapp.P().Class("lead").Text(text{
				"Подтвердите свой действующий сертификат руководителя: система проверит, что вы руководите этой организацией.",
				"Prove your current certificate as head: the system checks that you head this organisation."}.in(p.lang)),
			&keyPicker{Lang: p.lang, Busy: p.busy, OnOpen: p.prove},
			p.errorBox(p.lang),
		)
	}
	a := p.a
	var waiting, approved []wire.ApprovalRequest
	for _, r := range a.Requests {
		if wire.State(r.State) == wire.StateAwaitingApproval {
			waiting = append(waiting, r)
		} else {
			approved = append(approved, r)
		}
	}
	return goapp.Section().ID("head-requests").Body(
		goapp.H1().Text(text{"Запросы сотрудников", "Employees' requests"}.in(p.lang)),
		goapp.P().Class("lead").Text(a.Head),
		goapp.If(len(p.signedFor) > 0, func() goapp.UI {
			return goapp.P().ID("confirmation-signed").Class("ok").Aria("live", "polite").Text(
				text{"Подтверждение подписано. Полномочия подтверждены: ", "The confirmation is signed. Authority confirmed for: "}.in(p.lang) +
					strings.Join(p.signedFor, ", ") + text{". Сотрудники получат письмо о следующем шаге.", ". The employees get an e-mail about the next step."}.in(p.lang))
		}),
		goapp.If(len(waiting) == 0 && len(approved) == 0 && a.Paid == nil, func() goapp.UI {
			return goapp.P().ID("no-requests").Text(text{"Запросов, ожидающих подтверждения, нет.", "No requests are waiting."}.in(p.lang))
		}),
		goapp.If(p.doc != nil, func() goapp.UI { return p.document() }).Else(func() goapp.UI {
			return goapp.Div().Body(
				goapp.Range(waiting).Slice(func(i int) goapp.UI { return p.waitingCard(waiting[i]) }),
				goapp.If(len(waiting) > 0, func() goapp.UI {
					return goapp.Button().ID("confirm-requests").Type("button").Disabled(p.busy || len(p.chosenIDs()) == 0).
						OnClick(p.prepare).Text(text{"Подтвердить выбранные", "Confirm the chosen ones"}.in(p.lang))
				}),
			)
		}),
		goapp.If(len(approved) > 0 && a.Total != nil, func() goapp.UI {
			return goapp.Div().ID("head-payment").Class("notice").Body(
				goapp.H2().Text(text{"Оплата подтверждённых запросов", "Paying for the confirmed requests"}.in(p.lang)),
				goapp.P().Text(text{"К оплате за ", "To pay for "}.in(p.lang)+itoa(len(approved))+text{" запрос(а): ", " request(s): "}.in(p.lang)+a.Total.Text),
				goapp.Ul().Class("paid-list").Body(goapp.Range(approved).Slice(func(i int) goapp.UI {
					r := approved[i]
					return goapp.Li().ID("approved-" + r.ID).Text(r.Employee + " · " + text{"заявление № ", "application No. "}.in(p.lang) + r.Number + " · " + r.Amount.Text)
				})),
				goapp.If(a.Payment != nil && wire.PaymentMethod(a.Payment.Method) == wire.PaymentERIP && wire.PaymentStatus(a.Payment.Status) == wire.PaymentPending, func() goapp.UI {
					return goapp.P().Body(goapp.Text(pick(p.lang, a.Payment.ERIPPath, a.Payment.ERIPPathEN)+" — "), goapp.Strong().ID("erip-code").Text(a.Payment.ERIPCode))
				}),
				goapp.If(a.Payment != nil && wire.PaymentMethod(a.Payment.Method) == wire.PaymentInvoice && wire.PaymentStatus(a.Payment.Status) == wire.PaymentPending, func() goapp.UI {
					return goapp.P().Body(
						goapp.Text(text{"Счёт № ", "Invoice No. "}.in(p.lang)), goapp.Strong().Text(a.Payment.InvoiceNumber), goapp.Text(" — "),
						goapp.A().ID("head-invoice-pdf").Href("/api/v1/approval/invoice.pdf").Target("_blank").Text(text{"открыть (PDF)", "open (PDF)"}.in(p.lang)),
					)
				}),
				goapp.Div().Class("actions").Role("group").Aria("label", text{"Способ оплаты", "Payment method"}.in(p.lang)).Body(
					p.methodButton("head-pay-card", wire.PaymentCard, text{"Картой (Assist)", "By card (Assist)"}),
					p.methodButton("head-pay-erip", wire.PaymentERIP, text{"Через ЕРИП", "Through ERIP"}),
					p.methodButton("head-pay-invoice", wire.PaymentInvoice, text{"Клиент-банк (счёт)", "Client-bank (invoice)"}),
				),
			)
		}),
		goapp.If(a.Paid != nil && len(approved) == 0, func() goapp.UI { return p.paid(a.Paid) }),
		p.errorBox(p.lang),
	)
}

// cardField is one "name: value" line of a request's card.
func cardField(id, name, value string) goapp.UI {
	if value == "" {
		return nil
	}
	return goapp.Div().Class("card-field").Body(goapp.Dt().Text(name), goapp.Dd().ID(id).Text(value))
}

// requestFacts is a request as a person reads it: who, in which post and
// organisation, which application, service and tariff, how much, and
// until when the current certificate is valid.
func (p *Approval) requestFacts(r wire.ApprovalRequest) goapp.UI {
	jur := p.a.Jurisdiction
	return goapp.Dl().Class("request-card").Body(
		cardField("employee-"+r.ID, text{"Сотрудник", "Employee"}.in(p.lang), r.Employee),
		cardField("position-"+r.ID, text{"Должность", "Position"}.in(p.lang), r.Title),
		cardField("organisation-"+r.ID, text{"Организация", "Organisation"}.in(p.lang), r.Organisation),
		cardField("number-"+r.ID, text{"Заявление №", "Application No."}.in(p.lang), r.Number),
		cardField("service-"+r.ID, text{"Услуга", "Service"}.in(p.lang), r.ServiceName.In(p.lang)),
		cardField("tariff-"+r.ID, text{"Тариф", "Tariff"}.in(p.lang), r.TariffName.In(p.lang)),
		cardField("amount-"+r.ID, text{"Сумма", "Amount"}.in(p.lang), r.Amount.Text),
		cardField("until-"+r.ID, text{"Действующий сертификат — до", "Current certificate valid until"}.in(p.lang), dates.Date(r.NotAfter, jur, p.lang)),
	)
}

func (p *Approval) waitingCard(r wire.ApprovalRequest) goapp.UI {
	return goapp.Article().Class("notice request").ID("request-"+r.ID).Body(
		goapp.Div().Class("choice").Body(
			goapp.Input().Type("checkbox").ID("choose-"+r.ID).Disabled(r.Own).Checked(p.chosen[r.ID]).
				OnChange(func(ctx goapp.Context, e goapp.Event) { p.chosen[r.ID] = ctx.JSSrc().Get("checked").Bool() }),
			goapp.Label().For("choose-"+r.ID).Body(
				goapp.Span().Class("service-title").Text(r.Employee),
				goapp.Span().Class("muted").Text(text{"Выбрать для подтверждения", "Choose to confirm"}.in(p.lang)),
			),
		),
		p.requestFacts(r),
		goapp.If(r.Own, func() goapp.UI {
			return goapp.P().Class("field-error").Text(text{"Свой запрос подтвердить нельзя.", "You may not confirm your own request."}.in(p.lang))
		}),
		goapp.Details().Class("request-details").Body(
			goapp.Summary().Text(text{"Подробности для проверки", "Details for checking"}.in(p.lang)),
			goapp.P().Class("muted hash").Text("SHA-256: "+r.ApplicationSHA256),
		),
		goapp.Div().Class("row").Body(
			goapp.Input().Type("text").ID("reason-"+r.ID).Placeholder(text{"Причина отказа", "Reason for declining"}.in(p.lang)).
				Aria("label", text{"Причина отказа", "Reason for declining"}.in(p.lang)).
				OnInput(func(ctx goapp.Context, e goapp.Event) { p.reasons[r.ID] = inputValue(ctx) }),
			goapp.Button().Type("button").Class("link-button secondary").ID("decline-"+r.ID).Disabled(p.busy || p.reasons[r.ID] == "").
				OnClick(p.decline(r.ID)).Text(text{"Отклонить", "Decline"}.in(p.lang)),
		),
	)
}

// document shows the confirmation in full before the head signs it: the
// text is the server's, byte for byte what the signature covers.
func (p *Approval) document() goapp.UI {
	return goapp.Div().ID("confirmation").Class("notice").Body(
		goapp.H2().Text(text{"Документ, который вы подписываете", "The document you are signing"}.in(p.lang)),
		goapp.P().Class("muted").Text(text{
			"Прочитайте подтверждение полностью: подпись ставится именно под этим текстом.",
			"Read the confirmation in full: the signature covers exactly this text."}.in(p.lang)),
		goapp.Pre().ID("confirmation-text").Class("confirmation-text").Text(string(p.doc.Document)),
		goapp.Div().Class("actions").Body(
			goapp.Button().ID("sign-confirmation").Type("button").Disabled(p.busy).OnClick(p.sign).
				Text(text{"Подписать подтверждение", "Sign the confirmation"}.in(p.lang)),
			goapp.Button().ID("cancel-confirmation").Type("button").Class("secondary").Disabled(p.busy).
				OnClick(func(ctx goapp.Context, e goapp.Event) { p.doc = nil }).
				Text(text{"Вернуться к запросам", "Back to the requests"}.in(p.lang)),
		),
	)
}

// methodButton is a payment method; the one under way is marked.
func (p *Approval) methodButton(id string, m wire.PaymentMethod, name text) goapp.UI {
	on := p.a.Payment != nil && wire.PaymentMethod(p.a.Payment.Method) == m && wire.PaymentStatus(p.a.Payment.Status) == wire.PaymentPending
	b := goapp.Button().ID(id).Type("button").Disabled(p.busy).OnClick(p.pay(m)).Aria("pressed", on)
	if on {
		return b.Class("method chosen").Body(goapp.Span().Aria("hidden", true).Text("✓ "), goapp.Text(name.in(p.lang)),
			goapp.Span().Class("method-state").Text(text{" — выбран", " — chosen"}.in(p.lang)))
	}
	return b.Class("method").Text(name.in(p.lang))
}

// paid confirms the last payment with its documents.
func (p *Approval) paid(paid *wire.ApprovalPaid) goapp.UI {
	pay := paid.Payment
	when := ""
	if pay.PaidAt != nil {
		when = dates.DateTime(*pay.PaidAt, p.a.Jurisdiction, p.lang)
	}
	return goapp.Div().ID("head-paid").Class("notice").Body(
		goapp.H2().Text(text{"Оплата получена", "Payment received"}.in(p.lang)),
		goapp.P().Body(
			goapp.Text(text{"Оплачено: ", "Paid: "}.in(p.lang)), goapp.Strong().ID("paid-amount").Text(pay.Amount.Text),
			goapp.If(when != "", func() goapp.UI {
				return goapp.Span().Body(goapp.Text(", "), goapp.Span().ID("paid-at").Text(when))
			}),
		),
		goapp.If(pay.InvoiceNumber != "", func() goapp.UI {
			return goapp.P().Body(goapp.A().ID("paid-invoice-pdf").Href("/api/v1/approval/invoice.pdf").Target("_blank").
				Text(text{"Счёт № ", "Invoice No. "}.in(p.lang) + pay.InvoiceNumber + " (PDF)"))
		}),
		goapp.P().Text(text{
			"Сертификаты выпускаются сотрудникам: каждый получит письмо со ссылкой на свою заявку; акт об оказании услуг — на странице заявки после выпуска.",
			"The certificates are issued to the employees: each gets an e-mail with a link to the application; the act of services is on the application's page after issuance."}.in(p.lang)),
		goapp.Range(paid.Requests).Slice(func(i int) goapp.UI {
			r := paid.Requests[i]
			return goapp.Article().Class("notice request").ID("paid-" + r.ID).Body(p.requestFacts(r))
		}),
	)
}

func (p *Approval) chosenIDs() []string {
	var ids []string
	for _, r := range p.a.Requests {
		if p.chosen[r.ID] && wire.State(r.State) == wire.StateAwaitingApproval {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}
