package renewal

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"renewal/app/wire"
	"renewal/ca"
	"renewal/ca/profile"
	"renewal/server/internal/notify"
	"renewal/server/internal/payments"
	"renewal/server/internal/store"
)

// Issuer is what the workflow needs of the authority beyond
// CurrentChecker: a dry run of a request, and the issuance itself.
type Issuer interface {
	CurrentChecker
	CheckRequest(ctx context.Context, profile string, current *x509.Certificate, csrDER []byte) error
	CheckSigner(ctx context.Context, cert *x509.Certificate, chain []*x509.Certificate) error
	// PrefetchRevocation warms the revocation client's cache before a
	// transaction that will check the certificate.
	PrefetchRevocation(ctx context.Context, cert *x509.Certificate, chain []*x509.Certificate)
	Renew(ctx context.Context, req ca.RenewalRequest) (*ca.Issued, error)
	Revoke(ctx context.Context, serial *big.Int, reason int) error
	WithStore(ca.Store) *ca.Authority
}

// ParseRequest accepts a PKCS#10 request as DER or PEM ("CERTIFICATE
// REQUEST" or "NEW CERTIFICATE REQUEST"), as people's own tools write it.
func ParseRequest(b []byte) ([]byte, error) {
	if block, _ := pem.Decode(b); block != nil {
		if !strings.Contains(block.Type, "CERTIFICATE REQUEST") {
			return nil, ErrBadRequestFile
		}
		b = block.Bytes
	}
	if _, err := x509.ParseCertificateRequest(b); err != nil {
		return nil, ErrBadRequestFile.With(err)
	}
	return b, nil
}

// SubmitRequest takes the request for the new certificate (made in the
// browser, or a file of the person's own tool), checks it as the
// authority will, and keeps it with the key's carrier (wire.Carrier*;
// "" is a request of the person's own tool); once paid, issuance starts.
// The carrier only chooses among the profile's signature-tool texts: an
// unknown one is refused before anything is kept.
func (s *Service) SubmitRequest(ctx context.Context, sess *Session, raw []byte, carrier string) (*wire.Renewal, error) {
	if err := sess.requireProven(); err != nil {
		return nil, err
	}
	if carrier == "" {
		carrier = wire.CarrierRequest
	}
	if !slices.Contains(profile.Carriers, carrier) {
		return nil, ErrUnknownCarrier
	}
	der, err := ParseRequest(raw)
	if err != nil {
		return nil, err
	}
	var view *wire.Renewal
	var refund func() error
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, sess.ApplicationID)
		if err != nil {
			return err
		}
		if err := ActionSubmitRequest.check(State(app.State)); err != nil {
			return err
		}
		if app.Csr != nil {
			return ErrWrongState.With(errors.New("a request was already submitted"))
		}
		cert, err := x509.ParseCertificate(app.CertDer)
		if err != nil {
			return err
		}
		if err := s.authorityIn(tx).CheckRequest(ctx, app.Profile, cert, der); err != nil {
			return s.refuseAudited(ctx, tx, app, "holder", authorityError(err),
				map[string]string{"csr_sha256": fmt.Sprintf("%x", s.keyed("csr", string(der)))})
		}
		now := s.now()
		if err := tx.ApplicationSetCSR(ctx, store.ApplicationSetCSRParams{ID: app.ID, Csr: der, KeyCarrier: &carrier, UpdatedAt: now}); err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, app.ID, now, "request", State(app.State), State(app.State), "holder",
			map[string]string{"csr_sha256": fmt.Sprintf("%x", s.keyed("csr", string(der))), "carrier": carrier}); err != nil {
			return err
		}
		app.Csr, app.KeyCarrier = der, &carrier
		if State(app.State) == StateKeyPending {
			// Paid already: issue now, in this transaction, as the job
			// would (the row lock makes it once). If that fails short of
			// a refusal, the job takes over from the request just kept.
			err := tx.Savepoint(ctx, func(ctx context.Context, tx *store.Tx) error {
				var err error
				refund, err = s.issueLocked(ctx, tx, app)
				return err
			})
			if err != nil {
				s.Log.WarnContext(ctx, "issue: at once failed; the job retries", "application", app.ID, "err", err)
				refund = nil
				if app, err = lock(ctx, tx, app.ID); err != nil {
					return err
				}
				if err := enqueueIssue(ctx, tx, app.ID); err != nil {
					return err
				}
			}
		}
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	if err == nil && refund != nil {
		if rerr := refund(); rerr != nil {
			s.Log.ErrorContext(ctx, "issue: automatic refund failed; the operator must refund", "application", sess.ApplicationID, "err", rerr)
		}
	}
	return view, err
}

// keyAlgorithm is the key the wizard makes for an application: the
// first its profile takes (ca/profile key_algorithms).
func (s *Service) keyAlgorithm(app *store.Application) string {
	if p, ok := s.Catalog.profiles.Get(app.Profile); ok {
		return p.KeyAlgorithms()[0]
	}
	return ""
}

// authorityIn is the authority bound to tx: its reads and records are the
// transaction's own (a second connection would deadlock the pool and miss
// what tx changed).
func (s *Service) authorityIn(tx *store.Tx) Issuer { return s.Authority.WithStore(tx.CA()) }

// issueArgs issues the certificate of a paid application.
type issueArgs struct {
	ApplicationID string `json:"application_id"`
}

func (issueArgs) Kind() string { return "issue" }

// enqueueIssue adds an issuance job in tx. Several may exist for one
// application (the payment's, the key's): each takes the application's
// row lock, so they run one after another and the later ones find the
// work done.
func enqueueIssue(ctx context.Context, tx *store.Tx, appID string) error {
	return tx.Enqueue(ctx, issueArgs{ApplicationID: appID}, &river.InsertOpts{Queue: QueueWaited, MaxAttempts: 10})
}

// Reclaimable are the job kinds that may run twice at once, so that a
// queue takes them up again as soon as the process running them is gone
// (store.Queue.Reclaim): the issuance holds the application's row lock
// from the check of its state to the record of the result, and finds the
// work of an earlier attempt.
var Reclaimable = []string{issueArgs{}.Kind()}

type issueWorker struct {
	river.WorkerDefaults[issueArgs]
	s *Service
}

func (w *issueWorker) NextRetry(job *river.Job[issueArgs]) time.Time {
	return time.Now().Add(time.Second << min(job.Attempt-1, 6))
}

// Work issues once, holding the application's row lock from the check of
// its state to the record of the result. If the process dies in between,
// the transaction rolls back; the retry finds the certificate the
// authority recorded (or abandons an intent that never became one).
func (w *issueWorker) Work(ctx context.Context, job *river.Job[issueArgs]) error {
	s := w.s
	var refund func() error
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, job.Args.ApplicationID)
		if err != nil {
			return err
		}
		refund, err = s.issueLocked(ctx, tx, app)
		return err
	})
	if refund != nil {
		if rerr := refund(); rerr != nil {
			s.Log.ErrorContext(ctx, "issue: automatic refund failed; the operator must refund", "application", job.Args.ApplicationID, "err", rerr)
		}
	}
	return err
}

// issueLocked issues the certificate of an application locked in tx, once
// it is paid and has its request. A refusal by the authority refunds; the
// refund itself is returned, to run after the commit.
func (s *Service) issueLocked(ctx context.Context, tx *store.Tx, app *store.Application) (refund func() error, err error) {
	switch State(app.State) {
	case StatePaid:
		if err := s.move(ctx, tx, app, EventKeyRequested, "system", nil); err != nil {
			return nil, err
		}
		if app.Csr == nil { // the key is made after payment: call the person back
			return nil, s.sendResumeLink(ctx, tx, app, nextKey)
		}
	case StateKeyPending:
		if app.Csr == nil {
			return nil, nil // SubmitRequest issues
		}
	default:
		return nil, nil // issued already, or no longer issuable
	}
	serial, der, err := s.issueOnce(ctx, tx, app)
	var ce *ca.Error
	// An unavailable revocation status is not a refusal: the job tries
	// again, nothing is refunded.
	if errors.As(err, &ce) && !errors.Is(err, ca.ErrTokenUsed) && !errors.Is(err, ca.ErrRevocationUnavailable) {
		// The authority refuses for good (the certificate was revoked
		// or expired meanwhile, the key is weak or seen): no
		// certificate, so no charge.
		s.Log.ErrorContext(ctx, "issue: refused", "application", app.ID, "err", err)
		return s.refuseAfterPayment(ctx, tx, app, ce)
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	act := app.ActNumber
	if act == nil {
		n, err := nextNumber(ctx, tx, store.NumberAct, now, app.Jurisdiction)
		if err != nil {
			return nil, err
		}
		act = &n
	}
	if err := tx.ApplicationSetIssued(ctx, store.ApplicationSetIssuedParams{ID: app.ID, IssuedSerial: &serial, UpdatedAt: now, ActNumber: act}); err != nil {
		return nil, err
	}
	app.IssuedSerial, app.ActNumber = &serial, act
	issued, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	// The form the holder acknowledges is drawn with the certificate, in
	// this transaction: it exists from the state "issued" on.
	if err := s.keepForm(ctx, tx, app, issued); err != nil {
		return nil, err
	}
	if err := s.move(ctx, tx, app, EventIssued, "authority", map[string]string{"serial": serial, "sha256": fmt.Sprintf("%x", sha256Sum(der))}); err != nil {
		return nil, err
	}
	// The e-mail opens this application (its end step), not the home
	// page; its link is a resume token, so the body is sensitive.
	link, err := s.resumeLink(ctx, tx, app)
	if err != nil {
		return nil, err
	}
	return nil, s.queue(ctx, tx, app.ID, notify.Issued(lang(app), app.Email, notify.IssuedInfo{
		Serial: serial, Link: link, Application: app.Number, NotAfter: issued.NotAfter, Jurisdiction: app.Jurisdiction}), true)
}

// issueOnce returns the application's certificate: the one recorded if a
// previous attempt got that far, else a new one from the authority.
func (s *Service) issueOnce(ctx context.Context, tx *store.Tx, app *store.Application) (string, []byte, error) {
	if c, err := tx.CertificateForApplication(ctx, &app.ID); err == nil {
		return c.Serial, c.Der, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	// An intent without a certificate is an attempt that died between
	// the two records: its certificate never left that process. The row
	// lock guarantees no other attempt is under way.
	if n, err := tx.IntentAbandonOrphans(ctx, store.IntentAbandonOrphansParams{ApplicationID: app.ID, AbandonedAt: ptr(s.now())}); err != nil {
		return "", nil, err
	} else if n > 0 {
		s.Log.WarnContext(ctx, "issue: abandoned an unfinished attempt", "application", app.ID)
	}
	cert, err := x509.ParseCertificate(app.CertDer)
	if err != nil {
		return "", nil, err
	}
	issued, err := s.authorityIn(tx).Renew(ctx, ca.RenewalRequest{
		Profile: app.Profile, Tariff: deref(app.Tariff), Current: cert, CSR: app.Csr,
		ApplicationID: app.ID, Token: "issue:" + app.ID, Carrier: deref(app.KeyCarrier),
	})
	if err != nil {
		return "", nil, err
	}
	return new(big.Int).Set(issued.Serial).Text(16), issued.DER, nil
}

// refuseAfterPayment refunds the payment of an application the authority
// will not issue, closes it, and tells the person why, in tx. The refund
// itself is returned, to run after the commit.
func (s *Service) refuseAfterPayment(ctx context.Context, tx *store.Tx, app *store.Application, why *ca.Error) (func() error, error) {
	var refund func() error
	code, ru, en := "issue_refused", why.RU, why.EN
	if err := tx.ApplicationSetRejection(ctx, store.ApplicationSetRejectionParams{ID: app.ID, RejectCode: &code, RejectRu: &ru, RejectEn: &en, UpdatedAt: s.now()}); err != nil {
		return nil, err
	}
	if p, err := tx.PaymentLatest(ctx, app.ID); err == nil && PaymentStatus(p.Status) == PaymentSucceeded {
		if err := tx.PaymentSetStatus(ctx, store.PaymentSetStatusParams{ID: p.ID, Status: string(PaymentRefunded), At: s.now()}); err != nil {
			return nil, err
		}
		if provider, ok := s.Providers[payments.Method(p.Method)]; ok {
			refund = func() error { return provider.Refund(ctx, deref(p.ProviderRef), p.AmountMinor) }
		}
	}
	if err := s.move(ctx, tx, app, EventRefundedBeforeIssue, "authority", map[string]string{"reason": why.Code}); err != nil {
		return nil, err
	}
	return refund, s.queue(ctx, tx, app.ID, notify.IssueRefused(lang(app), app.Email, why.RU, why.EN), false)
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
