package app

import (
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// stepWaiting: the application waits for the head of the organisation.
// The page follows the state by itself; the link in the e-mail brings the
// person back on any device.
type stepWaiting struct {
	goapp.Compo
	StepProps
	follower
}

func (s *stepWaiting) OnMount(ctx goapp.Context) {
	s.follow(ctx, 3*time.Second, func(ctx goapp.Context, r *wire.Renewal) {
		if r.State != s.R.State {
			s.Update(ctx, r)
		}
	})
}

func (s *stepWaiting) Render() goapp.UI {
	return goapp.Section().ID("step-approval").Body(
		goapp.H1().Text(text{"Ждём подтверждения руководителя", "Waiting for the head's confirmation"}.in(s.Lang)),
		goapp.P().Class("lead").Text(text{
			"Заявление подписано. Руководитель организации должен подтвердить ваши полномочия своей подписью. Можно закрыть страницу: ссылка для продолжения придёт на " + s.R.Email + ".",
			"The application is signed. The head of your organisation must confirm your authority with their signature. You may close the page: a link to continue goes to " + s.R.Email + "."}.in(s.Lang)),
		goapp.If(s.R.ApprovalLink != "", func() goapp.UI {
			return goapp.Div().Class("notice").Body(
				goapp.P().Text(text{
					"Руководителю отправлено уведомление. Можно переслать ему эту ссылку самостоятельно (она действует 72 часа и открывается один раз):",
					"The head has been notified. You may also send them this link yourself (valid for 72 hours, opens once):"}.in(s.Lang)),
				goapp.Input().ID("approval-link").Type("text").ReadOnly(true).Value(s.R.ApprovalLink).
					Aria("label", text{"Ссылка для руководителя", "Link for the head"}.in(s.Lang)),
			)
		}),
	)
}
