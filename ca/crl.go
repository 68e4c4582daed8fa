package ca

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math/big"
	"sync"
	"time"

	"renewal/ca/x509sig"
)

// crlCache serialises, within one process, the only CRL a request may
// cause: the first one of a fresh database, or one replacing an expired
// CRL when the refresh job is not running. Every other CRL is signed by
// the job or by a revocation; requests serve the stored one.
type crlCache struct {
	mu sync.Mutex
}

// revokedDigest identifies a list of revocations: a CRL whose digest
// differs from the Store's is out of date.
func revokedDigest(revoked []RevokedEntry) [32]byte {
	h := sha256.New()
	for _, r := range revoked {
		fmt.Fprintf(h, "%x %d %d\n", r.Serial, r.Reason, r.RevokedAt.Unix())
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// CurrentCRL is the CRL to publish now and its thisUpdate: the latest
// stored one, so that every instance serves the same bytes. It signs only
// when none is stored or the latest has expired, once per process however
// many ask at the same moment.
func (a *Authority) CurrentCRL(ctx context.Context) ([]byte, time.Time, error) {
	rec, ok, err := a.store.LatestCRL(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("ca: crl: latest: %w", err)
	}
	if ok && a.now().Before(rec.NextUpdate) {
		return rec.DER, rec.ThisUpdate, nil
	}
	a.crls.mu.Lock()
	defer a.crls.mu.Unlock()
	// Another request of this process may have signed it meanwhile.
	if rec, ok, err = a.store.LatestCRL(ctx); err != nil {
		return nil, time.Time{}, fmt.Errorf("ca: crl: latest: %w", err)
	}
	if ok && a.now().Before(rec.NextUpdate) {
		return rec.DER, rec.ThisUpdate, nil
	}
	if rec, err = a.PublishCRL(ctx); err != nil {
		return nil, time.Time{}, err
	}
	return rec.DER, rec.ThisUpdate, nil
}

// RefreshCRL publishes a new CRL when the revocations differ from those
// the latest lists or it is past half its validity; the refresh job runs
// it. It reports whether it signed.
func (a *Authority) RefreshCRL(ctx context.Context) (bool, error) {
	rec, ok, err := a.store.LatestCRL(ctx)
	if err != nil {
		return false, fmt.Errorf("ca: crl: latest: %w", err)
	}
	if ok {
		revoked, err := a.store.ListRevoked(ctx)
		if err != nil {
			return false, fmt.Errorf("ca: crl: list revoked: %w", err)
		}
		half := rec.ThisUpdate.Add(rec.NextUpdate.Sub(rec.ThisUpdate) / 2)
		if revokedDigest(revoked) == rec.RevokedSHA256 && a.now().Before(half) {
			return false, nil
		}
	}
	if _, err := a.PublishCRL(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// CRL signs and publishes a full CRL now (the operator's `ca crl`).
func (a *Authority) CRL(ctx context.Context) ([]byte, error) {
	rec, err := a.PublishCRL(ctx)
	return rec.DER, err
}

// PublishCRL signs a full CRL of every revoked serial (thisUpdate = now,
// nextUpdate = now + Config.CRLValidity, the next number) and stores it.
func (a *Authority) PublishCRL(ctx context.Context) (CRLRecord, error) {
	rec, err := a.store.PublishCRL(ctx, func(revoked []RevokedEntry, number *big.Int) (CRLRecord, error) {
		return a.signCRL(ctx, revoked, number)
	})
	if err != nil {
		return CRLRecord{}, fmt.Errorf("ca: crl: %w", err)
	}
	return rec, nil
}

func (a *Authority) signCRL(ctx context.Context, revoked []RevokedEntry, number *big.Int) (CRLRecord, error) {
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
	var (
		der []byte
		err error
	)
	if a.gostCA() {
		der, err = x509sig.CreateRevocationList(rand.Reader, tmpl, a.issuer, a.signer)
	} else {
		der, err = x509.CreateRevocationList(rand.Reader, tmpl, a.issuer, a.signer)
	}
	if err != nil {
		return CRLRecord{}, fmt.Errorf("sign: %w", err)
	}
	a.log.InfoContext(ctx, "ca: signed CRL", "number", number.String(), "entries", len(revoked), "next_update", tmpl.NextUpdate)
	return CRLRecord{
		Number: number, ThisUpdate: now, NextUpdate: tmpl.NextUpdate, DER: der, RevokedSHA256: revokedDigest(revoked),
	}, nil
}
