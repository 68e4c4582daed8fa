// Package sandbox has development stand-ins for the payment gateways
// ([Card], [ERIP]), for --dev and tests only: they implement
// [payments.Provider], serve their own hosted pages as an [http.Handler]
// and deliver signed notifications with retries, duplicates and
// reordering, keeping their state in a journal (see journal.go).
package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"renewal/server/internal/payments"
)

// Config configures a sandbox gateway. Sandboxes are for --dev and
// tests only.
type Config struct {
	BaseURL     string // public URL of the server, e.g. http://localhost:8080
	WebhookURL  string // where notifications are POSTed
	Secret      []byte // HMAC secret for the X-Signature header
	Dir         string // directory for the journal (card.journal, erip.journal)
	Client      *http.Client
	Retry       time.Duration // first pause before a redelivery; doubles each time up to a minute; default 200ms
	MaxAttempts int           // attempts per notification before giving up until a restart; default 12
	Duplicates  int           // send each event this many times (≤1: once)
	Reorder     bool          // hold "succeeded" until a later event of the same payment was sent (or ReorderHold passed)
	ReorderHold time.Duration // how long Reorder holds a "succeeded" with no later event; default 5s
	Deliverers  int           // notifications in flight at once (one per payment at a time); default 8
	Now         func() time.Time
	Logger      *slog.Logger // default slog.Default()
	// Unsigned makes a ЮKassa-like gateway: notifications carry no
	// signature, come from Senders, and Status asks the gateway's HTTP
	// API (GET {APIURL}/sandbox/api/payments/{ref}, the Secret as a
	// bearer token) as a real client would, so what it answers is the
	// gateway's state, not the notification's.
	Unsigned bool
	Senders  []netip.Prefix // where notifications come from; default loopback
	APIURL   string         // default BaseURL
}

const (
	defaultRetry       = 200 * time.Millisecond
	defaultMaxAttempts = 12
	defaultReorderHold = 5 * time.Second
	defaultTimeout     = 10 * time.Second
	maxBackoff         = time.Minute
	defaultDeliverers  = 8
)

// Internal states of a sandbox payment (status maps them to the public ones).
const (
	sbPending     = "pending"
	sbAwait3DS    = "awaiting_3ds"
	sbSucceeded   = "succeeded"
	sbFailed      = "failed"
	sbRefunded    = "refunded"
	sbPartRefund  = "partially_refunded"
	sbChargedBack = "charged_back"
)

// sbPayment is one payment in a sandbox.
type sbPayment struct {
	Ref           string    `json:"ref"`
	PaymentID     string    `json:"payment_id"`
	ApplicationID string    `json:"application_id,omitempty"`
	AmountMinor   int64     `json:"amount_minor"`
	Currency      string    `json:"currency"`
	Description   string    `json:"description,omitempty"`
	ReturnURL     string    `json:"return_url,omitempty"`
	PayerEmail    string    `json:"payer_email,omitempty"`
	ERIPCode      string    `json:"erip_code,omitempty"`
	State         string    `json:"state"`
	RefundedMinor int64     `json:"refunded_minor,omitempty"`
	CardLast4     string    `json:"card_last4,omitempty"`
	Reason        string    `json:"reason,omitempty"` // why it failed
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// sbDelivery is one pending POST of an event.
type sbDelivery struct {
	Seq       int64              `json:"seq"`
	EventID   string             `json:"event_id"`
	Ref       string             `json:"ref"`
	Kind      payments.EventKind `json:"kind"`
	Body      json.RawMessage    `json:"body"`
	Attempts  int                `json:"attempts"`
	NextAt    time.Time          `json:"next_at"`
	Held      bool               `json:"held,omitempty"`
	HeldUntil time.Time          `json:"held_until,omitzero"`
	Dead      bool               `json:"dead,omitempty"`
	LastError string             `json:"last_error,omitempty"`
}

// sandbox is the part the card and ERIP sandboxes share: payments, their
// journal, and the notifier.
//
// Locks: mu guards the maps only and is never held across I/O. Each
// payment has its own lock, held while a change of it is saved, so
// changes of one payment are serialised and those of different payments
// are not. Readers take the payment's last saved snapshot without waiting.
type sandbox struct {
	cfg    Config
	method payments.Method
	client *http.Client
	log    *slog.Logger
	j      *journal
	out    *outbox
	seq    atomic.Int64 // the last delivery number given out
	wake   chan struct{}

	mu       sync.Mutex
	payments map[string]*entry // by Ref
	byPayID  map[string]*entry // by PaymentID
	byCode   map[string]*entry // by ERIPCode

	runMu  sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// entry is one payment.
type entry struct {
	mu  sync.Mutex                // held while a change of the payment is saved
	cur atomic.Pointer[sbPayment] // the payment as last saved, never modified; nil until its creation is saved
}

func newSandbox(cfg Config, method payments.Method) (*sandbox, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("payments: sandbox: BaseURL is required")
	}
	if _, err := parseHTTPURL(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("payments: sandbox: BaseURL: %w", err)
	}
	if _, err := parseHTTPURL(cfg.WebhookURL); err != nil {
		return nil, fmt.Errorf("payments: sandbox: WebhookURL: %w", err)
	}
	if len(cfg.Secret) == 0 {
		return nil, errors.New("payments: sandbox: Secret is required")
	}
	if cfg.Dir == "" {
		return nil, errors.New("payments: sandbox: Dir is required")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.APIURL == "" {
		cfg.APIURL = cfg.BaseURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.Unsigned && len(cfg.Senders) == 0 {
		cfg.Senders = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	if cfg.Retry <= 0 {
		cfg.Retry = defaultRetry
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = defaultMaxAttempts
	}
	if cfg.Duplicates < 1 {
		cfg.Duplicates = 1
	}
	if cfg.ReorderHold <= 0 {
		cfg.ReorderHold = defaultReorderHold
	}
	if cfg.Deliverers <= 0 {
		cfg.Deliverers = defaultDeliverers
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// A copy of the client that does not follow redirects: a 302 to a page
	// must not count as delivered.
	var client http.Client
	if cfg.Client != nil {
		client = *cfg.Client
	}
	if client.Timeout == 0 {
		client.Timeout = defaultTimeout
	}
	if client.Transport == nil {
		// Keep a connection per deliverer rather than the default two.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = cfg.Deliverers
		client.Transport = t
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("payments: sandbox: %w", err)
	}
	j, st, err := openJournal(cfg.Dir, string(method))
	if err != nil {
		return nil, err
	}
	s := &sandbox{
		cfg:      cfg,
		method:   method,
		client:   &client,
		log:      cfg.Logger.With("sandbox", string(method)),
		j:        j,
		out:      newOutbox(st.Outbox),
		wake:     make(chan struct{}, 1),
		payments: map[string]*entry{},
		byPayID:  map[string]*entry{},
		byCode:   map[string]*entry{},
	}
	s.seq.Store(st.Seq)
	for ref, p := range st.Payments {
		e := &entry{}
		e.cur.Store(p)
		s.payments[ref] = e
		s.byPayID[p.PaymentID] = e
		if p.ERIPCode != "" {
			s.byCode[p.ERIPCode] = e
		}
	}
	return s, nil
}

func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return u, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// validateCreate checks a payments.CreateRequest common to both sandboxes.
func validateCreate(r payments.CreateRequest, currencies ...string) error {
	switch {
	case strings.TrimSpace(r.PaymentID) == "":
		return fmt.Errorf("%w: no payment id", payments.ErrInvalidRequest)
	case r.AmountMinor <= 0:
		return fmt.Errorf("%w: amount must be positive", payments.ErrInvalidRequest)
	case !slices.Contains(currencies, r.Currency):
		return fmt.Errorf("%w: currency %q not accepted (%s)", payments.ErrInvalidRequest, r.Currency, strings.Join(currencies, ", "))
	case len(r.Description) > 1000:
		return fmt.Errorf("%w: description too long", payments.ErrInvalidRequest)
	}
	if r.ReturnURL != "" {
		if _, err := parseHTTPURL(r.ReturnURL); err != nil {
			return fmt.Errorf("%w: return URL: %v", payments.ErrInvalidRequest, err)
		}
	}
	return nil
}

// create registers and saves a payment, or returns the existing one for a
// repeated PaymentID (the caller may retry Create after a crash). A
// repeated id with different terms is refused. newCode, if not nil, gives
// an ERIP code; it is called with s.mu held and may use s.byCode.
func (s *sandbox) create(r payments.CreateRequest, newRef, newCode func() string) (*sbPayment, error) {
	for {
		s.mu.Lock()
		if e := s.byPayID[r.PaymentID]; e != nil {
			s.mu.Unlock()
			e.mu.Lock() // waits for a creation being saved
			p := e.cur.Load()
			e.mu.Unlock()
			if p == nil {
				continue // that creation failed to save and was withdrawn
			}
			if p.AmountMinor != r.AmountMinor || p.Currency != r.Currency || p.ApplicationID != r.ApplicationID {
				return nil, fmt.Errorf("%w: payment %s already exists with other terms", payments.ErrInvalidRequest, r.PaymentID)
			}
			return p, nil
		}
		ref := newRef()
		for s.payments[ref] != nil {
			ref = newRef()
		}
		now := s.cfg.Now().UTC()
		p := &sbPayment{
			Ref: ref, PaymentID: r.PaymentID, ApplicationID: r.ApplicationID,
			AmountMinor: r.AmountMinor, Currency: r.Currency, Description: r.Description,
			ReturnURL: r.ReturnURL, PayerEmail: r.PayerEmail,
			State: sbPending, CreatedAt: now, UpdatedAt: now,
		}
		if newCode != nil {
			p.ERIPCode = newCode()
		}
		e := &entry{}
		e.mu.Lock() // new, so never contended; published locked
		s.payments[ref], s.byPayID[r.PaymentID] = e, e
		if p.ERIPCode != "" {
			s.byCode[p.ERIPCode] = e
		}
		s.mu.Unlock()

		err := s.j.append(jLine{Payment: p})
		if err == nil {
			e.cur.Store(p)
		} else {
			s.mu.Lock()
			delete(s.payments, ref)
			delete(s.byPayID, r.PaymentID)
			delete(s.byCode, p.ERIPCode)
			s.mu.Unlock()
		}
		e.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return p, nil
	}
}

// emission is an event a change sends: its kind and amount.
type emission struct {
	kind   payments.EventKind
	amount int64
}

// change changes payment ref: fn gets a copy of it and returns the events
// to send, or an error to leave it unchanged. The new state and its
// deliveries (Duplicates copies of each event; a "succeeded" held when
// Reorder is on) are saved in one journal line before anyone sees them.
// change returns the payment as it then is (nil if unknown), the events
// queued, and fn's error or the journal's.
func (s *sandbox) change(ref string, fn func(p *sbPayment) ([]emission, error)) (*sbPayment, []payments.Event, error) {
	s.mu.Lock()
	e := s.payments[ref]
	s.mu.Unlock()
	if e == nil {
		return nil, nil, fmt.Errorf("%w: %s", payments.ErrUnknownPayment, ref)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.cur.Load()
	if old == nil {
		return nil, nil, fmt.Errorf("%w: %s", payments.ErrUnknownPayment, ref)
	}
	p := *old
	ems, err := fn(&p)
	if err != nil {
		return old, nil, err
	}
	var (
		evs []payments.Event
		ds  []*sbDelivery
	)
	wall := time.Now()
	for _, em := range ems {
		ev := payments.Event{
			ID: "evt_" + randomHex(12), Kind: em.kind, ProviderRef: p.Ref, PaymentID: p.PaymentID,
			AmountMinor: em.amount, Currency: p.Currency, At: s.cfg.Now().UTC().Truncate(time.Millisecond),
		}
		body, err := payments.EncodeEvent(ev)
		if err != nil {
			panic(err) // plain strings and numbers always encode
		}
		for range s.cfg.Duplicates {
			d := &sbDelivery{Seq: s.seq.Add(1), EventID: ev.ID, Ref: p.Ref, Kind: ev.Kind, Body: body, NextAt: wall}
			if s.cfg.Reorder && ev.Kind == payments.EventSucceeded {
				d.Held, d.HeldUntil = true, wall.Add(s.cfg.ReorderHold)
			}
			ds = append(ds, d)
		}
		evs = append(evs, ev)
	}
	// The journal gets copies: the outbox changes its own as it delivers.
	line := jLine{Payment: &p}
	for _, d := range ds {
		cp := *d
		line.Queued = append(line.Queued, &cp)
	}
	if err := s.j.append(line); err != nil {
		return old, nil, err
	}
	e.cur.Store(&p)
	if len(ds) > 0 {
		s.out.add(ds)
		s.kick()
	}
	for _, ev := range evs {
		s.log.Info("sandbox event queued", "event", ev.ID, "kind", ev.Kind, "ref", p.Ref, "payment", p.PaymentID)
	}
	return &p, evs, nil
}

// payment returns a copy of payment ref as last saved.
func (s *sandbox) payment(ref string) (*sbPayment, bool) {
	s.mu.Lock()
	e := s.payments[ref]
	s.mu.Unlock()
	return e.snapshot()
}

// snapshot returns a copy of the payment as last saved; e may be nil.
func (e *entry) snapshot() (*sbPayment, bool) {
	if e == nil {
		return nil, false
	}
	p := e.cur.Load()
	if p == nil {
		return nil, false
	}
	cp := *p
	return &cp, true
}

// status answers payments.Provider.Status from the sandbox's state.
func (s *sandbox) status(providerRef string) (payments.Status, error) {
	p, ok := s.payment(providerRef)
	if !ok {
		return payments.Status{}, fmt.Errorf("%w: %s", payments.ErrUnknownPayment, providerRef)
	}
	st := payments.StatePending
	switch p.State {
	case sbSucceeded, sbPartRefund:
		st = payments.StateSucceeded
	case sbFailed:
		st = payments.StateFailed
	case sbRefunded:
		st = payments.StateRefunded
	case sbChargedBack:
		st = payments.StateChargedBack
	}
	return payments.Status{State: st, AmountMinor: p.AmountMinor, Currency: p.Currency}, nil
}

// Chargeback is the payer's bank reversing a succeeded payment (a
// dispute won by the payer): the payment is charged back and
// "chargeback" is sent for what was not refunded already.
func (s *sandbox) Chargeback(providerRef string) error {
	_, _, err := s.change(providerRef, func(p *sbPayment) ([]emission, error) {
		if p.State != sbSucceeded && p.State != sbPartRefund {
			return nil, fmt.Errorf("%w: payment %s is %s", payments.ErrNotRefundable, providerRef, p.State)
		}
		amount := p.AmountMinor - p.RefundedMinor
		p.RefundedMinor = p.AmountMinor
		p.State = sbChargedBack
		p.UpdatedAt = s.cfg.Now().UTC()
		return []emission{{payments.EventChargeback, amount}}, nil
	})
	return err
}

// SignsNothing reports whether the gateway's notifications are unsigned
// (Config.Unsigned).
func (s *sandbox) SignsNothing() bool { return s.cfg.Unsigned }

// Sender reports whether addr is one of the gateway's notification
// addresses (Config.Senders); a signed gateway may send from anywhere.
func (s *sandbox) Sender(addr netip.Addr) bool {
	if !s.cfg.Unsigned {
		return true
	}
	addr = addr.Unmap()
	for _, p := range s.cfg.Senders {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// apiStatus is the status API's answer.
type apiStatus struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// serveAPIStatus is GET /sandbox/api/payments/{ref}: the gateway's own
// record of a payment, for a client with the shop's secret.
func (s *sandbox) serveAPIStatus(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(token), s.cfg.Secret) != 1 {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	st, err := s.status(r.PathValue("ref"))
	if err != nil {
		http.Error(w, `{"error":"not_found"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(apiStatus{ID: r.PathValue("ref"), Status: st.State, AmountMinor: st.AmountMinor, Currency: st.Currency})
}

// apiStatusLimit bounds the status API's answer.
const apiStatusLimit = 16 << 10

// fetchStatus asks the gateway's status API over HTTP, as a shop's
// server asks a real gateway.
func (s *sandbox) fetchStatus(ctx context.Context, providerRef string) (payments.Status, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.APIURL+"/sandbox/api/payments/"+url.PathEscape(providerRef), nil)
	if err != nil {
		return payments.Status{}, err
	}
	req.Header.Set("Authorization", "Bearer "+string(s.cfg.Secret))
	resp, err := s.client.Do(req)
	if err != nil {
		return payments.Status{}, fmt.Errorf("payments: sandbox: status: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return payments.Status{}, fmt.Errorf("%w: %s", payments.ErrUnknownPayment, providerRef)
	case resp.StatusCode != http.StatusOK:
		return payments.Status{}, fmt.Errorf("payments: sandbox: status answered %s", resp.Status)
	}
	var a apiStatus
	if err := json.NewDecoder(io.LimitReader(resp.Body, apiStatusLimit)).Decode(&a); err != nil {
		return payments.Status{}, fmt.Errorf("payments: sandbox: status: %w", err)
	}
	if a.ID != providerRef {
		return payments.Status{}, fmt.Errorf("payments: sandbox: status of %q answered for %q", providerRef, a.ID)
	}
	return payments.Status{State: a.Status, AmountMinor: a.AmountMinor, Currency: a.Currency}, nil
}

// refund refunds amountMinor of a succeeded payment and queues "refunded".
func (s *sandbox) refund(providerRef string, amountMinor int64) error {
	_, _, err := s.change(providerRef, func(p *sbPayment) ([]emission, error) {
		if p.State != sbSucceeded && p.State != sbPartRefund {
			return nil, fmt.Errorf("%w: payment %s is %s", payments.ErrNotRefundable, providerRef, p.State)
		}
		if amountMinor <= 0 || amountMinor > p.AmountMinor-p.RefundedMinor {
			return nil, fmt.Errorf("%w: amount %d, refundable %d", payments.ErrNotRefundable, amountMinor, p.AmountMinor-p.RefundedMinor)
		}
		p.RefundedMinor += amountMinor
		p.State = sbPartRefund
		if p.RefundedMinor == p.AmountMinor {
			p.State = sbRefunded
		}
		p.UpdatedAt = s.cfg.Now().UTC()
		return []emission{{payments.EventRefunded, amountMinor}}, nil
	})
	return err
}

// Close stops the notifier, waits for it and closes the journal.
// Undelivered notifications stay in the journal for the next start.
func (s *sandbox) Close() error {
	s.runMu.Lock()
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	s.runMu.Unlock()
	s.client.CloseIdleConnections()
	return s.j.close()
}

// verify is payments.Provider.Verify for both sandboxes. An unsigned
// gateway's notification is only parsed: the caller must read it back.
func (s *sandbox) verify(header func(string) string, body []byte, now time.Time) (payments.Event, error) {
	if s.cfg.Unsigned {
		return payments.ParseEvent(body)
	}
	return payments.VerifyEvent(header, body, now, s.cfg.Secret)
}

// Handler serves both sandboxes under one mount: /sandbox/pay/... to
// card and /sandbox/erip... to erip. Either may be nil (404).
func Handler(card *Card, erip *ERIP) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := withSandboxPrefix(r).URL.Path
		switch {
		case card != nil && (strings.HasPrefix(p, "/sandbox/pay/") || strings.HasPrefix(p, "/sandbox/api/")):
			card.ServeHTTP(w, r)
		case erip != nil && (p == "/sandbox/erip" || strings.HasPrefix(p, "/sandbox/erip/")):
			erip.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
