package renewal

import (
	"context"
	"errors"
	"strings"

	"renewal/app/wire"
	"renewal/server/internal/notify"
	"renewal/server/internal/store"
)

// PathResume is the wizard's page a resume link opens.
const PathResume = "/resume/"

// sendResumeLink e-mails a link that reopens the application at its
// current step on any device, after the certificate is proven again.
func (s *Service) sendResumeLink(ctx context.Context, tx *store.Tx, app *store.Application, next nextStep) error {
	link, err := s.resumeLink(ctx, tx, app)
	if err != nil {
		return err
	}
	return s.queue(ctx, tx, app.ID, notify.ResumeLink(lang(app), app.Email, link, next.ru, next.en), true)
}

// resumeLink records a new resume token for app and returns its link.
func (s *Service) resumeLink(ctx context.Context, tx *store.Tx, app *store.Application) (string, error) {
	token := randomToken()
	now := s.now()
	if err := tx.ResumeLinkInsert(ctx, store.ResumeLinkInsertParams{
		TokenHash: s.keyed("resume", token), ApplicationID: app.ID, CreatedAt: now, ExpiresAt: now.Add(resumeTTL),
	}); err != nil {
		return "", err
	}
	return strings.TrimSuffix(s.PublicURL, "/") + PathResume + token, nil
}

// Resume opens a new, anonymous session on the application of a link:
// the certificate must then be proven again before anything else.
func (s *Service) Resume(ctx context.Context, token string) (string, *wire.Renewal, error) {
	if token == "" || len(token) > 100 {
		return "", nil, ErrResumeLink
	}
	var cookie string
	var view *wire.Renewal
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		id, err := tx.ResumeLinkGet(ctx, store.ResumeLinkGetParams{TokenHash: s.keyed("resume", token), ExpiresAt: s.now()})
		if errors.Is(err, store.ErrNotFound) {
			return ErrResumeLink
		} else if err != nil {
			return err
		}
		app, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if State(app.State).Terminal() {
			return ErrClosed
		}
		var sess *Session
		if cookie, sess, err = s.newSession(ctx, tx, id, nil); err != nil {
			return err
		}
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return cookie, view, nil
}
