package notify

import (
	"time"

	_ "embed"
	"fmt"
	"renewal/app/dates"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf16"
)

// Lang is the interface language a person chose: it decides which language
// comes first in an e-mail and the only language of an SMS.
type Lang string

// Languages. Anything that is not English ("en", "en-GB", …) is Russian.
const (
	RU Lang = "ru"
	EN Lang = "en"
)

func (l Lang) norm() Lang {
	if strings.HasPrefix(strings.ToLower(string(l)), "en") {
		return EN
	}
	return RU
}

func (l Lang) other() Lang {
	if l.norm() == EN {
		return RU
	}
	return EN
}

//go:embed texts.tmpl
var textsSource string

var texts = template.Must(template.New("texts.tmpl").
	Funcs(template.FuncMap{"plural": plural}).
	Parse(textsSource))

// emailSeparator divides the two languages of an e-mail body.
const emailSeparator = "------------------------------"

// maxField bounds each piece of caller data put into a text (runes).
const maxField = 300

// SMSCode is the SMS with a one-time code, valid for minutes, in the
// person's language only.
//
// Russian: "Код подтверждения: 123456. Никому не сообщайте его. Действует
// 10 мин." is 69 UCS-2 characters, 70 with 3-digit minutes: one segment
// (limit 70) for codes of up to 6 digits; a 7-digit code with 3-digit
// minutes, or any longer code, needs 2 segments. English: "Confirmation
// code: 123456. Do not share it with anyone. Valid for 10 min." is 73 GSM-7
// characters, one segment (limit 160).
func SMSCode(lang Lang, to, code string, minutes int) Message {
	l := lang.norm()
	return Message{
		Channel: SMS,
		Kind:    KindSMSCode,
		To:      strings.TrimSpace(to),
		Text:    render(string(KindSMSCode)+".sms."+string(l), codeData{Code: clean(code), Minutes: minutes}),
	}
}

type codeData struct {
	Code    string
	Minutes int
}

// EmailCode is the e-mail with the code that confirms an e-mail address,
// valid for minutes.
func EmailCode(lang Lang, to, code string, minutes int) Message {
	return email(KindEmailCode, lang, to, codeData{Code: clean(code), Minutes: minutes})
}

// ResumeLink is the e-mail with a link that resumes an application at its
// current step; stepRU and stepEN name that step for people ("Оплата",
// "Payment") and may be empty.
func ResumeLink(lang Lang, to, link, stepRU, stepEN string) Message {
	return email(KindResumeLink, lang, to, struct{ Link, StepRU, StepEN string }{
		Link: clean(link), StepRU: clean(stepRU), StepEN: clean(stepEN),
	})
}

// RegistryRejected tells the applicant that the state registry check
// rejected the application; the reasons (either may be empty) come from the
// registry check, in both languages.
func RegistryRejected(lang Lang, to, reasonRU, reasonEN string) Message {
	return email(KindRegistryRejected, lang, to, struct{ ReasonRU, ReasonEN string }{
		ReasonRU: clean(reasonRU), ReasonEN: clean(reasonEN),
	})
}

// ApprovalRequest asks the head of the organisation to approve the renewal
// an employee applied for; link opens the approval page and is valid for
// validHours.
func ApprovalRequest(lang Lang, to, employeeName, link string, validHours int) Message {
	return email(KindApprovalRequest, lang, to, struct {
		EmployeeName, Link string
		ValidHours         int
	}{EmployeeName: clean(employeeName), Link: clean(link), ValidHours: validHours})
}

// ApprovalRequestSMS is ApprovalRequest by SMS, in the person's language
// only: the employee's name and the link.
func ApprovalRequestSMS(lang Lang, to, employeeName, link string) Message {
	return Message{
		Channel: SMS,
		Kind:    KindApprovalRequest,
		To:      strings.TrimSpace(to),
		Text: render(string(KindApprovalRequest)+".sms."+string(lang.norm()), struct{ EmployeeName, Link string }{
			EmployeeName: clean(employeeName), Link: clean(link),
		}),
	}
}

// Declined tells the applicant that the head of the organisation declined
// the request, with the head's reason as written (it has no translation).
func Declined(lang Lang, to, reason string) Message {
	return email(KindDeclined, lang, to, struct{ Reason string }{Reason: clean(reason)})
}

// IssueRefused tells the applicant that the authority refused to issue the
// paid certificate, why (either reason may be empty), and that the payment
// will be refunded.
func IssueRefused(lang Lang, to, reasonRU, reasonEN string) Message {
	return email(KindIssueRefused, lang, to, struct{ ReasonRU, ReasonEN string }{
		ReasonRU: clean(reasonRU), ReasonEN: clean(reasonEN),
	})
}

// ReceiptInfo is what a receipt names: the amount (money.Format), the
// application's number, the payment's (the reference the gateway's own
// receipt and support know; one for all the requests a head paid), the
// invoice's number if paid by invoice, and when it was paid, written in
// the jurisdiction's zone.
type ReceiptInfo struct {
	Amount, Application, Payment, Invoice string
	PaidAt                                time.Time
	Jurisdiction                          string
}

// Receipt confirms a payment.
func Receipt(lang Lang, to string, r ReceiptInfo) Message {
	return email(KindReceipt, lang, to, struct{ Amount, Application, Payment, Invoice, PaidRU, PaidEN string }{
		Amount: clean(r.Amount), Application: clean(r.Application), Payment: clean(r.Payment), Invoice: clean(r.Invoice),
		PaidRU: dates.DateTime(r.PaidAt, r.Jurisdiction, "ru"), PaidEN: dates.DateTime(r.PaidAt, r.Jurisdiction, "en"),
	})
}

// OpenedNotice tells the e-mail written in a certificate that a renewal
// of it was opened with other contacts: the holder learns of it even if
// someone else holds his key and gave his own phone and e-mail.
func OpenedNotice(lang Lang, to, serial, phone, mail string) Message {
	return email(KindOpenedNotice, lang, to, struct{ Serial, Phone, Email string }{clean(serial), clean(phone), clean(mail)})
}

// OpenedNoticeSMS is OpenedNotice to the phone the register knows for the
// certificate's holder, in the holder's language only.
func OpenedNoticeSMS(lang Lang, to, serial string) Message {
	return Message{
		Channel: SMS,
		Kind:    KindOpenedNotice,
		To:      strings.TrimSpace(to),
		Text:    render(string(KindOpenedNotice)+".sms."+string(lang.norm()), struct{ Serial string }{clean(serial)}),
	}
}

// IssuedInfo is what the issued e-mail names: the certificate's serial
// (as shown to people, usually hex), the link to the application, its
// number, and the certificate's end in the jurisdiction's zone.
type IssuedInfo struct {
	Serial, Link, Application string
	NotAfter                  time.Time
	Jurisdiction              string
}

// Issued tells the applicant the certificate is issued and can be
// fetched at the link.
func Issued(lang Lang, to string, in IssuedInfo) Message {
	return email(KindIssued, lang, to, struct{ Serial, Link, Application, UntilRU, UntilEN string }{
		Serial: clean(in.Serial), Link: clean(in.Link), Application: clean(in.Application),
		UntilRU: dates.Date(in.NotAfter, in.Jurisdiction, "ru"), UntilEN: dates.Date(in.NotAfter, in.Jurisdiction, "en"),
	})
}

// email renders a two-language e-mail: the chosen language first.
func email(kind Kind, lang Lang, to string, data any) Message {
	first, second := lang.norm(), lang.other()
	part := func(l Lang) string {
		return render(string(kind)+".body."+string(l), data) + "\n\n" + render("footer."+string(l), nil)
	}
	return Message{
		Channel: Email,
		Kind:    kind,
		To:      strings.TrimSpace(to),
		Subject: render(string(kind)+".subject."+string(first), data) + " / " + render(string(kind)+".subject."+string(second), data),
		Text:    part(first) + "\n\n" + emailSeparator + "\n\n" + part(second) + "\n",
	}
}

// render executes one named template and trims the surrounding blank
// lines. The templates are fixed and covered by tests, so a failure is a
// programming error and panics.
func render(name string, data any) string {
	var b strings.Builder
	if err := texts.ExecuteTemplate(&b, name, data); err != nil {
		panic(fmt.Sprintf("notify: template %s: %v", name, err))
	}
	return strings.TrimSpace(b.String())
}

// clean makes caller data safe to put into a text: one line (so a name
// cannot add paragraphs of its own to a trusted message), no control or
// bidirectional-format characters (which can disguise a link), valid
// UTF-8, collapsed spaces, at most maxField runes.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Cf, r) { // bidi overrides, zero-width characters
			continue
		}
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.In(r, unicode.Zl, unicode.Zp) {
			space = b.Len() > 0
			continue
		}
		if n == maxField {
			b.WriteRune('…')
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// plural picks the form of a noun for n: with three forms the Russian rule
// (1 час, 2 часа, 5 часов, 11 часов, 21 час), with two the English rule
// (1 hour, 2 hours).
func plural(n int, forms ...string) (string, error) {
	if n < 0 {
		n = -n
	}
	switch len(forms) {
	case 2:
		if n == 1 {
			return forms[0], nil
		}
		return forms[1], nil
	case 3:
		n10, n100 := n%10, n%100
		switch {
		case n10 == 1 && n100 != 11:
			return forms[0], nil
		case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
			return forms[1], nil
		default:
			return forms[2], nil
		}
	}
	return "", fmt.Errorf("plural: want 2 or 3 forms, got %d", len(forms))
}

// smsSize measures an SMS: whether it needs UCS-2 (any character outside
// the GSM 03.38 alphabet), its length in that encoding's units (septets,
// with extension characters counting 2, or UTF-16 code units) and the
// number of segments (single: 160 septets / 70 UCS-2; concatenated: 153 /
// 67 per segment).
func smsSize(text string) (ucs2 bool, units, segments int) {
	septets := 0
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsm7Basic, r):
			septets++
		case strings.ContainsRune(gsm7Extension, r):
			septets += 2
		default:
			ucs2 = true
		}
	}
	single, multi := 160, 153
	units = septets
	if ucs2 {
		single, multi = 70, 67
		units = 0
		for _, r := range text {
			units += utf16.RuneLen(r) // 2 for a surrogate pair
		}
	}
	switch {
	case units == 0:
		segments = 0
	case units <= single:
		segments = 1
	default:
		segments = (units + multi - 1) / multi
	}
	return ucs2, units, segments
}

// The GSM 03.38 default alphabet (without the escape) and its extension
// table (each extension character takes two septets).
const (
	gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Extension = "\f^{}\\[~]|€"
)

// Revoked tells the holder that the certificate with serial was revoked
// because its payment was refunded or charged back, with the reason the
// wizard shows, and that the operator reviews the application.
func Revoked(lang Lang, to, serial, reasonRU, reasonEN string) Message {
	return email(KindRevokedUnpaid, lang, to, struct{ Serial, ReasonRU, ReasonEN string }{
		Serial: clean(serial), ReasonRU: clean(reasonRU), ReasonEN: clean(reasonEN),
	})
}
