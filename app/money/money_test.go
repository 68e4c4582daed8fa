package money

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormat(t *testing.T) {
	const s = Space
	for _, tc := range []struct {
		name     string
		minor    int64
		currency string
		want     string
	}{
		{"zero", 0, "RUB", "0,00" + s + "₽"},
		{"kopecks", 5, "RUB", "0,05" + s + "₽"},
		{"negative/kopecks", -5, "RUB", "-0,05" + s + "₽"},
		{"negative/one-fifty", -150, "RUB", "-1,50" + s + "₽"},
		{"negative/thousands", -250000, "BYN", "-2" + s + "500,00" + s + "BYN"},
		{"three-digits", 99999, "RUB", "999,99" + s + "₽"},
		{"thousand", 100000, "RUB", "1" + s + "000,00" + s + "₽"},
		{"millions", 123456789, "RUB", "1" + s + "234" + s + "567,89" + s + "₽"},
		{"code/BYN", 4500, "BYN", "45,00" + s + "BYN"},
		{"code/other", 100, "USD", "1,00" + s + "USD"},
		{"min-int64", math.MinInt64, "RUB", "-92" + s + "233" + s + "720" + s + "368" + s + "547" + s + "758,08" + s + "₽"},
		{"max-int64", math.MaxInt64, "RUB", "92" + s + "233" + s + "720" + s + "368" + s + "547" + s + "758,07" + s + "₽"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Format(tc.minor, tc.currency))
		})
	}
}

func TestFigures(t *testing.T) {
	assert.Equal(t, "-1,50", Figures(-150))
	assert.Equal(t, "0,00", Figures(0))
	assert.Equal(t, "1\u00a0234\u00a0567,89", Figures(123456789))
}
