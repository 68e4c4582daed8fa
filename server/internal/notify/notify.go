// Package notify delivers notifications to applicants: SMS one-time codes,
// e-mail confirmation codes, links that resume an application and notices
// about its progress.
//
// The package has three parts:
//
//   - message texts (texts.go, texts.tmpl): one constructor per message kind,
//     all wording in one embedded template file;
//   - senders: [SMTP] for e-mail and [SMSGateway] for SMS, both implementing
//     [Sender], and [Mux] that routes a [Message] by its [Channel];
//   - [NormalizePhone] and [NormalizeEmail], which the API applies to
//     addresses before they are stored.
//
// Messages are meant to be written to an outbox in the same transaction as
// the state change and delivered later by a retrying job. A sender's error
// tells the job what to do: an error wrapping [ErrPermanent] will never
// succeed (bad address, message rejected), any other error is temporary and
// the send should be retried later.
package notify

import (
	"context"
	"errors"
	"fmt"
)

// Channel is the medium a message is delivered through.
type Channel string

// Channels.
const (
	Email Channel = "email"
	SMS   Channel = "sms"
)

// Kind names the kind of a message, for the outbox, logs and metrics (never
// log Text: it may hold a one-time code).
type Kind string

// Message kinds, one per constructor in texts.go.
const (
	KindSMSCode          Kind = "sms_code"
	KindEmailCode        Kind = "email_code"
	KindResumeLink       Kind = "resume_link"
	KindRegistryRejected Kind = "registry_rejected"
	KindApprovalRequest  Kind = "approval_request" // e-mail and SMS
	KindDeclined         Kind = "declined"
	KindIssueRefused     Kind = "issue_refused"
	KindReceipt          Kind = "receipt"
	KindIssued           Kind = "issued"
	KindOpenedNotice     Kind = "opened_notice" // to the certificate's own e-mail
	KindRevokedUnpaid    Kind = "revoked_unpaid"
)

// Message is one notification ready to send.
type Message struct {
	Channel Channel
	Kind    Kind   // set by the constructors; informational only
	To      string // e-mail address, or phone in E.164 (+375291234567, +79161234567)
	Subject string // e-mail only
	Text    string // plain text body (SMS: the whole message)
	// Key identifies the message across retries (the outbox row id). The SMS
	// gateway receives it as the idempotency key, so a retried send is not
	// delivered twice by a gateway that honours it. The constructors leave
	// it empty; the outbox sets it.
	Key string
}

// Sender delivers one message. An error wrapping ErrPermanent must not be
// retried (bad address, rejected by the gateway or mail server); any other
// error is temporary (retry later). Implementations are safe for concurrent
// use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrPermanent marks a failure that retrying cannot fix.
var ErrPermanent = errors.New("notify: permanent failure")

// IsPermanent reports whether err must not be retried.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// permanentf returns a new error that wraps ErrPermanent.
func permanentf(format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrPermanent, fmt.Errorf(format, args...))
}

// Mux routes a message to the Sender for its channel. A channel without a
// sender is a configuration problem and gives a temporary error, so the
// messages wait in the outbox until the sender is configured; an unknown
// channel is permanent.
type Mux struct {
	Email Sender
	SMS   Sender
}

// Send implements Sender.
func (x Mux) Send(ctx context.Context, m Message) error {
	var s Sender
	switch m.Channel {
	case Email:
		s = x.Email
	case SMS:
		s = x.SMS
	default:
		return permanentf("notify: unknown channel %q", m.Channel)
	}
	if s == nil {
		return fmt.Errorf("notify: no sender configured for channel %q", m.Channel)
	}
	return s.Send(ctx, m)
}
