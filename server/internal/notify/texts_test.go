package notify

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testLink = "https://renew.example.by/r/AbC123-xyz?step=pay&x=1"

// Every e-mail kind, with the values its text must carry.
var emailKinds = []struct {
	kind       Kind
	build      func(Lang) Message
	subjRU     string
	subjEN     string
	mustHave   []string // in both language parts
	mustHaveRU []string
	mustHaveEN []string
}{
	{
		kind:       KindEmailCode,
		build:      func(l Lang) Message { return EmailCode(l, "user@example.com", "482913", 15) },
		subjRU:     "Код подтверждения электронной почты",
		subjEN:     "E-mail confirmation code",
		mustHave:   []string{"482913"},
		mustHaveRU: []string{"15 минут."},
		mustHaveEN: []string{"15 minutes."},
	},
	{
		kind:       KindResumeLink,
		build:      func(l Lang) Message { return ResumeLink(l, "user@example.com", testLink, "Оплата", "Payment") },
		subjRU:     "Продолжение оформления заявки",
		subjEN:     "Continue your application",
		mustHave:   []string{testLink},
		mustHaveRU: []string{"Продолжите оформление с того же шага: " + testLink, "на шаге «Оплата»"},
		mustHaveEN: []string{`at the step "Payment"`},
	},
	{
		kind: KindRegistryRejected,
		build: func(l Lang) Message {
			return RegistryRejected(l, "user@example.com", "УНП не найден в ЕГР", "The UNP is not in the state register")
		},
		subjRU:     "Заявка не прошла проверку по реестру",
		subjEN:     "Your application did not pass the registry check",
		mustHaveRU: []string{"Причина: УНП не найден в ЕГР"},
		mustHaveEN: []string{"Reason: The UNP is not in the state register"},
	},
	{
		kind: KindApprovalRequest,
		build: func(l Lang) Message {
			return ApprovalRequest(l, "head@example.com", "Иванова Мария Петровна", testLink, 24)
		},
		subjRU:     "Требуется ваше согласие на продление сертификата сотрудника",
		subjEN:     "Your approval is needed for an employee's certificate renewal",
		mustHave:   []string{"Иванова Мария Петровна", testLink},
		mustHaveRU: []string{"Ссылка действительна 24 часа."},
		mustHaveEN: []string{"valid for 24 hours."},
	},
	{
		kind:       KindDeclined,
		build:      func(l Lang) Message { return Declined(l, "user@example.com", "Нет бюджета до июля") },
		subjRU:     "Руководитель отклонил запрос на продление сертификата",
		subjEN:     "The head of your organisation declined the renewal request",
		mustHaveRU: []string{"Причина: Нет бюджета до июля"},
		mustHaveEN: []string{"Reason given: Нет бюджета до июля"},
	},
	{
		kind: KindIssueRefused,
		build: func(l Lang) Message {
			return IssueRefused(l, "user@example.com", "Ключ уже использовался.", "The key has been used before.")
		},
		subjRU:     "Сертификат не может быть выпущен, оплата будет возвращена",
		subjEN:     "The certificate cannot be issued; the payment will be refunded",
		mustHaveRU: []string{"Причина: Ключ уже использовался.", "Оплата будет возвращена."},
		mustHaveEN: []string{"Reason: The key has been used before.", "The payment will be refunded."},
	},
	{
		kind: KindReceipt,
		build: func(l Lang) Message {
			return Receipt(l, "user@example.com", ReceiptInfo{Amount: "150,00 BYN", Application: "2026-000731", Payment: "pay-7r2k", Invoice: "RN-2026-000012",
				PaidAt: time.Date(2026, 6, 1, 11, 5, 0, 0, time.UTC), Jurisdiction: "BY"})
		},
		subjRU:     "Оплата получена",
		subjEN:     "Payment received",
		mustHave:   []string{"150,00 BYN", "2026-000731"},
		mustHaveRU: []string{"Сумма: 150,00 BYN", "Номер платежа: pay-7r2k", "Заявление № 2026-000731", "Счёт № RN-2026-000012", "Дата оплаты: 1 июня 2026 г., 14:05 (Минск)"},
		mustHaveEN: []string{"Amount: 150,00 BYN", "Payment number: pay-7r2k", "Application No. 2026-000731", "Invoice No. RN-2026-000012", "Paid: 1 June 2026, 14:05 (Minsk)"},
	},
	{
		kind: KindOpenedNotice,
		build: func(l Lang) Message {
			return OpenedNotice(l, "owner@example.ru", "4f1a009c", "+79001234567", "other@example.com")
		},
		subjRU:     "По вашему сертификату открыта заявка на продление",
		subjEN:     "A renewal of your certificate has been opened",
		mustHave:   []string{"4f1a009c", "+79001234567", "other@example.com"},
		mustHaveRU: []string{"отозвать сертификат"},
		mustHaveEN: []string{"revoke the certificate"},
	},
	{
		kind: KindRevokedUnpaid,
		build: func(l Lang) Message {
			return Revoked(l, "owner@example.by", "4f1a009c", "Оплата возвращена.", "The payment was refunded.")
		},
		subjRU:     "Сертификат отозван: оплата возвращена",
		subjEN:     "Certificate revoked: the payment came back",
		mustHave:   []string{"4f1a009c"},
		mustHaveRU: []string{"Оплата возвращена.", "обратитесь в удостоверяющий центр"},
		mustHaveEN: []string{"The payment was refunded.", "contact the certification centre"},
	},
	{
		kind: KindIssued,
		build: func(l Lang) Message {
			return Issued(l, "user@example.com", IssuedInfo{Serial: "4F:1A:00:9C", Link: testLink, Application: "2026-000123",
				NotAfter: time.Date(2027, 6, 1, 21, 30, 0, 0, time.UTC), Jurisdiction: "RU"})
		},
		subjRU:     "Сертификат выпущен",
		subjEN:     "Your certificate has been issued",
		mustHave:   []string{"4F:1A:00:9C", testLink, "2026-000123"},
		mustHaveRU: []string{"Серийный номер: 4F:1A:00:9C", "Действителен до: 2 июня 2027 г."},
		mustHaveEN: []string{"Serial number: 4F:1A:00:9C", "Valid until: 2 June 2027"},
	},
}

func TestEmailTexts(t *testing.T) {
	for _, k := range emailKinds {
		for _, lang := range []Lang{RU, EN} {
			t.Run(string(k.kind)+"/"+string(lang), func(t *testing.T) {
				m := k.build(lang)
				assert.Equal(t, Email, m.Channel)
				assert.Equal(t, k.kind, m.Kind)
				assert.NotEmpty(t, m.To)
				assert.Empty(t, m.Key, "the outbox sets the key")

				firstSubj, secondSubj := k.subjRU, k.subjEN
				firstHello, secondHello := "Здравствуйте!", "Hello,"
				if lang == EN {
					firstSubj, secondSubj = secondSubj, firstSubj
					firstHello, secondHello = secondHello, firstHello
				}
				assert.Equal(t, firstSubj+" / "+secondSubj, m.Subject)
				assert.NotContains(t, m.Subject, "\n")

				// Both languages, the chosen one first, divided by the separator.
				parts := strings.Split(m.Text, "\n\n"+emailSeparator+"\n\n")
				require.Len(t, parts, 2, m.Text)
				assert.True(t, strings.HasPrefix(parts[0], firstHello), parts[0])
				assert.True(t, strings.HasPrefix(parts[1], secondHello), parts[1])
				ru, en := parts[0], parts[1]
				if lang == EN {
					ru, en = en, ru
				}
				assert.True(t, strings.HasSuffix(strings.TrimSuffix(ru, "\n"), "Это автоматическое сообщение, отвечать на него не нужно."))
				assert.True(t, strings.HasSuffix(strings.TrimSuffix(en, "\n"), "This is an automated message; please do not reply."))
				for _, s := range k.mustHave {
					assert.Contains(t, ru, s)
					assert.Contains(t, en, s)
				}
				for _, s := range k.mustHaveRU {
					assert.Contains(t, ru, s)
				}
				for _, s := range k.mustHaveEN {
					assert.Contains(t, en, s)
				}

				// Layout: no template leftovers, no runs of blank lines,
				// no trailing spaces, one final newline.
				assert.NotContains(t, m.Text, "<no value>")
				assert.NotContains(t, m.Text, "{{")
				assert.NotContains(t, m.Text, "\n\n\n")
				assert.NotContains(t, m.Text, " \n")
				assert.True(t, strings.HasSuffix(m.Text, ".\n"), "ends with one newline")
				assert.Equal(t, strings.TrimLeft(m.Text, " \n"), m.Text)
			})
		}
	}
}

func TestEmailTextsOptionalParts(t *testing.T) {
	m := RegistryRejected(RU, "user@example.com", "", "")
	assert.NotContains(t, m.Text, "Причина")
	assert.NotContains(t, m.Text, "Reason")
	assert.NotContains(t, m.Text, "\n\n\n")

	m = ResumeLink(EN, "user@example.com", testLink, "", "")
	assert.Contains(t, m.Text, "сохранена.")
	assert.Contains(t, m.Text, "has been saved.")
}

func TestEmailTextsOptionalReasons(t *testing.T) {
	m := Declined(RU, "user@example.com", " ")
	assert.NotContains(t, m.Text, "Причина")
	assert.NotContains(t, m.Text, "Reason")
	m = IssueRefused(EN, "user@example.com", "", "")
	assert.NotContains(t, m.Text, "Причина")
	assert.NotContains(t, m.Text, "Reason")
	assert.Contains(t, m.Text, "Оплата будет возвращена.")
	assert.NotContains(t, m.Text, "\n\n\n")
}

func TestApprovalRequestSMSText(t *testing.T) {
	m := ApprovalRequestSMS(RU, " +375291234567 ", "Иванова Мария Петровна", testLink)
	assert.Equal(t, Message{
		Channel: SMS, Kind: KindApprovalRequest, To: "+375291234567",
		Text: "Подтвердите запрос: Иванова Мария Петровна: " + testLink,
	}, m)
	m = ApprovalRequestSMS(EN, "+375291234567", "Ivanova\nMaria", testLink)
	assert.Equal(t, "Confirm the request of Ivanova Maria: "+testLink, m.Text, "caller data is cleaned")
}

func TestSMSCodeText(t *testing.T) {
	m := SMSCode(RU, "+79161234567", "123456", 10)
	assert.Equal(t, Message{
		Channel: SMS, Kind: KindSMSCode, To: "+79161234567",
		Text: "Код подтверждения: 123456. Никому не сообщайте его. Действует 10 мин.",
	}, m)
	m = SMSCode(EN, "+375291234567", "123456", 5)
	assert.Equal(t, "Confirmation code: 123456. Do not share it with anyone. Valid for 5 min.", m.Text)
}

// The SMS limits stated in SMSCode's comment: one segment for any 6-digit
// code and up to 999 minutes; Russian fits 70 UCS-2 characters, English
// 160 GSM-7 characters.
func TestSMSCodeFitsOneSegment(t *testing.T) {
	for _, tc := range []struct {
		lang     Lang
		ucs2     bool
		maxUnits int
	}{
		{RU, true, 70},
		{EN, false, 160},
	} {
		for _, minutes := range []int{1, 5, 10, 15, 60, 999} {
			t.Run(fmt.Sprintf("%s/%d", tc.lang, minutes), func(t *testing.T) {
				text := SMSCode(tc.lang, "+79161234567", "000000", minutes).Text
				ucs2, units, segments := smsSize(text)
				assert.Equal(t, tc.ucs2, ucs2, text)
				assert.LessOrEqual(t, units, tc.maxUnits, text)
				assert.Equal(t, 1, segments, text)
			})
		}
	}
	_, units, _ := smsSize(SMSCode(RU, "", "123456", 10).Text)
	assert.Equal(t, 69, units)
	_, units, _ = smsSize(SMSCode(EN, "", "123456", 10).Text)
	assert.Equal(t, 73, units)
	// The longest Russian text is exactly at the limit.
	_, units, _ = smsSize(SMSCode(RU, "", "123456", 100).Text)
	assert.Equal(t, 70, units)
	// An 8-digit code would need 2 segments in Russian.
	_, _, segments := smsSize(SMSCode(RU, "", "12345678", 100).Text)
	assert.Equal(t, 2, segments)
}

func TestSMSSize(t *testing.T) {
	for _, tc := range []struct {
		name     string
		text     string
		ucs2     bool
		units    int
		segments int
	}{
		{"empty", "", false, 0, 0},
		{"ascii", "Code 123456", false, 11, 1},
		{"gsm 160", strings.Repeat("a", 160), false, 160, 1},
		{"gsm 161", strings.Repeat("a", 161), false, 161, 2},
		{"gsm 306", strings.Repeat("a", 306), false, 306, 2},
		{"gsm 307", strings.Repeat("a", 307), false, 307, 3},
		{"gsm extension", "[€]", false, 6, 1},
		{"gsm accents", "éàüÄΩ", false, 5, 1},
		{"cyrillic", "Привет", true, 6, 1},
		{"ucs2 70", strings.Repeat("я", 70), true, 70, 1},
		{"ucs2 71", strings.Repeat("я", 71), true, 71, 2},
		{"ucs2 134", strings.Repeat("я", 134), true, 134, 2},
		{"ucs2 135", strings.Repeat("я", 135), true, 135, 3},
		{"latin with one cyrillic", "Code: 1 я", true, 9, 1},
		{"surrogate pair", "ok 😀", true, 5, 1},
		{"curly quote", "“x”", true, 3, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ucs2, units, segments := smsSize(tc.text)
			assert.Equal(t, tc.ucs2, ucs2)
			assert.Equal(t, tc.units, units)
			assert.Equal(t, tc.segments, segments)
		})
	}
}

func TestLang(t *testing.T) {
	for _, tc := range []struct {
		lang Lang
		want string
	}{
		{RU, "Код"},
		{EN, "Confirmation"},
		{"EN-gb", "Confirmation"},
		{"", "Код"},
		{"be", "Код"},
		{"de", "Код"},
	} {
		text := SMSCode(tc.lang, "", "1", 1).Text
		assert.True(t, strings.HasPrefix(text, tc.want), "%q: %s", tc.lang, text)
	}
	assert.True(t, strings.HasPrefix(Receipt("xx", "", ReceiptInfo{Amount: "1"}).Subject, "Оплата получена / "))
}

func TestPlural(t *testing.T) {
	ru := []string{"час", "часа", "часов"}
	for n, want := range map[int]string{
		0: "часов", 1: "час", 2: "часа", 4: "часа", 5: "часов", 11: "часов", 12: "часов",
		14: "часов", 21: "час", 22: "часа", 25: "часов", 48: "часов", 72: "часа",
		101: "час", 111: "часов", 112: "часов", 122: "часа", -1: "час",
	} {
		got, err := plural(n, ru...)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%d", n)
	}
	for n, want := range map[int]string{0: "hours", 1: "hour", 2: "hours", 21: "hours"} {
		got, err := plural(n, "hour", "hours")
		require.NoError(t, err)
		assert.Equal(t, want, got, "%d", n)
	}
	_, err := plural(1, "one")
	assert.Error(t, err)

	assert.Contains(t, ApprovalRequest(RU, "", "x", "y", 1).Text, "действительна 1 час.")
	assert.Contains(t, ApprovalRequest(RU, "", "x", "y", 48).Text, "действительна 48 часов.")
	assert.Contains(t, ApprovalRequest(EN, "", "x", "y", 1).Text, "valid for 1 hour.")
	assert.Contains(t, EmailCode(RU, "", "1", 1).Text, "действует 1 минуту.")
	assert.Contains(t, EmailCode(RU, "", "1", 3).Text, "действует 3 минуты.")
}

func TestCallerDataIsCleaned(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Иванов Иван", "Иванов Иван"},
		{"  Иванов\n\nИван\t ", "Иванов Иван"},
		{"a\r\nb", "a b"},
		{"evil\u202egnp.exe", "evilgnp.exe"}, // right-to-left override
		{"a\u2028b\u2029c", "a b c"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"\x00\x1b[31mred", "[31mred"},
		{strings.Repeat("я", maxField+10), strings.Repeat("я", maxField) + "…"},
	} {
		assert.Equal(t, tc.want, clean(tc.in), "%q", tc.in)
	}

	// A name cannot add paragraphs of its own to the message to the head
	// of the organisation.
	m := ApprovalRequest(RU, "head@example.com", "Иван\n\nСрочно перейдите: https://evil.example\n", testLink, 24)
	assert.Contains(t, m.Text, "сотрудника вашей организации: Иван Срочно перейдите: https://evil.example. Для")
	assert.NotContains(t, m.Text, "\nСрочно")
}

// The notice to the register's phone names the certificate and fits two
// segments in Russian, one in English.
func TestOpenedNoticeSMS(t *testing.T) {
	for _, tc := range []struct {
		lang     Lang
		segments int
	}{{RU, 2}, {EN, 1}} {
		m := OpenedNoticeSMS(tc.lang, " +375290000101 ", "...1A2B3C4D")
		assert.Equal(t, SMS, m.Channel)
		assert.Equal(t, "+375290000101", m.To)
		assert.Contains(t, m.Text, "...1A2B3C4D")
		_, _, segments := smsSize(m.Text)
		assert.LessOrEqual(t, segments, tc.segments, m.Text)
	}
}
