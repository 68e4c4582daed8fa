package docs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Party is the seller or the buyer of an invoice or a closing document.
// Russian parties have INN (and KPP for organisations), a BIC, a settlement
// account and a correspondent account; Belarusian ones have a UNP, a BIC and
// an IBAN in Account. Empty fields are left out of the documents.
type Party struct {
	Name, INN, KPP, UNP, Address, Bank, BIC, Account, CorrAccount string
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
	Date         time.Time // shown in its own location; also the PDF's creation date
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

// Totals are the sums of a document in minor units. VAT is computed on the
// sum of the lines and rounded half up to minor units.
type Totals struct {
	Sum   int64 // "Итого": Σ quantity × price, as priced (with VAT if it is included)
	VAT   int64 // the VAT, included in Sum or added to it; 0 without VAT
	Net   int64 // the amount without VAT
	Total int64 // "Всего к оплате": the amount with VAT
}

// maxAmount bounds every amount (10 trillion roubles), so that no sum nor
// VAT computation can overflow int64.
const maxAmount = 1_000_000_000_000_000

// lineTotal is one line's share of the totals: the VAT of a document is
// distributed over its lines so that the lines add up to Totals exactly.
type lineTotal struct{ amount, net, vat, gross int64 }

// ComputeTotals validates the lines and the VAT rate and computes the
// totals: with VAT included, VAT = Sum×rate/(100+rate) and Total = Sum;
// otherwise VAT = Sum×rate/100 and Total = Sum+VAT; rounding is half up.
func ComputeTotals(lines []Line, vatRate int, vatIncluded bool) (Totals, error) {
	t, _, err := computeTotals(lines, vatRate, vatIncluded)
	return t, err
}

func computeTotals(lines []Line, rate int, included bool) (Totals, []lineTotal, error) {
	if len(lines) == 0 {
		return Totals{}, nil, errors.New("docs: the document has no lines")
	}
	if rate < 0 || rate > 100 {
		return Totals{}, nil, fmt.Errorf("docs: VAT rate %d%%, want 0..100", rate)
	}
	per := make([]lineTotal, len(lines))
	var sum int64
	for i, l := range lines {
		switch {
		case strings.TrimSpace(l.Name) == "":
			return Totals{}, nil, fmt.Errorf("docs: line %d has no name", i+1)
		case strings.TrimSpace(l.Unit) == "":
			return Totals{}, nil, fmt.Errorf("docs: line %d has no unit", i+1)
		case l.Quantity <= 0:
			return Totals{}, nil, fmt.Errorf("docs: line %d: quantity %d, want > 0", i+1, l.Quantity)
		case l.PriceMinor < 0:
			return Totals{}, nil, fmt.Errorf("docs: line %d: negative price %d", i+1, l.PriceMinor)
		case l.PriceMinor > 0 && int64(l.Quantity) > maxAmount/l.PriceMinor:
			return Totals{}, nil, fmt.Errorf("docs: line %d: amount too large", i+1)
		}
		per[i].amount = int64(l.Quantity) * l.PriceMinor
		sum += per[i].amount
		if sum > maxAmount {
			return Totals{}, nil, errors.New("docs: the total is too large")
		}
	}
	den := int64(100)
	if included {
		den += int64(rate)
	}
	vat := halfUp(sum*int64(rate), den)

	// Largest remainder: each line gets the floor of its exact VAT, the
	// units left go to the lines with the largest remainders (the earlier
	// line on a tie), so the lines' VAT adds up to vat.
	rems := make([]int64, len(per))
	left := vat
	for i := range per {
		num := per[i].amount * int64(rate)
		per[i].vat, rems[i] = num/den, num%den
		left -= per[i].vat
	}
	for ; left > 0; left-- {
		best := -1
		for i, r := range rems {
			if r > 0 && (best < 0 || r > rems[best]) {
				best = i
			}
		}
		per[best].vat++
		rems[best] = 0
	}
	for i := range per {
		if included {
			per[i].net, per[i].gross = per[i].amount-per[i].vat, per[i].amount
		} else {
			per[i].net, per[i].gross = per[i].amount, per[i].amount+per[i].vat
		}
	}
	t := Totals{Sum: sum, VAT: vat, Net: sum, Total: sum + vat}
	if included {
		t.Net, t.Total = sum-vat, sum
	}
	return t, per, nil
}

// halfUp is num/den rounded half up, for num >= 0 and den > 0.
func halfUp(num, den int64) int64 { return (num + den/2) / den }

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

// currency describes a currency for amounts in figures and in words.
type currency struct {
	code  string    // ISO 4217 numeric code
	name  string    // e.g. "Российский рубль"
	short string    // after amounts in figures
	major [3]string // one, few, many: "рубль", "рубля", "рублей"
}

var currencies = map[string]currency{
	"RUB": {"643", "Российский рубль", "руб.", [3]string{"рубль", "рубля", "рублей"}},
	"BYN": {"933", "Белорусский рубль", "BYN", [3]string{"белорусский рубль", "белорусских рубля", "белорусских рублей"}},
}

// money formats minor units as "2 500,00".
func money(minor int64) string {
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = -u
	}
	digits := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	fmt.Fprintf(&b, ",%02d", u%100)
	return b.String()
}

var monthsGenitive = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля",
	"августа", "сентября", "октября", "ноября", "декабря"}

// longDate formats t in its own location as "14 марта 2026 г.".
func longDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d г.", t.Day(), monthsGenitive[t.Month()-1], t.Year())
}

// Russian number words.
var (
	onesMasc = [...]string{"", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"}
	onesFem  = [...]string{"", "одна", "две", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"}
	teens    = [...]string{"десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать",
		"пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"}
	tens = [...]string{"", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят",
		"семьдесят", "восемьдесят", "девяносто"}
	hundreds = [...]string{"", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот",
		"семьсот", "восемьсот", "девятьсот"}
	// scales above the units: thousands are feminine, the rest masculine.
	scales = [...][3]string{
		{"тысяча", "тысячи", "тысяч"},
		{"миллион", "миллиона", "миллионов"},
		{"миллиард", "миллиарда", "миллиардов"},
		{"триллион", "триллиона", "триллионов"},
		{"квадриллион", "квадриллиона", "квадриллионов"},
		{"квинтиллион", "квинтиллиона", "квинтиллионов"},
	}
	kopecks = [3]string{"копейка", "копейки", "копеек"}
)

// plural chooses the form for n: 0 for 1, 21, 101… ("рубль"), 1 for 2–4,
// 22–24… ("рубля"), 2 for the rest, including 11–14 ("рублей").
func plural(n uint64) int {
	switch n10, n100 := n%10, n%100; {
	case n100 >= 11 && n100 <= 14:
		return 2
	case n10 == 1:
		return 0
	case n10 >= 2 && n10 <= 4:
		return 1
	}
	return 2
}

// triad appends the words for 1 <= n <= 999.
func triad(words []string, n uint64, feminine bool) []string {
	if h := n / 100; h > 0 {
		words = append(words, hundreds[h])
	}
	switch t, o := n/10%10, n%10; {
	case t == 1:
		words = append(words, teens[o])
	default:
		if t > 1 {
			words = append(words, tens[t])
		}
		if o > 0 && feminine {
			words = append(words, onesFem[o])
		} else if o > 0 {
			words = append(words, onesMasc[o])
		}
	}
	return words
}

// AmountInWords writes an amount of minor units in Russian as payment
// documents do, the whole units in words and the kopecks in figures:
// AmountInWords(250050, "RUB") = "Две тысячи пятьсот рублей 50 копеек",
// AmountInWords(4500, "BYN") = "Сорок пять белорусских рублей 00 копеек",
// AmountInWords(1, "RUB") = "Ноль рублей 01 копейка". A negative amount
// starts with "Минус". For a currency other than RUB and BYN the whole units
// are followed by the code and the minor units as a fraction:
// "Сорок пять USD 00/100".
func AmountInWords(minor int64, currencyCode string) string {
	u := uint64(minor)
	var words []string
	if minor < 0 {
		u = -u // also right for math.MinInt64
		words = append(words, "минус")
	}
	whole, frac := u/100, u%100
	if whole == 0 {
		words = append(words, "ноль")
	} else {
		var groups []uint64 // units, thousands, millions…
		for n := whole; n > 0; n /= 1000 {
			groups = append(groups, n%1000)
		}
		for i := len(groups) - 1; i >= 1; i-- {
			if g := groups[i]; g > 0 {
				words = triad(words, g, i == 1)
				words = append(words, scales[i-1][plural(g)])
			}
		}
		if groups[0] > 0 {
			words = triad(words, groups[0], false) // both currencies are masculine
		}
	}
	c, ok := currencies[currencyCode]
	if ok {
		words = append(words, c.major[plural(whole%1000)], fmt.Sprintf("%02d", frac), kopecks[plural(frac)])
	} else {
		words = append(words, currencyCode, fmt.Sprintf("%02d/100", frac))
	}
	s := strings.Join(words, " ")
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
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
	cur := currencies[inv.Currency]

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
	w.paragraph(fmt.Sprintf("Всего наименований %d, на сумму %s %s", len(inv.Lines), money(t.Total), cur.short))
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
	rows := []Field{{"Итого:", money(t.Sum)}}
	switch {
	case rate == 0:
		rows = append(rows, Field{"Без НДС", "—"})
	case included:
		rows = append(rows, Field{fmt.Sprintf("В том числе НДС (%d%%):", rate), money(t.VAT)})
	default:
		rows = append(rows, Field{fmt.Sprintf("НДС (%d%%):", rate), money(t.VAT)})
	}
	return append(rows, Field{totalLabel, money(t.Total)})
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
			money(l.PriceMinor), money(int64(l.Quantity) * l.PriceMinor),
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
	h1 := max(float64(len(bank))*lh+caption, 2*lh) + 2*pad
	h3 := float64(len(name))*lh + caption + 2*pad
	w.ensure(h1 + h2 + h3)

	w.pdf.SetDrawColor(120, 120, 120)
	w.pdf.SetLineWidth(0.25)
	y := w.pdf.GetY()
	// Row 1: the bank; its BIC and correspondent account.
	w.box(x0, y, left, h1, pad, lh, bank, "L", false)
	w.caption(x0, y+h1-pad-caption, left, "Банк получателя", captionSize)
	w.pdf.SetFont(fontSans, "", size)
	bicH := h1
	if ru {
		bicH = lh + 2*pad
		w.box(x1, y+bicH, mid, h1-bicH, pad, lh, []string{"Сч. №"}, "L", false)
		w.box(x2, y+bicH, right, h1-bicH, pad, lh, w.wrap(p.CorrAccount, right), "L", false)
	}
	w.box(x1, y, mid, bicH, pad, lh, []string{"БИК"}, "L", false)
	w.box(x2, y, right, bicH, pad, lh, w.wrap(p.BIC, right), "L", false)
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

// caption writes a small grey line, e.g. "Банк получателя" under the bank.
func (w *writer) caption(x, y, width float64, s string, size float64) {
	w.pdf.SetFont(fontSans, "", size)
	w.pdf.SetTextColor(90, 90, 90)
	w.pdf.SetXY(x, y)
	w.pdf.CellFormat(width, size*lineHeight/bodySize, clean(s), "", 0, "L", false, 0, "")
	w.pdf.SetTextColor(0, 0, 0)
}

// wrap cleans s and splits it to lines that fit width in the current font;
// an empty s gives no lines.
func (w *writer) wrap(s string, width float64) []string {
	s = clean(s)
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return w.pdf.SplitText(s, width)
}

// box draws a frame, on grey if fill, and writes lines in it from the top,
// pad below its top edge, lh apart, aligned "L", "C" or "R".
func (w *writer) box(x, y, width, h, pad, lh float64, lines []string, align string, fill bool) {
	style := "D"
	if fill {
		style = "FD"
	}
	w.pdf.Rect(x, y, width, h, style)
	for i, l := range lines {
		w.pdf.SetXY(x, y+pad+float64(i)*lh)
		w.pdf.CellFormat(width, lh, l, "", 0, align, false, 0, "")
	}
}

// strong writes bold body text.
func (w *writer) strong(s string) {
	w.pdf.SetFont(fontSans, "B", bodySize)
	w.pdf.MultiCell(0, lineHeight, clean(s), "", "L", false)
	w.pdf.Ln(1)
}

// totals writes "label value" rows flush right in bold, the values in a
// column of their own. The rows stay together on one page.
func (w *writer) totals(rows []Field) {
	const valueWidth = 34.0
	w.ensure(float64(len(rows))*lineHeight + 2)
	w.pdf.Ln(1.5)
	w.pdf.SetFont(fontSans, "B", bodySize)
	for _, r := range rows {
		w.pdf.SetX(marginLeft)
		w.pdf.CellFormat(w.width()-valueWidth, lineHeight, clean(r.Label), "", 0, "R", false, 0, "")
		w.pdf.CellFormat(valueWidth, lineHeight, clean(r.Value), "", 1, "R", false, 0, "")
	}
}

// column is a column of a grid.
type column struct {
	title string  // header text; "\n" breaks it
	width float64 // mm; 0 shares what the other columns leave of the text width
	align string  // "L", "C" or "R" for the body cells
	fill  bool    // grey body cells, for label columns
}

// gridRow is a row of a grid.
type gridRow struct {
	cells []string
	bold  bool
}

// grid writes rows in columns at the given font size. When any column has a
// title, a bold header row on grey opens the grid and is repeated on every
// page it continues on. Cells wrap; a row never splits across pages.
func (w *writer) grid(size float64, cols []column, rows []gridRow) {
	lh := size * lineHeight / bodySize
	pad := cellPadding * size / bodySize
	widths := make([]float64, len(cols))
	fixed, flexible := 0.0, 0
	for i, c := range cols {
		widths[i] = c.width
		fixed += c.width
		if c.width == 0 {
			flexible++
		}
	}
	for i := range widths {
		if widths[i] == 0 {
			widths[i] = (w.width() - fixed) / float64(flexible)
		}
	}

	titles := make([][]string, len(cols))
	headerH := 0.0 // no header when no column has a title
	w.pdf.SetFont(fontSans, "B", size)
	for i, c := range cols {
		if titles[i] = w.wrap(c.title, widths[i]); len(titles[i]) > 0 {
			headerH = max(headerH, float64(len(titles[i]))*lh+2*pad)
		}
	}
	header := func() {
		if headerH == 0 {
			return
		}
		w.pdf.SetFont(fontSans, "B", size)
		x, y := marginLeft, w.pdf.GetY()
		for i := range cols {
			w.box(x, y, widths[i], headerH, pad, lh, titles[i], "C", true)
			x += widths[i]
		}
		w.pdf.SetXY(marginLeft, y+headerH)
	}

	w.pdf.SetDrawColor(170, 170, 170)
	w.pdf.SetFillColor(240, 240, 240)
	w.pdf.SetLineWidth(0.2)
	_, pageHeight := w.pdf.GetPageSize()
	for n, r := range rows {
		style := ""
		if r.bold {
			style = "B"
		}
		w.pdf.SetFont(fontSans, style, size)
		cells := make([][]string, len(cols))
		lines := 1
		for i := range cols {
			if i < len(r.cells) {
				cells[i] = w.wrap(r.cells[i], widths[i])
			}
			lines = max(lines, len(cells[i]))
		}
		h := float64(lines)*lh + 2*pad
		switch {
		case n == 0:
			w.ensure(headerH + h)
			header()
		case w.pdf.GetY()+h > pageHeight-marginBottom:
			w.pdf.AddPage()
			header()
		}
		w.pdf.SetFont(fontSans, style, size)
		x, y := marginLeft, w.pdf.GetY()
		for i, c := range cols {
			w.box(x, y, widths[i], h, pad, lh, cells[i], c.align, c.fill)
			x += widths[i]
		}
		w.pdf.SetXY(marginLeft, y+h)
	}
	w.pdf.SetFont(fontSans, "", bodySize)
}
