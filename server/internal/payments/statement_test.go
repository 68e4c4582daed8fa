package payments

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

// A statement as a Russian client-bank exports it: two incoming payments
// and one outgoing, with the header lines real exports carry.
const sampleStatement = `1CClientBankExchange
ВерсияФормата=1.03
Кодировка=Windows
Отправитель=Бухгалтерия предприятия, редакция 3.0
Получатель=
ДатаСоздания=11.03.2026
ВремяСоздания=09:15:02
ДатаНачала=10.03.2026
ДатаКонца=10.03.2026
РасчСчет=40702810900000012345
СекцияРасчСчет
ДатаНачала=10.03.2026
ДатаКонца=10.03.2026
РасчСчет=40702810900000012345
НачальныйОстаток=100000.00
ВсегоПоступило=5000,50
ВсегоСписано=1200.00
КонечныйОстаток=103800.50
КонецРасчСчет
СекцияДокумент=Платежное поручение
Номер=512
Дата=10.03.2026
Сумма=2500.00
ПлательщикСчет=40702810400000054321
Плательщик=ИНН 7707083893 ООО «Ромашка»
ПлательщикИНН=7707083893
Плательщик1=ООО «Ромашка»
ПлательщикКПП=770701001
ПлательщикБанк1=ПАО СБЕРБАНК
ПлательщикБИК=044525225
ПолучательСчет=40702810900000012345
Получатель=ИНН 7701234567 АО «Удостоверяющий центр»
ПолучательИНН=7701234567
ВидОплаты=01
Очередность=5
НазначениеПлатежа=Оплата по счёту № RN-2026-000123 от 05.03.2026 за продление сертификата ЭП. Без НДС
ДатаПоступило=10.03.2026
КонецДокумента
СекцияДокумент=Платежное поручение
Номер=77
Дата=09.03.2026
Сумма=2500,50
ПлательщикСчет=40802810500000000777
Плательщик=Иванов Иван Иванович
ПлательщикИНН=500100732259
ПолучательСчет=40702810900000012345
Получатель=АО «Удостоверяющий центр»
ПолучательИНН=7701234567
НазначениеПлатежа=оплата сч N rn 2026 000124, НДС не облагается
ДатаПоступило=10.03.2026
КонецДокумента
СекцияДокумент=Платежное поручение
Номер=1001
Дата=10.03.2026
Сумма=1200
ПлательщикСчет=40702810900000012345
Плательщик=АО «Удостоверяющий центр»
ПлательщикИНН=7701234567
ПолучательСчет=40702810000000000001
Получатель=ООО «Хостинг»
ПолучательИНН=7800000000
НазначениеПлатежа=Оплата аренды сервера
ДатаСписано=10.03.2026
ДатаПоступило=
КонецДокумента
КонецФайла
`

func day(d, m, y int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func encode1251(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1251.NewEncoder().String(strings.ReplaceAll(s, "\n", "\r\n"))
	require.NoError(t, err)
	return []byte(b)
}

func TestParseStatement(t *testing.T) {
	// CP866 has no «»: DOS-era exports use plain quotes.
	dosText := strings.NewReplacer("Кодировка=Windows", "Кодировка=DOS", "«", "\"", "»", "\"").Replace(sampleStatement)
	dos, err := charmap.CodePage866.NewEncoder().String(dosText)
	require.NoError(t, err)
	tests := []struct {
		name  string
		input []byte
		enc   string
	}{
		{"Windows-1251, CRLF", encode1251(t, sampleStatement), "Windows"},
		{"UTF-8, LF", []byte(sampleStatement), "Windows"},
		{"UTF-8 with BOM, CRLF", append([]byte("\xef\xbb\xbf"), strings.ReplaceAll(sampleStatement, "\n", "\r\n")...), "Windows"},
		{"CP866 (Кодировка=DOS)", []byte(dos), "DOS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.HasPrefix(tt.name, "UTF-8") {
				require.False(t, utf8.Valid(tt.input), "the test input must not be UTF-8")
			}
			s, err := ParseStatement(bytes.NewReader(tt.input))
			require.NoError(t, err)
			assert.Equal(t, "1.03", s.Version)
			assert.Equal(t, tt.enc, s.Encoding)
			assert.Equal(t, "Бухгалтерия предприятия, редакция 3.0", s.Sender)
			assert.Equal(t, day(10, 3, 2026), s.DateFrom)
			assert.Equal(t, day(10, 3, 2026), s.DateTo)
			assert.Equal(t, []string{"40702810900000012345"}, s.Accounts)
			assert.Equal(t, []KV{{"ДатаСоздания", "11.03.2026"}, {"ВремяСоздания", "09:15:02"}}, s.Other)
			require.Len(t, s.Balances, 1)
			assert.Equal(t, AccountBalance{
				DateFrom: day(10, 3, 2026), DateTo: day(10, 3, 2026), Account: "40702810900000012345",
				OpeningMinor: 10000000, InMinor: 500050, OutMinor: 120000, ClosingMinor: 10380050, Line: 11,
			}, s.Balances[0])

			require.Len(t, s.Docs, 3)
			d := s.Docs[0]
			assert.Equal(t, "Платежное поручение", d.Kind)
			assert.Equal(t, "512", d.Number)
			assert.Equal(t, day(10, 3, 2026), d.Date)
			assert.Equal(t, int64(250000), d.AmountMinor)
			assert.Equal(t, "40702810400000054321", d.PayerAccount)
			quotes := strings.NewReplacer("«", "\"", "»", "\"")
			assert.Equal(t, "ИНН 7707083893 ООО \"Ромашка\"", quotes.Replace(d.Payer))
			assert.Equal(t, "ООО \"Ромашка\"", quotes.Replace(d.PayerName()))
			assert.Equal(t, "7707083893", d.PayerINN)
			assert.Equal(t, "40702810900000012345", d.RecipientAccount)
			assert.Equal(t, "7701234567", d.RecipientINN)
			assert.Equal(t, "Оплата по счёту № RN-2026-000123 от 05.03.2026 за продление сертификата ЭП. Без НДС", d.Purpose)
			assert.Equal(t, day(10, 3, 2026), d.Received)
			assert.Contains(t, d.Other, KV{"ПлательщикБИК", "044525225"})
			assert.Equal(t, 20, d.Line)

			d = s.Docs[1]
			assert.Equal(t, int64(250050), d.AmountMinor, "comma decimal")
			assert.Equal(t, "Иванов Иван Иванович", d.PayerName())
			assert.Equal(t, day(9, 3, 2026), d.Date)

			d = s.Docs[2]
			assert.Equal(t, int64(120000), d.AmountMinor, "no decimals")
			assert.True(t, d.Received.IsZero(), "empty ДатаПоступило")
			assert.Equal(t, day(10, 3, 2026), d.WrittenOff)
		})
	}
}

func TestParseStatementMalformed(t *testing.T) {
	base := strings.Split(strings.TrimSuffix(sampleStatement, "\n"), "\n")
	lineOf := func(prefix string) int { // 1-based line of the first line starting with prefix
		for i, l := range base {
			if strings.HasPrefix(l, prefix) {
				return i + 1
			}
		}
		t.Fatalf("no line %q", prefix)
		return 0
	}
	replace := func(prefix, with string) string {
		out := append([]string(nil), base...)
		out[lineOf(prefix)-1] = with
		return strings.Join(out, "\n")
	}
	drop := func(prefix string) string {
		n := lineOf(prefix)
		out := append(append([]string(nil), base[:n-1]...), base[n:]...)
		return strings.Join(out, "\n")
	}
	tests := []struct {
		name     string
		input    string
		wantLine int
		wantText string
	}{
		{"empty", "", 0, "empty"},
		{"not a statement", "<html>", 1, "1CClientBankExchange"},
		{"bad amount", replace("Сумма=2500.00", "Сумма=2500.001"), lineOf("Сумма=2500.00"), "bad amount"},
		{"negative amount", replace("Сумма=2500.00", "Сумма=-2500.00"), lineOf("Сумма=2500.00"), "bad amount"},
		{"amount with a thousands separator", replace("Сумма=2500.00", "Сумма=2,500.00"), lineOf("Сумма=2500.00"), "bad amount"},
		{"bad balance", replace("НачальныйОстаток", "НачальныйОстаток=сто"), lineOf("НачальныйОстаток"), "bad amount"},
		{"bad date", replace("Дата=10.03.2026", "Дата=2026-03-10"), lineOf("Дата=10.03.2026"), "bad date"},
		{"a line without =", replace("Очередность", "просто текст"), lineOf("Очередность"), "Key=Value"},
		{"repeated amount", replace("Очередность", "Сумма=1.00"), lineOf("Очередность"), "repeated"},
		{"no amount", drop("Сумма=2500.00"), lineOf("СекцияДокумент"), "no Сумма"},
		{"no end of file", drop("КонецФайла"), len(base) - 1, "КонецФайла"},
		{"document not closed", strings.Join(base[:lineOf("ДатаПоступило=10.03.2026")], "\n"), lineOf("СекцияДокумент"), "not closed"},
		{"nested document", replace("КонецДокумента", "СекцияДокумент=Платежное поручение"), lineOf("КонецДокумента"), "unclosed section"},
		{"end without section", replace("СекцияРасчСчет", "КонецДокумента"), lineOf("СекцияРасчСчет"), "without"},
		{"text after the end", sampleStatement + "мусор\n", len(base) + 1, "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseStatement(bytes.NewReader(encode1251(t, tt.input)))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrMalformedStatement)
			var se *StatementError
			require.True(t, errors.As(err, &se))
			assert.Equal(t, tt.wantLine, se.Line, err.Error())
			assert.Contains(t, se.EN, tt.wantText)
			assert.NotEmpty(t, se.RU)
			if tt.wantLine > 0 {
				assert.Contains(t, err.Error(), "line ")
			}
		})
	}
}

func TestParseAmountMinor(t *testing.T) {
	good := map[string]int64{"2500.00": 250000, "2500,00": 250000, "2500,5": 250050, "2500": 250000, "0.01": 1, "0": 0,
		"9999999999999999.99": 999999999999999999}
	for in, want := range good {
		got, err := ParseAmountMinor(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		if in == "2500.00" || in == "0.01" {
			assert.Equal(t, in, FormatAmountMinor(got))
		}
	}
	for _, in := range []string{"", "2500.001", "-1", "+1", "1 000.00", "1,000.00", "2500.", ".5", "abc", "1e3", "99999999999999999", "12.3.4"} {
		_, err := ParseAmountMinor(in)
		assert.Error(t, err, in)
	}
}

func TestWriteStatementRoundTrip(t *testing.T) {
	s := &Statement{
		Version: "1.03", Encoding: "Windows", Sender: "Тестовый банк (dev)", Receiver: "Бухгалтерия",
		DateFrom: day(1, 3, 2026), DateTo: day(31, 3, 2026),
		Accounts: []string{"40702810900000012345"},
		Other:    []KV{{"ДатаСоздания", "01.04.2026"}},
		Balances: []AccountBalance{{DateFrom: day(1, 3, 2026), DateTo: day(31, 3, 2026), Account: "40702810900000012345",
			OpeningMinor: 1, InMinor: 250000, OutMinor: 0, ClosingMinor: 250001, Line: 10}},
		Docs: []StatementDoc{
			{Kind: "Платежное поручение", Number: "15", Date: day(3, 3, 2026), AmountMinor: 250000,
				PayerAccount: "40802810500000000777", Payer: "ИНН 500100732259 Ёлкин Пётр Сергеевич", Payer1: "Ёлкин Пётр Сергеевич",
				PayerINN: "500100732259", RecipientAccount: "40702810900000012345", Recipient: "АО «УЦ»", RecipientINN: "7701234567",
				Purpose: "Оплата по счёту № RN-2026-000007; без НДС", Received: day(4, 3, 2026),
				Other: []KV{{"ПлательщикБИК", "044525225"}}, Line: 20},
			{Kind: "Банковский ордер", Number: "16", Date: day(5, 3, 2026), AmountMinor: 1,
				Recipient1: "АО «УЦ»", RecipientINN: "7701234567", Line: 38},
		},
	}
	var buf bytes.Buffer
	require.NoError(t, WriteStatement(&buf, s))
	out := buf.Bytes()
	assert.False(t, utf8.Valid(out), "Windows-1251, not UTF-8")
	assert.Equal(t, bytes.Count(out, []byte("\n")), bytes.Count(out, []byte("\r\n")), "CRLF only")
	assert.True(t, bytes.HasPrefix(out, encode1251(t, "1CClientBankExchange\nВерсияФормата=1.03\nКодировка=Windows\n")))
	assert.True(t, bytes.HasSuffix(out, encode1251(t, "КонецФайла\n")))

	got, err := ParseStatement(bytes.NewReader(out))
	require.NoError(t, err)
	text, err := charmap.Windows1251.NewDecoder().String(string(out))
	require.NoError(t, err)
	lines := strings.Split(text, "\r\n")
	for i := range got.Docs { // Line points at the document's first line
		require.Positive(t, got.Docs[i].Line)
		assert.Equal(t, "СекцияДокумент="+s.Docs[i].Kind, lines[got.Docs[i].Line-1])
		s.Docs[i].Line = got.Docs[i].Line
	}
	assert.Equal(t, "СекцияРасчСчет", lines[got.Balances[0].Line-1])
	s.Balances[0].Line = got.Balances[0].Line
	assert.Equal(t, s, got)

	for name, bad := range map[string]func(*Statement){
		"line break in a value": func(s *Statement) { s.Docs[0].Purpose = "a\r\nКонецФайла" },
		"not in Windows-1251":   func(s *Statement) { s.Docs[0].Purpose = "оплата 🙂" },
		"document without date": func(s *Statement) { s.Docs[0].Date = time.Time{} },
	} {
		cp := *s
		cp.Docs = append([]StatementDoc(nil), s.Docs...)
		bad(&cp)
		assert.Error(t, WriteStatement(&bytes.Buffer{}, &cp), name)
	}
}

func TestStatementDocEventID(t *testing.T) {
	s, err := ParseStatement(strings.NewReader(sampleStatement))
	require.NoError(t, err)
	again, err := ParseStatement(bytes.NewReader(encode1251(t, sampleStatement)))
	require.NoError(t, err)
	assert.Equal(t, s.Docs[0].EventID(), again.Docs[0].EventID(), "the same document in another upload")
	assert.NotEqual(t, s.Docs[0].EventID(), s.Docs[1].EventID())
	d := s.Docs[0]
	d.Line, d.Purpose = 999, "other text"
	assert.Equal(t, s.Docs[0].EventID(), d.EventID(), "position and purpose text do not matter")
	d.AmountMinor++
	assert.NotEqual(t, s.Docs[0].EventID(), d.EventID())
}
