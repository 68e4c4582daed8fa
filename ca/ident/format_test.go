package ident

import "testing"

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		in   string
		want string
	}{
		{"ok/snils", SNILS, "69384937375", "693-849-373 75"},
		{"ok/passport", RUPassport, "4506123456", "45 06 123456"},
		{"ok/inn-as-is", INNPerson, "771952685970", "771952685970"},
		{"ok/unp-as-is", UNP, "MA1953684", "MA1953684"},
		{"ok/personal-number-as-is", BYPersonalNumber, "3120680A001PB7", "3120680A001PB7"},
		{"keep/snils-not-canonical", SNILS, "693-849-373 75", "693-849-373 75"},
		{"keep/snils-short", SNILS, "6938493737", "6938493737"},
		{"keep/snils-letters", SNILS, "6938493737X", "6938493737X"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Format(tt.kind, tt.in); got != tt.want {
				t.Errorf("Format(%s, %q) = %q, want %q", tt.kind, tt.in, got, tt.want)
			}
		})
	}
}
