package ca

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/ocsp"
)

// ErrOCSPRateLimited: answering needs a response signed for this request
// alone (a nonce, a CertID hash other than SHA-1, a serial never issued)
// and the client may have no more of those for now.
var ErrOCSPRateLimited = errors.New("ca: ocsp: too many fresh responses for this client")

// OCSP answers a DER OCSP request. A request with a SHA-1 CertID and no
// nonce (what most relying parties send) gets the pre-signed response of
// the serial. Anything else gets a response signed for it by the
// responder, if mayLive allows (nil: always); a nonce over the limit is
// answered by the pre-signed response without it (RFC 8954 allows that),
// the rest with ErrOCSPRateLimited. A malformed request gets the
// malformedRequest response and a request about another issuer the
// unauthorized one; other errors are internal (the Store), which the
// server maps to tryLater. The issuing key never signs here.
func (a *Authority) OCSP(ctx context.Context, requestDER []byte, mayLive func() bool) ([]byte, error) {
	req, err := ocsp.ParseRequest(requestDER)
	if err != nil {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	if !a.forThisIssuer(req) {
		return ocsp.UnauthorizedErrorResponse, nil
	}
	may := func() bool { return mayLive == nil || mayLive() }
	nonce := requestNonce(requestDER)
	live := nonce != nil && may()
	if req.HashAlgorithm == crypto.SHA1 && !live {
		der, ok, err := a.storedOCSP(ctx, req.SerialNumber)
		if err != nil {
			return nil, err
		}
		if ok {
			return der, nil
		}
	}
	if !live && !may() {
		return nil, ErrOCSPRateLimited
	}
	ans, _, err := a.ocspAnswer(ctx, req.SerialNumber)
	if err != nil {
		return nil, err
	}
	ans.hash, ans.nonce = req.HashAlgorithm, nonce
	r, err := a.currentResponder()
	if err != nil {
		return nil, err
	}
	ans.within(r)
	return a.buildOCSPResponse(r, ans)
}

// storedOCSP is the pre-signed response of serial: the stored one while
// it is fresh and states the serial's revocation status as it is now,
// else one signed and stored now. ok is false for a serial never issued.
func (a *Authority) storedOCSP(ctx context.Context, serial *big.Int) ([]byte, bool, error) {
	rec, revokedNow, ok, err := a.store.OCSPResponse(ctx, serial)
	if err != nil {
		return nil, false, fmt.Errorf("ca: ocsp: stored response: %w", err)
	}
	if ok && rec.Revoked == revokedNow && a.now().Before(rec.NextUpdate) {
		return rec.DER, true, nil
	}
	rec, ok, err = a.presignOCSP(ctx, serial)
	return rec.DER, ok, err
}

// presignOCSP signs and stores the response of serial that requests
// without a nonce get (SHA-1 CertID). ok is false for a serial never
// issued, of which nothing is stored.
func (a *Authority) presignOCSP(ctx context.Context, serial *big.Int) (OCSPRecord, bool, error) {
	ans, issued, err := a.ocspAnswer(ctx, serial)
	if err != nil || !issued {
		return OCSPRecord{}, false, err
	}
	ans.hash = crypto.SHA1
	r, err := a.currentResponder()
	if err != nil {
		return OCSPRecord{}, false, err
	}
	ans.within(r)
	der, err := a.buildOCSPResponse(r, ans)
	if err != nil {
		return OCSPRecord{}, false, err
	}
	rec := OCSPRecord{Serial: serial, DER: der, ThisUpdate: ans.thisUpdate, NextUpdate: ans.nextUpdate, Revoked: ans.status == ocsp.Revoked}
	if err := a.store.PutOCSPResponse(ctx, rec); err != nil {
		return OCSPRecord{}, false, fmt.Errorf("ca: ocsp: store response: %w", err)
	}
	return rec, true, nil
}

// RefreshOCSP re-signs, at most limit of them, the stored responses of
// valid certificates that are missing, past half their validity, or
// whose serial was revoked since; the refresh job runs it. It returns how
// many it signed.
func (a *Authority) RefreshOCSP(ctx context.Context, limit int) (int, error) {
	now := a.now()
	serials, err := a.store.OCSPStale(ctx, now, now.Add(a.ocspValidity/2), limit)
	if err != nil {
		return 0, fmt.Errorf("ca: ocsp: stale responses: %w", err)
	}
	for i, s := range serials {
		if _, _, err := a.presignOCSP(ctx, s); err != nil {
			return i, err
		}
	}
	return len(serials), nil
}

// ocspAnswer is the status of serial now: good, revoked, or unknown for a
// serial never issued (issued false).
func (a *Authority) ocspAnswer(ctx context.Context, serial *big.Int) (ocspAnswer, bool, error) {
	now := a.now().UTC().Truncate(time.Second)
	ans := ocspAnswer{serial: serial, status: ocsp.Unknown, thisUpdate: now, nextUpdate: now.Add(a.ocspValidity)}
	issued, err := a.store.Issued(ctx, serial)
	if err != nil {
		return ans, false, fmt.Errorf("ca: ocsp: issued: %w", err)
	}
	if !issued {
		return ans, false, nil
	}
	info, err := a.store.Revocation(ctx, serial)
	if err != nil {
		return ans, false, fmt.Errorf("ca: ocsp: revocation: %w", err)
	}
	ans.status = ocsp.Good
	if info.Revoked {
		ans.status, ans.revokedAt, ans.reason = ocsp.Revoked, info.RevokedAt, info.Reason
	}
	return ans, true, nil
}

// forThisIssuer compares the request's issuer name and key hashes with ours.
func (a *Authority) forThisIssuer(req *ocsp.Request) bool {
	if _, ok := hashOIDs[req.HashAlgorithm]; !ok {
		return false
	}
	nameHash, keyHash, err := a.issuerHashes(req.HashAlgorithm)
	if err != nil {
		return false
	}
	return bytes.Equal(nameHash, req.IssuerNameHash) && bytes.Equal(keyHash, req.IssuerKeyHash)
}
