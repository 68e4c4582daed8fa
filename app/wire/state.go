package wire

// State is where an application is (Renewal.State, ApprovalRequest.State).
// The server's machine and the database enum renewal_state have the same
// values; a test in server/internal/store/enumtest holds them equal.
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
	// StateUnderReview: the payment was refunded or charged back after
	// the certificate was issued; the certificate is revoked and the
	// operator decides.
	StateUnderReview State = "under_review"
)

// States are all states, in the order of a renewal.
func States() []State {
	return []State{
		StateStarted, StateContactsVerified, StateCertificateProven, StateTermsAccepted,
		StateDataEntered, StateVerifying, StateVerified, StateRejected, StateApplicationSigned,
		StateAwaitingApproval, StateApproved, StateAwaitingPayment, StatePaid, StateKeyPending,
		StateIssued, StateAcknowledged, StateDelivered, StateCancelled, StateExpired,
		StateUnderReview,
	}
}

// Terminal states end an application.
func (s State) Terminal() bool {
	return s == StateRejected || s == StateDelivered || s == StateCancelled || s == StateExpired
}

// PaymentStatus is Payment.Status; the database column payment.status
// has the same values.
type PaymentStatus string

const (
	PaymentPending   PaymentStatus = "pending"
	PaymentSucceeded PaymentStatus = "succeeded"
	PaymentFailed    PaymentStatus = "failed"
	PaymentRefunded  PaymentStatus = "refunded"
)

// PaymentStatuses are all payment statuses.
func PaymentStatuses() []PaymentStatus {
	return []PaymentStatus{PaymentPending, PaymentSucceeded, PaymentFailed, PaymentRefunded}
}

// PaymentMethod is Payment.Method and PaymentStart.Method; the database
// column payment.method has the same values.
type PaymentMethod string

const (
	PaymentCard    PaymentMethod = "card"
	PaymentERIP    PaymentMethod = "erip"
	PaymentInvoice PaymentMethod = "invoice"
)

// PaymentMethods are all payment methods.
func PaymentMethods() []PaymentMethod {
	return []PaymentMethod{PaymentCard, PaymentERIP, PaymentInvoice}
}

// CheckStatus is RegistryCheck.Status; the database column
// registry_check.status has the same values.
type CheckStatus string

const (
	CheckQueued   CheckStatus = "queued"
	CheckRunning  CheckStatus = "running"
	CheckRetrying CheckStatus = "retrying"
	CheckPassed   CheckStatus = "passed"
	CheckFailed   CheckStatus = "failed"
)

// CheckStatuses are all statuses of a registry check.
func CheckStatuses() []CheckStatus {
	return []CheckStatus{CheckQueued, CheckRunning, CheckRetrying, CheckPassed, CheckFailed}
}

// CheckStepStatus is CheckStep.Status. It lives only in JSON (inside
// registry_check.steps), so no database type backs it.
type CheckStepStatus string

const (
	CheckStepPending CheckStepStatus = "pending"
	CheckStepPassed  CheckStepStatus = "passed"
	CheckStepFailed  CheckStepStatus = "failed"
)
