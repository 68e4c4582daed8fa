package renewal

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestEveryEventHasATransition: an Event constant without an entry in the
// table would be refused at run time ("wrong state") in every state.
func TestEveryEventHasATransition(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "state.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		spec, ok := node.(*ast.ValueSpec)
		if !ok || spec.Type == nil || len(spec.Values) == 0 {
			return true
		}
		if id, ok := spec.Type.(*ast.Ident); !ok || id.Name != "Event" {
			return true
		}
		lit, ok := spec.Values[0].(*ast.BasicLit)
		if !ok {
			return true
		}
		v, _ := strconv.Unquote(lit.Value)
		n++
		if _, ok := transitions[Event(v)]; !ok {
			t.Errorf("event %s (%s) has no transition", spec.Names[0].Name, v)
		}
		return true
	})
	if n < 15 {
		t.Fatalf("found %d events: the test reads state.go wrongly", n)
	}
}

func TestStatesOfTransitionsAreKnown(t *testing.T) {
	known := map[State]bool{}
	for _, s := range []State{StateStarted, StateContactsVerified, StateCertificateProven, StateTermsAccepted, StateDataEntered,
		StateVerifying, StateVerified, StateRejected, StateApplicationSigned, StateAwaitingApproval, StateApproved,
		StateAwaitingPayment, StatePaid, StateKeyPending, StateIssued, StateAcknowledged, StateDelivered, StateCancelled, StateExpired,
		StateUnderReview} {
		known[s] = true
	}
	for ev, tr := range transitions {
		if !known[tr.to] {
			t.Errorf("%s leads to unknown state %s", ev, tr.to)
		}
		for _, from := range tr.from {
			if !known[from] {
				t.Errorf("%s starts from unknown state %s", ev, from)
			}
		}
	}
}

// Every action has its row, and none is allowed in a state that ends an
// application.
func TestActionTable(t *testing.T) {
	all := []Action{ActionEnterCodes, ActionProve, ActionChooseTariff, ActionAcceptTerms, ActionEnterData,
		ActionCheckRegistry, ActionSignApplication, ActionHeadConfirm, ActionHeadPay, ActionStartPayment,
		ActionApplyPayment, ActionRefundBeforeCert, ActionSubmitRequest, ActionIssue, ActionAcknowledge, ActionDeliver, ActionRelease}
	// closedOnly actions change no application, only this browser's
	// hold on it: they are allowed in terminal states, and only there.
	closedOnly := map[Action]bool{ActionRelease: true}
	if len(all) != len(actions) {
		t.Fatalf("%d actions listed here, %d in the table", len(all), len(actions))
	}
	for _, a := range all {
		states, ok := actions[a]
		if !ok || len(states) == 0 {
			t.Errorf("action %s has no row", a)
		}
		for _, s := range states {
			if s.Terminal() != closedOnly[a] {
				t.Errorf("action %s allowed in state %s (terminal: %v)", a, s, s.Terminal())
			}
		}
	}
	if err := ActionStartPayment.check(StatePaid); err == nil {
		t.Error("a second payment of a paid application was allowed")
	}
}

func TestPaymentMachine(t *testing.T) {
	for _, c := range []struct {
		from, to PaymentStatus
		ok       bool
	}{
		{PaymentPending, PaymentSucceeded, true},
		{PaymentFailed, PaymentSucceeded, true},
		{PaymentSucceeded, PaymentRefunded, true},
		{PaymentRefunded, PaymentSucceeded, false},
		{PaymentSucceeded, PaymentFailed, false},
		{PaymentRefunded, PaymentRefunded, false},
	} {
		if err := paymentMove(c.from, c.to); (err == nil) != c.ok {
			t.Errorf("%s -> %s: err %v, want ok=%v", c.from, c.to, err, c.ok)
		}
	}
}
