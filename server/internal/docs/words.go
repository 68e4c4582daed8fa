package docs

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

var monthsGenitive = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля",
	"августа", "сентября", "октября", "ноября", "декабря"}

// longDate formats t in its own location as "14 марта 2026 г.".
func longDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d г.", t.Day(), monthsGenitive[t.Month()-1], t.Year())
}

// Russian number words.
var (
	onesMasc = [...]string{"", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"}
	onesFem  = [...]string{"", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"}
	teens    = [...]string{"десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать",
		"пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"}
	tens = [...]string{"", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят",
		"семьдесят", "восемьдесят", "девяносто"}
	hundreds = [...]string{"", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот",
		"семьсот", "восемьсот", "девятьсот"}
	// scales above the units: thousands are feminine, the rest masculine.
	scales = [...][3]string{
		{"тысяча", "тысячи", "тысяч"},
		{"миллион", "миллиона", "миллионов"},
		{"миллиард", "миллиарда", "миллиардов"},
		{"триллион", "триллиона", "триллионов"},
		{"квадриллион", "квадриллиона", "квадриллионов"},
		{"квинтиллион", "квинтиллиона", "квинтиллионов"},
	}
	kopecks = [3]string{"копейка", "копейки", "копеек"}
)

// plural chooses the form for n: 0 for 1, 21, 101… ("рубль"), 1 for 2–4,
// 22–24… ("рубля"), 2 for the rest, including 11–14 ("рублей").
func plural(n uint64) int {
	switch n10, n100 := n%10, n%100; {
	case n100 >= 11 && n100 <= 14:
		return 2
	case n10 == 1:
		return 0
	case n10 >= 2 && n10 <= 4:
		return 1
	}
	return 2
}

// triad appends the words for 1 <= n <= 999.
func triad(words []string, n uint64, feminine bool) []string {
	if h := n / 100; h > 0 {
		words = append(words, hundreds[h])
	}
	switch t, o := n/10%10, n%10; {
	case t == 1:
		words = append(words, teens[o])
	default:
		if t > 1 {
			words = append(words, tens[t])
		}
		if o > 0 && feminine {
			words = append(words, onesFem[o])
		} else if o > 0 {
			words = append(words, onesMasc[o])
		}
	}
	return words
}

// AmountInWords writes an amount of minor units in Russian as payment
// documents do, the whole units in words and the kopecks in figures:
// AmountInWords(250050, "RUB") = "Две тысячи пятьсот рублей 50 копеек",
// AmountInWords(4500, "BYN") = "Сорок пять белорусских рублей 00 копеек",
// AmountInWords(1, "RUB") = "Ноль рублей 01 копейка". A negative amount
// starts with "Минус". For a currency other than RUB and BYN the whole units
// are followed by the code and the minor units as a fraction:
// "Сорок пять USD 00/100".
func AmountInWords(minor int64, currencyCode string) string {
	u := uint64(minor)
	var words []string
	if minor < 0 {
		u = -u // also right for math.MinInt64
		words = append(words, "минус")
	}
	whole, frac := u/100, u%100
	if whole == 0 {
		words = append(words, "ноль")
	} else {
		var groups []uint64 // units, thousands, millions…
		for n := whole; n > 0; n /= 1000 {
			groups = append(groups, n%1000)
		}
		for i := len(groups) - 1; i >= 1; i-- {
			if g := groups[i]; g > 0 {
				words = triad(words, g, i == 1)
				words = append(words, scales[i-1][plural(g)])
			}
		}
		if groups[0] > 0 {
			words = triad(words, groups[0], false) // both currencies are masculine
		}
	}
	c, ok := currencies[currencyCode]
	if ok {
		words = append(words, c.major[plural(whole%1000)], fmt.Sprintf("%02d", frac), kopecks[plural(frac)])
	} else {
		words = append(words, currencyCode, fmt.Sprintf("%02d/100", frac))
	}
	s := strings.Join(words, " ")
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}
