package api

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/ocsp"

	"renewal/ca"
	"renewal/server/internal/apierr"
)

// Authority is what the public PKI endpoints need of the authority.
type Authority interface {
	CurrentCRL(ctx context.Context) ([]byte, time.Time, error)
	OCSP(ctx context.Context, requestDER []byte, mayLive func() bool) ([]byte, error)
	Issuer() *x509.Certificate
}

// PKILimits bound, per client address, what the public PKI endpoints
// answer: rates a second and bursts. Zero fields take the defaults.
type PKILimits struct {
	// CRL: GETs and HEADs of /ca/crl and /ca/root.crl, 304s included.
	CRLRate  float64
	CRLBurst int
	// OCSP: requests, answered from the stored responses.
	OCSPRate  float64
	OCSPBurst int
	// Fresh: OCSP responses signed for one request (a nonce, a CertID
	// hash other than SHA-1, a serial never issued). The issuing key signs
	// none of them, but each costs a signature.
	FreshRate  float64
	FreshBurst int
}

func (l PKILimits) withDefaults() PKILimits {
	def := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	// A relying party fetches a CRL a few times a day and asks OCSP once
	// per certificate and validity; a whole office behind one address
	// stays far below these.
	def(&l.CRLRate, 1)
	defInt(&l.CRLBurst, 30)
	def(&l.OCSPRate, 10)
	defInt(&l.OCSPBurst, 100)
	def(&l.FreshRate, 1)
	defInt(&l.FreshBurst, 20)
	return l
}

var (
	errPKIRateLimited = apierr.New(apierr.KindTooManyRequests, "pki_rate_limited",
		"Слишком много запросов списка отзыва или OCSP с вашего адреса. Повторите через несколько секунд (см. Retry-After).",
		"Too many CRL or OCSP requests from your address. Please retry in a few seconds (see Retry-After).")
	errNoRootCRL = apierr.New(apierr.KindNotFound, "root_crl_missing",
		"Корневой удостоверяющий центр ещё не опубликовал свой список отзыва.",
		"The root certification authority has not published its CRL yet.")
)

// ocspMaxRequest bounds an OCSP request; real ones are about 100 bytes.
const ocspMaxRequest = 4096

// mountCA registers the endpoints whose URLs are written into every
// certificate: the CRL, OCSP and the issuer's certificate. They are
// public and answer DER, as relying parties expect.
func (s *server) mountCA(app *fiber.App) {
	lim := s.PKILimits.withDefaults()
	crls := newLimiter(lim.CRLRate, lim.CRLBurst, nil)
	queries := newLimiter(lim.OCSPRate, lim.OCSPBurst, nil)
	fresh := newLimiter(lim.FreshRate, lim.FreshBurst, nil)
	rootCRLAt := time.Time{}
	if crl, err := x509.ParseRevocationList(s.RootCRL); err == nil {
		rootCRLAt = crl.ThisUpdate
	}

	// Fiber's Get also answers HEAD.
	app.Get("/ca/crl", limited(crls), s.crl)
	app.Get("/ca/root.crl", limited(crls), func(c *fiber.Ctx) error {
		if len(s.RootCRL) == 0 {
			return errNoRootCRL
		}
		return sendCRL(c, s.RootCRL, rootCRLAt)
	})
	app.Get("/ca/issuer.crt", s.certFile(func() *x509.Certificate { return s.Authority.Issuer() }))
	app.Get("/ca/root.crt", s.certFile(func() *x509.Certificate { return s.Root }))
	app.Post("/ca/ocsp", limited(queries), func(c *fiber.Ctx) error {
		return s.ocsp(c, c.Body(), fresh)
	})
	// RFC 6960 A.1: GET with the base64 request in the path. It may hold
	// slashes, a double one too, which the router's normalised path
	// collapses: read the path as the client sent it.
	app.Get("/ca/ocsp/*", limited(queries), func(c *fiber.Ctx) error {
		path, _, _ := strings.Cut(string(c.Request().URI().PathOriginal()), "?")
		_, rest, ok := strings.Cut(path, "/ca/ocsp/")
		if !ok {
			return s.sendOCSP(c, ocsp.MalformedRequestErrorResponse)
		}
		raw, err := url.PathUnescape(rest)
		if err != nil {
			return s.sendOCSP(c, ocsp.MalformedRequestErrorResponse)
		}
		der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(raw))
		if err != nil {
			return s.sendOCSP(c, ocsp.MalformedRequestErrorResponse)
		}
		return s.ocsp(c, der, fresh)
	})
}

// limited refuses a client over l's rate with 429 and Retry-After. No
// audit event: writing one per refused request would hand the flood the
// database; the request log line (status 429, client address) records it.
func limited(l *limiter) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if ok, wait := l.allow(ClientIP(c)); !ok {
			return rateLimited(c, wait)
		}
		return c.Next()
	}
}

func rateLimited(c *fiber.Ctx, wait time.Duration) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	return errPKIRateLimited
}

// crl serves the latest stored CRL: requests never make the authority
// sign (but the first one on an empty database, or one replacing an
// expired CRL when no refresh job runs).
func (s *server) crl(c *fiber.Ctx) error {
	der, thisUpdate, err := s.Authority.CurrentCRL(c.UserContext())
	if err != nil {
		return err
	}
	return sendCRL(c, der, thisUpdate)
}

// sendCRL sends a CRL with validators, so that relying parties that poll
// get 304s: the ETag is a hash of the bytes (the same on every instance),
// Last-Modified its thisUpdate.
func sendCRL(c *fiber.Ctx, der []byte, thisUpdate time.Time) error {
	sum := sha256.Sum256(der)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderLastModified, thisUpdate.UTC().Format(http.TimeFormat))
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		if inm == etag || inm == "*" {
			return c.SendStatus(fiber.StatusNotModified)
		}
	} else if ims, err := http.ParseTime(c.Get(fiber.HeaderIfModifiedSince)); err == nil && !thisUpdate.Truncate(time.Second).After(ims) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "application/pkix-crl")
	return c.Send(der)
}

func (s *server) certFile(get func() *x509.Certificate) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cert := get()
		if cert == nil {
			return apierr.ErrNotFound
		}
		c.Set(fiber.HeaderContentType, "application/pkix-cert")
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		return c.Send(cert.Raw)
	}
}

func (s *server) ocsp(c *fiber.Ctx, req []byte, fresh *limiter) error {
	if len(req) == 0 || len(req) > ocspMaxRequest {
		return s.sendOCSP(c, ocsp.MalformedRequestErrorResponse)
	}
	var wait time.Duration
	resp, err := s.Authority.OCSP(c.UserContext(), req, func() bool {
		var ok bool
		ok, wait = fresh.allow(ClientIP(c))
		return ok
	})
	if errors.Is(err, ca.ErrOCSPRateLimited) {
		return rateLimited(c, wait)
	}
	if err != nil {
		// The status is unknown right now: say "try later", never "good".
		s.Log.Error("ocsp", "request_id", RequestID(c), "err", err)
		return s.sendOCSP(c, ocsp.TryLaterErrorResponse)
	}
	return s.sendOCSP(c, resp)
}

func (s *server) sendOCSP(c *fiber.Ctx, resp []byte) error {
	c.Set(fiber.HeaderContentType, "application/ocsp-response")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(resp)
}
