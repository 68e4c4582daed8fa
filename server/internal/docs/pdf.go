package docs

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// Layout of every document: A4 portrait, millimetres.
const (
	marginLeft   = 20.0
	marginRight  = 15.0
	marginTop    = 22.0
	marginBottom = 20.0
	bodySize     = 10.5 // pt
	lineHeight   = 5.2  // mm, for bodySize
	labelWidth   = 62.0 // first column of a table
	cellPadding  = 1.6  // vertical padding inside a table cell

	fontSans = "gosans"
	fontMono = "gomono"
)

// The Go fonts, each parsed once per process. Parsing a TTF and naming it
// (fpdf JSON-encodes its 65 536 widths) cost about as much as laying out a
// whole document; a parsed font is shared read-only by every document, each
// of which subsets its own copy of the font's bytes.
var (
	sansRegular = parsedFont(goregular.TTF)
	sansBold    = parsedFont(gobold.TTF)
	monoRegular = parsedFont(gomono.TTF)
)

func parsedFont(ttf []byte) func() *fpdf.UTF8Font {
	return sync.OnceValue(func() *fpdf.UTF8Font {
		font, err := fpdf.ParseUTF8Font(ttf)
		if err != nil {
			panic("docs: embedded Go font: " + err.Error())
		}
		return font
	})
}

// writer is the layout shared by the documents: a header with the centre's
// name, a footer with the document reference and page numbers, a title,
// headings, justified paragraphs, two-column label/value tables and a
// monospace block. The output depends only on what is written: dates are
// fixed, catalog maps are sorted, no IDs are generated.
type writer struct {
	pdf      *fpdf.Fpdf
	haveMono bool     // the monospace font is embedded only when used
	overflow []string // text drawn outside its cell; finish refuses the document
}

// newWriter starts a document. centre is shown in every page's header,
// footer (e.g. "Заявление № 42") in every page's footer, date becomes the
// PDF's creation and modification date.
func newWriter(centre, title, footer string, date time.Time) *writer {
	return newOrientedWriter("P", centre, title, footer, date)
}

// newOrientedWriter is newWriter for A4 in the given orientation: "P"
// (portrait) or "L" (landscape). The margins are the same; the text width
// follows the page (see width).
func newOrientedWriter(orientation, centre, title, footer string, date time.Time) *writer {
	pdf := fpdf.New(orientation, "mm", "A4", "")
	w := &writer{pdf: pdf}
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(date.UTC())
	pdf.SetModificationDate(date.UTC())
	pdf.SetCompression(true)
	pdf.SetProducer("renewal", false)
	pdf.SetCreator(centre, true)
	pdf.SetAuthor(centre, true)
	pdf.SetTitle(title, true)
	pdf.SetLang("ru-RU")
	pdf.AddUTF8FontParsed(fontSans, "", sansRegular())
	pdf.AddUTF8FontParsed(fontSans, "B", sansBold())
	pdf.SetMargins(marginLeft, marginTop, marginRight)
	pdf.SetAutoPageBreak(true, marginBottom)
	pdf.AliasNbPages("{nb}")

	centre, footer = clean(centre), clean(footer)
	pdf.SetHeaderFunc(func() {
		pdf.SetY(10)
		pdf.SetFont(fontSans, "B", 9)
		pdf.SetTextColor(60, 60, 60)
		pdf.CellFormat(0, 5, centre, "", 1, "L", false, 0, "")
		pdf.SetDrawColor(150, 150, 150)
		pdf.SetLineWidth(0.3)
		y := pdf.GetY() + 1
		pdf.Line(marginLeft, y, w.right(), y)
		pdf.SetTextColor(0, 0, 0)
		pdf.SetY(marginTop)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont(fontSans, "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 4, fmt.Sprintf("%s · стр. %d из {nb}", footer, pdf.PageNo()), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	return w
}

func (w *writer) right() float64 {
	pw, _ := w.pdf.GetPageSize()
	return pw - marginRight
}

func (w *writer) width() float64 { return w.right() - marginLeft }

// title writes centred bold lines, the first one larger.
func (w *writer) title(lines ...string) {
	for i, l := range lines {
		size, h := 12.0, 6.0
		if i == 0 {
			size, h = 15, 8
		}
		w.pdf.SetFont(fontSans, "B", size)
		w.pdf.MultiCell(0, h, clean(l), "", "C", false)
	}
	w.pdf.Ln(4)
}

// heading writes a bold section heading, moving to a new page if not even
// the heading and one table row would fit.
func (w *writer) heading(s string) {
	w.ensure(6 + 4 + lineHeight + 2*cellPadding)
	w.pdf.Ln(4)
	w.pdf.SetFont(fontSans, "B", 11.5)
	w.pdf.MultiCell(0, 6, clean(s), "", "L", false)
	w.pdf.Ln(1)
}

// paragraph writes justified body text.
func (w *writer) paragraph(s string) {
	w.pdf.SetFont(fontSans, "", bodySize)
	w.pdf.MultiCell(0, lineHeight, clean(s), "", "J", false)
	w.pdf.Ln(2)
}

// right-aligned line, e.g. a date.
func (w *writer) rightLine(s string) {
	w.pdf.SetFont(fontSans, "", bodySize)
	w.pdf.CellFormat(0, lineHeight, clean(s), "", 1, "R", false, 0, "")
}

// table writes rows as a two-column grid: the label on a grey background,
// the value wrapped to the remaining width. An empty value is shown as "—".
// A row never splits across pages.
func (w *writer) table(rows []Field) {
	valueWidth := w.width() - labelWidth
	w.pdf.SetFont(fontSans, "", bodySize)
	w.pdf.SetDrawColor(170, 170, 170)
	w.pdf.SetFillColor(240, 240, 240)
	w.pdf.SetLineWidth(0.2)
	for _, r := range rows {
		value := clean(r.Value)
		if strings.TrimSpace(value) == "" {
			value = "—"
		}
		label := w.pdf.SplitText(clean(r.Label), labelWidth)
		lines := w.pdf.SplitText(value, valueWidth)
		n := max(len(label), len(lines), 1)
		h := float64(n)*lineHeight + 2*cellPadding
		w.ensure(h)
		x, y := marginLeft, w.pdf.GetY()
		w.pdf.Rect(x, y, labelWidth, h, "FD")
		w.pdf.Rect(x+labelWidth, y, valueWidth, h, "D")
		w.fits(labelWidth, h, cellPadding, lineHeight, label)
		w.fits(valueWidth, h, cellPadding, lineHeight, lines)
		w.lines(x, y+cellPadding, labelWidth, label)
		w.lines(x+labelWidth, y+cellPadding, valueWidth, lines)
		w.pdf.SetXY(x, y+h)
	}
}

func (w *writer) lines(x, y, width float64, lines []string) {
	for i, l := range lines {
		w.pdf.SetXY(x, y+float64(i)*lineHeight)
		w.pdf.CellFormat(width, lineHeight, l, "", 0, "L", false, 0, "")
	}
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
	w.fits(width, h, pad, lh, lines)
	for i, l := range lines {
		w.pdf.SetXY(x, y+pad+float64(i)*lh)
		w.pdf.CellFormat(width, lh, l, "", 0, align, false, 0, "")
	}
}

// fits records lines that would stick out of a cell width wide and h
// high, written from pad below its top, lh apart, in the current font:
// such text overlaps the frame or the next cell, and a clipped account
// number on an invoice is a payment gone astray.
func (w *writer) fits(width, h, pad, lh float64, lines []string) {
	const eps = 0.01 // mm, rounding of fpdf's width table
	if pad+float64(len(lines))*lh > h+eps && len(lines) > 0 {
		w.overflow = append(w.overflow, fmt.Sprintf("%q: %d lines in a cell %.1f mm high", lines[0], len(lines), h))
	}
	room := width - 2*w.pdf.GetCellMargin()
	for _, l := range lines {
		if sw := w.pdf.GetStringWidth(l); sw > room+eps {
			w.overflow = append(w.overflow, fmt.Sprintf("%q: %.1f mm in a cell %.1f mm wide", l, sw, width))
		}
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
		w.fits(w.width()-valueWidth, lineHeight, 0, lineHeight, []string{clean(r.Label)})
		w.fits(valueWidth, lineHeight, 0, lineHeight, []string{clean(r.Value)})
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

// mono writes s in a monospace font inside a frame, wrapped at spaces.
func (w *writer) mono(s string) {
	if !w.haveMono {
		w.pdf.AddUTF8FontParsed(fontMono, "", monoRegular())
		w.haveMono = true
	}
	w.pdf.SetFont(fontMono, "", 9)
	w.pdf.SetDrawColor(170, 170, 170)
	w.pdf.MultiCell(0, 4.6, clean(s), "1", "L", false)
	w.pdf.Ln(3)
}

// ensure starts a new page unless h millimetres fit above the bottom margin.
func (w *writer) ensure(h float64) {
	_, ph := w.pdf.GetPageSize()
	if w.pdf.GetY()+h > ph-marginBottom {
		w.pdf.AddPage()
	}
}

// finish closes the document and returns the PDF.
func (w *writer) finish() ([]byte, error) {
	if len(w.overflow) > 0 {
		return nil, fmt.Errorf("docs: text outside its cell: %s", strings.Join(w.overflow, "; "))
	}
	var buf bytes.Buffer
	if err := w.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("docs: render PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// substitutes replaces characters the Go fonts lack. The rouble sign
// (U+20BD) is newer than the fonts' character set.
var substitutes = map[rune]string{
	'₽':      "руб.",
	'\u00a0': " ", '\u2007': " ", '\u2009': " ", '\u202f': " ", // no-break and thin spaces in amounts
	'\t': " ", '\r': "",
}

// clean makes s safe to draw: characters missing from the fonts are
// substituted or replaced by "?", control characters except '\n' dropped.
// fpdf indexes its width table by rune up to U+FFFF and would panic beyond.
func clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch sub, ok := substitutes[r]; {
		case ok:
			b.WriteString(sub)
		case r == '\n' || r == ' ':
			b.WriteRune(r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
		case !glyphs()(r):
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// glyphs reports whether both the regular and the bold font have a glyph
// for a rune.
var glyphs = sync.OnceValue(func() func(rune) bool {
	var have [0x10000]bool
	var buf sfnt.Buffer
	fonts := make([]*sfnt.Font, 0, 2)
	for _, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			panic("docs: embedded Go font: " + err.Error())
		}
		fonts = append(fonts, f)
	}
	for r := rune(0x20); r < 0x10000; r++ {
		ok := true
		for _, f := range fonts {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				ok = false
				break
			}
		}
		have[r] = ok
	}
	return func(r rune) bool { return r >= 0 && r < 0x10000 && have[r] }
})
