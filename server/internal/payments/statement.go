package payments

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// KV is a key=value line kept as it was (fields this package does not
// interpret), so that a statement can be written back.
type KV struct {
	Key, Value string
}

// Statement is a bank statement in the 1CClientBankExchange format that
// Russian client-bank systems export.
type Statement struct {
	Version  string    // ВерсияФормата, "1.03"
	Encoding string    // Кодировка as written in the file: "Windows" or "DOS"
	Sender   string    // Отправитель
	Receiver string    // Получатель
	DateFrom time.Time // ДатаНачала (UTC midnight; zero if absent)
	DateTo   time.Time // ДатаКонца
	Accounts []string  // РасчСчет lines of the header
	Other    []KV      // other header lines (ДатаСоздания, ВремяСоздания, Документ…)
	Balances []AccountBalance
	Docs     []StatementDoc
}

// AccountBalance is a СекцияРасчСчет … КонецРасчСчет section.
type AccountBalance struct {
	DateFrom     time.Time // ДатаНачала
	DateTo       time.Time // ДатаКонца
	Account      string    // РасчСчет
	OpeningMinor int64     // НачальныйОстаток
	InMinor      int64     // ВсегоПоступило
	OutMinor     int64     // ВсегоСписано
	ClosingMinor int64     // КонечныйОстаток
	Other        []KV
	Line         int // line of "СекцияРасчСчет" in the parsed file
}

// StatementDoc is one document: "СекцияДокумент=Платежное поручение" …
// "КонецДокумента". Dates are UTC midnight (the bank's calendar day).
type StatementDoc struct {
	Kind             string // the value of СекцияДокумент: "Платежное поручение", "Банковский ордер"…
	Number           string // Номер
	Date             time.Time
	AmountMinor      int64     // Сумма in kopecks
	PayerAccount     string    // ПлательщикСчет
	Payer            string    // Плательщик (often "ИНН 7701234567 ООО Ромашка")
	Payer1           string    // Плательщик1 (the name alone), if given
	PayerINN         string    // ПлательщикИНН
	RecipientAccount string    // ПолучательСчет
	Recipient        string    // Получатель
	Recipient1       string    // Получатель1
	RecipientINN     string    // ПолучательИНН
	Purpose          string    // НазначениеПлатежа
	Received         time.Time // ДатаПоступило (zero if absent or empty)
	WrittenOff       time.Time // ДатаСписано
	Other            []KV
	Line             int // line of "СекцияДокумент" in the parsed file
}

// PayerName is Плательщик1 if given, else Плательщик.
func (d StatementDoc) PayerName() string {
	if d.Payer1 != "" {
		return d.Payer1
	}
	return d.Payer
}

// EventID identifies the payment a document records, the same in every
// statement it appears in (daily statements overlap; the operator may
// upload one twice). Store it under the same unique constraint as
// providers' event ids, with provider "invoice".
func (d StatementDoc) EventID() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00%s",
		d.Date.Format("2006-01-02"), strings.TrimSpace(d.Number), strings.TrimSpace(d.PayerINN),
		strings.TrimSpace(d.PayerAccount), d.AmountMinor, strings.TrimSpace(d.RecipientAccount))
	return "1c_" + hex.EncodeToString(h.Sum(nil))[:32]
}

// StatementError is a malformed statement: the line (1-based; 0 for the
// file as a whole) and the problem in Russian and English.
type StatementError struct {
	Line   int
	RU, EN string
}

func (e *StatementError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("payments: statement line %d: %s", e.Line, e.EN)
	}
	return "payments: statement: " + e.EN
}

// Is makes errors.Is(err, ErrMalformedStatement) true.
func (e *StatementError) Is(target error) bool { return target == ErrMalformedStatement }

// ErrMalformedStatement is matched by every *StatementError.
var ErrMalformedStatement = errors.New("payments: malformed bank statement")

// MaxStatementSize is the largest statement ParseStatement reads: a busy
// account's month is a few megabytes.
const MaxStatementSize = 8 << 20

const (
	stmtMagic     = "1CClientBankExchange"
	stmtDateFmt   = "02.01.2006"
	defaultDocKey = "Платежное поручение"
)

// ParseStatement reads a 1CClientBankExchange file. The bytes are used as
// they are if they are valid UTF-8; otherwise they are decoded from CP866
// if the header says Кодировка=DOS, else from Windows-1251. CRLF, LF and a
// UTF-8 BOM are accepted. A malformed file is refused with a
// *StatementError naming the line; a file without КонецФайла is refused
// (it may have been cut short).
func ParseStatement(r io.Reader) (*Statement, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxStatementSize+1))
	if err != nil {
		return nil, fmt.Errorf("payments: statement: %w", err)
	}
	if len(raw) > MaxStatementSize {
		return nil, &StatementError{RU: "файл выписки слишком большой", EN: "the statement file is too large"}
	}
	text := decodeStatement(raw)
	if strings.TrimSpace(text) == "" {
		return nil, &StatementError{RU: "файл пуст", EN: "the file is empty"}
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")

	p := stmtParser{s: &Statement{}}
	for i, line := range lines {
		if err := p.line(i+1, strings.TrimSpace(line)); err != nil {
			return nil, err
		}
	}
	switch {
	case p.state == stInit:
		return nil, &StatementError{RU: "файл пуст", EN: "the file is empty"}
	case p.state == stDoc:
		return nil, lineErr(p.start, "документ не закрыт (нет КонецДокумента)", "document not closed (no КонецДокумента)")
	case p.state == stAccount:
		return nil, lineErr(p.start, "секция счёта не закрыта (нет КонецРасчСчет)", "account section not closed (no КонецРасчСчет)")
	case p.state != stEnd:
		return nil, lineErr(len(lines), "нет строки КонецФайла: файл обрезан?", "no КонецФайла line: is the file cut short?")
	}
	return p.s, nil
}

func lineErr(line int, ru, en string) *StatementError {
	return &StatementError{Line: line, RU: ru, EN: en}
}

// decodeStatement turns the file's bytes into text.
func decodeStatement(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if utf8.Valid(b) {
		return string(b)
	}
	if dos, err := charmap.CodePage866.NewDecoder().Bytes(b); err == nil {
		for _, l := range strings.Split(string(dos), "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok && k == "Кодировка" && strings.EqualFold(strings.TrimSpace(v), "DOS") {
				return string(dos)
			}
		}
	}
	win, _ := charmap.Windows1251.NewDecoder().Bytes(b) // every byte decodes
	return string(win)
}

type stmtState int

const (
	stInit stmtState = iota
	stHeader
	stAccount
	stDoc
	stEnd
)

type stmtParser struct {
	s     *Statement
	state stmtState
	start int // line where the open section began
	acc   *AccountBalance
	doc   *StatementDoc
	seen  map[string]bool // known keys seen in the open section
}

func (p *stmtParser) line(n int, l string) error {
	if p.state == stInit {
		if l != stmtMagic {
			return lineErr(n, "первая строка должна быть 1CClientBankExchange", "the first line must be 1CClientBankExchange")
		}
		p.state = stHeader
		return nil
	}
	if l == "" {
		return nil
	}
	if p.state == stEnd {
		return lineErr(n, "текст после КонецФайла", "text after КонецФайла")
	}
	key, val, hasEq := strings.Cut(l, "=")
	key, val = strings.TrimSpace(key), strings.TrimSpace(val)

	switch key {
	case "СекцияРасчСчет", "СекцияДокумент":
		if p.state != stHeader {
			return lineErr(n, fmt.Sprintf("%s внутри незакрытой секции (начата в строке %d)", key, p.start),
				fmt.Sprintf("%s inside an unclosed section (begun at line %d)", key, p.start))
		}
		p.start, p.seen = n, map[string]bool{}
		if key == "СекцияРасчСчет" {
			p.state, p.acc = stAccount, &AccountBalance{Line: n}
		} else {
			if val == "" {
				return lineErr(n, "СекцияДокумент без вида документа", "СекцияДокумент without the document kind")
			}
			p.state, p.doc = stDoc, &StatementDoc{Kind: val, Line: n}
		}
		return nil
	case "КонецРасчСчет":
		if p.state != stAccount {
			return lineErr(n, "КонецРасчСчет без СекцияРасчСчет", "КонецРасчСчет without СекцияРасчСчет")
		}
		p.s.Balances = append(p.s.Balances, *p.acc)
		p.state, p.acc = stHeader, nil
		return nil
	case "КонецДокумента":
		if p.state != stDoc {
			return lineErr(n, "КонецДокумента без СекцияДокумент", "КонецДокумента without СекцияДокумент")
		}
		if err := p.checkDoc(); err != nil {
			return err
		}
		p.s.Docs = append(p.s.Docs, *p.doc)
		p.state, p.doc = stHeader, nil
		return nil
	case "КонецФайла":
		if p.state != stHeader {
			return lineErr(n, fmt.Sprintf("КонецФайла внутри незакрытой секции (начата в строке %d)", p.start),
				fmt.Sprintf("КонецФайла inside an unclosed section (begun at line %d)", p.start))
		}
		p.state = stEnd
		return nil
	}
	if !hasEq || key == "" {
		return lineErr(n, fmt.Sprintf("ожидалась строка вида Ключ=Значение: %q", clip(l)),
			fmt.Sprintf("expected a Key=Value line: %q", clip(l)))
	}
	switch p.state {
	case stAccount:
		return p.accountField(n, key, val)
	case stDoc:
		return p.docField(n, key, val)
	default:
		return p.headerField(n, key, val)
	}
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		return string([]rune(s)[:60]) + "…"
	}
	return s
}

func (p *stmtParser) once(n int, key string) error {
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	if p.seen[key] {
		return lineErr(n, "поле "+key+" повторяется", "field "+key+" repeated")
	}
	p.seen[key] = true
	return nil
}

func (p *stmtParser) headerField(n int, key, val string) error {
	s := p.s
	var err error
	switch key {
	case "ВерсияФормата", "Кодировка", "Отправитель", "Получатель", "ДатаНачала", "ДатаКонца":
		if err := p.once(n, "header:"+key); err != nil {
			return err
		}
	}
	switch key {
	case "ВерсияФормата":
		s.Version = val
	case "Кодировка": // informational: the bytes decide (see ParseStatement)
		s.Encoding = val
	case "Отправитель":
		s.Sender = val
	case "Получатель":
		s.Receiver = val
	case "ДатаНачала":
		s.DateFrom, err = parseStmtDate(n, key, val)
	case "ДатаКонца":
		s.DateTo, err = parseStmtDate(n, key, val)
	case "РасчСчет":
		s.Accounts = append(s.Accounts, val)
	default:
		s.Other = append(s.Other, KV{key, val})
	}
	return err
}

func (p *stmtParser) accountField(n int, key, val string) error {
	a := p.acc
	var err error
	switch key {
	case "ДатаНачала", "ДатаКонца", "РасчСчет", "НачальныйОстаток", "ВсегоПоступило", "ВсегоСписано", "КонечныйОстаток":
		if err := p.once(n, key); err != nil {
			return err
		}
	}
	switch key {
	case "ДатаНачала":
		a.DateFrom, err = parseStmtDate(n, key, val)
	case "ДатаКонца":
		a.DateTo, err = parseStmtDate(n, key, val)
	case "РасчСчет":
		a.Account = val
	case "НачальныйОстаток":
		a.OpeningMinor, err = parseStmtAmount(n, key, val)
	case "ВсегоПоступило":
		a.InMinor, err = parseStmtAmount(n, key, val)
	case "ВсегоСписано":
		a.OutMinor, err = parseStmtAmount(n, key, val)
	case "КонечныйОстаток":
		a.ClosingMinor, err = parseStmtAmount(n, key, val)
	default:
		a.Other = append(a.Other, KV{key, val})
	}
	return err
}

// docKeys are the document fields this package interprets.
var docKeys = map[string]bool{
	"Номер": true, "Дата": true, "Сумма": true,
	"ПлательщикСчет": true, "Плательщик": true, "Плательщик1": true, "ПлательщикИНН": true,
	"ПолучательСчет": true, "Получатель": true, "Получатель1": true, "ПолучательИНН": true,
	"НазначениеПлатежа": true, "ДатаПоступило": true, "ДатаСписано": true,
}

func (p *stmtParser) docField(n int, key, val string) error {
	d := p.doc
	if docKeys[key] {
		if err := p.once(n, key); err != nil {
			return err
		}
	}
	var err error
	switch key {
	case "Номер":
		d.Number = val
	case "Дата":
		d.Date, err = parseStmtDate(n, key, val)
	case "Сумма":
		d.AmountMinor, err = parseStmtAmount(n, key, val)
	case "ПлательщикСчет":
		d.PayerAccount = val
	case "Плательщик":
		d.Payer = val
	case "Плательщик1":
		d.Payer1 = val
	case "ПлательщикИНН":
		d.PayerINN = val
	case "ПолучательСчет":
		d.RecipientAccount = val
	case "Получатель":
		d.Recipient = val
	case "Получатель1":
		d.Recipient1 = val
	case "ПолучательИНН":
		d.RecipientINN = val
	case "НазначениеПлатежа":
		d.Purpose = val
	case "ДатаПоступило":
		if val != "" {
			d.Received, err = parseStmtDate(n, key, val)
		}
	case "ДатаСписано":
		if val != "" {
			d.WrittenOff, err = parseStmtDate(n, key, val)
		}
	default:
		d.Other = append(d.Other, KV{key, val})
	}
	return err
}

// checkDoc checks that a closed document has what matching needs.
func (p *stmtParser) checkDoc() error {
	d := p.doc
	for _, k := range []string{"Номер", "Дата", "Сумма"} {
		if !p.seen[k] {
			return lineErr(d.Line, "в документе нет поля "+k, "the document has no "+k+" field")
		}
	}
	if d.Number == "" {
		return lineErr(d.Line, "пустой номер документа", "empty document number")
	}
	if d.Purpose == "" {
		// Older exports split the purpose into НазначениеПлатежа1…6.
		var parts []string
		for i := 1; i <= 6; i++ {
			for _, kv := range d.Other {
				if kv.Key == "НазначениеПлатежа"+strconv.Itoa(i) && kv.Value != "" {
					parts = append(parts, kv.Value)
				}
			}
		}
		if len(parts) > 0 && !p.seen["НазначениеПлатежа"] {
			d.Purpose = strings.Join(parts, " ")
		}
	}
	return nil
}

func parseStmtDate(n int, key, val string) (time.Time, error) {
	t, err := time.Parse(stmtDateFmt, val)
	if err != nil {
		return time.Time{}, lineErr(n, fmt.Sprintf("%s: неверная дата %q (ожидается ДД.ММ.ГГГГ)", key, clip(val)),
			fmt.Sprintf("%s: bad date %q (dd.mm.yyyy expected)", key, clip(val)))
	}
	return t, nil
}

func parseStmtAmount(n int, key, val string) (int64, error) {
	v, err := ParseAmountMinor(val)
	if err != nil {
		return 0, lineErr(n, fmt.Sprintf("%s: неверная сумма %q", key, clip(val)), fmt.Sprintf("%s: bad amount %q", key, clip(val)))
	}
	return v, nil
}

// ParseAmountMinor parses rubles with a dot or comma and at most two
// decimals ("2500.00", "2500,5", "2500") into kopecks, exactly.
func ParseAmountMinor(s string) (int64, error) {
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || len(whole) > 16 || len(frac) > 2 || strings.Contains(s, ".") && strings.Contains(s, ",") {
		return 0, fmt.Errorf("bad amount %q", s)
	}
	if strings.ContainsAny(s, ".,") && frac == "" {
		return 0, fmt.Errorf("bad amount %q", s)
	}
	var v int64
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("bad amount %q", s)
		}
		v = v*10 + int64(c-'0')
	}
	for range 2 - len(frac) {
		v *= 10
	}
	return v, nil
}

// FormatAmountMinor writes kopecks as rubles with a dot: 250000 → "2500.00".
func FormatAmountMinor(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}

// WriteStatement writes s in the 1CClientBankExchange format, in
// Windows-1251 with CRLF line ends (Кодировка=Windows whatever s.Encoding
// says). Text that Windows-1251 cannot hold, or a line break inside a
// value, is an error. ParseStatement reads the result back to an equal
// Statement (with Encoding "Windows" and the Line fields set).
func WriteStatement(w io.Writer, s *Statement) error {
	var b strings.Builder
	var bad error
	put := func(k, v string) {
		if bad != nil {
			return
		}
		if k == "" || strings.ContainsAny(k, "=\r\n") || strings.ContainsAny(v, "\r\n") {
			bad = fmt.Errorf("payments: statement: line break or bad key in %q=%q", k, clip(v))
			return
		}
		b.WriteString(k)
		b.WriteString("=")
		b.WriteString(v)
		b.WriteString("\r\n")
	}
	mark := func(k string) { // a line without "="
		b.WriteString(k)
		b.WriteString("\r\n")
	}
	date := func(k string, t time.Time) {
		if !t.IsZero() {
			put(k, t.Format(stmtDateFmt))
		}
	}
	version := s.Version
	if version == "" {
		version = "1.03"
	}
	mark(stmtMagic)
	put("ВерсияФормата", version)
	put("Кодировка", "Windows")
	put("Отправитель", s.Sender)
	put("Получатель", s.Receiver)
	for _, kv := range s.Other {
		put(kv.Key, kv.Value)
	}
	date("ДатаНачала", s.DateFrom)
	date("ДатаКонца", s.DateTo)
	for _, a := range s.Accounts {
		put("РасчСчет", a)
	}
	for _, a := range s.Balances {
		mark("СекцияРасчСчет")
		date("ДатаНачала", a.DateFrom)
		date("ДатаКонца", a.DateTo)
		put("РасчСчет", a.Account)
		put("НачальныйОстаток", FormatAmountMinor(a.OpeningMinor))
		put("ВсегоПоступило", FormatAmountMinor(a.InMinor))
		put("ВсегоСписано", FormatAmountMinor(a.OutMinor))
		put("КонечныйОстаток", FormatAmountMinor(a.ClosingMinor))
		for _, kv := range a.Other {
			put(kv.Key, kv.Value)
		}
		mark("КонецРасчСчет")
	}
	for _, d := range s.Docs {
		if d.Number == "" || d.Date.IsZero() || d.AmountMinor < 0 {
			return fmt.Errorf("payments: statement: document needs a number, a date and a non-negative amount")
		}
		kind := d.Kind
		if kind == "" {
			kind = defaultDocKey
		}
		put("СекцияДокумент", kind)
		put("Номер", d.Number)
		date("Дата", d.Date)
		put("Сумма", FormatAmountMinor(d.AmountMinor))
		put("ПлательщикСчет", d.PayerAccount)
		put("Плательщик", d.Payer)
		if d.Payer1 != "" {
			put("Плательщик1", d.Payer1)
		}
		put("ПлательщикИНН", d.PayerINN)
		put("ПолучательСчет", d.RecipientAccount)
		put("Получатель", d.Recipient)
		if d.Recipient1 != "" {
			put("Получатель1", d.Recipient1)
		}
		put("ПолучательИНН", d.RecipientINN)
		put("НазначениеПлатежа", d.Purpose)
		date("ДатаПоступило", d.Received)
		date("ДатаСписано", d.WrittenOff)
		for _, kv := range d.Other {
			put(kv.Key, kv.Value)
		}
		mark("КонецДокумента")
	}
	mark("КонецФайла")
	if bad != nil {
		return bad
	}
	enc, err := charmap.Windows1251.NewEncoder().String(b.String())
	if err != nil {
		return fmt.Errorf("payments: statement: text not representable in Windows-1251: %w", err)
	}
	_, err = io.WriteString(w, enc)
	return err
}
