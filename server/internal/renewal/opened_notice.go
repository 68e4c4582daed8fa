package renewal

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/riverqueue/river"

	"renewal/ca/profile"
	"renewal/server/internal/notify"
	"renewal/server/internal/registry"
	"renewal/server/internal/store"
)

// Whoever holds a key can open an application on its certificate, but the
// holder hears of it: at the e-mail written in the certificate, and at
// the phone the register knows for the person it names, whenever the
// applicant gave other contacts.

// noticeHolder queues both notices, in the transaction that ties the
// certificate to the application: the e-mail at once, the phone by a job
// (the register is asked outside any transaction).
func (s *Service) noticeHolder(ctx context.Context, tx *store.Tx, app *store.Application, cert *x509.Certificate) error {
	if err := s.noticeCertificateEmail(ctx, tx, app, cert); err != nil {
		return err
	}
	if holderID(app.Jurisdiction, cert) == "" {
		return nil // nobody to look up
	}
	return tx.Enqueue(ctx, phoneNoticeArgs{ApplicationID: app.ID}, &river.InsertOpts{MaxAttempts: 10})
}

// noticeCertificateEmail tells the e-mail written in the certificate that
// a renewal of it was opened, when the applicant gave another: whoever
// holds a key can open an application, but its holder hears of it.
func (s *Service) noticeCertificateEmail(ctx context.Context, tx *store.Tx, app *store.Application, cert *x509.Certificate) error {
	written := certificateEmail(cert)
	if written == "" {
		return nil
	}
	norm, err := notify.NormalizeEmail(written)
	if err != nil || strings.EqualFold(norm, app.Email) {
		return nil
	}
	return s.queue(ctx, tx, app.ID, notify.OpenedNotice(lang(app), norm, cert.SerialNumber.Text(16), app.Phone, app.Email), false)
}

// certificateEmail is the holder's e-mail the certificate names: in its
// SAN, or else in the subject (emailAddress).
func certificateEmail(c *x509.Certificate) string {
	if len(c.EmailAddresses) > 0 {
		return c.EmailAddresses[0]
	}
	return attribute(c, profile.OIDEmailAddress)
}

// holderID is the person's identifier the register knows him by: СНИЛС
// in Russia, the personal number in Belarus.
func holderID(jurisdiction string, cert *x509.Certificate) string {
	if jurisdiction == "RU" {
		return attribute(cert, oidSNILS)
	}
	return attribute(cert, oidPersonalNumber)
}

// phoneNoticeArgs sends the register's phone of a certificate's holder the
// notice that an application was opened on it.
type phoneNoticeArgs struct {
	ApplicationID string `json:"application_id"`
}

func (phoneNoticeArgs) Kind() string { return "registry_phone_notice" }

type phoneNoticeWorker struct {
	river.WorkerDefaults[phoneNoticeArgs]
	s *Service
}

// Work asks the register for the holder's phone and, when it differs from
// the one the applicant gave, queues the SMS. The SMS, its audit event and
// the job's completion commit together, so a retry never sends it twice.
// A register that does not answer is retried; one that knows nobody by
// the identifier, or no phone, ends the job with its audit event.
func (w *phoneNoticeWorker) Work(ctx context.Context, job *river.Job[phoneNoticeArgs]) error {
	s := w.s
	app, err := s.Store.ApplicationGet(ctx, job.Args.ApplicationID)
	if err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(app.CertDer)
	if err != nil {
		return river.JobCancel(fmt.Errorf("phone notice: application %s: %w", app.ID, err))
	}
	kind, phone := "notice:registry_phone", ""
	person, err := s.Registry.Person(ctx, app.Jurisdiction, holderID(app.Jurisdiction, cert))
	switch {
	case errors.Is(err, registry.ErrNotRegistered):
		kind = "notice:registry_phone_unknown"
	case err != nil:
		return err
	default:
		if phone, err = notify.NormalizePhone(person.Phone); err != nil {
			kind, phone = "notice:registry_phone_unknown", ""
		} else if phone == app.Phone {
			kind, phone = "notice:registry_phone_same", ""
		}
	}
	return s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		// The application's row lock orders its audit events (their
		// per-application sequence): without it this append races the
		// holder's own requests and one of them fails on the sequence.
		if _, err := lock(ctx, tx, app.ID); err != nil {
			return err
		}
		if phone != "" {
			if err := s.queue(ctx, tx, app.ID, notify.OpenedNoticeSMS(lang(&app), phone, shortSerial(cert)), false); err != nil {
				return err
			}
		}
		if err := appendAudit(ctx, tx, app.ID, s.now(), kind, State(app.State), State(app.State), "system",
			map[string]string{"certificate_serial": cert.SerialNumber.Text(16)}); err != nil {
			return err
		}
		return store.CompleteJob(ctx, tx, job)
	})
}

// shortSerial is the end of the certificate's serial, enough for a person
// to match it and short enough for one line of an SMS.
func shortSerial(cert *x509.Certificate) string {
	hex := strings.ToUpper(cert.SerialNumber.Text(16))
	if len(hex) > 8 {
		return "..." + hex[len(hex)-8:]
	}
	return hex
}
