package ident

import (
	"strconv"
	"strings"
)

// PassportIssuedKind names the Russian passport's date of issue in errors.
const PassportIssuedKind Kind = "ru_passport_issued"

// FirstPassportOfCurrentForm: Russian passports of the current form are
// issued since 1 October 1997 (government decree 828 of 8 July 1997); an
// earlier date of issue is a typo.
const FirstPassportOfCurrentForm = "1997-10-01"

// PassportIssued reads a Russian passport's date of issue as the form
// writes it, ДД.ММ.ГГГГ (one-digit day and month accepted), or as the API
// does, YYYY-MM-DD, and keeps it between FirstPassportOfCurrentForm and
// today (YYYY-MM-DD, the date in Moscow, where the passport was issued).
// It returns the date as YYYY-MM-DD. Dates are compared as these strings,
// so the package needs no time (which pulls syscall/js into the browser).
func PassportIssued(v, today string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", &Error{Kind: PassportIssuedKind, Reason: ErrEmpty,
			RU: "Укажите дату выдачи паспорта в виде ДД.ММ.ГГГГ.", EN: "Enter the passport's date of issue as DD.MM.YYYY."}
	}
	d, ok := civilDate(v)
	if !ok {
		return "", &Error{Kind: PassportIssuedKind, Reason: ErrFormat,
			RU: "Дата выдачи паспорта пишется как ДД.ММ.ГГГГ, например 01.06.2015.",
			EN: "The passport's date of issue is written as DD.MM.YYYY, for example 01.06.2015."}
	}
	if d > today {
		return "", &Error{Kind: PassportIssuedKind, Reason: ErrFormat,
			RU: "Дата выдачи паспорта не может быть позже сегодняшнего дня.", EN: "The passport's date of issue cannot be later than today."}
	}
	if d < FirstPassportOfCurrentForm {
		return "", &Error{Kind: PassportIssuedKind, Reason: ErrFormat,
			RU: "Паспорта нынешнего образца выдаются с 01.10.1997: проверьте год выдачи.",
			EN: "Passports of the current form are issued since 01.10.1997: check the year of issue."}
	}
	return d, nil
}

// civilDate reads YYYY-MM-DD or D.M.YYYY into YYYY-MM-DD, refusing a day
// the month does not have.
func civilDate(v string) (string, bool) {
	var y, m, d string
	if p := strings.Split(v, "-"); len(p) == 3 && len(p[0]) == 4 && len(p[1]) == 2 && len(p[2]) == 2 {
		y, m, d = p[0], p[1], p[2]
	} else if p := strings.Split(v, "."); len(p) == 3 && len(p[2]) == 4 && len(p[0]) >= 1 && len(p[0]) <= 2 && len(p[1]) >= 1 && len(p[1]) <= 2 {
		y, m, d = p[2], p[1], p[0]
	} else {
		return "", false
	}
	year, ey := dateNumber(y)
	month, em := dateNumber(m)
	day, ed := dateNumber(d)
	if !ey || !em || !ed || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return "", false
	}
	return y + "-" + pad2(month) + "-" + pad2(day), true
}

func dateNumber(s string) (int, bool) {
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
