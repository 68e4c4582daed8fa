package renewal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"

	"renewal/server/internal/payments"
	"renewal/server/internal/store"
)

// StatementReport says what an import did with each document.
type StatementReport struct {
	AlreadyImported bool
	Results         []payments.MatchResult
}

// ImportStatement reads a bank statement (1CClientBankExchange) and pays
// the invoices it settles exactly; anything else (under- or over-payment,
// a third party paying, an unknown number) goes to the review queue. A
// file imported twice changes nothing the second time.
func (s *Service) ImportStatement(ctx context.Context, filename string, data []byte) (*StatementReport, error) {
	st, err := payments.ParseStatement(bytes.NewReader(data))
	if err != nil {
		return nil, ErrBadStatement.With(err)
	}
	sum := sha256.Sum256(data)
	report := &StatementReport{}
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		id, err := tx.StatementInsert(ctx, store.StatementInsertParams{Sha256: sum[:], Filename: filename, Documents: int32(len(st.Docs)), ImportedAt: s.now()})
		if err == store.ErrNotFound {
			report.AlreadyImported = true
			return nil
		} else if err != nil {
			return err
		}
		open, err := tx.PaymentOpenInvoices(ctx)
		if err != nil {
			return err
		}
		var invoices []payments.Invoice
		byNumber := map[string]store.Payment{}
		for _, p := range open {
			invoices = append(invoices, payments.Invoice{Number: deref(p.InvoiceNumber), AmountMinor: p.AmountMinor,
				PayerINN: p.PayerInn, PaymentID: p.ID, Paid: PaymentStatus(p.Status) == PaymentSucceeded})
			byNumber[deref(p.InvoiceNumber)] = p
		}
		report.Results = payments.Match(invoices, st.Docs, s.ourTaxIDs()...)
		for _, r := range report.Results {
			d := r.Doc
			if r.Kind == payments.MatchMatched {
				p := byNumber[r.Invoice.Number]
				// The event id comes from the payment order itself: daily
				// statements overlap, and a document seen again is done.
				n, err := tx.PaymentEventInsert(ctx, store.PaymentEventInsertParams{Provider: "statement", EventID: r.EventID,
					PaymentID: p.ID, Kind: "succeeded", ReceivedAt: s.now()})
				if err != nil {
					return err
				}
				if n == 0 {
					continue
				}
				if _, err := s.applyPaymentEvent(ctx, tx, &p, payments.EventSucceeded, d.AmountMinor, p.Currency, fmt.Sprintf("statement %s № %s", filename, d.Number)); err != nil {
					return err
				}
				continue
			}
			var paymentID *string
			if r.Invoice != nil {
				paymentID = &r.Invoice.PaymentID
			}
			if err := tx.ReviewInsert(ctx, store.ReviewInsertParams{
				StatementID: id, PaymentID: paymentID, DocNumber: d.Number, DocDate: d.Date.Format("02.01.2006"),
				AmountMinor: d.AmountMinor, PayerInn: d.PayerINN, PayerName: d.PayerName(), Purpose: d.Purpose,
				Kind: string(r.Kind), ReasonRu: r.ReasonRU, ReasonEn: r.ReasonEN, CreatedAt: s.now(),
			}); err != nil {
				return err
			}
		}
		return nil
	})
	return report, err
}

// ourTaxIDs are the centre's taxpayer numbers that payments must name:
// the Russian seller's ИНН and the Belarusian seller's УНП.
func (s *Service) ourTaxIDs() []string {
	var ids []string
	for _, sl := range s.Catalog.sellers {
		ids = append(ids, sl.TaxID())
	}
	return ids
}

// DevStatement writes, for development, the bank statement a payer's bank
// would export after paying an invoice: the full amount by the invoice's
// payer unless amountMinor or payerINN say otherwise (to try the review
// queue).
func (s *Service) DevStatement(ctx context.Context, invoice string, amountMinor int64, payerINN string) ([]byte, error) {
	p, err := s.Store.PaymentByInvoice(ctx, &invoice)
	if err != nil {
		if err == store.ErrNotFound {
			return nil, ErrNoInvoice
		}
		return nil, err
	}
	if amountMinor <= 0 {
		amountMinor = p.AmountMinor
	}
	if payerINN == "" {
		payerINN = p.PayerInn
	}
	app, err := s.Store.ApplicationGet(ctx, p.ApplicationID)
	if err != nil {
		return nil, err
	}
	seller := s.Catalog.sellers[app.Jurisdiction]
	now := s.now()
	st := &payments.Statement{
		Version: "1.03", Encoding: "Windows", Sender: "Бухгалтерия", Receiver: "Клиент-банк",
		DateFrom: now, DateTo: now, Accounts: []string{seller.Account},
		Docs: []payments.StatementDoc{{
			Kind: "Платежное поручение", Number: fmt.Sprint(now.Unix() % 100000), Date: now, AmountMinor: amountMinor,
			Payer: "ИНН " + payerINN + " Плательщик", PayerINN: payerINN,
			RecipientAccount: seller.Account, Recipient: seller.Name, RecipientINN: seller.TaxID(),
			Purpose:  fmt.Sprintf("Оплата по счёту № %s за продление сертификата", invoice),
			Received: now,
		}},
	}
	var buf bytes.Buffer
	if err := payments.WriteStatement(&buf, st); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
