package renewal

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"renewal/app/dates"
	"strings"

	"renewal/app/wire"
	"renewal/server/internal/docs"
	"renewal/server/internal/store"
)

// IssuedCertificate returns the new certificate (DER) and the issuing
// chain, once issued.
func (s *Service) IssuedCertificate(ctx context.Context, sess *Session) (*x509.Certificate, error) {
	app, err := s.provenApplication(ctx, sess)
	if err != nil {
		return nil, err
	}
	return s.issuedCert(ctx, s.Store.Queries, &app)
}

func (s *Service) issuedCert(ctx context.Context, q store.Queries, app *store.Application) (*x509.Certificate, error) {
	if app.IssuedSerial == nil {
		return nil, ErrNotIssued
	}
	c, err := q.CertificateForApplication(ctx, &app.ID)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(c.Der)
}

// CertificateForm returns the printable form of the new certificate
// (бланк сертификата), the document the holder acknowledges. The
// issuance draws and keeps it (keepForm), so the bytes signed are the
// bytes shown and no call depends on this download having happened.
func (s *Service) CertificateForm(ctx context.Context, sess *Session) ([]byte, error) {
	if err := sess.requireProven(); err != nil {
		return nil, err
	}
	doc, err := s.Store.SignedDocumentGet(ctx, store.SignedDocumentGetParams{ApplicationID: sess.ApplicationID, Kind: "acknowledgement"})
	if err == nil {
		return doc.Content, nil // a read: no lock
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var pdf []byte
	err = s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := lock(ctx, tx, sess.ApplicationID)
		if err != nil {
			return err
		}
		doc, err := s.issuedForm(ctx, tx, app)
		pdf = doc.Content
		return err
	})
	return pdf, err
}

// issuedForm is the kept certificate form of an issued application. One
// issued before the issuance drew it has it drawn here, once.
func (s *Service) issuedForm(ctx context.Context, tx *store.Tx, app *store.Application) (store.SignedDocument, error) {
	get := store.SignedDocumentGetParams{ApplicationID: app.ID, Kind: "acknowledgement"}
	if doc, err := tx.SignedDocumentGet(ctx, get); !errors.Is(err, store.ErrNotFound) {
		return doc, err
	}
	cert, err := s.issuedCert(ctx, tx.Queries, app)
	if err != nil {
		return store.SignedDocument{}, err
	}
	if err := s.keepForm(ctx, tx, app, cert); err != nil {
		return store.SignedDocument{}, err
	}
	return tx.SignedDocumentGet(ctx, get)
}

// keepForm draws the certificate form of cert, newly issued for app, and
// keeps it in tx: the document the holder signs exists as soon as the
// state that asks for its signature does.
func (s *Service) keepForm(ctx context.Context, tx *store.Tx, app *store.Application, cert *x509.Certificate) error {
	pdf, err := s.renderForm(app, cert)
	if err != nil {
		return fmt.Errorf("draw certificate form: %w", err)
	}
	sum := sha256.Sum256(pdf)
	return tx.SignedDocumentUpsert(ctx, store.SignedDocumentUpsertParams{
		ApplicationID: app.ID, Kind: "acknowledgement", Content: pdf, Sha256: sum[:], CreatedAt: s.now(),
	})
}

func (s *Service) renderForm(app *store.Application, cert *x509.Certificate) ([]byte, error) {
	var subject []docs.Field
	for _, n := range cert.Subject.Names {
		if v, ok := n.Value.(string); ok {
			subject = append(subject, docs.Field{Label: attributeLabel(n.Type.String()), Value: v})
		}
	}
	pub := hex.EncodeToString(cert.RawSubjectPublicKeyInfo)
	var policies []string
	for _, p := range cert.PolicyIdentifiers {
		policies = append(policies, s.policyName(app, p.String()))
	}
	return docs.RenderCertificateForm(docs.CertificateForm{
		Number: cert.SerialNumber.Text(16), Date: cert.NotBefore, Jurisdiction: app.Jurisdiction, Centre: s.Centre,
		Subject: subject,
		Certificate: []docs.Field{
			{Label: "Серийный номер", Value: cert.SerialNumber.Text(16)},
			{Label: "Действителен с", Value: dates.DateTime(cert.NotBefore, app.Jurisdiction, "ru")},
			{Label: "Действителен по", Value: dates.DateTime(cert.NotAfter, app.Jurisdiction, "ru")},
			{Label: "Издатель", Value: cert.Issuer.CommonName},
			{Label: "Алгоритм ключа", Value: cert.PublicKeyAlgorithm.String()},
			{Label: "Политики", Value: strings.Join(policies, ", ")},
		},
		PublicKeyHex: pub,
	})
}

// knownPolicies are the certificate policies named by law: the classes of
// the signature tool (приказ ФСБ России № 795).
var knownPolicies = map[string]string{
	"1.2.643.100.113.1": "класс средства ЭП КС1",
	"1.2.643.100.113.2": "класс средства ЭП КС2",
	"1.2.643.100.113.3": "класс средства ЭП КС3",
	"1.2.643.100.113.4": "класс средства ЭП КВ1",
	"1.2.643.100.113.5": "класс средства ЭП КВ2",
	"1.2.643.100.113.6": "класс средства ЭП КА1",
}

// policyName names a certificate policy for people: a class of the law,
// else the profile's or the tariff's name whose policy it is; the
// identifier follows in brackets for whoever checks it.
func (s *Service) policyName(app *store.Application, oid string) string {
	name := knownPolicies[oid]
	if _, prof, ok := s.Catalog.service(app.Service); ok && name == "" {
		for _, p := range prof.Policies() {
			if p.String() == oid {
				name = "политика профиля «" + prof.NameRU() + "»"
			}
		}
		for _, t := range prof.Tariffs() {
			for _, p := range t.Policies {
				if p.String() == oid {
					name = "тариф «" + t.NameRU + "»"
				}
			}
		}
	}
	if name == "" {
		return oid
	}
	return name + " (" + oid + ")"
}

// attributeLabel names subject attributes on the form.
func attributeLabel(oid string) string {
	if l, ok := map[string]string{
		"2.5.4.3": "Фамилия, имя, отчество (CN)", "2.5.4.4": "Фамилия", "2.5.4.42": "Имя и отчество",
		"2.5.4.6": "Страна", "2.5.4.8": "Область", "2.5.4.7": "Населённый пункт", "2.5.4.9": "Адрес",
		"2.5.4.10": "Организация", "2.5.4.11": "Подразделение", "2.5.4.12": "Должность",
		"1.2.840.113549.1.9.1": "Электронная почта", "1.2.643.3.131.1.1": "ИНН", "1.2.643.100.3": "СНИЛС",
		"1.2.643.100.1": "ОГРН", "1.2.643.100.5": "ОГРНИП", "1.2.643.100.4": "ИНН организации",
		"1.2.112.1.2.1.1.1.1.1": "Идентификационный номер", "1.2.112.1.2.1.1.1.1.2": "УНП",
	}[oid]; ok {
		return l
	}
	return oid
}

// Acknowledge takes the holder's signature of the certificate form made
// with the NEW key: it shows the person has the key of the certificate
// and has read it (Шаг 11 of the Russian source).
func (s *Service) Acknowledge(ctx context.Context, sess *Session, in wire.ApplicationSignature) (*wire.Renewal, error) {
	var view *wire.Renewal
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := s.proven(ctx, tx, sess, ActionAcknowledge)
		if err != nil {
			return err
		}
		doc, err := s.issuedForm(ctx, tx, app)
		if err != nil {
			return err
		}
		cert, err := s.issuedCert(ctx, tx.Queries, app)
		if err != nil {
			return err
		}
		if _, err := docs.VerifyDetached(in.Signature, doc.Content, cert); err != nil {
			return ErrAckSignature.With(err)
		}
		now := s.now()
		certSum := sha256.Sum256(cert.Raw)
		if n, err := tx.SignedDocumentSign(ctx, store.SignedDocumentSignParams{
			ApplicationID: app.ID, Kind: "acknowledgement", Signature: in.Signature, SignerSha256: certSum[:], SignedAt: &now,
		}); err != nil {
			return err
		} else if n != 1 {
			return ErrWrongState
		}
		if err := appendAudit(ctx, tx, app.ID, now, "signature:acknowledgement", State(app.State), State(app.State), "holder", map[string]string{
			"document_sha256": fmt.Sprintf("%x", doc.Sha256), "signature_sha256": fmt.Sprintf("%x", sha256.Sum256(in.Signature)),
			"certificate_serial": cert.SerialNumber.Text(16),
		}); err != nil {
			return err
		}
		if err := s.move(ctx, tx, app, EventAcknowledged, "holder", nil); err != nil {
			return err
		}
		if err := s.enqueueSupersede(ctx, tx, app); err != nil {
			return err
		}
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	return view, err
}

// Delivered records that the holder saved the certificate.
func (s *Service) Delivered(ctx context.Context, sess *Session) (*wire.Renewal, error) {
	var view *wire.Renewal
	err := s.Store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		app, err := s.proven(ctx, tx, sess, ActionDeliver)
		if err != nil {
			return err
		}
		if err := s.move(ctx, tx, app, EventDelivered, "holder", nil); err != nil {
			return err
		}
		view, err = s.view(ctx, tx.Queries, app, sess)
		return err
	})
	return view, err
}
