package app

import "strings"

// phoneText writes a number in E.164 form (+79001234567, +375291234567)
// as people write it: "+7 900 123-45-67", "+375 29 123-45-67". Any other
// form is shown as it is.
func phoneText(e164 string) string {
	digits := strings.TrimPrefix(e164, "+")
	for _, r := range digits {
		if r < '0' || r > '9' {
			return e164
		}
	}
	group := func(cc, rest string, area int) string {
		a, n := rest[:area], rest[area:]
		return "+" + cc + " " + a + " " + n[:3] + "-" + n[3:5] + "-" + n[5:]
	}
	switch {
	case strings.HasPrefix(digits, "7") && len(digits) == 11:
		return group("7", digits[1:], 3)
	case strings.HasPrefix(digits, "375") && len(digits) == 12:
		return group("375", digits[3:], 2)
	}
	return e164
}
