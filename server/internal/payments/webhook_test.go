package payments

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerify(t *testing.T) {
	secret := []byte("whsec_test_0123456789abcdef")
	other := []byte("whsec_other")
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	ev := Event{ID: "evt_1", Kind: EventSucceeded, ProviderRef: "card_1", PaymentID: "pay_1", AmountMinor: 250000, Currency: "RUB", At: now.Add(-time.Minute)}
	body, err := EncodeEvent(ev)
	require.NoError(t, err)
	sig := func(at time.Time, b []byte, s ...[]byte) string { return SignatureHeaderValue(at, b, s...) }

	tests := []struct {
		name   string
		header string
		body   []byte
		want   error // nil: accepted
	}{
		{"good signature", sig(now, body, secret), body, nil},
		{"bad signature (other secret)", sig(now, body, other), body, ErrBadSignature},
		{"exactly 6 minutes old", sig(now.Add(-6*time.Minute), body, secret), body, ErrStale},
		{"4m59s old", sig(now.Add(-4*time.Minute-59*time.Second), body, secret), body, nil},
		{"exactly 5 minutes old", sig(now.Add(-5*time.Minute), body, secret), body, nil},
		{"6 minutes in the future", sig(now.Add(6*time.Minute), body, secret), body, ErrStale},
		{"missing header", "", body, ErrBadSignature},
		{"garbage header", "garbage", body, ErrBadSignature},
		{"garbage timestamp", "t=abc,v1=00", body, ErrBadSignature},
		{"no v1", "t=" + itoa(now.Unix()), body, ErrBadSignature},
		{"v1 not hex", "t=" + itoa(now.Unix()) + ",v1=zz", body, ErrBadSignature},
		{"body changed after signing", sig(now, body, secret), append([]byte(nil), []byte(string(body[:len(body)-1])+" ")...), ErrBadSignature},
		{"two v1 values, second valid", sig(now, body, other, secret), body, nil},
		{"two v1 values, first valid, second garbled", sig(now, body, secret) + ",v1=nothex", body, nil},
		{"unknown scheme ignored", sig(now, body, secret) + ",v0=abc", body, nil},
		{"signed but not JSON", sig(now, []byte("not json"), secret), []byte("not json"), ErrMalformed},
		{"signed, unknown type", sig(now, []byte(`{"id":"e","type":"paid","payment_id":"p","provider_ref":"r","amount_minor":1,"currency":"RUB","created_at":"2026-03-10T12:00:00Z"}`), secret),
			[]byte(`{"id":"e","type":"paid","payment_id":"p","provider_ref":"r","amount_minor":1,"currency":"RUB","created_at":"2026-03-10T12:00:00Z"}`), ErrMalformed},
		{"signed, trailing data", sig(now, append(append([]byte(nil), body...), []byte("{}")...), secret), append(append([]byte(nil), body...), []byte("{}")...), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set(SignatureHeader, tt.header)
			}
			got, err := VerifyEvent(h.Get, tt.body, now, secret)
			if tt.want != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.want)
				for _, other := range []error{ErrBadSignature, ErrStale, ErrMalformed} {
					if other != tt.want {
						assert.False(t, errors.Is(err, other), "also %v", other)
					}
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, ev.ID, got.ID)
			assert.Equal(t, ev.Kind, got.Kind)
			assert.Equal(t, ev.PaymentID, got.PaymentID)
			assert.Equal(t, ev.ProviderRef, got.ProviderRef)
			assert.Equal(t, ev.AmountMinor, got.AmountMinor)
			assert.Equal(t, ev.Currency, got.Currency)
			assert.True(t, ev.At.Equal(got.At))
		})
	}
}

func TestVerifyRotatedSecrets(t *testing.T) {
	now := time.Now()
	body := []byte(`{}`)
	h := SignatureHeaderValue(now, body, []byte("old"))
	assert.NoError(t, VerifySignature(h, body, now, []byte("new"), []byte("old")))
	assert.ErrorIs(t, VerifySignature(h, body, now, []byte("new")), ErrBadSignature)
	assert.ErrorIs(t, VerifySignature(h, body, now), ErrBadSignature, "no secret configured")
}

func TestEventRoundTrip(t *testing.T) {
	ev := Event{ID: "evt_x", Kind: EventRefunded, ProviderRef: "erip_1", PaymentID: "p", AmountMinor: 1, Currency: "BYN", At: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)}
	b, err := EncodeEvent(ev)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"evt_x","type":"refunded","payment_id":"p","provider_ref":"erip_1","amount_minor":1,"currency":"BYN","created_at":"2026-01-02T03:04:05.006Z"}`, string(b))
	got, err := ParseEvent(b)
	require.NoError(t, err)
	assert.Equal(t, ev, got)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
