package app

import (
	"crypto/x509"
	"strings"
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/browsercrypto"
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

func (p *Approval) confirm(ctx goapp.Context, e goapp.Event) {
	var ids []string
	for _, r := range p.a.Requests {
		if p.chosen[r.ID] && wire.State(r.State) == wire.StateAwaitingApproval {
			ids = append(ids, r.ID)
		}
	}
	csrf, key, cert, chain := p.a.CSRFToken, p.key, p.cert, p.chain
	p.runApproval(ctx, func() (*wire.Approval, error) {
		var c wire.Confirmation
		if err := sendJSON(ctx, "POST", "/api/v1/approval/confirmation", csrf, wire.ConfirmationRequest{Applications: ids}, &c); err != nil {
			return nil, err
		}
		sig, err := browsercrypto.SignDetached(key, cert, chain, c.Document, time.Now())
		if err != nil {
			return nil, err
		}
		var a wire.Approval
		err = sendJSON(ctx, "POST", "/api/v1/approval/confirmation/"+c.ID+"/signature", csrf, wire.ConfirmationSignature{Signature: sig}, &a)
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
		goapp.If(len(waiting) == 0 && len(approved) == 0, func() goapp.UI {
			return goapp.P().ID("no-requests").Text(text{"Запросов, ожидающих подтверждения, нет.", "No requests are waiting."}.in(p.lang))
		}),
		goapp.Range(waiting).Slice(func(i int) goapp.UI {
			r := waiting[i]
			return goapp.Article().Class("notice request").ID("request-"+r.ID).Body(
				goapp.Div().Class("choice").Body(
					goapp.Input().Type("checkbox").ID("choose-"+r.ID).Disabled(r.Own).Checked(p.chosen[r.ID]).
						OnChange(func(ctx goapp.Context, e goapp.Event) { p.chosen[r.ID] = ctx.JSSrc().Get("checked").Bool() }),
					goapp.Label().For("choose-"+r.ID).Body(
						goapp.Span().Class("service-title").Text(r.Employee),
						goapp.Span().Class("muted").Text(strings.TrimSpace(r.Title+" · "+r.Service+" · "+r.Tariff+" · "+r.Amount.Text)),
						goapp.Span().Class("muted hash").Text("SHA-256: "+r.ApplicationSHA256),
						goapp.If(r.Own, func() goapp.UI {
							return goapp.Span().Class("field-error").Text(text{"Свой запрос подтвердить нельзя.", "You may not confirm your own request."}.in(p.lang))
						}),
					),
				),
				goapp.Div().Class("row").Body(
					goapp.Input().Type("text").ID("reason-"+r.ID).Placeholder(text{"Причина отказа", "Reason for declining"}.in(p.lang)).
						Aria("label", text{"Причина отказа", "Reason for declining"}.in(p.lang)).
						OnInput(func(ctx goapp.Context, e goapp.Event) { p.reasons[r.ID] = inputValue(ctx) }),
					goapp.Button().Type("button").Class("link-button secondary").ID("decline-"+r.ID).Disabled(p.busy || p.reasons[r.ID] == "").
						OnClick(p.decline(r.ID)).Text(text{"Отклонить", "Decline"}.in(p.lang)),
				),
			)
		}),
		goapp.If(len(waiting) > 0, func() goapp.UI {
			return goapp.Button().ID("confirm-requests").Type("button").Disabled(p.busy || len(p.chosenIDs()) == 0).
				OnClick(p.confirm).Text(text{"Подтвердить выбранные одной подписью", "Confirm the chosen ones with one signature"}.in(p.lang))
		}),
		goapp.If(len(approved) > 0 && a.Total != nil, func() goapp.UI {
			return goapp.Div().ID("head-payment").Class("notice").Body(
				goapp.H2().Text(text{"Оплата подтверждённых запросов", "Paying for the confirmed requests"}.in(p.lang)),
				goapp.P().Text(text{"К оплате за ", "To pay for "}.in(p.lang)+itoa(len(approved))+text{" запрос(а): ", " request(s): "}.in(p.lang)+a.Total.Text),
				goapp.If(a.Payment != nil && wire.PaymentMethod(a.Payment.Method) == wire.PaymentERIP && wire.PaymentStatus(a.Payment.Status) == wire.PaymentPending, func() goapp.UI {
					return goapp.P().Body(goapp.Text(a.Payment.ERIPPath+" — "), goapp.Strong().ID("erip-code").Text(a.Payment.ERIPCode))
				}),
				goapp.If(a.Payment != nil && wire.PaymentMethod(a.Payment.Method) == wire.PaymentInvoice && wire.PaymentStatus(a.Payment.Status) == wire.PaymentPending, func() goapp.UI {
					return goapp.P().Body(
						goapp.Text(text{"Счёт № ", "Invoice No. "}.in(p.lang)), goapp.Strong().Text(a.Payment.InvoiceNumber), goapp.Text(" — "),
						goapp.A().ID("head-invoice-pdf").Href("/api/v1/approval/invoice.pdf").Target("_blank").Text(text{"открыть (PDF)", "open (PDF)"}.in(p.lang)),
					)
				}),
				goapp.Div().Class("actions").Body(
					goapp.Button().ID("head-pay-card").Type("button").Disabled(p.busy).OnClick(p.pay(wire.PaymentCard)).Text(text{"Картой (Assist)", "By card (Assist)"}.in(p.lang)),
					goapp.Button().ID("head-pay-erip").Type("button").Disabled(p.busy).OnClick(p.pay(wire.PaymentERIP)).Text(text{"Через ЕРИП", "Through ERIP"}.in(p.lang)),
					goapp.Button().ID("head-pay-invoice").Type("button").Disabled(p.busy).OnClick(p.pay(wire.PaymentInvoice)).Text(text{"Клиент-банк (счёт)", "Client-bank (invoice)"}.in(p.lang)),
				),
			)
		}),
		p.errorBox(p.lang),
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
