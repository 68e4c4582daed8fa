package renewal

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"time"

	"renewal/app/wire"
	"renewal/server/internal/notify"
	"renewal/server/internal/store"
)

// The head's link: asked for by an employee, opened once by the head.

// PathApprove is the head's page a link opens.
const PathApprove = "/approve/"

// approvalTTL is how long a head's link stays valid (72 hours by default).
func (s *Service) approvalTTL() time.Duration {
	if s.ApprovalTTL > 0 {
		return s.ApprovalTTL
	}
	return 72 * time.Hour
}

// orgOf is the legal entity a certificate names, "" for none: its ИНН ЮЛ
// in Russia (an ИП's certificate carries ОГРНИП and a personal ИНН
// instead); in Belarus its УНП when the subject names an organisation (an
// ИП's certificate carries his own УНП and no organisation).
func orgOf(jurisdiction string, cert *x509.Certificate) string {
	if jurisdiction == "RU" {
		return attribute(cert, oidINNLE)
	}
	if len(cert.Subject.Organization) == 0 {
		return ""
	}
	return attribute(cert, oidUNP)
}

// requestApproval sends the head a single-use link for the application
// (e-mail and SMS, to the contacts the register gives) and returns it, so
// a Russian employee can also send it himself.
func (s *Service) requestApproval(ctx context.Context, tx *store.Tx, app *store.Application, employee string) (string, error) {
	org := deref(app.OrgID)
	token := randomToken()
	now := s.now()
	if err := tx.ApprovalLinkInsert(ctx, store.ApprovalLinkInsertParams{
		TokenHash: s.keyed("approve", token), ApplicationID: app.ID, Jurisdiction: app.Jurisdiction, OrgID: org,
		CreatedAt: now, ExpiresAt: now.Add(s.approvalTTL()),
	}); err != nil {
		return "", err
	}
	link := strings.TrimSuffix(s.PublicURL, "/") + PathApprove + token
	head, err := s.Registry.Head(ctx, app.Jurisdiction, org)
	if err != nil {
		s.Log.WarnContext(ctx, "approval: no head to notify; the employee must send the link", "application", app.ID, "org", org, "err", err)
		return link, nil
	}
	hours := int(s.approvalTTL().Hours())
	if head.Email != "" {
		if err := s.queue(ctx, tx, app.ID, notify.ApprovalRequest(lang(app), head.Email, employee, link, hours), true); err != nil {
			return "", err
		}
	}
	if head.Phone != "" {
		if err := s.queue(ctx, tx, app.ID, notify.ApprovalRequestSMS(lang(app), head.Phone, employee, link), true); err != nil {
			return "", err
		}
	}
	return link, nil
}

// OpenApproval takes a head's link (once) and opens an anonymous session
// on the organisation: the head proves his certificate next.
func (s *Service) OpenApproval(ctx context.Context, token string) (string, *wire.Approval, error) {
	if token == "" || len(token) > 100 {
		return "", nil, ErrApprovalLink
	}
	var cookie string
	var hs *HeadSession
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		link, err := tx.ApprovalLinkTake(ctx, store.ApprovalLinkTakeParams{TokenHash: s.keyed("approve", token), At: ptr(s.now())})
		if errors.Is(err, store.ErrNotFound) {
			return ErrApprovalLink
		} else if err != nil {
			return err
		}
		cookie, hs, err = s.newHeadSession(ctx, tx, link.Jurisdiction, link.OrgID, nil)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	v, err := s.ApprovalView(ctx, hs)
	return cookie, v, err
}
