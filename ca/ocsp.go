package ca

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"
)

// OCSP answers a DER OCSP request with a DER response signed directly by the
// issuing key: good, revoked, or unknown for a serial never issued. A
// malformed request gets the malformedRequest response and a request about
// another issuer the unauthorized one; the error is for internal failures
// (the Store), which the server maps to tryLater.
//
// Note: x/crypto/ocsp stamps producedAt from the wall clock, not from
// Config.Now; thisUpdate and nextUpdate follow Config.Now.
func (a *Authority) OCSP(ctx context.Context, requestDER []byte) ([]byte, error) {
	req, err := ocsp.ParseRequest(requestDER)
	if err != nil {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	if !a.forThisIssuer(req) {
		return ocsp.UnauthorizedErrorResponse, nil
	}
	now := a.now().UTC().Truncate(time.Second)
	tmpl := ocsp.Response{
		SerialNumber: req.SerialNumber,
		ThisUpdate:   now,
		NextUpdate:   now.Add(a.ocspValidity),
		IssuerHash:   req.HashAlgorithm,
	}
	issued, err := a.store.Issued(ctx, req.SerialNumber)
	if err != nil {
		return nil, fmt.Errorf("ca: ocsp: issued: %w", err)
	}
	if !issued {
		tmpl.Status = ocsp.Unknown
	} else {
		info, err := a.store.Revocation(ctx, req.SerialNumber)
		if err != nil {
			return nil, fmt.Errorf("ca: ocsp: revocation: %w", err)
		}
		if info.Revoked {
			tmpl.Status = ocsp.Revoked
			tmpl.RevokedAt = info.RevokedAt.UTC()
			tmpl.RevocationReason = info.Reason
		} else {
			tmpl.Status = ocsp.Good
		}
	}
	resp, err := ocsp.CreateResponse(a.issuer, a.issuer, tmpl, a.signer)
	if err != nil {
		return nil, fmt.Errorf("ca: ocsp: sign: %w", err)
	}
	return resp, nil
}

// forThisIssuer compares the request's issuer name and key hashes with ours.
func (a *Authority) forThisIssuer(req *ocsp.Request) bool {
	switch req.HashAlgorithm {
	case crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return false
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(a.issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		return false
	}
	h := req.HashAlgorithm.New()
	h.Write(a.issuer.RawSubject)
	nameHash := h.Sum(nil)
	h.Reset()
	h.Write(spki.PublicKey.RightAlign())
	keyHash := h.Sum(nil)
	return bytes.Equal(nameHash, req.IssuerNameHash) && bytes.Equal(keyHash, req.IssuerKeyHash)
}
