// Package renewal is the server side of a renewal: a persistent state
// machine from the first screen (contacts) to the signed application, and
// the waiting points after it (approval, payment). Every transition goes
// through one table, is recorded in the audit chain, and is safe to retry.
package renewal

import (
	"slices"

	"renewal/app/wire"
)

// State is where an application is: one type with the wizard's (wire)
// and the database's enum renewal_state, held equal by enumtest.
type State = wire.State

const (
	StateStarted           = wire.StateStarted
	StateContactsVerified  = wire.StateContactsVerified
	StateCertificateProven = wire.StateCertificateProven
	StateTermsAccepted     = wire.StateTermsAccepted
	StateDataEntered       = wire.StateDataEntered
	StateVerifying         = wire.StateVerifying
	StateVerified          = wire.StateVerified
	StateRejected          = wire.StateRejected
	StateApplicationSigned = wire.StateApplicationSigned
	StateAwaitingApproval  = wire.StateAwaitingApproval
	StateApproved          = wire.StateApproved
	StateAwaitingPayment   = wire.StateAwaitingPayment
	StatePaid              = wire.StatePaid
	StateKeyPending        = wire.StateKeyPending
	StateIssued            = wire.StateIssued
	StateAcknowledged      = wire.StateAcknowledged
	StateDelivered         = wire.StateDelivered
	StateCancelled         = wire.StateCancelled
	StateExpired           = wire.StateExpired
	StateUnderReview       = wire.StateUnderReview
)

// Event is what moves an application.
type Event string

const (
	EventContactsVerified  Event = "contacts_verified"
	EventCertificateProven Event = "certificate_proven"
	EventTermsAccepted     Event = "terms_accepted"
	EventDataEntered       Event = "data_entered"
	EventCheckStarted      Event = "check_started"
	EventCheckPassed       Event = "check_passed"
	EventCheckFailed       Event = "check_failed"
	// EventCheckCorrectable: a register did not find what was typed; the
	// person goes back to the data step to correct it.
	EventCheckCorrectable  Event = "check_correctable"
	EventApplicationSigned Event = "application_signed"
	EventApprovalRequested Event = "approval_requested"
	EventApproved          Event = "approved"
	EventDeclined          Event = "declined"
	EventPaymentRequested  Event = "payment_requested"
	EventPaid              Event = "paid"
	EventKeyRequested      Event = "key_requested"
	EventIssued            Event = "issued"
	EventAcknowledged      Event = "acknowledged"
	EventDelivered         Event = "delivered"
	EventCancelled         Event = "cancelled"
	// EventRefundedBeforeIssue: the payment was refunded before the
	// certificate was issued; nothing will be issued.
	EventRefundedBeforeIssue Event = "refunded_before_issue"
	EventExpired             Event = "expired"
	// EventRefundedAfterIssue: the payment was refunded or charged back
	// after the certificate was issued; the certificate is revoked and
	// the operator reviews the application.
	EventRefundedAfterIssue Event = "refunded_after_issue"
)

type transition struct {
	from []State
	to   State
}

// beforePayment are the states a person may still cancel from.
var beforePayment = []State{
	StateStarted, StateContactsVerified, StateCertificateProven, StateTermsAccepted,
	StateDataEntered, StateVerifying, StateVerified, StateApplicationSigned,
	StateAwaitingApproval, StateApproved, StateAwaitingPayment,
}

// transitions is the one table of the state machine.
var transitions = map[Event]transition{
	EventContactsVerified:    {[]State{StateStarted}, StateContactsVerified},
	EventCertificateProven:   {[]State{StateContactsVerified}, StateCertificateProven},
	EventTermsAccepted:       {[]State{StateCertificateProven}, StateTermsAccepted},
	EventDataEntered:         {[]State{StateTermsAccepted}, StateDataEntered},
	EventCheckStarted:        {[]State{StateDataEntered}, StateVerifying},
	EventCheckPassed:         {[]State{StateVerifying}, StateVerified},
	EventCheckFailed:         {[]State{StateVerifying}, StateRejected},
	EventCheckCorrectable:    {[]State{StateVerifying}, StateTermsAccepted},
	EventApplicationSigned:   {[]State{StateVerified}, StateApplicationSigned},
	EventApprovalRequested:   {[]State{StateApplicationSigned}, StateAwaitingApproval},
	EventApproved:            {[]State{StateAwaitingApproval}, StateApproved},
	EventDeclined:            {[]State{StateAwaitingApproval}, StateRejected},
	EventPaymentRequested:    {[]State{StateApplicationSigned, StateApproved}, StateAwaitingPayment},
	EventPaid:                {[]State{StateAwaitingPayment}, StatePaid},
	EventKeyRequested:        {[]State{StatePaid}, StateKeyPending},
	EventIssued:              {[]State{StateKeyPending}, StateIssued},
	EventAcknowledged:        {[]State{StateIssued}, StateAcknowledged},
	EventDelivered:           {[]State{StateAcknowledged}, StateDelivered},
	EventCancelled:           {beforePayment, StateCancelled},
	EventRefundedBeforeIssue: {[]State{StatePaid, StateKeyPending}, StateCancelled},
	EventExpired:             {beforePayment, StateExpired},
	// Delivered too: a chargeback comes weeks after delivery, and the
	// revoked certificate's application is the operator's again.
	EventRefundedAfterIssue: {[]State{StateIssued, StateAcknowledged, StateDelivered}, StateUnderReview},
}

// allows reports whether event may move an application in state s.
func (e Event) allows(s State) bool {
	t, ok := transitions[e]
	return ok && slices.Contains(t.from, s)
}
