package docs

import (
	"renewal/app/dates"

	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Field is one labelled line of a document table.
type Field struct{ Label, Value string }

// Application is the reissue application the holder signs with the current
// certificate's key.
type Application struct {
	Number       string    // application id, shown as "Заявление № ..."
	Date         time.Time // shown as dd.mm.yyyy in the jurisdiction's zone; also the PDF's creation date
	Jurisdiction string    // "RU" or "BY"
	Centre       string    // name of the certification centre
	Service      string    // service title, e.g. "Продление КЭП (Я владелец)"
	Tariff       string    // tariff name
	Amount       string    // formatted price, e.g. "2 500,00 ₽" (₽ is printed as "руб.": the font lacks it) or "45,00 BYN"
	Holder       []Field   // ФИО, ИНН, СНИЛС, паспорт / личный номер, организация, должность, e-mail, телефон...
	Current      []Field   // the current certificate: serial, issuer, valid until
}

// CertificateForm is the printable form of a new certificate, which the
// holder acknowledges with the new key.
type CertificateForm struct {
	Number       string
	Date         time.Time
	Jurisdiction string // "RU" or "BY"
	Centre       string
	Subject      []Field
	Certificate  []Field // serial, validity, issuer, key algorithm, key usage, policies
	PublicKeyHex string  // hex; spaces and colons are ignored
}

// wording holds the jurisdiction-specific texts.
type wording struct {
	appSubtitle, request, currentHeading, appSigned string
	formTitle, formSubtitle, keyHeading, formSigned string
}

var wordings = map[string]wording{
	"RU": {
		appSubtitle: "на изготовление квалифицированного сертификата ключа проверки электронной подписи",
		request: "Прошу изготовить новый квалифицированный сертификат ключа проверки электронной подписи " +
			"на основании действующего квалифицированного сертификата, сведения о котором приведены ниже, " +
			"в соответствии с Федеральным законом от 06.04.2011 № 63-ФЗ «Об электронной подписи». " +
			"Достоверность сведений, указанных в настоящем заявлении, подтверждаю.",
		currentHeading: "Действующий квалифицированный сертификат",
		appSigned: "Настоящее заявление подписано квалифицированной электронной подписью заявителя " +
			"с использованием ключа электронной подписи, соответствующего действующему сертификату.",
		formTitle:    "Сертификат ключа проверки электронной подписи",
		formSubtitle: "квалифицированный · бланк для ознакомления владельца",
		keyHeading:   "Ключ проверки электронной подписи",
		formSigned: "С информацией, содержащейся в квалифицированном сертификате, ознакомлен(а). " +
			"Настоящий документ подписан электронной подписью владельца сертификата с использованием " +
			"ключа электронной подписи, соответствующего указанному ключу проверки электронной подписи.",
	},
	"BY": {
		appSubtitle: "на издание сертификата открытого ключа проверки электронной цифровой подписи",
		request: "Прошу издать сертификат открытого ключа проверки электронной цифровой подписи " +
			"на основании действующего сертификата открытого ключа, сведения о котором приведены ниже, " +
			"в соответствии с Законом Республики Беларусь от 28.12.2009 № 113-З " +
			"«Об электронном документе и электронной цифровой подписи». " +
			"Достоверность сведений, указанных в настоящем заявлении, подтверждаю.",
		currentHeading: "Действующий сертификат открытого ключа",
		appSigned: "Настоящее заявление подписано электронной цифровой подписью заявителя " +
			"с использованием личного ключа, соответствующего действующему сертификату открытого ключа.",
		formTitle:    "Сертификат открытого ключа проверки электронной цифровой подписи",
		formSubtitle: "бланк для ознакомления владельца",
		keyHeading:   "Открытый ключ проверки электронной цифровой подписи",
		formSigned: "С информацией, содержащейся в сертификате открытого ключа, ознакомлен(а). " +
			"Настоящий документ подписан электронной цифровой подписью владельца сертификата с использованием " +
			"личного ключа, соответствующего указанному открытому ключу.",
	},
}

const dateLayout = "02.01.2006"

// RenderApplication renders the reissue application as a PDF: the centre
// in the header, "Заявление № …" and the request text, the holder's data,
// the current certificate, the service, tariff and amount, and a statement
// that the document is signed with the holder's electronic signature. The
// same Application always gives the same bytes.
func RenderApplication(a Application) ([]byte, error) {
	a.Date = a.Date.In(dates.Zone(a.Jurisdiction))
	wd, err := check(a.Number, a.Jurisdiction, a.Centre, a.Date)
	if err != nil {
		return nil, err
	}
	ref := "Заявление № " + a.Number
	w := newWriter(a.Centre, ref+" "+wd.appSubtitle, ref+" от "+a.Date.Format(dateLayout), a.Date)
	w.title(ref, wd.appSubtitle)
	w.rightLine("Дата: " + a.Date.Format(dateLayout))
	w.paragraph(wd.request)
	w.heading("Сведения о заявителе — владельце сертификата")
	w.table(a.Holder)
	w.heading(wd.currentHeading)
	w.table(a.Current)
	w.heading("Услуга")
	w.table([]Field{{"Услуга", a.Service}, {"Тариф", a.Tariff}, {"Стоимость", a.Amount}})
	w.pdf.Ln(4)
	w.paragraph(wd.appSigned)
	return w.finish()
}

// RenderCertificateForm renders the certificate form ("Сертификат ключа
// проверки электронной подписи"; for BY "Сертификат открытого ключа …") with
// the subject's and the certificate's fields and the public key in hex, and a
// statement that the holder has read it. The same form always gives the same
// bytes.
func RenderCertificateForm(f CertificateForm) ([]byte, error) {
	f.Date = f.Date.In(dates.Zone(f.Jurisdiction))
	wd, err := check(f.Number, f.Jurisdiction, f.Centre, f.Date)
	if err != nil {
		return nil, err
	}
	key, err := groupHex(f.PublicKeyHex)
	if err != nil {
		return nil, err
	}
	ref := wd.formTitle + " № " + f.Number
	w := newWriter(f.Centre, ref, "Бланк сертификата № "+f.Number+" от "+f.Date.Format(dateLayout), f.Date)
	w.title(wd.formTitle, wd.formSubtitle)
	w.rightLine("№ " + f.Number + " от " + f.Date.Format(dateLayout))
	w.heading("Владелец сертификата")
	w.table(f.Subject)
	w.heading("Сведения о сертификате")
	w.table(f.Certificate)
	w.heading(wd.keyHeading)
	w.mono(key)
	w.paragraph(wd.formSigned)
	return w.finish()
}

func check(number, jurisdiction, centre string, date time.Time) (wording, error) {
	wd, ok := wordings[jurisdiction]
	switch {
	case !ok:
		return wording{}, fmt.Errorf("docs: jurisdiction %q, want RU or BY", jurisdiction)
	case strings.TrimSpace(number) == "":
		return wording{}, errors.New("docs: document number is empty")
	case strings.TrimSpace(centre) == "":
		return wording{}, errors.New("docs: centre name is empty")
	case date.IsZero():
		return wording{}, errors.New("docs: document date is zero")
	}
	return wd, nil
}

// groupHex validates a hex string (spaces, newlines and colons ignored) and
// formats it as upper-case bytes separated by spaces, 24 bytes a line.
func groupHex(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == ':' || r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		return "", errors.New("docs: the public key must be non-empty hex")
	}
	var out strings.Builder
	for i, c := range b {
		switch {
		case i == 0:
		case i%24 == 0:
			out.WriteByte('\n')
		default:
			out.WriteByte(' ')
		}
		fmt.Fprintf(&out, "%02X", c)
	}
	return out.String(), nil
}
