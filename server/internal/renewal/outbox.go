package renewal

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"renewal/server/internal/notify"
	"renewal/server/internal/store"
)

// outboxArgs delivers one outbox row.
type outboxArgs struct {
	ID int64 `json:"id"`
}

func (outboxArgs) Kind() string { return "outbox_deliver" }

type outboxWorker struct {
	river.WorkerDefaults[outboxArgs]
	s       *Service
	senders map[notify.Channel]notify.Sender
}

func (w *outboxWorker) NextRetry(job *river.Job[outboxArgs]) time.Time {
	return time.Now().Add(time.Second << min(job.Attempt-1, 8))
}

func (w *outboxWorker) Work(ctx context.Context, job *river.Job[outboxArgs]) error {
	q := w.s.Store.Queries
	row, err := q.OutboxGet(ctx, job.Args.ID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err)
	} else if err != nil {
		return err
	}
	if row.SentAt != nil {
		return nil
	}
	sender, ok := w.senders[notify.Channel(row.Channel)]
	if !ok {
		return fmt.Errorf("no sender for %s", row.Channel)
	}
	msg := notify.Message{Channel: notify.Channel(row.Channel), To: row.Recipient, Subject: row.Subject, Text: row.Body, Key: strconv.FormatInt(row.ID, 10)}
	if err := sender.Send(ctx, msg); err != nil {
		final := notify.IsPermanent(err) || job.Attempt >= job.MaxAttempts
		_ = q.OutboxMarkFailed(ctx, store.OutboxMarkFailedParams{ID: row.ID, LastError: err.Error(), Final: final, Redact: !w.s.Dev})
		if notify.IsPermanent(err) {
			return river.JobCancel(err)
		}
		return err
	}
	now := time.Now()
	return q.OutboxMarkSent(ctx, store.OutboxMarkSentParams{ID: row.ID, SentAt: &now, Redact: !w.s.Dev})
}

// DevOutbox is the development sender: a message "sent" stays readable in
// the outbox (/dev/outbox), and nothing leaves the machine.
type DevOutbox struct{}

func (DevOutbox) Send(ctx context.Context, m notify.Message) error { return nil }

// Outbox lists the latest messages, for /dev/outbox.
func (s *Service) Outbox(ctx context.Context, limit int32) ([]store.Outbox, error) {
	rows, err := s.Store.OutboxList(ctx, limit)
	return rows, err
}

// ApplicationNumbers maps application ids to their readable numbers, for
// the dev outbox page (a developer finds a message by the number the
// wizard shows); an id not found is left out.
func (s *Service) ApplicationNumbers(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if _, ok := out[id]; ok || id == "" {
			continue
		}
		app, err := s.Store.ApplicationGet(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out[id] = app.Number
	}
	return out, nil
}
