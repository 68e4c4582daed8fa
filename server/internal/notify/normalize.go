package notify

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors returned (wrapped, with the details) by NormalizePhone and
// NormalizeEmail, so the API can map them to a field error.
var (
	ErrInvalidPhone = errors.New("invalid phone number")
	ErrInvalidEmail = errors.New("invalid e-mail address")
)

// maxPhoneInput bounds the raw input; a formatted +375 number is ~20 bytes.
const maxPhoneInput = 64

// NormalizePhone returns s as an E.164 number (+79161234567, +375291234567).
// Only Russian (+7, 10 digits after the code) and Belarusian (+375, 9 digits
// after the code) numbers are accepted.
//
// Spaces, hyphens, dots and parentheses are ignored. Accepted forms:
//
//	+7 916 123-45-67, +7 (916) 123-45-67, 7 916 123 45 67   Russia
//	8 916 123 45 67                                          Russia, trunk prefix 8
//	+375 (29) 123-45-67, 375 29 123 45 67                    Belarus
//	8 029 123 45 67                                          Belarus, trunk prefix 8 0
//
// An 11-digit number starting with "80" is Belarusian ("8 0xx"): Russian
// numbers never have 0 after the trunk 8. A 10-digit number without a
// country code is refused rather than guessed. +7 numbers starting with 6
// or 7 (Kazakhstan) are refused. Use IsMobile to require a number that can
// receive SMS.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidPhone)
	}
	if len(s) > maxPhoneInput {
		return "", fmt.Errorf("%w: too long", ErrInvalidPhone)
	}
	plus := false
	digits := make([]byte, 0, 16)
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '\u00a0' || r == '\u2009' || r == '\u202f':
		default:
			return "", fmt.Errorf("%w: unexpected character %q", ErrInvalidPhone, r)
		}
	}
	d := string(digits)
	var country, national string
	switch {
	case plus && strings.HasPrefix(d, "375"), !plus && len(d) == 12 && strings.HasPrefix(d, "375"):
		country, national = "375", d[3:]
	case plus && strings.HasPrefix(d, "7"), !plus && len(d) == 11 && d[0] == '7':
		country, national = "7", d[1:]
	case plus:
		return "", fmt.Errorf("%w: only Russian (+7) and Belarusian (+375) numbers are accepted", ErrInvalidPhone)
	case len(d) == 11 && strings.HasPrefix(d, "80"):
		country, national = "375", d[2:]
	case len(d) == 11 && d[0] == '8':
		country, national = "7", d[1:]
	case len(d) == 10 || len(d) == 9:
		return "", fmt.Errorf("%w: add the country code (+7 or +375)", ErrInvalidPhone)
	default:
		return "", fmt.Errorf("%w: expected +7 and 10 digits or +375 and 9 digits", ErrInvalidPhone)
	}
	switch country {
	case "7":
		if len(national) != 10 {
			return "", fmt.Errorf("%w: a Russian number has 10 digits after +7, got %d", ErrInvalidPhone, len(national))
		}
		// Russian numbering: 3xx, 4xx, 8xx geographic and non-geographic,
		// 9xx mobile. 6xx and 7xx are Kazakhstan; 0, 1, 2, 5 are unused.
		if !strings.ContainsRune("3489", rune(national[0])) {
			return "", fmt.Errorf("%w: +7 %c… is not a Russian number", ErrInvalidPhone, national[0])
		}
	case "375":
		if len(national) != 9 {
			return "", fmt.Errorf("%w: a Belarusian number has 9 digits after +375, got %d", ErrInvalidPhone, len(national))
		}
		// Belarusian numbering: 15x-17x, 21x-23x geographic; 25, 29, 33, 44 mobile.
		if !strings.ContainsRune("1234", rune(national[0])) {
			return "", fmt.Errorf("%w: +375 %c… is not a Belarusian number", ErrInvalidPhone, national[0])
		}
	}
	return "+" + country + national, nil
}

// IsMobile reports whether e164 (as returned by NormalizePhone) is a mobile
// number that can receive SMS: +79… in Russia, +375 25/29/33/44 in Belarus.
func IsMobile(e164 string) bool {
	switch {
	case len(e164) == 12 && strings.HasPrefix(e164, "+79"):
		return allDigits(e164[1:])
	case len(e164) == 13 && strings.HasPrefix(e164, "+375"):
		switch e164[4:6] {
		case "25", "29", "33", "44":
			return allDigits(e164[1:])
		}
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Length limits of RFC 5321 (4.5.3.1): the forward path is at most 256
// octets including the angle brackets.
const (
	maxEmailLen  = 254
	maxLocalLen  = 64
	maxDomainLen = 253
	maxLabelLen  = 63
)

// NormalizeEmail checks that s is a single bare address (user@example.com:
// no display name, angle brackets, comments, quoted local part or address
// literal) and returns it with the domain in lower case. The local part is
// kept as typed (it is case-sensitive in principle) and must be ASCII.
//
// An internationalised domain (user@пример.рф) is converted to its ASCII
// form (user@xn--e1afmkfd.xn--p1ai), which every mail server accepts.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidEmail)
	}
	if len(s) > 4*maxEmailLen {
		return "", fmt.Errorf("%w: too long", ErrInvalidEmail)
	}
	if strings.ContainsAny(s, "<>") {
		return "", fmt.Errorf("%w: give the bare address, without a name or angle brackets", ErrInvalidEmail)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidEmail, err)
	}
	if a.Name != "" || a.Address != s {
		// Comments, quoted local parts and the like parse, but give an
		// address different from the input.
		return "", fmt.Errorf("%w: give the bare address only", ErrInvalidEmail)
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) > maxLocalLen {
		return "", fmt.Errorf("%w: the part before @ is longer than %d characters", ErrInvalidEmail, maxLocalLen)
	}
	for i := 0; i < len(local); i++ {
		if local[i] >= utf8.RuneSelf {
			return "", fmt.Errorf("%w: only Latin letters are supported before @", ErrInvalidEmail)
		}
	}
	domain, err = normalizeDomain(domain)
	if err != nil {
		return "", err
	}
	out := local + "@" + domain
	if len(out) > maxEmailLen {
		return "", fmt.Errorf("%w: longer than %d characters", ErrInvalidEmail, maxEmailLen)
	}
	return out, nil
}

// normalizeDomain lower-cases a host name, converts Unicode labels to
// punycode (xn--) and checks the letter-digit-hyphen syntax.
func normalizeDomain(domain string) (string, error) {
	if strings.HasPrefix(domain, "[") {
		return "", fmt.Errorf("%w: an IP address is not accepted as the domain", ErrInvalidEmail)
	}
	labels := strings.Split(strings.ToLower(domain), ".")
	if len(labels) < 2 {
		return "", fmt.Errorf("%w: the domain needs a dot (example.com)", ErrInvalidEmail)
	}
	for i, l := range labels {
		if l == "" {
			return "", fmt.Errorf("%w: empty label in the domain", ErrInvalidEmail)
		}
		if !isASCII(l) {
			a, err := idnaLabel(l)
			if err != nil {
				return "", err
			}
			l = a
		}
		if len(l) > maxLabelLen {
			return "", fmt.Errorf("%w: domain label longer than %d characters", ErrInvalidEmail, maxLabelLen)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", fmt.Errorf("%w: a domain label cannot start or end with a hyphen", ErrInvalidEmail)
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", fmt.Errorf("%w: character %q is not allowed in the domain", ErrInvalidEmail, c)
			}
		}
		labels[i] = l
	}
	if allDigits(labels[len(labels)-1]) {
		return "", fmt.Errorf("%w: an IP address is not accepted as the domain", ErrInvalidEmail)
	}
	out := strings.Join(labels, ".")
	if len(out) > maxDomainLen {
		return "", fmt.Errorf("%w: domain longer than %d characters", ErrInvalidEmail, maxDomainLen)
	}
	return out, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// idnaLabel converts a lower-case Unicode label to its A-label ("xn--…").
// It is a subset of IDNA 2008 that is exact for ordinary words in
// Cyrillic, Latin and other alphabets: letters, digits and hyphens only.
// Combining marks are refused rather than normalised (no NFC without
// golang.org/x/text), so a decomposed "й" is an error, not a wrong domain.
func idnaLabel(l string) (string, error) {
	if !utf8.ValidString(l) {
		return "", fmt.Errorf("%w: invalid UTF-8 in the domain", ErrInvalidEmail)
	}
	if utf8.RuneCountInString(l) > maxLabelLen {
		return "", fmt.Errorf("%w: domain label longer than %d characters", ErrInvalidEmail, maxLabelLen)
	}
	for _, r := range l {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
			return "", fmt.Errorf("%w: character %q is not allowed in the domain", ErrInvalidEmail, r)
		}
		if unicode.IsUpper(r) {
			return "", fmt.Errorf("%w: character %q is not allowed in the domain", ErrInvalidEmail, r)
		}
	}
	return "xn--" + punycode(l), nil
}

// punycode encodes s with the Bootstring parameters of RFC 3492. The input
// is at most 63 runes, so the arithmetic cannot overflow.
func punycode(s string) string {
	const (
		base        = 36
		tmin        = 1
		tmax        = 26
		skew        = 38
		damp        = 700
		initialBias = 72
		initialN    = 128
	)
	adapt := func(delta, numPoints int, first bool) int {
		if first {
			delta /= damp
		} else {
			delta /= 2
		}
		delta += delta / numPoints
		k := 0
		for delta > ((base-tmin)*tmax)/2 {
			delta /= base - tmin
			k += base
		}
		return k + (base-tmin+1)*delta/(delta+skew)
	}
	digit := func(d int) byte {
		if d < 26 {
			return byte('a' + d)
		}
		return byte('0' + d - 26)
	}
	runes := []rune(s)
	var out []byte
	for _, r := range runes {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, '-')
	}
	n, delta, bias := initialN, 0, initialBias
	for h < len(runes) {
		m := int(unicode.MaxRune) + 1
		for _, r := range runes {
			if int(r) >= n && int(r) < m {
				m = int(r)
			}
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, r := range runes {
			if int(r) < n {
				delta++
			}
			if int(r) != n {
				continue
			}
			q := delta
			for k := base; ; k += base {
				t := min(max(k-bias, tmin), tmax)
				if q < t {
					break
				}
				out = append(out, digit(t+(q-t)%(base-t)))
				q = (q - t) / (base - t)
			}
			out = append(out, digit(q))
			bias = adapt(delta, h+1, h == b)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out)
}
