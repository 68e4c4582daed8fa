package renewal

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"renewal/app/money"
	"renewal/app/wire"
	"renewal/server/internal/apierr"
	"renewal/server/internal/notify"
	"renewal/server/internal/payments"
	"renewal/server/internal/store"
)

// methodsOf lists how a jurisdiction pays: ERIP is Belarusian.
func methodsOf(jurisdiction string) []payments.Method {
	if jurisdiction == "BY" {
		return []payments.Method{payments.MethodCard, payments.MethodERIP, payments.MethodInvoice}
	}
	return []payments.Method{payments.MethodCard, payments.MethodInvoice}
}

// StartPayment opens a payment by the chosen method, or returns the one
// already pending for it: a double click does not open two.
func (s *Service) StartPayment(ctx context.Context, sess *Session, method string) (*wire.Renewal, error) {
	app, err := s.provenApplication(ctx, sess)
	if err != nil {
		return nil, err
	}
	if err := ActionStartPayment.check(State(app.State)); err != nil {
		return nil, err
	}
	m := payments.Method(method)
	allowed := false
	for _, a := range methodsOf(app.Jurisdiction) {
		allowed = allowed || a == m
	}
	if !allowed {
		return nil, ErrUnknownMethod
	}
	if p, err := s.Store.PaymentLatest(ctx, app.ID); err == nil && PaymentStatus(p.Status) == PaymentPending && p.Method == method {
		return s.View(ctx, sess)
	}
	id := "pay-" + newApplicationID()
	params := store.PaymentInsertParams{ID: id, ApplicationID: app.ID, Method: method, AmountMinor: deref64(app.AmountMinor),
		Currency: deref(app.Currency), CreatedAt: s.now()}
	if m == payments.MethodInvoice {
		cert, err := x509.ParseCertificate(app.CertDer)
		if err != nil {
			return nil, err
		}
		params.PayerInn = payer(cert).INN
	} else {
		provider, ok := s.Providers[m]
		if !ok {
			return nil, ErrUnknownMethod
		}
		created, err := provider.Create(ctx, payments.CreateRequest{
			PaymentID: id, ApplicationID: app.ID, AmountMinor: params.AmountMinor, Currency: params.Currency,
			Description: "Продление сертификата, заявление № " + app.Number, PayerEmail: receiptEmail(&app),
			ReturnURL: strings.TrimSuffix(s.PublicURL, "/") + "/renew",
		})
		if err != nil {
			return nil, ErrPaymentProvider.With(err)
		}
		params.ProviderRef, params.RedirectUrl, params.EripCode = &created.ProviderRef, created.RedirectURL, created.ERIPCode
	}
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		a, err := lock(ctx, tx, app.ID)
		if err != nil {
			return err
		}
		if err := ActionStartPayment.check(State(a.State)); err != nil {
			return err
		}
		if err := s.insertPayment(ctx, tx, app.Jurisdiction, &params); err != nil {
			return err
		}
		return appendAudit(ctx, tx, app.ID, s.now(), "payment:created", State(a.State), State(a.State), "holder",
			map[string]any{"payment": id, "method": method, "amount_minor": params.AmountMinor, "currency": params.Currency})
	})
	if err != nil {
		return nil, err
	}
	return s.View(ctx, sess)
}

// PaymentEvent acts on a provider's notification: verified, recorded
// once under its event id in the transaction that changes the state.
// Duplicates and replays are answered "done" and change nothing. A
// provider that signs nothing is believed only in what its API reads
// back, and only from its own addresses (from is the sender's address).
// Every refusal changes nothing and is recorded in the audit stream of
// the provider's notifications.
func (s *Service) PaymentEvent(ctx context.Context, method string, from netip.Addr, header func(string) string, body []byte) error {
	provider, ok := s.Providers[payments.Method(method)]
	if !ok {
		return apierr.ErrNotFound
	}
	unsigned, readBack := payments.SignsNothing(provider)
	if readBack && !unsigned.Sender(from) {
		return s.refuseNotification(ctx, method, from, body, ErrWebhookSender.With(fmt.Errorf("sender %s", from)))
	}
	ev, err := provider.Verify(header, body, s.now())
	switch {
	case errors.Is(err, payments.ErrMalformed):
		return s.refuseNotification(ctx, method, from, body, ErrWebhookMalformed.With(err))
	case err != nil:
		return s.refuseNotification(ctx, method, from, body, ErrWebhookSignature.With(err))
	}
	if readBack {
		if ev, err = s.readBack(ctx, provider, ev); err != nil {
			return s.refuseNotification(ctx, method, from, body, err)
		}
	}
	err = s.paymentEvent(ctx, provider, method, ev)
	var ae *apierr.Error
	if errors.As(err, &ae) && ae.Kind != apierr.KindInternal && ae.Kind != apierr.KindUnavailable {
		return s.refuseNotification(ctx, method, from, body, err)
	}
	return err
}

// readBack replaces an unsigned notification by what the provider's API
// says of the payment it names: the body chose only which payment to ask
// about. Its event id is the read-back state, so however many
// notifications (whatever their ids) say one thing, it is acted on once.
func (s *Service) readBack(ctx context.Context, provider payments.Provider, hint payments.Event) (payments.Event, error) {
	// Whose payment it is, is our record's word, never the body's: a
	// forged payment_id must not turn someone's real payment into an
	// "unknown" one that is refunded.
	paymentID, err := s.Store.PaymentIDByProviderRef(ctx, string(provider.Method()), hint.ProviderRef)
	if errors.Is(err, store.ErrNotFound) {
		return payments.Event{}, ErrWebhookUnconfirmed.With(fmt.Errorf("no payment of ours has reference %q", hint.ProviderRef))
	} else if err != nil {
		return payments.Event{}, err
	}
	st, err := provider.Status(ctx, hint.ProviderRef)
	if errors.Is(err, payments.ErrUnknownPayment) {
		return payments.Event{}, ErrWebhookUnconfirmed.With(err)
	} else if err != nil {
		return payments.Event{}, ErrPaymentProvider.With(fmt.Errorf("read back %s: %w", hint.ProviderRef, err))
	}
	kind, ok := st.ReadBack()
	if !ok {
		return payments.Event{}, ErrWebhookUnconfirmed.With(fmt.Errorf("notification %s says %s, the provider says %s", hint.ID, hint.Kind, st.State))
	}
	return payments.Event{ID: "status:" + hint.ProviderRef + ":" + st.State, Kind: kind, ProviderRef: hint.ProviderRef,
		PaymentID: paymentID, AmountMinor: st.AmountMinor, Currency: st.Currency, At: s.now()}, nil
}

// refuseNotification records a refused notification and returns why. No
// application row can be trusted from a refused body, so the event goes
// to the provider's own audit stream, with the body's hash, not the body.
func (s *Service) refuseNotification(ctx context.Context, method string, from netip.Addr, body []byte, why error) error {
	code := "refused"
	var ae *apierr.Error
	if errors.As(why, &ae) {
		code = ae.Code
	}
	sum := sha256.Sum256(body)
	stream := "notifications:" + method
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.PaymentAuditStreamLock(ctx, stream); err != nil {
			return err
		}
		return appendAudit(ctx, tx, stream, s.now(), "payment:notification_refused", "", "", "provider",
			map[string]string{"reason": code, "from": from.String(), "body_sha256": hex.EncodeToString(sum[:]), "detail": why.Error()})
	})
	if err != nil {
		s.Log.ErrorContext(ctx, "payment: refused notification not audited", "reason", code, "err", err)
	}
	s.Log.WarnContext(ctx, "payment: notification refused", "provider", method, "from", from, "reason", why)
	return why
}

// paymentEvent records a verified (or read-back) event and acts on it.
func (s *Service) paymentEvent(ctx context.Context, provider payments.Provider, method string, ev payments.Event) error {
	var refund func() error
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		n, err := tx.PaymentEventInsert(ctx, store.PaymentEventInsertParams{Provider: method, EventID: ev.ID, PaymentID: ev.PaymentID, Kind: string(ev.Kind), ReceivedAt: s.now()})
		if err != nil {
			return err
		}
		if n == 0 {
			s.Log.InfoContext(ctx, "payment: duplicate notification", "event", ev.ID)
			return nil
		}
		p, err := tx.PaymentGetForUpdate(ctx, ev.PaymentID)
		if errors.Is(err, store.ErrNotFound) {
			s.Log.WarnContext(ctx, "payment: notification for an unknown payment", "payment", ev.PaymentID, "event", ev.ID)
			if ev.Kind == payments.EventSucceeded {
				refund = func() error { return provider.Refund(ctx, ev.ProviderRef, ev.AmountMinor) }
			}
			return nil
		} else if err != nil {
			return err
		}
		if p.Method != method || deref(p.ProviderRef) != ev.ProviderRef {
			return ErrWebhookMalformed.With(fmt.Errorf("event %s names %s/%s, the payment is %s/%s", ev.ID, method, ev.ProviderRef, p.Method, deref(p.ProviderRef)))
		}
		var charge bool
		charge, err = s.applyPaymentEvent(ctx, tx, &p, ev.Kind, ev.AmountMinor, ev.Currency, ev.ID)
		if charge {
			refund = func() error { return provider.Refund(ctx, ev.ProviderRef, p.AmountMinor) }
		}
		return err
	})
	if err != nil {
		return err
	}
	if refund != nil {
		// Money taken that must not be kept (a second charge, a payment
		// already refunded here): give it back. A failure is logged for
		// the operator; the event itself is recorded.
		if err := refund(); err != nil {
			s.Log.ErrorContext(ctx, "payment: automatic refund failed", "event", ev.ID, "err", err)
		}
	}
	return nil
}

// applyPaymentEvent changes a locked payment and its application. It
// returns true when the money of this event must be refunded.
func (s *Service) applyPaymentEvent(ctx context.Context, tx *store.Tx, p *store.Payment, kind payments.EventKind, amount int64, currency, eventID string) (bool, error) {
	now := s.now()
	app, err := lock(ctx, tx, p.ApplicationID)
	if err != nil {
		return false, err
	}
	record := func(status PaymentStatus) error {
		if err := paymentMove(PaymentStatus(p.Status), status); err != nil {
			return err
		}
		if err := tx.PaymentSetStatus(ctx, store.PaymentSetStatusParams{ID: p.ID, Status: string(status), At: now}); err != nil {
			return err
		}
		p.Status = string(status)
		return appendAudit(ctx, tx, app.ID, now, "payment:"+string(status), State(app.State), State(app.State), "provider",
			map[string]any{"payment": p.ID, "event": eventID, "kind": string(kind), "amount_minor": amount, "currency": currency})
	}
	switch kind {
	case payments.EventFailed:
		if PaymentStatus(p.Status) != PaymentPending {
			return false, nil
		}
		return false, record(PaymentFailed)
	case payments.EventRefunded, payments.EventChargeback:
		if PaymentStatus(p.Status) == PaymentRefunded {
			return false, nil
		}
		paid := PaymentStatus(p.Status) == PaymentSucceeded
		if err := record(PaymentRefunded); err != nil {
			return false, err
		}
		if !paid {
			// It never paid anything here (the refund overtook its
			// success): no application was paid by it to stop.
			return false, nil
		}
		return false, s.stopPaid(ctx, tx, p, kind, amount, eventID)
	case payments.EventSucceeded:
		switch {
		case PaymentStatus(p.Status) == PaymentRefunded:
			// A refund arrived first (gateways reorder): the payment stays
			// refunded and nothing is issued.
			return false, nil
		case PaymentStatus(p.Status) == PaymentSucceeded:
			return false, nil
		case amount != p.AmountMinor || currency != p.Currency:
			if err := record(PaymentFailed); err != nil {
				return false, err
			}
			return true, nil
		}
		// A head's payment for several applications.
		if items, err := tx.PaymentItems(ctx, p.ID); err != nil {
			return false, err
		} else if len(items) > 0 {
			if err := record(PaymentSucceeded); err != nil {
				return false, err
			}
			n, err := s.paidGroup(ctx, tx, p, items)
			if err != nil || n > 0 {
				return false, err
			}
			// Everything was paid already (the head paid twice): back.
			s.Log.WarnContext(ctx, "payment: a head's second payment; refunding", "payment", p.ID)
			return true, record(PaymentRefunded)
		}
		switch {
		case !ActionApplyPayment.allowedIn(State(app.State)):
			// The application is paid already (another payment) or closed:
			// this charge is a second one and goes back.
			if err := record(PaymentRefunded); err != nil {
				return false, err
			}
			return true, nil
		}
		if err := record(PaymentSucceeded); err != nil {
			return false, err
		}
		return false, s.markPaid(ctx, tx, app, p)
	}
	return false, nil
}

// markPaid moves the application to paid and starts its issuance in the
// same transaction; the person gets a receipt.
func (s *Service) markPaid(ctx context.Context, tx *store.Tx, app *store.Application, p *store.Payment) error {
	if err := s.move(ctx, tx, app, EventPaid, "provider", map[string]string{"payment": p.ID}); err != nil {
		return err
	}
	if err := enqueueIssue(ctx, tx, app.ID); err != nil {
		return err
	}
	return s.queue(ctx, tx, app.ID, notify.Receipt(lang(app), receiptEmail(app), notify.ReceiptInfo{
		Amount: money.Format(p.AmountMinor, p.Currency), Application: app.Number, Payment: p.ID, Invoice: deref(p.InvoiceNumber),
		PaidAt: s.now(), Jurisdiction: app.Jurisdiction}), false)
}

// receiptEmail is where an application's receipts go: the address the
// person gave on the payment step, else the verified contact e-mail.
func receiptEmail(app *store.Application) string {
	if app.ReceiptEmail != nil && *app.ReceiptEmail != "" {
		return *app.ReceiptEmail
	}
	return app.Email
}

// SetReceiptEmail changes where the payment's receipt goes, on the
// payment step, before a payment succeeds. The address is checked as the
// contact e-mail is; the change is audited with both addresses.
func (s *Service) SetReceiptEmail(ctx context.Context, sess *Session, address string) (*wire.Renewal, error) {
	email, err := notify.NormalizeEmail(address)
	if err != nil {
		return nil, ErrBadEmail.With(err)
	}
	var view *wire.Renewal
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := s.proven(ctx, tx, sess, ActionStartPayment)
		if err != nil {
			return err
		}
		old := receiptEmail(app)
		if old != email {
			now := s.now()
			if err := tx.ApplicationSetReceiptEmail(ctx, app.ID, &email, now); err != nil {
				return err
			}
			if err := appendAudit(ctx, tx, app.ID, now, "receipt_email", State(app.State), State(app.State), "holder",
				map[string]string{"from": old, "to": email}); err != nil {
				return err
			}
			app.ReceiptEmail, app.UpdatedAt = &email, now
		}
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	return view, err
}

// payerParty is who pays an invoice: the organisation of an employee's
// certificate, else the holder.
type payerParty struct{ Name, INN string }

func payer(cert *x509.Certificate) payerParty {
	if inn := attribute(cert, oidINNLE); inn != "" {
		return payerParty{Name: firstOf(cert.Subject.Organization), INN: inn}
	}
	if unp := attribute(cert, oidUNP); unp != "" {
		name := firstOf(cert.Subject.Organization)
		if name == "" {
			name = cert.Subject.CommonName
		}
		return payerParty{Name: name, INN: unp}
	}
	return payerParty{Name: cert.Subject.CommonName, INN: attribute(cert, oidINN)}
}

func paymentView(p store.Payment) *wire.Payment {
	v := &wire.Payment{ID: p.ID, Method: p.Method, Status: p.Status,
		Amount:      wire.Money{Minor: p.AmountMinor, Currency: p.Currency, Text: money.Format(p.AmountMinor, p.Currency)},
		RedirectURL: p.RedirectUrl, ERIPCode: p.EripCode, InvoiceNumber: deref(p.InvoiceNumber), CreatedAt: p.CreatedAt, PaidAt: p.PaidAt}
	if p.Method == "erip" {
		v.ERIPPath, v.ERIPPathEN = payments.ERIPServicePath, payments.ERIPServicePathEN
	}
	return v
}

// insertPayment writes a payment row; a bank invoice first takes its
// number from the year's invoice counter, in this transaction.
func (s *Service) insertPayment(ctx context.Context, tx *store.Tx, jurisdiction string, params *store.PaymentInsertParams) error {
	if params.Method == string(payments.MethodInvoice) {
		n, err := nextNumber(ctx, tx, store.NumberInvoice, s.now(), jurisdiction)
		if err != nil {
			return err
		}
		params.InvoiceNumber = &n
	}
	return tx.PaymentInsert(ctx, *params)
}
