package renewal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"renewal/app/dates"
	"renewal/ca/ident"
	"strings"

	"renewal/app/money"
	"renewal/app/wire"
	"renewal/server/internal/apierr"
	"renewal/server/internal/docs"
	"renewal/server/internal/notify"
	"renewal/server/internal/store"
)

// The head's confirmation: one signature over many requests, or a
// decline with a reason.
// PrepareConfirmation draws up the document the head signs once for the
// chosen requests: for each, the hash of its signed application, the
// tariff and the amount. It is kept, so the bytes signed are those shown.
func (s *Service) PrepareConfirmation(ctx context.Context, hs *HeadSession, ids []string) (*wire.Confirmation, error) {
	if err := hs.requireProven(); err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > 100 {
		return nil, ErrNothingToConfirm
	}
	headSum := sha256.Sum256(hs.Cert.Raw)
	out := &wire.Confirmation{ID: "conf-" + newApplicationID()}
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var b strings.Builder
		now := s.now()
		fmt.Fprintf(&b, "ПОДТВЕРЖДЕНИЕ ПОЛНОМОЧИЙ СОТРУДНИКОВ / CONFIRMATION OF EMPLOYEES' AUTHORITY\n")
		orgKind := "УНП / UNP"
		orgID := ident.Format(ident.UNP, hs.OrgID)
		if hs.Jurisdiction == "RU" {
			orgKind, orgID = "ИНН / INN", ident.Format(ident.INNLegal, hs.OrgID)
		}
		org := firstOf(hs.Cert.Subject.Organization)
		fmt.Fprintf(&b, "Документ / Document: %s\nДата / Date: %s / %s\nОрганизация / Organisation: %s, %s %s\nРуководитель / Head: %s, %s (сертификат / certificate %s)\n\n",
			out.ID, dates.DateTime(now, hs.Jurisdiction, "ru"), dates.DateTime(now, hs.Jurisdiction, "en"),
			org, orgKind, orgID, hs.Cert.Subject.CommonName, attribute(hs.Cert, oidTitle), hs.Cert.SerialNumber.Text(16))
		fmt.Fprintf(&b, "Подтверждаю полномочия сотрудников на продление сертификатов по заявлениям, перечисленным ниже.\n")
		fmt.Fprintf(&b, "I confirm the authority of the employees to renew their certificates under the applications listed below.\n\n")
		type item struct {
			app *store.Application
			sum []byte
		}
		var items []item
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			app, err := lock(ctx, tx, id)
			if err != nil {
				return err
			}
			if !ActionHeadConfirm.allowedIn(State(app.State)) || app.Jurisdiction != hs.Jurisdiction || deref(app.OrgID) != hs.OrgID {
				return ErrNothingToConfirm.With(fmt.Errorf("application %s is %s of %s", id, app.State, deref(app.OrgID)))
			}
			empCert, err := x509.ParseCertificate(app.CertDer)
			if err != nil {
				return err
			}
			if ownRequest(app.Jurisdiction, hs.Cert, empCert) {
				return s.refuseAudited(ctx, tx, app, "head", ErrOwnRequest,
					map[string]string{"head_certificate": hs.Cert.SerialNumber.Text(16)})
			}
			doc, err := tx.SignedDocumentGet(ctx, store.SignedDocumentGetParams{ApplicationID: id, Kind: "application"})
			if err != nil {
				return err
			}
			cert, _ := x509.ParseCertificate(app.CertDer)
			fmt.Fprintf(&b, "%d. Заявление № / Application No. %s (%s)\n   Сотрудник / Employee: %s\n   Должность / Position: %s\n   Сертификат действителен до / Certificate valid until: %s\n   Услуга / Service: %s\n   Тариф / Tariff: %s\n   Сумма / Amount: %s\n   SHA-256 подписанного заявления / of the signed application: %x\n",
				len(items)+1, app.Number, app.ID, cert.Subject.CommonName, attribute(cert, oidTitle),
				dates.Date(cert.NotAfter, app.Jurisdiction, "ru"), s.Catalog.ServiceName(app.Service, "ru"),
				s.Catalog.TariffName(app.Service, deref(app.Tariff), "ru"), money.Format(deref64(app.AmountMinor), deref(app.Currency)), doc.Sha256)
			items = append(items, item{app, doc.Sha256})
		}
		content := []byte(b.String())
		sum := sha256.Sum256(content)
		if err := tx.ConfirmationInsert(ctx, store.ConfirmationInsertParams{ID: out.ID, Jurisdiction: hs.Jurisdiction, OrgID: hs.OrgID,
			HeadCertSha256: headSum[:], Content: content, Sha256: sum[:], CreatedAt: now}); err != nil {
			return err
		}
		for _, it := range items {
			if err := tx.ConfirmationItemInsert(ctx, store.ConfirmationItemInsertParams{ConfirmationID: out.ID, ApplicationID: it.app.ID,
				ApplicationSha256: it.sum, Tariff: deref(it.app.Tariff), AmountMinor: deref64(it.app.AmountMinor), Currency: deref(it.app.Currency)}); err != nil {
				return err
			}
		}
		out.Document = content
		return nil
	})
	return out, err
}

// Confirm verifies the head's one signature over the confirmation and
// moves every request it lists: in Russia on to the employee's payment,
// in Belarus to the head's payment.
func (s *Service) Confirm(ctx context.Context, hs *HeadSession, id string, sig []byte) (*wire.Approval, error) {
	if err := hs.requireProven(); err != nil {
		return nil, err
	}
	headSum := sha256.Sum256(hs.Cert.Raw)
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := tx.ConfirmationGetForUpdate(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNothingToConfirm
		} else if err != nil {
			return err
		}
		if c.Signature != nil || !bytes.Equal(c.HeadCertSha256, headSum[:]) || c.OrgID != hs.OrgID {
			return ErrWrongState
		}
		// A refusal of the head's signature is in the trail of every
		// request the confirmation lists, and changes nothing else.
		refuse := func(refusal error) error {
			var public *apierr.Error
			if !errors.As(refusal, &public) {
				return refusal // a failure, not a refusal: roll back
			}
			items, err := tx.ConfirmationItems(ctx, id)
			if err != nil {
				return err
			}
			data := map[string]string{"confirmation": id, "signature_sha256": fmt.Sprintf("%x", sha256.Sum256(sig)),
				"head_certificate": hs.Cert.SerialNumber.Text(16)}
			for _, it := range items {
				app, err := lock(ctx, tx, it.ApplicationID)
				if err != nil {
					return err
				}
				if err := s.auditRefusal(ctx, tx, app, "head", refusal, data); err != nil {
					return err
				}
			}
			return &store.Keep{Err: refusal}
		}
		if _, err := docs.VerifyDetached(sig, c.Content, hs.Cert); err != nil {
			return refuse(ErrConfirmationSignature.With(err))
		}
		// Revoked, expired or no longer the head since the proof: checked
		// again now, at the moment that counts.
		if err := s.authorityIn(tx).CheckSigner(ctx, hs.Cert, nil); err != nil {
			return refuse(authorityError(err))
		}
		if err := s.headInRegister(ctx, hs.Jurisdiction, hs.OrgID, hs.Cert); err != nil {
			return refuse(err)
		}
		now := s.now()
		if err := tx.ConfirmationSign(ctx, store.ConfirmationSignParams{ID: id, Signature: sig, SignedAt: &now}); err != nil {
			return err
		}
		items, err := tx.ConfirmationItems(ctx, id)
		if err != nil {
			return err
		}
		for _, it := range items {
			app, err := lock(ctx, tx, it.ApplicationID)
			if err != nil {
				return err
			}
			data := map[string]string{"confirmation": id, "confirmation_sha256": fmt.Sprintf("%x", c.Sha256),
				"signature_sha256": fmt.Sprintf("%x", sha256.Sum256(sig)), "head_certificate": hs.Cert.SerialNumber.Text(16)}
			if err := appendAudit(ctx, tx, app.ID, now, "signature:confirmation", State(app.State), State(app.State), "head", data); err != nil {
				return err
			}
			if err := s.move(ctx, tx, app, EventApproved, "head", map[string]string{"confirmation": id}); err != nil {
				return err
			}
			if hs.Jurisdiction == "RU" {
				if err := s.move(ctx, tx, app, EventPaymentRequested, "system", nil); err != nil {
					return err
				}
				if err := s.sendResumeLink(ctx, tx, app, nextPayment); err != nil {
					return err
				}
			} else if err := s.sendResumeLink(ctx, tx, app, nextPaymentAfterHead); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	v, err := s.ApprovalView(ctx, hs)
	if v != nil {
		v.Confirmed = id
	}
	return v, err
}

// Decline refuses one request with a reason the employee is told.
func (s *Service) Decline(ctx context.Context, hs *HeadSession, appID, reason string) (*wire.Approval, error) {
	if err := hs.requireProven(); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 {
		return nil, ErrNoReason
	}
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, appID)
		if err != nil {
			return err
		}
		if !ActionHeadConfirm.allowedIn(State(app.State)) || deref(app.OrgID) != hs.OrgID || app.Jurisdiction != hs.Jurisdiction {
			return ErrWrongState
		}
		code, ru, en := rejectDeclinedByHead.with(reason)
		if err := tx.ApplicationSetRejection(ctx, store.ApplicationSetRejectionParams{ID: app.ID, RejectCode: &code, RejectRu: &ru, RejectEn: &en, UpdatedAt: s.now()}); err != nil {
			return err
		}
		if err := s.move(ctx, tx, app, EventDeclined, "head", map[string]string{"reason": reason, "head_certificate": hs.Cert.SerialNumber.Text(16)}); err != nil {
			return err
		}
		return s.queue(ctx, tx, app.ID, notify.Declined(lang(app), app.Email, reason), false)
	})
	if err != nil {
		return nil, err
	}
	return s.ApprovalView(ctx, hs)
}

// ConfirmationOf returns the head's signed confirmation of the session's
// application: the exact document and the detached signature, as they
// were signed.
func (s *Service) ConfirmationOf(ctx context.Context, sess *Session) (content, signature []byte, err error) {
	if err := sess.requireProven(); err != nil {
		return nil, nil, err
	}
	c, err := s.Store.ConfirmationForApplication(ctx, sess.ApplicationID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrNoConfirmation
	} else if err != nil {
		return nil, nil, err
	}
	return c.Content, c.Signature, nil
}

// HeadConfirmation returns one of the head's signed confirmations, for
// his organisation only.
func (s *Service) HeadConfirmation(ctx context.Context, hs *HeadSession, id string) (content, signature []byte, err error) {
	if err := hs.requireProven(); err != nil {
		return nil, nil, err
	}
	c, err := s.Store.ConfirmationGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (c.OrgID != hs.OrgID || c.Jurisdiction != hs.Jurisdiction || c.Signature == nil)) {
		return nil, nil, ErrNoConfirmation
	} else if err != nil {
		return nil, nil, err
	}
	return c.Content, c.Signature, nil
}

// OperatorConfirmation returns any signed confirmation, for the
// centre's operator.
func (s *Service) OperatorConfirmation(ctx context.Context, id string) (content, signature []byte, err error) {
	c, err := s.Store.ConfirmationGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.Signature == nil) {
		return nil, nil, ErrNoConfirmation
	} else if err != nil {
		return nil, nil, err
	}
	return c.Content, c.Signature, nil
}
