package dates

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFormats(t *testing.T) {
	// 21:30 UTC on 31 May is already 1 June in Moscow and Minsk.
	at := time.Date(2015, 5, 31, 21, 30, 0, 0, time.UTC)
	tests := []struct {
		name, jur, lang, got, want string
	}{
		{"date/ru", "RU", "ru", Date(at, "RU", "ru"), "1 июня 2015 г."},
		{"date/en", "RU", "en", Date(at, "RU", "en"), "1 June 2015"},
		{"date/by", "BY", "ru", Date(at, "BY", "ru"), "1 июня 2015 г."},
		{"clock/ru", "RU", "ru", Clock(at, "RU", "ru"), "00:30 (МСК)"},
		{"clock/by-en", "BY", "en", Clock(at, "BY", "en"), "00:30 (Minsk)"},
		{"datetime/ru", "RU", "ru", DateTime(at, "RU", "ru"), "1 июня 2015 г., 00:30 (МСК)"},
		{"numeric", "BY", "", Numeric(at, "BY"), "01.06.2015"},
		{"december", "RU", "ru", Date(time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC), "RU", "ru"), "9 декабря 2026 г."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, tt.got) })
	}
	assert.Equal(t, 2027, Year(time.Date(2026, 12, 31, 22, 0, 0, 0, time.UTC), "RU"), "the year turns at midnight in Moscow")
}
