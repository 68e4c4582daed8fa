package docs

import (
	"errors"
	"fmt"
	"strings"
)

// Totals are the sums of a document in minor units. VAT is computed on the
// sum of the lines and rounded half up to minor units.
type Totals struct {
	Sum   int64 // "Итого": Σ quantity × price, as priced (with VAT if it is included)
	VAT   int64 // the VAT, included in Sum or added to it; 0 without VAT
	Net   int64 // the amount without VAT
	Total int64 // "Всего к оплате": the amount with VAT
}

// maxAmount bounds every amount (10 trillion roubles), so that no sum nor
// VAT computation can overflow int64.
const maxAmount = 1_000_000_000_000_000

// lineTotal is one line's share of the totals: the VAT of a document is
// distributed over its lines so that the lines add up to Totals exactly.
type lineTotal struct{ amount, net, vat, gross int64 }

// ComputeTotals validates the lines and the VAT rate and computes the
// totals: with VAT included, VAT = Sum×rate/(100+rate) and Total = Sum;
// otherwise VAT = Sum×rate/100 and Total = Sum+VAT; rounding is half up.
func ComputeTotals(lines []Line, vatRate int, vatIncluded bool) (Totals, error) {
	t, _, err := computeTotals(lines, vatRate, vatIncluded)
	return t, err
}

func computeTotals(lines []Line, rate int, included bool) (Totals, []lineTotal, error) {
	if len(lines) == 0 {
		return Totals{}, nil, errors.New("docs: the document has no lines")
	}
	if rate < 0 || rate > 100 {
		return Totals{}, nil, fmt.Errorf("docs: VAT rate %d%%, want 0..100", rate)
	}
	per := make([]lineTotal, len(lines))
	var sum int64
	for i, l := range lines {
		switch {
		case strings.TrimSpace(l.Name) == "":
			return Totals{}, nil, fmt.Errorf("docs: line %d has no name", i+1)
		case strings.TrimSpace(l.Unit) == "":
			return Totals{}, nil, fmt.Errorf("docs: line %d has no unit", i+1)
		case l.Quantity <= 0:
			return Totals{}, nil, fmt.Errorf("docs: line %d: quantity %d, want > 0", i+1, l.Quantity)
		case l.PriceMinor < 0:
			return Totals{}, nil, fmt.Errorf("docs: line %d: negative price %d", i+1, l.PriceMinor)
		case l.PriceMinor > 0 && int64(l.Quantity) > maxAmount/l.PriceMinor:
			return Totals{}, nil, fmt.Errorf("docs: line %d: amount too large", i+1)
		}
		per[i].amount = int64(l.Quantity) * l.PriceMinor
		sum += per[i].amount
		if sum > maxAmount {
			return Totals{}, nil, errors.New("docs: the total is too large")
		}
	}
	den := int64(100)
	if included {
		den += int64(rate)
	}
	vat := halfUp(sum*int64(rate), den)

	// Largest remainder: each line gets the floor of its exact VAT, the
	// units left go to the lines with the largest remainders (the earlier
	// line on a tie), so the lines' VAT adds up to vat.
	rems := make([]int64, len(per))
	left := vat
	for i := range per {
		num := per[i].amount * int64(rate)
		per[i].vat, rems[i] = num/den, num%den
		left -= per[i].vat
	}
	for ; left > 0; left-- {
		best := -1
		for i, r := range rems {
			if r > 0 && (best < 0 || r > rems[best]) {
				best = i
			}
		}
		per[best].vat++
		rems[best] = 0
	}
	for i := range per {
		if included {
			per[i].net, per[i].gross = per[i].amount-per[i].vat, per[i].amount
		} else {
			per[i].net, per[i].gross = per[i].amount, per[i].amount+per[i].vat
		}
	}
	t := Totals{Sum: sum, VAT: vat, Net: sum, Total: sum + vat}
	if included {
		t.Net, t.Total = sum-vat, sum
	}
	return t, per, nil
}

// halfUp is num/den rounded half up, for num >= 0 and den > 0.
func halfUp(num, den int64) int64 { return (num + den/2) / den }

// currency describes a currency for amounts in figures and in words.
type currency struct {
	code  string    // ISO 4217 numeric code
	name  string    // e.g. "Российский рубль"
	major [3]string // one, few, many: "рубль", "рубля", "рублей"
}

var currencies = map[string]currency{
	"RUB": {"643", "Российский рубль", [3]string{"рубль", "рубля", "рублей"}},
	"BYN": {"933", "Белорусский рубль", [3]string{"белорусский рубль", "белорусских рубля", "белорусских рублей"}},
}
