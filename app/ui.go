package app

import (
	"time"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// action runs a step's request without blocking the page: the button is
// disabled while it runs, and a refusal is shown where it happened.
type action struct {
	busy bool
	err  error
}

func (a *action) run(ctx goapp.Context, update func(goapp.Context, *wire.Renewal), f func() (*wire.Renewal, error)) {
	if a.busy {
		return
	}
	a.busy, a.err = true, nil
	ctx.Async(func() {
		r, err := f()
		ctx.Dispatch(func(ctx goapp.Context) {
			a.busy, a.err = false, err
			if err == nil && r != nil && update != nil {
				update(ctx, r)
			}
		})
	})
}

// errorBox shows the last refusal, if any, in the person's language.
func (a *action) errorBox(lang string) goapp.UI {
	if a.err == nil {
		return nil
	}
	return problem(lang, a.err, nil)
}

// submit is a step's main button: "please wait" while its work runs,
// and disabled (with its own label) while the form is not complete.
func submit(id string, label text, lang string, busy bool, incomplete ...bool) goapp.HTMLButton {
	l := label.in(lang)
	if busy {
		l = txtWorking.in(lang)
	}
	off := busy
	for _, b := range incomplete {
		off = off || b
	}
	return goapp.Button().ID(id).Type("submit").Disabled(off).Aria("busy", busy).Text(l)
}

// field is a labelled input with an optional hint and error.
func field(id string, label text, lang string, input goapp.UI, hint, problem string) goapp.UI {
	return goapp.Div().Class("field").Body(
		goapp.Label().For(id).Text(label.in(lang)),
		input,
		goapp.If(hint != "", func() goapp.UI { return goapp.Small().ID(id + "-hint").Class("hint").Text(hint) }),
		goapp.If(problem != "", func() goapp.UI {
			return goapp.Small().ID(id+"-error").Class("field-error").Aria("live", "polite").Text(problem)
		}),
	)
}

// inputValue reads the value of an input event.
func inputValue(ctx goapp.Context) string { return ctx.JSSrc().Get("value").String() }

var (
	txtWorking  = text{"Подождите…", "Please wait…"}
	txtContinue = text{"Продолжить", "Continue"}
)

// follower polls the application while its step is on screen and hands
// each answer to the step; embedding it gives the step OnDismount.
type follower struct{ stopped bool }

func (f *follower) OnDismount() { f.stopped = true }

func (f *follower) follow(ctx goapp.Context, every time.Duration, answer func(goapp.Context, *wire.Renewal)) {
	ctx.After(every, func(ctx goapp.Context) {
		if f.stopped {
			return
		}
		ctx.Async(func() {
			var r wire.Renewal
			err := getJSON(ctx, "/api/v1/renewal", &r)
			ctx.Dispatch(func(ctx goapp.Context) {
				if err == nil && !f.stopped {
					answer(ctx, &r)
				}
				f.follow(ctx, every, answer)
			})
		})
	})
}
