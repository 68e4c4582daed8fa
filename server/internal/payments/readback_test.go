package payments

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The read-back of a provider that signs nothing is the only event acted
// on: pending (or a state unknown here) is nothing to act on.
func TestStatusReadBack(t *testing.T) {
	for _, tc := range []struct {
		state string
		kind  EventKind
		ok    bool
	}{
		{StateSucceeded, EventSucceeded, true},
		{StateFailed, EventFailed, true},
		{StateRefunded, EventRefunded, true},
		{StateChargedBack, EventChargeback, true},
		{StatePending, "", false},
		{"waiting_for_capture", "", false},
		{"", "", false},
	} {
		t.Run(tc.state, func(t *testing.T) {
			kind, ok := Status{State: tc.state}.ReadBack()
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.kind, kind)
		})
	}
}

// A chargeback is a notification like the others: signed, verified, parsed.
func TestChargebackEvent(t *testing.T) {
	secret := []byte("s")
	now := time.Now()
	body, err := EncodeEvent(Event{ID: "evt_cb", Kind: EventChargeback, PaymentID: "pay-1", ProviderRef: "card_1", AmountMinor: 100, Currency: "BYN", At: now})
	require.NoError(t, err)
	ev, err := VerifyEvent(func(string) string { return SignatureHeaderValue(now, body, secret) }, body, now, secret)
	require.NoError(t, err)
	assert.Equal(t, EventChargeback, ev.Kind)
	_, err = ParseEvent([]byte(`{"id":"e","type":"dispute","payment_id":"p","provider_ref":"r","amount_minor":1,"currency":"BYN","created_at":"2026-01-01T00:00:00Z"}`))
	assert.ErrorIs(t, err, ErrMalformed, "an unknown kind is refused")
}
