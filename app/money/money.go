// Package money writes amounts for people, one way everywhere: the wizard,
// PDFs, the sandbox pages, e-mails and the command line. It imports only
// the standard library, so the browser and the server share it.
//
// The convention is the Russian one: the whole units grouped by three with
// a no-break space, a decimal comma, two minor digits, then a no-break
// space and the currency, the sign ₽ for RUB and the ISO code otherwise:
// "1 234 567,89 ₽", "45,00 BYN", "-0,05 ₽". The no-break space (U+00A0)
// keeps an amount on one line and exists in Windows-1251 and in the PDF
// fonts, which a thin space (U+2009, U+202F) does not; the minus is the
// ASCII hyphen-minus for the same reason.
//
// Machine formats (the 1CClientBankExchange "2500.00") are not for people
// and keep their own writers.
package money

import "strconv"

// Space separates the groups of digits and the currency.
const Space = "\u00a0"

// Format writes minor units (kopecks) of currency: Format(123456789, "RUB")
// is "1 234 567,89 ₽".
func Format(minor int64, currency string) string {
	return Figures(minor) + Space + Symbol(currency)
}

// Figures writes minor units without the currency, for a column or a line
// that names the currency elsewhere: Figures(-150) is "-1,50".
func Figures(minor int64) string {
	u := uint64(minor)
	if minor < 0 {
		u = -u // also right for math.MinInt64
	}
	digits := strconv.FormatUint(u/100, 10)
	b := make([]byte, 0, len(digits)*2+5)
	if minor < 0 {
		b = append(b, '-')
	}
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, Space...)
		}
		b = append(b, digits[i])
	}
	frac := u % 100
	return string(append(b, ',', byte('0'+frac/10), byte('0'+frac%10)))
}

// Symbol is what follows an amount: ₽ for RUB, the code for the others.
func Symbol(currency string) string {
	if currency == "RUB" {
		return "₽"
	}
	return currency
}
