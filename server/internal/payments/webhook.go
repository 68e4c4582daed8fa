package payments

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the HTTP header that carries a notification's signature.
const SignatureHeader = "X-Signature"

// SignatureTolerance is how far a notification's timestamp may be from now,
// either way.
const SignatureTolerance = 5 * time.Minute

// Sign returns the hex HMAC-SHA256 of "<t>.<body>" under secret.
func Sign(secret []byte, t int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(t, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// SignatureHeaderValue returns the X-Signature value for body sent at t:
// "t=<unix seconds>,v1=<hex>", with one v1 per secret (several while a
// secret is being rotated).
func SignatureHeaderValue(t time.Time, body []byte, secrets ...[]byte) string {
	ts := t.Unix()
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(strconv.FormatInt(ts, 10))
	for _, s := range secrets {
		b.WriteString(",v1=")
		b.WriteString(Sign(s, ts, body))
	}
	return b.String()
}

// VerifySignature checks header (the X-Signature value) against the raw
// body: at least one v1 must be the HMAC under one of secrets (compared in
// constant time), and the timestamp must be within SignatureTolerance of
// now. The signature is checked first, so ErrStale means an authentic but
// old (or future) notification.
func VerifySignature(header string, body []byte, now time.Time, secrets ...[]byte) error {
	if len(secrets) == 0 {
		return fmt.Errorf("%w: no secret configured", ErrBadSignature)
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return fmt.Errorf("%w: no %s header", ErrBadSignature, SignatureHeader)
	}
	var (
		ts     int64
		haveTS bool
		sigs   [][]byte
	)
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: garbled %s header", ErrBadSignature, SignatureHeader)
		}
		switch k {
		case "t":
			if haveTS {
				return fmt.Errorf("%w: two timestamps", ErrBadSignature)
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 || len(v) > 12 {
				return fmt.Errorf("%w: garbled timestamp", ErrBadSignature)
			}
			ts, haveTS = n, true
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				continue // a garbled value never matches; another v1 may
			}
			sigs = append(sigs, sig)
		default:
			// Other schemes (v0, v2) are ignored, as a receiver must.
		}
	}
	if !haveTS {
		return fmt.Errorf("%w: no timestamp", ErrBadSignature)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%w: no valid v1 signature", ErrBadSignature)
	}
	ok := false
	for _, secret := range secrets {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(strconv.FormatInt(ts, 10)))
		m.Write([]byte{'.'})
		m.Write(body)
		want := m.Sum(nil)
		for _, sig := range sigs {
			// No early exit: the time taken does not depend on which matched.
			if hmac.Equal(want, sig) {
				ok = true
			}
		}
	}
	if !ok {
		return fmt.Errorf("%w: signature does not match", ErrBadSignature)
	}
	d := now.Sub(time.Unix(ts, 0))
	if d > SignatureTolerance || d < -SignatureTolerance {
		return fmt.Errorf("%w (%s)", ErrStale, d.Round(time.Second))
	}
	return nil
}

// VerifyEvent verifies a notification (header is http.Header.Get or
// Fiber's c.Get) and only then parses its body.
func VerifyEvent(header func(string) string, body []byte, now time.Time, secrets ...[]byte) (Event, error) {
	h := ""
	if header != nil {
		h = header(SignatureHeader)
	}
	if err := VerifySignature(h, body, now, secrets...); err != nil {
		return Event{}, err
	}
	return ParseEvent(body)
}

// eventJSON is the notification body.
type eventJSON struct {
	ID          string    `json:"id"`
	Type        EventKind `json:"type"`
	PaymentID   string    `json:"payment_id"`
	ProviderRef string    `json:"provider_ref"`
	AmountMinor int64     `json:"amount_minor"`
	Currency    string    `json:"currency"`
	CreatedAt   time.Time `json:"created_at"`
}

// EncodeEvent returns the notification body for e.
func EncodeEvent(e Event) ([]byte, error) {
	return json.Marshal(eventJSON{
		ID: e.ID, Type: e.Kind, PaymentID: e.PaymentID, ProviderRef: e.ProviderRef,
		AmountMinor: e.AmountMinor, Currency: e.Currency, CreatedAt: e.At.UTC(),
	})
}

// ParseEvent parses a notification body. Call it only after the signature
// has been verified (VerifyEvent does both).
func ParseEvent(body []byte) (Event, error) {
	var j eventJSON
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&j); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Event{}, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	switch {
	case j.ID == "":
		return Event{}, fmt.Errorf("%w: no id", ErrMalformed)
	case !j.Type.Valid():
		return Event{}, fmt.Errorf("%w: unknown type %q", ErrMalformed, j.Type)
	case j.ProviderRef == "":
		return Event{}, fmt.Errorf("%w: no provider_ref", ErrMalformed)
	case j.PaymentID == "":
		return Event{}, fmt.Errorf("%w: no payment_id", ErrMalformed)
	case j.AmountMinor < 0:
		return Event{}, fmt.Errorf("%w: negative amount_minor", ErrMalformed)
	case !validCurrency(j.Currency):
		return Event{}, fmt.Errorf("%w: bad currency %q", ErrMalformed, j.Currency)
	case j.CreatedAt.IsZero():
		return Event{}, fmt.Errorf("%w: no created_at", ErrMalformed)
	}
	return Event{
		ID: j.ID, Kind: j.Type, ProviderRef: j.ProviderRef, PaymentID: j.PaymentID,
		AmountMinor: j.AmountMinor, Currency: j.Currency, At: j.CreatedAt,
	}, nil
}

// validCurrency reports whether c looks like an ISO 4217 code.
func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}
