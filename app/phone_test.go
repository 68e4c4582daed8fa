//go:build !js

package app

import "testing"

func TestPhoneText(t *testing.T) {
	for in, want := range map[string]string{
		"+79000000201":   "+7 900 000-02-01",
		"+375290000411":  "+375 29 000-04-11",
		"+4915112345678": "+4915112345678", // another country: as it is
		"+7900":          "+7900",
		"":               "",
		"+7 900 000":     "+7 900 000",
	} {
		if got := phoneText(in); got != want {
			t.Errorf("phoneText(%q) = %q, want %q", in, got, want)
		}
	}
}
