package ca

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"sync"
	"time"
)

// crlCache keeps the last CRL signed: GETs of /ca/crl are served from it
// while the revocations are the same and it is fresh, so nobody can keep
// the issuing key (perhaps on a token) busy by asking.
type crlCache struct {
	mu         sync.Mutex
	der        []byte
	thisUpdate time.Time
	revoked    [32]byte // digest of the revocations it lists
}

// CurrentCRL is the CRL to publish now and its thisUpdate: the last one
// signed while the revocations in the Store are those it lists and it is
// younger than half its validity; else a new one, signed once however
// many ask at the same moment. A revocation made by another instance shows
// at the next request, because the revocations are read each time.
func (a *Authority) CurrentCRL(ctx context.Context) ([]byte, time.Time, error) {
	revoked, err := a.store.ListRevoked(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("ca: crl: list revoked: %w", err)
	}
	h := sha256.New()
	for _, r := range revoked {
		fmt.Fprintf(h, "%x %d %d\n", r.Serial, r.Reason, r.RevokedAt.Unix())
	}
	var digest [32]byte
	h.Sum(digest[:0])
	c := a.crls
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.der != nil && c.revoked == digest && a.now().Before(c.thisUpdate.Add(a.crlValidity/2)) {
		return c.der, c.thisUpdate, nil
	}
	der, thisUpdate, err := a.signCRL(ctx, revoked)
	if err != nil {
		return nil, time.Time{}, err
	}
	c.der, c.thisUpdate, c.revoked = der, thisUpdate, digest
	return der, thisUpdate, nil
}

// CRL signs a full CRL of every revoked serial: thisUpdate = now,
// nextUpdate = now + Config.CRLValidity, the number from the Store.
func (a *Authority) CRL(ctx context.Context) ([]byte, error) {
	revoked, err := a.store.ListRevoked(ctx)
	if err != nil {
		return nil, fmt.Errorf("ca: crl: list revoked: %w", err)
	}
	der, _, err := a.signCRL(ctx, revoked)
	return der, err
}

func (a *Authority) signCRL(ctx context.Context, revoked []RevokedEntry) ([]byte, time.Time, error) {
	number, err := a.store.NextCRLNumber(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("ca: crl: number: %w", err)
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
		return nil, time.Time{}, fmt.Errorf("ca: crl: sign: %w", err)
	}
	a.log.InfoContext(ctx, "ca: signed CRL", "number", number.String(), "entries", len(revoked), "next_update", tmpl.NextUpdate)
	return der, now, nil
}
