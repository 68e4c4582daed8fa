package notify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizePhone(t *testing.T) {
	valid := []struct{ in, want string }{
		{"+79161234567", "+79161234567"},
		{"+7 916 123-45-67", "+79161234567"},
		{"+7 (916) 123-45-67", "+79161234567"},
		{"8 916 123 45 67", "+79161234567"},
		{"8(916)123-45-67", "+79161234567"},
		{"79161234567", "+79161234567"},
		{"  +7 495 123.45.67 ", "+74951234567"},
		{"8 800 555 35 35", "+78005553535"},
		{"+375 (29) 123-45-67", "+375291234567"},
		{"+375291234567", "+375291234567"},
		{"375 44 123 45 67", "+375441234567"},
		{"8 029 123 45 67", "+375291234567"}, // Belarusian trunk "8 0"
		{"8 017 123 45 67", "+375171234567"},
		{"+375\u00a033\u00a0123\u00a045\u00a067", "+375331234567"},
		{"+7 916 123 45 67\n", "+79161234567"},
	}
	for _, tc := range valid {
		t.Run(tc.in, func(t *testing.T) {
			got, err := NormalizePhone(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			again, err := NormalizePhone(got)
			require.NoError(t, err, "idempotent")
			assert.Equal(t, got, again)
		})
	}

	invalid := []struct{ in, msg string }{
		{"", "empty"},
		{"   ", "empty"},
		{"+1 202 555 0100", "only Russian (+7) and Belarusian (+375)"},
		{"+380 44 123 45 67", "only Russian (+7) and Belarusian (+375)"},
		{"+7 916 123 45 6", "10 digits after +7, got 9"},
		{"+7 916 123 45 678", "10 digits after +7, got 11"},
		{"+375 29 123 45 6", "9 digits after +375, got 8"},
		{"+375 29 123 45 678", "9 digits after +375, got 10"},
		{"+7 701 123 45 67", "not a Russian number"}, // Kazakhstan
		{"+7 600 123 45 67", "not a Russian number"},
		{"+375 59 123 45 67", "not a Belarusian number"},
		{"916 123 45 67", "add the country code"},
		{"29 123 45 67", "add the country code"},
		{"9 916 123 45 67", "expected +7 and 10 digits"},
		{"+7 916 123 45 67 ext 1", "unexpected character"},
		{"7+9161234567", "unexpected character"},
		{"++79161234567", "unexpected character"},
		{"+7-916-abc-45-67", "unexpected character"},
		{strings.Repeat("1", 65), "too long"},
	}
	for _, tc := range invalid {
		t.Run(tc.in, func(t *testing.T) {
			_, err := NormalizePhone(tc.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidPhone)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestIsMobile(t *testing.T) {
	for in, want := range map[string]bool{
		"+79161234567":  true,
		"+74951234567":  false,
		"+78005553535":  false,
		"+375291234567": true,
		"+375251234567": true,
		"+375331234567": true,
		"+375441234567": true,
		"+375171234567": false,
		"+3752912345":   false,
		"79161234567":   false,
		"+7916123456x":  false,
		"":              false,
	} {
		assert.Equal(t, want, IsMobile(in), in)
	}
}

func TestNormalizeEmail(t *testing.T) {
	valid := []struct{ in, want string }{
		{"user@example.com", "user@example.com"},
		{"  User.Name+tag@Example.COM ", "User.Name+tag@example.com"},
		{"a@b.by", "a@b.by"},
		{"o'brien@mail.example.ru", "o'brien@mail.example.ru"},
		{"x@sub-domain.example.org", "x@sub-domain.example.org"},
		{"info@пример.рф", "info@xn--e1afmkfd.xn--p1ai"},
		{"info@ПРИМЕР.РФ", "info@xn--e1afmkfd.xn--p1ai"},
		{"info@пример.бел", "info@xn--e1afmkfd.xn--90ais"},
		{strings.Repeat("a", 64) + "@example.com", strings.Repeat("a", 64) + "@example.com"},
	}
	for _, tc := range valid {
		t.Run(tc.in, func(t *testing.T) {
			got, err := NormalizeEmail(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			again, err := NormalizeEmail(got)
			require.NoError(t, err, "idempotent")
			assert.Equal(t, got, again)
		})
	}

	long := strings.Repeat("a", 60) + "." // 61 bytes per label
	invalid := []struct{ in, msg string }{
		{"", "empty"},
		{"user", "invalid e-mail address"},
		{"user@", "invalid e-mail address"},
		{"@example.com", "invalid e-mail address"},
		{"user@example", "needs a dot"},
		{"Иван <user@example.com>", "bare address"},
		{"<user@example.com>", "bare address"},
		{`"Ivan" user@example.com`, "invalid e-mail address"},
		{"user@example.com (Ivan)", "bare address only"},
		{`"john doe"@example.com`, "bare address only"},
		{"a@example.com, b@example.com", "invalid e-mail address"},
		{"user@exa mple.com", "invalid e-mail address"},
		{"user@@example.com", "invalid e-mail address"},
		{"user..name@example.com", "invalid e-mail address"},
		{"user@[127.0.0.1]", "invalid e-mail address"},
		{"user@127.0.0.1", "IP address"},
		{"user@-example.com", "hyphen"},
		{"user@example-.com", "hyphen"},
		{"user@exa_mple.com", "not allowed in the domain"},
		{"user@example..com", "invalid e-mail address"},
		{"иван@example.com", "only Latin letters"},
		{"user@при☺мер.рф", "not allowed in the domain"},
		{"user@и\u0306ошкар-ола.рф", "not allowed in the domain"}, // decomposed й
		{strings.Repeat("a", 65) + "@example.com", "longer than 64"},
		{"user@" + strings.Repeat("a", 64) + ".com", "longer than 63"},
		{"user@" + strings.Repeat(long, 5) + "com", "longer than 253"},
		{strings.Repeat("a", 64) + "@" + strings.Repeat(long, 4) + "com", "longer than 254"},
		{"user@example.com\r\nBcc: x@evil.com", "invalid e-mail address"},
	}
	for _, tc := range invalid {
		t.Run(tc.in, func(t *testing.T) {
			_, err := NormalizeEmail(tc.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidEmail)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestPunycode(t *testing.T) {
	for in, want := range map[string]string{
		"пример":    "e1afmkfd",
		"рф":        "p1ai",
		"бел":       "90ais",
		"испытание": "80akhbyknj4f",
		"президент": "d1abbgf6aiiy",
		// RFC 3492 7.1 (L), lower-cased.
		"почемужеонинеговорятпорусски": "b1abfaaepdrnnbgefbadotcwatmq2g4l",
		// RFC 3492 7.1 (B), Chinese (simplified).
		"他们为什么不说中文": "ihqwcrb4cv8a8dqg056pqjye",
		"bücher":    "bcher-kva",
	} {
		assert.Equal(t, want, punycode(in), in)
	}
}
