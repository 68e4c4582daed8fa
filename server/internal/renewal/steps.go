package renewal

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"renewal/app/wire"
	"renewal/ca/ident"
	"renewal/server/internal/apierr"
	"renewal/server/internal/store"
)

// proven opens the session's application for a step that needs the
// proven certificate, locked in tx.
func (s *Service) proven(ctx context.Context, tx *store.Tx, sess *Session, act Action) (*store.Application, error) {
	if err := sess.requireProven(); err != nil {
		return nil, err
	}
	app, err := lock(ctx, tx, sess.ApplicationID)
	if err != nil {
		return nil, err
	}
	if err := act.check(State(app.State)); err != nil {
		return nil, err
	}
	return app, nil
}

// Tariffs lists the usage spheres of the application's service.
func (s *Service) Tariffs(ctx context.Context, sess *Session) ([]wire.Tariff, error) {
	app, err := s.Store.ApplicationGet(ctx, sess.ApplicationID)
	if err != nil {
		return nil, err
	}
	_, prof, _ := s.Catalog.service(app.Service)
	return s.Catalog.Tariffs(prof), nil
}

// ChooseTariff sets the usage sphere and its price.
func (s *Service) ChooseTariff(ctx context.Context, sess *Session, code string) (*wire.Renewal, error) {
	var view *wire.Renewal
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := s.proven(ctx, tx, sess, ActionChooseTariff)
		if err != nil {
			return err
		}
		_, prof, _ := s.Catalog.service(app.Service)
		price, ok := s.Catalog.price(prof, code)
		if !ok {
			return ErrUnknownTariff
		}
		now := s.now()
		if err := tx.ApplicationSetTariff(ctx, store.ApplicationSetTariffParams{
			ID: app.ID, Tariff: &code, AmountMinor: &price.Minor, Currency: &price.Currency, UpdatedAt: now,
		}); err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, app.ID, now, "tariff", State(app.State), State(app.State), "holder",
			map[string]any{"tariff": code, "amount_minor": price.Minor, "currency": price.Currency}); err != nil {
			return err
		}
		app.Tariff, app.AmountMinor, app.Currency = &code, &price.Minor, &price.Currency
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	return view, err
}

// Terms are the agreements of the application's jurisdiction.
func (s *Service) Terms(ctx context.Context, sess *Session) ([]wire.TermsDocument, error) {
	app, err := s.Store.ApplicationGet(ctx, sess.ApplicationID)
	if err != nil {
		return nil, err
	}
	return s.Catalog.Terms(app.Jurisdiction), nil
}

// AcceptTerms records the acceptance of every agreement exactly as shown:
// version and hash must be the current ones, none may be missing.
func (s *Service) AcceptTerms(ctx context.Context, sess *Session, in wire.TermsAcceptance, clientIP string) (*wire.Renewal, error) {
	var view *wire.Renewal
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := s.proven(ctx, tx, sess, ActionAcceptTerms)
		if err != nil {
			return err
		}
		if app.Tariff == nil {
			return ErrNoTariff
		}
		docs := s.Catalog.Terms(app.Jurisdiction)
		if len(in.Accepted) != len(docs) {
			return ErrTermsMismatch
		}
		now := s.now()
		for _, d := range docs {
			found := false
			for _, a := range in.Accepted {
				if a.Code == d.Code && a.Version == d.Version && strings.EqualFold(a.SHA256, d.SHA256) {
					found = true
				}
			}
			if !found {
				return ErrTermsMismatch
			}
			sum, _ := hex.DecodeString(d.SHA256)
			if err := tx.ConsentInsert(ctx, store.ConsentInsertParams{
				ApplicationID: app.ID, Document: d.Code, Version: d.Version, Sha256: sum, AcceptedAt: now, ClientIp: clientIP,
			}); err != nil {
				return err
			}
		}
		if err := s.move(ctx, tx, app, EventTermsAccepted, "holder", map[string]any{"documents": in.Accepted, "client_ip": clientIP}); err != nil {
			return err
		}
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	return view, err
}

// personalData is what is kept of the form, checked and canonical.
type personalData struct {
	Passport       string `json:"passport,omitempty"` // RU: 10 digits
	PassportIssued string `json:"passport_issued,omitempty"`
	SNILS          string `json:"snils,omitempty"`
	INN            string `json:"inn,omitempty"`
	PersonalNumber string `json:"personal_number,omitempty"`
}

// Subject attributes that carry identifiers.
var (
	oidINN            = asn1.ObjectIdentifier{1, 2, 643, 3, 131, 1, 1}
	oidSNILS          = asn1.ObjectIdentifier{1, 2, 643, 100, 3}
	oidINNLE          = asn1.ObjectIdentifier{1, 2, 643, 100, 4}
	oidOGRN           = asn1.ObjectIdentifier{1, 2, 643, 100, 1}
	oidPersonalNumber = asn1.ObjectIdentifier{1, 2, 112, 1, 2, 1, 1, 1, 1, 1}
	oidUNP            = asn1.ObjectIdentifier{1, 2, 112, 1, 2, 1, 1, 1, 1, 2}
)

// attribute returns a subject attribute's value.
func attribute(c *x509.Certificate, oid asn1.ObjectIdentifier) string {
	for _, n := range c.Subject.Names {
		if n.Type.Equal(oid) {
			if v, ok := n.Value.(string); ok {
				return v
			}
		}
	}
	return ""
}

// fieldError is a refusal of one form field, in both languages.
func fieldError(field string, err error) error {
	var ie *ident.Error
	if errors.As(err, &ie) {
		return apierr.New(apierr.KindBadRequest, "invalid_"+field, ie.RU, ie.EN).With(err)
	}
	return apierr.New(apierr.KindBadRequest, "invalid_"+field, fmt.Sprintf(fieldInvalidRU, field), fmt.Sprintf(fieldInvalidEN, field)).With(err)
}

// checkPersonalData validates the form with the authority's identifier
// package and compares the identifiers with the current certificate.
func checkPersonalData(jurisdiction string, in wire.PersonalData, cert *x509.Certificate, now time.Time) (personalData, error) {
	var pd personalData
	var err error
	if jurisdiction == "RU" {
		if pd.Passport, err = ident.Check(ident.RUPassport, in.PassportSeries+in.PassportNumber); err != nil {
			return pd, fieldError("passport", err)
		}
		// The date of issue is a date in Russia: today is Moscow's (UTC+3
		// all year), which may have begun before UTC's.
		issued, err := ident.PassportIssued(in.PassportIssued, now.UTC().Add(3*time.Hour).Format("2006-01-02"))
		if err != nil {
			return pd, fieldError("passport_issued", err)
		}
		pd.PassportIssued = issued
		if pd.SNILS, err = ident.Check(ident.SNILS, in.SNILS); err != nil {
			return pd, fieldError("snils", err)
		}
		if pd.INN, err = ident.Check(ident.INNPerson, in.INN); err != nil {
			return pd, fieldError("inn", err)
		}
		if pd.SNILS != attribute(cert, oidSNILS) || pd.INN != attribute(cert, oidINN) {
			return pd, ErrIdentifiersDiffer
		}
		return pd, nil
	}
	if pd.PersonalNumber, err = ident.Check(ident.BYPersonalNumber, in.PersonalNumber); err != nil {
		return pd, fieldError("personal_number", err)
	}
	if pd.PersonalNumber != attribute(cert, oidPersonalNumber) {
		return pd, ErrIdentifiersDiffer
	}
	return pd, nil
}

// SubmitPersonalData checks and keeps the person's data, and starts the
// registry check: the data, the two transitions and the job commit as one.
func (s *Service) SubmitPersonalData(ctx context.Context, sess *Session, in wire.PersonalData) (*wire.Renewal, error) {
	var view *wire.Renewal
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := s.proven(ctx, tx, sess, ActionEnterData)
		if err != nil {
			return err
		}
		cert, err := x509.ParseCertificate(app.CertDer)
		if err != nil {
			return err
		}
		pd, err := checkPersonalData(app.Jurisdiction, in, cert, s.now())
		if err != nil {
			// Audited by its code alone: the refused values are personal data.
			return s.refuseAudited(ctx, tx, app, "holder", err, map[string]string{})
		}
		raw, _ := json.Marshal(pd)
		text := string(raw)
		now := s.now()
		if err := tx.ApplicationSetPersonalData(ctx, store.ApplicationSetPersonalDataParams{ID: app.ID, PersonalData: &text, UpdatedAt: now}); err != nil {
			return err
		}
		if err := s.move(ctx, tx, app, EventDataEntered, "holder", map[string]string{"personal_data_sha256": fmt.Sprintf("%x", s.keyed("pd", text))}); err != nil {
			return err
		}
		steps, _ := json.Marshal(s.Registry.Steps(registryQuery(app, cert, pd)))
		if err := tx.RegistryCheckUpsert(ctx, store.RegistryCheckUpsertParams{
			ApplicationID: app.ID, Status: "queued", Steps: string(steps), StartedAt: now,
		}); err != nil {
			return err
		}
		if err := s.move(ctx, tx, app, EventCheckStarted, "system", nil); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, checkArgs{ApplicationID: app.ID}, &river.InsertOpts{Queue: QueueWaited, MaxAttempts: checkAttempts}); err != nil {
			return err
		}
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	return view, err
}
