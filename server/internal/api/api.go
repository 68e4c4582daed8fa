// Package api builds the Fiber application: middleware, the one error
// handler, health and readiness, the /api/v1 routes and, last, the web
// app. Handlers parse, validate, call a service, render; no SQL here.
package api

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"renewal/app/wire"
	"renewal/server/internal/apierr"
	"renewal/server/internal/metrics"
	"renewal/server/internal/renewal"
	"renewal/server/internal/store"
	"renewal/server/internal/webui"
)

// requestTimeout bounds the work behind one request.
const requestTimeout = 30 * time.Second

// Services is what the API reads about services.
type Services interface {
	ServiceList(ctx context.Context) ([]wire.Service, error)
	ServiceGet(ctx context.Context, code string) (wire.Service, error)
}

// Readiness answers whether the database is usable.
type Readiness interface {
	Ready(ctx context.Context) error
}

// Deps are the parts the API is built from.
type Deps struct {
	Log            *slog.Logger
	Services       Services
	Ready          Readiness
	Metrics        *metrics.Metrics
	Web            *webui.Web // nil: API only (tests)
	Authority      Authority  // nil: no PKI endpoints (tests)
	Root           *x509.Certificate
	RootCRL        []byte            // the root's CRL (DER); nil: /ca/root.crl answers 404
	PKILimits      PKILimits         // per-client limits of the CRL and OCSP endpoints
	Renewal        *renewal.Service  // nil: no workflow (tests)
	Audit          *renewal.AuditLog // nil: no audit routes (tests without the workflow)
	Dev            bool              // development pages (/dev/outbox)
	OperatorToken  string            // bearer token of the operator's API; empty: closed
	Sandbox        http.Handler      // development payment gateways' pages (/sandbox/...); nil: none
	TrustedProxies []string
	// CheckResponses validates every /api/v1 answer against openapi.json
	// and turns one that does not match into a 500 (the test suites and
	// the binary's -check-responses); requests are always validated.
	CheckResponses bool
	// Extra registers more routes on the app before the web app's
	// catch-all (tests use it to add failing handlers).
	Extra func(app *fiber.App)
}

type server struct {
	Deps
	proxies *trustedProxies
	streams *streams // the open event streams (events.go)
}

// New returns the application with every route registered.
func New(d Deps) *fiber.App {
	s := &server{Deps: d, proxies: newTrustedProxies(d.TrustedProxies), streams: newStreams()}
	cfg := fiber.Config{
		AppName:               "renewal-server",
		BodyLimit:             BodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          s.renderError,
		// Forwarded headers are believed only from the proxies named;
		// clientAddress reads them (Fiber's own reading takes the
		// left-most address, which the client writes).
		EnableTrustedProxyCheck: true,
		TrustedProxies:          d.TrustedProxies,
	}
	app := fiber.New(cfg)
	app.Server().HeaderReceived = s.bodyLimit

	app.Use(securityHeaders, requestID, s.clientAddress, s.observe, plainBodies, recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, e any) {
			s.Log.Error("panic", "request_id", RequestID(c), "panic", fmt.Sprint(e), "stack", string(debug.Stack()))
		},
	}))

	app.Get("/healthz", func(c *fiber.Ctx) error {
		return c.JSON(fiber.Map{"status": "ok"})
	})
	app.Get("/readyz", s.readyz)
	if d.Metrics != nil {
		app.Get("/metrics", d.Metrics.Handler())
	}

	if d.Authority != nil {
		s.mountCA(app)
	}

	raw, doc, err := apiDocument(d.Dev)
	if err != nil {
		// The document is embedded: a broken one is a build fault.
		panic(err)
	}
	k, err := newContract(raw, doc, d.CheckResponses, d.Log)
	if err != nil {
		panic(err)
	}
	v1 := app.Group("/api/v1", noStore, k.check(s))
	v1.Get("/openapi.json", serveDocument(raw))
	v1.Get("/services", s.serviceList)
	v1.Get("/services/:code", s.serviceGet)
	if d.Renewal != nil {
		s.mountRenewal(v1)
		if d.Dev {
			s.mountDev(app)
			s.mountSandboxes(app)
		}
	}
	// Unknown API paths answer JSON, not the web app's HTML.
	app.All("/api/*", func(c *fiber.Ctx) error { return apierr.ErrNotFound })

	if d.Extra != nil {
		d.Extra(app)
	}
	if d.Web != nil {
		d.Web.MountStatic(app)
		d.Web.MountPages(app)
	}
	return app
}

func (s *server) readyz(c *fiber.Ctx) error {
	if err := s.Ready.Ready(c.UserContext()); err != nil {
		s.Log.Warn("not ready", "err", err)
		return apierr.ErrNotReady.With(err)
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

// observe gives every request a deadline, renders errors, then logs and
// counts the request with its final status.
func (s *server) observe(c *fiber.Ctx) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	if err := c.Next(); err != nil {
		if rerr := s.renderError(c, err); rerr != nil {
			return rerr
		}
	}
	status := c.Response().StatusCode()
	d := time.Since(start)
	// Fiber's strings are views of fasthttp's buffers, reused by the next
	// request: a label kept by Prometheus must be a copy.
	method := strings.Clone(c.Method())
	if s.Metrics != nil {
		s.Metrics.Observe(method, strings.Clone(c.Route().Path), status, d)
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.Log.Log(ctx, level, "request",
		"method", method, "path", loggedPath(c.Path()), "route", c.Route().Path,
		"status", status, "ms", d.Milliseconds(), "ip", ClientIP(c), "request_id", RequestID(c))
	return nil
}

// linkPaths are the pages whose last segment is a single-use link token:
// a log line must not let whoever reads the logs open the application.
var linkPaths = []string{renewal.PathResume, renewal.PathApprove}

// loggedPath is the path with link tokens cut out.
func loggedPath(p string) string {
	for _, prefix := range linkPaths {
		if rest, ok := strings.CutPrefix(p, prefix); ok && rest != "" {
			return prefix + "…"
		}
	}
	return p
}

// renderError is the one error handler: it maps any error to a public
// kind and renders {code, message, message_ru, message_en, request_id}.
// The cause goes to the log, never to the client.
func (s *server) renderError(c *fiber.Ctx, err error) error {
	if RequestID(c) == "" {
		// Errors of the HTTP layer itself (body too large, bad request
		// line) skip the middleware.
		assignRequestID(c)
	}
	e := classify(err)
	status := e.Kind.Status()
	if status >= 500 {
		s.Log.Error("request failed", "request_id", RequestID(c), "code", e.Code, "err", err)
	}
	if status == fiber.StatusServiceUnavailable {
		retry := "5"
		if e.Code == apierr.ErrBusy.Code {
			retry = "1" // a connection comes free within milliseconds
		}
		c.Set(fiber.HeaderRetryAfter, retry)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	msg := e.RU
	if c.AcceptsLanguages("ru", "en") == "en" {
		msg = e.EN
	}
	return c.Status(status).JSON(wire.Error{
		Code: e.Code, Message: msg, MessageRU: e.RU, MessageEN: e.EN, RequestID: RequestID(c),
	})
}

func classify(err error) *apierr.Error {
	var fe *fiber.Error
	var ours *apierr.Error
	switch {
	case errors.As(err, &ours):
		return ours
	case errors.As(err, &fe):
		return apierr.FromStatus(fe.Code, err)
	case errors.Is(err, store.ErrBusy):
		return apierr.ErrBusy.With(err)
	case errors.Is(err, store.ErrUnavailable):
		return apierr.ErrUnavailable.With(err)
	default:
		return apierr.From(err)
	}
}

const requestIDKey = "request_id"

// requestID gives each request a random id, returned in X-Request-ID and
// in every error body, so a person can quote it to support. Incoming ids
// are not trusted: they would let a client forge log lines.
func requestID(c *fiber.Ctx) error {
	assignRequestID(c)
	return c.Next()
}

func assignRequestID(c *fiber.Ctx) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Locals(requestIDKey, id)
	c.Set(fiber.HeaderXRequestID, id)
	return id
}

// RequestID returns the id of the request.
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// contentSecurityPolicy allows only this origin. go-app needs
// 'wasm-unsafe-eval' to compile app.wasm, and nothing of 'unsafe-eval'
// or inline scripts and styles.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentSecurityPolicy, contentSecurityPolicy)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Cross-Origin-Resource-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
	if c.Protocol() == "https" {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000")
	}
	return c.Next()
}

func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}
