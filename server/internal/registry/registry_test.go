package registry

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestVerdictCorrection: what a register did not find is correctable,
// with the fields to mark; what it knows as wrong is not.
func TestVerdictCorrection(t *testing.T) {
	for _, c := range []struct {
		code   string
		fields []string
	}{
		{"passport_mismatch", []string{"passport_series", "passport_number"}},
		{"tax_not_found", []string{"snils", "inn"}},
		{"person_not_found", []string{"personal_number"}},
		{"passport_invalid", nil},
		{"organisation_not_found", nil},
		{"registry_unavailable", nil},
	} {
		t.Run(c.code, func(t *testing.T) {
			fields, ok := fail(c.code, "ru", "en").Correction()
			assert.Equal(t, c.fields != nil, ok)
			assert.Equal(t, c.fields, fields)
		})
	}
	_, ok := Verdict{Passed: true, Code: "passport_mismatch"}.Correction()
	assert.False(t, ok, "a passed verdict corrects nothing")
}
