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
	stepProps
	stopped bool
}

func (s *stepWaiting) OnMount(ctx goapp.Context) { s.poll(ctx) }
func (s *stepWaiting) OnDismount()               { s.stopped = true }

func (s *stepWaiting) poll(ctx goapp.Context) {
	ctx.After(3*time.Second, func(ctx goapp.Context) {
		if s.stopped {
			return
		}
		ctx.Async(func() {
			var r wire.Renewal
			err := getJSON(ctx, "/api/v1/renewal", &r)
			ctx.Dispatch(func(ctx goapp.Context) {
				if err == nil && !s.stopped && r.State != s.R.State {
					s.Update(ctx, &r)
				}
				// On, also after a change: "approved" (Belarus: the head
				// confirmed, his payment is due) keeps this step on the
				// screen, and only the payment moves it to the key. A
				// step that leaves the screen stops at the next turn.
				s.poll(ctx)
			})
		})
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
