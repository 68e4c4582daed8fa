package renewal

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/server/internal/notify"
	"renewal/server/internal/pgtest"
	"renewal/server/internal/store"
)

func TestMain(m *testing.M) {
	if fuzzingOnly() {
		os.Exit(m.Run())
	}
	pgtest.Main(m)
}

// fuzzingOnly reports a run that only fuzzes (a fuzz worker, or -fuzz with
// -run '^$'): no test needs PostgreSQL then, and a cluster per worker
// process would cost seconds each.
func fuzzingOnly() bool {
	flag.Parse()
	get := func(name string) string {
		if f := flag.Lookup(name); f != nil {
			return f.Value.String()
		}
		return ""
	}
	return get("test.fuzzworker") == "true" || get("test.fuzz") != "" && get("test.run") == "^$"
}

type failingSender struct{ err error }

func (f failingSender) Send(context.Context, notify.Message) error { return f.err }

// A code or link that was never delivered is blanked once delivery is
// given up, as a delivered one is: by a permanent refusal at once, by a
// temporary one at the last attempt, and not before.
func TestOutboxBlankedWhenDeliveryFails(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t), store.Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(ctx))
	svc := &Service{Config: Config{Store: st, Now: time.Now}}

	for _, c := range []struct {
		name           string
		err            error
		attempt        int
		blanked, final bool
	}{
		{"temporary/first-attempt", errors.New("gateway busy"), 1, false, false},
		{"temporary/last-attempt", errors.New("gateway busy"), 12, true, false},
		{"permanent", fmt.Errorf("number unknown: %w", notify.ErrPermanent), 1, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, err := st.OutboxInsert(ctx, store.OutboxInsertParams{Channel: string(notify.SMS), Recipient: "+79000000001",
				Body: "Код: 123456", Sensitive: true, CreatedAt: time.Now()})
			require.NoError(t, err)
			w := &outboxWorker{s: svc, senders: map[notify.Channel]notify.Sender{notify.SMS: failingSender{c.err}}}
			job := &river.Job[outboxArgs]{JobRow: &rivertype.JobRow{Attempt: c.attempt, MaxAttempts: 12}, Args: outboxArgs{ID: id}}
			werr := w.Work(ctx, job)
			require.Error(t, werr)
			var cancel *river.JobCancelError
			assert.Equal(t, c.final, errors.As(werr, &cancel), "a permanent refusal is not retried")
			row, err := st.OutboxGet(ctx, id)
			require.NoError(t, err)
			if c.blanked {
				assert.NotContains(t, row.Body, "123456")
			} else {
				assert.Contains(t, row.Body, "123456", "kept for the next attempt")
			}
		})
	}
}
