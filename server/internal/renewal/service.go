package renewal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"renewal/app/money"
	"renewal/app/wire"
	"renewal/server/internal/notify"
	"renewal/server/internal/payments"
	"renewal/server/internal/registry"
	"renewal/server/internal/store"
)

// CurrentChecker is the authority's check of a current certificate.
type CurrentChecker interface {
	CheckCurrent(ctx context.Context, profile string, current *x509.Certificate, chain []*x509.Certificate) error
}

// Config of the workflow.
type Config struct {
	Store     *store.Store
	Authority Issuer
	Catalog   *Catalog
	Registry  registry.Registry
	// Providers are the payment gateways by method (the invoice needs none).
	Providers map[payments.Method]payments.Provider
	// Secret keys the hashes of one-time codes, session ids and resume
	// tokens: a stolen database alone does not let anyone try codes
	// offline.
	Secret    []byte
	PublicURL string // base of the links in e-mails
	Centre    string // the centre's name on documents
	Dev       bool   // keep delivered codes readable in the outbox
	// ApprovalTTL is how long a head's link is valid (default 72 hours).
	ApprovalTTL time.Duration
	Now         func() time.Time
	Log         *slog.Logger
}

// Limits of one-time codes and sessions (DOMAIN.md, "One-time codes").
const (
	codeTTL        = 10 * time.Minute
	codeAttempts   = 3
	codeResendWait = 60 * time.Second
	codeCooldown   = 10 * time.Minute // after three wrong tries
	codesPerHour   = 5
	challengeTTL   = 5 * time.Minute
	sessionTTL     = 2 * time.Hour
	resumeTTL      = 30 * 24 * time.Hour
)

// Service runs the workflow.
type Service struct {
	Config
}

// New checks the configuration.
func New(c Config) (*Service, error) {
	switch {
	case c.Store == nil || c.Authority == nil || c.Catalog == nil || c.Registry == nil:
		return nil, errors.New("renewal: store, authority, catalog and registry are required")
	case len(c.Secret) < 32:
		return nil, errors.New("renewal: the secret must have at least 32 bytes")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return &Service{Config: c}, nil
}

// QueueWaited holds the jobs a person waits for on screen (the registry
// check, the issuance): with workers of their own, a burst of e-mails
// never delays them.
const QueueWaited = "waited"

// Queues are the workflow's job queues and their workers.
var Queues = map[string]int{river.QueueDefault: 6, QueueWaited: 6}

// Workers registers the workflow's jobs.
func (s *Service) Workers(w *river.Workers, senders map[notify.Channel]notify.Sender) {
	// Jobs run on River's pool: they never starve requests of connections,
	// nor requests them.
	jobs := *s
	jobs.Store = s.Store.ForJobs()
	river.AddWorker(w, &checkWorker{s: &jobs})
	river.AddWorker(w, &outboxWorker{s: &jobs, senders: senders})
	river.AddWorker(w, &issueWorker{s: &jobs})
	river.AddWorker(w, &supersedeWorker{s: &jobs})
	river.AddWorker(w, &phoneNoticeWorker{s: &jobs})
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// keyed returns HMAC-SHA256(secret, parts joined by NUL).
func (s *Service) keyed(parts ...string) []byte {
	m := hmac.New(sha256.New, s.Secret)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's random source failed: nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// move applies an event to an application locked in tx: the state must
// allow it, the change and its audit event commit together.
func (s *Service) move(ctx context.Context, tx *store.Tx, app *store.Application, ev Event, actor string, data any) error {
	from := State(app.State)
	if !ev.allows(from) {
		return ErrWrongState.With(fmt.Errorf("%s from %s", ev, from))
	}
	t := transitions[ev]
	at := s.now()
	states := make([]string, len(t.from))
	for i, st := range t.from {
		states[i] = string(st)
	}
	n, err := tx.ApplicationSetState(ctx, store.ApplicationSetStateParams{ID: app.ID, ToState: string(t.to), FromStates: states, At: at})
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrWrongState.With(fmt.Errorf("%s: application %s moved meanwhile", ev, app.ID))
	}
	if err := appendAudit(ctx, tx, app.ID, at, "transition:"+string(ev), from, t.to, actor, data); err != nil {
		return err
	}
	// The holder's event streams learn of it at the commit (Events).
	if err := tx.ApplicationNotify(ctx, app.ID); err != nil {
		return err
	}
	app.State = string(t.to)
	s.Log.InfoContext(ctx, "renewal: transition", "application", app.ID, "event", ev, "from", from, "to", t.to)
	return nil
}

// lock reads the application for update inside tx.
func lock(ctx context.Context, tx *store.Tx, id string) (*store.Application, error) {
	app, err := tx.ApplicationGetForUpdate(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession
	} else if err != nil {
		return nil, err
	}
	return &app, nil
}

// queue writes a notification to the outbox and its delivery job, in tx.
func (s *Service) queue(ctx context.Context, tx *store.Tx, appID string, m notify.Message, sensitive bool) error {
	id, err := tx.OutboxInsert(ctx, store.OutboxInsertParams{
		ApplicationID: &appID, Channel: string(m.Channel), Recipient: m.To, Subject: m.Subject,
		Body: m.Text, Sensitive: sensitive, CreatedAt: s.now(),
	})
	if err != nil {
		return err
	}
	return tx.Enqueue(ctx, outboxArgs{ID: id}, &river.InsertOpts{MaxAttempts: 12})
}

func lang(app *store.Application) notify.Lang { return notify.Lang(app.Lang) }

// View is the application as its holder sees it.
func (s *Service) View(ctx context.Context, sess *Session) (*wire.Renewal, error) {
	app, err := s.Store.ApplicationGet(ctx, sess.ApplicationID)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, s.Store.Queries, &app, sess)
}

func (s *Service) view(ctx context.Context, q store.Queries, app *store.Application, sess *Session) (*wire.Renewal, error) {
	v := &wire.Renewal{
		ID: app.ID, Number: app.Number, CreatedAt: app.CreatedAt, Service: app.Service, Jurisdiction: app.Jurisdiction, State: string(app.State),
		ServiceName:  wire.Names{RU: s.Catalog.ServiceName(app.Service, "ru"), EN: s.Catalog.ServiceName(app.Service, "en")},
		ActNumber:    deref(app.ActNumber),
		ReceiptEmail: receiptEmail(app),
		Phone:        app.Phone, Email: app.Email, PhoneVerified: app.PhoneVerifiedAt != nil, EmailVerified: app.EmailVerifiedAt != nil,
		Proven: sess.Proven, CSRFToken: sess.CSRF, UpdatedAt: app.UpdatedAt,
		KeyAlgorithm: s.keyAlgorithm(app),
	}
	if sess.Proven && app.CertDer != nil {
		if c, err := x509.ParseCertificate(app.CertDer); err == nil {
			v.Certificate = &wire.CertificateRef{Serial: c.SerialNumber.Text(16), Subject: c.Subject.CommonName, NotAfter: c.NotAfter}
		}
	}
	if app.Tariff != nil && app.AmountMinor != nil && app.Currency != nil {
		v.Tariff = *app.Tariff
		v.TariffName = &wire.Names{RU: s.Catalog.TariffName(app.Service, *app.Tariff, "ru"), EN: s.Catalog.TariffName(app.Service, *app.Tariff, "en")}
		v.Amount = &wire.Money{Minor: *app.AmountMinor, Currency: *app.Currency, Text: money.Format(*app.AmountMinor, *app.Currency)}
	}
	if app.RejectCode != nil {
		v.Rejection = &wire.Reason{Code: *app.RejectCode, RU: deref(app.RejectRu), EN: deref(app.RejectEn)}
	}
	v.Request = app.Csr != nil
	if app.IssuedSerial != nil {
		if c, err := s.issuedCert(ctx, q, app); err == nil {
			v.Issued = &wire.CertificateRef{Serial: c.SerialNumber.Text(16), Subject: c.Subject.CommonName, NotAfter: c.NotAfter}
		}
	}
	if p, err := q.PaymentLatest(ctx, app.ID); err == nil {
		v.Payment = paymentView(p)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if check, err := q.RegistryCheckGet(ctx, app.ID); err == nil {
		v.Check = checkView(check)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if sess.Proven {
		if err := correctionView(ctx, q, app, v); err != nil {
			return nil, err
		}
		if v.Issued != nil && State(app.State) == StateDelivered {
			v.AfterDelivery = s.afterDelivery(app, v.Issued)
		}
	}
	return v, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
