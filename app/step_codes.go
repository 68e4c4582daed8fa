package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// stepCodes takes the codes sent to the phone and the e-mail.
type stepCodes struct {
	goapp.Compo
	StepProps

	sms, email string
	sent       string // the channel a code was just resent to
	wrong      string // the channel the last refusal concerns, when only one
	action
}

func (s *stepCodes) submit(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	in := wire.CodeCheck{SMSCode: s.sms, EmailCode: s.email}
	if s.R.PhoneVerified {
		in.SMSCode = ""
	}
	if s.R.EmailVerified {
		in.EmailCode = ""
	}
	csrf := s.R.CSRFToken
	s.wrong = ""
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		var r wire.Renewal
		if err := sendJSON(ctx, "POST", "/api/v1/renewal/contacts", csrf, in, &r); err != nil {
			// The server keeps a right code even when the other one is
			// refused: re-read which contacts are now confirmed, or the
			// page sends the used code again and is refused for ever.
			var now wire.Renewal
			if getJSON(ctx, "/api/v1/renewal", &now) == nil {
				on := refusedChannel(in, &now)
				ctx.Dispatch(func(ctx goapp.Context) { s.wrong = on; s.Update(ctx, &now) })
			}
			return nil, err
		}
		return &r, nil
	})
}

// refusedChannel is the channel a refusal of the codes in concerns: the
// server verifies every right code it is given, so a code sent whose
// contact is still unconfirmed is the refused one. Two such codes (both
// refused) give "": the message, naming both, stands under the form.
func refusedChannel(in wire.CodeCheck, now *wire.Renewal) string {
	var on []string
	if in.SMSCode != "" && !now.PhoneVerified {
		on = append(on, "sms")
	}
	if in.EmailCode != "" && !now.EmailVerified {
		on = append(on, "email")
	}
	if len(on) != 1 {
		return ""
	}
	return on[0]
}

// problemOn is the refusal's message when it belongs beside the field of
// this channel, else "".
func (s *stepCodes) problemOn(channel string) string {
	e, ok := s.err.(*apiError)
	if !ok || s.wrong != channel {
		return ""
	}
	return pick(s.Lang, e.body.MessageRU, e.body.MessageEN)
}

func (s *stepCodes) resend(channel string) goapp.EventHandler {
	return func(ctx goapp.Context, e goapp.Event) {
		csrf := s.R.CSRFToken
		s.wrong = ""
		s.run(ctx, s.Update, func() (*wire.Renewal, error) {
			var r wire.Renewal
			err := sendJSON(ctx, "POST", "/api/v1/renewal/codes", csrf, wire.CodeResend{Channel: channel}, &r)
			if err == nil {
				s.sent = channel
			}
			return &r, err
		})
	}
}

func (s *stepCodes) Render() goapp.UI {
	codeInput := func(id, problem string, set func(string)) goapp.HTMLInput {
		in := goapp.Input().ID(id).Type("text").Attr("inputmode", "numeric").Attr("autocomplete", "one-time-code").
			Pattern("[0-9]{6}").MaxLength(6).Required(true).
			OnInput(func(ctx goapp.Context, e goapp.Event) { set(inputValue(ctx)) })
		if problem != "" {
			in = in.Aria("invalid", "true").Aria("describedby", id+"-error")
		}
		return in
	}
	smsProblem, emailProblem := s.problemOn("sms"), s.problemOn("email")
	return goapp.Section().ID("step-codes").Body(
		goapp.H1().Text(text{"Подтверждение контактов", "Confirm your contacts"}.in(s.Lang)),
		goapp.Form().OnSubmit(s.submit).Body(
			goapp.If(!s.R.PhoneVerified, func() goapp.UI {
				return field("sms-code", text{"Код из СМС на " + phoneText(s.R.Phone), "Code from the SMS to " + phoneText(s.R.Phone)}, s.Lang,
					codeInput("sms-code", smsProblem, func(v string) { s.sms = v }), "", smsProblem)
			}).Else(func() goapp.UI {
				return goapp.P().Class("ok").Text(text{"Телефон подтверждён ✓", "Phone confirmed ✓"}.in(s.Lang))
			}),
			goapp.If(!s.R.EmailVerified, func() goapp.UI {
				return field("email-code", text{"Код из письма на " + s.R.Email, "Code from the e-mail to " + s.R.Email}, s.Lang,
					codeInput("email-code", emailProblem, func(v string) { s.email = v }), "", emailProblem)
			}).Else(func() goapp.UI {
				return goapp.P().Class("ok").Text(text{"Почта подтверждена ✓", "E-mail confirmed ✓"}.in(s.Lang))
			}),
			goapp.If(smsProblem == "" && emailProblem == "", func() goapp.UI { return s.errorBox(s.Lang) }),
			goapp.If(s.sent != "", func() goapp.UI {
				return goapp.P().Class("ok").Aria("live", "polite").Text(text{"Новый код отправлен.", "A new code was sent."}.in(s.Lang))
			}),
			goapp.Div().Class("actions").Body(
				submit("check-codes", txtContinue, s.Lang, s.busy),
				goapp.If(!s.R.PhoneVerified, func() goapp.UI {
					return goapp.Button().ID("resend-sms").Type("button").Class("link-button secondary").Disabled(s.busy).
						OnClick(s.resend("sms")).Text(text{"Отправить СМС ещё раз", "Send the SMS again"}.in(s.Lang))
				}),
				goapp.If(!s.R.EmailVerified, func() goapp.UI {
					return goapp.Button().ID("resend-email").Type("button").Class("link-button secondary").Disabled(s.busy).
						OnClick(s.resend("email")).Text(text{"Отправить письмо ещё раз", "Send the e-mail again"}.in(s.Lang))
				}),
			),
		),
	)
}
