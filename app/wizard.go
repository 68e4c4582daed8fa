package app

import (
	"fmt"
	"slices"
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
		if err == nil {
			w.keys.restore(ctx, &r) // the keys kept in this browser, before the step shows
		}
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
		if err == nil {
			w.keys.restore(ctx, &r)
		}
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
	if moved {
		w.keys.settle(ctx, r) // an ended application's kept keys go
	}
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
	stage, step := stepFor(w.r)
	mark := markCurrent
	switch {
	case w.r == nil || step.id != stepLast:
	case wire.State(w.r.State) == wire.StateDelivered:
		mark = markComplete
	default:
		mark = markStopped
	}
	return goapp.Div().Class("page").Body(
		&header{},
		goapp.Main().
			ID("wizard").
			DataSet("ready", ready).
			DataSet("step", step.id).
			Body(
				// The contacts step (no application yet) is step 1 of the bar too.
				goapp.If(w.r != nil || w.status == statusDone, func() goapp.UI { return progress(w.lang, stage, mark) }),
				w.body(step),
			),
	)
}

func (w *Wizard) body(step *wizardStep) goapp.UI {
	switch w.status {
	case statusFailed:
		return problem(w.lang, w.err, func(ctx goapp.Context, e goapp.Event) { w.load(ctx) })
	case statusDone:
	default:
		return goapp.P().Class("muted").Aria("busy", true).Text(txtLoading.in(w.lang))
	}
	return step.compo(w, StepProps{R: w.r, Lang: w.lang, Keys: w.keys, Update: w.update})
}

// wizardStep is one screen of the wizard.
type wizardStep struct {
	id     string       // #wizard's data-step, for tests
	states []wire.State // the application's states that show it
	// open steps are shown to a session that has not proven the
	// certificate (a resume link); the others send it to prove first.
	open bool
	// done passes the step on to the next one of the same state.
	done  func(*wire.Renewal) bool
	compo func(*Wizard, StepProps) goapp.UI
}

// stages is the wizard's one table: every step in order, the states that
// show it, and the stages shown above the steps.
var stages = []struct {
	name  text // short, so the wide step bar is one row
	full  text // the compact bar's, when the short name says less
	steps []wizardStep
}{
	{text{"Контакты", "Contacts"}, text{}, []wizardStep{
		{id: "contacts", open: true, // no application yet
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepContacts{StepProps: p, Service: w.service} }},
		{id: "codes", states: []wire.State{wire.StateStarted}, open: true,
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepCodes{StepProps: p} }},
	}},
	{text{"Сертификат", "Certificate"}, text{}, []wizardStep{
		{id: stepProof, states: []wire.State{wire.StateContactsVerified}, open: true,
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepCertificate{StepProps: p} }},
	}},
	{text{"Тариф", "Tariff"}, text{"Тариф и условия", "Tariff and terms"}, []wizardStep{
		{id: "tariff", states: []wire.State{wire.StateCertificateProven},
			done:  func(r *wire.Renewal) bool { return r.Tariff != "" },
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepTariff{StepProps: p} }},
		{id: "terms", states: []wire.State{wire.StateCertificateProven},
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepTerms{StepProps: p} }},
	}},
	{text{"Проверка", "Data check"}, text{"Проверка данных", "Data check"}, []wizardStep{
		{id: "personal", states: []wire.State{wire.StateTermsAccepted},
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepPersonal{StepProps: p} }},
		{id: "check", states: []wire.State{wire.StateDataEntered, wire.StateVerifying},
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepCheck{StepProps: p} }},
	}},
	{text{"Заявление", "Application"}, text{}, []wizardStep{
		{id: "application", states: []wire.State{wire.StateVerified, wire.StateApplicationSigned},
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepApplication{StepProps: p} }},
		{id: "approval", states: []wire.State{wire.StateAwaitingApproval, wire.StateApproved},
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepWaiting{StepProps: p} }},
	}},
	{text{"Оплата", "Payment"}, text{}, []wizardStep{
		{id: "payment", states: []wire.State{wire.StateAwaitingPayment},
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepPayment{StepProps: p} }},
	}},
	{text{"Ключ", "Key"}, text{}, []wizardStep{
		{id: "key", states: []wire.State{wire.StatePaid, wire.StateKeyPending},
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepKey{StepProps: p} }},
	}},
	{text{"Получение", "Your certificate"}, text{}, []wizardStep{
		{id: "issued", states: []wire.State{wire.StateIssued},
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepIssued{StepProps: p} }},
		{id: "save", states: []wire.State{wire.StateAcknowledged},
			compo: func(w *Wizard, p StepProps) goapp.UI { return &stepSave{StepProps: p} }},
		{id: stepLast, open: true, // terminal states, and any state this wizard does not know
			states: []wire.State{wire.StateDelivered, wire.StateRejected, wire.StateCancelled, wire.StateExpired, wire.StateUnderReview},
			compo:  func(w *Wizard, p StepProps) goapp.UI { return &stepEnd{StepProps: p} }},
	}},
}

// stepFor's rules beside the table: a session that has not proven the
// certificate proves it first; a state no step shows ends the wizard.
const (
	stepProof = "certificate"
	stepLast  = "end"
)

// stepFor finds the screen for an application and its stage: the first
// step of its state not yet done; with no application, the first step.
// An application that ended short of delivery is at the end step, and its
// stage is the one where it stopped (stoppedAt), not the last one.
func stepFor(r *wire.Renewal) (stage int, step *wizardStep) {
	if r == nil {
		return 0, &stages[0].steps[0]
	}
	for i := range stages {
		for j := range stages[i].steps {
			s := &stages[i].steps[j]
			if !slices.Contains(s.states, wire.State(r.State)) || s.done != nil && s.done(r) {
				continue
			}
			if !s.open && !r.Proven {
				return stepByID(stepProof)
			}
			if s.id == stepLast {
				return stoppedAt(r), s
			}
			return i, s
		}
	}
	stage, step = stepByID(stepLast)
	return stoppedAt(r), step
}

// stoppedAt is the stage an ended application reached, told by what it
// holds: a delivered one the last; a refused, cancelled or expired one
// the stage of the last thing it got, so the step bar marks done only
// what was done.
func stoppedAt(r *wire.Renewal) int {
	stage := func(id string) int { i, _ := stepByID(id); return i }
	switch {
	case wire.State(r.State) == wire.StateDelivered || r.Issued != nil:
		return stage("issued")
	case r.Payment != nil && (r.Payment.Status == string(wire.PaymentSucceeded) || r.Payment.Status == string(wire.PaymentRefunded)):
		return stage("key")
	case r.Payment != nil:
		return stage("payment")
	case r.Check != nil && r.Check.Status == string(wire.CheckPassed):
		return stage("application") // declined by the head, or left before signing
	case r.Check != nil:
		return stage("check")
	case r.Tariff != "" || r.Certificate != nil:
		return stage("tariff")
	case r.PhoneVerified && r.EmailVerified:
		return stage(stepProof)
	default:
		return 0
	}
}

func stepByID(id string) (stage int, step *wizardStep) {
	for i := range stages {
		for j := range stages[i].steps {
			if stages[i].steps[j].id == id {
				return i, &stages[i].steps[j]
			}
		}
	}
	panic("wizard: no step " + id)
}

// How the step bar marks the stage stepFor names.
type stageMark int

const (
	markCurrent  stageMark = iota // the application is at this stage
	markStopped                   // it ended here, short of delivery
	markComplete                  // delivered: every stage is done
)

// progress is the step indicator: done, current (or stopped) and coming
// stages. Wide screens show every stage in one row; narrow ones show
// only "Шаг 3 из 8 · Сертификат" over a thin line of the stages.
func progress(lang string, current int, mark stageMark) goapp.UI {
	class := func(i int) string { return stageClass(i, current, mark) }
	format := text{"Шаг %d из %d · %s", "Step %d of %d · %s"}
	if mark == markStopped {
		format = text{"Остановлено на шаге %d из %d · %s", "Stopped at step %d of %d · %s"}
	}
	stopped := text{"остановлено", "stopped"}.in(lang)
	name := stages[current].full.in(lang)
	if name == "" {
		name = stages[current].name.in(lang)
	}
	return goapp.Nav().Class("progress").Aria("label", text{"Этапы", "Stages"}.in(lang)).Body(
		goapp.Ol().Body(goapp.Range(stages).Slice(func(i int) goapp.UI {
			li := goapp.Li().Class(class(i))
			if i == current {
				li = li.Aria("current", "step")
			}
			if class(i) == "stopped" {
				return li.Title(stopped).Body(goapp.Text(stages[i].name.in(lang)),
					goapp.Span().Class("visually-hidden").Text(" ("+stopped+")"))
			}
			return li.Text(stages[i].name.in(lang))
		})),
		goapp.P().Class("progress-compact").Text(fmt.Sprintf(format.in(lang), current+1, len(stages), name)),
		goapp.Div().Class("progress-line").Aria("hidden", true).Body(goapp.Range(stages).Slice(func(i int) goapp.UI {
			return goapp.Span().Class(class(i))
		})),
	)
}

// stageClass is how stage i shows in the step bar.
func stageClass(i, current int, mark stageMark) string {
	switch {
	case i < current || mark == markComplete:
		return "done"
	case i == current && mark == markStopped:
		return "stopped"
	case i == current:
		return "current"
	}
	return ""
}

// StepProps are what every step gets from the wizard.
type StepProps struct {
	R      *wire.Renewal
	Lang   string
	Keys   *Keys
	Update func(goapp.Context, *wire.Renewal)
}
