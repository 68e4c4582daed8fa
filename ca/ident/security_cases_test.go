package ident

import "testing"

// The identifier cases of docs/security-cases.md with the exact values the
// catalogue names. Each other value is the neighbour a wrong implementation
// would accept or refuse.

// TestCase18OGRNIPRemainder11: 30477000000003 mod 13 = 11, so the control
// digit is 11 mod 10 = 1. The widely copied implementation that compares
// the remainder itself (or its last digit only when < 10) refuses it.
func TestCase18OGRNIPRemainder11(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "ok/ogrnip-304770000000031", kind: OGRNIP, in: "304770000000031", want: "304770000000031"},
		{name: "fail/ogrnip-304770000000030-remainder-written-as-0", kind: OGRNIP, in: "304770000000030", err: ErrChecksum},
		{name: "fail/ogrnip-304770000000032", kind: OGRNIP, in: "304770000000032", err: ErrChecksum},
	})
}

// TestCase19SNILSSum201: the weighted sum of 002-999-989 is 201, and
// (201 mod 101) mod 100 = 0, so the control is "00". An implementation
// that stops at 201 mod 101 = 100 (or treats only sums of 100 and 101 as
// "00") refuses it.
func TestCase19SNILSSum201(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "ok/snils-00299998900", kind: SNILS, in: "00299998900", want: "00299998900"},
		{name: "ok/snils-002-999-989-00", kind: SNILS, in: "002-999-989 00", want: "00299998900"},
		{name: "fail/snils-00299998901", kind: SNILS, in: "00299998901", err: ErrChecksum},
		{name: "fail/snils-00299998999", kind: SNILS, in: "00299998999", err: ErrChecksum},
	})
}

// TestCase20Passport: series 4 digits and number 6, no check digit: any
// such pair is accepted, a short number or a letter is refused.
func TestCase20Passport(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "ok/passport-46-03-123456", kind: RUPassport, in: "46 03 123456", want: "4603123456"},
		{name: "ok/passport-4603-123456", kind: RUPassport, in: "4603 123456", want: "4603123456"},
		{name: "fail/passport-4603-12345", kind: RUPassport, in: "4603 12345", err: ErrFormat},
		{name: "fail/passport-latin-letter", kind: RUPassport, in: "46O3 123456", err: ErrFormat},
		{name: "fail/passport-cyrillic-letter", kind: RUPassport, in: "4603 12З456", err: ErrFormat},
		{name: "fail/passport-letters-series", kind: RUPassport, in: "АБ 03 123456", err: ErrFormat},
	})
}
