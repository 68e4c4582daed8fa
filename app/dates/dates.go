// Package dates writes dates and times for people, one way everywhere:
// the wizard, the head's page, PDFs and e-mails. Like app/money it
// imports only the standard library, so the browser and the server share
// it.
//
// A date is written in the page's language and in the time zone of the
// jurisdiction: "1 июня 2015 г." / "1 June 2015", a time "14:05 (МСК)".
// Europe/Moscow and Europe/Minsk are both UTC+3 with no daylight saving
// (Moscow since October 2014, Minsk since 2011), so the zone is a fixed
// offset rather than time.LoadLocation: the WASM build has no zoneinfo
// and time/tzdata would add about 450 kB to app.wasm for one offset. A
// date before those changes would be shown at +3 as well; the dates we
// show (certificates, applications, payments) are all later.
package dates

import (
	"strconv"
	"time"
)

var (
	moscow = time.FixedZone("MSK", 3*60*60)
	minsk  = time.FixedZone("Minsk", 3*60*60)
)

// Zone is the time zone of a jurisdiction ("RU", "BY"); Moscow's for an
// unknown one, the service's own.
func Zone(jurisdiction string) *time.Location {
	if jurisdiction == "BY" {
		return minsk
	}
	return moscow
}

var monthsRU = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня",
	"июля", "августа", "сентября", "октября", "ноября", "декабря"}

// Date is "1 июня 2015 г." in Russian, "1 June 2015" in English.
func Date(t time.Time, jurisdiction, lang string) string {
	t = t.In(Zone(jurisdiction))
	if lang == "en" {
		return t.Format("2 January 2006")
	}
	return strconv.Itoa(t.Day()) + " " + monthsRU[t.Month()-1] + " " + strconv.Itoa(t.Year()) + " г."
}

// Clock is "14:05 (МСК)" in Russia, "14:05 (Minsk)" in English for
// Belarus: the hour and minute with the zone named.
func Clock(t time.Time, jurisdiction, lang string) string {
	return t.In(Zone(jurisdiction)).Format("15:04") + " (" + zoneName(jurisdiction, lang) + ")"
}

// DateTime is "1 июня 2015 г., 14:05 (МСК)".
func DateTime(t time.Time, jurisdiction, lang string) string {
	return Date(t, jurisdiction, lang) + ", " + Clock(t, jurisdiction, lang)
}

// Numeric is "01.06.2015", the form of dates in document headers and
// tables (the same in both languages), in the jurisdiction's zone.
func Numeric(t time.Time, jurisdiction string) string {
	return t.In(Zone(jurisdiction)).Format("02.01.2006")
}

// Year is the calendar year at t in the jurisdiction's zone: the year a
// readable number carries is the one the person sees on the date.
func Year(t time.Time, jurisdiction string) int {
	return t.In(Zone(jurisdiction)).Year()
}

func zoneName(jurisdiction, lang string) string {
	switch {
	case jurisdiction == "BY" && lang == "en":
		return "Minsk"
	case jurisdiction == "BY":
		return "Минск"
	case lang == "en":
		return "Moscow"
	default:
		return "МСК"
	}
}
