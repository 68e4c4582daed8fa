package renewal

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"renewal/app/wire"
	"renewal/server/internal/apierr"
	"renewal/server/internal/docs"
	"renewal/server/internal/notify"
	"renewal/server/internal/registry"
	"renewal/server/internal/store"
)

// PathApprove is the head's page a link opens.
const PathApprove = "/approve/"

// The head's refusals: each says why and changes nothing.
var (
	ErrApprovalLink = apierr.New(apierr.KindNotFound, "approval_link",
		"Ссылка для подтверждения недействительна: она уже использована или срок её действия истёк. Попросите сотрудника отправить новую.",
		"The confirmation link is not valid: it was already used or it expired. Ask the employee to send a new one.")
	ErrNoHeadSession = apierr.New(apierr.KindUnauthorized, "no_head_session",
		"Сеанс руководителя не найден или истёк. Откройте ссылку из уведомления ещё раз.",
		"No head's session, or it expired. Open the link from the notification again.")
	ErrOtherOrganisation = apierr.New(apierr.KindForbidden, "other_organisation",
		"Ваш сертификат выдан для другой организации: подтвердить запросы этой организации может только её руководитель.",
		"Your certificate belongs to another organisation: only this organisation's head may confirm its requests.")
	ErrNotHead = apierr.New(apierr.KindForbidden, "not_head",
		"По данным реестра юридических лиц вы не являетесь руководителем этой организации.",
		"According to the register of legal entities you are not the head of this organisation.")
	ErrOwnRequest = apierr.New(apierr.KindForbidden, "own_request",
		"Свой собственный запрос подтверждать нельзя.", "You may not confirm your own request.")
	ErrNothingToConfirm = apierr.New(apierr.KindBadRequest, "nothing_to_confirm",
		"Выберите хотя бы один запрос, ожидающий подтверждения.", "Choose at least one request waiting for confirmation.")
	ErrConfirmationSignature = apierr.New(apierr.KindBadRequest, "confirmation_signature",
		"Подпись подтверждения не прошла проверку: подпишите именно показанный документ ключом своего сертификата.",
		"The confirmation's signature failed verification: sign exactly the document shown, with your certificate's key.")
	ErrNoReason = apierr.New(apierr.KindBadRequest, "no_reason",
		"Укажите причину отказа: сотрудник её увидит.", "Give the reason for declining: the employee will see it.")
)

// approvalTTL is how long a head's link stays valid (72 hours by default).
func (s *Service) approvalTTL() time.Duration {
	if s.ApprovalTTL > 0 {
		return s.ApprovalTTL
	}
	return 72 * time.Hour
}

// orgOf is the organisation an employee's or head's certificate names:
// ИНН ЮЛ in Russia, УНП in Belarus.
func orgOf(jurisdiction string, cert *x509.Certificate) string {
	if jurisdiction == "RU" {
		return attribute(cert, oidINNLE)
	}
	return attribute(cert, oidUNP)
}

// headProfile is the profile a head's certificate is checked against.
func headProfile(jurisdiction string) string {
	if jurisdiction == "RU" {
		return "ru-employee"
	}
	return "by-employee"
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
		return "", store.MapErr(err)
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
		sms := notify.ApprovalRequest(lang(app), head.Phone, employee, link, hours)
		sms.Channel, sms.Subject = notify.SMS, ""
		sms.Text = fmt.Sprintf("%s: %s", map[bool]string{true: "Confirm the request of " + employee, false: "Подтвердите запрос: " + employee}[app.Lang == "en"], link)
		if err := s.queue(ctx, tx, app.ID, sms, true); err != nil {
			return "", err
		}
	}
	return link, nil
}

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
	return value, hs, store.MapErr(tx.ApprovalSessionInsert(ctx, p))
}

// HeadSessionOf finds the head's live session a cookie names.
func (s *Service) HeadSessionOf(ctx context.Context, cookie string) (*HeadSession, error) {
	if cookie == "" || len(cookie) > 100 {
		return nil, ErrNoHeadSession
	}
	row, err := s.Store.ApprovalSessionGet(ctx, store.ApprovalSessionGetParams{IDHash: s.keyed("head", cookie), ExpiresAt: s.now()})
	if err = store.MapErr(err); errors.Is(err, store.ErrNotFound) {
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
		if err = store.MapErr(err); errors.Is(err, store.ErrNotFound) {
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

// HeadChallenge makes a single-use challenge for the head's key.
func (s *Service) HeadChallenge(ctx context.Context, hs *HeadSession) (*wire.Challenge, error) {
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	now := s.now()
	c := &wire.Challenge{ID: randomToken(), Message: ChallengeMessage("head:"+hs.OrgID, nonce), ExpiresAt: now.Add(challengeTTL)}
	return c, store.MapErr(s.Store.ApprovalChallengeInsert(ctx, store.ApprovalChallengeInsertParams{
		ID: c.ID, SessionHash: hs.idHash, Nonce: nonce, CreatedAt: now, ExpiresAt: c.ExpiresAt,
	}))
}

// HeadProve checks the head's signature and certificate: valid for his
// profile, of this organisation, and of the person the register names as
// its head (his identifiers, not a title). A new session replaces the old.
func (s *Service) HeadProve(ctx context.Context, hs *HeadSession, in wire.Proof) (string, *wire.Approval, error) {
	cert, chain, err := proofCertificates(in)
	if err != nil {
		return "", nil, err
	}
	var cookie string
	var proven *HeadSession
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		ch, err := tx.ApprovalChallengeTake(ctx, store.ApprovalChallengeTakeParams{ID: in.ChallengeID, SessionHash: hs.idHash, At: ptr(s.now())})
		if err = store.MapErr(err); errors.Is(err, store.ErrNotFound) {
			return ErrChallenge
		} else if err != nil {
			return err
		}
		refuse := func(e error) error { return &store.Keep{Err: e} }
		if s.now().After(ch.ExpiresAt) {
			return refuse(ErrChallenge)
		}
		if err := checkSignature(cert, ChallengeMessage("head:"+hs.OrgID, ch.Nonce), in.Signature); err != nil {
			return refuse(ErrProofSignature.With(err))
		}
		if err := s.checkHead(ctx, tx, hs, cert, chain); err != nil {
			return refuse(err)
		}
		if err := tx.ApprovalSessionRevoke(ctx, store.ApprovalSessionRevokeParams{IDHash: hs.idHash, RevokedAt: ptr(s.now())}); err != nil {
			return store.MapErr(err)
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
	if err := s.authorityIn(tx).CheckCurrent(ctx, headProfile(hs.Jurisdiction), cert, chain); err != nil {
		return authorityError(err)
	}
	head, err := s.Registry.Head(ctx, hs.Jurisdiction, hs.OrgID)
	if errors.Is(err, registry.ErrNoHead) {
		return ErrNotHead
	} else if err != nil {
		return err
	}
	same := head.PersonalNumber != "" && head.PersonalNumber == attribute(cert, oidPersonalNumber)
	if hs.Jurisdiction == "RU" {
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
	headSum := sha256.Sum256(hs.Cert.Raw)
	q := s.Store.Queries
	waiting, err := q.ApplicationsAwaitingApproval(ctx, store.ApplicationsAwaitingApprovalParams{Jurisdiction: hs.Jurisdiction, OrgID: &hs.OrgID})
	if err != nil {
		return nil, store.MapErr(err)
	}
	apps := waiting
	if hs.Jurisdiction == "BY" { // in Belarus the head pays for what he confirmed
		approved, err := q.ApplicationsApprovedUnpaid(ctx, store.ApplicationsApprovedUnpaidParams{Jurisdiction: hs.Jurisdiction, OrgID: &hs.OrgID})
		if err != nil {
			return nil, store.MapErr(err)
		}
		apps = append(apps, approved...)
		var total int64
		var cur string
		for _, a := range approved {
			total += deref64(a.AmountMinor)
			cur = deref(a.Currency)
		}
		if total > 0 {
			v.Total = &wire.Money{Minor: total, Currency: cur, Text: FormatMoney(total, cur)}
		}
	}
	for _, a := range apps {
		r, err := s.approvalRequest(ctx, q, &a, headSum[:])
		if err != nil {
			return nil, err
		}
		v.Requests = append(v.Requests, r)
	}
	return v, nil
}

func (s *Service) approvalRequest(ctx context.Context, q store.Queries, a *store.Application, headSum []byte) (wire.ApprovalRequest, error) {
	cert, err := x509.ParseCertificate(a.CertDer)
	if err != nil {
		return wire.ApprovalRequest{}, err
	}
	doc, err := q.SignedDocumentGet(ctx, store.SignedDocumentGetParams{ApplicationID: a.ID, Kind: "application"})
	if err != nil {
		return wire.ApprovalRequest{}, store.MapErr(err)
	}
	return wire.ApprovalRequest{
		ID: a.ID, Employee: cert.Subject.CommonName, Title: attribute(cert, oidTitle), Service: a.Service,
		Tariff: deref(a.Tariff), Amount: wire.Money{Minor: deref64(a.AmountMinor), Currency: deref(a.Currency),
			Text: FormatMoney(deref64(a.AmountMinor), deref(a.Currency))},
		ApplicationSHA256: fmt.Sprintf("%x", doc.Sha256), State: string(a.State), Own: bytes.Equal(a.CertSha256, headSum),
	}, nil
}

// PrepareConfirmation draws up the document the head signs once for the
// chosen requests: for each, the hash of its signed application, the
// tariff and the amount. It is kept, so the bytes signed are those shown.
func (s *Service) PrepareConfirmation(ctx context.Context, hs *HeadSession, ids []string) (*wire.Confirmation, error) {
	if err := hs.requireProven(); err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > 100 {
		return nil, ErrNothingToConfirm
	}
	headSum := sha256.Sum256(hs.Cert.Raw)
	out := &wire.Confirmation{ID: "conf-" + newApplicationID()}
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		var b strings.Builder
		now := s.now()
		fmt.Fprintf(&b, "ПОДТВЕРЖДЕНИЕ ПОЛНОМОЧИЙ СОТРУДНИКОВ / CONFIRMATION OF EMPLOYEES' AUTHORITY\n")
		fmt.Fprintf(&b, "Документ / Document: %s\nДата / Date: %s\nОрганизация / Organisation: %s %s\nРуководитель / Head: %s (сертификат %s)\n\n",
			out.ID, now.Format(time.RFC3339), hs.Jurisdiction, hs.OrgID, hs.Cert.Subject.CommonName, hs.Cert.SerialNumber.Text(16))
		fmt.Fprintf(&b, "Подтверждаю полномочия сотрудников на продление сертификатов по заявлениям, перечисленным ниже.\n")
		fmt.Fprintf(&b, "I confirm the authority of the employees to renew their certificates under the applications listed below.\n\n")
		type item struct {
			app *store.Application
			sum []byte
		}
		var items []item
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			app, err := lock(ctx, tx, id)
			if err != nil {
				return err
			}
			if State(app.State) != StateAwaitingApproval || app.Jurisdiction != hs.Jurisdiction || deref(app.OrgID) != hs.OrgID {
				return ErrNothingToConfirm.With(fmt.Errorf("application %s is %s of %s", id, app.State, deref(app.OrgID)))
			}
			if bytes.Equal(app.CertSha256, headSum[:]) {
				return ErrOwnRequest
			}
			doc, err := tx.SignedDocumentGet(ctx, store.SignedDocumentGetParams{ApplicationID: id, Kind: "application"})
			if err != nil {
				return store.MapErr(err)
			}
			cert, _ := x509.ParseCertificate(app.CertDer)
			fmt.Fprintf(&b, "%d. Заявление / Application %s\n   Сотрудник / Employee: %s\n   SHA-256 подписанного заявления / of the signed application: %x\n   Тариф / Tariff: %s\n   Сумма / Amount: %s\n",
				len(items)+1, app.ID, cert.Subject.CommonName, doc.Sha256, deref(app.Tariff), FormatMoney(deref64(app.AmountMinor), deref(app.Currency)))
			items = append(items, item{app, doc.Sha256})
		}
		content := []byte(b.String())
		sum := sha256.Sum256(content)
		if err := tx.ConfirmationInsert(ctx, store.ConfirmationInsertParams{ID: out.ID, Jurisdiction: hs.Jurisdiction, OrgID: hs.OrgID,
			HeadCertSha256: headSum[:], Content: content, Sha256: sum[:], CreatedAt: now}); err != nil {
			return store.MapErr(err)
		}
		for _, it := range items {
			if err := tx.ConfirmationItemInsert(ctx, store.ConfirmationItemInsertParams{ConfirmationID: out.ID, ApplicationID: it.app.ID,
				ApplicationSha256: it.sum, Tariff: deref(it.app.Tariff), AmountMinor: deref64(it.app.AmountMinor), Currency: deref(it.app.Currency)}); err != nil {
				return store.MapErr(err)
			}
		}
		out.Document = content
		return nil
	})
	return out, err
}

// Confirm verifies the head's one signature over the confirmation and
// moves every request it lists: in Russia on to the employee's payment,
// in Belarus to the head's payment.
func (s *Service) Confirm(ctx context.Context, hs *HeadSession, id string, sig []byte) (*wire.Approval, error) {
	if err := hs.requireProven(); err != nil {
		return nil, err
	}
	headSum := sha256.Sum256(hs.Cert.Raw)
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		c, err := tx.ConfirmationGetForUpdate(ctx, id)
		if err = store.MapErr(err); errors.Is(err, store.ErrNotFound) {
			return ErrNothingToConfirm
		} else if err != nil {
			return err
		}
		if c.Signature != nil || !bytes.Equal(c.HeadCertSha256, headSum[:]) || c.OrgID != hs.OrgID {
			return ErrWrongState
		}
		if _, err := docs.VerifyDetached(sig, c.Content, hs.Cert); err != nil {
			return ErrConfirmationSignature.With(err)
		}
		// Revoked or expired since the proof: checked again now.
		if err := s.authorityIn(tx).CheckCurrent(ctx, headProfile(hs.Jurisdiction), hs.Cert, nil); err != nil {
			return authorityError(err)
		}
		now := s.now()
		if err := tx.ConfirmationSign(ctx, store.ConfirmationSignParams{ID: id, Signature: sig, SignedAt: &now}); err != nil {
			return store.MapErr(err)
		}
		items, err := tx.ConfirmationItems(ctx, id)
		if err != nil {
			return store.MapErr(err)
		}
		for _, it := range items {
			app, err := lock(ctx, tx, it.ApplicationID)
			if err != nil {
				return err
			}
			data := map[string]string{"confirmation": id, "confirmation_sha256": fmt.Sprintf("%x", c.Sha256),
				"signature_sha256": fmt.Sprintf("%x", sha256.Sum256(sig)), "head_certificate": hs.Cert.SerialNumber.Text(16)}
			if err := appendAudit(ctx, tx, app.ID, now, "signature:confirmation", State(app.State), State(app.State), "head", data); err != nil {
				return err
			}
			if err := s.move(ctx, tx, app, EventApproved, "head", map[string]string{"confirmation": id}); err != nil {
				return err
			}
			if hs.Jurisdiction == "RU" {
				if err := s.move(ctx, tx, app, EventPaymentRequested, "system", nil); err != nil {
					return err
				}
				if err := s.sendResumeLink(ctx, tx, app, "оплата", "payment"); err != nil {
					return err
				}
			} else if err := s.sendResumeLink(ctx, tx, app, "подтверждено руководителем; ожидается оплата", "confirmed by the head; payment pending"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	v, err := s.ApprovalView(ctx, hs)
	if v != nil {
		v.Confirmed = id
	}
	return v, err
}

// Decline refuses one request with a reason the employee is told.
func (s *Service) Decline(ctx context.Context, hs *HeadSession, appID, reason string) (*wire.Approval, error) {
	if err := hs.requireProven(); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 {
		return nil, ErrNoReason
	}
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, appID)
		if err != nil {
			return err
		}
		if State(app.State) != StateAwaitingApproval || deref(app.OrgID) != hs.OrgID || app.Jurisdiction != hs.Jurisdiction {
			return ErrWrongState
		}
		code, ru, en := "declined_by_head", "Руководитель отклонил запрос: "+reason, "The head declined the request: "+reason
		if err := tx.ApplicationSetRejection(ctx, store.ApplicationSetRejectionParams{ID: app.ID, RejectCode: &code, RejectRu: &ru, RejectEn: &en, UpdatedAt: s.now()}); err != nil {
			return store.MapErr(err)
		}
		if err := s.move(ctx, tx, app, EventDeclined, "head", map[string]string{"reason": reason, "head_certificate": hs.Cert.SerialNumber.Text(16)}); err != nil {
			return err
		}
		return s.queue(ctx, tx, app.ID, notify.RegistryRejected(lang(app), app.Email, ru, en), false)
	})
	if err != nil {
		return nil, err
	}
	return s.ApprovalView(ctx, hs)
}

// ConfirmationOf returns the head's signed confirmation of the session's
// application: the exact document and the detached signature, as they
// were signed.
func (s *Service) ConfirmationOf(ctx context.Context, sess *Session) (content, signature []byte, err error) {
	if err := sess.requireProven(); err != nil {
		return nil, nil, err
	}
	c, err := s.Store.ConfirmationForApplication(ctx, sess.ApplicationID)
	if err = store.MapErr(err); errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrNoConfirmation
	} else if err != nil {
		return nil, nil, err
	}
	return c.Content, c.Signature, nil
}

// HeadConfirmation returns one of the head's signed confirmations, for
// his organisation only.
func (s *Service) HeadConfirmation(ctx context.Context, hs *HeadSession, id string) (content, signature []byte, err error) {
	if err := hs.requireProven(); err != nil {
		return nil, nil, err
	}
	c, err := s.Store.ConfirmationGet(ctx, id)
	if err = store.MapErr(err); errors.Is(err, store.ErrNotFound) || (err == nil && (c.OrgID != hs.OrgID || c.Jurisdiction != hs.Jurisdiction || c.Signature == nil)) {
		return nil, nil, ErrNoConfirmation
	} else if err != nil {
		return nil, nil, err
	}
	return c.Content, c.Signature, nil
}

// ErrNoConfirmation: no signed confirmation to show.
var ErrNoConfirmation = apierr.New(apierr.KindNotFound, "no_confirmation",
	"Подтверждения руководителя нет.", "There is no confirmation by the head.")

// OperatorConfirmation returns any signed confirmation, for the
// centre's operator.
func (s *Service) OperatorConfirmation(ctx context.Context, id string) (content, signature []byte, err error) {
	c, err := s.Store.ConfirmationGet(ctx, id)
	if err = store.MapErr(err); errors.Is(err, store.ErrNotFound) || (err == nil && c.Signature == nil) {
		return nil, nil, ErrNoConfirmation
	} else if err != nil {
		return nil, nil, err
	}
	return c.Content, c.Signature, nil
}
