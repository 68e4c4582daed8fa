package app

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"renewal/app/wire"
)

func TestStepFor(t *testing.T) {
	proven := func(s wire.State) *wire.Renewal { return &wire.Renewal{State: string(s), Proven: true} }
	resumed := func(s wire.State) *wire.Renewal { return &wire.Renewal{State: string(s)} }
	withTariff := proven(wire.StateCertificateProven)
	withTariff.Tariff = "base"
	issued := func(s wire.State) *wire.Renewal {
		r := proven(s)
		r.Issued = &wire.CertificateRef{Serial: "01"}
		return r
	}
	corrected := proven(wire.StateTermsAccepted)
	corrected.Check = &wire.RegistryCheck{Status: string(wire.CheckFailed)}
	corrected.Correction = &wire.Correction{Code: "passport_mismatch", Fields: []string{"passport_number"}}
	tests := []struct {
		name  string
		r     *wire.Renewal
		step  string
		stage int
	}{
		{"ok/no-application", nil, "contacts", 0},
		{"ok/correction-back-at-data", corrected, "personal", 3},
		{"ok/started", resumed(wire.StateStarted), "codes", 0},
		{"ok/contacts-verified", resumed(wire.StateContactsVerified), "certificate", 1},
		{"ok/no-tariff-yet", proven(wire.StateCertificateProven), "tariff", 2},
		{"ok/tariff-chosen", withTariff, "terms", 2},
		{"ok/terms-accepted", proven(wire.StateTermsAccepted), "personal", 3},
		{"ok/data-entered", proven(wire.StateDataEntered), "check", 3},
		{"ok/verifying", proven(wire.StateVerifying), "check", 3},
		{"ok/verified", proven(wire.StateVerified), "application", 4},
		{"ok/signed", proven(wire.StateApplicationSigned), "application", 4},
		{"ok/awaiting-approval", proven(wire.StateAwaitingApproval), "approval", 4},
		{"ok/approved", proven(wire.StateApproved), "approval", 4},
		{"ok/awaiting-payment", proven(wire.StateAwaitingPayment), "payment", 5},
		{"ok/paid", proven(wire.StatePaid), "key", 6},
		{"ok/key-pending", proven(wire.StateKeyPending), "key", 6},
		{"ok/issued", proven(wire.StateIssued), "issued", 7},
		{"ok/acknowledged", proven(wire.StateAcknowledged), "save", 7},
		{"ok/delivered", proven(wire.StateDelivered), "end", 7},
		{"ok/unknown-state-issued", issued("no_such_state"), "end", 7},
		{"resume/proves-first", resumed(wire.StateAwaitingPayment), "certificate", 1},
		{"resume/tariff-proves-first", resumed(wire.StateCertificateProven), "certificate", 1},
		{"resume/cancelled-needs-no-proof", resumed(wire.StateCancelled), "end", 0},
		{"resume/expired-needs-no-proof", resumed(wire.StateExpired), "end", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stage, step := stepFor(tt.r)
			assert.Equal(t, tt.step, step.id)
			assert.Equal(t, tt.stage, stage)
		})
	}
}

// Every state has a step, and a state shown by two steps is passed on
// by the first one's done; terminal states need no proof.
func TestStepTableCoversStates(t *testing.T) {
	for _, s := range wire.States() {
		var shown []wizardStep
		for _, g := range stages {
			for _, st := range g.steps {
				if slices.Contains(st.states, s) {
					shown = append(shown, st)
				}
			}
		}
		if !assert.NotEmpty(t, shown, "no step shows %s", s) {
			continue
		}
		for _, st := range shown[:len(shown)-1] {
			assert.NotNil(t, st.done, "%s: step %s hides step %s", s, st.id, shown[len(shown)-1].id)
		}
		if s.Terminal() {
			assert.True(t, shown[0].open, "%s is terminal: its step must not ask for proof", s)
		}
	}
}

// An application that ended short of delivery is marked where it
// stopped: the stages before it done, none after it, and the last stage
// done only for a delivered one.
func TestStepBarStopsWhereTheApplicationEnded(t *testing.T) {
	ended := func(s wire.State, with func(*wire.Renewal)) *wire.Renewal {
		r := &wire.Renewal{State: string(s), Proven: true, PhoneVerified: true, EmailVerified: true,
			Certificate: &wire.CertificateRef{Serial: "0a"}}
		with(r)
		return r
	}
	none := func(*wire.Renewal) {}
	tests := []struct {
		name  string
		r     *wire.Renewal
		stage string // the step whose stage is marked
	}{
		{"rejected/registry-check", ended(wire.StateRejected, func(r *wire.Renewal) {
			r.Tariff = "base"
			r.Check = &wire.RegistryCheck{Status: string(wire.CheckFailed)}
		}), "check"},
		{"rejected/declined-by-head", ended(wire.StateRejected, func(r *wire.Renewal) {
			r.Tariff = "base"
			r.Check = &wire.RegistryCheck{Status: string(wire.CheckPassed)}
		}), "application"},
		{"cancelled/before-tariff", ended(wire.StateCancelled, none), "tariff"},
		{"expired/before-certificate", &wire.Renewal{State: string(wire.StateExpired), PhoneVerified: true, EmailVerified: true}, "certificate"},
		{"expired/codes-not-entered", &wire.Renewal{State: string(wire.StateExpired)}, "contacts"},
		{"expired/unpaid", ended(wire.StateExpired, func(r *wire.Renewal) {
			r.Check = &wire.RegistryCheck{Status: string(wire.CheckPassed)}
			r.Payment = &wire.Payment{Status: string(wire.PaymentPending)}
		}), "payment"},
		{"cancelled/refunded-before-issue", ended(wire.StateCancelled, func(r *wire.Renewal) {
			r.Check = &wire.RegistryCheck{Status: string(wire.CheckPassed)}
			r.Payment = &wire.Payment{Status: string(wire.PaymentRefunded)}
		}), "key"},
		{"under-review/issued-then-revoked", ended(wire.StateUnderReview, func(r *wire.Renewal) {
			r.Payment = &wire.Payment{Status: string(wire.PaymentRefunded)}
			r.Issued = &wire.CertificateRef{Serial: "0b"}
		}), "issued"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stage, step := stepFor(tt.r)
			want, _ := stepByID(tt.stage)
			assert.Equal(t, stepLast, step.id)
			assert.Equal(t, want, stage)
		})
	}
}

// The step bar of a refused application: the stages before the stop
// done, the stop marked stopped, nothing after it done; of a delivered
// one, every stage done.
func TestStageClasses(t *testing.T) {
	classes := func(current int, mark stageMark) []string {
		var out []string
		for i := range stages {
			out = append(out, stageClass(i, current, mark))
		}
		return out
	}
	check, _ := stepByID("check")
	assert.Equal(t, []string{"done", "done", "done", "stopped", "", "", "", ""}, classes(check, markStopped))
	assert.Equal(t, []string{"done", "done", "done", "current", "", "", "", ""}, classes(check, markCurrent))
	assert.Equal(t, []string{"done", "done", "done", "done", "done", "done", "done", "done"}, classes(len(stages)-1, markComplete))
}
