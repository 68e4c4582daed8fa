package payments

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"renewal/app/money"
)

// Invoice is a bank invoice (счёт) waiting for payment.
type Invoice struct {
	Number      string // InvoiceNumber: RN-2026-000123
	AmountMinor int64
	PayerINN    string // the INN the invoice was made out to
	PaymentID   string
	Paid        bool // already paid by an earlier statement: any new document for it is a duplicate
}

// MatchKind is the verdict on one statement document.
type MatchKind string

// Verdicts. Only MatchMatched may lead to issuance; every other kind goes
// to the operator's review queue.
const (
	MatchMatched    MatchKind = "matched"
	MatchUnderpaid  MatchKind = "underpaid"
	MatchOverpaid   MatchKind = "overpaid"
	MatchThirdParty MatchKind = "third_party"
	MatchUnknown    MatchKind = "unknown"
	MatchDuplicate  MatchKind = "duplicate"
)

// MatchResult is the verdict on one document addressed to us.
type MatchResult struct {
	Kind     MatchKind
	Doc      StatementDoc
	Invoice  *Invoice // nil for MatchUnknown
	Number   string   // the invoice number found in the purpose, normalised ("" if none)
	EventID  string   // Doc.EventID()
	ReasonRU string
	ReasonEN string
}

// Event returns the "succeeded" event for a matched document, for the same
// processing path as providers' notifications; ok is false otherwise.
func (m MatchResult) Event() (e Event, ok bool) {
	if m.Kind != MatchMatched || m.Invoice == nil {
		return Event{}, false
	}
	at := m.Doc.Received
	if at.IsZero() {
		at = m.Doc.Date
	}
	return Event{
		ID: m.EventID, Kind: EventSucceeded, ProviderRef: m.Invoice.Number, PaymentID: m.Invoice.PaymentID,
		AmountMinor: m.Doc.AmountMinor, Currency: "RUB", At: at,
	}, true
}

// invoiceNumberRE finds RN-2026-000123 in a payment purpose, tolerating
// case, Cyrillic Р/Н typed for R/N, spaces and other dashes; the text
// before it ("№", "N", "#") does not matter.
var invoiceNumberRE = regexp.MustCompile(`(?i)[RР]\s*[NН]\s*[-–—‐‑_]?\s*(\d{4})\s*[-–—‐‑_/]?\s*(\d{1,12})(?:\D|$)`)

// FindInvoiceNumbers returns the distinct invoice numbers in a payment
// purpose, normalised to the InvoiceNumber form, in order of appearance.
func FindInvoiceNumbers(purpose string) []string {
	var out []string
	for _, m := range invoiceNumberRE.FindAllStringSubmatch(purpose, -1) {
		year, _ := strconv.Atoi(m[1])
		seq, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil || year < 2000 || year > 2999 {
			continue
		}
		n := InvoiceNumber(seq, year)
		if !containsString(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func normINN(s string) string { return strings.Join(strings.Fields(s), "") }

// normInvoiceNumber brings an invoice's own number to the form
// FindInvoiceNumbers returns.
func normInvoiceNumber(s string) string {
	if ns := FindInvoiceNumbers(s); len(ns) == 1 {
		return ns[0]
	}
	return strings.ToUpper(strings.TrimSpace(s))
}

// Match decides, for each document paid to one of ourTaxIDs (the ИНН of
// the Russian seller, the УНП of the Belarusian one; others, including our
// own outgoing payments, are left out), which invoice it pays:
//
//   - matched: one invoice number in НазначениеПлатежа, the exact amount,
//     the payer's INN equal to the invoice's;
//   - third_party: the payer's INN differs from the invoice's (or the
//     invoice has none); an amount mismatch is named in the reason too;
//   - underpaid / overpaid: the right payer, a different amount;
//   - unknown: no invoice number, several, or a number we do not know;
//   - duplicate: the invoice is Paid already or was matched by an earlier
//     document of this statement.
//
// Results follow the order of docs. Docs already processed (their
// EventID is stored) should be dropped by the caller before or after the
// call: overlapping statements repeat documents.
func Match(invoices []Invoice, docs []StatementDoc, ourTaxIDs ...string) []MatchResult {
	byNumber := make(map[string]*Invoice, len(invoices))
	for i := range invoices {
		inv := invoices[i]
		byNumber[normInvoiceNumber(inv.Number)] = &inv
	}
	matchedBy := map[string]StatementDoc{}
	ours := map[string]bool{}
	for _, id := range ourTaxIDs {
		if id = normINN(id); id != "" {
			ours[id] = true
		}
	}
	var out []MatchResult
	for _, d := range docs {
		if !ours[normINN(d.RecipientINN)] {
			continue
		}
		r := MatchResult{Doc: d, EventID: d.EventID()}
		docRU := fmt.Sprintf("Документ № %s от %s на %s", d.Number, d.Date.Format(stmtDateFmt), money.Format(d.AmountMinor, "RUB"))
		docEN := fmt.Sprintf("Document No. %s of %s for %s", d.Number, d.Date.Format(stmtDateFmt), money.Format(d.AmountMinor, "RUB"))
		nums := FindInvoiceNumbers(d.Purpose)
		switch {
		case len(nums) == 0:
			r.Kind = MatchUnknown
			r.ReasonRU = docRU + ": в назначении платежа нет номера счёта."
			r.ReasonEN = docEN + ": the payment purpose has no invoice number."
			out = append(out, r)
			continue
		case len(nums) > 1:
			r.Kind = MatchUnknown
			r.ReasonRU = docRU + ": в назначении платежа несколько номеров счетов: " + strings.Join(nums, ", ") + "."
			r.ReasonEN = docEN + ": the payment purpose names several invoices: " + strings.Join(nums, ", ") + "."
			out = append(out, r)
			continue
		}
		r.Number = nums[0]
		inv := byNumber[r.Number]
		if inv == nil {
			r.Kind = MatchUnknown
			r.ReasonRU = docRU + ": счёт " + r.Number + " не найден."
			r.ReasonEN = docEN + ": invoice " + r.Number + " not found."
			out = append(out, r)
			continue
		}
		cp := *inv
		r.Invoice = &cp
		if first, ok := matchedBy[r.Number]; ok || inv.Paid {
			r.Kind = MatchDuplicate
			if ok {
				r.ReasonRU = fmt.Sprintf("%s: счёт %s уже оплачен документом № %s от %s в этой выписке; платёж повторный, его нужно вернуть или зачесть.",
					docRU, r.Number, first.Number, first.Date.Format(stmtDateFmt))
				r.ReasonEN = fmt.Sprintf("%s: invoice %s was already paid by document No. %s of %s in this statement; this payment is a duplicate to refund or offset.",
					docEN, r.Number, first.Number, first.Date.Format(stmtDateFmt))
			} else {
				r.ReasonRU = docRU + ": счёт " + r.Number + " уже оплачен; платёж повторный, его нужно вернуть или зачесть."
				r.ReasonEN = docEN + ": invoice " + r.Number + " is already paid; this payment is a duplicate to refund or offset."
			}
			out = append(out, r)
			continue
		}
		amountRU, amountEN := "", ""
		switch diff := d.AmountMinor - inv.AmountMinor; {
		case diff < 0:
			amountRU = fmt.Sprintf("недоплата %s (ожидалось %s)", money.Format(-diff, "RUB"), money.Format(inv.AmountMinor, "RUB"))
			amountEN = fmt.Sprintf("underpaid by %s (%s expected)", money.Format(-diff, "RUB"), money.Format(inv.AmountMinor, "RUB"))
		case diff > 0:
			amountRU = fmt.Sprintf("переплата %s (ожидалось %s)", money.Format(diff, "RUB"), money.Format(inv.AmountMinor, "RUB"))
			amountEN = fmt.Sprintf("overpaid by %s (%s expected)", money.Format(diff, "RUB"), money.Format(inv.AmountMinor, "RUB"))
		}
		switch {
		case normINN(inv.PayerINN) == "" || normINN(d.PayerINN) != normINN(inv.PayerINN):
			r.Kind = MatchThirdParty
			r.ReasonRU = fmt.Sprintf("%s: счёт %s выставлен на ИНН %s, а оплатил %s (ИНН %s).",
				docRU, r.Number, orDash(inv.PayerINN), orDash(d.PayerName()), orDash(d.PayerINN))
			r.ReasonEN = fmt.Sprintf("%s: invoice %s was made out to INN %s but was paid by %s (INN %s).",
				docEN, r.Number, orDash(inv.PayerINN), orDash(d.PayerName()), orDash(d.PayerINN))
			if amountRU != "" {
				r.ReasonRU += " Кроме того, " + amountRU + "."
				r.ReasonEN += " Also " + amountEN + "."
			}
		case d.AmountMinor < inv.AmountMinor:
			r.Kind = MatchUnderpaid
			r.ReasonRU = docRU + ": счёт " + r.Number + ", " + amountRU + "."
			r.ReasonEN = docEN + ": invoice " + r.Number + ", " + amountEN + "."
		case d.AmountMinor > inv.AmountMinor:
			r.Kind = MatchOverpaid
			r.ReasonRU = docRU + ": счёт " + r.Number + ", " + amountRU + "."
			r.ReasonEN = docEN + ": invoice " + r.Number + ", " + amountEN + "."
		default:
			r.Kind = MatchMatched
			matchedBy[r.Number] = d
			r.ReasonRU = docRU + ": оплата счёта " + r.Number + ", сумма и ИНН плательщика совпадают."
			r.ReasonEN = docEN + ": payment of invoice " + r.Number + "; the amount and the payer's INN match."
		}
		out = append(out, r)
	}
	return out
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
