package ident

import "strings"

// Belarusian identifiers: УНП and the personal (identification) number.

const (
	unpFirstLetters  = "ABCEHKM"    // first character of an individual's УНП
	unpSecondLetters = "ABCEHKMOPT" // second character of an individual's УНП
)

// unpValue returns the value of character i (0 or 1 are the only positions
// that may hold letters) of a canonical УНП for the check-digit sum.
//
// Letter values. The first letter counts by its position in the Latin alphabet
// starting at A=10 (A10 B11 C12 E14 H17 K20 M22). The second letter counts by
// its index in "ABCEHKMOPT" (A0 B1 C2 E3 H4 K5 M6 O7 P8 T9), i.e. it stands in
// for a digit. This is what python-stdnum (stdnum/by/unp.py) and an independent
// TypeScript validator do, and it is the only rule found that accepts the
// published individual УНП MA1953684; giving the second letter its alphabetical
// value (A=10 …) would make the check digit of MA1953684 3, not 4. The tax
// ministry's own table was not available to confirm it.
func unpValue(s string, i int) int {
	c := s[i]
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	if i == 1 {
		return strings.IndexByte(unpSecondLetters, c)
	}
	return int(c-'A') + 10
}

// checkUNP validates a canonical УНП: 9 characters.
//   - legal entity (and numeric УНП in general): 9 digits, the first 1–7;
//   - individual: a letter of A B C E H K M, a letter of A B C E H K M O P T,
//     then 7 digits.
//
// c = Σ(29,23,19,17,13,7,5,3)·v over the first 8 characters mod 11; c = 10 is
// never valid; otherwise c must equal the 9th character.
func checkUNP(s string) error {
	if len(s) != 9 || !allDigits(s[2:]) {
		return errFormat(UNP)
	}
	switch {
	case allDigits(s[:2]):
		if s[0] < '1' || s[0] > '7' {
			return errFormat(UNP)
		}
	case strings.IndexByte(unpFirstLetters, s[0]) >= 0 && strings.IndexByte(unpSecondLetters, s[1]) >= 0:
	default:
		return errFormat(UNP)
	}
	sum := 0
	for i, w := range unpW {
		sum += w * unpValue(s, i)
	}
	c := sum % 11
	if c == 10 || c != int(s[8]-'0') {
		return errChecksum(UNP)
	}
	return nil
}

const byRegions = "ABCKEMH" // region (issuing authority) letters of a personal number

// checkPersonalNumber validates the format of a canonical Belarusian personal
// (identification) number, 14 characters:
//
//	1 digit 1–6 (century and sex), 6 digits birth date DDMMYY (day 01–31,
//	month 01–12), 1 region letter of A B C K E M H, 3 digits (serial),
//	2 letters of citizenship PB, BA or BI, 1 digit.
//
// Format only: the last digit is not verified as a check digit, because the
// algorithm is not published in a form we could confirm.
func checkPersonalNumber(s string) error {
	if len(s) != 14 {
		return errFormat(BYPersonalNumber)
	}
	if !allDigits(s[:7]) || s[0] < '1' || s[0] > '6' ||
		strings.IndexByte(byRegions, s[7]) < 0 ||
		!allDigits(s[8:11]) || !allDigits(s[13:]) {
		return errFormat(BYPersonalNumber)
	}
	day := int(s[1]-'0')*10 + int(s[2]-'0')
	month := int(s[3]-'0')*10 + int(s[4]-'0')
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return errFormat(BYPersonalNumber)
	}
	switch s[11:13] {
	case "PB", "BA", "BI":
	default:
		return errFormat(BYPersonalNumber)
	}
	return nil
}
