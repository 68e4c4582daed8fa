package docs_test

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/server/internal/docs"
)

func sampleSeller() docs.Party {
	return docs.Party{
		Name:        "Общество с ограниченной ответственностью «Удостоверяющий центр Тест»",
		INN:         "7701234567",
		KPP:         "770101001",
		Address:     "123456, г. Москва, ул. Примерная, д. 1, стр. 2, офис 305",
		Bank:        "ПАО СБЕРБАНК г. Москва",
		BIC:         "044525225",
		Account:     "40702810938000012345",
		CorrAccount: "30101810400000000225",
	}
}

func sampleBuyer() docs.Party {
	return docs.Party{Name: "ИП Смирнов Алексей Викторович", INN: "771234567890", Address: "г. Москва, ул. Тверская, д. 7"}
}

func sampleLines() []docs.Line {
	return []docs.Line{
		{Name: "Продление квалифицированного сертификата ключа проверки электронной подписи", Quantity: 1, Unit: "усл.", PriceMinor: 250000},
		{Name: "Носитель ключа Рутокен ЭЦП 3.0", Quantity: 2, Unit: "шт.", PriceMinor: 190050},
	}
}

func sampleInvoice() docs.Invoice {
	return docs.Invoice{
		Number:       "RN-2026-000123",
		Date:         time.Date(2026, 3, 14, 12, 26, 53, 0, msk),
		Jurisdiction: "RU",
		Currency:     "RUB",
		Seller:       sampleSeller(),
		Buyer:        sampleBuyer(),
		Lines:        sampleLines(),
		VATRate:      20,
		VATIncluded:  true,
		Purpose:      "Оплата по счёту № RN-2026-000123 от 14.03.2026, в т.ч. НДС 20% 1050,17 руб.",
		DueDays:      5,
	}
}

func sampleInvoiceBY() docs.Invoice {
	inv := sampleInvoice()
	inv.Jurisdiction, inv.Currency = "BY", "BYN"
	inv.Seller = docs.Party{
		Name: "ООО «УЦ Тест»", UNP: "190123456", Address: "г. Минск, пр. Независимости, д. 1",
		Bank: "ОАО «Приорбанк»", BIC: "PJCBBY2X", Account: "BY20PJCB30120123451000000933",
	}
	inv.Buyer = docs.Party{Name: "Смирнов Алексей Викторович", UNP: "190000001"}
	inv.Lines = []docs.Line{{Name: "Дистанционное издание сертификата открытого ключа", Quantity: 1, Unit: "усл.", PriceMinor: 4500}}
	inv.Purpose = "Оплата по счёту № RN-2026-000123"
	inv.DueDays = 20
	return inv
}

// flat joins the words of pdftotext's output with single spaces, so that
// wrapped paragraphs can be matched.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// salesText is the text of a PDF twice: as pdftotext reads it (paragraphs
// and cells whole) and in its physical layout (rows whole: "Итого: 6 301,00"),
// each flattened.
func salesText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	require.NoError(t, err, "pdftotext must be installed (apt-get install -y poppler-utils)")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o600))
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").CombinedOutput()
	require.NoError(t, err, "pdftotext: %s", out)
	return flat(pdfText(t, pdf)) + "\n" + flat(string(out))
}

func TestAmountInWords(t *testing.T) {
	tests := []struct {
		minor    int64
		currency string
		want     string
	}{
		{100, "RUB", "Один рубль 00 копеек"},
		{200, "RUB", "Два рубля 00 копеек"},
		{500, "RUB", "Пять рублей 00 копеек"},
		{1100, "RUB", "Одиннадцать рублей 00 копеек"},
		{1400, "RUB", "Четырнадцать рублей 00 копеек"},
		{2100, "RUB", "Двадцать один рубль 00 копеек"},
		{2300, "RUB", "Двадцать три рубля 00 копеек"},
		{11100, "RUB", "Сто одиннадцать рублей 00 копеек"},
		{100000, "RUB", "Одна тысяча рублей 00 копеек"},
		{200000, "RUB", "Две тысячи рублей 00 копеек"},
		{500000, "RUB", "Пять тысяч рублей 00 копеек"},
		{1100000, "RUB", "Одиннадцать тысяч рублей 00 копеек"},
		{2100000, "RUB", "Двадцать одна тысяча рублей 00 копеек"},
		{2200000, "RUB", "Двадцать две тысячи рублей 00 копеек"},
		{101200, "RUB", "Одна тысяча двенадцать рублей 00 копеек"},
		{250000, "RUB", "Две тысячи пятьсот рублей 00 копеек"},
		{250050, "RUB", "Две тысячи пятьсот рублей 50 копеек"},
		{99999999, "RUB", "Девятьсот девяносто девять тысяч девятьсот девяносто девять рублей 99 копеек"},
		{100000000, "RUB", "Один миллион рублей 00 копеек"},
		{200000000, "RUB", "Два миллиона рублей 00 копеек"},
		{500000000, "RUB", "Пять миллионов рублей 00 копеек"},
		{100100100, "RUB", "Один миллион одна тысяча один рубль 00 копеек"},
		{100000000000, "RUB", "Один миллиард рублей 00 копеек"},
		{0, "RUB", "Ноль рублей 00 копеек"},
		{1, "RUB", "Ноль рублей 01 копейка"},
		{2, "RUB", "Ноль рублей 02 копейки"},
		{5, "RUB", "Ноль рублей 05 копеек"},
		{11, "RUB", "Ноль рублей 11 копеек"},
		{21, "RUB", "Ноль рублей 21 копейка"},
		{42, "RUB", "Ноль рублей 42 копейки"},
		{-100, "RUB", "Минус один рубль 00 копеек"},
		{4500, "BYN", "Сорок пять белорусских рублей 00 копеек"},
		{100, "BYN", "Один белорусский рубль 00 копеек"},
		{2200, "BYN", "Двадцать два белорусских рубля 00 копеек"},
		{1, "BYN", "Ноль белорусских рублей 01 копейка"},
		{4500, "USD", "Сорок пять USD 00/100"},
		{math.MaxInt64, "RUB", "Девяносто два квадриллиона двести тридцать три триллиона семьсот двадцать миллиардов " +
			"триста шестьдесят восемь миллионов пятьсот сорок семь тысяч семьсот пятьдесят восемь рублей 07 копеек"},
		{math.MinInt64, "RUB", "Минус девяносто два квадриллиона двести тридцать три триллиона семьсот двадцать миллиардов " +
			"триста шестьдесят восемь миллионов пятьсот сорок семь тысяч семьсот пятьдесят восемь рублей 08 копеек"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, docs.AmountInWords(tt.minor, tt.currency))
		})
	}
}

func TestComputeTotals(t *testing.T) {
	one := func(price int64) []docs.Line {
		return []docs.Line{{Name: "Услуга", Quantity: 1, Unit: "усл.", PriceMinor: price}}
	}
	tests := []struct {
		name     string
		lines    []docs.Line
		rate     int
		included bool
		want     docs.Totals
	}{
		{"included", one(250000), 20, true, docs.Totals{Sum: 250000, VAT: 41667, Net: 208333, Total: 250000}},
		{"excluded", one(250000), 20, false, docs.Totals{Sum: 250000, VAT: 50000, Net: 250000, Total: 300000}},
		{"included-22", one(12200), 22, true, docs.Totals{Sum: 12200, VAT: 2200, Net: 10000, Total: 12200}},
		{"included-half-rounds-up", one(3), 20, true, docs.Totals{Sum: 3, VAT: 1, Net: 2, Total: 3}},         // 0.5
		{"included-below-half-rounds-down", one(2), 20, true, docs.Totals{Sum: 2, VAT: 0, Net: 2, Total: 2}}, // 0.33
		{"excluded-half-rounds-up", one(5), 10, false, docs.Totals{Sum: 5, VAT: 1, Net: 5, Total: 6}},        // 0.5
		{"excluded-below-half", one(4), 10, false, docs.Totals{Sum: 4, VAT: 0, Net: 4, Total: 4}},            // 0.4
		{"no-vat-included", one(4500), 0, true, docs.Totals{Sum: 4500, Net: 4500, Total: 4500}},
		{"no-vat-excluded", one(4500), 0, false, docs.Totals{Sum: 4500, Net: 4500, Total: 4500}},
		{"free", one(0), 20, false, docs.Totals{}},
		// VAT is computed on the sum, not rounded per line: 6301.00×20/120 = 1050.1666…
		{"lines", sampleLines(), 20, true, docs.Totals{Sum: 630100, VAT: 105017, Net: 525083, Total: 630100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := docs.ComputeTotals(tt.lines, tt.rate, tt.included)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	bad := []struct {
		name  string
		lines []docs.Line
		rate  int
	}{
		{"no-lines", nil, 20},
		{"negative-price", one(-1), 20},
		{"zero-quantity", []docs.Line{{Name: "Услуга", Quantity: 0, Unit: "усл.", PriceMinor: 1}}, 20},
		{"no-name", []docs.Line{{Name: " ", Quantity: 1, Unit: "усл.", PriceMinor: 1}}, 20},
		{"no-unit", []docs.Line{{Name: "Услуга", Quantity: 1, PriceMinor: 1}}, 20},
		{"negative-rate", one(100), -1},
		{"rate-over-100", one(100), 101},
		{"line-overflow", []docs.Line{{Name: "Услуга", Quantity: math.MaxInt32, Unit: "шт.", PriceMinor: math.MaxInt64 / 2}}, 20},
		{"sum-overflow", []docs.Line{
			{Name: "Услуга", Quantity: 1, Unit: "шт.", PriceMinor: 900_000_000_000_000},
			{Name: "Услуга", Quantity: 1, Unit: "шт.", PriceMinor: 900_000_000_000_000},
		}, 20},
	}
	for _, tt := range bad {
		t.Run("refuse/"+tt.name, func(t *testing.T) {
			_, err := docs.ComputeTotals(tt.lines, tt.rate, true)
			require.Error(t, err)
		})
	}
}

func TestRenderInvoiceText(t *testing.T) {
	excluded := sampleInvoice()
	excluded.VATIncluded = false
	noVAT := sampleInvoice()
	noVAT.VATRate = 0
	tests := []struct {
		name    string
		inv     docs.Invoice
		want    []string
		notWant []string
	}{
		{"RU-vat-included", sampleInvoice(), []string{
			"Счёт на оплату № RN-2026-000123 от 14 марта 2026 г.",
			"Банк получателя", "ПАО СБЕРБАНК г. Москва", "БИК", "044525225", "Сч. №", "30101810400000000225",
			"40702810938000012345", "ИНН 7701234567", "КПП 770101001", "Получатель",
			"Поставщик (Исполнитель)", "Общество с ограниченной ответственностью", "«Удостоверяющий центр Тест»",
			"Покупатель (Заказчик)", "ИП Смирнов Алексей Викторович, ИНН 771234567890",
			"Носитель ключа Рутокен ЭЦП 3.0", "1 900,50", "3 801,00",
			"Итого: 6 301,00", "В том числе НДС (20%): 1 050,17", "Всего к оплате: 6 301,00",
			"Всего наименований 2, на сумму 6 301,00 руб.", "Шесть тысяч триста один рубль 00 копеек",
			"Оплатить не позднее 19.03.2026", "Назначение платежа",
			"Оплата по счёту № RN-2026-000123 от 14.03.2026, в т.ч. НДС 20% 1050,17 руб.",
			"стр. 1 из 1",
		}, []string{"Без НДС"}},
		{"RU-vat-excluded", excluded, []string{
			"Итого: 6 301,00", "НДС (20%): 1 260,20", "Всего к оплате: 7 561,20",
			"Семь тысяч пятьсот шестьдесят один рубль 20 копеек",
		}, []string{"В том числе НДС"}},
		{"RU-no-vat", noVAT, []string{"Итого: 6 301,00", "Без НДС", "Всего к оплате: 6 301,00"}, []string{"НДС (20%)"}},
		{"BY", sampleInvoiceBY(), []string{
			"Счёт на оплату № RN-2026-000123", "ОАО «Приорбанк»", "PJCBBY2X", "BY20PJCB30120123451000000933",
			"УНП 190123456", "Смирнов Алексей Викторович, УНП 190000001", "45,00 BYN",
			"Сорок пять белорусских рублей 00 копеек", "Оплатить не позднее 03.04.2026",
		}, []string{"КПП", "ИНН"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := docs.RenderInvoice(tt.inv)
			require.NoError(t, err)
			require.True(t, bytes.HasPrefix(pdf, []byte("%PDF-")))
			text := salesText(t, pdf)
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, text, w)
			}
		})
	}
}

// The buyer signs nothing here, but the invoice is archived and compared:
// it must be a pure function of its input, like the other documents.
func TestRenderInvoiceChangesWithInput(t *testing.T) {
	base, err := docs.RenderInvoice(sampleInvoice())
	require.NoError(t, err)
	tests := []struct {
		name   string
		change func(*docs.Invoice)
	}{
		{"number", func(i *docs.Invoice) { i.Number += "1" }},
		{"date", func(i *docs.Invoice) { i.Date = i.Date.AddDate(0, 0, 1) }},
		{"price", func(i *docs.Invoice) { i.Lines[0].PriceMinor++ }},
		{"quantity", func(i *docs.Invoice) { i.Lines[1].Quantity++ }},
		{"vat-rate", func(i *docs.Invoice) { i.VATRate = 22 }},
		{"vat-included", func(i *docs.Invoice) { i.VATIncluded = false }},
		{"seller-account", func(i *docs.Invoice) { i.Seller.Account = "40702810938000012346" }},
		{"buyer-inn", func(i *docs.Invoice) { i.Buyer.INN = "771234567891" }},
		{"purpose", func(i *docs.Invoice) { i.Purpose += "." }},
		{"due", func(i *docs.Invoice) { i.DueDays++ }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := sampleInvoice()
			tt.change(&inv)
			got, err := docs.RenderInvoice(inv)
			require.NoError(t, err)
			assert.NotEqual(t, base, got)
		})
	}
}

func TestRenderInvoiceLongAndOdd(t *testing.T) {
	inv := sampleInvoice()
	for i := range 40 { // several pages: the table header repeats, rows never split
		inv.Lines = append(inv.Lines, docs.Line{
			Name: "Позиция " + strings.Repeat("очень длинного наименования ", i%6), Quantity: i + 1, Unit: "шт.", PriceMinor: int64(i) * 1001,
		})
	}
	inv.Lines = append(inv.Lines, docs.Line{Name: "Цена в ₽ 😀\x00", Quantity: 1, Unit: "усл.", PriceMinor: 1})
	inv.Buyer.Name = strings.Repeat("Ф", 300) // no spaces to wrap at
	pdf, err := docs.RenderInvoice(inv)
	require.NoError(t, err)
	text := pdfText(t, pdf)
	assert.Contains(t, text, "стр. 2 из")
	assert.GreaterOrEqual(t, strings.Count(text, "Товары (работы, услуги)"), 2, "the header is repeated on the next page")
	assert.Contains(t, text, "Цена в руб. ?")
	assert.Contains(t, flat(text), "Всего наименований 43")
}

func TestRenderInvoiceRefusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(*docs.Invoice)
	}{
		{"number-empty", func(i *docs.Invoice) { i.Number = "" }},
		{"number-blank", func(i *docs.Invoice) { i.Number = "  " }},
		{"date-zero", func(i *docs.Invoice) { i.Date = time.Time{} }},
		{"jurisdiction-empty", func(i *docs.Invoice) { i.Jurisdiction = "" }},
		{"jurisdiction-unknown", func(i *docs.Invoice) { i.Jurisdiction = "KZ" }},
		{"currency-unknown", func(i *docs.Invoice) { i.Currency = "USD" }},
		{"currency-empty", func(i *docs.Invoice) { i.Currency = "" }},
		{"no-lines", func(i *docs.Invoice) { i.Lines = nil }},
		{"negative-price", func(i *docs.Invoice) { i.Lines[1].PriceMinor = -100 }},
		{"zero-quantity", func(i *docs.Invoice) { i.Lines[0].Quantity = 0 }},
		{"vat-rate", func(i *docs.Invoice) { i.VATRate = -20 }},
		{"seller-name", func(i *docs.Invoice) { i.Seller.Name = "" }},
		{"buyer-name", func(i *docs.Invoice) { i.Buyer.Name = " " }},
		{"seller-inn", func(i *docs.Invoice) { i.Seller.INN = "" }},
		{"seller-bank", func(i *docs.Invoice) { i.Seller.Bank = "" }},
		{"seller-bic", func(i *docs.Invoice) { i.Seller.BIC = "" }},
		{"seller-account", func(i *docs.Invoice) { i.Seller.Account = "" }},
		{"purpose", func(i *docs.Invoice) { i.Purpose = "" }},
		{"due-days", func(i *docs.Invoice) { i.DueDays = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := sampleInvoice()
			tt.change(&inv)
			pdf, err := docs.RenderInvoice(inv)
			require.Error(t, err)
			assert.Nil(t, pdf)
		})
	}
	t.Run("BY-seller-unp", func(t *testing.T) {
		inv := sampleInvoiceBY()
		inv.Seller.UNP = ""
		_, err := docs.RenderInvoice(inv)
		require.Error(t, err)
	})
}
