package app

import (
	"strings"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// ServicePage is the screen after a service is chosen: what the service
// is and what the person needs at hand before starting.
type ServicePage struct {
	goapp.Compo

	lang    string
	code    string
	status  status
	err     error
	service wire.Service
}

func (p *ServicePage) OnNav(ctx goapp.Context) {
	p.code = strings.TrimPrefix(ctx.Page().URL().Path, PathService)
	if goapp.IsServer {
		return // pre-rendering: the browser loads the data
	}
	p.load(ctx)
}

func (p *ServicePage) OnMount(ctx goapp.Context) { observeLang(ctx, &p.lang) }

func (p *ServicePage) load(ctx goapp.Context) {
	p.status = statusLoading
	code := p.code
	ctx.Async(func() {
		var s wire.Service
		err := getJSON(ctx, "/api/v1/services/"+code, &s)
		ctx.Dispatch(func(ctx goapp.Context) {
			if err != nil {
				p.status, p.err = statusFailed, err
				return
			}
			p.status, p.err, p.service = statusDone, nil, s
		})
	})
}

func (p *ServicePage) Render() goapp.UI {
	return goapp.Div().Class("page").Body(
		&header{},
		goapp.Main().
			ID("service").
			DataSet("ready", p.status == statusDone || p.status == statusFailed).
			DataSet("code", p.code).
			Body(
				goapp.A().ID("back").Class("back").Href(PathHome).Text(txtBack.in(p.lang)),
				p.body(),
			),
	)
}

func (p *ServicePage) body() goapp.UI {
	switch p.status {
	case statusFailed:
		var retry goapp.EventHandler
		if e, ok := p.err.(*apiError); !ok || e.status >= 500 {
			retry = func(ctx goapp.Context, e goapp.Event) { p.load(ctx) }
		}
		return problem(p.lang, p.err, retry)
	case statusDone:
		s := p.service
		reqs := s.RequirementsRU
		if p.lang == langEN && len(s.RequirementsEN) > 0 {
			reqs = s.RequirementsEN
		}
		return goapp.Article().Body(
			goapp.If(s.Number != "", func() goapp.UI {
				return goapp.P().Class("service-number").Text(txtServiceCode.in(p.lang) + " " + s.Number)
			}),
			goapp.H1().ID("service-title").Text(pick(p.lang, s.TitleRU, s.TitleEN)),
			goapp.If(s.FullName.In(p.lang) != "" && s.FullName.In(p.lang) != pick(p.lang, s.TitleRU, s.TitleEN), func() goapp.UI {
				// The formal name, as the application and the invoice will write it.
				return goapp.P().ID("service-full-name").Class("muted").Text(s.FullName.In(p.lang))
			}),
			goapp.P().Class("lead").Text(pick(p.lang, s.SummaryRU, s.SummaryEN)),
			goapp.H2().Text(txtYouNeed.in(p.lang)),
			goapp.Ul().ID("requirements").Class("requirements").Body(
				goapp.Range(reqs).Slice(func(i int) goapp.UI { return goapp.Li().Text(reqs[i]) }),
			),
			goapp.If(s.Role != "head", func() goapp.UI {
				return goapp.A().ID("start").Class("button").Href(PathRenew + "?service=" + s.Code).Text(txtStart.in(p.lang))
			}).Else(func() goapp.UI {
				return goapp.P().Class("notice").Text(txtHeadLater.in(p.lang))
			}),
		)
	default:
		return goapp.P().Class("muted").Aria("busy", true).Text(txtLoading.in(p.lang))
	}
}
