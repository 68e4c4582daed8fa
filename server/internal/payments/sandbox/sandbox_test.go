package sandbox

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"renewal/server/internal/payments"
)

var testSecret = []byte("whsec_sandbox_test_secret_32byte")

// received is one notification as the webhook receiver saw it.
type received struct {
	ev  payments.Event
	at  time.Time
	err error // verification error
}

// receiver is the server's webhook endpoint in the tests: it verifies each
// notification and answers 500 to the first fail requests.
type receiver struct {
	srv  *httptest.Server
	ch   chan received
	mu   sync.Mutex
	fail int
}

func newReceiver(t *testing.T, fail int) *receiver {
	rc := &receiver{ch: make(chan received, 100), fail: fail}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := payments.VerifyEvent(r.Header.Get, body, time.Now(), testSecret)
		rc.ch <- received{ev: ev, at: time.Now(), err: err}
		rc.mu.Lock()
		failNow := rc.fail > 0
		rc.fail--
		rc.mu.Unlock()
		switch {
		case err != nil:
			w.WriteHeader(http.StatusUnauthorized)
		case failNow:
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// wait returns the next n notifications, failing the test after 5 s.
func (rc *receiver) wait(t *testing.T, n int) []received {
	t.Helper()
	var out []received
	deadline := time.After(5 * time.Second)
	for len(out) < n {
		select {
		case r := <-rc.ch:
			require.NoError(t, r.err, "the notification must be correctly signed")
			out = append(out, r)
		case <-deadline:
			require.FailNowf(t, "timeout", "got %d of %d notifications", len(out), n)
		}
	}
	return out
}

// quiet asserts that no notification arrives for d.
func (rc *receiver) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case r := <-rc.ch:
		assert.Failf(t, "unexpected notification", "%+v", r.ev)
	case <-time.After(d):
	}
}

// site is a test server serving a sandbox's pages; its URL is the BaseURL.
type site struct {
	srv *httptest.Server
	h   http.Handler
}

func newSite(t *testing.T) *site {
	s := &site{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }))
	t.Cleanup(s.srv.Close)
	return s
}

func testConfig(t *testing.T, base string, rc *receiver) Config {
	return Config{
		BaseURL:     base,
		WebhookURL:  rc.srv.URL + "/webhooks/payments",
		Secret:      testSecret,
		Dir:         t.TempDir(),
		Client:      &http.Client{Timeout: 2 * time.Second},
		Retry:       20 * time.Millisecond,
		MaxAttempts: 5,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func startCard(t *testing.T, st *site, cfg Config) *Card {
	t.Helper()
	c, err := NewCard(cfg)
	require.NoError(t, err)
	st.h = c
	ctx, cancel := context.WithCancel(context.Background())
	c.Start(ctx)
	t.Cleanup(func() { cancel(); _ = c.Close() })
	return c
}

// browser is the person's browser in the tests: bounded in time.
var browser = &http.Client{Timeout: 5 * time.Second}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := browser.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func post(t *testing.T, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := browser.PostForm(u, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// assertPage checks what the site's CSP requires of a sandbox page.
func assertPage(t *testing.T, body string) {
	t.Helper()
	assert.Contains(t, body, `<link rel="stylesheet" href="/web/app.css">`)
	assert.NotContains(t, strings.ToLower(body), "<script")
	assert.NotContains(t, strings.ToLower(body), "<style")
	assert.NotContains(t, strings.ToLower(body), "style=")
	assert.NotRegexp(t, `(?i)\son[a-z]+\s*=`, body, "no event-handler attributes")
	assert.NotContains(t, strings.ToLower(body), "javascript:")
}

func cardRequest(id string) payments.CreateRequest {
	return payments.CreateRequest{
		PaymentID: id, ApplicationID: "app-" + id, AmountMinor: 250000, Currency: "RUB",
		Description: "Продление сертификата КЭП", ReturnURL: "https://renewal.example/applications/" + id + "/payment",
		PayerEmail: "ivanov@example.ru",
	}
}

var validCardForm = url.Values{"exp": {"12/30"}, "cvc": {"123"}}

func cardForm(card string) url.Values {
	f := url.Values{"card": {card}}
	for k, v := range validCardForm {
		f[k] = v
	}
	return f
}

func TestCardSandboxOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		card      string
		threeDS   string // "", "confirm", "cancel"
		wantKind  payments.EventKind
		wantState string
		wantText  string
	}{
		{"success card", "4111 1111 1111 1111", "", payments.EventSucceeded, payments.StateSucceeded, "Оплата прошла успешно"},
		{"declined card", "4000 0000 0000 0002", "", payments.EventFailed, payments.StateFailed, "отклонил"},
		{"3-DS confirmed", "4000-0000-0000-3220", "confirm", payments.EventSucceeded, payments.StateSucceeded, "Payment succeeded"},
		{"3-DS cancelled", "4000000000003220", "cancel", payments.EventFailed, payments.StateFailed, "3-D Secure"},
		{"unknown valid card", "5555555555554444", "", payments.EventFailed, payments.StateFailed, "test cards"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, 0)
			st := newSite(t)
			c := startCard(t, st, testConfig(t, st.srv.URL, rc))
			req := cardRequest("pay-" + string(rune('a'+i)))
			cr, err := c.Create(context.Background(), req)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(cr.RedirectURL, st.srv.URL+"/sandbox/pay/"), cr.RedirectURL)
			assert.Equal(t, cr.ProviderRef, strings.TrimPrefix(cr.RedirectURL, st.srv.URL+"/sandbox/pay/"))

			code, page := get(t, cr.RedirectURL)
			require.Equal(t, http.StatusOK, code)
			assertPage(t, page)
			assert.Contains(t, page, "2\u00a0500,00\u00a0₽")
			assert.Contains(t, page, "Продление сертификата КЭП")
			assert.Contains(t, page, `<form method="post" action="/sandbox/pay/`+cr.ProviderRef+`">`)
			s, err := c.Status(context.Background(), cr.ProviderRef)
			require.NoError(t, err)
			assert.Equal(t, payments.Status{State: payments.StatePending, AmountMinor: 250000, Currency: "RUB"}, s)

			code, page = post(t, cr.RedirectURL, cardForm(tt.card))
			require.Equal(t, http.StatusOK, code, page)
			assertPage(t, page)
			if tt.threeDS != "" {
				assert.Contains(t, page, `action="/sandbox/pay/`+cr.ProviderRef+`/3ds"`)
				assert.Contains(t, page, "3220")
				rc.quiet(t, 100*time.Millisecond) // nothing is decided yet
				code, page = post(t, cr.RedirectURL+"/3ds", url.Values{"action": {tt.threeDS}})
				require.Equal(t, http.StatusOK, code, page)
				assertPage(t, page)
			}
			assert.Contains(t, page, tt.wantText)
			assert.Contains(t, page, `href="`+req.ReturnURL+`"`, "the result links back")

			got := rc.wait(t, 1)[0].ev
			assert.Equal(t, tt.wantKind, got.Kind)
			assert.Equal(t, cr.ProviderRef, got.ProviderRef)
			assert.Equal(t, req.PaymentID, got.PaymentID)
			assert.Equal(t, int64(250000), got.AmountMinor)
			assert.Equal(t, "RUB", got.Currency)
			assert.True(t, strings.HasPrefix(got.ID, "evt_"))
			s, err = c.Status(context.Background(), cr.ProviderRef)
			require.NoError(t, err)
			assert.Equal(t, tt.wantState, s.State)

			// A second payment attempt on a decided payment changes nothing.
			code, _ = post(t, cr.RedirectURL, cardForm(TestCardSuccess))
			assert.Equal(t, http.StatusConflict, code)
			rc.quiet(t, 100*time.Millisecond)
		})
	}
}

func TestCardSandboxFormErrors(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	c := startCard(t, st, testConfig(t, st.srv.URL, rc))
	cr, err := c.Create(context.Background(), cardRequest("p1"))
	require.NoError(t, err)
	for _, f := range []url.Values{
		{"card": {"4111 1111 1111 1112"}, "exp": {"12/30"}, "cvc": {"123"}}, // Luhn
		{"card": {"4111111111111111"}, "exp": {"01/20"}, "cvc": {"123"}},    // expired
		{"card": {"4111111111111111"}, "exp": {"13/30"}, "cvc": {"123"}},
		{"card": {"4111111111111111"}, "exp": {"12/30"}, "cvc": {"12a"}},
		{"card": {"abc"}, "exp": {"12/30"}, "cvc": {"123"}},
	} {
		code, page := post(t, cr.RedirectURL, f)
		assert.Equal(t, http.StatusUnprocessableEntity, code, f)
		assert.Contains(t, page, `role="alert"`)
		assert.NotContains(t, page, "4111111111111111", "the card number is never echoed")
	}
	rc.quiet(t, 100*time.Millisecond)
	code, _ := get(t, st.srv.URL+"/sandbox/pay/card_unknown")
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = post(t, cr.RedirectURL+"/3ds", url.Values{"action": {"confirm"}})
	assert.Equal(t, http.StatusConflict, code, "no 3-DS pending")
}

func TestCardSandboxCreate(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	c := startCard(t, st, testConfig(t, st.srv.URL, rc))
	ctx := context.Background()
	a, err := c.Create(ctx, cardRequest("same"))
	require.NoError(t, err)
	b, err := c.Create(ctx, cardRequest("same"))
	require.NoError(t, err)
	assert.Equal(t, a, b, "a retried Create returns the same payment")
	r := cardRequest("same")
	r.AmountMinor++
	_, err = c.Create(ctx, r)
	assert.ErrorIs(t, err, payments.ErrInvalidRequest)

	for name, mut := range map[string]func(*payments.CreateRequest){
		"no id":          func(r *payments.CreateRequest) { r.PaymentID = "" },
		"zero amount":    func(r *payments.CreateRequest) { r.AmountMinor = 0 },
		"currency":       func(r *payments.CreateRequest) { r.Currency = "USD" },
		"no return URL":  func(r *payments.CreateRequest) { r.ReturnURL = "" },
		"javascript URL": func(r *payments.CreateRequest) { r.ReturnURL = "javascript:alert(1)" },
	} {
		r := cardRequest("x-" + name)
		mut(&r)
		_, err := c.Create(ctx, r)
		assert.ErrorIs(t, err, payments.ErrInvalidRequest, name)
	}
	_, err = c.Status(ctx, "card_nope")
	assert.ErrorIs(t, err, payments.ErrUnknownPayment)
	assert.ErrorIs(t, c.Refund(ctx, a.ProviderRef, 1), payments.ErrNotRefundable, "pending")
	assert.Equal(t, payments.MethodCard, c.Method())
}

// pay creates a payment and pays it with the success card.
func pay(t *testing.T, c *Card, id string) payments.Created {
	t.Helper()
	cr, err := c.Create(context.Background(), cardRequest(id))
	require.NoError(t, err)
	code, page := post(t, cr.RedirectURL, cardForm(TestCardSuccess))
	require.Equal(t, http.StatusOK, code, page)
	return cr
}

func TestCardSandboxRefund(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	c := startCard(t, st, testConfig(t, st.srv.URL, rc))
	ctx := context.Background()
	cr := pay(t, c, "r1")
	assert.Equal(t, payments.EventSucceeded, rc.wait(t, 1)[0].ev.Kind)

	require.NoError(t, c.Refund(ctx, cr.ProviderRef, 100000))
	got := rc.wait(t, 1)[0].ev
	assert.Equal(t, payments.EventRefunded, got.Kind)
	assert.Equal(t, int64(100000), got.AmountMinor)
	s, _ := c.Status(ctx, cr.ProviderRef)
	assert.Equal(t, payments.StateSucceeded, s.State, "partly refunded")

	assert.ErrorIs(t, c.Refund(ctx, cr.ProviderRef, 150001), payments.ErrNotRefundable, "more than is left")
	require.NoError(t, c.Refund(ctx, cr.ProviderRef, 150000))
	got2 := rc.wait(t, 1)[0].ev
	assert.Equal(t, payments.EventRefunded, got2.Kind)
	assert.NotEqual(t, got.ID, got2.ID)
	s, _ = c.Status(ctx, cr.ProviderRef)
	assert.Equal(t, payments.StateRefunded, s.State)
	assert.ErrorIs(t, c.Refund(ctx, cr.ProviderRef, 1), payments.ErrNotRefundable)

	_, page := get(t, cr.RedirectURL)
	assert.Contains(t, page, "Платёж возвращён")
}

func TestCardSandboxDuplicates(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)
	cfg.Duplicates = 3
	c := startCard(t, st, cfg)
	pay(t, c, "d1")
	got := rc.wait(t, 3)
	for _, r := range got {
		assert.Equal(t, got[0].ev, r.ev, "the same event, the same id")
	}
	rc.quiet(t, 150*time.Millisecond)
	assert.Zero(t, c.Pending())
}

func TestCardSandboxReorder(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)
	cfg.Reorder = true
	cfg.ReorderHold = 10 * time.Second // released by the refund, not by the timer
	c := startCard(t, st, cfg)
	cr := pay(t, c, "o1")
	rc.quiet(t, 100*time.Millisecond) // held
	require.NoError(t, c.Refund(context.Background(), cr.ProviderRef, 250000))
	got := rc.wait(t, 2)
	assert.Equal(t, payments.EventRefunded, got[0].ev.Kind)
	assert.Equal(t, payments.EventSucceeded, got[1].ev.Kind)
	assert.Equal(t, got[0].ev.PaymentID, got[1].ev.PaymentID)

	// With no later event, the hold ends by itself.
	cfg2 := testConfig(t, st.srv.URL, rc)
	cfg2.Reorder = true
	cfg2.ReorderHold = 150 * time.Millisecond
	c2 := startCard(t, st, cfg2)
	start := time.Now()
	pay(t, c2, "o2")
	r := rc.wait(t, 1)[0]
	assert.Equal(t, payments.EventSucceeded, r.ev.Kind)
	assert.GreaterOrEqual(t, r.at.Sub(start), 150*time.Millisecond)
}

func TestCardSandboxRetryBackoff(t *testing.T) {
	rc := newReceiver(t, 2) // 500, 500, then 204
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)
	cfg.Retry = 50 * time.Millisecond
	c := startCard(t, st, cfg)
	pay(t, c, "b1")
	got := rc.wait(t, 3)
	for _, r := range got[1:] {
		assert.Equal(t, got[0].ev.ID, r.ev.ID)
	}
	p1, p2 := got[1].at.Sub(got[0].at), got[2].at.Sub(got[1].at)
	assert.GreaterOrEqual(t, p1, 50*time.Millisecond)
	assert.GreaterOrEqual(t, p2, 100*time.Millisecond)
	assert.Greater(t, p2, p1, "pauses grow")
	rc.quiet(t, 150*time.Millisecond)
	assert.Zero(t, c.Pending())
}

func TestCardSandboxGivesUpThenResumesAfterRestart(t *testing.T) {
	rc := newReceiver(t, 1000) // always 500
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)
	cfg.Retry = 10 * time.Millisecond
	cfg.MaxAttempts = 3
	c, err := NewCard(cfg)
	require.NoError(t, err)
	st.h = c
	ctx, cancel := context.WithCancel(context.Background())
	c.Start(ctx)
	pay(t, c, "g1")
	rc.wait(t, 3)
	rc.quiet(t, 150*time.Millisecond) // bounded
	assert.Equal(t, 1, c.Pending())
	cancel()
	require.NoError(t, c.Close())

	rc.mu.Lock()
	rc.fail = 0
	rc.mu.Unlock()
	startCard(t, st, cfg)
	assert.Equal(t, payments.EventSucceeded, rc.wait(t, 1)[0].ev.Kind)
}

func TestCardSandboxRestartResumes(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)

	// The first instance takes the payment but stops before delivering.
	c1, err := NewCard(cfg)
	require.NoError(t, err)
	st.h = c1
	cr := pay(t, c1, "s1")
	require.NoError(t, c1.Close())
	rc.quiet(t, 50*time.Millisecond)
	_, err = os.Stat(filepath.Join(cfg.Dir, "card.journal"))
	require.NoError(t, err)
	left, _ := filepath.Glob(filepath.Join(cfg.Dir, "*.tmp"))
	assert.Empty(t, left, "no temporary files left behind")

	c2 := startCard(t, st, cfg)
	got := rc.wait(t, 1)[0].ev
	assert.Equal(t, payments.EventSucceeded, got.Kind)
	assert.Equal(t, cr.ProviderRef, got.ProviderRef)
	s, err := c2.Status(context.Background(), cr.ProviderRef)
	require.NoError(t, err)
	assert.Equal(t, payments.StateSucceeded, s.State)
	code, page := get(t, cr.RedirectURL)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "Оплата прошла успешно", "the page survives the restart")
	b, err := c2.Create(context.Background(), cardRequest("s1"))
	require.NoError(t, err)
	assert.Equal(t, cr, b, "Create stays idempotent across the restart")
}

func TestSandboxConfig(t *testing.T) {
	good := Config{BaseURL: "http://localhost:8080", WebhookURL: "http://localhost:8080/hook", Secret: []byte("s"), Dir: t.TempDir()}
	_, err := NewCard(good)
	require.NoError(t, err)
	for name, mut := range map[string]func(*Config){
		"no base":    func(c *Config) { c.BaseURL = "" },
		"no webhook": func(c *Config) { c.WebhookURL = "" },
		"no secret":  func(c *Config) { c.Secret = nil },
		"no dir":     func(c *Config) { c.Dir = "" },
	} {
		cfg := good
		mut(&cfg)
		_, err := NewERIP(cfg)
		assert.Error(t, err, name)
	}
	require.NoError(t, os.WriteFile(filepath.Join(good.Dir, "erip.json"), []byte("{broken"), 0o600))
	_, err = NewERIP(good)
	assert.Error(t, err, "a corrupt state file is reported, not silently reset")
}

func TestSandboxBackoff(t *testing.T) {
	s := &sandbox{cfg: Config{Retry: 200 * time.Millisecond}}
	var got []time.Duration
	for n := 1; n <= 12; n++ {
		got = append(got, s.backoff(n))
	}
	assert.Equal(t, []time.Duration{
		200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond,
		3200 * time.Millisecond, 6400 * time.Millisecond, 12800 * time.Millisecond, 25600 * time.Millisecond,
		51200 * time.Millisecond, time.Minute, time.Minute, time.Minute,
	}, got)
}

func TestSandboxHandlerRouting(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)
	card, err := NewCard(cfg)
	require.NoError(t, err)
	erip, err := NewERIP(cfg)
	require.NoError(t, err)
	st.h = Handler(card, erip)
	cr, err := card.Create(context.Background(), cardRequest("h1"))
	require.NoError(t, err)
	code, _ := get(t, cr.RedirectURL)
	assert.Equal(t, http.StatusOK, code)
	code, page := get(t, st.srv.URL+"/sandbox/erip")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, payments.ERIPServicePath)
	code, _ = get(t, st.srv.URL+"/sandbox/other")
	assert.Equal(t, http.StatusNotFound, code)
	// A mount that strips /sandbox works too.
	st.h = http.StripPrefix("/sandbox", Handler(card, erip))
	code, _ = get(t, cr.RedirectURL)
	assert.Equal(t, http.StatusOK, code)
}
