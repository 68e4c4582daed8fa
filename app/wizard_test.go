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
	tests := []struct {
		name  string
		r     *wire.Renewal
		step  string
		stage int
	}{
		{"ok/no-application", nil, "contacts", 0},
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
		{"ok/rejected", proven(wire.StateRejected), "end", 7},
		{"ok/unknown-state", proven("no_such_state"), "end", 7},
		{"resume/proves-first", resumed(wire.StateAwaitingPayment), "certificate", 1},
		{"resume/tariff-proves-first", resumed(wire.StateCertificateProven), "certificate", 1},
		{"resume/cancelled-needs-no-proof", resumed(wire.StateCancelled), "end", 7},
		{"resume/expired-needs-no-proof", resumed(wire.StateExpired), "end", 7},
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
