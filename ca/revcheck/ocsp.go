package revcheck

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"golang.org/x/crypto/ocsp"

	"renewal/ca"
	"renewal/ca/x509sig"
)

// askOCSP POSTs a request (RFC 6960 appendix A.1) and accepts only a
// verified, fresh answer for this issuer and serial; status unknown is no
// answer (the CRL may still have one). It returns the status and how long
// it may be cached.
func (c *Client) askOCSP(ctx context.Context, u string, cert, issuer *x509.Certificate, now time.Time) (ca.RevocationInfo, time.Time, error) {
	reqDER, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		return ca.RevocationInfo{}, time.Time{}, fmt.Errorf("make request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OCSPTimeout)
	defer cancel()
	der, err := c.fetch(ctx, http.MethodPost, u, "application/ocsp-request", reqDER, c.cfg.MaxOCSPBytes)
	if err != nil {
		return ca.RevocationInfo{}, time.Time{}, err
	}
	resp, err := c.verifyOCSP(der, cert, issuer, now)
	if err != nil {
		return ca.RevocationInfo{}, time.Time{}, err
	}
	until := resp.NextUpdate
	if until.IsZero() {
		// "Newer information is always available": fresh for MaxAge.
		until = resp.ThisUpdate.Add(c.cfg.MaxAge)
		if !now.Before(until) {
			return ca.RevocationInfo{}, time.Time{}, fmt.Errorf("stale: no nextUpdate, thisUpdate %s", resp.ThisUpdate.UTC().Format(time.RFC3339))
		}
	}
	switch resp.Status {
	case ocsp.Good:
		return ca.RevocationInfo{}, until, nil
	case ocsp.Revoked:
		return ca.RevocationInfo{Revoked: true, Reason: resp.RevocationReason, RevokedAt: resp.RevokedAt}, until, nil
	default:
		return ca.RevocationInfo{}, time.Time{}, errors.New("status unknown")
	}
}

// verifyOCSP parses der and checks, in this order: the answer is for
// exactly this certificate (issuer name and key hashes and serial), it is
// signed by the issuer or by a responder the issuer delegated, thisUpdate
// is not in the future and nextUpdate is not past.
func (c *Client) verifyOCSP(der []byte, cert, issuer *x509.Certificate, now time.Time) (*ocsp.Response, error) {
	// x/crypto matches a response by serial alone: find ours by the whole
	// CertID first, and require it to be the only one with this serial,
	// so that the status x/crypto returns is the one we checked.
	ids, err := certIDs(der)
	if err != nil {
		return nil, fmt.Errorf("parse response: %w", err)
	}
	var match *certID
	for i := range ids {
		if ids[i].SerialNumber != nil && ids[i].SerialNumber.Cmp(cert.SerialNumber) == 0 {
			if match != nil {
				return nil, errors.New("two statuses for one serial")
			}
			match = &ids[i]
		}
	}
	if match == nil {
		return nil, fmt.Errorf("no status for serial %x", cert.SerialNumber)
	}
	// The signature first, by x509sig (every algorithm of its table).
	// x/crypto then reads the statuses from the response without its
	// certificates: it would verify an embedded responder certificate
	// itself, with crypto/x509, which knows no GOST.
	if err := c.checkResponder(der, issuer, now); err != nil {
		return nil, err
	}
	bare, err := x509sig.OCSPWithoutCertificates(der)
	if err != nil {
		return nil, fmt.Errorf("parse response: %w", err)
	}
	resp, err := ocsp.ParseResponseForCert(bare, cert, nil)
	if err != nil {
		return nil, fmt.Errorf("parse response: %w", err)
	}
	if err := sameIssuer(match, resp.IssuerHash, cert, issuer); err != nil {
		return nil, err
	}
	if resp.ThisUpdate.After(now.Add(c.cfg.Leeway)) {
		return nil, fmt.Errorf("thisUpdate %s is in the future", resp.ThisUpdate.UTC().Format(time.RFC3339))
	}
	if !resp.NextUpdate.IsZero() && !now.Before(resp.NextUpdate) {
		return nil, fmt.Errorf("stale: nextUpdate %s", resp.NextUpdate.UTC().Format(time.RFC3339))
	}
	return resp, nil
}

// sameIssuer: the CertID's issuer hashes are those of issuer, computed
// with the hash the responder chose (x/crypto computes them for a request).
func sameIssuer(id *certID, h crypto.Hash, cert, issuer *x509.Certificate) error {
	if h == 0 || !h.Available() {
		return errors.New("CertID hash algorithm unknown")
	}
	want, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: h})
	if err != nil {
		return err
	}
	r, err := ocsp.ParseRequest(want)
	if err != nil {
		return err
	}
	if !bytes.Equal(id.NameHash, r.IssuerNameHash) || !bytes.Equal(id.IssuerKeyHash, r.IssuerKeyHash) {
		return fmt.Errorf("the status is for serial %x of another issuer", cert.SerialNumber)
	}
	return nil
}

// checkResponder verifies the response's signature: by the issuer's own
// key, or by the certificate embedded in the response when the issuer
// signed that certificate, for OCSP signing only, valid now. x509sig does
// it for every algorithm of its table (a GOST issuer's responses too);
// x/crypto, which parsed the statuses, verifies ECDSA and RSA only.
func (c *Client) checkResponder(der []byte, issuer *x509.Certificate, now time.Time) error {
	if _, err := x509sig.VerifyOCSPResponse(der, issuer, now); err != nil {
		return fmt.Errorf("the response's signature: %w", err)
	}
	return nil
}

// The ASN.1 of RFC 6960 §4.2.1, as far as needed to read every CertID.
type (
	responseASN1 struct {
		Status   asn1.Enumerated
		Response responseBytes `asn1:"explicit,tag:0,optional"`
	}
	responseBytes struct {
		ResponseType asn1.ObjectIdentifier
		Response     []byte
	}
	basicResponse struct {
		TBSResponseData    responseData
		SignatureAlgorithm pkix.AlgorithmIdentifier
		Signature          asn1.BitString
		Certificates       []asn1.RawValue `asn1:"explicit,tag:0,optional"`
	}
	responseData struct {
		Version            int `asn1:"optional,default:0,explicit,tag:0"`
		RawResponderID     asn1.RawValue
		ProducedAt         time.Time `asn1:"generalized"`
		Responses          []singleResponse
		ResponseExtensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
	}
	singleResponse struct {
		CertID           certID
		Status           asn1.RawValue    // good [0], revoked [1], unknown [2]
		ThisUpdate       time.Time        `asn1:"generalized"`
		NextUpdate       time.Time        `asn1:"generalized,explicit,tag:0,optional"`
		SingleExtensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
	}
	certID struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		NameHash      []byte
		IssuerKeyHash []byte
		SerialNumber  *big.Int
	}
)

var oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}

// certIDs lists the CertIDs of a successful basic OCSP response.
func certIDs(der []byte) ([]certID, error) {
	var r responseASN1
	if rest, err := asn1.Unmarshal(der, &r); err != nil {
		return nil, err
	} else if len(rest) != 0 {
		return nil, errors.New("trailing data")
	}
	if r.Status != 0 {
		return nil, fmt.Errorf("responder status %d (%s)", r.Status, ocsp.ResponseStatus(r.Status))
	}
	if !r.Response.ResponseType.Equal(oidOCSPBasic) {
		return nil, errors.New("not a basic OCSP response")
	}
	var b basicResponse
	if rest, err := asn1.Unmarshal(r.Response.Response, &b); err != nil {
		return nil, err
	} else if len(rest) != 0 {
		return nil, errors.New("trailing data")
	}
	ids := make([]certID, 0, len(b.TBSResponseData.Responses))
	for _, s := range b.TBSResponseData.Responses {
		ids = append(ids, s.CertID)
	}
	return ids, nil
}
