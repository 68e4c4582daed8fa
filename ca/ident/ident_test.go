package ident

import (
	"errors"
	"math/rand"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type checkCase struct {
	name string
	kind Kind
	in   string
	want string // canonical form when err is nil
	err  error  // expected sentinel
}

func runCheckCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Check(tc.kind, tc.in)
			if tc.err == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				// The canonical form is accepted again unchanged.
				again, err := Check(tc.kind, got)
				require.NoError(t, err)
				assert.Equal(t, got, again)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.err)
			assert.Empty(t, got)
			var e *Error
			require.True(t, errors.As(err, &e), "error must be *Error")
			assert.Equal(t, tc.kind, e.Kind)
			assert.NotEmpty(t, e.RU)
			assert.NotEmpty(t, e.EN)
			assert.Equal(t, string(tc.kind)+": "+tc.err.Error(), e.Error())
		})
	}
}

func TestCheckINN(t *testing.T) {
	runCheckCases(t, []checkCase{
		// Real organisations.
		{name: "ok/inn10-sberbank", kind: INNLegal, in: "7707083893", want: "7707083893"},
		{name: "ok/inn10-gazprom", kind: INNLegal, in: "7736050003", want: "7736050003"},
		{name: "ok/inn10-yandex", kind: INNLegal, in: "7736207543", want: "7736207543"},
		{name: "ok/inn10-vtb", kind: INNLegal, in: "7702070139", want: "7702070139"},
		{name: "ok/inn10-alfa", kind: INNLegal, in: "7728168971", want: "7728168971"},
		// Computed with the algorithm.
		{name: "ok/inn10-computed", kind: INNLegal, in: "1234567894", want: "1234567894"},
		{name: "ok/inn10-spaces", kind: INNLegal, in: " 7707 083 893 ", want: "7707083893"},
		{name: "ok/inn10-dashes", kind: INNLegal, in: "7707-083-893", want: "7707083893"},
		{name: "ok/inn10-nbsp", kind: INNLegal, in: "7707\u00a0083893", want: "7707083893"},
		{name: "fail/inn10-checksum", kind: INNLegal, in: "7707083894", err: ErrChecksum},
		{name: "fail/inn10-checksum-body", kind: INNLegal, in: "7707083993", err: ErrChecksum},
		{name: "fail/inn10-short", kind: INNLegal, in: "770708389", err: ErrFormat},
		{name: "fail/inn10-long", kind: INNLegal, in: "77070838930", err: ErrFormat},
		{name: "fail/inn10-given-12", kind: INNLegal, in: "500100732259", err: ErrFormat},
		{name: "fail/inn10-letter", kind: INNLegal, in: "77070838A3", err: ErrFormat},
		{name: "fail/inn10-cyrillic-o", kind: INNLegal, in: "77О7083893", err: ErrFormat},
		{name: "fail/inn10-dot", kind: INNLegal, in: "7707.083.893", err: ErrFormat},
		{name: "fail/inn10-zeros", kind: INNLegal, in: "0000000000", err: ErrFormat},
		{name: "fail/inn10-empty", kind: INNLegal, in: "", err: ErrEmpty},
		{name: "fail/inn10-blank", kind: INNLegal, in: "  - ", err: ErrEmpty},

		{name: "ok/inn12", kind: INNPerson, in: "500100732259", want: "500100732259"},
		{name: "ok/inn12-spaces", kind: INNPerson, in: "5001 0073 2259", want: "500100732259"},
		{name: "fail/inn12-checksum-d11", kind: INNPerson, in: "500100732269", err: ErrChecksum},
		{name: "fail/inn12-checksum-d12", kind: INNPerson, in: "500100732258", err: ErrChecksum},
		{name: "fail/inn12-checksum-body", kind: INNPerson, in: "500100732359", err: ErrChecksum},
		{name: "fail/inn12-given-10", kind: INNPerson, in: "7707083893", err: ErrFormat},
		{name: "fail/inn12-long", kind: INNPerson, in: "5001007322590", err: ErrFormat},
		{name: "fail/inn12-letter", kind: INNPerson, in: "50010073225x", err: ErrFormat},
		{name: "fail/inn12-zeros", kind: INNPerson, in: "000000000000", err: ErrFormat},
		{name: "fail/inn12-empty", kind: INNPerson, in: "", err: ErrEmpty},
	})
}

func TestCheckSNILS(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "ok/snils-dashes", kind: SNILS, in: "112-233-445 95", want: "11223344595"},
		{name: "ok/snils-plain", kind: SNILS, in: "11223344595", want: "11223344595"},
		{name: "ok/snils-sum-165", kind: SNILS, in: "123-456-789 64", want: "12345678964"},
		// S == 100 and S == 101 give control 00.
		{name: "ok/snils-sum-100", kind: SNILS, in: "001-019-989 00", want: "00101998900"},
		{name: "ok/snils-sum-101", kind: SNILS, in: "001-019-998 00", want: "00101999800"},
		// S mod 101 == 100 gives control 00.
		{name: "ok/snils-sum-201", kind: SNILS, in: "002-999-989 00", want: "00299998900"},
		{name: "ok/snils-sum-302", kind: SNILS, in: "079-899-999 00", want: "07989999900"},
		{name: "fail/snils-sum-100-control-100", kind: SNILS, in: "001-019-989 10", err: ErrChecksum},
		{name: "fail/snils-sum-101-control-01", kind: SNILS, in: "001-019-998 01", err: ErrChecksum},
		{name: "fail/snils-sum-201-control-99", kind: SNILS, in: "002-999-989 99", err: ErrChecksum},
		// At and below 001-001-998 only the format is checked.
		{name: "ok/snils-at-threshold-unchecked", kind: SNILS, in: "001-001-998 00", want: "00100199800"},
		{name: "ok/snils-below-threshold-unchecked", kind: SNILS, in: "001-001-997 99", want: "00100199799"},
		{name: "ok/snils-small-unchecked", kind: SNILS, in: "000-000-001 42", want: "00000000142"},
		{name: "ok/snils-above-threshold", kind: SNILS, in: "001-001-999 65", want: "00100199965"},
		{name: "fail/snils-above-threshold-checksum", kind: SNILS, in: "001-001-999 00", err: ErrChecksum},
		{name: "fail/snils-checksum", kind: SNILS, in: "112-233-445 96", err: ErrChecksum},
		{name: "fail/snils-zeros", kind: SNILS, in: "000-000-000 00", err: ErrFormat},
		{name: "fail/snils-zero-number", kind: SNILS, in: "000-000-000 12", err: ErrFormat},
		{name: "fail/snils-short", kind: SNILS, in: "112-233-445 9", err: ErrFormat},
		{name: "fail/snils-long", kind: SNILS, in: "112-233-445 950", err: ErrFormat},
		{name: "fail/snils-letter", kind: SNILS, in: "112-233-44A 95", err: ErrFormat},
		{name: "fail/snils-dots", kind: SNILS, in: "112.233.445 95", err: ErrFormat},
		{name: "fail/snils-empty", kind: SNILS, in: "", err: ErrEmpty},
	})
}

func TestCheckOGRN(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "ok/ogrn-sberbank", kind: OGRN, in: "1027700132195", want: "1027700132195"},
		{name: "ok/ogrn-gazprom", kind: OGRN, in: "1027700070518", want: "1027700070518"},
		{name: "ok/ogrn-yandex", kind: OGRN, in: "1027700229193", want: "1027700229193"},
		{name: "ok/ogrn-vtb", kind: OGRN, in: "1027739609391", want: "1027739609391"},
		{name: "ok/ogrn-1022200525819", kind: OGRN, in: "1022200525819", want: "1022200525819"},
		{name: "ok/ogrn-first-5", kind: OGRN, in: "5123456789011", want: "5123456789011"},
		{name: "ok/ogrn-rem-10", kind: OGRN, in: "1027700000020", want: "1027700000020"},
		{name: "ok/ogrn-spaces", kind: OGRN, in: "1 02 77 00 132195", want: "1027700132195"},
		{name: "fail/ogrn-rem-10-written-10", kind: OGRN, in: "10277000000210", err: ErrFormat},
		{name: "fail/ogrn-checksum", kind: OGRN, in: "1027700132196", err: ErrChecksum},
		{name: "fail/ogrn-first-3", kind: OGRN, in: "3027700132193", err: ErrFormat},
		{name: "fail/ogrn-first-0", kind: OGRN, in: "0000000000000", err: ErrFormat},
		{name: "fail/ogrn-short", kind: OGRN, in: "102770013219", err: ErrFormat},
		{name: "fail/ogrn-given-ogrnip", kind: OGRN, in: "385768585948949", err: ErrFormat},
		{name: "fail/ogrn-letter", kind: OGRN, in: "102770013219S", err: ErrFormat},
		{name: "fail/ogrn-empty", kind: OGRN, in: "", err: ErrEmpty},

		{name: "ok/ogrnip-385768585948949", kind: OGRNIP, in: "385768585948949", want: "385768585948949"},
		// Remainders 10, 11 and 12 give check digits 0, 1 and 2.
		{name: "ok/ogrnip-rem-10", kind: OGRNIP, in: "304500000000010", want: "304500000000010"},
		{name: "ok/ogrnip-rem-11", kind: OGRNIP, in: "304500000000021", want: "304500000000021"},
		{name: "ok/ogrnip-rem-12", kind: OGRNIP, in: "304500000000032", want: "304500000000032"},
		{name: "ok/ogrnip-rem-0", kind: OGRNIP, in: "304500000000040", want: "304500000000040"},
		{name: "fail/ogrnip-rem-10-digit-1", kind: OGRNIP, in: "304500000000011", err: ErrChecksum},
		{name: "fail/ogrnip-rem-11-digit-0", kind: OGRNIP, in: "304500000000020", err: ErrChecksum},
		{name: "fail/ogrnip-rem-12-digit-0", kind: OGRNIP, in: "304500000000030", err: ErrChecksum},
		{name: "fail/ogrnip-checksum", kind: OGRNIP, in: "385768585948948", err: ErrChecksum},
		{name: "fail/ogrnip-first-1", kind: OGRNIP, in: "104500000000013", err: ErrFormat},
		{name: "fail/ogrnip-first-4", kind: OGRNIP, in: "404500000000017", err: ErrFormat},
		{name: "fail/ogrnip-short", kind: OGRNIP, in: "38576858594894", err: ErrFormat},
		{name: "fail/ogrnip-given-ogrn", kind: OGRNIP, in: "1027700132195", err: ErrFormat},
		{name: "fail/ogrnip-empty", kind: OGRNIP, in: "", err: ErrEmpty},
	})
}

func TestCheckPassport(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "ok/passport-2-2-6", kind: RUPassport, in: "45 06 123456", want: "4506123456"},
		{name: "ok/passport-4-6", kind: RUPassport, in: "4506 123456", want: "4506123456"},
		{name: "ok/passport-10", kind: RUPassport, in: "4506123456", want: "4506123456"},
		{name: "ok/passport-dash", kind: RUPassport, in: "4506-123456", want: "4506123456"},
		{name: "fail/passport-zero-series", kind: RUPassport, in: "0000 123456", err: ErrFormat},
		{name: "fail/passport-zero-number", kind: RUPassport, in: "4506 000000", err: ErrFormat},
		{name: "fail/passport-zeros", kind: RUPassport, in: "00 00 000000", err: ErrFormat},
		{name: "fail/passport-short", kind: RUPassport, in: "4506 12345", err: ErrFormat},
		{name: "fail/passport-long", kind: RUPassport, in: "4506 1234567", err: ErrFormat},
		{name: "fail/passport-letter", kind: RUPassport, in: "45O6 123456", err: ErrFormat},
		{name: "fail/passport-number-sign", kind: RUPassport, in: "4506 №123456", err: ErrFormat},
		{name: "fail/passport-empty", kind: RUPassport, in: "", err: ErrEmpty},
	})
}

func TestCheckUNP(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "ok/unp-legal-200988541", kind: UNP, in: "200988541", want: "200988541"},
		{name: "ok/unp-legal-591705582", kind: UNP, in: "591705582", want: "591705582"},
		{name: "ok/unp-legal-spaces", kind: UNP, in: " 591 705 582 ", want: "591705582"},
		{name: "ok/unp-individual", kind: UNP, in: "MA1953684", want: "MA1953684"},
		{name: "ok/unp-individual-lower", kind: UNP, in: "ma1953684", want: "MA1953684"},
		{name: "ok/unp-individual-cyrillic", kind: UNP, in: "МА1953684", want: "MA1953684"},
		{name: "ok/unp-individual-cyrillic-lower", kind: UNP, in: "мА1953684", want: "MA1953684"},
		// Computed with the algorithm (first letter alphabetical, second letter index).
		{name: "ok/unp-AB", kind: UNP, in: "AB1234563", want: "AB1234563"},
		{name: "ok/unp-KT-cyrillic", kind: UNP, in: "КТ7654323", want: "KT7654323"},
		{name: "ok/unp-HP-cyrillic", kind: UNP, in: "нр0000019", want: "HP0000019"},
		{name: "ok/unp-CO-cyrillic", kind: UNP, in: "СО1111111", want: "CO1111111"},
		{name: "ok/unp-EM-cyrillic", kind: UNP, in: "Ем2222221", want: "EM2222221"},
		{name: "fail/unp-checksum", kind: UNP, in: "200988542", err: ErrChecksum},
		{name: "fail/unp-individual-checksum", kind: UNP, in: "MA1953685", err: ErrChecksum},
		// The alphabetical value for the second letter (A=10) would make this valid.
		{name: "fail/unp-individual-second-letter-alphabetical", kind: UNP, in: "MA1953683", err: ErrChecksum},
		{name: "fail/unp-check-10", kind: UNP, in: "711953681", err: ErrChecksum},
		{name: "fail/unp-check-10-digit-0", kind: UNP, in: "711953680", err: ErrChecksum},
		{name: "fail/unp-first-digit-0", kind: UNP, in: "091705582", err: ErrFormat},
		{name: "fail/unp-first-digit-8", kind: UNP, in: "891705582", err: ErrFormat},
		{name: "fail/unp-first-digit-9", kind: UNP, in: "991705588", err: ErrFormat},
		{name: "fail/unp-letters-in-digits", kind: UNP, in: "5917DDD82", err: ErrFormat},
		{name: "fail/unp-letter-then-digit", kind: UNP, in: "M01953684", err: ErrFormat},
		{name: "fail/unp-digit-then-letter", kind: UNP, in: "7A1953689", err: ErrFormat},
		{name: "fail/unp-first-letter-O", kind: UNP, in: "OA1953684", err: ErrFormat},
		{name: "fail/unp-first-letter-D", kind: UNP, in: "DA1953684", err: ErrFormat},
		{name: "fail/unp-second-letter-D", kind: UNP, in: "MD1953684", err: ErrFormat},
		{name: "fail/unp-cyrillic-not-lookalike", kind: UNP, in: "ЖА1953684", err: ErrFormat},
		{name: "fail/unp-short", kind: UNP, in: "20098854", err: ErrFormat},
		{name: "fail/unp-long", kind: UNP, in: "2009885410", err: ErrFormat},
		{name: "fail/unp-empty", kind: UNP, in: "", err: ErrEmpty},
	})
}

// Numbers published as valid (python-stdnum's test data, "found online").
func TestCheckUNPPublished(t *testing.T) {
	for _, n := range strings.Fields(`100217336 100693551 100864035 101288529 101541947
		190658169 190960352 191453533 191682495 191767445 191827058 192035780
		192345153 192988109 200019773 290380347 400051902 490127567 500037201
		591705582 690314863 691631805 791022114 200988541 MA1953684`) {
		t.Run("ok/unp-"+n, func(t *testing.T) {
			got, err := Check(UNP, n)
			require.NoError(t, err)
			assert.Equal(t, n, got)
			assert.NoError(t, CheckUNP(n))
		})
	}
}

// When the weighted sum mod 11 is 10 no 9th digit makes the УНП valid.
func TestCheckUNPCheckValue10(t *testing.T) {
	for d := '0'; d <= '9'; d++ {
		v := "7119536" + "8" + string(d)
		t.Run("fail/unp-check-10-"+string(d), func(t *testing.T) {
			assert.ErrorIs(t, CheckUNP(v), ErrChecksum)
		})
	}
}

func TestCheckBYPersonalNumber(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "ok/personal", kind: BYPersonalNumber, in: "3120680A001PB7", want: "3120680A001PB7"},
		{name: "ok/personal-lower", kind: BYPersonalNumber, in: "3120680a001pb7", want: "3120680A001PB7"},
		{name: "ok/personal-cyrillic", kind: BYPersonalNumber, in: "3120680А001РВ7", want: "3120680A001PB7"},
		{name: "ok/personal-belarusian-i", kind: BYPersonalNumber, in: "5010101H123BІ0", want: "5010101H123BI0"},
		{name: "ok/personal-BA", kind: BYPersonalNumber, in: "6311299M999BA9", want: "6311299M999BA9"},
		{name: "ok/personal-spaces", kind: BYPersonalNumber, in: "3 120680 A 001 PB 7", want: "3120680A001PB7"},
		{name: "fail/personal-century-0", kind: BYPersonalNumber, in: "0120680A001PB7", err: ErrFormat},
		{name: "fail/personal-century-7", kind: BYPersonalNumber, in: "7120680A001PB7", err: ErrFormat},
		{name: "fail/personal-day-00", kind: BYPersonalNumber, in: "3000680A001PB7", err: ErrFormat},
		{name: "fail/personal-day-32", kind: BYPersonalNumber, in: "3320680A001PB7", err: ErrFormat},
		{name: "fail/personal-month-00", kind: BYPersonalNumber, in: "3120080A001PB7", err: ErrFormat},
		{name: "fail/personal-month-13", kind: BYPersonalNumber, in: "3121380A001PB7", err: ErrFormat},
		{name: "fail/personal-region-D", kind: BYPersonalNumber, in: "3120680D001PB7", err: ErrFormat},
		{name: "fail/personal-citizenship-RU", kind: BYPersonalNumber, in: "3120680A001RU7", err: ErrFormat},
		{name: "fail/personal-letter-in-serial", kind: BYPersonalNumber, in: "3120680A0O1PB7", err: ErrFormat},
		{name: "fail/personal-letter-last", kind: BYPersonalNumber, in: "3120680A001PBB", err: ErrFormat},
		{name: "fail/personal-short", kind: BYPersonalNumber, in: "3120680A001PB", err: ErrFormat},
		{name: "fail/personal-long", kind: BYPersonalNumber, in: "3120680A001PB77", err: ErrFormat},
		{name: "fail/personal-symbol", kind: BYPersonalNumber, in: "3120680A001PB#", err: ErrFormat},
		{name: "fail/personal-empty", kind: BYPersonalNumber, in: "", err: ErrEmpty},
	})
}

func TestCheckUnknownKind(t *testing.T) {
	got, err := Check("passport_xx", "123")
	require.Error(t, err)
	assert.Empty(t, got)
	assert.ErrorIs(t, err, ErrUnknownKind)
	assert.Equal(t, "passport_xx: unknown identifier kind", err.Error())
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.NotEmpty(t, e.RU)
	assert.NotEmpty(t, e.EN)

	_, err = Check("", "123")
	assert.Equal(t, "ident: unknown identifier kind", err.Error())
}

func TestErrorMessages(t *testing.T) {
	_, err := Check(SNILS, "112-233-445 96")
	require.Error(t, err)
	assert.Equal(t, "snils: check digits do not match", err.Error())
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "СНИЛС: контрольное число не совпадает — проверьте цифры", e.RU)
	assert.Equal(t, "SNILS: the check digits do not match — please check the number", e.EN)

	_, err = Check(INNLegal, "123")
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "ИНН организации — 10 цифр", e.RU)
	assert.Equal(t, "An organisation's INN has 10 digits", e.EN)
	assert.Equal(t, "inn_legal: wrong format", e.Error())

	// Every kind has distinct, non-empty messages for every reason.
	for _, k := range Kinds() {
		for _, mk := range []func(Kind) error{errEmpty, errFormat, errChecksum, errZeros} {
			err := mk(k)
			require.True(t, errors.As(err, &e))
			assert.NotEmpty(t, e.RU, k)
			assert.NotEmpty(t, e.EN, k)
			assert.NotEqual(t, e.RU, e.EN, k)
		}
	}

	// A hand-made Error without a reason still prints.
	assert.Equal(t, "snils: invalid value", (&Error{Kind: SNILS}).Error())
	assert.Nil(t, (&Error{}).Unwrap())
}

func TestDigitHelpers(t *testing.T) {
	cases := []struct {
		name string
		fn   func(string) error
		in   string
		err  error
		kind Kind
	}{
		{name: "ok/inn-10", fn: CheckINN, in: "7707083893"},
		{name: "ok/inn-12", fn: CheckINN, in: "500100732259"},
		{name: "fail/inn-10-checksum", fn: CheckINN, in: "7707083894", err: ErrChecksum, kind: INNLegal},
		{name: "fail/inn-12-checksum", fn: CheckINN, in: "500100732258", err: ErrChecksum, kind: INNPerson},
		{name: "fail/inn-11", fn: CheckINN, in: "77070838931", err: ErrFormat, kind: INNPerson},
		{name: "fail/inn-9", fn: CheckINN, in: "770708389", err: ErrFormat, kind: INNLegal},
		{name: "fail/inn-spaces-not-normalised", fn: CheckINN, in: "7707 83893", err: ErrFormat, kind: INNLegal},
		{name: "fail/inn-zeros", fn: CheckINN, in: "0000000000", err: ErrFormat, kind: INNLegal},
		{name: "fail/inn-empty", fn: CheckINN, in: "", err: ErrEmpty, kind: INNLegal},
		{name: "ok/snils", fn: CheckSNILS, in: "11223344595"},
		{name: "fail/snils-separators-not-normalised", fn: CheckSNILS, in: "112-233-445 95", err: ErrFormat, kind: SNILS},
		{name: "fail/snils-checksum", fn: CheckSNILS, in: "11223344596", err: ErrChecksum, kind: SNILS},
		{name: "fail/snils-empty", fn: CheckSNILS, in: "", err: ErrEmpty, kind: SNILS},
		{name: "ok/ogrn", fn: CheckOGRN, in: "1027700132195"},
		{name: "fail/ogrn-checksum", fn: CheckOGRN, in: "1027700132194", err: ErrChecksum, kind: OGRN},
		{name: "fail/ogrn-empty", fn: CheckOGRN, in: "", err: ErrEmpty, kind: OGRN},
		{name: "ok/ogrnip", fn: CheckOGRNIP, in: "304500000000032"},
		{name: "fail/ogrnip-checksum", fn: CheckOGRNIP, in: "304500000000031", err: ErrChecksum, kind: OGRNIP},
		{name: "fail/ogrnip-empty", fn: CheckOGRNIP, in: "", err: ErrEmpty, kind: OGRNIP},
		{name: "ok/unp", fn: CheckUNP, in: "MA1953684"},
		{name: "fail/unp-cyrillic-not-normalised", fn: CheckUNP, in: "МА1953684", err: ErrFormat, kind: UNP},
		{name: "fail/unp-lower-not-normalised", fn: CheckUNP, in: "ma1953684", err: ErrFormat, kind: UNP},
		{name: "fail/unp-check-10", fn: CheckUNP, in: "711953681", err: ErrChecksum, kind: UNP},
		{name: "fail/unp-empty", fn: CheckUNP, in: "", err: ErrEmpty, kind: UNP},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.fn(tc.in)
			if tc.err == nil {
				assert.True(t, err == nil, "want an untyped nil error, got %#v", err)
				return
			}
			assert.ErrorIs(t, err, tc.err)
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tc.kind, e.Kind)
			assert.NotEmpty(t, e.RU)
			assert.NotEmpty(t, e.EN)
		})
	}
}

func TestNameAndKinds(t *testing.T) {
	kinds := Kinds()
	require.Equal(t, []Kind{INNLegal, INNPerson, SNILS, OGRN, OGRNIP, RUPassport, UNP, BYPersonalNumber}, kinds)
	kinds[0] = "changed"
	assert.Equal(t, INNLegal, Kinds()[0], "Kinds must return a copy")

	seen := map[string]bool{}
	for _, k := range Kinds() {
		ru, en := Name(k)
		assert.NotEmpty(t, ru, k)
		assert.NotEmpty(t, en, k)
		assert.False(t, seen[ru], "duplicate name %q", ru)
		seen[ru] = true
	}
	ru, en := Name(SNILS)
	assert.Equal(t, "СНИЛС", ru)
	assert.Equal(t, "SNILS (insurance number)", en)
	ru, en = Name("nope")
	assert.Empty(t, ru)
	assert.Empty(t, en)
}

// ---- generated values: an independent test-side computation of check digits ----

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.Intn(10))
	}
	return string(b)
}

func modDigit(s string, w []int) string {
	sum := 0
	for i, c := range s[:len(w)] {
		sum += int(c-'0') * w[i]
	}
	return strconv.Itoa(sum % 11 % 10)
}

func TestGeneratedValues(t *testing.T) {
	r := rand.New(rand.NewSource(20240601))
	const n = 300
	otherDigit := func(s string) string { // same value, last digit changed
		last := s[len(s)-1]
		return s[:len(s)-1] + string('0'+(last-'0'+1+byte(r.Intn(9)))%10)
	}
	t.Run("ok/inn10-generated", func(t *testing.T) {
		for i := 0; i < n; i++ {
			v := "7" + digits(r, 8)
			v += modDigit(v, []int{2, 4, 10, 3, 5, 9, 4, 6, 8})
			require.NoError(t, CheckINN(v), v)
			require.ErrorIs(t, CheckINN(otherDigit(v)), ErrChecksum, v)
		}
	})
	t.Run("ok/inn12-generated", func(t *testing.T) {
		for i := 0; i < n; i++ {
			v := "5" + digits(r, 9)
			v += modDigit(v, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8})
			v += modDigit(v, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8})
			require.NoError(t, CheckINN(v), v)
			require.ErrorIs(t, CheckINN(otherDigit(v)), ErrChecksum, v)
		}
	})
	t.Run("ok/ogrn-generated", func(t *testing.T) {
		for i := 0; i < n; i++ {
			v := []string{"1", "5"}[i%2] + digits(r, 11)
			p, err := strconv.ParseUint(v, 10, 64)
			require.NoError(t, err)
			v += strconv.FormatUint(p%11%10, 10)
			require.NoError(t, CheckOGRN(v), v)
			require.ErrorIs(t, CheckOGRN(otherDigit(v)), ErrChecksum, v)
		}
	})
	t.Run("ok/ogrnip-generated", func(t *testing.T) {
		rems := map[uint64]bool{}
		for i := 0; i < n; i++ {
			v := "3" + digits(r, 13)
			p, err := strconv.ParseUint(v, 10, 64)
			require.NoError(t, err)
			rems[p%13] = true
			v += strconv.FormatUint(p%13%10, 10)
			require.NoError(t, CheckOGRNIP(v), v)
			require.ErrorIs(t, CheckOGRNIP(otherDigit(v)), ErrChecksum, v)
		}
		assert.True(t, rems[10] && rems[11] && rems[12], "remainders 10–12 exercised")
	})
	t.Run("ok/snils-generated", func(t *testing.T) {
		for i := 0; i < n; i++ {
			v := "1" + digits(r, 8)
			sum := 0
			for j, c := range v {
				sum += int(c-'0') * (9 - j)
			}
			ctl := sum % 101
			if ctl == 100 {
				ctl = 0
			}
			v += string([]byte{byte('0' + ctl/10), byte('0' + ctl%10)})
			require.NoError(t, CheckSNILS(v), v)
			require.ErrorIs(t, CheckSNILS(otherDigit(v)), ErrChecksum, v)
		}
	})
	t.Run("ok/unp-generated", func(t *testing.T) {
		first, second := "ABCEHKM", "ABCEHKMOPT"
		ok, ten := 0, 0
		for i := 0; i < n; i++ {
			var v string
			var vals []int
			if i%2 == 0 {
				v = string(rune('1'+r.Intn(7))) + digits(r, 7)
				for _, c := range v {
					vals = append(vals, int(c-'0'))
				}
			} else {
				a, b := first[r.Intn(len(first))], second[r.Intn(len(second))]
				v = string([]byte{a, b}) + digits(r, 6)
				vals = append(vals, int(a-'A')+10, strings.IndexByte(second, b))
				for _, c := range v[2:] {
					vals = append(vals, int(c-'0'))
				}
			}
			sum := 0
			for j, w := range []int{29, 23, 19, 17, 13, 7, 5, 3} {
				sum += w * vals[j]
			}
			if sum%11 == 10 {
				ten++
				require.ErrorIs(t, CheckUNP(v+"0"), ErrChecksum, v)
				continue
			}
			ok++
			v += strconv.Itoa(sum % 11)
			require.NoError(t, CheckUNP(v), v)
			require.ErrorIs(t, CheckUNP(otherDigit(v)), ErrChecksum, v)
		}
		assert.Positive(t, ok)
		assert.Positive(t, ten)
	})
}

// ---- the browser build ----

func TestBuildsForWasm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with the go tool")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	env := append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")

	build := exec.Command(goBin, "build", ".")
	build.Env = env
	out, err := build.CombinedOutput()
	require.NoError(t, err, "GOOS=js GOARCH=wasm go build: %s", out)

	// Standard library only, and no syscall/js.
	list := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
	list.Env = env
	out, err = list.Output()
	require.NoError(t, err)
	assert.Equal(t, []string{"renewal/ca/ident"}, strings.Fields(string(out)))

	list = exec.Command(goBin, "list", "-deps", ".")
	list.Env = env
	out, err = list.Output()
	require.NoError(t, err)
	assert.NotContains(t, strings.Fields(string(out)), "syscall/js")
	assert.NotContains(t, strings.Fields(string(out)), "regexp")
}

// ---- fuzzing ----

func FuzzCheck(f *testing.F) {
	seeds := []string{
		"", " ", "-", "7707083893", "500100732259", "112-233-445 95", "000-000-000 00",
		"1027700132195", "304500000000021", "4506 123456", "MA1953684", "МА1953684",
		"711953681", "3120680А001РВ7", "5010101H123BІ0", "\u00a0", "ё", "\xff\xfe",
		"0000000000", "００１", "001-001-998 00",
	}
	for i := range Kinds() {
		for _, s := range seeds {
			f.Add(uint8(i), s)
		}
	}
	f.Add(uint8(255), "123")
	f.Fuzz(func(t *testing.T, k uint8, s string) {
		kinds := append(Kinds(), "unknown")
		kind := kinds[int(k)%len(kinds)]
		out, err := Check(kind, s)
		if err != nil {
			if out != "" {
				t.Fatalf("Check(%q, %q) returned %q with error %v", kind, s, out, err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check(%q, %q): error %T is not *Error", kind, s, err)
			}
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrFormat) &&
				!errors.Is(err, ErrChecksum) && !errors.Is(err, ErrUnknownKind) {
				t.Fatalf("Check(%q, %q): reason %v is not a sentinel", kind, s, e.Reason)
			}
			if e.RU == "" || e.EN == "" {
				t.Fatalf("Check(%q, %q): empty message", kind, s)
			}
			return
		}
		for i := 0; i < len(out); i++ {
			c := out[i]
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
				t.Fatalf("Check(%q, %q) = %q: not canonical", kind, s, out)
			}
		}
		again, err := Check(kind, out)
		if err != nil || again != out {
			t.Fatalf("Check(%q, %q) = %q, but Check(%q, %q) = %q, %v", kind, s, out, kind, out, again, err)
		}
		var strict func(string) error
		switch kind {
		case INNLegal, INNPerson:
			strict = CheckINN
		case SNILS:
			strict = CheckSNILS
		case OGRN:
			strict = CheckOGRN
		case OGRNIP:
			strict = CheckOGRNIP
		case UNP:
			strict = CheckUNP
		}
		if strict != nil {
			if err := strict(out); err != nil {
				t.Fatalf("Check(%q) accepted %q but the digit helper refused it: %v", kind, out, err)
			}
		}
	})
}
