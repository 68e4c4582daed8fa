package app

import (
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// stepCheck shows the registry check as it runs (Step 6 of the Russian
// source) and moves on by itself when it ends.
type stepCheck struct {
	goapp.Compo
	stepProps
	stopped bool
}

func (s *stepCheck) OnMount(ctx goapp.Context) { s.poll(ctx) }
func (s *stepCheck) OnDismount()               { s.stopped = true }

func (s *stepCheck) poll(ctx goapp.Context) {
	ctx.After(time.Second, func(ctx goapp.Context) {
		if s.stopped {
			return
		}
		ctx.Async(func() {
			var r wire.Renewal
			err := getJSON(ctx, "/api/v1/renewal", &r)
			ctx.Dispatch(func(ctx goapp.Context) {
				if err == nil && !s.stopped {
					// Kept here too: a mounted step never gets the wizard's
					// new props (stepProps is embedded unexported, and go-app
					// copies only exported fields), so the registry's steps
					// would never show.
					s.R = &r
					s.Update(ctx, &r)
				}
				s.poll(ctx)
			})
		})
	})
}

func (s *stepCheck) Render() goapp.UI {
	var steps []wire.CheckStep
	if s.R.Check != nil {
		steps = s.R.Check.Steps
	}
	status := map[string]text{
		"pending": {"ожидает", "waiting"}, "passed": {"пройдено ✓", "passed ✓"}, "failed": {"не пройдено", "failed"},
	}
	return goapp.Section().ID("step-check").Body(
		goapp.H1().Text(text{"Проверка данных", "Checking your data"}.in(s.Lang)),
		goapp.P().Class("lead").Aria("live", "polite").Text(text{
			"Подождите, система проверяет данные в государственных реестрах. Страницу можно не обновлять.",
			"Please wait while the data are checked in the state registries. There is no need to reload the page."}.in(s.Lang)),
		goapp.Ul().ID("check-steps").Class("checks").Body(goapp.Range(steps).Slice(func(i int) goapp.UI {
			st := steps[i]
			return goapp.Li().Class("check-"+st.Status).Body(
				goapp.Span().Text(pick(s.Lang, st.NameRU, st.NameEN)),
				goapp.Span().Class("muted").Text(" — "+status[st.Status].in(s.Lang)),
			)
		})),
		goapp.If(s.R.Check != nil && s.R.Check.Status == "retrying", func() goapp.UI {
			return goapp.P().Class("muted").Text(text{"Реестр не ответил, повторяем запрос…", "A registry did not answer; asking again…"}.in(s.Lang))
		}),
	)
}
