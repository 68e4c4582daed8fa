package revcheck

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"renewal/ca"
	"renewal/ca/x509sig"
)

// crlIndex is a verified CRL reduced to what a lookup needs.
type crlIndex struct {
	revoked map[string]ca.RevocationInfo // by serial (hex)
	// expiredKeptFrom is the CRL's expiredCertsOnCRL: revoked
	// certificates with a notAfter from then on stay listed after they
	// expire. Zero: the issuer may drop them (RFC 5280 §3.3).
	expiredKeptFrom time.Time
}

// status of cert as of now. A certificate not listed is good, unless it
// has expired and the issuer may have dropped it from the list since.
func (x *crlIndex) status(cert *x509.Certificate, now time.Time) (ca.RevocationInfo, error) {
	if info, ok := x.revoked[serialKey(cert.SerialNumber)]; ok {
		return info, nil
	}
	if now.After(cert.NotAfter) && (x.expiredKeptFrom.IsZero() || cert.NotAfter.Before(x.expiredKeptFrom)) {
		return ca.RevocationInfo{}, errors.New("the certificate has expired and a CRL may leave out expired certificates")
	}
	return ca.RevocationInfo{}, nil
}

// crl returns the verified, fresh CRL of issuer at u: from the cache until
// its nextUpdate, else fetched.
func (c *Client) crl(ctx context.Context, u string, issuer *x509.Certificate, now time.Time) (*crlIndex, error) {
	k := crlKey{url: u, issuer: sha256.Sum256(append(slices.Clone(issuer.RawSubject), issuer.RawSubjectPublicKeyInfo...))}
	c.mu.Lock()
	e, ok := c.crls[k]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.v, nil
	}
	der, err := c.fetch(ctx, http.MethodGet, u, "", nil, c.cfg.MaxCRLBytes)
	if err != nil {
		return nil, err
	}
	rl, err := c.verifyCRL(der, u, issuer, now)
	if err != nil {
		return nil, err
	}
	idx := &crlIndex{revoked: make(map[string]ca.RevocationInfo, len(rl.RevokedCertificateEntries))}
	for _, e := range rl.Extensions {
		if e.Id.Equal(oidExpiredCertsOnCRL) {
			if rest, err := asn1.Unmarshal(e.Value, &idx.expiredKeptFrom); err != nil || len(rest) != 0 {
				return nil, fmt.Errorf("CRL expiredCertsOnCRL unreadable: %v", err)
			}
		}
	}
	for _, r := range rl.RevokedCertificateEntries {
		idx.revoked[serialKey(r.SerialNumber)] = ca.RevocationInfo{Revoked: true, Reason: r.ReasonCode, RevokedAt: r.RevocationTime}
	}
	c.mu.Lock()
	put(c.crls, k, cached[*crlIndex]{idx, rl.NextUpdate}, c.cfg.MaxCRLs, now)
	c.mu.Unlock()
	return idx, nil
}

var (
	oidIssuingDistributionPoint = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidAuthorityKeyID           = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidCRLNumber                = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidReasonCode               = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidInvalidityDate           = asn1.ObjectIdentifier{2, 5, 29, 24}
	oidExpiredCertsOnCRL        = asn1.ObjectIdentifier{2, 5, 29, 60}
)

// verifyCRL accepts a complete CRL of issuer: signed by it, naming it as
// its issuer, fresh, with no critical extension we cannot honour (RFC
// 5280 §5.2: such a CRL must not be used), and, when it says which
// distribution point it covers, covering u.
func (c *Client) verifyCRL(der []byte, u string, issuer *x509.Certificate, now time.Time) (*x509.RevocationList, error) {
	rl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("parse CRL: %w", err)
	}
	if !bytes.Equal(rl.RawIssuer, issuer.RawSubject) {
		return nil, fmt.Errorf("CRL issuer %q is not %q", rl.Issuer, issuer.Subject)
	}
	// x509sig: the issuer's keyUsage and the signature, GOST included.
	if err := x509sig.CheckRevocationListSignature(rl, issuer); err != nil {
		return nil, fmt.Errorf("CRL not signed by the issuer: %w", err)
	}
	if rl.ThisUpdate.After(now.Add(c.cfg.Leeway)) {
		return nil, fmt.Errorf("CRL thisUpdate %s is in the future", rl.ThisUpdate.UTC().Format(time.RFC3339))
	}
	if rl.NextUpdate.IsZero() || !now.Before(rl.NextUpdate) {
		return nil, fmt.Errorf("stale CRL: nextUpdate %s", rl.NextUpdate.UTC().Format(time.RFC3339))
	}
	for _, e := range rl.Extensions {
		switch {
		case e.Id.Equal(oidIssuingDistributionPoint):
			if err := coversURL(e.Value, u); err != nil {
				return nil, err
			}
		case e.Critical && !e.Id.Equal(oidAuthorityKeyID) && !e.Id.Equal(oidCRLNumber):
			// A delta CRL indicator among others.
			return nil, fmt.Errorf("CRL has critical extension %s", e.Id)
		}
	}
	for _, r := range rl.RevokedCertificateEntries {
		for _, e := range r.Extensions {
			if e.Critical && !e.Id.Equal(oidReasonCode) && !e.Id.Equal(oidInvalidityDate) {
				// certificateIssuer: an indirect CRL.
				return nil, fmt.Errorf("CRL entry %x has critical extension %s", r.SerialNumber, e.Id)
			}
		}
	}
	return rl, nil
}

// issuingDistributionPoint is RFC 5280 §5.2.5.
type issuingDistributionPoint struct {
	DistributionPoint          asn1.RawValue  `asn1:"optional,explicit,tag:0"`
	OnlyContainsUserCerts      bool           `asn1:"optional,tag:1"`
	OnlyContainsCACerts        bool           `asn1:"optional,tag:2"`
	OnlySomeReasons            asn1.BitString `asn1:"optional,tag:3"`
	IndirectCRL                bool           `asn1:"optional,tag:4"`
	OnlyContainsAttributeCerts bool           `asn1:"optional,tag:5"`
}

// coversURL: the CRL is complete for end-entity certificates (no reason
// subset, not indirect, not for CAs or attribute certificates only) and,
// if it names its distribution point, u is among its names; a partition
// of the issuer's revocations cannot stand in for another.
func coversURL(v []byte, u string) error {
	var idp issuingDistributionPoint
	if rest, err := asn1.Unmarshal(v, &idp); err != nil || len(rest) != 0 {
		return fmt.Errorf("CRL issuing distribution point unreadable: %v", err)
	}
	switch {
	case idp.OnlyContainsCACerts, idp.OnlyContainsAttributeCerts:
		return errors.New("CRL covers no end-entity certificates")
	case idp.OnlySomeReasons.BitLength > 0:
		return errors.New("CRL covers only some reasons")
	case idp.IndirectCRL:
		return errors.New("indirect CRL")
	}
	if len(idp.DistributionPoint.Bytes) == 0 {
		return nil
	}
	// DistributionPointName: fullName [0] GeneralNames; a URI is [6].
	var name asn1.RawValue
	if _, err := asn1.Unmarshal(idp.DistributionPoint.Bytes, &name); err != nil {
		return fmt.Errorf("CRL distribution point name unreadable: %w", err)
	}
	if name.Class != asn1.ClassContextSpecific || name.Tag != 0 {
		return errors.New("CRL distribution point is named relative to its issuer")
	}
	for rest := name.Bytes; len(rest) > 0; {
		var gn asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
			return fmt.Errorf("CRL distribution point name unreadable: %w", err)
		}
		if gn.Class == asn1.ClassContextSpecific && gn.Tag == 6 && string(gn.Bytes) == u {
			return nil
		}
	}
	return fmt.Errorf("CRL covers another distribution point than %s", u)
}
