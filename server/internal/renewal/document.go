package renewal

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"

	"renewal/app/wire"
	"renewal/server/internal/docs"
	"renewal/server/internal/store"
)

// ApplicationDocument returns the exact bytes of the reissue application
// (PDF) the holder is to sign.
func (s *Service) ApplicationDocument(ctx context.Context, sess *Session) ([]byte, error) {
	if err := sess.requireProven(); err != nil {
		return nil, err
	}
	doc, err := s.Store.SignedDocumentGet(ctx, store.SignedDocumentGetParams{ApplicationID: sess.ApplicationID, Kind: "application"})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoDocument
	} else if err != nil {
		return nil, err
	}
	return doc.Content, nil
}

// SignApplication verifies the holder's detached CMS signature over the
// application's exact bytes with the proven certificate (checked again:
// it may have been revoked since), keeps it, and moves the application
// to its next waiting point: the head's approval or payment.
func (s *Service) SignApplication(ctx context.Context, sess *Session, in wire.ApplicationSignature) (*wire.Renewal, error) {
	var view *wire.Renewal
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := s.proven(ctx, tx, sess, ActionSignApplication)
		if err != nil {
			return err
		}
		doc, err := tx.SignedDocumentGet(ctx, store.SignedDocumentGetParams{ApplicationID: app.ID, Kind: "application"})
		if err != nil {
			return err
		}
		cert, err := x509.ParseCertificate(app.CertDer)
		if err != nil {
			return err
		}
		signedAt, err := docs.VerifyDetached(in.Signature, doc.Content, cert)
		if err != nil {
			return ErrDocumentSignature.With(err)
		}
		if err := s.authorityIn(tx).CheckCurrent(ctx, app.Profile, cert, nil); err != nil {
			return authorityError(err)
		}
		now := s.now()
		n, err := tx.SignedDocumentSign(ctx, store.SignedDocumentSignParams{
			ApplicationID: app.ID, Kind: "application", Signature: in.Signature, SignerSha256: app.CertSha256, SignedAt: &now,
		})
		if err != nil {
			return err
		}
		if n != 1 {
			return ErrWrongState.With(errors.New("already signed"))
		}
		if err := appendAudit(ctx, tx, app.ID, now, "signature:application", State(app.State), State(app.State), "holder", map[string]string{
			"document_sha256":    fmt.Sprintf("%x", doc.Sha256),
			"signature_sha256":   fmt.Sprintf("%x", sha256.Sum256(in.Signature)),
			"certificate_serial": cert.SerialNumber.Text(16),
			"signing_time":       signedAt.UTC().Format("2006-01-02T15:04:05Z"),
		}); err != nil {
			return err
		}
		if err := s.move(ctx, tx, app, EventApplicationSigned, "holder", nil); err != nil {
			return err
		}
		terms, _, _ := s.Catalog.service(app.Service)
		next, step := EventPaymentRequested, nextPayment
		if terms.Approval {
			next, step = EventApprovalRequested, nextApproval
		}
		if err := s.move(ctx, tx, app, next, "system", nil); err != nil {
			return err
		}
		if err := s.sendResumeLink(ctx, tx, app, step); err != nil {
			return err
		}
		var link string
		if terms.Approval {
			if link, err = s.requestApproval(ctx, tx, app, cert.Subject.CommonName); err != nil {
				return err
			}
		}
		view, err = s.view(ctx, tx.Queries, app, sess)
		if view != nil && app.Jurisdiction == "RU" {
			view.ApprovalLink = link // the employee may send it himself
		}
		return err
	})
	return view, err
}

// Cancel ends an application that has not been paid. Once a certificate
// is bound to it, only its proven holder may: a resume link alone reads
// the state, and whoever forwards an e-mail must not end the renewal.
func (s *Service) Cancel(ctx context.Context, sess *Session) (*wire.Renewal, error) {
	var view *wire.Renewal
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, sess.ApplicationID)
		if err != nil {
			return err
		}
		if app.CertDer != nil && !sess.Proven {
			return ErrNotProven
		}
		if err := s.move(ctx, tx, app, EventCancelled, "holder", nil); err != nil {
			return err
		}
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	return view, err
}
