package renewal

import (
	"context"

	"renewal/app/wire"
	"renewal/server/internal/store"
)

// Release lets this browser go of its closed application: the session
// that binds the two is revoked, so the wizard's next start opens a new
// application instead of showing the old end screen. An open application
// is never let go this way (wrong_state): it would be left half done.
func (s *Service) Release(ctx context.Context, sess *Session) error {
	return s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, sess.ApplicationID)
		if err != nil {
			return err
		}
		if err := ActionRelease.check(State(app.State)); err != nil {
			return err
		}
		now := s.now()
		if err := tx.SessionRevoke(ctx, store.SessionRevokeParams{IDHash: sess.idHash, RevokedAt: &now}); err != nil {
			return err
		}
		return appendAudit(ctx, tx, app.ID, now, "session_released", State(app.State), State(app.State), "holder", nil)
	})
}

// afterDelivery is what the end screen says comes next, from the
// profile the certificate was issued under: the replaced certificate is
// revoked as superseded by the job the acknowledgement queued
// (enqueueSupersede), and the new one may be renewed in its window,
// remotely unless the profile refuses a remote renewal of a certificate
// issued remotely (ca's checkRemoteChain).
func (s *Service) afterDelivery(app *store.Application, issued *wire.CertificateRef) *wire.AfterDelivery {
	_, prof, ok := s.Catalog.service(app.Service)
	if !ok || app.CertSerial == nil {
		return nil
	}
	return &wire.AfterDelivery{
		ReplacedSerial:         *app.CertSerial,
		ReplacedRevocationDays: int(prof.ReplacedRevocation().Hours() / 24),
		RenewFrom:              issued.NotAfter.Add(-prof.RenewalWindow()),
		NotAfter:               issued.NotAfter,
		RenewRemotely:          !prof.RefuseRemoteChain(),
		KeyCarrier:             deref(app.KeyCarrier),
	}
}
