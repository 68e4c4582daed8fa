package api

import (
	"github.com/gofiber/fiber/v2"
)

// keyHeader carries the checkpoint's verifier key beside the note.
const keyHeader = "X-Audit-Verifier-Key"

// mountAudit registers the audit log's public checkpoint, the holder's
// trail (r: the session's routes) and the operator's.
func (s *server) mountAudit(v1, r fiber.Router) {
	v1.Get("/audit/checkpoint", s.auditCheckpoint)
	v1.Get("/audit/key", s.auditKey)
	r.Get("/audit", s.auditTrail)
	v1.Get("/operator/applications/:id/audit", s.operator, s.operatorAuditTrail)
}

func (s *server) auditCheckpoint(c *fiber.Ctx) error {
	msg, err := s.Audit.Checkpoint(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(keyHeader, s.Audit.VerifierKey())
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.Send(msg)
}

func (s *server) auditKey(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(s.Audit.VerifierKey() + "\n")
}

func (s *server) auditTrail(c *fiber.Ctx) error {
	v, err := s.Audit.Trail(c.UserContext(), session(c).ApplicationID)
	return reply(c, v, err)
}

func (s *server) operatorAuditTrail(c *fiber.Ctx) error {
	v, err := s.Audit.Trail(c.UserContext(), c.Params("id"))
	return reply(c, v, err)
}
