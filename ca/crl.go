package ca

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"time"
)

// CRL signs a full CRL of every revoked serial: thisUpdate = now,
// nextUpdate = now + Config.CRLValidity, the number from the Store.
func (a *Authority) CRL(ctx context.Context) ([]byte, error) {
	revoked, err := a.store.ListRevoked(ctx)
	if err != nil {
		return nil, fmt.Errorf("ca: crl: list revoked: %w", err)
	}
	number, err := a.store.NextCRLNumber(ctx)
	if err != nil {
		return nil, fmt.Errorf("ca: crl: number: %w", err)
	}
	now := a.now().UTC().Truncate(time.Second)
	tmpl := &x509.RevocationList{
		Number:     number,
		ThisUpdate: now,
		NextUpdate: now.Add(a.crlValidity),
	}
	for _, r := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{
			SerialNumber:   r.Serial,
			RevocationTime: r.RevokedAt.UTC(),
			ReasonCode:     r.Reason,
		})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, a.issuer, a.signer)
	if err != nil {
		return nil, fmt.Errorf("ca: crl: sign: %w", err)
	}
	a.log.InfoContext(ctx, "ca: signed CRL", "number", number.String(), "entries", len(revoked), "next_update", tmpl.NextUpdate)
	return der, nil
}
