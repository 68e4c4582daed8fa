// Package payments holds what the renewal service needs to take money for an
// application, without the HTTP server or the database:
//
//   - the [Provider] interface that a card acquirer (Assist or similar) and
//     ERIP implement, with [Event], the provider's notification, and
//     [Status], the provider's answer when asked about a payment;
//   - webhook signing and verification ([SignatureHeaderValue],
//     [VerifyEvent]): header X-Signature: t=<unix>,v1=<hex HMAC-SHA256>,
//     checked before the body is parsed, ±5 minutes; a provider that
//     signs nothing is an [Unsigned] one, believed only in its
//     [Status.ReadBack];
//   - bank invoices: [ParseStatement] and [WriteStatement] for the
//     1CClientBankExchange format and [Match], which decides which statement
//     documents pay which invoices.
//
// The development sandboxes of the gateways are in package sandbox.
//
// Exactly-once is the caller's part: store [Event.ID] (and, for statements,
// [StatementDoc.EventID]) under a unique constraint on (provider, event id)
// in the same transaction as the payment's state change and the issuing
// job. Duplicates and out-of-order events are normal: a "succeeded" that
// arrives after a "refunded" for the same payment must not issue.
package payments

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Method is how the person pays.
type Method string

// Payment methods.
const (
	MethodCard    Method = "card"
	MethodERIP    Method = "erip"
	MethodInvoice Method = "invoice"
)

// ERIPServicePath is where the service is found in the ERIP tree; show it
// next to the code.
const ERIPServicePath = "Система «Расчёт» (ЕРИП) → Удостоверяющий центр → Продление сертификата"

// ERIPServicePathEN is ERIPServicePath in English.
const ERIPServicePathEN = "“Raschet” system (ERIP) → Certification centre → Certificate renewal"

// CreateRequest asks a provider to open a payment.
type CreateRequest struct {
	PaymentID     string // our id, unique; a repeated Create with the same id returns the same payment
	ApplicationID string
	AmountMinor   int64  // kopecks / copecks, > 0
	Currency      string // RUB, BYN
	Description   string
	ReturnURL     string // where the hosted page sends the person back (absolute http(s) URL)
	PayerEmail    string
}

// Created is the provider's answer to Create.
type Created struct {
	ProviderRef string // the provider's id of the payment
	RedirectURL string // card: the hosted payment page
	ERIPCode    string // erip: the code (account number) to pay by
}

// EventKind is what happened to a payment.
type EventKind string

// Event kinds.
const (
	EventSucceeded EventKind = "succeeded"
	EventFailed    EventKind = "failed"
	EventRefunded  EventKind = "refunded"
	// EventChargeback: the payer's bank took the money back (a dispute);
	// for the service it is a refund it did not agree to.
	EventChargeback EventKind = "chargeback"
)

// Valid reports whether k is one of the known kinds.
func (k EventKind) Valid() bool {
	switch k {
	case EventSucceeded, EventFailed, EventRefunded, EventChargeback:
		return true
	}
	return false
}

// Event is a provider's notification about a payment.
type Event struct {
	ID          string // unique per provider; the same id arrives again on a redelivery
	Kind        EventKind
	ProviderRef string
	PaymentID   string
	AmountMinor int64 // refunded: the amount refunded by this event
	Currency    string
	At          time.Time
}

// Payment states as reported by [Provider.Status].
const (
	StatePending   = "pending"
	StateSucceeded = "succeeded"
	StateFailed    = "failed"
	StateRefunded  = "refunded" // refunded in full
	// StateChargedBack: the payer's bank reversed the payment.
	StateChargedBack = "charged_back"
)

// ReadBack is what a provider's [Status] answer means as an event: the
// only event the service acts on from a provider that signs nothing.
// ok is false while the payment is pending (or in a state unknown here):
// nothing to act on.
func (s Status) ReadBack() (kind EventKind, ok bool) {
	switch s.State {
	case StateSucceeded:
		return EventSucceeded, true
	case StateFailed:
		return EventFailed, true
	case StateRefunded:
		return EventRefunded, true
	case StateChargedBack:
		return EventChargeback, true
	}
	return "", false
}

// Status is the provider's view of a payment.
type Status struct {
	State       string // StatePending, StateSucceeded, StateFailed, StateRefunded
	AmountMinor int64  // the payment's amount
	Currency    string
}

// Provider is a payment gateway.
type Provider interface {
	Method() Method
	Create(ctx context.Context, r CreateRequest) (Created, error)
	// Verify checks a notification's signature and timestamp and parses it.
	// The errors wrap ErrBadSignature, ErrStale or ErrMalformed.
	Verify(header func(string) string, body []byte, now time.Time) (Event, error)
	Status(ctx context.Context, providerRef string) (Status, error)
	Refund(ctx context.Context, providerRef string, amountMinor int64) error
}

// Unsigned is a Provider whose notifications carry no signature (as
// ЮKassa's do not): its Verify only parses, and a notification is a hint
// that a payment changed, never a fact. The service acts only on what
// [Provider.Status] reads back over the provider's API, and only on
// notifications from the provider's published addresses.
type Unsigned interface {
	Provider
	// SignsNothing reports whether this provider's notifications are
	// unsigned (a provider may be configured either way).
	SignsNothing() bool
	// Sender reports whether a notification may come from addr.
	Sender(addr netip.Addr) bool
}

// SignsNothing reports whether p's notifications are unsigned.
func SignsNothing(p Provider) (Unsigned, bool) {
	u, ok := p.(Unsigned)
	return u, ok && u.SignsNothing()
}

// Errors of webhook verification. Answer 400 for ErrMalformed and 401 for
// the other two; a gateway retries on any non-2xx answer.
var (
	ErrBadSignature = errors.New("payments: the notification's signature is missing or invalid")
	ErrStale        = errors.New("payments: the notification's timestamp is more than 5 minutes from now")
	ErrMalformed    = errors.New("payments: the notification's body is malformed")
)

// Errors of the providers' operations.
var (
	ErrInvalidRequest = errors.New("payments: invalid payment request")
	ErrUnknownPayment = errors.New("payments: unknown payment")
	ErrNotRefundable  = errors.New("payments: the payment cannot be refunded")
)

// InvoiceNumber formats the number of a bank invoice: RN-2026-000123.
// The number goes into the invoice and the payer copies it into the payment
// purpose, where [Match] finds it.
func InvoiceNumber(seq int64, year int) string {
	return fmt.Sprintf("RN-%04d-%06d", year, seq)
}
