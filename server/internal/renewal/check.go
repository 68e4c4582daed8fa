package renewal

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"renewal/app/dates"
	"renewal/app/money"
	"renewal/app/wire"
	"renewal/ca/ident"
	"renewal/server/internal/docs"
	"renewal/server/internal/notify"
	"renewal/server/internal/registry"
	"renewal/server/internal/store"
)

// maxCorrections is how many correctable registry refusals send the
// person back to the data step; the next one ends the application.
const maxCorrections = 3

// checkAttempts bounds the registry check's retries; after the last one
// the application is rejected with "the registries did not answer".
const checkAttempts = 8

type checkArgs struct {
	ApplicationID string `json:"application_id"`
}

func (checkArgs) Kind() string { return "registry_check" }

type checkWorker struct {
	river.WorkerDefaults[checkArgs]
	s *Service
}

// NextRetry: 1 s, 2 s, 4 s … up to a minute, so a brief outage costs
// seconds, not River's default minutes.
func (w *checkWorker) NextRetry(job *river.Job[checkArgs]) time.Time {
	d := time.Second << min(job.Attempt-1, 6)
	return time.Now().Add(d)
}

// Timeout stays below the queue's RescueStuckJobsAfter, or a slow check
// would be taken up twice.
func (w *checkWorker) Timeout(*river.Job[checkArgs]) time.Duration { return 90 * time.Second }

func (w *checkWorker) Work(ctx context.Context, job *river.Job[checkArgs]) error {
	s := w.s
	q := s.Store.Queries
	app, err := q.ApplicationGet(ctx, job.Args.ApplicationID)
	if err != nil {
		return err
	}
	if !ActionCheckRegistry.allowedIn(State(app.State)) {
		return nil // done already (a retried job after a crash)
	}
	cert, err := x509.ParseCertificate(app.CertDer)
	if err != nil {
		return river.JobCancel(err)
	}
	var pd personalData
	if err := json.Unmarshal([]byte(deref(app.PersonalData)), &pd); err != nil {
		return river.JobCancel(err)
	}
	query := registryQuery(&app, cert, pd)
	started, _ := q.RegistryCheckGet(ctx, app.ID)
	progress := func(status string, steps []registry.Step, lastErr string) {
		raw, _ := json.Marshal(steps)
		_ = q.RegistryCheckUpsert(ctx, store.RegistryCheckUpsertParams{
			ApplicationID: app.ID, Status: status, Attempts: int32(job.Attempt), LastError: lastErr,
			Steps: string(raw), StartedAt: started.StartedAt,
		})
		// Each registry step reaches the holder's stream as it happens.
		_ = q.ApplicationNotify(ctx, app.ID)
	}
	progress("running", s.Registry.Steps(query), "")
	verdict, err := s.Registry.Check(ctx, query, func(steps []registry.Step) { progress("running", steps, "") })
	if err != nil {
		if job.Attempt < job.MaxAttempts {
			progress("retrying", s.Registry.Steps(query), err.Error())
			return err
		}
		verdict = registry.Verdict{Steps: s.Registry.Steps(query), Code: rejectRegistryUnavailable.code,
			RU: rejectRegistryUnavailable.ru, EN: rejectRegistryUnavailable.en}
	}
	return s.finishCheck(ctx, app.ID, job.Attempt, verdict)
}

// finishCheck records the verdict: verified with the application drawn
// up, or rejected with the reason, told to the person by e-mail.
func (s *Service) finishCheck(ctx context.Context, appID string, attempt int, v registry.Verdict) error {
	return s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, appID)
		if err != nil {
			return err
		}
		if !ActionCheckRegistry.allowedIn(State(app.State)) {
			return nil
		}
		now := s.now()
		status := "passed"
		if !v.Passed {
			status = "failed"
		}
		steps, _ := json.Marshal(v.Steps)
		check, err := tx.RegistryCheckGet(ctx, appID)
		if err != nil {
			return err
		}
		if err := tx.RegistryCheckUpsert(ctx, store.RegistryCheckUpsertParams{
			ApplicationID: appID, Status: status, Attempts: int32(attempt), Steps: string(steps), StartedAt: check.StartedAt, FinishedAt: &now,
		}); err != nil {
			return err
		}
		if fields, ok := v.Correction(); ok {
			corrected, err := tx.RegistryCorrectionCount(ctx, appID)
			if err != nil {
				return err
			}
			if corrected < maxCorrections {
				n, err := tx.RegistryCorrectionInsert(ctx, store.RegistryCorrectionInsertParams{
					ApplicationID: appID, Code: v.Code, MessageRu: v.RU, MessageEn: v.EN, Fields: fields, CreatedAt: now,
				})
				if err != nil {
					return err
				}
				// The person is on the page, which shows it at once: no e-mail.
				return s.move(ctx, tx, app, EventCheckCorrectable, "registry",
					map[string]any{"code": v.Code, "fields": fields, "correction": n})
			}
			// One more would make the corrections an oracle for guessing
			// someone's passport: this refusal is definitive.
			v.Code, v.RU, v.EN = rejectCorrectionsExhausted.code, rejectCorrectionsExhausted.ru, rejectCorrectionsExhausted.en
		}
		if !v.Passed {
			if err := tx.ApplicationSetRejection(ctx, store.ApplicationSetRejectionParams{ID: appID, RejectCode: &v.Code, RejectRu: &v.RU, RejectEn: &v.EN, UpdatedAt: now}); err != nil {
				return err
			}
			if err := s.move(ctx, tx, app, EventCheckFailed, "registry", map[string]string{"code": v.Code}); err != nil {
				return err
			}
			return s.queue(ctx, tx, appID, notify.RegistryRejected(lang(app), app.Email, v.RU, v.EN), false)
		}
		pdf, err := s.renderApplication(ctx, tx, app)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(pdf)
		if err := tx.SignedDocumentUpsert(ctx, store.SignedDocumentUpsertParams{
			ApplicationID: appID, Kind: "application", Content: pdf, Sha256: sum[:], CreatedAt: now,
		}); err != nil {
			return err
		}
		return s.move(ctx, tx, app, EventCheckPassed, "registry", map[string]string{"application_sha256": fmt.Sprintf("%x", sum)})
	})
}

// registryQuery is what the registries are asked about the holder.
func registryQuery(app *store.Application, cert *x509.Certificate, pd personalData) registry.Query {
	return registry.Query{
		Jurisdiction: app.Jurisdiction, FullName: cert.Subject.CommonName,
		Passport: pd.Passport, SNILS: pd.SNILS, INN: pd.INN, PersonalNumber: pd.PersonalNumber,
		OrgINN: attribute(cert, oidINNLE), OrgOGRN: attribute(cert, oidOGRN),
		OrgUNP: orgUNP(app, cert),
	}
}

// orgUNP is the organisation's УНП for the employee profile; an
// individual's own УНП is not an organisation.
func orgUNP(app *store.Application, cert *x509.Certificate) string {
	if app.Profile != "by-employee" {
		return ""
	}
	return attribute(cert, oidUNP)
}

// correctionView is the last correctable refusal, shown while the
// application is back at the data step, with the values last entered.
func correctionView(ctx context.Context, q store.Queries, app *store.Application, v *wire.Renewal) error {
	if State(app.State) != StateTermsAccepted {
		return nil
	}
	c, err := q.RegistryCorrectionLatest(ctx, app.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	v.Correction = &wire.Correction{Code: c.Code, RU: c.MessageRu, EN: c.MessageEn, Fields: c.Fields, Remaining: max(maxCorrections-int(c.N), 0)}
	var pd personalData
	if app.PersonalData != nil && json.Unmarshal([]byte(*app.PersonalData), &pd) == nil {
		v.PersonalData = pd.wire()
	}
	return nil
}

// wire gives the kept data back in the form's shape.
func (pd personalData) wire() *wire.PersonalData {
	w := &wire.PersonalData{SNILS: pd.SNILS, INN: pd.INN, PersonalNumber: pd.PersonalNumber, PassportIssued: pd.PassportIssued}
	if len(pd.Passport) == 10 {
		w.PassportSeries, w.PassportNumber = pd.Passport[:4], pd.Passport[4:]
	}
	return w
}

func checkView(c store.RegistryCheck) *wire.RegistryCheck {
	v := &wire.RegistryCheck{Status: c.Status, Attempts: int(c.Attempts)}
	var steps []registry.Step
	if err := json.Unmarshal([]byte(c.Steps), &steps); err == nil {
		for _, st := range steps {
			v.Steps = append(v.Steps, wire.CheckStep{Name: st.Name, NameRU: st.NameRU, NameEN: st.NameEN, Status: st.Status})
		}
	}
	return v
}

// renderApplication draws up the reissue application from the
// application's data.
func (s *Service) renderApplication(ctx context.Context, tx *store.Tx, app *store.Application) ([]byte, error) {
	cert, err := x509.ParseCertificate(app.CertDer)
	if err != nil {
		return nil, err
	}
	var pd personalData
	if err := json.Unmarshal([]byte(deref(app.PersonalData)), &pd); err != nil {
		return nil, err
	}
	// The service's full name comes from the catalogue; the row must
	// still exist (a withdrawn service draws no application).
	if _, err := tx.ServiceGet(ctx, app.Service); err != nil {
		return nil, err
	}
	service := s.Catalog.ServiceName(app.Service, "ru")
	tariffName := s.Catalog.TariffName(app.Service, deref(app.Tariff), "ru")
	holder := []docs.Field{{Label: "Владелец сертификата", Value: cert.Subject.CommonName}}
	add := func(label, value string) {
		if value != "" {
			holder = append(holder, docs.Field{Label: label, Value: value})
		}
	}
	if app.Jurisdiction == "RU" {
		issued := pd.PassportIssued
		if d, err := time.Parse("2006-01-02", issued); err == nil {
			issued = dates.Date(d, "RU", "ru") // a calendar date: no zone to convert
		}
		add("Паспорт", ident.Format(ident.RUPassport, pd.Passport)+", выдан "+issued)
		add("СНИЛС", ident.Format(ident.SNILS, pd.SNILS))
		add("ИНН", ident.Format(ident.INNPerson, pd.INN))
		add("ИНН организации", ident.Format(ident.INNLegal, attribute(cert, oidINNLE)))
		add("ОГРН", ident.Format(ident.OGRN, attribute(cert, oidOGRN)))
		add("ОГРНИП", ident.Format(ident.OGRNIP, attribute(cert, oidOGRNIP)))
	} else {
		add("Идентификационный номер", ident.Format(ident.BYPersonalNumber, pd.PersonalNumber))
		add("УНП", ident.Format(ident.UNP, attribute(cert, oidUNP)))
	}
	add("Организация", firstOf(cert.Subject.Organization))
	add("Должность", attribute(cert, oidTitle))
	add("Электронная почта", app.Email)
	add("Телефон", app.Phone)
	return docs.RenderApplication(docs.Application{
		Number: app.Number, Date: s.now(), Jurisdiction: app.Jurisdiction, Centre: s.Centre,
		Service: service, Tariff: tariffName,
		Amount: money.Format(deref64(app.AmountMinor), deref(app.Currency)),
		Holder: holder,
		Current: []docs.Field{
			{Label: "Серийный номер", Value: cert.SerialNumber.Text(16)},
			{Label: "Издатель", Value: cert.Issuer.CommonName},
			{Label: "Действителен до", Value: dates.DateTime(cert.NotAfter, app.Jurisdiction, "ru")},
		},
	})
}

var oidTitle = asn1.ObjectIdentifier{2, 5, 4, 12}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
