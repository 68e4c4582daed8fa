// Package ident checks the identifiers that appear in Russian and Belarusian
// qualified certificates and in the renewal forms: ИНН, СНИЛС, ОГРН, ОГРНИП,
// the Russian passport, the Belarusian УНП and personal (identification)
// number.
//
// One implementation serves the browser (GOOS=js GOARCH=wasm) and the
// certification authority, so the package uses the standard library only and
// no reflection-heavy formatting.
//
// Two entry points exist:
//
//   - Check normalises what a person typed (spaces, dashes, lower case,
//     Cyrillic look-alike letters) and returns the canonical form.
//   - CheckINN, CheckSNILS, CheckOGRN, CheckOGRNIP and CheckUNP validate a value
//     that must already be canonical (for example a NumericString read from a
//     certificate): they normalise nothing.
//
// Every failure is an *Error whose Reason is one of ErrEmpty, ErrFormat,
// ErrChecksum or ErrUnknownKind (reachable with errors.Is) and which carries a
// Russian and an English message meant for a person.
package ident

import (
	"errors"
	"strings"
)

// Kind names an identifier.
type Kind string

// The identifiers this package knows.
const (
	INNLegal         Kind = "inn_legal"          // ИНН ЮЛ, 10 digits
	INNPerson        Kind = "inn_person"         // ИНН ФЛ, 12 digits
	SNILS            Kind = "snils"              // 11 digits
	OGRN             Kind = "ogrn"               // 13 digits
	OGRNIP           Kind = "ogrnip"             // 15 digits
	UNP              Kind = "unp"                // Belarus taxpayer number, 9 characters
	BYPersonalNumber Kind = "by_personal_number" // Belarus identification (personal) number, 14 characters
	RUPassport       Kind = "ru_passport"        // series 4 digits + number 6 digits
)

// Reasons of failure; an *Error wraps exactly one of them.
var (
	ErrEmpty       = errors.New("empty value")
	ErrFormat      = errors.New("wrong format")
	ErrChecksum    = errors.New("check digits do not match")
	ErrUnknownKind = errors.New("unknown identifier kind")
)

// Error describes why a value was refused.
type Error struct {
	Kind   Kind   // the kind that was checked
	Reason error  // ErrEmpty, ErrFormat, ErrChecksum or ErrUnknownKind
	RU, EN string // messages for a person
}

// Error returns a short English description, e.g. "snils: check digits do not match".
func (e *Error) Error() string {
	prefix := string(e.Kind)
	if prefix == "" {
		prefix = "ident"
	}
	if e.Reason == nil {
		return prefix + ": invalid value"
	}
	return prefix + ": " + e.Reason.Error()
}

// Unwrap returns the Reason, so errors.Is(err, ErrChecksum) works.
func (e *Error) Unwrap() error { return e.Reason }

// info holds the names and messages of one kind.
type info struct {
	nameRU, nameEN     string
	emptyRU, emptyEN   string // nothing was entered
	formatRU, formatEN string // what the value must look like
	sumRU, sumEN       string // the check digits do not match
}

var kindsOrder = []Kind{INNLegal, INNPerson, SNILS, OGRN, OGRNIP, RUPassport, UNP, BYPersonalNumber}

var infos = map[Kind]*info{
	INNLegal: {
		nameRU: "ИНН организации", nameEN: "INN of an organisation (taxpayer number)",
		emptyRU: "Укажите ИНН организации", emptyEN: "Please enter the organisation's INN",
		formatRU: "ИНН организации — 10 цифр", formatEN: "An organisation's INN has 10 digits",
		sumRU: "ИНН организации: контрольная цифра не совпадает — проверьте цифры",
		sumEN: "Organisation's INN: the check digit does not match — please check the number",
	},
	INNPerson: {
		nameRU: "ИНН физического лица", nameEN: "INN of a person (taxpayer number)",
		emptyRU: "Укажите ИНН", emptyEN: "Please enter the INN",
		formatRU: "ИНН физического лица — 12 цифр", formatEN: "A person's INN has 12 digits",
		sumRU: "ИНН: контрольные цифры не совпадают — проверьте цифры",
		sumEN: "INN: the check digits do not match — please check the number",
	},
	SNILS: {
		nameRU: "СНИЛС", nameEN: "SNILS (insurance number)",
		emptyRU: "Укажите СНИЛС", emptyEN: "Please enter the SNILS",
		formatRU: "СНИЛС — 11 цифр, например 123-456-789 01",
		formatEN: "A SNILS has 11 digits, for example 123-456-789 01",
		sumRU:    "СНИЛС: контрольное число не совпадает — проверьте цифры",
		sumEN:    "SNILS: the check digits do not match — please check the number",
	},
	OGRN: {
		nameRU: "ОГРН", nameEN: "OGRN (state registration number of an organisation)",
		emptyRU: "Укажите ОГРН", emptyEN: "Please enter the OGRN",
		formatRU: "ОГРН — 13 цифр, первая цифра 1 или 5",
		formatEN: "An OGRN has 13 digits and starts with 1 or 5",
		sumRU:    "ОГРН: контрольная цифра не совпадает — проверьте цифры",
		sumEN:    "OGRN: the check digit does not match — please check the number",
	},
	OGRNIP: {
		nameRU: "ОГРНИП", nameEN: "OGRNIP (state registration number of a sole proprietor)",
		emptyRU: "Укажите ОГРНИП", emptyEN: "Please enter the OGRNIP",
		formatRU: "ОГРНИП — 15 цифр, первая цифра 3",
		formatEN: "An OGRNIP has 15 digits and starts with 3",
		sumRU:    "ОГРНИП: контрольная цифра не совпадает — проверьте цифры",
		sumEN:    "OGRNIP: the check digit does not match — please check the number",
	},
	RUPassport: {
		nameRU: "Паспорт РФ (серия и номер)", nameEN: "Russian passport (series and number)",
		emptyRU: "Укажите серию и номер паспорта", emptyEN: "Please enter the passport series and number",
		formatRU: "Паспорт: серия — 4 цифры, номер — 6 цифр, например 45 06 123456",
		formatEN: "Passport: the series has 4 digits and the number 6 digits, for example 45 06 123456",
		// A Russian passport has no check digit; kept for completeness.
		sumRU: "Паспорт: номер не прошёл проверку", sumEN: "Passport: the number failed the check",
	},
	UNP: {
		nameRU: "УНП", nameEN: "UNP (Belarusian taxpayer number)",
		emptyRU: "Укажите УНП", emptyEN: "Please enter the UNP",
		formatRU: "УНП — 9 знаков: 9 цифр (первая от 1 до 7) или две буквы и 7 цифр, например MA1953684",
		formatEN: "A UNP has 9 characters: 9 digits (the first 1 to 7) or two letters and 7 digits, for example MA1953684",
		sumRU:    "УНП: контрольная цифра не совпадает — проверьте номер",
		sumEN:    "UNP: the check digit does not match — please check the number",
	},
	BYPersonalNumber: {
		nameRU: "Идентификационный номер", nameEN: "Belarusian personal (identification) number",
		emptyRU: "Укажите идентификационный номер", emptyEN: "Please enter the personal identification number",
		formatRU: "Идентификационный номер — 14 знаков: 7 цифр (первая от 1 до 6, затем дата рождения ДДММГГ), буква области, 3 цифры, PB, BA или BI и цифра, например 3120680A001PB7",
		formatEN: "A personal number has 14 characters: 7 digits (the first 1 to 6, then the birth date DDMMYY), a region letter, 3 digits, PB, BA or BI and a digit, for example 3120680A001PB7",
		// Format only: there is no check digit verification for this kind.
		sumRU: "Идентификационный номер не прошёл проверку", sumEN: "The personal number failed the check",
	},
}

// Kinds lists all kinds in a stable order.
func Kinds() []Kind {
	out := make([]Kind, len(kindsOrder))
	copy(out, kindsOrder)
	return out
}

// Name returns a short human name of the kind in Russian and English.
// For an unknown kind both are empty.
func Name(kind Kind) (ru, en string) {
	in, ok := infos[kind]
	if !ok {
		return "", ""
	}
	return in.nameRU, in.nameEN
}

func newErr(kind Kind, reason error, ru, en string) error {
	return &Error{Kind: kind, Reason: reason, RU: ru, EN: en}
}

func errEmpty(kind Kind) error {
	in := infos[kind]
	return newErr(kind, ErrEmpty, in.emptyRU, in.emptyEN)
}

func errFormat(kind Kind) error {
	in := infos[kind]
	return newErr(kind, ErrFormat, in.formatRU, in.formatEN)
}

func errChecksum(kind Kind) error {
	in := infos[kind]
	return newErr(kind, ErrChecksum, in.sumRU, in.sumEN)
}

func errZeros(kind Kind) error {
	in := infos[kind]
	return newErr(kind, ErrFormat,
		in.nameRU+" не может состоять из одних нулей",
		in.nameEN+" cannot be all zeros")
}

// Check validates value for kind and returns its canonical form: digits only
// for ИНН, СНИЛС, ОГРН, ОГРНИП and the passport (spaces and dashes removed; any
// other character is ErrFormat); for УНП and the Belarusian personal number
// upper case with Cyrillic look-alike letters mapped to Latin. Leading and
// trailing white space is ignored. On failure it returns "" and an *Error.
func Check(kind Kind, value string) (string, error) {
	if _, ok := infos[kind]; !ok {
		return "", newErr(kind, ErrUnknownKind,
			"Неизвестный вид идентификатора: "+string(kind),
			"Unknown identifier kind: "+string(kind))
	}
	var (
		s  string
		ok bool
	)
	switch kind {
	case UNP, BYPersonalNumber:
		s, ok = normalizeAlnum(value)
	default:
		s, ok = normalizeDigits(value)
	}
	if s == "" && ok {
		return "", errEmpty(kind)
	}
	if !ok {
		return "", errFormat(kind)
	}
	var err error
	switch kind {
	case INNLegal:
		err = checkINN10(s)
	case INNPerson:
		err = checkINN12(s)
	case SNILS:
		err = checkSNILS(s)
	case OGRN:
		err = checkOGRN(s)
	case OGRNIP:
		err = checkOGRNIP(s)
	case RUPassport:
		err = checkPassport(s)
	case UNP:
		err = checkUNP(s)
	case BYPersonalNumber:
		err = checkPersonalNumber(s)
	}
	if err != nil {
		return "", err
	}
	return s, nil
}

// CheckINN validates a canonical ИНН (digits only): 10 digits for an
// organisation, 12 for a person, chosen by length.
func CheckINN(s string) error {
	switch {
	case s == "":
		return errEmpty(INNLegal)
	case len(s) == 10:
		return checkINN10(s)
	case len(s) == 12:
		return checkINN12(s)
	}
	kind := INNLegal
	if len(s) > 10 {
		kind = INNPerson
	}
	return newErr(kind, ErrFormat,
		"ИНН — 10 цифр у организации или 12 цифр у физического лица",
		"An INN has 10 digits (organisation) or 12 digits (person)")
}

// CheckSNILS validates a canonical СНИЛС (11 digits, no separators).
func CheckSNILS(s string) error {
	if s == "" {
		return errEmpty(SNILS)
	}
	return checkSNILS(s)
}

// CheckOGRN validates a canonical ОГРН (13 digits).
func CheckOGRN(s string) error {
	if s == "" {
		return errEmpty(OGRN)
	}
	return checkOGRN(s)
}

// CheckOGRNIP validates a canonical ОГРНИП (15 digits).
func CheckOGRNIP(s string) error {
	if s == "" {
		return errEmpty(OGRNIP)
	}
	return checkOGRNIP(s)
}

// CheckUNP validates a canonical УНП (9 characters, Latin upper-case letters).
func CheckUNP(s string) error {
	if s == "" {
		return errEmpty(UNP)
	}
	return checkUNP(s)
}

// ---- normalisation ----

// isSeparator reports characters people put between groups of digits.
func isSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '-',
		'\u00a0',                                                   // no-break space
		'\u2007',                                                   // figure space
		'\u202f',                                                   // narrow no-break space
		'\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212': // hyphens, dashes, minus
		return true
	}
	return false
}

// normalizeDigits keeps digits and drops separators. ok is false if any other
// character is present.
func normalizeDigits(v string) (string, bool) {
	v = strings.TrimSpace(v)
	var b strings.Builder
	b.Grow(len(v))
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteByte(byte(r))
		case isSeparator(r):
		default:
			return "", false
		}
	}
	return b.String(), true
}

// lookalike maps Cyrillic letters that look like Latin ones (both cases) to
// upper-case Latin. Belarusian І (as in the citizenship code BI) is included.
var lookalike = map[rune]byte{
	'А': 'A', 'а': 'A',
	'В': 'B', 'в': 'B',
	'С': 'C', 'с': 'C',
	'Е': 'E', 'е': 'E',
	'Н': 'H', 'н': 'H',
	'К': 'K', 'к': 'K',
	'М': 'M', 'м': 'M',
	'О': 'O', 'о': 'O',
	'Р': 'P', 'р': 'P',
	'Т': 'T', 'т': 'T',
	'І': 'I', 'і': 'I',
}

// normalizeAlnum keeps digits, upper-cases Latin letters, maps Cyrillic
// look-alikes to Latin and drops separators. ok is false for anything else.
func normalizeAlnum(v string) (string, bool) {
	v = strings.TrimSpace(v)
	var b strings.Builder
	b.Grow(len(v))
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteByte(byte(r))
		case r >= 'a' && r <= 'z':
			b.WriteByte(byte(r - 'a' + 'A'))
		case isSeparator(r):
		default:
			c, ok := lookalike[r]
			if !ok {
				return "", false
			}
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// ---- digit-level checks on canonical values ----

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allZeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

// weighted returns (Σ w[i]·d[i]) for the first len(w) digits of s.
func weighted(s string, w []int) int {
	sum := 0
	for i, k := range w {
		sum += int(s[i]-'0') * k
	}
	return sum
}

// number returns the first n digits of s as an integer (n ≤ 19).
func number(s string, n int) uint64 {
	var v uint64
	for i := 0; i < n; i++ {
		v = v*10 + uint64(s[i]-'0')
	}
	return v
}

var (
	innW10  = []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	innW11  = []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	innW12  = []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	unpW    = []int{29, 23, 19, 17, 13, 7, 5, 3}
	snilsLo = uint64(1001998) // 001-001-998: numbers up to this one carry no check
)

// checkINN10: weights 2,4,10,3,5,9,4,6,8 on d1..d9; (Σ mod 11) mod 10 = d10.
func checkINN10(s string) error {
	if len(s) != 10 || !allDigits(s) {
		return errFormat(INNLegal)
	}
	if allZeros(s) {
		return errZeros(INNLegal)
	}
	if weighted(s, innW10)%11%10 != int(s[9]-'0') {
		return errChecksum(INNLegal)
	}
	return nil
}

// checkINN12: d11 from weights 7,2,4,10,3,5,9,4,6,8 on d1..d10, d12 from
// weights 3,7,2,4,10,3,5,9,4,6,8 on d1..d11, each (Σ mod 11) mod 10.
func checkINN12(s string) error {
	if len(s) != 12 || !allDigits(s) {
		return errFormat(INNPerson)
	}
	if allZeros(s) {
		return errZeros(INNPerson)
	}
	if weighted(s, innW11)%11%10 != int(s[10]-'0') ||
		weighted(s, innW12)%11%10 != int(s[11]-'0') {
		return errChecksum(INNPerson)
	}
	return nil
}

// checkOGRN: 13 digits, (first 12 digits as a number mod 11) mod 10 = d13.
//
// The first digit is the record-type sign. Only 1 and 5 denote the ОГРН of a
// legal entity (2, 4, 6–9 are numbers of other register records, 3 is an
// ОГРНИП), so only 1 and 5 are accepted here.
func checkOGRN(s string) error {
	if len(s) != 13 || !allDigits(s) || (s[0] != '1' && s[0] != '5') {
		return errFormat(OGRN)
	}
	if number(s, 12)%11%10 != uint64(s[12]-'0') {
		return errChecksum(OGRN)
	}
	return nil
}

// checkOGRNIP: 15 digits, (first 14 digits as a number mod 13) mod 10 = d15.
// A remainder of 10, 11 or 12 gives 0, 1 or 2 (integer arithmetic; a
// widely copied implementation gets these wrong). Only the first digit 3 (the
// ОГРНИП of a sole proprietor) is accepted.
func checkOGRNIP(s string) error {
	if len(s) != 15 || !allDigits(s) || s[0] != '3' {
		return errFormat(OGRNIP)
	}
	if number(s, 14)%13%10 != uint64(s[14]-'0') {
		return errChecksum(OGRNIP)
	}
	return nil
}

// checkSNILS: 11 digits; S = Σ d_i·(10−i), i = 1..9; control = (S mod 101)
// mod 100 compared with d10d11. Numbers up to 001-001-998 are accepted on
// format alone. A number part of 000-000-000 is refused as a format error
// (whatever the control digits).
func checkSNILS(s string) error {
	if len(s) != 11 || !allDigits(s) {
		return errFormat(SNILS)
	}
	n := number(s, 9)
	if n == 0 {
		return errZeros(SNILS)
	}
	if n <= snilsLo {
		return nil
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(s[i]-'0') * (9 - i)
	}
	control := int(s[9]-'0')*10 + int(s[10]-'0')
	if sum%101%100 != control {
		return errChecksum(SNILS)
	}
	return nil
}

// checkPassport: series 4 digits + number 6 digits, no check digit. Neither
// the series nor the number may be all zeros.
func checkPassport(s string) error {
	if len(s) != 10 || !allDigits(s) {
		return errFormat(RUPassport)
	}
	if allZeros(s[:4]) || allZeros(s[4:]) {
		return newErr(RUPassport, ErrFormat,
			"Паспорт: серия и номер не могут состоять из одних нулей",
			"Passport: neither the series nor the number can be all zeros")
	}
	return nil
}
