package payments

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvoiceNumber(t *testing.T) {
	assert.Equal(t, "RN-2026-000123", InvoiceNumber(123, 2026))
	assert.Equal(t, "RN-2027-1234567", InvoiceNumber(1234567, 2027))
}

func TestFindInvoiceNumbers(t *testing.T) {
	tests := []struct {
		purpose string
		want    []string
	}{
		{"Оплата по счёту № RN-2026-000123 от 05.03.2026", []string{"RN-2026-000123"}},
		{"оплата сч N rn 2026 000123", []string{"RN-2026-000123"}},
		{"#RN-2026-123", []string{"RN-2026-000123"}},
		{"по счету №RN2026000123, без НДС", []string{"RN-2026-000123"}},
		{"Счёт РН-2026-000123 (кириллица)", []string{"RN-2026-000123"}},
		{"счет рн – 2026 — 000123", []string{"RN-2026-000123"}},
		{"RN-2026-000123 и ещё раз RN-2026-000123", []string{"RN-2026-000123"}},
		{"по счетам RN-2026-000123, RN-2026-000124", []string{"RN-2026-000123", "RN-2026-000124"}},
		{"Оплата по счёту № 123 от 05.03.2026", nil},
		{"ИНН 7707083893", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.purpose, func(t *testing.T) {
			assert.Equal(t, tt.want, FindInvoiceNumbers(tt.purpose))
		})
	}
}

func TestMatch(t *testing.T) {
	const ours = "7701234567"
	invoices := []Invoice{
		{Number: "RN-2026-000001", AmountMinor: 250000, PayerINN: "7707083893", PaymentID: "pay-1"},
		{Number: "RN-2026-000002", AmountMinor: 250000, PayerINN: "500100732259", PaymentID: "pay-2"},
		{Number: "RN-2026-000003", AmountMinor: 250000, PayerINN: "7707083893", PaymentID: "pay-3"},
		{Number: "RN-2026-000004", AmountMinor: 250000, PayerINN: "7707083893", PaymentID: "pay-4"},
		{Number: "RN-2026-000005", AmountMinor: 250000, PayerINN: "7707083893", PaymentID: "pay-5"},
		{Number: "RN-2026-000006", AmountMinor: 250000, PayerINN: "7707083893", PaymentID: "pay-6", Paid: true},
	}
	doc := func(num, purpose string, amount int64, payerINN, recipientINN string) StatementDoc {
		return StatementDoc{Kind: "Платежное поручение", Number: num, Date: day(10, 3, 2026), AmountMinor: amount,
			PayerINN: payerINN, Payer: "Плательщик " + payerINN, PayerAccount: "4070281040000005432" + num[len(num)-1:],
			RecipientINN: recipientINN, RecipientAccount: "40702810900000012345", Purpose: purpose, Received: day(11, 3, 2026)}
	}
	tests := []struct {
		name    string
		doc     StatementDoc
		want    MatchKind // "" : left out
		invoice string
		reason  string // part of the English reason
	}{
		{"exact", doc("1", "Оплата по счёту № RN-2026-000001 за продление", 250000, "7707083893", ours), MatchMatched, "RN-2026-000001", "match"},
		{"underpaid", doc("2", "оплата сч N rn 2026 000002", 200000, "500100732259", ours), MatchUnderpaid, "RN-2026-000002", "underpaid by 500,00\u00a0₽ (2\u00a0500,00\u00a0₽ expected)"},
		{"overpaid", doc("3", "#RN-2026-3", 300000, "7707083893", ours), MatchOverpaid, "RN-2026-000003", "overpaid by 500,00\u00a0₽ (2\u00a0500,00\u00a0₽ expected)"},
		{"third-party payer", doc("4", "Счёт РН-2026-000004", 250000, "7728168971", ours), MatchThirdParty, "RN-2026-000004", "made out to INN 7707083893"},
		{"third party and wrong amount", doc("5", "RN-2026-000005", 100, "7728168971", ours), MatchThirdParty, "RN-2026-000005", "underpaid"},
		{"no invoice number", doc("6", "Оплата по счёту № 17", 250000, "7707083893", ours), MatchUnknown, "", "no invoice number"},
		{"unknown number", doc("7", "RN-2026-999999", 250000, "7707083893", ours), MatchUnknown, "", "not found"},
		{"several numbers", doc("8", "RN-2026-000001, RN-2026-000002", 500000, "7707083893", ours), MatchUnknown, "", "several"},
		{"second document for a matched invoice", doc("9", "RN-2026-000001 повторно", 250000, "7707083893", ours), MatchDuplicate, "RN-2026-000001", "already paid by document No. 1"},
		{"invoice paid by an earlier statement", doc("10", "RN-2026-000006", 250000, "7707083893", ours), MatchDuplicate, "RN-2026-000006", "already paid"},
		{"other recipient INN ignored", doc("11", "RN-2026-000002", 250000, "500100732259", "7800000000"), "", "", ""},
		{"our own outgoing payment ignored", doc("12", "Оплата аренды", 120000, ours, "7800000000"), "", "", ""},
	}
	var docs []StatementDoc
	for _, tt := range tests {
		docs = append(docs, tt.doc)
	}
	results := Match(invoices, docs, " "+ours+" ")
	i := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "" {
				for _, r := range results {
					assert.NotEqual(t, tt.doc.Number, r.Doc.Number, "left out")
				}
				return
			}
			require.Less(t, i, len(results))
			r := results[i]
			i++
			assert.Equal(t, tt.doc.Number, r.Doc.Number, "results follow the documents")
			assert.Equal(t, tt.want, r.Kind, r.ReasonEN)
			assert.Contains(t, r.ReasonEN, tt.reason)
			assert.NotEmpty(t, r.ReasonRU)
			assert.Equal(t, tt.doc.EventID(), r.EventID)
			if tt.invoice == "" {
				assert.Nil(t, r.Invoice)
			} else {
				require.NotNil(t, r.Invoice)
				assert.Equal(t, tt.invoice, r.Invoice.Number)
				assert.Equal(t, tt.invoice, r.Number)
			}
			ev, ok := r.Event()
			assert.Equal(t, tt.want == MatchMatched, ok, "only matched leads to issuance")
			if ok {
				assert.Equal(t, Event{ID: r.EventID, Kind: EventSucceeded, ProviderRef: tt.invoice, PaymentID: "pay-1",
					AmountMinor: 250000, Currency: "RUB", At: day(11, 3, 2026)}, ev)
			}
		})
	}
	assert.Equal(t, i, len(results))

	assert.Empty(t, Match(invoices, docs, ""), "no INN of ours, nothing counts")
	noINN := []Invoice{{Number: "RN-2026-000001", AmountMinor: 250000, PaymentID: "p"}}
	r := Match(noINN, docs[:1], ours)
	require.Len(t, r, 1)
	assert.Equal(t, MatchThirdParty, r[0].Kind, "an invoice without a payer INN cannot be matched automatically")
}

// A Belarusian invoice is paid to the Belarusian seller's УНП: it
// matches when that УНП is one of ours, beside the Russian ИНН.
func TestMatchBelarusianSeller(t *testing.T) {
	const ruINN, byUNP = "7704218655", "191234563"
	inv := []Invoice{{Number: "RN-2026-000010", AmountMinor: 4500, PayerINN: "190602677", PaymentID: "pay-by"}}
	doc := StatementDoc{Kind: "Платежное поручение", Number: "31", Date: day(10, 3, 2026), AmountMinor: 4500,
		PayerINN: "190602677", Payer: "ООО «Белый аист»", RecipientINN: byUNP, Purpose: "Оплата по счёту № RN-2026-000010",
		Received: day(11, 3, 2026)}
	r := Match(inv, []StatementDoc{doc}, ruINN, byUNP)
	require.Len(t, r, 1)
	assert.Equal(t, MatchMatched, r[0].Kind)
	assert.Empty(t, Match(inv, []StatementDoc{doc}, ruINN), "paid to a УНП that is not ours: left out")
}
