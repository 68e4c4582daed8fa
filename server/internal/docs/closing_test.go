package docs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/server/internal/docs"
)

func sampleClosing() docs.Closing {
	return docs.Closing{
		Number:       "A-2026-000123",
		Date:         time.Date(2026, 3, 14, 12, 26, 53, 0, msk),
		Jurisdiction: "RU",
		Currency:     "RUB",
		Seller:       sampleSeller(),
		Buyer:        sampleBuyer(),
		Lines:        sampleLines(),
		VATRate:      20,
		VATIncluded:  true,
		Basis:        "Счёт № RN-2026-000123 от 14.03.2026",
		Certificate:  "01DA6F3C2B0000000000A1B2C3D4E5F6",
	}
}

func sampleClosingBY() docs.Closing {
	inv := sampleInvoiceBY()
	c := sampleClosing()
	c.Jurisdiction, c.Currency, c.Seller, c.Buyer, c.Lines = inv.Jurisdiction, inv.Currency, inv.Seller, inv.Buyer, inv.Lines
	c.VATRate, c.Basis = 0, "Публичный договор"
	return c
}

func TestRenderActText(t *testing.T) {
	excluded := sampleClosing()
	excluded.VATIncluded = false
	noBasis := sampleClosing()
	noBasis.Basis, noBasis.Certificate = "", ""
	tests := []struct {
		name    string
		c       docs.Closing
		want    []string
		notWant []string
	}{
		{"RU", sampleClosing(), []string{
			"Акт № A-2026-000123 об оказании услуг", "от 14 марта 2026 г.",
			"Исполнитель", "Общество с ограниченной ответственностью", "«Удостоверяющий центр Тест»",
			"ИНН 7701234567", "КПП 770101001", "р/с 40702810938000012345",
			"Заказчик", "ИП Смирнов Алексей Викторович, ИНН 771234567890",
			"Основание", "Счёт № RN-2026-000123 от 14.03.2026",
			"Наименование работ, услуг", "Носитель ключа Рутокен ЭЦП 3.0",
			"Итого: 6 301,00", "В том числе НДС (20%): 1 050,17", "Всего: 6 301,00",
			"Всего оказано услуг 2, на сумму 6 301,00 руб.", "Шесть тысяч триста один рубль 00 копеек",
			"серийный номер 01DA6F3C2B0000000000A1B2C3D4E5F6",
			"Вышеперечисленные услуги выполнены полностью и в срок. " +
				"Заказчик претензий по объёму, качеству и срокам оказания услуг не имеет.",
			"(подпись)", "подписан электронными подписями Исполнителя и Заказчика", "63-ФЗ",
		}, []string{"Без НДС"}},
		{"RU-vat-excluded", excluded, []string{"НДС (20%): 1 260,20", "Всего: 7 561,20", "Семь тысяч пятьсот шестьдесят один рубль 20 копеек"}, nil},
		{"RU-no-basis", noBasis, []string{"Акт № A-2026-000123"}, []string{"Основание", "серийный номер"}},
		{"BY", sampleClosingBY(), []string{
			"Акт оказанных услуг", "№ A-2026-000123 от 14 марта 2026 г.",
			"ООО «УЦ Тест», УНП 190123456", "Смирнов Алексей Викторович, УНП 190000001",
			"Публичный договор", "Без НДС", "Всего: 45,00", "Сорок пять белорусских рублей 00 копеек",
			"Издан сертификат открытого ключа", "электронными цифровыми подписями", "113-З",
		}, []string{"об оказании услуг", "63-ФЗ"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := docs.RenderAct(tt.c)
			require.NoError(t, err)
			text := salesText(t, pdf)
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, text, w)
			}
			assert.Equal(t, 2, strings.Count(pdfText(t, pdf), "(подпись)"), "a signature line for each party")
		})
	}
}

func TestRenderUPDText(t *testing.T) {
	noVAT := sampleClosing()
	noVAT.VATRate = 0
	tests := []struct {
		name    string
		c       docs.Closing
		want    []string
		notWant []string
	}{
		{"status-1", sampleClosing(), []string{
			"Универсальный передаточный документ", "Статус: 1",
			"Счёт-фактура № (1)", "A-2026-000123 от 14 марта 2026 г.",
			"Продавец (2)", "Общество с ограниченной ответственностью", "7701234567/770101001",
			"Покупатель (6)", "ИП Смирнов Алексей Викторович", "771234567890",
			"Российский рубль, 643",
			"Наименование товара", "Налоговая ставка", "Сумма налога, предъявляемая покупателю",
			"Продление квалифицированного", "796", "876", "усл.", "шт.",
			"2 083,33", "416,67", "2 500,00", // line 1: price and VAT without tax, the VAT, with tax
			"1 583,75", "3 167,50", "633,50", "3 801,00", // line 2
			"Всего к оплате (9)", "5 250,83", "1 050,17", "6 301,00",
			"20%", "без акциза", "Шесть тысяч триста один рубль 00 копеек",
			"Основание передачи (сдачи) / получения (приёмки) [8]", "Счёт № RN-2026-000123 от 14.03.2026",
			"01DA6F3C2B0000000000A1B2C3D4E5F6", "подписан электронными подписями",
		}, []string{"Статус: 2"}},
		{"status-2", noVAT, []string{"Статус: 2", "без НДС", "Всего к оплате (9)", "6 301,00"}, []string{"Статус: 1", "20%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := docs.RenderUPD(tt.c)
			require.NoError(t, err)
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

// The VAT of the document is computed on the total and distributed over the
// lines, so that the lines' VAT adds up to the total's.
func TestRenderUPDLineVATAddsUp(t *testing.T) {
	c := sampleClosing()
	c.Lines = []docs.Line{
		{Name: "Первая", Quantity: 1, Unit: "усл.", PriceMinor: 100},
		{Name: "Вторая", Quantity: 1, Unit: "усл.", PriceMinor: 100},
		{Name: "Третья", Quantity: 1, Unit: "усл.", PriceMinor: 100},
	}
	// Each line: 1.00×20/120 = 0.1666…; the total 3.00×20/120 = 0.50.
	totals, err := docs.ComputeTotals(c.Lines, c.VATRate, c.VATIncluded)
	require.NoError(t, err)
	assert.Equal(t, docs.Totals{Sum: 300, VAT: 50, Net: 250, Total: 300}, totals)
	pdf, err := docs.RenderUPD(c)
	require.NoError(t, err)
	text := pdfText(t, pdf)
	assert.Equal(t, 2, strings.Count(text, "0,17"), text)
	assert.Equal(t, 1, strings.Count(text, "0,16"), text)
	assert.Contains(t, text, "0,50")
	assert.Contains(t, text, "2,50")
}

func TestRenderClosingRefusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(*docs.Closing)
	}{
		{"number-empty", func(c *docs.Closing) { c.Number = "" }},
		{"date-zero", func(c *docs.Closing) { c.Date = time.Time{} }},
		{"jurisdiction-unknown", func(c *docs.Closing) { c.Jurisdiction = "UA" }},
		{"currency-unknown", func(c *docs.Closing) { c.Currency = "EUR" }},
		{"no-lines", func(c *docs.Closing) { c.Lines = []docs.Line{} }},
		{"negative-price", func(c *docs.Closing) { c.Lines[0].PriceMinor = -1 }},
		{"line-no-name", func(c *docs.Closing) { c.Lines[0].Name = "" }},
		{"vat-rate", func(c *docs.Closing) { c.VATRate = 120 }},
		{"seller-name", func(c *docs.Closing) { c.Seller.Name = "" }},
		{"buyer-name", func(c *docs.Closing) { c.Buyer.Name = "" }},
		{"seller-inn", func(c *docs.Closing) { c.Seller.INN = "" }},
	}
	for _, tt := range tests {
		c := sampleClosing()
		tt.change(&c)
		t.Run("act/"+tt.name, func(t *testing.T) {
			pdf, err := docs.RenderAct(c)
			require.Error(t, err)
			assert.Nil(t, pdf)
		})
		t.Run("upd/"+tt.name, func(t *testing.T) {
			pdf, err := docs.RenderUPD(c)
			require.Error(t, err)
			assert.Nil(t, pdf)
		})
	}
	t.Run("upd/BY", func(t *testing.T) {
		pdf, err := docs.RenderUPD(sampleClosingBY())
		require.Error(t, err)
		assert.Nil(t, pdf)
	})
}

func TestRenderClosingChangesWithInput(t *testing.T) {
	tests := []struct {
		name   string
		change func(*docs.Closing)
	}{
		{"number", func(c *docs.Closing) { c.Number += "1" }},
		{"price", func(c *docs.Closing) { c.Lines[0].PriceMinor++ }},
		{"vat", func(c *docs.Closing) { c.VATRate = 0 }},
		{"basis", func(c *docs.Closing) { c.Basis = "Публичный договор" }},
		{"certificate", func(c *docs.Closing) { c.Certificate = "01" }},
		{"buyer", func(c *docs.Closing) { c.Buyer.Name += "." }},
	}
	for _, render := range []struct {
		name string
		fn   func(docs.Closing) ([]byte, error)
	}{{"act", docs.RenderAct}, {"upd", docs.RenderUPD}} {
		base, err := render.fn(sampleClosing())
		require.NoError(t, err)
		for _, tt := range tests {
			t.Run(render.name+"/"+tt.name, func(t *testing.T) {
				c := sampleClosing()
				tt.change(&c)
				got, err := render.fn(c)
				require.NoError(t, err)
				assert.NotEqual(t, base, got)
			})
		}
	}
}
