package renewal

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/riverqueue/river"

	"renewal/ca"
	"renewal/server/internal/store"
)

// supersedeArgs revokes, as superseded, the certificate an application
// replaced: one possession of the old key must not outlive the renewal.
type supersedeArgs struct {
	ApplicationID string `json:"application_id"`
	Serial        string `json:"serial"` // hex, of the replaced certificate
}

func (supersedeArgs) Kind() string { return "supersede_replaced" }

// enqueueSupersede schedules the revocation of app's replaced certificate
// for when its profile says (at once by default), in tx.
func (s *Service) enqueueSupersede(ctx context.Context, tx *store.Tx, app *store.Application) error {
	_, prof, ok := s.Catalog.service(app.Service)
	if !ok || app.CertSerial == nil {
		return fmt.Errorf("supersede: application %s has no profile or current certificate", app.ID)
	}
	opts := &river.InsertOpts{MaxAttempts: 20}
	if grace := prof.ReplacedRevocation(); grace > 0 {
		opts.ScheduledAt = s.now().Add(grace) // River's scheduler makes it available then
	}
	return tx.Enqueue(ctx, supersedeArgs{ApplicationID: app.ID, Serial: *app.CertSerial}, opts)
}

type supersedeWorker struct {
	river.WorkerDefaults[supersedeArgs]
	s *Service
}

// Work revokes the replaced certificate in the job's transaction, with
// its audit event. A certificate of another authority (trusted.pem) is not
// ours to revoke: that is recorded and the job ends.
func (w *supersedeWorker) Work(ctx context.Context, job *river.Job[supersedeArgs]) error {
	s := w.s
	serial, ok := new(big.Int).SetString(job.Args.Serial, 16)
	if !ok {
		return river.JobCancel(fmt.Errorf("supersede: bad serial %q", job.Args.Serial))
	}
	return s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, job.Args.ApplicationID)
		if err != nil {
			return err
		}
		kind := "revocation:superseded"
		err = s.authorityIn(tx).Revoke(ctx, serial, ca.ReasonSuperseded)
		var ce *ca.Error
		if errors.As(err, &ce) && errors.Is(err, ca.ErrBadRequest) {
			kind = "revocation:not_ours" // issued elsewhere: its issuer revokes it
		} else if err != nil {
			return err
		}
		return appendAudit(ctx, tx, app.ID, s.now(), kind, State(app.State), State(app.State), "system",
			map[string]string{"serial": job.Args.Serial, "at": s.now().Format(time.RFC3339)})
	})
}
