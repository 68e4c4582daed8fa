package docs

import (
	"renewal/app/dates"

	"fmt"
	"strconv"
	"strings"
	"time"

	"renewal/app/money"
)

// Closing is a closing document of a sale: the act of services rendered
// (RenderAct) or, in Russia, the universal transfer document (RenderUPD).
type Closing struct {
	Number       string
	Date         time.Time // shown in the jurisdiction's zone (app/dates); also the PDF's creation date
	Jurisdiction string    // "RU" or "BY"
	Currency     string    // "RUB" or "BYN"
	Seller       Party     // Исполнитель / Продавец
	Buyer        Party     // Заказчик / Покупатель
	Lines        []Line
	VATRate      int    // percent, 0..100; 0 means "Без НДС"
	VATIncluded  bool   // as in Invoice
	Basis        string // "Счёт № … от …" or "Публичный договор"; optional
	Certificate  string // serial of the issued certificate; optional
}

func (c Closing) deal() deal {
	return deal{c.Number, c.Jurisdiction, c.Currency, c.Date, c.Seller, c.Buyer, c.Lines, c.VATRate, c.VATIncluded}
}

// actWording holds the jurisdiction-specific texts of the act.
type actWording struct {
	title, subtitle   func(number string, date time.Time) string
	certificate, sign string
}

var actWordings = map[string]actWording{
	"RU": {
		title:    func(n string, _ time.Time) string { return "Акт № " + n + " об оказании услуг" },
		subtitle: func(_ string, d time.Time) string { return "от " + longDate(d) },
		certificate: "Изготовлен квалифицированный сертификат ключа проверки электронной подписи, " +
			"серийный номер ",
		sign: "Акт составлен в форме электронного документа и подписан электронными подписями " +
			"Исполнителя и Заказчика в соответствии с Федеральным законом от 06.04.2011 № 63-ФЗ " +
			"«Об электронной подписи».",
	},
	"BY": {
		title:    func(string, time.Time) string { return "Акт оказанных услуг" },
		subtitle: func(n string, d time.Time) string { return "№ " + n + " от " + longDate(d) },
		certificate: "Издан сертификат открытого ключа проверки электронной цифровой подписи, " +
			"серийный номер ",
		sign: "Акт составлен в форме электронного документа и подписан электронными цифровыми " +
			"подписями Исполнителя и Заказчика в соответствии с Законом Республики Беларусь " +
			"от 28.12.2009 № 113-З «Об электронном документе и электронной цифровой подписи».",
	},
}

// RenderAct renders the act of services rendered: RU "Акт № … об оказании
// услуг", BY "Акт оказанных услуг № … от …"; the parties (Исполнитель with
// its bank details, Заказчик), the basis, the lines, the totals with the
// VAT, the amount in words, the issued certificate, the statement that the
// services are rendered in full, signature lines for both parties and a
// note that the act is signed with electronic signatures. The same Closing
// always gives the same bytes.
func RenderAct(c Closing) ([]byte, error) {
	c.Date = c.Date.In(dates.Zone(c.Jurisdiction))
	t, _, err := c.deal().check()
	if err != nil {
		return nil, err
	}
	wd := actWordings[c.Jurisdiction]
	title := wd.title(c.Number, c.Date)
	footer := "Акт № " + c.Number + " от " + c.Date.Format(dateLayout)
	w := newWriter(c.Seller.Name, title+" от "+c.Date.Format(dateLayout), footer, c.Date)
	w.title(title, wd.subtitle(c.Number, c.Date))
	parties := []Field{
		{"Исполнитель", partyLine(c.Seller, true)},
		{"Заказчик", partyLine(c.Buyer, false)},
	}
	if strings.TrimSpace(c.Basis) != "" {
		parties = append(parties, Field{"Основание", c.Basis})
	}
	w.table(parties)
	w.pdf.Ln(4)
	w.lineGrid("Наименование работ, услуг", c.Lines)
	w.totals(totalRows(t, c.VATRate, c.VATIncluded, "Всего:"))
	w.pdf.Ln(2)
	w.paragraph(fmt.Sprintf("Всего оказано услуг %d, на сумму %s", len(c.Lines), money.Format(t.Total, c.Currency)))
	w.strong(AmountInWords(t.Total, c.Currency))
	w.pdf.Ln(2)
	if strings.TrimSpace(c.Certificate) != "" {
		w.paragraph(wd.certificate + c.Certificate + ".")
	}
	w.paragraph("Вышеперечисленные услуги выполнены полностью и в срок. " +
		"Заказчик претензий по объёму, качеству и срокам оказания услуг не имеет.")
	w.pdf.Ln(4)
	w.signatures(
		[]string{"Исполнитель", c.Seller.Name},
		[]string{"Заказчик", c.Buyer.Name},
	)
	w.pdf.Ln(4)
	w.paragraph(wd.sign)
	return w.finish()
}

// signatures writes the parties side by side: each block is a bold role,
// the party's name and a line to sign on with its caption.
func (w *writer) signatures(blocks ...[]string) {
	const gap = 10.0
	width := (w.width() - gap*float64(len(blocks)-1)) / float64(len(blocks))
	w.pdf.SetFont(fontSans, "", bodySize)
	heights := 0
	names := make([][]string, len(blocks))
	for i, b := range blocks {
		names[i] = w.wrap(strings.Join(b[1:], "\n"), width)
		heights = max(heights, len(names[i]))
	}
	w.ensure(float64(heights+4) * lineHeight)
	y := w.pdf.GetY()
	for i, b := range blocks {
		x := marginLeft + float64(i)*(width+gap)
		w.pdf.SetFont(fontSans, "B", bodySize)
		w.pdf.SetXY(x, y)
		w.pdf.CellFormat(width, lineHeight, clean(b[0]), "", 0, "L", false, 0, "")
		w.pdf.SetFont(fontSans, "", bodySize)
		w.lines(x, y+lineHeight, width, names[i])
		lineY := y + float64(heights+3)*lineHeight
		w.pdf.SetDrawColor(0, 0, 0)
		w.pdf.SetLineWidth(0.2)
		w.pdf.Line(x+1, lineY, x+width*0.55, lineY)
		w.pdf.Line(x+width*0.6, lineY, x+width-1, lineY)
		w.caption(x, lineY+0.5, width*0.55, "(подпись)", 7.5)
		w.caption(x+width*0.6, lineY+0.5, width*0.4, "(расшифровка подписи)", 7.5)
	}
	w.pdf.SetXY(marginLeft, y+float64(heights+4)*lineHeight+1)
	w.pdf.SetFont(fontSans, "", bodySize)
}

// RenderUPD renders the Russian universal transfer document
// ("Универсальный передаточный документ") on landscape A4: status 1
// (счёт-фактура and transfer document) when the VAT rate is above zero,
// status 2 (transfer document only) otherwise; the seller and the buyer,
// the lines with the usual columns (код, наименование, единица измерения,
// количество, цена, стоимость без налога, акциз, налоговая ставка, сумма
// налога, стоимость с налогом), the totals, the basis, the transfer and
// acceptance blocks and a note that it is signed with electronic
// signatures. The columns for goods only (код вида товара, страна
// происхождения, номер декларации) are left out. RU only.
func RenderUPD(c Closing) ([]byte, error) {
	if c.Jurisdiction != "RU" {
		return nil, fmt.Errorf("docs: the УПД is a Russian form, jurisdiction %q", c.Jurisdiction)
	}
	c.Date = c.Date.In(dates.Zone(c.Jurisdiction))
	t, per, err := c.deal().check()
	if err != nil {
		return nil, err
	}
	status := "2 — передаточный документ (акт)"
	if c.VATRate > 0 {
		status = "1 — счёт-фактура и передаточный документ (акт)"
	}
	date := c.Date.Format(dateLayout)
	title := "Универсальный передаточный документ"
	w := newOrientedWriter("L", c.Seller.Name, title+" № "+c.Number+" от "+date, "УПД № "+c.Number+" от "+date, c.Date)
	w.title(title, "Статус: "+status)

	const size = 8.0
	cur := currencies[c.Currency]
	pairs := []column{
		{width: 58, fill: true, align: "L"}, {align: "L"},
		{width: 58, fill: true, align: "L"}, {align: "L"},
	}
	shipped := "№ п/п 1"
	if len(c.Lines) > 1 {
		shipped = fmt.Sprintf("№ п/п 1–%d", len(c.Lines))
	}
	w.grid(size, pairs, []gridRow{
		{cells: []string{"Счёт-фактура № (1)", c.Number + " от " + longDate(c.Date), "Исправление № (1а)", "— от —"}},
		{cells: []string{"Продавец (2)", c.Seller.Name, "Покупатель (6)", c.Buyer.Name}},
		{cells: []string{"Адрес (2а)", c.Seller.Address, "Адрес (6а)", c.Buyer.Address}},
		{cells: []string{"ИНН/КПП продавца (2б)", taxIDs(c.Seller), "ИНН/КПП покупателя (6б)", taxIDs(c.Buyer)}},
		{cells: []string{"Грузоотправитель и его адрес (3)", "—", "Грузополучатель и его адрес (4)", "—"}},
		{cells: []string{"К платёжно-расчётному документу № (5)", "—", "Документ об отгрузке (5а)", shipped + " № " + c.Number + " от " + date}},
		{cells: []string{"Валюта: наименование, код (7)", cur.name + ", " + cur.code,
			"Идентификатор государственного контракта, договора (соглашения) (8)", "—"}},
	})
	w.pdf.Ln(4)

	cols := []column{
		{title: "Код товара/ работ, услуг\nА", width: 15, align: "C"},
		{title: "№ п/п\n1", width: 9, align: "C"},
		{title: "Наименование товара (описание выполненных работ, оказанных услуг), имущественного права\n1а", align: "L"},
		{title: "Ед. изм.: код\n2", width: 13, align: "C"},
		{title: "Ед. изм.: условное обозначение\n2а", width: 22, align: "C"},
		{title: "Количество (объём)\n3", width: 20, align: "R"},
		{title: "Цена (тариф) за единицу измерения\n4", width: 23, align: "R"},
		{title: "Стоимость товаров (работ, услуг), имущественных прав без налога — всего\n5", width: 28, align: "R"},
		{title: "В том числе сумма акциза\n6", width: 16, align: "C"},
		{title: "Налоговая ставка\n7", width: 18, align: "C"},
		{title: "Сумма налога, предъявляемая покупателю\n8", width: 26, align: "R"},
		{title: "Стоимость товаров (работ, услуг), имущественных прав с налогом — всего\n9", width: 28, align: "R"},
	}
	rate, tax := "без НДС", func(int64) string { return "без НДС" }
	if c.VATRate > 0 {
		rate, tax = strconv.Itoa(c.VATRate)+"%", money.Figures
	}
	rows := make([]gridRow, 0, len(c.Lines)+1)
	for i, l := range c.Lines {
		unitCode := unitCodes[strings.TrimSpace(l.Unit)]
		if unitCode == "" {
			unitCode = "—"
		}
		rows = append(rows, gridRow{cells: []string{
			"—", strconv.Itoa(i + 1), l.Name, unitCode, l.Unit, strconv.Itoa(l.Quantity),
			money.Figures(halfUp(per[i].net, int64(l.Quantity))), money.Figures(per[i].net), "без акциза", rate,
			tax(per[i].vat), money.Figures(per[i].gross),
		}})
	}
	rows = append(rows, gridRow{bold: true, cells: []string{
		"", "", "Всего к оплате (9)", "", "", "", "", money.Figures(t.Net), "X", "", tax(t.VAT), money.Figures(t.Total),
	}})
	w.grid(size, cols, rows)
	w.pdf.Ln(2)
	w.paragraph(fmt.Sprintf("Всего к оплате: %s (%s)", money.Format(t.Total, c.Currency), AmountInWords(t.Total, c.Currency)))

	signature := "________________ / ________________"
	w.grid(size, pairs, []gridRow{
		{cells: []string{"Руководитель организации или иное уполномоченное лицо", signature,
			"Главный бухгалтер или иное уполномоченное лицо", signature}},
	})
	w.pdf.Ln(3)
	basis := c.Basis
	if strings.TrimSpace(basis) == "" {
		basis = "—"
	}
	other := "—"
	if strings.TrimSpace(c.Certificate) != "" {
		other = "Изготовлен квалифицированный сертификат ключа проверки электронной подписи, серийный номер " + c.Certificate
	}
	w.grid(size, []column{{width: 58, fill: true, align: "L"}, {align: "L"}}, []gridRow{
		{cells: []string{"Основание передачи (сдачи) / получения (приёмки) [8]", basis}},
		{cells: []string{"Данные о транспортировке и грузе [9]", "—"}},
	})
	w.grid(size, pairs, []gridRow{
		{cells: []string{"Товар (груз) передал / услуги, результаты работ, права сдал [10]", signature,
			"Товар (груз) получил / услуги, результаты работ, права принял [15]", signature}},
		{cells: []string{"Дата отгрузки, передачи (сдачи) [11]", longDate(c.Date),
			"Дата получения (приёмки) [16]", "«___» ____________ 20___ г."}},
		{cells: []string{"Иные сведения об отгрузке, передаче [12]", other,
			"Иные сведения о получении, приёмке [17]", "—"}},
		{cells: []string{"Ответственный за правильность оформления факта хозяйственной жизни [13]", signature,
			"Ответственный за правильность оформления факта хозяйственной жизни [18]", signature}},
		{cells: []string{"Наименование экономического субъекта — составителя документа (в т. ч. комиссионера / агента) [14]",
			c.Seller.Name + ", " + taxIDs(c.Seller),
			"Наименование экономического субъекта — составителя документа [19]",
			c.Buyer.Name + ", " + taxIDs(c.Buyer)}},
	})
	w.pdf.Ln(3)
	w.paragraph("Документ составлен в форме электронного документа и подписан электронными подписями " +
		"продавца и покупателя в соответствии с Федеральным законом от 06.04.2011 № 63-ФЗ «Об электронной подписи».")
	return w.finish()
}

// taxIDs writes a party's identifiers as the УПД does: "ИНН/КПП" joined
// by a slash, or "УНП …" for a Belarusian party.
func taxIDs(p Party) string {
	var ids []string
	for _, v := range []string{p.INN, p.KPP} {
		if v = strings.TrimSpace(v); v != "" {
			ids = append(ids, v)
		}
	}
	s := strings.Join(ids, "/")
	if unp := strings.TrimSpace(p.UNP); unp != "" {
		s = strings.TrimSpace(s + " УНП " + unp)
	}
	if s == "" {
		return "—"
	}
	return s
}
