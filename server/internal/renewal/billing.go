package renewal

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"

	"renewal/app/dates"
	"renewal/server/internal/docs"
	"renewal/server/internal/store"
)

// seller is the centre as a party of the jurisdiction's documents.
func (s *Service) seller(jurisdiction string) docs.Party {
	sel := s.Catalog.sellers[jurisdiction]
	return docs.Party{Name: sel.Name, INN: sel.INN, KPP: sel.KPP, UNP: sel.UNP, Address: sel.Address,
		Bank: sel.Bank, BIC: sel.BIC, Account: sel.Account, CorrAccount: sel.CorrAccount}
}

// oidOGRNIP is the ОГРНИП of an individual entrepreneur's certificate.
var oidOGRNIP = asn1.ObjectIdentifier{1, 2, 643, 100, 5}

// buyer is whom the invoice, the act and the УПД are made out to: the
// business the certificate names, else the person. An organisation by its
// name and ИНН (with ОГРН) or УНП; an individual entrepreneur as "ИП
// Фамилия Имя Отчество" with ОГРНИП and personal ИНН (RU) or УНП (BY), so
// that he can account for the expense; a private person by name and ИНН.
func buyer(jurisdiction string, cert *x509.Certificate) docs.Party {
	org, person := firstOf(cert.Subject.Organization), cert.Subject.CommonName
	if jurisdiction == "BY" {
		unp := attribute(cert, oidUNP)
		switch {
		case unp != "" && org != "":
			return docs.Party{Name: org, UNP: unp}
		case unp != "":
			return docs.Party{Name: "ИП " + person, UNP: unp}
		}
		return docs.Party{Name: person}
	}
	if inn := attribute(cert, oidINNLE); inn != "" && org != "" {
		return docs.Party{Name: org, INN: inn, OGRN: attribute(cert, oidOGRN)}
	}
	inn := attribute(cert, oidINN)
	if ogrnip := attribute(cert, oidOGRNIP); ogrnip != "" {
		return docs.Party{Name: "ИП " + person, INN: inn, OGRNIP: ogrnip}
	}
	return docs.Party{Name: person, INN: inn}
}

func (s *Service) serviceLine(ctx context.Context, q store.Queries, app *store.Application) (docs.Line, error) {
	// The line names the service the catalogue's way, with the
	// application it was ordered by.
	if _, err := q.ServiceGet(ctx, app.Service); err != nil {
		return docs.Line{}, err
	}
	name := s.Catalog.ServiceName(app.Service, "ru")
	if app.Number != "" {
		name += ", заявление № " + app.Number
	}
	return docs.Line{Name: name, Quantity: 1, Unit: "усл.", PriceMinor: deref64(app.AmountMinor)}, nil
}

// InvoiceDocument renders the bank invoice of the application's pending
// or paid invoice payment.
func (s *Service) InvoiceDocument(ctx context.Context, sess *Session) ([]byte, error) {
	app, err := s.provenApplication(ctx, sess)
	if err != nil {
		return nil, err
	}
	q := s.Store.Queries
	p, err := q.PaymentLatest(ctx, app.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.InvoiceNumber == nil) {
		return nil, ErrNoInvoice
	} else if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(app.CertDer)
	if err != nil {
		return nil, err
	}
	line, err := s.serviceLine(ctx, q, &app)
	if err != nil {
		return nil, err
	}
	return docs.RenderInvoice(docs.Invoice{
		Number: *p.InvoiceNumber, Date: p.CreatedAt, Jurisdiction: app.Jurisdiction, Currency: p.Currency,
		Seller: s.seller(app.Jurisdiction), Buyer: buyer(app.Jurisdiction, cert), Lines: []docs.Line{line},
		VATRate: s.Catalog.vat[app.Jurisdiction], VATIncluded: true, DueDays: 5,
		Purpose: fmt.Sprintf("Оплата по счёту № %s за продление сертификата, заявление № %s", *p.InvoiceNumber, app.Number),
	})
}

// ClosingDocument renders the act (both jurisdictions) or the universal
// transfer document (Russia) once the certificate is issued.
func (s *Service) ClosingDocument(ctx context.Context, sess *Session, kind string) ([]byte, error) {
	app, err := s.provenApplication(ctx, sess)
	if err != nil {
		return nil, err
	}
	q := s.Store.Queries
	issued, err := s.issuedCert(ctx, q, &app)
	if err != nil {
		return nil, err
	}
	p, err := q.PaymentLatest(ctx, app.ID)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(app.CertDer)
	if err != nil {
		return nil, err
	}
	line, err := s.serviceLine(ctx, q, &app)
	if err != nil {
		return nil, err
	}
	basis := "Публичный договор, заявление № " + app.Number
	if p.InvoiceNumber != nil {
		basis = fmt.Sprintf("Счёт № %s от %s", *p.InvoiceNumber, dates.Numeric(p.CreatedAt, app.Jurisdiction))
	}
	number := deref(app.ActNumber)
	if number == "" {
		return nil, ErrNoDocument // issued before act numbers existed and not numbered by the migration
	}
	if kind == "upd" {
		number = "У" + strings.TrimPrefix(number, "A") // the same closing document's number, in the УПД's letter
	}
	c := docs.Closing{
		Number: number, Date: issued.NotBefore, Jurisdiction: app.Jurisdiction, Currency: p.Currency,
		Seller: s.seller(app.Jurisdiction), Buyer: buyer(app.Jurisdiction, cert), Lines: []docs.Line{line},
		VATRate: s.Catalog.vat[app.Jurisdiction], VATIncluded: true, Basis: basis, Certificate: issued.SerialNumber.Text(16),
	}
	if kind == "upd" {
		if app.Jurisdiction != "RU" {
			return nil, ErrNoDocument
		}
		return docs.RenderUPD(c)
	}
	return docs.RenderAct(c)
}
