package renewal

import (
	"context"
	"crypto/x509"

	"strings"

	"renewal/app/wire"
	"renewal/server/internal/docs"
	"renewal/server/internal/payments"
	"renewal/server/internal/store"
)

// HeadPay opens one payment for every request of the organisation the
// head confirmed and nobody has paid yet (Belarus, service 6.0.02).
func (s *Service) HeadPay(ctx context.Context, hs *HeadSession, method string) (*wire.Approval, error) {
	if err := hs.requireProven(); err != nil {
		return nil, err
	}
	if hs.Jurisdiction != "BY" {
		return nil, ErrUnknownMethod // in Russia each employee pays in the wizard
	}
	q := s.Store.Queries
	apps, err := q.ApplicationsApprovedUnpaid(ctx, store.ApplicationsApprovedUnpaidParams{Jurisdiction: hs.Jurisdiction, OrgID: &hs.OrgID})
	if err != nil {
		return nil, err
	}
	if len(apps) == 0 {
		return nil, ErrNothingToConfirm
	}
	if p, err := q.PaymentLatest(ctx, apps[0].ID); err == nil && PaymentStatus(p.Status) == PaymentPending && p.Method == method {
		return s.ApprovalView(ctx, hs) // already open: a double click opens nothing more
	}
	var total int64
	for _, a := range apps {
		total += deref64(a.AmountMinor)
	}
	id := "pay-" + newApplicationID()
	params := store.PaymentInsertParams{ID: id, ApplicationID: apps[0].ID, Method: method, AmountMinor: total,
		Currency: deref(apps[0].Currency), CreatedAt: s.now()}
	switch m := payments.Method(method); m {
	case payments.MethodInvoice:
		params.PayerInn = hs.OrgID
	case payments.MethodCard, payments.MethodERIP:
		provider, ok := s.Providers[m]
		if !ok {
			return nil, ErrUnknownMethod
		}
		created, err := provider.Create(ctx, payments.CreateRequest{
			PaymentID: id, ApplicationID: apps[0].ID, AmountMinor: total, Currency: params.Currency,
			Description: "Продление сертификатов сотрудников, УНП " + hs.OrgID,
			ReturnURL:   strings.TrimSuffix(s.PublicURL, "/") + PathApprove + "paid",
		})
		if err != nil {
			return nil, ErrPaymentProvider.With(err)
		}
		params.ProviderRef, params.RedirectUrl, params.EripCode = &created.ProviderRef, created.RedirectURL, created.ERIPCode
	default:
		return nil, ErrUnknownMethod
	}
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := s.insertPayment(ctx, tx, hs.Jurisdiction, &params); err != nil {
			return err
		}
		for _, a := range apps {
			app, err := lock(ctx, tx, a.ID)
			if err != nil {
				return err
			}
			if err := ActionHeadPay.check(State(app.State)); err != nil {
				return err
			}
			if err := tx.PaymentItemInsert(ctx, store.PaymentItemInsertParams{PaymentID: id, ApplicationID: a.ID}); err != nil {
				return err
			}
			if err := appendAudit(ctx, tx, a.ID, s.now(), "payment:created", State(app.State), State(app.State), "head",
				map[string]any{"payment": id, "method": method, "amount_minor": total, "for": len(apps)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	v, err := s.ApprovalView(ctx, hs)
	if err == nil {
		if p, perr := q.PaymentGet(ctx, id); perr == nil {
			v.Payment = paymentView(p)
		}
	}
	return v, err
}

// paidGroup marks every application of a head's payment paid and starts
// their issuance, in the payment's transaction. It returns how many it
// marked: none means the payment came for requests already paid (the
// head paid twice) and must go back.
func (s *Service) paidGroup(ctx context.Context, tx *store.Tx, p *store.Payment, items []string) (int, error) {
	n := 0
	for _, id := range items {
		app, err := lock(ctx, tx, id)
		if err != nil {
			return n, err
		}
		if State(app.State) == StateApproved {
			if err := s.move(ctx, tx, app, EventPaymentRequested, "system", nil); err != nil {
				return n, err
			}
		}
		if !ActionApplyPayment.allowedIn(State(app.State)) {
			s.Log.WarnContext(ctx, "payment: an item is no longer waiting for payment", "payment", p.ID, "application", id, "state", app.State)
			continue
		}
		if err := s.markPaid(ctx, tx, app, p); err != nil {
			return n, err
		}
		// What this payment paid for: its refund stops exactly these.
		if err := tx.PaymentItemSetPaid(ctx, store.PaymentItemSetPaidParams{PaymentID: p.ID, ApplicationID: id, At: s.now()}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// HeadInvoice renders the invoice of the head's pending invoice payment:
// one line per confirmed request, the organisation as the buyer.
func (s *Service) HeadInvoice(ctx context.Context, hs *HeadSession) ([]byte, error) {
	if err := hs.requireProven(); err != nil {
		return nil, err
	}
	q := s.Store.Queries
	apps, err := q.ApplicationsApprovedUnpaid(ctx, store.ApplicationsApprovedUnpaidParams{Jurisdiction: hs.Jurisdiction, OrgID: &hs.OrgID})
	if err != nil {
		return nil, err
	}
	var p store.Payment
	if len(apps) > 0 {
		p, err = q.PaymentLatest(ctx, apps[0].ID)
	} else {
		// Paid already: the page after payment links the paid invoice.
		p, err = q.PaymentLatestPaidForOrg(ctx, hs.Jurisdiction, hs.OrgID)
	}
	if err != nil || p.InvoiceNumber == nil {
		return nil, ErrNoInvoice
	}
	items, err := q.PaymentItems(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	var lines []docs.Line
	for _, id := range items {
		a, err := q.ApplicationGet(ctx, id)
		if err != nil {
			return nil, err
		}
		line, err := s.serviceLine(ctx, q, &a)
		if err != nil {
			return nil, err
		}
		if c, err := x509.ParseCertificate(a.CertDer); err == nil {
			line.Name += ": " + c.Subject.CommonName
		}
		lines = append(lines, line)
	}
	return docs.RenderInvoice(docs.Invoice{
		Number: *p.InvoiceNumber, Date: p.CreatedAt, Jurisdiction: hs.Jurisdiction, Currency: p.Currency,
		Seller: s.seller(hs.Jurisdiction), Buyer: buyer(hs.Jurisdiction, hs.Cert), Lines: lines,
		VATRate: s.Catalog.vat[hs.Jurisdiction], VATIncluded: true, DueDays: 5,
		Purpose: "Оплата по счёту № " + *p.InvoiceNumber + " за издание сертификатов сотрудников",
	})
}
