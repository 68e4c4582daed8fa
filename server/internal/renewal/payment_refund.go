package renewal

import (
	"context"
	"fmt"
	"math/big"

	"renewal/app/money"
	"renewal/ca"
	"renewal/server/internal/notify"
	"renewal/server/internal/payments"
	"renewal/server/internal/store"
)

// revokeUnpaidReason is the RFC 5280 reason for a certificate whose
// payment was refunded or charged back: privilegeWithdrawn (9). The key
// is not compromised (1), nothing replaced it (4), and the holder did not
// stop operating (5): the centre withdraws the right the payment bought.
// It is final, unlike certificateHold (6), which relying parties on a
// qualified signature cannot act on, and which the operator's review
// does not need: a certificate reinstated would be a new issuance.
const revokeUnpaidReason = ca.ReasonPrivilegeWithdrawn

// stopPaid applies a refund (or chargeback) of a payment that had
// succeeded to every application it paid for: a head's payment covers
// all its paid items, another payment its one application. All of them
// are handled in the refund's transaction, or none (an error rolls back
// the whole event, and the provider delivers it again):
//
//   - not yet issued (paid, key_pending): closed as refunded; the issuance
//     job, which takes the same row lock, finds it closed and issues
//     nothing;
//   - issued (issued, acknowledged, delivered): the certificate is
//     revoked (privilegeWithdrawn), the application goes to under_review,
//     an entry joins the operator's review queue and the holder is told;
//   - any other state: nothing of it was paid by this payment.
//
// So after a refund no application of the payment holds a valid
// certificate: all refunded, or none issued. A refund of part of the
// payment is treated as a refund of all of it (the centre does not guess
// whose share came back) and the operator gets an entry to settle the
// rest with the payer.
func (s *Service) stopPaid(ctx context.Context, tx *store.Tx, p *store.Payment, kind payments.EventKind, amount int64, eventID string) error {
	ids := []string{p.ApplicationID}
	if items, err := tx.PaymentItems(ctx, p.ID); err != nil {
		return err
	} else if len(items) > 0 {
		if ids, err = tx.PaymentItemsPaid(ctx, p.ID); err != nil {
			return err
		}
	}
	for _, id := range ids {
		app, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		switch st := State(app.State); {
		case ActionRefundBeforeCert.allowedIn(st):
			// Money returned before the certificate: no certificate without a charge.
			if err := s.move(ctx, tx, app, EventRefundedBeforeIssue, "provider", map[string]string{"payment": p.ID, "event": eventID, "kind": string(kind)}); err != nil {
				return err
			}
		case EventRefundedAfterIssue.allows(st):
			if err := s.revokeUnpaid(ctx, tx, app, p, kind, eventID); err != nil {
				return err
			}
		default:
			s.Log.InfoContext(ctx, "payment: refund for an application it no longer concerns", "payment", p.ID, "application", id, "state", st)
		}
	}
	if amount > 0 && amount < p.AmountMinor {
		code, ru, en := reviewPartialRefund.with(money.Format(amount, p.Currency) + " / " + money.Format(p.AmountMinor, p.Currency))
		if _, err := tx.ReviewInsertForApplication(ctx, store.ReviewInsertForApplicationParams{ApplicationID: p.ApplicationID, PaymentID: p.ID,
			AmountMinor: amount, Kind: code, ReasonRu: ru, ReasonEn: en, CreatedAt: s.now()}); err != nil {
			return err
		}
	}
	return nil
}

// revokeUnpaid revokes the certificate of an issued application whose
// payment came back, in tx, and puts the application in the operator's
// review queue with the reason the holder sees.
func (s *Service) revokeUnpaid(ctx context.Context, tx *store.Tx, app *store.Application, p *store.Payment, kind payments.EventKind, eventID string) error {
	if app.IssuedSerial == nil {
		return fmt.Errorf("refund: application %s is %s without a certificate", app.ID, app.State)
	}
	serial, ok := new(big.Int).SetString(*app.IssuedSerial, 16)
	if !ok {
		return fmt.Errorf("refund: application %s: bad serial %q", app.ID, *app.IssuedSerial)
	}
	// Revoked already (the operator, for a compromised key): that reason
	// stands, and the trail says so.
	auditKind, reason := "revocation:privilege_withdrawn", revokeUnpaidReason
	if info, err := tx.CA().Revocation(ctx, serial); err != nil {
		return err
	} else if info.Revoked {
		auditKind, reason = "revocation:already_revoked", info.Reason
	} else if err := s.authorityIn(tx).Revoke(ctx, serial, revokeUnpaidReason); err != nil {
		return fmt.Errorf("refund: revoke %s: %w", *app.IssuedSerial, err)
	}
	if err := appendAudit(ctx, tx, app.ID, s.now(), auditKind, State(app.State), State(app.State), "system",
		map[string]any{"serial": *app.IssuedSerial, "reason": reason, "payment": p.ID, "event": eventID, "kind": string(kind)}); err != nil {
		return err
	}
	why := reviewRefundedAfterIssue
	if kind == payments.EventChargeback {
		why = reviewChargebackAfterIssue
	}
	code, ru, en := why.with(*app.IssuedSerial)
	if _, err := tx.ReviewInsertForApplication(ctx, store.ReviewInsertForApplicationParams{ApplicationID: app.ID, PaymentID: p.ID,
		AmountMinor: p.AmountMinor, Kind: code, ReasonRu: ru, ReasonEn: en, CreatedAt: s.now()}); err != nil {
		return err
	}
	if err := tx.ApplicationSetRejection(ctx, store.ApplicationSetRejectionParams{ID: app.ID, RejectCode: &code, RejectRu: &ru, RejectEn: &en, UpdatedAt: s.now()}); err != nil {
		return err
	}
	if err := s.move(ctx, tx, app, EventRefundedAfterIssue, "provider", map[string]string{"payment": p.ID, "event": eventID, "kind": string(kind)}); err != nil {
		return err
	}
	return s.queue(ctx, tx, app.ID, notify.Revoked(lang(app), app.Email, *app.IssuedSerial, ru, en), false)
}
