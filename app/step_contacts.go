package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// stepContacts is the first screen of the source's Step 1: phone and
// e-mail; codes are sent to both.
type stepContacts struct {
	goapp.Compo
	StepProps
	Service string

	phone, email string
	action
}

func (s *stepContacts) submit(ctx goapp.Context, e goapp.Event) {
	e.PreventDefault()
	in := wire.RenewalStart{Service: s.Service, Phone: s.phone, Email: s.email, Lang: s.Lang}
	s.run(ctx, s.Update, func() (*wire.Renewal, error) {
		var r wire.Renewal
		err := sendJSON(ctx, "POST", "/api/v1/renewal", "", in, &r)
		return &r, err
	})
}

func (s *stepContacts) Render() goapp.UI {
	if s.Service == "" {
		return goapp.Section().ID("step-contacts").Body(
			goapp.P().Text(text{"Сначала выберите услугу.", "Choose a service first."}.in(s.Lang)),
			goapp.A().Href(PathHome).Text(txtBack.in(s.Lang)),
		)
	}
	return goapp.Section().ID("step-contacts").Body(
		goapp.H1().Text(text{"Контакты", "Your contacts"}.in(s.Lang)),
		goapp.P().Class("lead").Text(text{
			"Введите номер телефона и адрес электронной почты: на телефон придёт СМС-код, на почту — код подтверждения.",
			"Enter your phone number and e-mail address: an SMS code goes to the phone and a confirmation code to the e-mail."}.in(s.Lang)),
		goapp.Form().OnSubmit(s.submit).Body(
			field("phone", text{"Мобильный телефон", "Mobile phone"}, s.Lang,
				goapp.Input().ID("phone").Type("tel").Attr("autocomplete", "tel").Required(true).Placeholder("+7 900 000-00-00").
					Aria("describedby", "phone-hint").OnInput(func(ctx goapp.Context, e goapp.Event) { s.phone = inputValue(ctx) }),
				text{"Россия +7 или Беларусь +375", "Russia +7 or Belarus +375"}.in(s.Lang), ""),
			field("email", text{"Электронная почта", "E-mail"}, s.Lang,
				goapp.Input().ID("email").Type("email").Attr("autocomplete", "email").Required(true).
					OnInput(func(ctx goapp.Context, e goapp.Event) { s.email = inputValue(ctx) }), "", ""),
			s.errorBox(s.Lang),
			submit("send-codes", text{"Отправить СМС-код", "Send the SMS code"}, s.Lang, s.busy),
		),
	)
}
