package api

import (
	"net/netip"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"renewal/app/wire"
	"renewal/server/internal/apierr"
)

var errOperator = apierr.New(apierr.KindForbidden, "operator_only",
	"Доступ только для оператора удостоверяющего центра.", "Only the certification centre's operator may do this.")

// mountPayments registers payment routes: the holder's, the gateways'
// notifications, and the operator's statement upload.
func (s *server) mountPayments(v1 fiber.Router, r fiber.Router) {
	r.Post("/payment", s.csrf, s.paymentStart)
	r.Put("/receipt-email", s.csrf, s.receiptEmail)
	r.Get("/invoice.pdf", s.invoicePDF)
	r.Get("/act.pdf", s.closingPDF("act"))
	r.Get("/upd.pdf", s.closingPDF("upd"))
	v1.Post("/payments/webhook/:provider", s.webhook)
	v1.Post("/operator/statements", s.operator, s.statementImport)
	v1.Get("/operator/reviews", s.operator, s.reviewQueue)
	v1.Get("/operator/confirmations/:id/document.txt", s.operator, s.operatorConfirmation(false))
	v1.Get("/operator/confirmations/:id/signature.p7s", s.operator, s.operatorConfirmation(true))
}

func (s *server) paymentStart(c *fiber.Ctx) error {
	var in wire.PaymentStart
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.StartPayment(c.UserContext(), session(c), in.Method)
	return reply(c, v, err)
}

func (s *server) receiptEmail(c *fiber.Ctx) error {
	var in wire.ReceiptEmail
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.SetReceiptEmail(c.UserContext(), session(c), in.Email)
	return reply(c, v, err)
}

// webhook takes a gateway's signed notification. The raw body is what
// was signed: it is copied (Fiber reuses its buffer) and not parsed
// before the signature holds.
func (s *server) webhook(c *fiber.Ctx) error {
	raw := append([]byte(nil), c.Body()...) // bounded by webhookLimit
	header := func(k string) string { return c.Get(k) }
	// The sender's address, as resolved through the trusted proxies: an
	// unsigned provider's notifications count only from its own list.
	from, _ := netip.ParseAddr(ClientIP(c)) // unparsable: the zero Addr, on no list
	if err := s.Renewal.PaymentEvent(c.UserContext(), c.Params("provider"), from, header, raw); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *server) invoicePDF(c *fiber.Ctx) error {
	pdf, err := s.Renewal.InvoiceDocument(c.UserContext(), session(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="invoice.pdf"`)
	return c.Send(pdf)
}

func (s *server) closingPDF(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pdf, err := s.Renewal.ClosingDocument(c.UserContext(), session(c), kind)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/pdf")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+kind+`.pdf"`)
		return c.Send(pdf)
	}
}

// operator lets through a request with the operator's bearer token;
// without a configured token nobody passes (fail closed).
func (s *server) operator(c *fiber.Ctx) error {
	if !s.operatorToken(c.Get(fiber.HeaderAuthorization)) {
		return errOperator
	}
	return c.Next()
}

// reviewQueue lists what waits for the operator: statement documents
// that paid no invoice exactly, and applications whose payment came back.
func (s *server) reviewQueue(c *fiber.Ctx) error {
	v, err := s.Renewal.ReviewQueue(c.UserContext())
	return reply(c, v, err)
}

func (s *server) statementImport(c *fiber.Ctx) error {
	body := append([]byte(nil), c.Body()...)
	report, err := s.Renewal.ImportStatement(c.UserContext(), c.Get("X-Filename", "statement.txt"), body)
	if err != nil {
		return err
	}
	return c.JSON(report)
}

// mountSandboxes serves the development payment gateways' own pages
// (only with --dev).
func (s *server) mountSandboxes(app *fiber.App) {
	if s.Sandbox != nil {
		app.All("/sandbox/*", adaptor.HTTPHandler(s.Sandbox))
	}
}

// operatorConfirmation shows the operator a head's confirmation as signed.
func (s *server) operatorConfirmation(signature bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		doc, sig, err := s.Renewal.OperatorConfirmation(c.UserContext(), c.Params("id"))
		return sendConfirmation(c, doc, sig, signature, err)
	}
}
