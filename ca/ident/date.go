package ident

import (
	"strings"
	"time"
)

// PassportIssuedKind names the Russian passport's date of issue in errors.
const PassportIssuedKind Kind = "ru_passport_issued"

// FirstPassportOfCurrentForm: Russian passports of the current form are
// issued since 1 October 1997 (government decree 828 of 8 July 1997); an
// earlier date of issue is a typo.
var FirstPassportOfCurrentForm = time.Date(1997, 10, 1, 0, 0, 0, 0, time.UTC)

// moscow is Europe/Moscow's offset, UTC+3 all year since 2014: the date
// of issue is a date in Russia, where "today" may already have begun.
const moscow = 3 * time.Hour

// PassportIssued reads a Russian passport's date of issue as the form
// writes it, ДД.ММ.ГГГГ (one-digit day and month accepted), or as the API
// does, YYYY-MM-DD, and keeps it between FirstPassportOfCurrentForm and
// today in Moscow. The date is returned at midnight UTC.
func PassportIssued(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, &Error{Kind: PassportIssuedKind, Reason: ErrEmpty,
			RU: "Укажите дату выдачи паспорта в виде ДД.ММ.ГГГГ.", EN: "Enter the passport's date of issue as DD.MM.YYYY."}
	}
	d, err := time.Parse("2006-01-02", v)
	if err != nil {
		if d, err = time.Parse("2.1.2006", v); err != nil {
			return time.Time{}, &Error{Kind: PassportIssuedKind, Reason: ErrFormat,
				RU: "Дата выдачи паспорта пишется как ДД.ММ.ГГГГ, например 01.06.2015.",
				EN: "The passport's date of issue is written as DD.MM.YYYY, for example 01.06.2015."}
		}
	}
	today := now.UTC().Add(moscow)
	if d.After(today) {
		return time.Time{}, &Error{Kind: PassportIssuedKind, Reason: ErrFormat,
			RU: "Дата выдачи паспорта не может быть позже сегодняшнего дня.", EN: "The passport's date of issue cannot be later than today."}
	}
	if d.Before(FirstPassportOfCurrentForm) {
		return time.Time{}, &Error{Kind: PassportIssuedKind, Reason: ErrFormat,
			RU: "Паспорта нынешнего образца выдаются с 01.10.1997: проверьте год выдачи.",
			EN: "Passports of the current form are issued since 01.10.1997: check the year of issue."}
	}
	return d, nil
}
