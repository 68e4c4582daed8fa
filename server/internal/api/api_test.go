package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/server/internal/metrics"
	"renewal/server/internal/store"
)

type fakeServices struct {
	list []wire.Service
	err  error
}

func (f *fakeServices) ServiceList(ctx context.Context) ([]wire.Service, error) { return f.list, f.err }
func (f *fakeServices) ServiceGet(ctx context.Context, code string) (wire.Service, error) {
	if f.err != nil {
		return wire.Service{}, f.err
	}
	for _, s := range f.list {
		if s.Code == code {
			return s, nil
		}
	}
	return wire.Service{}, store.ErrNotFound
}

type fakeReady struct{ err error }

func (f *fakeReady) Ready(ctx context.Context) error { return f.err }

type harness struct {
	app      *fiber.App
	services *fakeServices
	ready    *fakeReady
	logs     *strings.Builder
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{
		services: &fakeServices{list: []wire.Service{{Code: "ru-owner", Jurisdiction: "RU", Role: "owner", TitleRU: "Я владелец", TitleEN: "I am the owner"}}},
		ready:    &fakeReady{},
		logs:     &strings.Builder{},
	}
	h.app = New(Deps{
		Log:      slog.New(slog.NewTextHandler(h.logs, nil)),
		Services: h.services,
		Ready:    h.ready,
		Metrics:  metrics.New(),
		Extra: func(app *fiber.App) {
			app.Get("/test/panic", func(c *fiber.Ctx) error { panic("secret detail: password=hunter2") })
			app.Get("/test/fail", func(c *fiber.Ctx) error { return errors.New("pq: secret internal detail") })
			app.Post("/test/json", func(c *fiber.Ctx) error {
				var v struct {
					Name string `json:"name"`
				}
				if err := decodeJSON(c, &v); err != nil {
					return err
				}
				return c.JSON(v)
			})
			app.Get("/test/ip", func(c *fiber.Ctx) error { return c.SendString(ClientIP(c)) })
		},
	})
	return h
}

func (h *harness) do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := h.app.Test(req, -1)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func decodeError(t *testing.T, body []byte) wire.Error {
	t.Helper()
	var e wire.Error
	require.NoError(t, json.Unmarshal(body, &e), "body: %s", body)
	require.NotEmpty(t, e.Code)
	require.NotEmpty(t, e.MessageRU)
	require.NotEmpty(t, e.MessageEN)
	require.Len(t, e.RequestID, 24)
	return e
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		req     func() *http.Request
		status  int
		code    string
		noLeaks []string
	}{
		{"fail/unknown-api-path", func() *http.Request { return httptest.NewRequest("GET", "/api/v1/nope", nil) }, 404, "not_found", nil},
		{"fail/unknown-api-version", func() *http.Request { return httptest.NewRequest("GET", "/api/v2/services", nil) }, 404, "not_found", nil},
		{"fail/unknown-service", func() *http.Request { return httptest.NewRequest("GET", "/api/v1/services/by-9.9.9", nil) }, 404, "service_not_found", nil},
		{"fail/bad-service-code", func() *http.Request { return httptest.NewRequest("GET", "/api/v1/services/..%2F..%2Fetc", nil) }, 404, "service_not_found", nil},
		{"fail/panic", func() *http.Request { return httptest.NewRequest("GET", "/test/panic", nil) }, 500, "internal", []string{"hunter2", "secret"}},
		{"fail/go-error", func() *http.Request { return httptest.NewRequest("GET", "/test/fail", nil) }, 500, "internal", []string{"pq:", "secret"}},
		{"fail/malformed-json", func() *http.Request {
			r := httptest.NewRequest("POST", "/test/json", strings.NewReader(`{"name":`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 400, "bad_json", []string{"unexpected EOF"}},
		{"fail/unknown-json-field", func() *http.Request {
			r := httptest.NewRequest("POST", "/test/json", strings.NewReader(`{"name":"a","admin":true}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 400, "bad_json", []string{"admin"}},
		{"fail/trailing-json", func() *http.Request {
			r := httptest.NewRequest("POST", "/test/json", strings.NewReader(`{"name":"a"}{"name":"b"}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 400, "bad_json", nil},
		{"fail/not-json", func() *http.Request {
			r := httptest.NewRequest("POST", "/test/json", strings.NewReader(`name=a`))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 400, "bad_json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			resp, body := h.do(t, tt.req())
			assert.Equal(t, tt.status, resp.StatusCode, "body: %s", body)
			assert.Contains(t, resp.Header.Get("Content-Type"), "application/json")
			e := decodeError(t, body)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, resp.Header.Get("X-Request-ID"), e.RequestID)
			for _, leak := range tt.noLeaks {
				assert.NotContains(t, string(body), leak, "a Go error's text reached the client")
			}
		})
	}
}

func TestOK(t *testing.T) {
	h := newHarness(t)
	resp, body := h.do(t, httptest.NewRequest("POST", "/test/json", strings.NewReader(`{"name":"ok"}`)).WithContext(context.Background()))
	_ = resp
	// a POST without a content type is refused, with one it passes
	assert.Contains(t, string(body), "bad_json")
	r := httptest.NewRequest("POST", "/test/json", strings.NewReader(`{"name":"ok"}`))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, body = h.do(t, r)
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"name":"ok"}`, string(body))

	resp, body = h.do(t, httptest.NewRequest("GET", "/api/v1/services", nil))
	require.Equal(t, 200, resp.StatusCode)
	var list wire.ServiceList
	require.NoError(t, json.Unmarshal(body, &list))
	assert.Equal(t, "ru-owner", list.Services[0].Code)
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))

	resp, _ = h.do(t, httptest.NewRequest("GET", "/api/v1/services/ru-owner", nil))
	assert.Equal(t, 200, resp.StatusCode)
}

func TestLanguageOfMessage(t *testing.T) {
	h := newHarness(t)
	r := httptest.NewRequest("GET", "/api/v1/nope", nil)
	r.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	_, body := h.do(t, r)
	e := decodeError(t, body)
	assert.Equal(t, e.MessageEN, e.Message)

	_, body = h.do(t, httptest.NewRequest("GET", "/api/v1/nope", nil))
	e = decodeError(t, body)
	assert.Equal(t, e.MessageRU, e.Message, "Russian is the default")
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/healthz", "/api/v1/services", "/api/v1/nope", "/test/panic"} {
		resp, _ := h.do(t, httptest.NewRequest("GET", path, nil))
		csp := resp.Header.Get("Content-Security-Policy")
		assert.Contains(t, csp, "frame-ancestors 'none'", path)
		assert.Contains(t, csp, "'wasm-unsafe-eval'", path)
		assert.NotContains(t, csp, "'unsafe-eval'", path)
		assert.NotContains(t, csp, "'unsafe-inline'", path)
		assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), path)
		assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"), path)
		assert.Empty(t, resp.Header.Get("Strict-Transport-Security"), "no HSTS over plain HTTP")
	}
}

func TestDatabaseUnavailable(t *testing.T) {
	h := newHarness(t)
	h.services.err = errors.Join(store.ErrUnavailable, errors.New("dial unix /x: connect: connection refused"))
	h.ready.err = store.ErrUnavailable

	resp, body := h.do(t, httptest.NewRequest("GET", "/api/v1/services", nil))
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
	assert.Equal(t, "unavailable", decodeError(t, body).Code)
	assert.NotContains(t, string(body), "/x")

	resp, body = h.do(t, httptest.NewRequest("GET", "/readyz", nil))
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "not_ready", decodeError(t, body).Code)

	resp, _ = h.do(t, httptest.NewRequest("GET", "/healthz", nil))
	assert.Equal(t, 200, resp.StatusCode, "alive even without the database")

	h.services.err, h.ready.err = nil, nil
	resp, _ = h.do(t, httptest.NewRequest("GET", "/readyz", nil))
	assert.Equal(t, 200, resp.StatusCode, "ready again when the database is back")
}

func TestMetrics(t *testing.T) {
	h := newHarness(t)
	// A POST first: its method must not leak into later labels through
	// fasthttp's reused buffers ("GETT").
	r := httptest.NewRequest("POST", "/test/json", strings.NewReader(`{"name":"x"}`))
	r.Header.Set("Content-Type", "application/json")
	h.do(t, r)
	h.do(t, httptest.NewRequest("GET", "/api/v1/services/ru-owner", nil))
	h.do(t, httptest.NewRequest("GET", "/api/v1/nope", nil))
	h.do(t, httptest.NewRequest("GET", "/test/panic", nil))
	_, body := h.do(t, httptest.NewRequest("GET", "/metrics", nil))
	m := string(body)
	assert.Contains(t, m, `http_requests_total{method="GET",route="/api/v1/services/:code",status="200"} 1`)
	assert.Contains(t, m, `http_requests_total{method="GET",route="/api/*",status="404"} 1`)
	assert.Contains(t, m, `http_requests_total{method="GET",route="/test/panic",status="500"} 1`)
	assert.Contains(t, m, `http_request_duration_seconds_bucket{method="GET",route="/api/v1/services/:code"`)
	assert.NotContains(t, m, "ru-owner\"", "raw paths never become labels")
}

func TestRequestLogHasIDs(t *testing.T) {
	h := newHarness(t)
	resp, _ := h.do(t, httptest.NewRequest("GET", "/test/fail", nil))
	id := resp.Header.Get("X-Request-ID")
	require.NotEmpty(t, id)
	assert.Contains(t, h.logs.String(), "request_id="+id)
	assert.Contains(t, h.logs.String(), "pq: secret internal detail", "the cause is logged")
}

func TestForwardedForTrustedOnlyFromProxy(t *testing.T) {
	build := func(proxies []string) *fiber.App {
		return New(Deps{
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Services: &fakeServices{}, Ready: &fakeReady{},
			TrustedProxies: proxies,
			Extra: func(app *fiber.App) {
				app.Get("/test/ip", func(c *fiber.Ctx) error { return c.SendString(ClientIP(c)) })
			},
		})
	}
	ipWith := func(app *fiber.App, xff string) string {
		r := httptest.NewRequest("GET", "/test/ip", nil)
		r.Header.Set("X-Forwarded-For", xff)
		resp, err := app.Test(r, -1)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	ip := func(app *fiber.App) string {
		r := httptest.NewRequest("GET", "/test/ip", nil)
		r.Header.Set("X-Forwarded-For", "203.0.113.7")
		resp, err := app.Test(r, -1)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	// app.Test connects from 0.0.0.0.
	assert.NotEqual(t, "203.0.113.7", ip(build(nil)), "untrusted peer cannot set its address")
	assert.Equal(t, "203.0.113.7", ip(build([]string{"0.0.0.0"})), "a trusted proxy can")
	trusted := build([]string{"0.0.0.0", "10.0.0.0/8"})
	assert.Equal(t, "203.0.113.51", ipWith(trusted, "198.18.0.1, 203.0.113.51"),
		"a hop the client wrote on the left does not choose its address")
	assert.Equal(t, "203.0.113.51", ipWith(trusted, "203.0.113.51, 10.1.2.3"), "trusted proxies are skipped from the right")
	assert.Equal(t, "0.0.0.0", ipWith(trusted, "not-an-ip"), "garbage is not an address")
}

// Body limits are enforced by fasthttp from the headers, before routing,
// which app.Test cannot show: these tests use a real listener on
// 127.0.0.1. Each route has its own limit; the operator's large upload
// limit holds only with the operator's token.
func TestBodyLimitsPerRoute(t *testing.T) {
	const token = "operator-secret"
	app := New(Deps{
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Services: &fakeServices{}, Ready: &fakeReady{},
		OperatorToken: token,
		Extra: func(app *fiber.App) {
			// A path outside /api answers 299 once its body is read.
			app.Post("/*", func(c *fiber.Ctx) error { return c.Status(299).SendString(fmt.Sprint(len(c.Body()))) })
		},
	})
	addr := listen(t, app)
	bearer := "Bearer " + token
	tests := []struct {
		name, path, auth string
		size             int
		refused          bool
	}{
		{"json at its limit", "/api/v1/renewal", "", jsonLimit, false},
		{"json over its limit", "/api/v1/renewal", "", jsonLimit + 1, true},
		{"ocsp over its limit", "/ca/ocsp", "", ocspLimit + 1, true},
		{"ocsp at its limit", "/ca/ocsp", "", ocspLimit, false},
		{"webhook at its limit", "/api/v1/payments/webhook/card", "", webhookLimit, false},
		{"webhook over its limit", "/api/v1/payments/webhook/card", "", webhookLimit + 1, true},
		{"statement with the token", "/api/v1/operator/statements", bearer, 4 << 20, false},
		{"statement over its limit", "/api/v1/operator/statements", bearer, statementLimit + 1, true},
		{"statement without the token", "/api/v1/operator/statements", "", jsonLimit + 1, true},
		{"statement with a wrong token", "/api/v1/operator/statements", "Bearer guess", jsonLimit + 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.refused {
				// Only the headers: the refusal comes from the declared
				// length, before the body is read, so nothing waits for it.
				status, body := postHeadersOnly(t, addr, tt.path, tt.auth, tt.size)
				assert.Equal(t, 413, status)
				e := decodeError(t, body)
				assert.Equal(t, "body_too_large", e.Code)
				return
			}
			req, err := http.NewRequest("POST", "http://"+addr+tt.path, bytes.NewReader(make([]byte, tt.size)))
			require.NoError(t, err)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if strings.HasPrefix(tt.path, "/api/") {
				// Unmounted here: the 404 comes after the body was read.
				assert.Equal(t, 404, resp.StatusCode, "%s", b)
				return
			}
			assert.Equal(t, 299, resp.StatusCode, "%s", b)
			assert.Equal(t, fmt.Sprint(tt.size), string(b))
		})
	}
}

// A chunked body declares no length: it is read up to the route's limit
// and refused there, not buffered whole.
func TestChunkedBodyCutAtLimit(t *testing.T) {
	app := New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Services: &fakeServices{}, Ready: &fakeReady{}})
	addr := listen(t, app)
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /ca/ocsp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
	require.NoError(t, err)
	// Send 4 × the limit in 1 KiB chunks; the server stops reading after
	// the limit and answers, so a write may fail once it has closed.
	go func() {
		chunk := fmt.Sprintf("400\r\n%s\r\n", bytes.Repeat([]byte("a"), 1024))
		for i := 0; i < 4*ocspLimit/1024; i++ {
			if _, err := io.WriteString(conn, chunk); err != nil {
				return
			}
		}
		_, _ = io.WriteString(conn, "0\r\n\r\n")
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 413, resp.StatusCode)
	assert.Equal(t, "body_too_large", decodeError(t, b).Code)
}

func listen(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go app.Listener(ln) //nolint:errcheck // ends with Shutdown
	t.Cleanup(func() { _ = app.Shutdown() })
	return ln.Addr().String()
}

// postHeadersOnly sends a POST's headers declaring size bytes, and no
// body, as a client that waits for 100-continue would.
func postHeadersOnly(t *testing.T, addr, path, auth string, size int) (int, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n", path, size)
	if auth != "" {
		head += "Authorization: " + auth + "\r\n"
	}
	_, err = io.WriteString(conn, head+"\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
