package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"renewal/server/internal/payments"
)

// reopen closes a sandbox's first instance and opens the directory again
// twice (the second open compacts what the first compacted).
func reopenCard(t *testing.T, st *site, cfg Config, c *Card) *Card {
	t.Helper()
	require.NoError(t, c.Close())
	mid, err := NewCard(cfg)
	require.NoError(t, err)
	require.NoError(t, mid.Close())
	return startCard(t, st, cfg)
}

func TestCardSandboxStateSurvivesRestart(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)
	c, err := NewCard(cfg)
	require.NoError(t, err)
	st.h = c
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Start(ctx)

	pending, err := c.Create(ctx, cardRequest("pending"))
	require.NoError(t, err)
	paid := pay(t, c, "paid")
	refunded := pay(t, c, "refunded")
	require.NoError(t, c.Refund(ctx, refunded.ProviderRef, 100000))
	declined, err := c.Create(ctx, cardRequest("declined"))
	require.NoError(t, err)
	code, _ := post(t, declined.RedirectURL, cardForm(TestCardDeclined))
	require.Equal(t, http.StatusOK, code)
	threeDS, err := c.Create(ctx, cardRequest("3ds"))
	require.NoError(t, err)
	code, _ = post(t, threeDS.RedirectURL, cardForm(TestCard3DS))
	require.Equal(t, http.StatusOK, code)
	rc.wait(t, 4) // paid, refunded (succeeded and refunded), declined
	require.Eventually(t, func() bool { return c.Pending() == 0 }, 5*time.Second, 10*time.Millisecond)

	c = reopenCard(t, st, cfg, c)
	rc.quiet(t, 150*time.Millisecond) // acknowledged notifications are not sent again
	b, err := os.ReadFile(filepath.Join(cfg.Dir, "card.journal"))
	require.NoError(t, err)
	assert.Equal(t, 1+5, bytes.Count(b, []byte("\n")), "compacted: a header and a line per payment")

	for _, tt := range []struct {
		name string
		ref  string
		want payments.Status
	}{
		{"pending", pending.ProviderRef, payments.Status{State: payments.StatePending, AmountMinor: 250000, Currency: "RUB"}},
		{"paid", paid.ProviderRef, payments.Status{State: payments.StateSucceeded, AmountMinor: 250000, Currency: "RUB"}},
		{"partly refunded", refunded.ProviderRef, payments.Status{State: payments.StateSucceeded, AmountMinor: 250000, Currency: "RUB"}},
		{"declined", declined.ProviderRef, payments.Status{State: payments.StateFailed, AmountMinor: 250000, Currency: "RUB"}},
		{"awaiting 3-DS", threeDS.ProviderRef, payments.Status{State: payments.StatePending, AmountMinor: 250000, Currency: "RUB"}},
	} {
		s, err := c.Status(ctx, tt.ref)
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, s, tt.name)
	}
	again, err := c.Create(ctx, cardRequest("paid"))
	require.NoError(t, err)
	assert.Equal(t, paid, again, "Create stays idempotent across the restart")

	// What was under way goes on where it stopped.
	code, page := post(t, threeDS.RedirectURL+"/3ds", url.Values{"action": {"confirm"}})
	require.Equal(t, http.StatusOK, code, page)
	assert.Equal(t, payments.EventSucceeded, rc.wait(t, 1)[0].ev.Kind)
	require.NoError(t, c.Refund(ctx, refunded.ProviderRef, 150000), "the rest of the refund")
	got := rc.wait(t, 1)[0].ev
	assert.Equal(t, payments.EventRefunded, got.Kind)
	assert.Equal(t, int64(150000), got.AmountMinor)
	assert.Error(t, c.Refund(ctx, refunded.ProviderRef, 1), "the first refund survived too")
	code, _ = post(t, pending.RedirectURL, cardForm(TestCardSuccess))
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, pending.ProviderRef, rc.wait(t, 1)[0].ev.ProviderRef)
	code, page = get(t, declined.RedirectURL)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "отклонил", "the page keeps the reason")
}

func TestERIPSandboxStateSurvivesRestart(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)
	e, err := NewERIP(cfg)
	require.NoError(t, err)
	ctx := context.Background()
	used, err := e.Create(ctx, eripRequest("used"))
	require.NoError(t, err)
	open, err := e.Create(ctx, eripRequest("open"))
	require.NoError(t, err)
	_, err = e.PayByCode(used.ERIPCode)
	require.NoError(t, err)
	require.NoError(t, e.Close(), "closed before the notification was sent")

	e = startERIP(t, st, cfg)
	assert.Equal(t, used.ProviderRef, rc.wait(t, 1)[0].ev.ProviderRef, "the queued notification survives")
	_, err = e.PayByCode(used.ERIPCode)
	assert.ErrorIs(t, err, ErrCodeUsed)
	again, err := e.Create(ctx, eripRequest("open"))
	require.NoError(t, err)
	assert.Equal(t, open, again, "the same code after the restart")
	code, page := post(t, e.BankURL(), url.Values{"code": {open.ERIPCode}})
	assert.Equal(t, http.StatusOK, code, page)
	assert.Equal(t, open.ProviderRef, rc.wait(t, 1)[0].ev.ProviderRef)
}

func TestSandboxJournalDamage(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)
	c, err := NewCard(cfg)
	require.NoError(t, err)
	cr, err := c.Create(context.Background(), cardRequest("j1"))
	require.NoError(t, err)
	require.NoError(t, c.Close())
	path := filepath.Join(cfg.Dir, "card.journal")
	good, err := os.ReadFile(path)
	require.NoError(t, err)

	// A crash in the middle of a line: the line was never reported saved.
	require.NoError(t, os.WriteFile(path, append(bytes.Clone(good), `{"payment":{"ref":"card_x`...), 0o600))
	c, err = NewCard(cfg)
	require.NoError(t, err, "a cut last line is dropped")
	_, err = c.Status(context.Background(), cr.ProviderRef)
	assert.NoError(t, err)
	require.NoError(t, c.Close())

	// Damage anywhere else is reported, not silently reset.
	require.NoError(t, os.WriteFile(path, append([]byte("{broken\n"), good...), 0o600))
	_, err = NewCard(cfg)
	assert.Error(t, err)
}

// The whole-state file of the previous version is taken over once.
func TestCardSandboxReadsLegacyStateFile(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)
	now := time.Now().UTC()
	ev := payments.Event{ID: "evt_legacy", Kind: payments.EventSucceeded, ProviderRef: "card_legacy", PaymentID: "old",
		AmountMinor: 250000, Currency: "RUB", At: now.Truncate(time.Millisecond)}
	body, err := payments.EncodeEvent(ev)
	require.NoError(t, err)
	legacy, err := json.MarshalIndent(sbState{
		Version: 1, Seq: 7,
		Payments: map[string]*sbPayment{"card_legacy": {Ref: "card_legacy", PaymentID: "old", ApplicationID: "app-old",
			AmountMinor: 250000, Currency: "RUB", State: sbSucceeded, CreatedAt: now, UpdatedAt: now}},
		Outbox: []*sbDelivery{{Seq: 7, EventID: ev.ID, Ref: "card_legacy", Kind: ev.Kind, Body: body, Attempts: 12, Dead: true}},
	}, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(cfg.Dir, "card.json"), legacy, 0o600))

	c := startCard(t, st, cfg)
	assert.Equal(t, ev, rc.wait(t, 1)[0].ev, "the undelivered notification is revived")
	s, err := c.Status(context.Background(), "card_legacy")
	require.NoError(t, err)
	assert.Equal(t, payments.StateSucceeded, s.State)
	_, err = os.Stat(filepath.Join(cfg.Dir, "card.json"))
	assert.ErrorIs(t, err, os.ErrNotExist, "the old file is gone once compacted")
	assert.Equal(t, int64(7), c.seq.Load(), "delivery numbers go on from the old file")
}
