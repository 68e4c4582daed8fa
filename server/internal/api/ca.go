package api

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/ocsp"

	"renewal/server/internal/apierr"
)

// Authority is what the public PKI endpoints need of the authority.
type Authority interface {
	CurrentCRL(ctx context.Context) ([]byte, time.Time, error)
	OCSP(ctx context.Context, requestDER []byte) ([]byte, error)
	Issuer() *x509.Certificate
}

// ocspMaxRequest bounds an OCSP request; real ones are about 100 bytes.
const ocspMaxRequest = 4096

// mountCA registers the endpoints whose URLs are written into every
// certificate: the CRL, OCSP and the issuer's certificate. They are
// public and answer DER, as relying parties expect.
func (s *server) mountCA(app *fiber.App) {
	app.Get("/ca/crl", s.crl)
	app.Get("/ca/issuer.crt", s.certFile(func() *x509.Certificate { return s.Authority.Issuer() }))
	app.Get("/ca/root.crt", s.certFile(func() *x509.Certificate { return s.Root }))
	app.Post("/ca/ocsp", func(c *fiber.Ctx) error {
		return s.ocsp(c, c.Body())
	})
	// RFC 6960 A.1: GET with the base64 request in the path (it may hold
	// slashes, so take the whole rest of the path).
	app.Get("/ca/ocsp/*", func(c *fiber.Ctx) error {
		raw, err := url.PathUnescape(c.Params("*"))
		if err != nil {
			return s.sendOCSP(c, ocsp.MalformedRequestErrorResponse)
		}
		der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(raw))
		if err != nil {
			return s.sendOCSP(c, ocsp.MalformedRequestErrorResponse)
		}
		return s.ocsp(c, der)
	})
}

// crl serves the current CRL (signed only when the revocations change or
// it ages, never per request), with a validator so that relying parties
// that poll get 304s.
func (s *server) crl(c *fiber.Ctx) error {
	der, thisUpdate, err := s.Authority.CurrentCRL(c.UserContext())
	if err != nil {
		return err
	}
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

func (s *server) ocsp(c *fiber.Ctx, req []byte) error {
	if len(req) == 0 || len(req) > ocspMaxRequest {
		return s.sendOCSP(c, ocsp.MalformedRequestErrorResponse)
	}
	resp, err := s.Authority.OCSP(c.UserContext(), req)
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
