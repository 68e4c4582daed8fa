package docs

import (
	"renewal/app/dates"

	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"renewal/app/money"
)

// Party is the seller or the buyer of an invoice or a closing document.
// Russian parties have INN (and KPP for organisations), a BIC, a settlement
// account and a correspondent account; Belarusian ones have a UNP, a BIC and
// an IBAN in Account. A Russian organisation may have its OGRN, an
// individual entrepreneur (ИП) has an OGRNIP beside a personal INN. Empty
// fields are left out of the documents.
type Party struct {
	Name, INN, KPP, OGRN, OGRNIP, UNP, Address, Bank, BIC, Account, CorrAccount string
}

// Line is one position of an invoice or a closing document.
type Line struct {
	Name       string
	Quantity   int    // > 0
	Unit       string // "шт." or "усл." (other units are printed as given, without an ОКЕИ code)
	PriceMinor int64  // price of one unit in minor units (kopecks), >= 0; includes VAT when VATIncluded
}

// Invoice is a "Счёт на оплату".
type Invoice struct {
	Number       string
	Date         time.Time // shown in the jurisdiction's zone (app/dates); also the PDF's creation date
	Jurisdiction string    // "RU" or "BY"
	Currency     string    // "RUB" or "BYN"
	Seller       Party     // the bank details block shows the seller's bank and account
	Buyer        Party
	Lines        []Line
	VATRate      int  // percent, 0..100; 0 means "Без НДС"
	VATIncluded  bool // prices include VAT (VAT = total*rate/(100+rate)); otherwise VAT = total*rate/100 is added
	Purpose      string
	DueDays      int // days after Date to pay by; 0: on the invoice date
}

// deal is what invoices and closing documents have in common.
type deal struct {
	number, jurisdiction, currency string
	date                           time.Time
	seller, buyer                  Party
	lines                          []Line
	vatRate                        int
	vatIncluded                    bool
}

// check validates d and computes its totals.
func (d deal) check() (Totals, []lineTotal, error) {
	switch {
	case d.jurisdiction != "RU" && d.jurisdiction != "BY":
		return Totals{}, nil, fmt.Errorf("docs: jurisdiction %q, want RU or BY", d.jurisdiction)
	case currencies[d.currency].code == "":
		return Totals{}, nil, fmt.Errorf("docs: currency %q, want RUB or BYN", d.currency)
	case strings.TrimSpace(d.number) == "":
		return Totals{}, nil, errors.New("docs: document number is empty")
	case d.date.IsZero():
		return Totals{}, nil, errors.New("docs: document date is zero")
	case strings.TrimSpace(d.seller.Name) == "":
		return Totals{}, nil, errors.New("docs: the seller has no name")
	case strings.TrimSpace(d.buyer.Name) == "":
		return Totals{}, nil, errors.New("docs: the buyer has no name")
	case d.jurisdiction == "RU" && strings.TrimSpace(d.seller.INN) == "":
		return Totals{}, nil, errors.New("docs: the seller has no INN")
	case d.jurisdiction == "BY" && strings.TrimSpace(d.seller.UNP) == "":
		return Totals{}, nil, errors.New("docs: the seller has no UNP")
	}
	return computeTotals(d.lines, d.vatRate, d.vatIncluded)
}

// ruBank tells whether a jurisdiction's bank details have a
// correspondent account and the seller is identified by INN and KPP (RU)
// rather than by UNP (BY).
func ruBank(jurisdiction string) bool { return jurisdiction == "RU" }

// RenderInvoice renders a "Счёт на оплату": the seller's bank details
// block (Банк получателя, БИК, Сч. №, ИНН, КПП, Получатель; for BY the
// UNP and the IBAN), "Счёт на оплату № … от …", the supplier and the
// customer, the lines, Итого, the VAT ("В том числе НДС", "НДС" or "Без
// НДС"), Всего к оплате, the amount in words, the payment purpose to copy
// into the payment order and the due date. The same Invoice always gives
// the same bytes.
func RenderInvoice(inv Invoice) ([]byte, error) {
	inv.Date = inv.Date.In(dates.Zone(inv.Jurisdiction))
	d := deal{inv.Number, inv.Jurisdiction, inv.Currency, inv.Date, inv.Seller, inv.Buyer, inv.Lines, inv.VATRate, inv.VATIncluded}
	t, _, err := d.check()
	switch {
	case err != nil:
		return nil, err
	case strings.TrimSpace(inv.Seller.Bank) == "" || strings.TrimSpace(inv.Seller.BIC) == "" || strings.TrimSpace(inv.Seller.Account) == "":
		return nil, errors.New("docs: the seller's bank, BIC and account are required on an invoice")
	case strings.TrimSpace(inv.Purpose) == "":
		return nil, errors.New("docs: the payment purpose is empty")
	case inv.DueDays < 0:
		return nil, fmt.Errorf("docs: DueDays %d, want >= 0", inv.DueDays)
	}

	ref := "Счёт на оплату № " + inv.Number
	w := newWriter(inv.Seller.Name, ref+" от "+inv.Date.Format(dateLayout), ref+" от "+inv.Date.Format(dateLayout), inv.Date)
	w.bankBlock(inv.Seller, ruBank(inv.Jurisdiction))
	w.pdf.Ln(6)
	w.title(ref + " от " + longDate(inv.Date))
	w.table([]Field{
		{"Поставщик (Исполнитель)", partyLine(inv.Seller, false)},
		{"Покупатель (Заказчик)", partyLine(inv.Buyer, false)},
	})
	w.pdf.Ln(4)
	w.lineGrid("Товары (работы, услуги)", inv.Lines)
	w.totals(totalRows(t, inv.VATRate, inv.VATIncluded, "Всего к оплате:"))
	w.pdf.Ln(2)
	w.paragraph(fmt.Sprintf("Всего наименований %d, на сумму %s", len(inv.Lines), money.Format(t.Total, inv.Currency)))
	w.strong(AmountInWords(t.Total, inv.Currency))
	w.pdf.Ln(2)
	w.strong("Оплатить не позднее " + inv.Date.AddDate(0, 0, inv.DueDays).Format(dateLayout))
	w.pdf.Ln(2)
	w.paragraph("Назначение платежа — укажите в платёжном поручении без изменений, иначе платёж может быть не зачислен:")
	w.mono(inv.Purpose)
	return w.finish()
}

// partyLine writes a party as invoices do: "ООО «Ромашка», ИНН …, КПП …,
// address", and with bank the account, the bank, the BIC and the
// correspondent account.
func partyLine(p Party, bank bool) string {
	parts := []string{p.Name}
	add := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			parts = append(parts, strings.TrimSpace(label+" "+v))
		}
	}
	add("ИНН", p.INN)
	add("КПП", p.KPP)
	add("ОГРН", p.OGRN)
	add("ОГРНИП", p.OGRNIP)
	add("УНП", p.UNP)
	add("", p.Address)
	if bank {
		add("р/с", p.Account)
		add("в банке", p.Bank)
		add("БИК", p.BIC)
		add("к/с", p.CorrAccount)
	}
	return strings.Join(parts, ", ")
}

// totalRows are the rows under the lines: Итого, the VAT and the total.
func totalRows(t Totals, rate int, included bool, totalLabel string) []Field {
	rows := []Field{{"Итого:", money.Figures(t.Sum)}}
	switch {
	case rate == 0:
		rows = append(rows, Field{"Без НДС", "—"})
	case included:
		rows = append(rows, Field{fmt.Sprintf("В том числе НДС (%d%%):", rate), money.Figures(t.VAT)})
	default:
		rows = append(rows, Field{fmt.Sprintf("НДС (%d%%):", rate), money.Figures(t.VAT)})
	}
	return append(rows, Field{totalLabel, money.Figures(t.Total)})
}

// unitCodes are the ОКЕИ codes of the usual units.
var unitCodes = map[string]string{"шт.": "796", "шт": "796", "усл.": "876", "усл. ед.": "876"}

// lineGrid writes the lines of an invoice or an act: №, name, quantity,
// unit, price and amount.
func (w *writer) lineGrid(nameTitle string, lines []Line) {
	cols := []column{
		{title: "№", width: 9, align: "C"},
		{title: nameTitle, align: "L"},
		{title: "Кол-во", width: 17, align: "R"},
		{title: "Ед.", width: 13, align: "C"},
		{title: "Цена", width: 27, align: "R"},
		{title: "Сумма", width: 30, align: "R"},
	}
	rows := make([]gridRow, len(lines))
	for i, l := range lines {
		rows[i].cells = []string{
			strconv.Itoa(i + 1), l.Name, strconv.Itoa(l.Quantity), l.Unit,
			money.Figures(l.PriceMinor), money.Figures(int64(l.Quantity) * l.PriceMinor),
		}
	}
	w.grid(9.5, cols, rows)
}

// bankBlock draws the seller's bank details as Russian invoices show them:
//
//	| bank name             | БИК   | 044525225            |
//	| Банк получателя       | Сч. № | 30101810400000000225 |
//	| ИНН 7700… | КПП 7700… | Сч. № | 40702810…            |
//	| seller name           |       |                      |
//	| Получатель            |       |                      |
//
// Without ru (BY) there is no correspondent account, the UNP replaces INN
// and KPP, and the account is the IBAN.
func (w *writer) bankBlock(p Party, ru bool) {
	const size, captionSize = 9.5, 7.5
	lh := size * lineHeight / bodySize
	pad := cellPadding * size / bodySize
	caption := captionSize * lineHeight / bodySize
	total := w.width()
	left, mid := total*0.56, total*0.11
	right := total - left - mid
	x0, x1, x2 := marginLeft, marginLeft+left, marginLeft+left+mid

	ids := []string{"УНП " + p.UNP}
	if ru {
		ids = []string{"ИНН " + p.INN}
		if strings.TrimSpace(p.KPP) != "" { // an individual entrepreneur has none
			ids = append(ids, "КПП "+p.KPP)
		}
	}
	w.pdf.SetFont(fontSans, "", size)
	bank, name := w.wrap(p.Bank, left), w.wrap(p.Name, left)
	idWidth := left / float64(len(ids))
	idLines := make([][]string, len(ids))
	h2 := 0.0
	for i, id := range ids {
		idLines[i] = w.wrap(id, idWidth)
		h2 = max(h2, float64(len(idLines[i]))*lh+2*pad)
	}
	// Row 1 is as high as the bank with its caption, or as the BIC and the
	// correspondent account under it, each in a cell of its own text's
	// height: a fixed share of row 1 once clipped the correspondent account.
	bic, corr := w.wrap(p.BIC, right), w.wrap(p.CorrAccount, right)
	bicH := float64(max(len(bic), 1))*lh + 2*pad
	corrH := 0.0
	if ru {
		corrH = float64(max(len(corr), 1))*lh + 2*pad
	}
	h1 := max(float64(len(bank))*lh+caption+2*pad, bicH+corrH)
	if !ru {
		bicH = h1
	}
	h3 := float64(len(name))*lh + caption + 2*pad
	w.ensure(h1 + h2 + h3)

	w.pdf.SetDrawColor(120, 120, 120)
	w.pdf.SetLineWidth(0.25)
	y := w.pdf.GetY()
	// Row 1: the bank; its BIC and correspondent account.
	w.box(x0, y, left, h1, pad, lh, bank, "L", false)
	w.caption(x0, y+h1-pad-caption, left, "Банк получателя", captionSize)
	w.pdf.SetFont(fontSans, "", size)
	if ru {
		w.box(x1, y+bicH, mid, h1-bicH, pad, lh, []string{"Сч. №"}, "L", false)
		w.box(x2, y+bicH, right, h1-bicH, pad, lh, corr, "L", false)
	}
	w.box(x1, y, mid, bicH, pad, lh, []string{"БИК"}, "L", false)
	w.box(x2, y, right, bicH, pad, lh, bic, "L", false)
	// Rows 2 and 3: the tax identifiers and the recipient; the account.
	y += h1
	for i := range ids {
		w.box(x0+float64(i)*idWidth, y, idWidth, h2, pad, lh, idLines[i], "L", false)
	}
	w.box(x0, y+h2, left, h3, pad, lh, name, "L", false)
	w.caption(x0, y+h2+h3-pad-caption, left, "Получатель", captionSize)
	w.pdf.SetFont(fontSans, "", size)
	w.box(x1, y, mid, h2+h3, pad, lh, []string{"Сч. №"}, "L", false)
	w.box(x2, y, right, h2+h3, pad, lh, w.wrap(p.Account, right), "L", false)
	w.pdf.SetXY(marginLeft, y+h2+h3)
	w.pdf.SetFont(fontSans, "", bodySize)
}
