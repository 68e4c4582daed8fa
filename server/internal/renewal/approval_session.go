package renewal

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"sort"

	"renewal/app/money"
	"renewal/app/wire"
	"renewal/server/internal/apierr"
	"renewal/server/internal/registry"
	"renewal/server/internal/store"
)

// The head's session: opened by the link, proven by his certificate.
// HeadSession is a head's hold on his organisation's requests.
type HeadSession struct {
	Jurisdiction, OrgID string
	Cert                *x509.Certificate // nil until proven
	CSRF                string
	idHash              []byte
}

func (s *Service) newHeadSession(ctx context.Context, tx *store.Tx, jurisdiction, org string, cert *x509.Certificate) (string, *HeadSession, error) {
	value := randomToken()
	hs := &HeadSession{Jurisdiction: jurisdiction, OrgID: org, Cert: cert, CSRF: randomToken(), idHash: s.keyed("head", value)}
	now := s.now()
	p := store.ApprovalSessionInsertParams{IDHash: hs.idHash, Jurisdiction: jurisdiction, OrgID: org, CsrfToken: hs.CSRF,
		CreatedAt: now, ExpiresAt: now.Add(sessionTTL)}
	if cert != nil {
		sum := sha256.Sum256(cert.Raw)
		p.CertDer, p.CertSha256 = cert.Raw, sum[:]
	}
	return value, hs, tx.ApprovalSessionInsert(ctx, p)
}

// HeadSessionOf finds the head's live session a cookie names.
func (s *Service) HeadSessionOf(ctx context.Context, cookie string) (*HeadSession, error) {
	if cookie == "" || len(cookie) > 100 {
		return nil, ErrNoHeadSession
	}
	row, err := s.Store.ApprovalSessionGet(ctx, store.ApprovalSessionGetParams{IDHash: s.keyed("head", cookie), ExpiresAt: s.now()})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoHeadSession
	} else if err != nil {
		return nil, err
	}
	hs := &HeadSession{Jurisdiction: row.Jurisdiction, OrgID: row.OrgID, CSRF: row.CsrfToken, idHash: row.IDHash}
	if row.CertDer != nil {
		if hs.Cert, err = x509.ParseCertificate(row.CertDer); err != nil {
			return nil, err
		}
	}
	return hs, nil
}

// CheckCSRF compares the token of a state-changing request.
func (hs *HeadSession) CheckCSRF(token string) error {
	return (&Session{CSRF: hs.CSRF}).CheckCSRF(token)
}

// HeadChallenge makes a single-use challenge for the head's key.
func (s *Service) HeadChallenge(ctx context.Context, hs *HeadSession) (*wire.Challenge, error) {
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	now := s.now()
	c := &wire.Challenge{ID: randomToken(), Message: ChallengeMessage("head:"+hs.OrgID, nonce), ExpiresAt: now.Add(challengeTTL)}
	return c, s.Store.ApprovalChallengeInsert(ctx, store.ApprovalChallengeInsertParams{
		ID: c.ID, SessionHash: hs.idHash, Nonce: nonce, CreatedAt: now, ExpiresAt: c.ExpiresAt,
	})
}

// HeadProve checks the head's signature and certificate: valid for his
// profile, of this organisation, and of the person the register names as
// its head (his identifiers, not a title). A new session replaces the old.
func (s *Service) HeadProve(ctx context.Context, hs *HeadSession, in wire.Proof) (string, *wire.Approval, error) {
	cert, chain, err := proofCertificates(in)
	if err != nil {
		return "", nil, err
	}
	s.Authority.PrefetchRevocation(ctx, cert, chain) // before the transaction, as in Prove
	var cookie string
	var proven *HeadSession
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		// A refused proof is in the trail of every request waiting for
		// this organisation's head: someone tried to act as its head.
		refuse := func(e error) error {
			var public *apierr.Error
			if !errors.As(e, &public) {
				return e // a failure, not a refusal: roll back
			}
			waiting, err := tx.ApplicationsAwaitingApproval(ctx, store.ApplicationsAwaitingApprovalParams{Jurisdiction: hs.Jurisdiction, OrgID: &hs.OrgID})
			if err != nil {
				return err
			}
			ids := make([]string, 0, len(waiting))
			for _, a := range waiting {
				ids = append(ids, a.ID)
			}
			sort.Strings(ids) // one lock order
			data := map[string]string{"certificate_serial": cert.SerialNumber.Text(16),
				"certificate_sha256": fmt.Sprintf("%x", sha256.Sum256(cert.Raw)), "challenge": in.ChallengeID}
			for _, id := range ids {
				app, err := lock(ctx, tx, id)
				if err != nil {
					return err
				}
				if err := s.auditRefusal(ctx, tx, app, "head", e, data); err != nil {
					return err
				}
			}
			return &store.Keep{Err: e}
		}
		ch, err := tx.ApprovalChallengeTake(ctx, store.ApprovalChallengeTakeParams{ID: in.ChallengeID, SessionHash: hs.idHash, At: ptr(s.now())})
		if errors.Is(err, store.ErrNotFound) {
			return refuse(ErrChallenge)
		} else if err != nil {
			return err
		}
		if s.now().After(ch.ExpiresAt) {
			return refuse(ErrChallenge)
		}
		if err := checkSignature(cert, ChallengeMessage("head:"+hs.OrgID, ch.Nonce), in.Signature); err != nil {
			return refuse(err)
		}
		if err := s.checkHead(ctx, tx, hs, cert, chain); err != nil {
			return refuse(err)
		}
		if err := tx.ApprovalSessionRevoke(ctx, store.ApprovalSessionRevokeParams{IDHash: hs.idHash, RevokedAt: ptr(s.now())}); err != nil {
			return err
		}
		cookie, proven, err = s.newHeadSession(ctx, tx, hs.Jurisdiction, hs.OrgID, cert)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	v, err := s.ApprovalView(ctx, proven)
	return cookie, v, err
}

// checkHead: the certificate is current, of this organisation, and its
// holder is the head the register names.
func (s *Service) checkHead(ctx context.Context, tx *store.Tx, hs *HeadSession, cert *x509.Certificate, chain []*x509.Certificate) error {
	if country(cert) != hs.Jurisdiction || orgOf(hs.Jurisdiction, cert) != hs.OrgID {
		return ErrOtherOrganisation
	}
	if err := s.sameOGRN(ctx, hs, cert); err != nil {
		return err
	}
	if err := s.authorityIn(tx).CheckSigner(ctx, cert, chain); err != nil {
		return authorityError(err)
	}
	return s.headInRegister(ctx, hs.Jurisdiction, hs.OrgID, cert)
}

// sameOGRN: in Russia the head's certificate names the organisation by
// ИННЮЛ and ОГРН; both must be the registered organisation's, so a
// certificate whose ОГРН is another entity's does not speak for this one.
func (s *Service) sameOGRN(ctx context.Context, hs *HeadSession, cert *x509.Certificate) error {
	if hs.Jurisdiction != "RU" {
		return nil
	}
	org, err := s.Registry.Organisation(ctx, hs.Jurisdiction, hs.OrgID)
	if errors.Is(err, registry.ErrNoOrganisation) {
		return ErrNotHead
	} else if err != nil {
		return err
	}
	if org.OGRN != "" && attribute(cert, oidOGRN) != org.OGRN {
		return ErrOtherOrganisation
	}
	return nil
}

// headInRegister: the register names the holder of cert as the head of
// the organisation now, compared by his identifiers.
func (s *Service) headInRegister(ctx context.Context, jurisdiction, orgID string, cert *x509.Certificate) error {
	head, err := s.Registry.Head(ctx, jurisdiction, orgID)
	if errors.Is(err, registry.ErrNoHead) {
		return ErrNotHead
	} else if err != nil {
		return err
	}
	same := head.PersonalNumber != "" && head.PersonalNumber == attribute(cert, oidPersonalNumber)
	if jurisdiction == "RU" {
		same = head.SNILS != "" && head.SNILS == attribute(cert, oidSNILS) && head.INN == attribute(cert, oidINN)
	}
	if !same {
		return ErrNotHead
	}
	return nil
}

func (hs *HeadSession) requireProven() error {
	if hs.Cert == nil {
		return ErrNotProven
	}
	return nil
}

// ApprovalView lists the organisation's requests for the head.
func (s *Service) ApprovalView(ctx context.Context, hs *HeadSession) (*wire.Approval, error) {
	v := &wire.Approval{Jurisdiction: hs.Jurisdiction, OrgID: hs.OrgID, Proven: hs.Cert != nil, CSRFToken: hs.CSRF}
	if hs.Cert == nil {
		return v, nil // nothing of the organisation before the proof
	}
	v.Head = hs.Cert.Subject.CommonName
	q := s.Store.Queries
	waiting, err := q.ApplicationsAwaitingApproval(ctx, store.ApplicationsAwaitingApprovalParams{Jurisdiction: hs.Jurisdiction, OrgID: &hs.OrgID})
	if err != nil {
		return nil, err
	}
	apps := waiting
	if hs.Jurisdiction == "BY" { // in Belarus the head pays for what he confirmed
		approved, err := q.ApplicationsApprovedUnpaid(ctx, store.ApplicationsApprovedUnpaidParams{Jurisdiction: hs.Jurisdiction, OrgID: &hs.OrgID})
		if err != nil {
			return nil, err
		}
		apps = append(apps, approved...)
		var total int64
		var cur string
		for _, a := range approved {
			total += deref64(a.AmountMinor)
			cur = deref(a.Currency)
		}
		if total > 0 {
			v.Total = &wire.Money{Minor: total, Currency: cur, Text: money.Format(total, cur)}
		}
	}
	for _, a := range apps {
		r, err := s.approvalRequest(ctx, q, &a, hs.Cert)
		if err != nil {
			return nil, err
		}
		v.Requests = append(v.Requests, r)
	}
	paid, err := s.lastPaid(ctx, q, hs)
	if err != nil {
		return nil, err
	}
	v.Paid = paid
	return v, nil
}

// lastPaid is the organisation's last paid payment with the requests it
// paid for: what the head's page confirms after payment.
func (s *Service) lastPaid(ctx context.Context, q store.Queries, hs *HeadSession) (*wire.ApprovalPaid, error) {
	p, err := q.PaymentLatestPaidForOrg(ctx, hs.Jurisdiction, hs.OrgID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	ids, err := q.PaymentItemsPaid(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	out := &wire.ApprovalPaid{Payment: *paymentView(p)}
	for _, id := range ids {
		a, err := q.ApplicationGet(ctx, id)
		if err != nil {
			return nil, err
		}
		r, err := s.approvalRequest(ctx, q, &a, hs.Cert)
		if err != nil {
			return nil, err
		}
		out.Requests = append(out.Requests, r)
	}
	return out, nil
}

func (s *Service) approvalRequest(ctx context.Context, q store.Queries, a *store.Application, head *x509.Certificate) (wire.ApprovalRequest, error) {
	cert, err := x509.ParseCertificate(a.CertDer)
	if err != nil {
		return wire.ApprovalRequest{}, err
	}
	doc, err := q.SignedDocumentGet(ctx, store.SignedDocumentGetParams{ApplicationID: a.ID, Kind: "application"})
	if err != nil {
		return wire.ApprovalRequest{}, err
	}
	tariff := deref(a.Tariff)
	return wire.ApprovalRequest{
		ID: a.ID, Number: a.Number, Employee: cert.Subject.CommonName, Title: attribute(cert, oidTitle),
		Organisation: firstOf(cert.Subject.Organization), NotAfter: cert.NotAfter, Service: a.Service,
		ServiceName: wire.Names{RU: s.Catalog.ServiceName(a.Service, "ru"), EN: s.Catalog.ServiceName(a.Service, "en")},
		Tariff:      tariff, TariffName: wire.Names{RU: s.Catalog.TariffName(a.Service, tariff, "ru"), EN: s.Catalog.TariffName(a.Service, tariff, "en")},
		Amount: wire.Money{Minor: deref64(a.AmountMinor), Currency: deref(a.Currency),
			Text: money.Format(deref64(a.AmountMinor), deref(a.Currency))},
		ApplicationSHA256: fmt.Sprintf("%x", doc.Sha256), State: string(a.State), Own: ownRequest(a.Jurisdiction, head, cert),
	}, nil
}

// ownRequest: the head and the employee are one person, whichever of his
// certificates each was made with. Decided by the person's identifiers
// (СНИЛС in Russia, the personal number in Belarus), not by the
// certificate: a head with a second certificate is still himself.
func ownRequest(jurisdiction string, head, employee *x509.Certificate) bool {
	if bytes.Equal(head.Raw, employee.Raw) {
		return true
	}
	id := oidPersonalNumber
	if jurisdiction == "RU" {
		id = oidSNILS
	}
	h := attribute(head, id)
	return h != "" && h == attribute(employee, id)
}
