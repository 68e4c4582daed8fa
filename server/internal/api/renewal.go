package api

import (
	"encoding/pem"
	"html/template"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"renewal/app/wire"
	"renewal/server/internal/apierr"
	"renewal/server/internal/renewal"
)

// Cookie names: under HTTPS the __Host- prefix pins the cookie to this
// host, path / and Secure.
const (
	cookieHTTPS = "__Host-rnw_session"
	cookieHTTP  = "rnw_session"
	csrfHeader  = "X-CSRF-Token"
)

var errCrossOrigin = apierr.New(apierr.KindForbidden, "cross_origin",
	"Запрос с другого сайта отклонён.", "A request from another site was refused.")

// mountRenewal registers the workflow's API. The session cookie names the
// application: there is no application id in the paths, so one person's
// session cannot reach another's application.
func (s *server) mountRenewal(v1 fiber.Router) {
	v1.Post("/renewal", s.sameOrigin, s.renewalStart)
	v1.Post("/resume", s.sameOrigin, s.resume)
	s.mountApproval(v1)

	r := v1.Group("/renewal", s.withSession)
	r.Get("", s.renewalView)
	r.Get("/events", s.events)
	r.Post("/codes", s.csrf, s.codesResend)
	r.Post("/contacts", s.csrf, s.contactsVerify)
	r.Post("/challenge", s.csrf, s.challenge)
	r.Post("/proof", s.csrf, s.proof)
	r.Get("/tariffs", s.tariffs)
	r.Put("/tariff", s.csrf, s.tariffChoose)
	r.Get("/terms", s.terms)
	r.Post("/terms", s.csrf, s.termsAccept)
	r.Post("/personal-data", s.csrf, s.personalData)
	r.Get("/application.pdf", s.applicationPDF)
	r.Post("/application/signature", s.csrf, s.applicationSign)
	r.Post("/cancel", s.csrf, s.cancel)
	r.Post("/release", s.csrf, s.release)
	r.Post("/request", s.csrf, s.request)
	r.Get("/certificate.pem", s.certificatePEM)
	r.Get("/certificate-form.pdf", s.certificateForm)
	r.Post("/acknowledgement", s.csrf, s.acknowledge)
	r.Post("/delivered", s.csrf, s.delivered)
	r.Get("/confirmation/document.txt", s.employeeConfirmation(false))
	r.Get("/confirmation/signature.p7s", s.employeeConfirmation(true))
	s.mountPayments(v1, r)
	if s.Audit != nil {
		s.mountAudit(v1, r)
	}
}

func (s *server) cookieName(c *fiber.Ctx) string {
	if c.Protocol() == "https" {
		return cookieHTTPS
	}
	return cookieHTTP
}

func (s *server) setSession(c *fiber.Ctx, value string) {
	c.Cookie(&fiber.Cookie{
		Name: s.cookieName(c), Value: value, Path: "/",
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https",
		Expires: time.Now().Add(2 * time.Hour),
	})
}

const sessionKey = "renewal_session"

func (s *server) withSession(c *fiber.Ctx) error {
	sess, err := s.Renewal.Session(c.UserContext(), c.Cookies(s.cookieName(c)))
	if err != nil {
		return err
	}
	c.Locals(sessionKey, sess)
	return c.Next()
}

func session(c *fiber.Ctx) *renewal.Session { return c.Locals(sessionKey).(*renewal.Session) }

// csrf: a state-changing request carries the session's token in a header
// (double submit), which another site's page cannot read.
func (s *server) csrf(c *fiber.Ctx) error {
	if err := session(c).CheckCSRF(c.Get(csrfHeader)); err != nil {
		return err
	}
	return c.Next()
}

// sameOrigin refuses a request that a browser says comes from another
// site, where no session (and so no CSRF token) exists yet.
func (s *server) sameOrigin(c *fiber.Ctx) error {
	if o := c.Get(fiber.HeaderOrigin); o != "" && o != c.Protocol()+"://"+c.Hostname() {
		return errCrossOrigin
	}
	return c.Next()
}

func (s *server) renewalStart(c *fiber.Ctx) error {
	var in wire.RenewalStart
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cookie, view, err := s.Renewal.Start(c.UserContext(), in, ClientIP(c))
	if err != nil {
		return err
	}
	s.setSession(c, cookie)
	return c.Status(fiber.StatusCreated).JSON(view)
}

func (s *server) resume(c *fiber.Ctx) error {
	var in wire.Resume
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cookie, view, err := s.Renewal.Resume(c.UserContext(), in.Token)
	if err != nil {
		return err
	}
	s.setSession(c, cookie)
	return c.JSON(view)
}

func (s *server) renewalView(c *fiber.Ctx) error {
	v, err := s.Renewal.View(c.UserContext(), session(c))
	return reply(c, v, err)
}

func (s *server) codesResend(c *fiber.Ctx) error {
	var in wire.CodeResend
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.Renewal.Resend(c.UserContext(), session(c), in.Channel, ClientIP(c)); err != nil {
		return err
	}
	v, err := s.Renewal.View(c.UserContext(), session(c))
	return reply(c, v, err)
}

func (s *server) contactsVerify(c *fiber.Ctx) error {
	var in wire.CodeCheck
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.VerifyContacts(c.UserContext(), session(c), in)
	return reply(c, v, err)
}

func (s *server) challenge(c *fiber.Ctx) error {
	ch, err := s.Renewal.Challenge(c.UserContext(), session(c))
	return reply(c, ch, err)
}

func (s *server) proof(c *fiber.Ctx) error {
	var in wire.Proof
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cookie, v, err := s.Renewal.Prove(c.UserContext(), session(c), in)
	if err != nil {
		return err
	}
	s.setSession(c, cookie)
	return c.JSON(v)
}

func (s *server) tariffs(c *fiber.Ctx) error {
	t, err := s.Renewal.Tariffs(c.UserContext(), session(c))
	return reply(c, wire.TariffList{Tariffs: t}, err)
}

func (s *server) tariffChoose(c *fiber.Ctx) error {
	var in wire.TariffChoice
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.ChooseTariff(c.UserContext(), session(c), in.Tariff)
	return reply(c, v, err)
}

func (s *server) terms(c *fiber.Ctx) error {
	d, err := s.Renewal.Terms(c.UserContext(), session(c))
	return reply(c, wire.TermsList{Documents: d}, err)
}

func (s *server) termsAccept(c *fiber.Ctx) error {
	var in wire.TermsAcceptance
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.AcceptTerms(c.UserContext(), session(c), in, ClientIP(c))
	return reply(c, v, err)
}

func (s *server) personalData(c *fiber.Ctx) error {
	var in wire.PersonalData
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.SubmitPersonalData(c.UserContext(), session(c), in)
	return reply(c, v, err)
}

func (s *server) applicationPDF(c *fiber.Ctx) error {
	pdf, err := s.Renewal.ApplicationDocument(c.UserContext(), session(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="application.pdf"`)
	return c.Send(pdf)
}

func (s *server) applicationSign(c *fiber.Ctx) error {
	var in wire.ApplicationSignature
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.SignApplication(c.UserContext(), session(c), in)
	return reply(c, v, err)
}

func (s *server) cancel(c *fiber.Ctx) error {
	v, err := s.Renewal.Cancel(c.UserContext(), session(c))
	return reply(c, v, err)
}

// release ends this browser's tie to its closed application and clears
// the cookie: the wizard then starts a new application.
func (s *server) release(c *fiber.Ctx) error {
	if err := s.Renewal.Release(c.UserContext(), session(c)); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: s.cookieName(c), Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode, Secure: c.Protocol() == "https",
	})
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *server) request(c *fiber.Ctx) error {
	var in wire.CertificateRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.SubmitRequest(c.UserContext(), session(c), in.CSR, in.Carrier)
	return reply(c, v, err)
}

// certificatePEM sends the new certificate and its issuing CA.
func (s *server) certificatePEM(c *fiber.Ctx) error {
	cert, err := s.Renewal.IssuedCertificate(c.UserContext(), session(c))
	if err != nil {
		return err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if s.Authority != nil {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Authority.Issuer().Raw})...)
	}
	c.Set(fiber.HeaderContentType, "application/x-pem-file")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="certificate.pem"`)
	return c.Send(out)
}

func (s *server) certificateForm(c *fiber.Ctx) error {
	pdf, err := s.Renewal.CertificateForm(c.UserContext(), session(c))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	return c.Send(pdf)
}

func (s *server) acknowledge(c *fiber.Ctx) error {
	var in wire.ApplicationSignature
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := s.Renewal.Acknowledge(c.UserContext(), session(c), in)
	return reply(c, v, err)
}

func (s *server) delivered(c *fiber.Ctx) error {
	v, err := s.Renewal.Delivered(c.UserContext(), session(c))
	return reply(c, v, err)
}

// employeeConfirmation shows the employee the head's signed confirmation.
func (s *server) employeeConfirmation(signature bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		doc, sig, err := s.Renewal.ConfirmationOf(c.UserContext(), session(c))
		return sendConfirmation(c, doc, sig, signature, err)
	}
}

func reply(c *fiber.Ctx, v any, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// OutboxMessage is one message of /dev/api/outbox.
type OutboxMessage struct {
	ID            int64  `json:"id"`
	ApplicationID string `json:"application_id"`
	// ApplicationNumber is the application's readable number.
	ApplicationNumber string     `json:"application_number,omitempty"`
	Channel           string     `json:"channel"`
	To                string     `json:"to"`
	Subject           string     `json:"subject"`
	Body              string     `json:"body"`
	CreatedAt         time.Time  `json:"created_at"`
	SentAt            *time.Time `json:"sent_at,omitempty"`
}

// mountDev registers the development pages: every message the service
// sent, as a page and as JSON (tests read codes and links from it).
func (s *server) mountDev(app *fiber.App) {
	list := func(c *fiber.Ctx) ([]OutboxMessage, error) {
		rows, err := s.Renewal.Outbox(c.UserContext(), 200)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = deref(r.ApplicationID)
		}
		numbers, err := s.Renewal.ApplicationNumbers(c.UserContext(), ids)
		if err != nil {
			return nil, err
		}
		out := make([]OutboxMessage, len(rows))
		for i, r := range rows {
			out[i] = OutboxMessage{ID: r.ID, ApplicationID: ids[i], ApplicationNumber: numbers[ids[i]], Channel: r.Channel, To: r.Recipient,
				Subject: r.Subject, Body: r.Body, CreatedAt: r.CreatedAt, SentAt: r.SentAt}
		}
		return out, nil
	}
	app.Get("/dev/api/outbox", noStore, func(c *fiber.Ctx) error {
		m, err := list(c)
		return reply(c, m, err)
	})
	app.Get("/dev/outbox", noStore, func(c *fiber.Ctx) error {
		m, err := list(c)
		if err != nil {
			return err
		}
		var b strings.Builder
		if err := outboxPage.Execute(&b, m); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.SendString(b.String())
	})
	// A bank statement paying an invoice, as the payer's bank would export
	// it: ?amount= (minor units) and ?payer_inn= make it wrong on purpose.
	app.Get("/dev/statement/:invoice", noStore, func(c *fiber.Ctx) error {
		b, err := s.Renewal.DevStatement(c.UserContext(), c.Params("invoice"), int64(c.QueryInt("amount")), c.Query("payer_inn"))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "text/plain; charset=windows-1251")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="kl_to_1c.txt"`)
		return c.Send(b)
	})
	app.All("/dev/*", func(c *fiber.Ctx) error { return apierr.ErrNotFound })
}

// outboxPage is the dev outbox as a table a person reads: newest first,
// the links in the bodies clickable (codes and resume links are what a
// developer comes here for).
var outboxPage = template.Must(template.New("outbox").Funcs(template.FuncMap{"links": linkify}).Parse(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Исходящие сообщения (разработка)</title>
<link rel="icon" href="/web/icon.svg"><link rel="stylesheet" href="/web/app.css"></head>
<body><main class="outbox"><h1>Исходящие сообщения / Outbox</h1>
<p class="lead">Только в режиме разработки (--dev): всё, что сервис отправил бы по SMS и электронной почте, новые сверху.</p>
{{if .}}<table id="outbox">
<thead><tr><th>Время (UTC)</th><th>Заявление</th><th>Канал</th><th>Кому</th><th>Тема</th><th>Текст</th></tr></thead>
<tbody>{{range .}}<tr id="msg-{{.ID}}">
<td>{{.CreatedAt.UTC.Format "2006-01-02 15:04:05"}}</td><td>{{.ApplicationNumber}}</td><td>{{.Channel}}</td><td>{{.To}}</td><td>{{.Subject}}</td>
<td><pre>{{links .Body}}</pre></td></tr>
{{end}}</tbody></table>
{{else}}<p>Сообщений нет.</p>{{end}}
</main></body></html>`))

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify escapes text and makes each http(s) address in it a link.
func linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range linkPattern.FindAllStringIndex(text, -1) {
		b.WriteString(template.HTMLEscapeString(text[last:m[0]]))
		u := template.HTMLEscapeString(text[m[0]:m[1]])
		b.WriteString(`<a href="` + u + `">` + u + `</a>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
