package ident

import (
	"errors"
	"testing"
	"time"
)

func TestPassportIssued(t *testing.T) {
	now := time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC) // 2 December already in Moscow
	for _, c := range []struct {
		name, in string
		want     string // YYYY-MM-DD, or "" for a refusal
		reason   error
	}{
		{"ok/form", "01.06.2015", "2015-06-01", nil},
		{"ok/one-digit", "1.6.2015", "2015-06-01", nil},
		{"ok/api", "2015-06-01", "2015-06-01", nil},
		{"ok/first-day", "01.10.1997", "1997-10-01", nil},
		{"ok/today-in-moscow", "02.12.2026", "2026-12-02", nil},
		{"fail/tomorrow-in-moscow", "03.12.2026", "", ErrFormat},
		{"fail/before-current-form", "30.09.1997", "", ErrFormat},
		{"fail/no-such-day", "31.02.2015", "", ErrFormat},
		{"fail/american", "06/01/2015", "", ErrFormat},
		{"fail/empty", " ", "", ErrEmpty},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := PassportIssued(c.in, now)
			if c.want == "" {
				var ie *Error
				if !errors.As(err, &ie) || !errors.Is(ie.Reason, c.reason) || ie.RU == "" || ie.EN == "" {
					t.Fatalf("%q: got %v, want a refusal (%v) with messages", c.in, err, c.reason)
				}
				return
			}
			if err != nil || d.Format("2006-01-02") != c.want {
				t.Fatalf("%q: got %v %v, want %s", c.in, d, err, c.want)
			}
		})
	}
}
