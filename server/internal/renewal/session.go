package renewal

import (
	"context"
	"crypto/subtle"
	"errors"

	"renewal/server/internal/store"
)

// Session is a browser's hold on one application. It starts anonymous
// (contacts, then the proof of the certificate) and is replaced by a new
// one, bound to the certificate, when the proof succeeds.
type Session struct {
	ApplicationID string
	Proven        bool
	CertSHA256    []byte
	CSRF          string
	idHash        []byte
}

// newSession stores a session and returns the cookie value that names it.
func (s *Service) newSession(ctx context.Context, tx *store.Tx, appID string, certSum []byte) (string, *Session, error) {
	value := randomToken()
	sess := &Session{ApplicationID: appID, Proven: certSum != nil, CertSHA256: certSum, CSRF: randomToken(), idHash: s.keyed("session", value)}
	now := s.now()
	err := tx.SessionInsert(ctx, store.SessionInsertParams{
		IDHash: sess.idHash, ApplicationID: appID, CertSha256: certSum, CsrfToken: sess.CSRF,
		CreatedAt: now, ExpiresAt: now.Add(sessionTTL),
	})
	return value, sess, err
}

// Session finds the live session a cookie names.
func (s *Service) Session(ctx context.Context, cookie string) (*Session, error) {
	if cookie == "" || len(cookie) > 100 {
		return nil, ErrNoSession
	}
	row, err := s.Store.SessionGet(ctx, store.SessionGetParams{IDHash: s.keyed("session", cookie), ExpiresAt: s.now()})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession
	} else if err != nil {
		return nil, err
	}
	return &Session{ApplicationID: row.ApplicationID, Proven: row.CertSha256 != nil, CertSHA256: row.CertSha256, CSRF: row.CsrfToken, idHash: row.IDHash}, nil
}

// CheckCSRF compares the token a state-changing request carries with the
// session's, in constant time.
func (sess *Session) CheckCSRF(token string) error {
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) != 1 {
		return ErrCSRF
	}
	return nil
}

func (sess *Session) requireProven() error {
	if !sess.Proven {
		return ErrNotProven
	}
	return nil
}

// provenApplication reads the session's application once the session has
// proven the certificate; before that it refuses with ErrNotProven.
func (s *Service) provenApplication(ctx context.Context, sess *Session) (store.Application, error) {
	if err := sess.requireProven(); err != nil {
		return store.Application{}, err
	}
	app, err := s.Store.ApplicationGet(ctx, sess.ApplicationID)
	return app, err
}
