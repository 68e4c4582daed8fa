package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"
)

// header is the top bar of every screen: the service name and the
// language switch. It also moves the focus to a wizard step's heading
// when the step changes (followStepFocus).
type header struct {
	goapp.Compo
	lang      string
	stopFocus func()
}

func (h *header) OnMount(ctx goapp.Context) {
	observeLang(ctx, &h.lang)
	h.stopFocus = followStepFocus()
}

func (h *header) OnDismount() {
	if h.stopFocus != nil {
		h.stopFocus()
		h.stopFocus = nil
	}
}

// followStepFocus puts the focus on the heading of each wizard step as it
// appears, so that a screen reader reads the new step and the keyboard
// goes on from its top rather than from a button that is gone. A step
// changes in many ways (an answer, the events stream, a reload); each
// sets #wizard's data-step, so the DOM's change is the one place to see
// it. Returns the function that stops following.
func followStepFocus() func() {
	observer := goapp.Window().Get("MutationObserver")
	if !observer.Truthy() {
		return nil
	}
	onChange := goapp.FuncOf(func(this goapp.Value, args []goapp.Value) any {
		records := args[0]
		for i := 0; i < records.Length(); i++ {
			r := records.Index(i)
			old, now := r.Get("oldValue"), r.Get("target").Get("dataset").Get("step")
			if now.Type() != goapp.TypeString || old.Type() == goapp.TypeString && old.String() == now.String() {
				continue
			}
			focusStep(now.String())
			break
		}
		return nil
	})
	o := observer.New(onChange)
	o.Call("observe", goapp.Window().Get("document").Get("body"), map[string]any{
		"attributes": true, "attributeFilter": []any{"data-step"}, "attributeOldValue": true, "subtree": true,
	})
	return func() { o.Call("disconnect"); onChange.Release() }
}

// focusStep focuses the heading of the step on screen (the step itself
// when it has none), without scrolling: the wizard scrolls a new step to
// the top by itself.
func focusStep(step string) {
	doc := goapp.Window().Get("document")
	target := doc.Call("querySelector", "#step-"+step+" h1")
	if !target.Truthy() {
		target = goapp.Window().GetElementByID("step-" + step)
	}
	if !target.Truthy() {
		return
	}
	// A step that has put the focus on one of its own fields (a
	// correction's first marked one) keeps it: the observer may run after.
	if section := goapp.Window().GetElementByID("step-" + step); section.Truthy() {
		if active := doc.Get("activeElement"); active.Truthy() && !active.Equal(section) && section.Call("contains", active).Bool() {
			return
		}
	}
	if !target.Call("hasAttribute", "tabindex").Bool() {
		target.Call("setAttribute", "tabindex", "-1")
	}
	target.Call("focus", map[string]any{"preventScroll": true})
}

func (h *header) Render() goapp.UI {
	return goapp.Header().Class("topbar").Body(
		goapp.A().Class("brand").Href(PathHome).Text(txtTitle.in(h.lang)),
		goapp.Button().
			ID("lang-switch").
			Class("link-button").
			Type("button").
			Lang("%s", map[string]string{langRU: langEN, langEN: langRU}[h.langOrDefault()]).
			Aria("label", txtSwitchLabel.in(h.lang)).
			OnClick(func(ctx goapp.Context, e goapp.Event) { switchLang(ctx, h.lang) }).
			Text(txtSwitchLang.in(h.lang)),
	)
}

func (h *header) langOrDefault() string {
	if h.lang == "" {
		return langRU
	}
	return h.lang
}

// status is the life of a screen's load: idle until mounted, then
// loading, then done or failed.
type status int

const (
	statusIdle status = iota
	statusLoading
	statusDone
	statusFailed
)

// problem renders a failure where it happened, in words a person reads,
// with a way to try again.
func problem(lang string, err error, retry goapp.EventHandler) goapp.UI {
	msg := txtLoadFailed.in(lang)
	if e, ok := err.(*apiError); ok {
		msg = pick(lang, e.body.MessageRU, e.body.MessageEN)
	}
	// role=alert: read at once; tabindex: the failed action focuses it
	// (focusRefusal).
	return goapp.Div().Class("problem").Role("alert").TabIndex(-1).Body(
		goapp.P().Text(msg),
		goapp.If(retry != nil, func() goapp.UI {
			return goapp.Button().ID("retry").Type("button").OnClick(retry).Text(txtRetry.in(lang))
		}),
	)
}
