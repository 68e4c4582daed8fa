package app

import (
	"strings"

	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app/wire"
)

// Paths of the wizard.
const (
	PathRenew  = "/renew"
	PathResume = "/resume/"
)

// Wizard is the renewal: one screen per step, chosen by the application's
// state on the server, so a reload or a link opened on another device
// lands on the same step.
type Wizard struct {
	goapp.Compo

	lang    string
	service string // ?service= for a new application
	status  status
	err     error
	r       *wire.Renewal // nil: no application in this browser yet
	keys    *Keys
}

func (w *Wizard) OnNav(ctx goapp.Context) {
	if w.keys == nil {
		w.keys = &Keys{}
	}
	u := ctx.Page().URL()
	w.service = u.Query().Get("service")
	if goapp.IsServer {
		return
	}
	if token, ok := strings.CutPrefix(u.Path, PathResume); ok && token != "" {
		w.resume(ctx, token)
		return
	}
	w.load(ctx)
}

func (w *Wizard) OnMount(ctx goapp.Context) { observeLang(ctx, &w.lang) }

// load reads the application of this browser's session.
func (w *Wizard) load(ctx goapp.Context) {
	w.status = statusLoading
	ctx.Async(func() {
		var r wire.Renewal
		err := getJSON(ctx, "/api/v1/renewal", &r)
		ctx.Dispatch(func(ctx goapp.Context) {
			switch {
			case code(err) == "no_session":
				w.r, w.status, w.err = nil, statusDone, nil
			case err != nil:
				w.status, w.err = statusFailed, err
			default:
				w.r, w.status, w.err = &r, statusDone, nil
			}
		})
	})
}

// resume opens the application of an e-mailed link in this browser.
func (w *Wizard) resume(ctx goapp.Context, token string) {
	w.status = statusLoading
	ctx.Async(func() {
		var r wire.Renewal
		err := sendJSON(ctx, "POST", "/api/v1/resume", "", wire.Resume{Token: token}, &r)
		ctx.Dispatch(func(ctx goapp.Context) {
			if err != nil {
				w.status, w.err = statusFailed, err
				return
			}
			w.r, w.status, w.err = &r, statusDone, nil
			// The token has done its work; keep it out of the history.
			goapp.Window().Get("history").Call("replaceState", nil, "", PathRenew)
		})
	})
}

// update takes the application as a step's action or poll left it. It is
// copied into the value every step points to, so the step sees it at once
// even when only the step re-renders; a new step starts at the top of the
// page.
func (w *Wizard) update(ctx goapp.Context, r *wire.Renewal) {
	moved := w.r == nil || r == nil || w.r.State != r.State
	if w.r == nil || r == nil {
		w.r = r
	} else if w.r != r {
		*w.r = *r
	}
	if moved {
		goapp.Window().Call("scrollTo", 0, 0)
	}
}

func (w *Wizard) Render() goapp.UI {
	ready := w.status == statusDone || w.status == statusFailed
	step := w.step()
	return goapp.Div().Class("page").Body(
		&header{},
		goapp.Main().
			ID("wizard").
			DataSet("ready", ready).
			DataSet("step", step).
			Body(
				goapp.If(w.r != nil, func() goapp.UI { return progress(w.lang, step) }),
				w.body(step),
			),
	)
}

func (w *Wizard) body(step string) goapp.UI {
	switch w.status {
	case statusFailed:
		return problem(w.lang, w.err, func(ctx goapp.Context, e goapp.Event) { w.load(ctx) })
	case statusDone:
	default:
		return goapp.P().Class("muted").Aria("busy", true).Text(txtLoading.in(w.lang))
	}
	s := StepProps{R: w.r, Lang: w.lang, Keys: w.keys, Update: w.update}
	switch step {
	case "contacts":
		return &stepContacts{StepProps: s, Service: w.service}
	case "codes":
		return &stepCodes{StepProps: s}
	case "certificate":
		return &stepCertificate{StepProps: s}
	case "tariff":
		return &stepTariff{StepProps: s}
	case "terms":
		return &stepTerms{StepProps: s}
	case "personal":
		return &stepPersonal{StepProps: s}
	case "check":
		return &stepCheck{StepProps: s}
	case "application":
		return &stepApplication{StepProps: s}
	case "approval":
		return &stepWaiting{StepProps: s}
	case "payment":
		return &stepPayment{StepProps: s}
	case "key":
		return &stepKey{StepProps: s}
	case "issued":
		return &stepIssued{StepProps: s}
	case "save":
		return &stepSave{StepProps: s}
	default:
		return &stepEnd{StepProps: s}
	}
}

// step names the screen for the application's state. A session that has
// not proven the certificate (a resume link) proves it first.
func (w *Wizard) step() string {
	r := w.r
	switch {
	case r == nil:
		return "contacts"
	case r.State == "started":
		return "codes"
	case !r.Proven && !terminal(r.State):
		return "certificate"
	}
	switch r.State {
	case "contacts_verified":
		return "certificate"
	case "certificate_proven":
		if r.Tariff == "" {
			return "tariff"
		}
		return "terms"
	case "terms_accepted":
		return "personal"
	case "data_entered", "verifying":
		return "check"
	case "verified", "application_signed":
		return "application"
	case "awaiting_approval", "approved":
		return "approval"
	case "awaiting_payment":
		return "payment"
	case "paid", "key_pending":
		return "key"
	case "issued":
		return "issued"
	case "acknowledged":
		return "save"
	default:
		return "end"
	}
}

func terminal(state string) bool {
	switch state {
	case "rejected", "cancelled", "expired", "delivered":
		return true
	}
	return false
}

// StepProps are what every step gets from the wizard.
type StepProps struct {
	R      *wire.Renewal
	Lang   string
	Keys   *Keys
	Update func(goapp.Context, *wire.Renewal)
}
