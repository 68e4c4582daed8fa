// Package sandbox has development stand-ins for the payment gateways
// ([Card], [ERIP]), for --dev and tests only: they implement
// [payments.Provider], serve their own hosted pages as an [http.Handler]
// and deliver signed notifications with retries, duplicates and
// reordering, keeping their state in a JSON file.
package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"renewal/server/internal/payments"
)

// Config configures a sandbox gateway. Sandboxes are for --dev and
// tests only.
type Config struct {
	BaseURL     string // public URL of the server, e.g. http://localhost:8080
	WebhookURL  string // where notifications are POSTed
	Secret      []byte // HMAC secret for the X-Signature header
	Dir         string // directory for the state file (card.json, erip.json)
	Client      *http.Client
	Retry       time.Duration // first pause before a redelivery; doubles each time up to a minute; default 200ms
	MaxAttempts int           // attempts per notification before giving up until a restart; default 12
	Duplicates  int           // send each event this many times (≤1: once)
	Reorder     bool          // hold "succeeded" until a later event of the same payment was sent (or ReorderHold passed)
	ReorderHold time.Duration // how long Reorder holds a "succeeded" with no later event; default 5s
	Now         func() time.Time
	Logger      *slog.Logger // default slog.Default()
}

const (
	defaultRetry       = 200 * time.Millisecond
	defaultMaxAttempts = 12
	defaultReorderHold = 5 * time.Second
	defaultTimeout     = 10 * time.Second
	maxBackoff         = time.Minute
	stateVersion       = 1
)

// Internal states of a sandbox payment (status maps them to the public ones).
const (
	sbPending    = "pending"
	sbAwait3DS   = "awaiting_3ds"
	sbSucceeded  = "succeeded"
	sbFailed     = "failed"
	sbRefunded   = "refunded"
	sbPartRefund = "partially_refunded"
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

// sbState is what the state file holds.
type sbState struct {
	Version  int                   `json:"version"`
	Seq      int64                 `json:"seq"`
	Payments map[string]*sbPayment `json:"payments"`
	Outbox   []*sbDelivery         `json:"outbox"`
}

// sandbox is the part the card and ERIP sandboxes share: state, its file,
// and the notifier.
type sandbox struct {
	cfg    Config
	method payments.Method
	file   string
	client *http.Client
	log    *slog.Logger

	mu      sync.Mutex
	st      sbState
	byPayID map[string]string // PaymentID → Ref
	wake    chan struct{}

	runMu  sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
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
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("payments: sandbox: %w", err)
	}
	s := &sandbox{
		cfg:     cfg,
		method:  method,
		file:    filepath.Join(cfg.Dir, string(method)+".json"),
		client:  &client,
		log:     cfg.Logger.With("sandbox", string(method)),
		byPayID: map[string]string{},
		wake:    make(chan struct{}, 1),
	}
	if err := s.load(); err != nil {
		return nil, err
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

// load reads the state file, if any. Deliveries that gave up before the
// restart are revived: the usual reason was the server being down.
func (s *sandbox) load() error {
	s.st = sbState{Version: stateVersion, Payments: map[string]*sbPayment{}}
	b, err := os.ReadFile(s.file)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("payments: sandbox: %w", err)
	}
	var st sbState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("payments: sandbox: state file %s: %w", s.file, err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("payments: sandbox: state file %s: version %d, want %d", s.file, st.Version, stateVersion)
	}
	if st.Payments == nil {
		st.Payments = map[string]*sbPayment{}
	}
	now := time.Now()
	for _, d := range st.Outbox {
		if d.Dead {
			d.Dead, d.Attempts, d.NextAt = false, 0, now
		}
	}
	for ref, p := range st.Payments {
		s.byPayID[p.PaymentID] = ref
	}
	s.st = st
	return nil
}

// persistLocked writes the state atomically: a temporary file in the same
// directory, fsync, rename, fsync of the directory. Call with s.mu held.
func (s *sandbox) persistLocked() error {
	b, err := json.MarshalIndent(&s.st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.cfg.Dir, "."+string(s.method)+"-*.tmp")
	if err != nil {
		return fmt.Errorf("payments: sandbox: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("payments: sandbox: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("payments: sandbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("payments: sandbox: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.file); err != nil {
		return fmt.Errorf("payments: sandbox: %w", err)
	}
	if d, err := os.Open(s.cfg.Dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
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

// createLocked registers a payment, or returns the existing one for a
// repeated PaymentID (the caller may retry Create after a crash). A repeated
// id with different terms is refused. Call with s.mu held.
func (s *sandbox) createLocked(r payments.CreateRequest, newRef func() string) (*sbPayment, error) {
	if ref, ok := s.byPayID[r.PaymentID]; ok {
		p := s.st.Payments[ref]
		if p.AmountMinor != r.AmountMinor || p.Currency != r.Currency || p.ApplicationID != r.ApplicationID {
			return nil, fmt.Errorf("%w: payment %s already exists with other terms", payments.ErrInvalidRequest, r.PaymentID)
		}
		return p, nil
	}
	ref := newRef()
	for s.st.Payments[ref] != nil {
		ref = newRef()
	}
	now := s.cfg.Now().UTC()
	p := &sbPayment{
		Ref: ref, PaymentID: r.PaymentID, ApplicationID: r.ApplicationID,
		AmountMinor: r.AmountMinor, Currency: r.Currency, Description: r.Description,
		ReturnURL: r.ReturnURL, PayerEmail: r.PayerEmail,
		State: sbPending, CreatedAt: now, UpdatedAt: now,
	}
	s.st.Payments[ref] = p
	s.byPayID[r.PaymentID] = ref
	return p, nil
}

// emitLocked queues an event about p (Duplicates copies; a "succeeded" is
// held when Reorder is on). Call with s.mu held, then persist and s.kick().
func (s *sandbox) emitLocked(p *sbPayment, kind payments.EventKind, amount int64) payments.Event {
	now := s.cfg.Now().UTC()
	ev := payments.Event{
		ID: "evt_" + randomHex(12), Kind: kind, ProviderRef: p.Ref, PaymentID: p.PaymentID,
		AmountMinor: amount, Currency: p.Currency, At: now.Truncate(time.Millisecond),
	}
	body, err := payments.EncodeEvent(ev)
	if err != nil {
		panic(err) // plain strings and numbers always encode
	}
	wall := time.Now()
	for range s.cfg.Duplicates {
		s.st.Seq++
		d := &sbDelivery{Seq: s.st.Seq, EventID: ev.ID, Ref: p.Ref, Kind: kind, Body: body, NextAt: wall}
		if s.cfg.Reorder && kind == payments.EventSucceeded {
			d.Held, d.HeldUntil = true, wall.Add(s.cfg.ReorderHold)
		}
		s.st.Outbox = append(s.st.Outbox, d)
	}
	s.log.Info("sandbox event queued", "event", ev.ID, "kind", kind, "ref", p.Ref, "payment", p.PaymentID)
	return ev
}

// kick wakes the notifier.
func (s *sandbox) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *sandbox) payment(ref string) (*sbPayment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.Payments[ref]
	if !ok {
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
	}
	return payments.Status{State: st, AmountMinor: p.AmountMinor, Currency: p.Currency}, nil
}

// refund refunds amountMinor of a succeeded payment and queues "refunded".
func (s *sandbox) refund(providerRef string, amountMinor int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.Payments[providerRef]
	if !ok {
		return fmt.Errorf("%w: %s", payments.ErrUnknownPayment, providerRef)
	}
	if p.State != sbSucceeded && p.State != sbPartRefund {
		return fmt.Errorf("%w: payment %s is %s", payments.ErrNotRefundable, providerRef, p.State)
	}
	if amountMinor <= 0 || amountMinor > p.AmountMinor-p.RefundedMinor {
		return fmt.Errorf("%w: amount %d, refundable %d", payments.ErrNotRefundable, amountMinor, p.AmountMinor-p.RefundedMinor)
	}
	p.RefundedMinor += amountMinor
	p.State = sbPartRefund
	if p.RefundedMinor == p.AmountMinor {
		p.State = sbRefunded
	}
	p.UpdatedAt = s.cfg.Now().UTC()
	s.emitLocked(p, payments.EventRefunded, amountMinor)
	err := s.persistLocked()
	s.kick()
	return err
}

// Start runs the notifier in a goroutine until ctx ends or Close is called.
// It returns at once; a second call does nothing.
func (s *sandbox) Start(ctx context.Context) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.done != nil {
		return
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go s.run(ctx)
	s.kick()
}

// Close stops the notifier, waits for it, and writes the state file.
// Undelivered notifications stay in the file for the next start.
func (s *sandbox) Close() error {
	s.runMu.Lock()
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
	s.runMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.persistLocked()
}

// run is the notifier loop: one delivery at a time, in queue order among
// the due ones; a failing delivery waits its backoff without blocking others.
func (s *sandbox) run(ctx context.Context) {
	defer close(s.done)
	for {
		if ctx.Err() != nil {
			return
		}
		d, wait := s.next()
		if d != nil {
			s.deliver(ctx, d)
			continue
		}
		var (
			t     *time.Timer
			timer <-chan time.Time
		)
		if wait >= 0 {
			t = time.NewTimer(wait)
			timer = t.C
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-timer:
		}
		if t != nil {
			t.Stop()
		}
	}
}

// next returns a copy of the first due delivery, or how long to wait for
// one (-1: nothing scheduled).
func (s *sandbox) next() (*sbDelivery, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	wait := time.Duration(-1)
	soon := func(t time.Time) {
		if w := max(t.Sub(now), 0); wait < 0 || w < wait {
			wait = w
		}
	}
	for _, d := range s.st.Outbox { // kept in Seq order
		if d.Dead {
			continue
		}
		if d.Held {
			if now.Before(d.HeldUntil) {
				soon(d.HeldUntil)
				continue
			}
			d.Held = false
		}
		if !now.Before(d.NextAt) {
			cp := *d
			return &cp, 0
		}
		soon(d.NextAt)
	}
	return nil, wait
}

// backoff is the pause after the n-th failed attempt: Retry·2^(n-1), capped.
func (s *sandbox) backoff(n int) time.Duration {
	limit := max(maxBackoff, s.cfg.Retry)
	d := s.cfg.Retry
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// deliver POSTs one event, signed now, and records the outcome.
func (s *sandbox) deliver(ctx context.Context, d *sbDelivery) {
	err := s.post(ctx, d.Body)
	if ctx.Err() != nil {
		return // shutting down: the attempt does not count; it stays queued
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.st.Outbox, func(x *sbDelivery) bool { return x.Seq == d.Seq })
	if i < 0 {
		return
	}
	cur := s.st.Outbox[i]
	if err == nil {
		s.st.Outbox = slices.Delete(s.st.Outbox, i, i+1)
		s.releaseHeldLocked(cur)
		s.log.Info("sandbox event delivered", "event", cur.EventID, "kind", cur.Kind, "attempts", cur.Attempts+1)
	} else {
		cur.Attempts++
		cur.LastError = err.Error()
		if cur.Attempts >= s.cfg.MaxAttempts {
			cur.Dead = true
			s.releaseHeldLocked(cur)
			s.log.Warn("sandbox event undeliverable; will retry after a restart", "event", cur.EventID, "attempts", cur.Attempts, "err", err)
		} else {
			cur.NextAt = time.Now().Add(s.backoff(cur.Attempts))
			s.log.Info("sandbox event delivery failed", "event", cur.EventID, "attempt", cur.Attempts, "retry_in", s.backoff(cur.Attempts), "err", err)
		}
	}
	if perr := s.persistLocked(); perr != nil {
		s.log.Error("sandbox state not saved", "err", perr)
	}
}

// releaseHeldLocked frees the "succeeded" deliveries that Reorder held for
// the payment of d, once a later event of that payment has been sent.
func (s *sandbox) releaseHeldLocked(d *sbDelivery) {
	if d.Kind == payments.EventSucceeded {
		return
	}
	now := time.Now()
	for _, x := range s.st.Outbox {
		if x.Held && x.Ref == d.Ref && x.Seq < d.Seq {
			x.Held, x.NextAt = false, now
		}
	}
}

func (s *sandbox) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "renewal-sandbox-"+string(s.method))
	req.Header.Set(payments.SignatureHeader, payments.SignatureHeaderValue(s.cfg.Now(), body, s.cfg.Secret))
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// verify is payments.Provider.Verify for both sandboxes.
func (s *sandbox) verify(header func(string) string, body []byte, now time.Time) (payments.Event, error) {
	return payments.VerifyEvent(header, body, now, s.cfg.Secret)
}

// Pending returns how many notifications wait to be delivered (including
// those that gave up), for tests and the dev console.
func (s *sandbox) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.Outbox)
}

// Handler serves both sandboxes under one mount: /sandbox/pay/... to
// card and /sandbox/erip... to erip. Either may be nil (404).
func Handler(card *Card, erip *ERIP) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := withSandboxPrefix(r).URL.Path
		switch {
		case card != nil && strings.HasPrefix(p, "/sandbox/pay/"):
			card.ServeHTTP(w, r)
		case erip != nil && (p == "/sandbox/erip" || strings.HasPrefix(p, "/sandbox/erip/")):
			erip.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
