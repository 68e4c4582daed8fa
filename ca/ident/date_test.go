package ident

import (
	"errors"
	"testing"
)

func TestPassportIssued(t *testing.T) {
	const today = "2026-12-02"
	for _, c := range []struct {
		name, in string
		want     string // YYYY-MM-DD, or "" for a refusal
		reason   error
	}{
		{"ok/form", "01.06.2015", "2015-06-01", nil},
		{"ok/one-digit", "1.6.2015", "2015-06-01", nil},
		{"ok/api", "2015-06-01", "2015-06-01", nil},
		{"ok/first-day", "01.10.1997", "1997-10-01", nil},
		{"ok/today", "02.12.2026", "2026-12-02", nil},
		{"ok/leap-day", "29.02.2024", "2024-02-29", nil},
		{"fail/tomorrow", "03.12.2026", "", ErrFormat},
		{"fail/before-current-form", "30.09.1997", "", ErrFormat},
		{"fail/no-such-day", "31.04.2015", "", ErrFormat},
		{"fail/not-a-leap-year", "29.02.2023", "", ErrFormat},
		{"fail/month-13", "01.13.2015", "", ErrFormat},
		{"fail/american", "06/01/2015", "", ErrFormat},
		{"fail/short-year", "01.06.15", "", ErrFormat},
		{"fail/signs", "+1.06.2015", "", ErrFormat},
		{"fail/empty", " ", "", ErrEmpty},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := PassportIssued(c.in, today)
			if c.want == "" {
				var ie *Error
				if !errors.As(err, &ie) || !errors.Is(ie.Reason, c.reason) || ie.RU == "" || ie.EN == "" {
					t.Fatalf("%q: got %q %v, want a refusal (%v) with messages", c.in, d, err, c.reason)
				}
				return
			}
			if err != nil || d != c.want {
				t.Fatalf("%q: got %q %v, want %s", c.in, d, err, c.want)
			}
		})
	}
}
