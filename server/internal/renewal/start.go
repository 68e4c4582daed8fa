package renewal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"renewal/app/wire"
	"renewal/server/internal/apierr"
	"renewal/server/internal/notify"
	"renewal/server/internal/store"
)

// Start opens an application: the contacts are checked, the application
// and an anonymous session are created, and a code is sent to the phone
// and another to the e-mail, all in one transaction.
func (s *Service) Start(ctx context.Context, in wire.RenewalStart, clientIP string) (string, *wire.Renewal, error) {
	terms, prof, ok := s.Catalog.service(in.Service)
	if !ok {
		return "", nil, apierr.ErrServiceNotFound
	}
	if terms.Head {
		return "", nil, ErrHeadService
	}
	phone, err := notify.NormalizePhone(in.Phone)
	if err != nil {
		return "", nil, ErrBadPhone.With(err)
	}
	email, err := notify.NormalizeEmail(in.Email)
	if err != nil {
		return "", nil, ErrBadEmail.With(err)
	}
	lng := "ru"
	if in.Lang == "en" {
		lng = "en"
	}
	id := newApplicationID()
	var cookie string
	var view *wire.Renewal
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		now := s.now()
		// The readable number comes last (below): its counter's row is
		// locked from the take to the commit, and every start of the year
		// waits on it, holding a pooled connection. Until then the row
		// carries its id, unique and of another form than any number.
		err = tx.ApplicationInsert(ctx, store.ApplicationInsertParams{
			ID: id, Service: in.Service, Jurisdiction: string(prof.Jurisdiction()), Profile: prof.Name(),
			Lang: lng, Phone: phone, Email: email, ClientIp: clientIP, CreatedAt: now, Number: id,
		})
		if err != nil {
			return err
		}
		app, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, id, now, "created", "", StateStarted, "applicant",
			map[string]string{"service": in.Service, "profile": prof.Name(), "client_ip": clientIP}); err != nil {
			return err
		}
		for _, ch := range []string{"sms", "email"} {
			if err := s.issueCode(ctx, tx, app, ch, clientIP); err != nil {
				return err
			}
		}
		var sess *Session
		if cookie, sess, err = s.newSession(ctx, tx, id, nil); err != nil {
			return err
		}
		number, err := nextNumber(ctx, tx, store.NumberApplication, now, string(prof.Jurisdiction()))
		if err != nil {
			return err
		}
		if err := tx.ApplicationSetNumber(ctx, id, number); err != nil {
			return err
		}
		app.Number = number
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return cookie, view, nil
}

// newApplicationID is 16 random letters and digits, easy to read aloud.
func newApplicationID() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

// issueCode sends a fresh code on a channel, within the limits: one a
// minute per application, five an hour per destination, and five an hour
// of this channel per client address.
func (s *Service) issueCode(ctx context.Context, tx *store.Tx, app *store.Application, channel, clientIP string) error {
	now := s.now()
	dest := app.Phone
	if channel == "email" {
		dest = app.Email
	}
	if last, err := tx.OTPLatest(ctx, store.OTPLatestParams{ApplicationID: app.ID, Channel: channel}); err == nil {
		// A code voided by wrong tries locks the channel of this
		// application for codeCooldown from the voiding, however long the
		// code had lived: guesses cost time, not only codes.
		if last.VoidedAt != nil && int(last.Attempts) >= codeAttempts && now.Sub(*last.VoidedAt) < codeCooldown {
			return ErrCodeCooldown
		}
		if now.Sub(last.CreatedAt) < codeResendWait {
			return ErrResendTooSoon
		}
	} else if err != store.ErrNotFound {
		return err
	}
	counts, err := tx.OTPCountSince(ctx, store.OTPCountSinceParams{Destination: dest, ClientIp: clientIP, Channel: channel, Since: now.Add(-time.Hour)})
	if err != nil {
		return err
	}
	if counts.ByDestination >= codesPerHour || counts.ByClient >= codesPerHour {
		return ErrTooManyCodes
	}
	if err := tx.OTPVoidOpen(ctx, store.OTPVoidOpenParams{ApplicationID: app.ID, Channel: channel, VoidedAt: &now}); err != nil {
		return err
	}
	code := newCode()
	if _, err := tx.OTPInsert(ctx, store.OTPInsertParams{
		ApplicationID: app.ID, Channel: channel, Destination: dest, CodeHash: s.codeHash(app.ID, channel, dest, code),
		CreatedAt: now, ExpiresAt: now.Add(codeTTL), ClientIp: clientIP,
	}); err != nil {
		return err
	}
	msg := notify.SMSCode(lang(app), dest, code, int(codeTTL.Minutes()))
	if channel == "email" {
		msg = notify.EmailCode(lang(app), dest, code, int(codeTTL.Minutes()))
	}
	return s.queue(ctx, tx, app.ID, msg, true)
}

// newCode is 6 decimal digits from the system's CSPRNG, uniform.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// codeHash binds a code to its application, channel and destination: a
// code sent for another application or phone never matches.
func (s *Service) codeHash(appID, channel, dest, code string) []byte {
	return s.keyed("otp", appID, channel, dest, code)
}

// checkCode verifies a code on a channel. A wrong code counts an attempt
// that is committed even though the request is refused (store.Keep).
func (s *Service) checkCode(ctx context.Context, tx *store.Tx, app *store.Application, channel, code string) error {
	now := s.now()
	otp, err := tx.OTPLatest(ctx, store.OTPLatestParams{ApplicationID: app.ID, Channel: channel})
	if err == store.ErrNotFound {
		return ErrCodeNone
	} else if err != nil {
		return err
	}
	var spent error
	switch {
	case otp.UsedAt != nil:
		spent = ErrCodeUsed
	case otp.VoidedAt != nil:
		spent = errCodeVoidedOn(channel)
	case now.After(otp.ExpiresAt):
		spent = ErrCodeExpired
	}
	if spent != nil {
		return s.refuseAudited(ctx, tx, app, "applicant", spent, map[string]string{"channel": channel})
	}
	code = strings.TrimSpace(code)
	if !hmac.Equal(s.codeHash(app.ID, channel, otp.Destination, code), otp.CodeHash) {
		if err := tx.OTPAttempt(ctx, store.OTPAttemptParams{ID: otp.ID, MaxAttempts: codeAttempts, At: now}); err != nil {
			return err
		}
		left := codeAttempts - int(otp.Attempts) - 1
		refusal := errCodeWrongLeft(channel, left)
		if left <= 0 {
			refusal = errCodeVoidedOn(channel)
		}
		return s.refuseAudited(ctx, tx, app, "applicant", refusal, map[string]string{"channel": channel, "attempts_left": fmt.Sprint(max(left, 0))})
	}
	if err := tx.OTPUse(ctx, store.OTPUseParams{ID: otp.ID, UsedAt: &now}); err != nil {
		return err
	}
	return tx.ApplicationSetContactVerified(ctx, store.ApplicationSetContactVerifiedParams{ID: app.ID, Channel: channel, At: now})
}

// VerifyContacts checks the codes given; when both contacts are verified
// the application moves on. Each code is checked on its own: a right one
// is kept (its contact verified) even when the other is refused, and
// every wrong one counts a try against its own code.
func (s *Service) VerifyContacts(ctx context.Context, sess *Session, in wire.CodeCheck) (*wire.Renewal, error) {
	if in.SMSCode == "" && in.EmailCode == "" {
		return nil, ErrCodeWrong
	}
	var view *wire.Renewal
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, sess.ApplicationID)
		if err != nil {
			return err
		}
		if err := ActionEnterCodes.check(State(app.State)); err != nil {
			return err
		}
		var refused []*apierr.Error
		for _, c := range []struct{ channel, code string }{{"sms", in.SMSCode}, {"email", in.EmailCode}} {
			if c.code == "" {
				continue
			}
			err := s.checkCode(ctx, tx, app, c.channel, c.code)
			var keep *store.Keep
			if errors.As(err, &keep) {
				// Audited and to be committed with the other code's result.
				refused = append(refused, apierr.From(keep.Err))
				continue
			}
			if errors.Is(err, ErrCodeNone) {
				refused = append(refused, ErrCodeNone)
				continue
			}
			if err != nil {
				return err
			}
		}
		if len(refused) > 0 {
			return &store.Keep{Err: joinRefusals(refused)}
		}
		if app, err = lock(ctx, tx, sess.ApplicationID); err != nil {
			return err
		}
		if app.PhoneVerifiedAt != nil && app.EmailVerifiedAt != nil {
			if err := s.move(ctx, tx, app, EventContactsVerified, "applicant", map[string]string{"phone": app.Phone, "email": app.Email}); err != nil {
				return err
			}
		}
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	return view, err
}

// Resend sends a new code on one channel.
func (s *Service) Resend(ctx context.Context, sess *Session, channel, clientIP string) error {
	if channel != "sms" && channel != "email" {
		return apierr.ErrBadJSON
	}
	return s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, sess.ApplicationID)
		if err != nil {
			return err
		}
		if err := ActionEnterCodes.check(State(app.State)); err != nil {
			return err
		}
		// A throttled resend is refused before anything is written.
		err = s.issueCode(ctx, tx, app, channel, clientIP)
		if errors.Is(err, ErrResendTooSoon) || errors.Is(err, ErrTooManyCodes) || errors.Is(err, ErrCodeCooldown) {
			return s.refuseAudited(ctx, tx, app, "applicant", err, map[string]string{"channel": channel, "client_ip": clientIP})
		}
		return err
	})
}

// joinRefusals is one refusal for the codes refused together: the first's
// kind and code, every message.
func joinRefusals(rs []*apierr.Error) *apierr.Error {
	if len(rs) == 1 {
		return rs[0]
	}
	j := *rs[0]
	for _, r := range rs[1:] {
		j.RU += " " + r.RU
		j.EN += " " + r.EN
	}
	return &j
}
