package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"renewal/app/wire"
	"renewal/server/internal/renewal"
)

// The head's session is a cookie of its own: a head who is also an
// employee may have both open in one browser.
const (
	headCookieHTTPS = "__Host-rnw_head"
	headCookieHTTP  = "rnw_head"
	headKey         = "head_session"
)

// mountApproval registers the head's API: open a link, prove the
// certificate, see the organisation's requests, confirm many with one
// signature, decline one, and (Belarus) pay for the confirmed ones.
func (s *server) mountApproval(v1 fiber.Router) {
	v1.Post("/approval/open", s.sameOrigin, s.approvalOpen)
	a := v1.Group("/approval", s.withHead)
	a.Get("", s.approvalView)
	a.Post("/challenge", s.headCSRF, s.headChallenge)
	a.Post("/proof", s.headCSRF, s.headProof)
	a.Post("/confirmation", s.headCSRF, s.confirmationPrepare)
	a.Post("/confirmation/:id/signature", s.headCSRF, s.confirmationSign)
	a.Post("/decline", s.headCSRF, s.decline)
	a.Post("/payment", s.headCSRF, s.headPay)
	a.Get("/invoice.pdf", s.headInvoice)
	a.Get("/confirmation/:id/document.txt", s.headConfirmation(false))
	a.Get("/confirmation/:id/signature.p7s", s.headConfirmation(true))
}

// headConfirmation shows a signed confirmation again: the exact document,
// or its detached CMS signature.
func (s *server) headConfirmation(signature bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		doc, sig, err := s.Renewal.HeadConfirmation(c.UserContext(), head(c), c.Params("id"))
		return sendConfirmation(c, doc, sig, signature, err)
	}
}

func sendConfirmation(c *fiber.Ctx, doc, sig []byte, signature bool, err error) error {
	if err != nil {
		return err
	}
	if signature {
		c.Set(fiber.HeaderContentType, "application/pkcs7-signature")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="confirmation.p7s"`)
		return c.Send(sig)
	}
	c.Set(fiber.HeaderContentType, "text/plain; charset=utf-8")
	return c.Send(doc)
}

func (s *server) headCookieName(c *fiber.Ctx) string {
	if c.Protocol() == "https" {
		return headCookieHTTPS
	}
	return headCookieHTTP
}

func (s *server) setHead(c *fiber.Ctx, value string) {
	c.Cookie(&fiber.Cookie{
		Name: s.headCookieName(c), Value: value, Path: "/",
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https",
		Expires: time.Now().Add(2 * time.Hour),
	})
}

func (s *server) withHead(c *fiber.Ctx) error {
	hs, err := s.Renewal.HeadSessionOf(c.UserContext(), c.Cookies(s.headCookieName(c)))
	if err != nil {
		return err
	}
	c.Locals(headKey, hs)
	return c.Next()
}

func head(c *fiber.Ctx) *renewal.HeadSession { return c.Locals(headKey).(*renewal.HeadSession) }

func (s *server) headCSRF(c *fiber.Ctx) error {
	if err := head(c).CheckCSRF(c.Get(csrfHeader)); err != nil {
		return err
	}
	return c.Next()
}

func (s *server) approvalOpen(c *fiber.Ctx) error {
	var in wire.Resume
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cookie, v, err := s.Renewal.OpenApproval(c.UserContext(), in.Token)
	if err != nil {
		return err
	}
	s.setHead(c, cookie)
	return c.JSON(v)
}

func (s *server) approvalView(c *fiber.Ctx) error {
	v, err := s.Renewal.ApprovalView(c.UserContext(), head(c))
	return reply(c, v, err)
}

func (s *server) headChallenge(c *fiber.Ctx) error {
	ch, err := s.Renewal.HeadChallenge(c.UserContext(), head(c))
	return reply(c, ch, err)
}

func (s *server) headProof(c *fiber.Ctx) error {
	var in wire.Proof
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cookie, v, err := s.Renewal.HeadProve(c.UserContext(), head(c), in)
	if err != nil {
		return err
	}
	s.setHead(c, cookie)
	return c.JSON(v)
}

func (s *server) confirmationPrepare(c *fiber.Ctx) error {
	var in wire.ConfirmationRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.PrepareConfirmation(c.UserContext(), head(c), in.Applications)
	return reply(c, v, err)
}

func (s *server) confirmationSign(c *fiber.Ctx) error {
	var in wire.ConfirmationSignature
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.Confirm(c.UserContext(), head(c), c.Params("id"), in.Signature)
	return reply(c, v, err)
}

func (s *server) decline(c *fiber.Ctx) error {
	var in wire.Decline
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.Decline(c.UserContext(), head(c), in.Application, in.Reason)
	return reply(c, v, err)
}

func (s *server) headPay(c *fiber.Ctx) error {
	var in wire.PaymentStart
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.HeadPay(c.UserContext(), head(c), in.Method)
	return reply(c, v, err)
}

func (s *server) headInvoice(c *fiber.Ctx) error {
	pdf, err := s.Renewal.HeadInvoice(c.UserContext(), head(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="invoice.pdf"`)
	return c.Send(pdf)
}
