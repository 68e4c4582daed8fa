// Package renewal is the server side of a renewal: a persistent state
// machine from the first screen (contacts) to the signed application, and
// the waiting points after it (approval, payment). Every transition goes
// through one table, is recorded in the audit chain, and is safe to retry.
package renewal

import "slices"

// State is where an application is. The database has the same values
// (type renewal_state).
type State string

const (
	StateStarted           State = "started"
	StateContactsVerified  State = "contacts_verified"
	StateCertificateProven State = "certificate_proven"
	StateTermsAccepted     State = "terms_accepted"
	StateDataEntered       State = "data_entered"
	StateVerifying         State = "verifying"
	StateVerified          State = "verified"
	StateRejected          State = "rejected"
	StateApplicationSigned State = "application_signed"
	StateAwaitingApproval  State = "awaiting_approval"
	StateApproved          State = "approved"
	StateAwaitingPayment   State = "awaiting_payment"
	StatePaid              State = "paid"
	StateKeyPending        State = "key_pending"
	StateIssued            State = "issued"
	StateAcknowledged      State = "acknowledged"
	StateDelivered         State = "delivered"
	StateCancelled         State = "cancelled"
	StateExpired           State = "expired"
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
}

// Terminal states end an application.
func (s State) Terminal() bool {
	return s == StateRejected || s == StateDelivered || s == StateCancelled || s == StateExpired
}

// allows reports whether event may move an application in state s.
func (e Event) allows(s State) bool {
	t, ok := transitions[e]
	return ok && slices.Contains(t.from, s)
}
