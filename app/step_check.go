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
	StepProps
	follower
}

func (s *stepCheck) OnMount(ctx goapp.Context) {
	s.follow(ctx, time.Second, func(ctx goapp.Context, r *wire.Renewal) {
		s.Update(ctx, r)
	})
}

func (s *stepCheck) Render() goapp.UI {
	var steps []wire.CheckStep
	if s.R.Check != nil {
		steps = s.R.Check.Steps
	}
	status := map[wire.CheckStepStatus]text{
		wire.CheckStepPending: {"ожидает", "waiting"}, wire.CheckStepPassed: {"пройдено ✓", "passed ✓"}, wire.CheckStepFailed: {"не пройдено", "failed"},
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
				goapp.Span().Class("muted").Text(" — "+status[wire.CheckStepStatus(st.Status)].in(s.Lang)),
			)
		})),
		goapp.If(s.R.Check != nil && wire.CheckStatus(s.R.Check.Status) == wire.CheckRetrying, func() goapp.UI {
			return goapp.P().Class("muted").Text(text{"Реестр не ответил, повторяем запрос…", "A registry did not answer; asking again…"}.in(s.Lang))
		}),
	)
}
