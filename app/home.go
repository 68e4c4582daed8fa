package app

import (
	"strings"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// Home is the first screen: what the service does and the services to
// choose from, grouped by jurisdiction. The list comes from the server
// (GET /api/v1/services), which reads it from the database.
type Home struct {
	goapp.Compo

	lang     string
	status   status
	err      error
	services []wire.Service
}

func (h *Home) OnMount(ctx goapp.Context) {
	observeLang(ctx, &h.lang)
	h.load(ctx)
}

func (h *Home) load(ctx goapp.Context) {
	h.status = statusLoading
	ctx.Async(func() {
		var list wire.ServiceList
		err := getJSON(ctx, "/api/v1/services", &list)
		ctx.Dispatch(func(ctx goapp.Context) {
			if err != nil {
				h.status, h.err = statusFailed, err
				return
			}
			h.status, h.err, h.services = statusDone, nil, list.Services
		})
	})
}

func (h *Home) Render() goapp.UI {
	return goapp.Div().Class("page").Body(
		&header{},
		goapp.Main().
			ID("home").
			// data-ready tells tests (and people's scripts) that the app
			// runs and the list has been answered, one way or the other.
			DataSet("ready", h.status == statusDone || h.status == statusFailed).
			Body(
				goapp.H1().Text(txtTitle.in(h.lang)),
				goapp.P().Class("lead").Text(txtLead.in(h.lang)),
				goapp.H2().Text(txtChoose.in(h.lang)),
				h.body(),
			),
	)
}

func (h *Home) body() goapp.UI {
	switch h.status {
	case statusFailed:
		return problem(h.lang, h.err, func(ctx goapp.Context, e goapp.Event) { h.load(ctx) })
	case statusDone:
		if len(h.services) == 0 {
			return goapp.P().Text(txtServicesNone.in(h.lang))
		}
		return goapp.Div().Class("jurisdictions").Body(
			h.group("BY", txtBelarus),
			h.group("RU", txtRussia),
		)
	default:
		return goapp.P().Class("muted").Aria("busy", true).Text(txtLoading.in(h.lang))
	}
}

func (h *Home) group(jurisdiction string, name text) goapp.UI {
	var items []goapp.UI
	for _, s := range h.services {
		if s.Jurisdiction != jurisdiction {
			continue
		}
		items = append(items, goapp.Li().Body(
			goapp.A().
				Class("service").
				ID(elementID("service", s.Code)).
				DataSet("code", s.Code).
				Href(PathService+s.Code).
				Body(
					goapp.If(s.Number != "", func() goapp.UI {
						return goapp.Span().Class("service-number").Text(s.Number)
					}),
					goapp.Span().Class("service-title").Text(pick(h.lang, s.TitleRU, s.TitleEN)),
					goapp.Span().Class("service-summary").Text(pick(h.lang, s.SummaryRU, s.SummaryEN)),
				),
		))
	}
	if len(items) == 0 {
		return nil
	}
	return goapp.Section().Class("jurisdiction").Aria("labelledby", "j-"+jurisdiction).Body(
		goapp.H3().ID("j-"+jurisdiction).Text(name.in(h.lang)),
		goapp.Ul().Class("services").Body(items...),
	)
}

// elementID makes a CSS-safe id from a code: "by-6.0.00" has dots,
// which a selector would read as classes.
func elementID(prefix, code string) string {
	return prefix + "-" + strings.ReplaceAll(code, ".", "-")
}
