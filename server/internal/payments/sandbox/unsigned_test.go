package sandbox

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/server/internal/payments"
)

// TestUnsignedCardSandbox: a ЮKassa-like gateway sends notifications
// without a signature, and its Status is the gateway's HTTP API, which
// answers from the gateway's state whatever a notification says.
func TestUnsignedCardSandbox(t *testing.T) {
	type note struct {
		sig  string
		body []byte
	}
	notes := make(chan note, 10)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		notes <- note{r.Header.Get(payments.SignatureHeader), b}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(recv.Close)
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, &receiver{srv: recv})
	cfg.Unsigned = true
	c := startCard(t, st, cfg)
	ctx := context.Background()

	assert.True(t, c.SignsNothing())
	assert.True(t, c.Sender(netip.MustParseAddr("127.0.0.1")), "loopback is the default list")
	assert.False(t, c.Sender(netip.MustParseAddr("203.0.113.7")))

	cr, err := c.Create(ctx, cardRequest("u1"))
	require.NoError(t, err)
	s, err := c.Status(ctx, cr.ProviderRef)
	require.NoError(t, err)
	assert.Equal(t, payments.StatePending, s.State, "read over HTTP before payment")

	code, page := post(t, cr.RedirectURL, cardForm(TestCardSuccess))
	require.Equal(t, http.StatusOK, code, page)
	var n note
	select {
	case n = <-notes:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
	}
	assert.Empty(t, n.sig, "an unsigned gateway signs nothing")
	ev, err := c.Verify(func(string) string { return "" }, n.body, time.Now())
	require.NoError(t, err, "parsed without a signature")
	assert.Equal(t, payments.EventSucceeded, ev.Kind)
	s, err = c.Status(ctx, cr.ProviderRef)
	require.NoError(t, err)
	assert.Equal(t, payments.StateSucceeded, s.State)
	assert.Equal(t, int64(250000), s.AmountMinor)

	require.NoError(t, c.Chargeback(cr.ProviderRef))
	select {
	case n = <-notes:
	case <-time.After(5 * time.Second):
		t.Fatal("no chargeback notification")
	}
	ev, err = payments.ParseEvent(n.body)
	require.NoError(t, err)
	assert.Equal(t, payments.EventChargeback, ev.Kind)
	assert.Equal(t, int64(250000), ev.AmountMinor)
	s, err = c.Status(ctx, cr.ProviderRef)
	require.NoError(t, err)
	assert.Equal(t, payments.StateChargedBack, s.State)
	kind, ok := s.ReadBack()
	assert.True(t, ok)
	assert.Equal(t, payments.EventChargeback, kind)
	assert.ErrorIs(t, c.Chargeback(cr.ProviderRef), payments.ErrNotRefundable, "once")

	_, err = c.Status(ctx, "card_nope")
	assert.ErrorIs(t, err, payments.ErrUnknownPayment)

	// The status API wants the shop's secret.
	resp, err := http.Get(st.srv.URL + "/sandbox/api/payments/" + cr.ProviderRef)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// A signed gateway keeps signing and verifying: Unsigned is its own kind.
func TestSignedCardSandboxIsNotUnsigned(t *testing.T) {
	rc := newReceiver(t, 0)
	st := newSite(t)
	c := startCard(t, st, testConfig(t, st.srv.URL, rc))
	_, unsigned := payments.SignsNothing(c)
	assert.False(t, unsigned)
	body, err := payments.EncodeEvent(payments.Event{ID: "e", Kind: payments.EventSucceeded, PaymentID: "p", ProviderRef: "r", Currency: "RUB", At: time.Now()})
	require.NoError(t, err)
	_, err = c.Verify(func(string) string { return "" }, body, time.Now())
	assert.ErrorIs(t, err, payments.ErrBadSignature)
}
