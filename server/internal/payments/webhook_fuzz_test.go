package payments

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzVerifyEvent: VerifyEvent never panics and every refusal wraps
// exactly one of ErrBadSignature, ErrStale, ErrMalformed. With signed set
// the target signs the body itself (so the fuzzer reaches ParseEvent): the
// answer is then an event or ErrMalformed. Without it, an accepted header
// must carry the body's true HMAC (a seed's, as the fuzzer holds no secret). An accepted event encodes and parses
// back to itself.
func FuzzVerifyEvent(f *testing.F) {
	secret := []byte("whsec_fuzz_0123456789abcdef")
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	good, err := EncodeEvent(Event{ID: "evt_1", Kind: EventSucceeded, ProviderRef: "pay_1", PaymentID: "p-1",
		AmountMinor: 250000, Currency: "RUB", At: now})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(SignatureHeaderValue(now, good, secret), good, false)
	f.Add("", good, true)
	f.Add(SignatureHeaderValue(now.Add(-6*time.Minute), good, secret), good, false)
	f.Add(SignatureHeaderValue(now, good, []byte("other"), secret)+",v0=abc,v1=zz", good, false)
	f.Add("t=1773144000,v1="+Sign(secret, 1773144000, good), good, false)
	f.Add("t=abc,v1=00", good, false)
	f.Add("garbage", []byte("not json"), false)
	for _, body := range []string{
		"not json", "{}", `{"id":"e"}{}`, `[]`, `null`,
		`{"id":"e","type":"paid","payment_id":"p","provider_ref":"r","amount_minor":1,"currency":"RUB","created_at":"2026-03-10T12:00:00Z"}`,
		`{"id":"e","type":"refunded","payment_id":"p","provider_ref":"r","amount_minor":-1,"currency":"RUB","created_at":"2026-03-10T12:00:00Z"}`,
		`{"id":"e","type":"failed","payment_id":"p","provider_ref":"r","amount_minor":1,"currency":"rub","created_at":"0001-01-01T00:00:00Z"}`,
		`{"id":"e","type":"succeeded","payment_id":"p","provider_ref":"r","amount_minor":99999999999999999999,"currency":"BYN","created_at":"2026-03-10T12:00:00+03:00"}`,
	} {
		f.Add("", []byte(body), true)
	}
	f.Fuzz(func(t *testing.T, header string, body []byte, signed bool) {
		if signed {
			header = SignatureHeaderValue(now, body, secret)
		}
		ev, err := VerifyEvent(func(string) string { return header }, body, now, secret)
		if err != nil {
			n := 0
			for _, kind := range []error{ErrBadSignature, ErrStale, ErrMalformed} {
				if errors.Is(err, kind) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("refusal %v wraps %d of the three errors, want 1", err, n)
			}
			if signed && !errors.Is(err, ErrMalformed) {
				t.Fatalf("signed now, refused: %v", err)
			}
			return
		}
		if !signed && !carriesSignature(header, body, secret) {
			t.Fatalf("accepted without the body's signature: header %q body %q", header, body)
		}
		enc, err := EncodeEvent(ev)
		if err != nil {
			t.Fatalf("accepted event does not encode: %v", err)
		}
		again, err := ParseEvent(enc)
		if err != nil {
			t.Fatalf("encoded event does not parse: %v\n%s", err, enc)
		}
		if !again.At.Equal(ev.At) {
			t.Fatalf("time changed: %v → %v", ev.At, again.At)
		}
		again.At = ev.At
		if again != ev {
			t.Fatalf("round trip changed the event: %+v → %+v", ev, again)
		}
	})
}

// carriesSignature reports whether header has a timestamp t and, among its
// values, the HMAC of body at t under secret.
func carriesSignature(header string, body, secret []byte) bool {
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
			if ts, err := strconv.ParseInt(v, 10, 64); err == nil && strings.Contains(strings.ToLower(header), Sign(secret, ts, body)) {
				return true
			}
		}
	}
	return false
}
