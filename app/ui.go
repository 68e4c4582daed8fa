package app

import (
	"encoding/json"
	"strings"
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
			if err != nil {
				ctx.Defer(func(goapp.Context) { focusRefusal() })
			}
		})
	})
}

// focusRefusal moves the focus, after a refused action, to the first
// field marked invalid or else to the refusal's box: the button that was
// pressed was disabled while the action ran and lost the focus.
func focusRefusal() {
	doc := goapp.Window().Get("document")
	for _, sel := range []string{"main [aria-invalid=true]", "main .problem"} {
		if e := doc.Call("querySelector", sel); e.Truthy() {
			e.Call("focus")
			return
		}
	}
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

// field is a labelled input with an optional hint and error. The input
// (id) is named by the label, described by the hint and the error, and
// marked invalid while there is an error: set here for every field, so
// no step forgets one.
func field(id string, label text, lang string, input goapp.UI, hint, problem string) goapp.UI {
	// The error first: it is what a screen reader should say first.
	var described []string
	if problem != "" {
		described = append(described, id+"-error")
	}
	if hint != "" {
		described = append(described, id+"-hint")
	}
	switch in := input.(type) {
	case goapp.HTMLInput:
		input = in.Aria("invalid", problem != "").Aria("describedby", strings.Join(described, " "))
	case goapp.HTMLSelect:
		input = in.Aria("invalid", problem != "").Aria("describedby", strings.Join(described, " "))
	case goapp.HTMLTextarea:
		input = in.Aria("invalid", problem != "").Aria("describedby", strings.Join(described, " "))
	}
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

// follower follows the application while its step is on screen and
// hands each view to the step; embedding it gives the step OnDismount.
// It listens to the server's events stream (each change as it happens)
// and polls every `every` only if the stream cannot be opened or fails
// again and again.
type follower struct {
	stopped bool
	close   func() // the open stream's
	fails   int    // stream errors since its last event
}

// streamFailures is how many errors in a row (the browser reconnects by
// itself after each) make the follower poll instead.
const streamFailures = 3

func (f *follower) OnDismount() {
	f.stopped = true
	f.closeStream()
}

func (f *follower) closeStream() {
	if f.close != nil {
		f.close()
		f.close = nil
	}
}

func (f *follower) follow(ctx goapp.Context, every time.Duration, answer func(goapp.Context, *wire.Renewal)) {
	closeStream, err := openEvents("/api/v1/renewal/events", func(data []byte) {
		var r wire.Renewal
		if json.Unmarshal(data, &r) != nil {
			return
		}
		ctx.Dispatch(func(ctx goapp.Context) {
			if !f.stopped && f.close != nil {
				f.fails = 0
				answer(ctx, &r)
			}
		})
	}, func(closed bool) {
		ctx.Dispatch(func(ctx goapp.Context) {
			if f.stopped || f.close == nil {
				return
			}
			if f.fails++; closed || f.fails >= streamFailures {
				f.closeStream()
				f.poll(ctx, every, answer)
			}
		})
	})
	if err != nil {
		f.poll(ctx, every, answer)
		return
	}
	f.close = closeStream
}

// poll reads the application every `every`, as long as the step is on
// screen.
func (f *follower) poll(ctx goapp.Context, every time.Duration, answer func(goapp.Context, *wire.Renewal)) {
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
				f.poll(ctx, every, answer)
			})
		})
	})
}
