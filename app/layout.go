package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"
)

// header is the top bar of every screen: the service name and the
// language switch.
type header struct {
	goapp.Compo
	lang string
}

func (h *header) OnMount(ctx goapp.Context) { observeLang(ctx, &h.lang) }

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
	return goapp.Div().Class("problem").Aria("live", "assertive").Body(
		goapp.P().Text(msg),
		goapp.If(retry != nil, func() goapp.UI {
			return goapp.Button().ID("retry").Type("button").OnClick(retry).Text(txtRetry.in(lang))
		}),
	)
}
