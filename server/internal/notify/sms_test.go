package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testToken = "tok-3f9a"

func newTestGateway(t *testing.T, url string, timeout time.Duration) *SMSGateway {
	t.Helper()
	g, err := NewSMSGateway(SMSConfig{URL: url, Token: testToken, Timeout: timeout}, nil)
	require.NoError(t, err)
	return g
}

func testSMS() Message {
	m := SMSCode(RU, "+79161234567", "123456", 10)
	m.Key = "outbox-42"
	return m
}

func TestSMSGatewayRequest(t *testing.T) {
	type captured struct {
		method, path, query string
		header              http.Header
		body                []byte
	}
	got := make(chan captured, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- captured{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"queued"}`)
	}))
	defer srv.Close()
	g := newTestGateway(t, srv.URL+"/v1/sms?account=7", 5*time.Second)

	for _, tc := range []struct {
		name    string
		msg     Message
		wantKey string
	}{
		{"with key", testSMS(), "outbox-42"},
		{"without key", SMSCode(EN, "+375291234567", "654321", 5), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, g.Send(context.Background(), tc.msg))
			c := <-got
			assert.Equal(t, http.MethodPost, c.method)
			assert.Equal(t, "/v1/sms", c.path)
			assert.Equal(t, "account=7", c.query)
			assert.Equal(t, "Bearer "+testToken, c.header.Get("Authorization"))
			assert.Equal(t, "application/json", c.header.Get("Content-Type"))
			assert.Equal(t, "application/json", c.header.Get("Accept"))
			assert.Equal(t, tc.wantKey, c.header.Get("Idempotency-Key"))
			_, hasKeyHeader := c.header["Idempotency-Key"]
			assert.Equal(t, tc.wantKey != "", hasKeyHeader)

			var fields map[string]string
			require.NoError(t, json.Unmarshal(c.body, &fields), string(c.body))
			want := map[string]string{"to": tc.msg.To, "text": tc.msg.Text}
			if tc.wantKey != "" {
				want["id"] = tc.wantKey
			}
			assert.Equal(t, want, fields)
			assert.True(t, json.Valid(c.body))
		})
	}

	// The exact bytes: Cyrillic as UTF-8, & not escaped.
	m := Message{Channel: SMS, To: "+375291234567", Text: "Код: 1 & <ok>", Key: "k1"}
	require.NoError(t, g.Send(context.Background(), m))
	c := <-got
	assert.Equal(t, `{"to":"+375291234567","text":"Код: 1 & <ok>","id":"k1"}`+"\n", string(c.body))
}

// A retried send carries the same key, so a gateway that honours it
// delivers once.
func TestSMSGatewayIdempotencyKey(t *testing.T) {
	var mu sync.Mutex
	delivered := map[string]int{}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var req smsRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		if calls.Add(1) == 1 { // first attempt: delivered, but the answer is lost
			delivered[req.ID]++
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if delivered[req.ID] == 0 {
			delivered[req.ID]++
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	g := newTestGateway(t, srv.URL, 5*time.Second)

	m := testSMS()
	err := g.Send(context.Background(), m)
	require.Error(t, err)
	assert.False(t, IsPermanent(err))
	require.NoError(t, g.Send(context.Background(), m))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, map[string]int{"outbox-42": 1}, delivered)
}

func TestSMSGatewayStatus(t *testing.T) {
	for _, tc := range []struct {
		status    int
		ok        bool
		permanent bool
	}{
		{200, true, false},
		{201, true, false},
		{202, true, false},
		{204, true, false},
		{400, false, true},
		{404, false, true},
		{410, false, true},
		{422, false, true},
		{401, false, false}, // our token: configuration, retry after the fix
		{403, false, false},
		{408, false, false},
		{429, false, false},
		{500, false, false},
		{502, false, false},
		{503, false, false},
		{504, false, false},
		{302, false, false}, // not followed
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 302 {
					w.Header().Set("Location", "/elsewhere")
				}
				if tc.status == 429 || tc.status == 503 {
					w.Header().Set("Retry-After", "30")
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, `{"error":"rejected"}`)
			}))
			defer srv.Close()
			err := newTestGateway(t, srv.URL, 5*time.Second).Send(context.Background(), testSMS())
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tc.permanent, IsPermanent(err), "%v", err)
			var herr *HTTPError
			require.ErrorAs(t, err, &herr)
			assert.Equal(t, tc.status, herr.StatusCode)
			assert.Equal(t, `{"error":"rejected"}`, herr.Body)
			if tc.status == 429 || tc.status == 503 {
				assert.Equal(t, 30*time.Second, herr.RetryAfter)
			}
		})
	}
}

func TestSMSGatewayTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)

	for _, tc := range []struct {
		name    string
		timeout time.Duration
		ctx     time.Duration // 0: no deadline on the context
	}{
		{"config timeout", 200 * time.Millisecond, 0},
		{"context deadline sooner", 30 * time.Second, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGateway(t, srv.URL, tc.timeout)
			ctx := context.Background()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			start := time.Now()
			err := g.Send(ctx, testSMS())
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.False(t, IsPermanent(err), "%v", err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.GreaterOrEqual(t, elapsed, 150*time.Millisecond)
			assert.Less(t, elapsed, 3*time.Second)
		})
	}
}

func TestSMSGatewayNetworkError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	err = newTestGateway(t, "http://"+addr+"/sms", 2*time.Second).Send(context.Background(), testSMS())
	require.Error(t, err)
	assert.False(t, IsPermanent(err), "%v", err)
	var opErr *net.OpError
	assert.ErrorAs(t, err, &opErr)
}

// The answer is read only up to 64 KiB, and what goes into the error is
// short and has codes and phone numbers masked.
func TestSMSGatewayBoundedAnswer(t *testing.T) {
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "invalid text 'Код 123456' for +79161234567: ")
		chunk := []byte(strings.Repeat("x", 32<<10))
		for range 1024 { // 32 MiB unless the client stops reading
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()

	start := time.Now()
	err := newTestGateway(t, srv.URL, 10*time.Second).Send(context.Background(), testSMS())
	require.Error(t, err)
	assert.True(t, IsPermanent(err))
	assert.Less(t, time.Since(start), 5*time.Second)
	var herr *HTTPError
	require.ErrorAs(t, err, &herr)
	assert.LessOrEqual(t, len(herr.Body), maxErrorBody)
	assert.True(t, strings.HasPrefix(herr.Body, "invalid text 'Код ######' for +###########: xxx"), herr.Body)
	assert.NotContains(t, err.Error(), "123456")
	assert.NotContains(t, err.Error(), "9161234567")
	srv.CloseClientConnections()
	assert.Less(t, written.Load(), int64(16<<20), "the client stopped reading")
}

func TestSMSGatewayRefusesBadMessages(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	g := newTestGateway(t, srv.URL, time.Second)

	for _, tc := range []struct {
		name string
		msg  Message
	}{
		{"e-mail channel", Message{Channel: Email, To: "+79161234567", Text: "x"}},
		{"not a phone", Message{Channel: SMS, To: "user@example.com", Text: "x"}},
		{"not E.164", Message{Channel: SMS, To: "8 916 123 45 67", Text: "x"}},
		{"foreign", Message{Channel: SMS, To: "+12025550100", Text: "x"}},
		{"empty text", Message{Channel: SMS, To: "+79161234567", Text: " "}},
		{"huge text", Message{Channel: SMS, To: "+79161234567", Text: strings.Repeat("я", maxSMSText+1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := g.Send(context.Background(), tc.msg)
			require.Error(t, err)
			assert.True(t, IsPermanent(err), "%v", err)
		})
	}
	assert.Zero(t, calls.Load(), "nothing was posted")
}

func TestNewSMSGateway(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  SMSConfig
		err  string
	}{
		{"ok", SMSConfig{URL: "https://sms.example.by/api/send", Token: "t"}, ""},
		{"ok http", SMSConfig{URL: "http://127.0.0.1:8080/send", Token: "t", Timeout: time.Second}, ""},
		{"empty URL", SMSConfig{Token: "t"}, "want http(s)://host/path"},
		{"relative URL", SMSConfig{URL: "/send", Token: "t"}, "want http(s)://host/path"},
		{"ftp", SMSConfig{URL: "ftp://sms.example.by/", Token: "t"}, "want http(s)://host/path"},
		{"bad URL", SMSConfig{URL: "http://[::1", Token: "t"}, "sms gateway URL"},
		{"no token", SMSConfig{URL: "https://sms.example.by/"}, "token is empty"},
		{"token with newline", SMSConfig{URL: "https://sms.example.by/", Token: "a\nb"}, "control characters"},
		{"negative timeout", SMSConfig{URL: "https://sms.example.by/", Token: "t", Timeout: -time.Second}, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := NewSMSGateway(tc.cfg, nil)
			if tc.err == "" {
				require.NoError(t, err)
				require.NotNil(t, g)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
	g, err := NewSMSGateway(SMSConfig{URL: "https://x.example/", Token: "t"}, nil)
	require.NoError(t, err)
	assert.Equal(t, defaultSMSTimeout, g.timeout)
	assert.NotContains(t, SMSConfig{URL: "https://x.example/", Token: "secret-token"}.String(), "secret-token")
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"120":                           2 * time.Minute,
		"-5":                            0,
		"soon":                          0,
		"Sat, 01 Mar 2025 12:01:00 GMT": time.Minute,
		"Sat, 01 Mar 2025 11:00:00 GMT": 0,
		"999999":                        24 * time.Hour,
	} {
		assert.Equal(t, want, retryAfter(in, now), in)
	}
}

func TestMux(t *testing.T) {
	var email, sms []Message
	x := Mux{
		Email: senderFunc(func(_ context.Context, m Message) error { email = append(email, m); return nil }),
		SMS:   senderFunc(func(_ context.Context, m Message) error { sms = append(sms, m); return nil }),
	}
	require.NoError(t, x.Send(context.Background(), EmailCode(RU, "a@example.com", "1", 1)))
	require.NoError(t, x.Send(context.Background(), SMSCode(RU, "+79161234567", "1", 1)))
	assert.Len(t, email, 1)
	assert.Len(t, sms, 1)

	err := x.Send(context.Background(), Message{Channel: "fax"})
	assert.True(t, IsPermanent(err))

	err = Mux{}.Send(context.Background(), SMSCode(RU, "+79161234567", "1", 1))
	require.Error(t, err)
	assert.False(t, IsPermanent(err), "a missing sender is configuration: retry later")

	wrapped := errors.Join(errors.New("x"), permanentf("bad"))
	assert.True(t, IsPermanent(wrapped))
}

type senderFunc func(context.Context, Message) error

func (f senderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }
