package renewal

import (
	"fmt"
	"slices"
)

// Action is a step allowed only in some states that is not itself a
// transition (it may lead to one). Its rule is a row of actions, beside
// the transition table, not an if in the middle of a method.
type Action string

const (
	ActionEnterCodes       Action = "enter_codes"        // request and check the one-time codes
	ActionProve            Action = "prove"              // sign the challenge with the current certificate
	ActionChooseTariff     Action = "choose_tariff"      // tariff and terms are read and chosen together
	ActionAcceptTerms      Action = "accept_terms"       //
	ActionEnterData        Action = "enter_data"         // personal data, then the registry check
	ActionCheckRegistry    Action = "check_registry"     // the registry job's answer
	ActionSignApplication  Action = "sign_application"   // the application PDF's CMS signature
	ActionHeadConfirm      Action = "head_confirm"       // the head confirms or declines a request
	ActionHeadPay          Action = "head_pay"           // the head pays for what he confirmed (Belarus)
	ActionStartPayment     Action = "start_payment"      // the holder opens a payment
	ActionApplyPayment     Action = "apply_payment"      // a provider's success counts for this application
	ActionRefundBeforeCert Action = "refund_before_cert" // a refund closes an application not yet issued
	ActionSubmitRequest    Action = "submit_request"     // the new key's CSR
	ActionIssue            Action = "issue"              // the issuance job
	ActionAcknowledge      Action = "acknowledge"        // the signed certificate form
	ActionDeliver          Action = "deliver"            // the certificate handed over
	ActionRelease          Action = "release"            // the browser lets a closed application go, to start another
)

// actions is the one table of state-dependent rules.
var actions = map[Action][]State{
	ActionEnterCodes:       {StateStarted},
	ActionProve:            {StateContactsVerified, StateCertificateProven, StateTermsAccepted, StateDataEntered, StateVerifying, StateVerified, StateApplicationSigned, StateAwaitingApproval, StateApproved, StateAwaitingPayment, StatePaid, StateKeyPending, StateIssued, StateAcknowledged},
	ActionChooseTariff:     {StateCertificateProven},
	ActionAcceptTerms:      {StateCertificateProven},
	ActionEnterData:        {StateTermsAccepted},
	ActionCheckRegistry:    {StateVerifying},
	ActionSignApplication:  {StateVerified},
	ActionHeadConfirm:      {StateAwaitingApproval},
	ActionHeadPay:          {StateApproved},
	ActionStartPayment:     {StateAwaitingPayment},
	ActionApplyPayment:     {StateAwaitingPayment},
	ActionRefundBeforeCert: {StatePaid, StateKeyPending},
	ActionSubmitRequest:    {StateAwaitingPayment, StatePaid, StateKeyPending},
	ActionIssue:            {StatePaid, StateKeyPending},
	ActionAcknowledge:      {StateIssued},
	ActionDeliver:          {StateAcknowledged},
	ActionRelease:          {StateDelivered, StateRejected, StateCancelled, StateExpired},
}

// allowedIn reports whether a may be done in state s.
func (a Action) allowedIn(s State) bool { return slices.Contains(actions[a], s) }

// check refuses a in state s with ErrWrongState.
func (a Action) check(s State) error {
	if !a.allowedIn(s) {
		return ErrWrongState.With(fmt.Errorf("%s in %s", a, s))
	}
	return nil
}
