// Package ca is the certification authority as a library: it renews
// qualified electronic-signature certificates (same subject, new key), and
// signs CRLs and OCSP responses. It imports no HTTP server and no SQL: what it
// persists goes through Store.
//
// A renewal runs one fixed pipeline: check the current certificate → check
// the CSR → prepare the template from the profile → lint (zlint and our RU/BY
// lints on the to-be-signed certificate) → record intent → sign → verify what
// was signed → record the result.
package ca

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/url"
	"slices"
	"time"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/lint"
	"renewal/ca/profile"
	"renewal/ca/signer"
	"renewal/ca/x509sig"
)

// Config of an Authority.
type Config struct {
	// Issuer is the issuing CA certificate; Signer holds its private key.
	Issuer *x509.Certificate
	// Chain: intermediates above Issuer up to, excluding, the root.
	Chain []*x509.Certificate
	// Roots are the trusted issuers of CURRENT certificates. A list, not
	// a CertPool: chains crypto/x509 cannot verify (GOST, bign) go to
	// x509sig.VerifyChain, which needs the anchors themselves.
	Roots []*x509.Certificate
	// Signer is the issuing key (file or PKCS#11); never in the Store.
	Signer   signer.Signer
	Profiles *profile.Set
	Store    Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OCSPURL and CRLURL are written into every certificate; IssuerURL
	// (AIA caIssuers) too when set.
	OCSPURL, CRLURL, IssuerURL string
	// CRLValidity is nextUpdate - thisUpdate of a CRL (default 24h).
	CRLValidity time.Duration
	// OCSPValidity is nextUpdate - thisUpdate of an OCSP response (default 4h).
	OCSPValidity time.Duration
	// Logger for audit lines; nil means slog.Default().
	Logger *slog.Logger
	// Foreign answers the revocation status of certificates that other
	// trusted issuers (Roots other than ours) issued: package revcheck's
	// OCSP and CRL client. Nil: such certificates are refused with
	// ErrRevocationUnavailable (fail closed).
	Foreign ForeignRevocation
}

// ForeignRevocation tells the revocation status of a certificate another
// authority issued, by that issuer and the serial: never by serial alone.
type ForeignRevocation interface {
	// Status returns the status of cert, issued by issuer, as of now. An
	// error means no fresh, verified answer could be had.
	Status(ctx context.Context, cert, issuer *x509.Certificate, now time.Time) (RevocationInfo, error)
}

// Authority issues renewals, CRLs and OCSP responses. It is safe for
// concurrent use.
type Authority struct {
	issuer       *x509.Certificate
	chain        []*x509.Certificate
	roots        *x509.CertPool
	rootList     []*x509.Certificate
	signer       signer.Signer
	profiles     *profile.Set
	store        Store
	now          func() time.Time
	ocspURL      string
	crlURL       string
	issuerURL    string
	crlValidity  time.Duration
	ocspValidity time.Duration
	log          *slog.Logger
	linter       *lint.Linter
	crls         *crlCache  // shared by WithStore's copies
	resp         *responder // the OCSP responder, shared likewise
	foreign      ForeignRevocation
}

// New checks the configuration and builds an Authority.
func New(cfg Config) (*Authority, error) {
	switch {
	case cfg.Issuer == nil:
		return nil, errors.New("ca: config: Issuer is required")
	case cfg.Signer == nil:
		return nil, errors.New("ca: config: Signer is required")
	case cfg.Profiles == nil:
		return nil, errors.New("ca: config: Profiles are required")
	case cfg.Store == nil:
		return nil, errors.New("ca: config: Store is required")
	case len(cfg.Roots) == 0:
		return nil, errors.New("ca: config: Roots (trusted issuers of current certificates) are required")
	case !cfg.Issuer.IsCA || cfg.Issuer.KeyUsage&x509.KeyUsageCertSign == 0:
		return nil, errors.New("ca: config: Issuer is not a CA certificate with keyCertSign")
	case cfg.Issuer.KeyUsage&x509.KeyUsageCRLSign == 0:
		return nil, errors.New("ca: config: Issuer lacks cRLSign")
	case len(cfg.Issuer.SubjectKeyId) == 0:
		return nil, errors.New("ca: config: Issuer has no subject key identifier")
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	// x509sig.PublicKeyOf: crypto/x509's key, or the GOST one it leaves nil.
	issuerPub, err := x509sig.PublicKeyOf(cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("ca: config: Issuer's public key: %w", err)
	}
	if pub, ok := cfg.Signer.Public().(equaler); !ok || !pub.Equal(issuerPub) {
		return nil, errors.New("ca: config: Signer's public key does not match the Issuer certificate")
	}
	for name, u := range map[string]string{"OCSPURL": cfg.OCSPURL, "CRLURL": cfg.CRLURL} {
		if u == "" {
			return nil, fmt.Errorf("ca: config: %s is required", name)
		}
	}
	for name, u := range map[string]string{"OCSPURL": cfg.OCSPURL, "CRLURL": cfg.CRLURL, "IssuerURL": cfg.IssuerURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("ca: config: %s %q is not an absolute http(s) URL", name, u)
		}
	}
	a := &Authority{
		issuer:       cfg.Issuer,
		chain:        cfg.Chain,
		roots:        certPool(cfg.Roots),
		rootList:     slices.Clone(cfg.Roots),
		signer:       cfg.Signer,
		profiles:     cfg.Profiles,
		store:        cfg.Store,
		now:          cfg.Now,
		ocspURL:      cfg.OCSPURL,
		crlURL:       cfg.CRLURL,
		issuerURL:    cfg.IssuerURL,
		crlValidity:  cfg.CRLValidity,
		crls:         &crlCache{},
		resp:         &responder{},
		ocspValidity: cfg.OCSPValidity,
		log:          cfg.Logger,
		foreign:      cfg.Foreign,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.crlValidity <= 0 {
		a.crlValidity = 24 * time.Hour
	}
	if a.ocspValidity <= 0 {
		a.ocspValidity = 4 * time.Hour
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.linter, err = lint.NewLinter(cfg.Issuer); err != nil {
		return nil, err
	}
	return a, nil
}

// Issuer returns the issuing CA certificate.
func (a *Authority) Issuer() *x509.Certificate { return a.issuer }

// WithStore is the authority persisting through st: a caller inside a
// database transaction binds it to that transaction, so the key check,
// the intent and the record of the certificate see the caller's own
// snapshot and commit or roll back with it.
func (a *Authority) WithStore(st Store) *Authority {
	b := *a
	b.store = st
	return &b
}

// Chain returns the issuing certificate followed by the configured
// intermediates: what a subscriber installs with its certificate.
func (a *Authority) Chain() []*x509.Certificate {
	return append([]*x509.Certificate{a.issuer}, a.chain...)
}

// RenewalRequest is one renewal: the person proved possession of Current
// (the server checked the signature over its challenge) and sends a CSR for
// a new key.
type RenewalRequest struct {
	Profile      string
	Tariff       string
	Current      *x509.Certificate
	CurrentChain []*x509.Certificate // intermediates the person presented
	CSR          []byte              // DER PKCS#10
	// ApplicationID links the certificate to the server's application.
	ApplicationID string
	// Token is the single-use issuance token (paid → issue exactly once).
	Token string
	// Carrier of the new key, as the wizard said (profile.Carriers): it
	// chooses the subjectSignTool text among the profile's. "" is
	// profile.CarrierRequest; anything else is refused.
	Carrier string
}

// Renew issues the new certificate of a renewal, or returns a sentinel
// *Error (ErrKeyReused, ErrSubjectChanged, ...) and issues nothing.
func (a *Authority) Renew(ctx context.Context, req RenewalRequest) (*Issued, error) {
	r, err := a.newRenewal(req)
	if err != nil {
		return nil, err
	}
	if err := a.runPipeline(ctx, r); err != nil {
		return nil, err
	}
	tmpl, err := a.prepare(r)
	if err != nil {
		return nil, err
	}
	if err := checkValidity(r, tmpl, a.now()); err != nil {
		a.log.ErrorContext(ctx, "ca: validity refused before signing", "application", r.req.ApplicationID, "err", err)
		return nil, err
	}
	return a.issue(ctx, r, tmpl)
}

// validitySkew is how far the clock at the check may differ from the one
// the template was prepared with (the same clock, read again);
// validityBackdate is how far before now a notBefore may lie.
const (
	validitySkew     = time.Second
	validityBackdate = time.Minute
)

// checkValidity refuses, before the lint and the signature, a template
// whose validity the profile does not allow: longer than the profile's
// validity plus the days it may carry over, ending before it starts,
// starting more than validityBackdate before now or after now. now is the
// authority's clock read at the check: a clock stepped while the request
// was prepared refuses instead of signing a wrong validity.
func checkValidity(r *renewal, tmpl *x509.Certificate, now time.Time) error {
	nb, na := tmpl.NotBefore, tmpl.NotAfter
	max := r.prof.Validity()
	if carry, capDur := r.prof.CarryRemaining(); carry {
		max += capDur
	}
	switch {
	case !na.After(nb):
		return ErrValidity.with(fmt.Sprintf("notAfter %s is not after notBefore %s", na.UTC().Format(time.RFC3339), nb.UTC().Format(time.RFC3339)), nil)
	case na.Sub(nb) > max:
		return ErrValidity.with(fmt.Sprintf("validity %s over the profile's maximum %s", na.Sub(nb), max), nil)
	case nb.Before(now.Add(-validityBackdate - validitySkew)):
		return ErrValidity.with(fmt.Sprintf("notBefore %s backdated from %s", nb.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)), nil)
	case nb.After(now.Add(validitySkew)):
		return ErrValidity.with(fmt.Sprintf("notBefore %s in the future of %s", nb.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)), nil)
	}
	return nil
}

func (a *Authority) newRenewal(req RenewalRequest) (*renewal, error) {
	switch {
	case req.Current == nil:
		return nil, ErrBadRequest.with("no current certificate", nil)
	case len(req.CSR) == 0:
		return nil, ErrBadRequest.with("no CSR", nil)
	case req.ApplicationID == "":
		return nil, ErrBadRequest.with("no application id", nil)
	case req.Token == "":
		return nil, ErrBadRequest.with("no issuance token", nil)
	case req.Carrier != "" && !slices.Contains(profile.Carriers, req.Carrier):
		return nil, ErrBadRequest.with(fmt.Sprintf("unknown key carrier %q", req.Carrier), nil)
	}
	prof, ok := a.profiles.Get(req.Profile)
	if !ok {
		return nil, ErrBadRequest.with(fmt.Sprintf("unknown profile %q", req.Profile), nil)
	}
	tariff, ok := prof.Tariff(req.Tariff)
	if !ok {
		return nil, ErrBadRequest.with(fmt.Sprintf("unknown tariff %q for profile %q", req.Tariff, req.Profile), nil)
	}
	return &renewal{now: a.now(), prof: prof, tariff: tariff, req: req}, nil
}

// prepare builds the template: the current certificate's subject (the source
// of truth, never the CSR's), the new key, a fresh serial, the profile's
// validity (plus carried-over days, capped), extensions.
func (a *Authority) prepare(r *renewal) (*x509.Certificate, error) {
	serial, err := NewSerial()
	if err != nil {
		return nil, err
	}
	notBefore := r.now.UTC().Truncate(time.Second)
	validity := r.prof.Validity()
	if carry, capDur := r.prof.CarryRemaining(); carry {
		if left := r.req.Current.NotAfter.Sub(r.now); left > 0 {
			validity += min(left, capDur)
		}
	}
	notAfter := notBefore.Add(validity).Truncate(time.Second)
	if notAfter.After(a.issuer.NotAfter) {
		a.log.Warn("ca: validity clamped to the issuer's notAfter",
			"application", r.req.ApplicationID, "wanted", notAfter, "issuer_not_after", a.issuer.NotAfter)
		notAfter = a.issuer.NotAfter.UTC()
	}
	identKind := 0
	if ru := r.prof.RU(); ru != nil {
		identKind = ru.IdentificationKind
	}
	return LeafTemplate(TemplateParams{
		Profile:            r.prof,
		Tariff:             r.tariff,
		RawSubject:         r.req.Current.RawSubject,
		PublicKey:          r.newKey(),
		Serial:             serial,
		NotBefore:          notBefore,
		NotAfter:           notAfter,
		IdentificationKind: identKind,
		Carrier:            r.req.Carrier,
		OCSPURL:            a.ocspURL,
		CRLURL:             a.crlURL,
		IssuerURL:          a.issuerURL,
	})
}

// issue lints, records the intent, signs, verifies and records the result.
func (a *Authority) issue(ctx context.Context, r *renewal, tmpl *x509.Certificate) (*Issued, error) {
	lintDER, findings, err := a.linter.Check(tmpl, r.newKey(), r.prof)
	if err != nil {
		if errors.Is(err, lint.ErrFindings) {
			e := ErrLint.with(fmt.Sprintf("%d finding(s)", len(findings)), err)
			e.Findings = findings
			a.log.ErrorContext(ctx, "ca: lint refused issuance", "application", r.req.ApplicationID, "profile", r.prof.Name(), "findings", len(findings), "first", findings[0].String())
			return nil, e
		}
		return nil, fmt.Errorf("ca: lint: %w", err)
	}
	linted, err := x509.ParseCertificate(lintDER)
	if err != nil {
		return nil, fmt.Errorf("ca: parse linted certificate: %w", err)
	}
	tbsSum := sha256.Sum256(linted.RawTBSCertificate)

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	intent := Intent{
		Serial:        tmpl.SerialNumber,
		TBSSHA256:     tbsSum,
		SPKISHA256:    r.spkiSum,
		ApplicationID: r.req.ApplicationID,
		Token:         r.req.Token,
		Profile:       r.prof.Name(),
		CreatedAt:     r.now,
	}
	if err := a.store.RecordIntent(ctx, intent); err != nil {
		if errors.Is(err, ErrTokenUsed) || errors.Is(err, ErrKeyReused) {
			return nil, err
		}
		return nil, fmt.Errorf("ca: record intent: %w", err)
	}

	serialHex := fmt.Sprintf("%x", tmpl.SerialNumber)
	a.log.InfoContext(ctx, "ca: signing certificate", "serial", serialHex, "application", r.req.ApplicationID,
		"profile", r.prof.Name(), "tariff", r.tariff.Code, "replaces", fmt.Sprintf("%x", r.req.Current.SerialNumber),
		"tbs_sha256", fmt.Sprintf("%x", tbsSum))
	der, err := a.sign(tmpl, r.newKey())
	if err != nil {
		a.log.ErrorContext(ctx, "ca: signing failed", "serial", serialHex, "application", r.req.ApplicationID, "err", err)
		return nil, fmt.Errorf("ca: sign: %w", err)
	}
	cert, err := a.verifySigned(der, tbsSum)
	if err != nil {
		a.log.ErrorContext(ctx, "ca: signed certificate failed verification", "serial", serialHex, "application", r.req.ApplicationID, "err", err)
		return nil, err
	}
	a.log.InfoContext(ctx, "ca: signed certificate", "serial", serialHex, "application", r.req.ApplicationID,
		"not_before", cert.NotBefore, "not_after", cert.NotAfter)

	issued := Issued{
		Serial:        cert.SerialNumber,
		DER:           der,
		SPKISHA256:    r.spkiSum,
		NotBefore:     cert.NotBefore,
		NotAfter:      cert.NotAfter,
		ApplicationID: r.req.ApplicationID,
		Profile:       r.prof.Name(),
		Tariff:        r.tariff.Code,
		Replaces:      new(big.Int).Set(r.req.Current.SerialNumber),
	}
	if err := a.store.RecordIssued(ctx, issued); err != nil {
		// The certificate exists and the intent is recorded: the operator
		// reconciles from the audit line; do not hand out an unrecorded one.
		a.log.ErrorContext(ctx, "ca: record issued failed", "serial", serialHex, "application", r.req.ApplicationID, "err", err)
		return nil, fmt.Errorf("ca: record issued %s: %w", serialHex, err)
	}
	// Its OCSP answer exists from the start; if this fails, the first
	// request or the refresh job makes it.
	if _, _, err := a.presignOCSP(ctx, cert.SerialNumber); err != nil {
		a.log.WarnContext(ctx, "ca: pre-signing OCSP failed", "serial", serialHex, "err", err)
	}
	return &issued, nil
}

// gostCA: the issuing key is GOST R 34.10-2012, so certificates, CRLs and
// OCSP responses are signed and verified by x509sig.
func (a *Authority) gostCA() bool {
	_, ok := a.signer.Public().(*gost3410.PublicKey)
	return ok
}

// checkSignatureFrom verifies that the issuing CA signed cert: x509sig
// for a GOST CA (the algorithm inside and outside, no parameters, the
// Streebog of the key's size), crypto/x509 otherwise, as before.
func (a *Authority) checkSignatureFrom(cert *x509.Certificate) error {
	if a.gostCA() {
		return x509sig.CheckSignatureFrom(cert, a.issuer)
	}
	return cert.CheckSignatureFrom(a.issuer)
}

// sign signs tmpl for pub with the issuing key: crypto/x509 for ECDSA and
// RSA, as before; x509sig when the subject's key is GOST R 34.10-2012
// (crypto/x509 cannot encode it).
func (a *Authority) sign(tmpl *x509.Certificate, pub crypto.PublicKey) ([]byte, error) {
	return CreateCertificate(tmpl, a.issuer, pub, a.signer)
}

// CreateCertificate signs tmpl for pub with s, parent's key: x509sig when
// the subject's or the signer's key is GOST R 34.10-2012 (crypto/x509 can
// encode neither), else crypto/x509 as before. The demo uses it too.
func CreateCertificate(tmpl, parent *x509.Certificate, pub crypto.PublicKey, s crypto.Signer) ([]byte, error) {
	_, gostKey := pub.(*gost3410.PublicKey)
	_, gostSigner := s.Public().(*gost3410.PublicKey)
	if gostKey || gostSigner {
		return x509sig.CreateCertificate(rand.Reader, tmpl, parent, pub, s)
	}
	return x509.CreateCertificate(rand.Reader, tmpl, parent, pub, s)
}

// checkSignature verifies that parent signed cert: x509sig for a GOST
// parent, crypto/x509 otherwise.
func checkSignature(cert, parent *x509.Certificate) error {
	if parent.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
		return x509sig.CheckSignatureFrom(cert, parent)
	}
	return cert.CheckSignatureFrom(parent)
}

// verifySigned checks the real signature and that the signed TBS is the
// linted one, byte for byte.
func (a *Authority) verifySigned(der []byte, tbsSum [32]byte) (*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("ca: parse signed certificate: %w", err)
	}
	if err := a.checkSignatureFrom(cert); err != nil {
		return nil, fmt.Errorf("ca: signature of the issued certificate: %w", err)
	}
	if got := sha256.Sum256(cert.RawTBSCertificate); !bytes.Equal(got[:], tbsSum[:]) {
		return nil, errors.New("ca: the signed TBSCertificate differs from the linted one")
	}
	return cert, nil
}

func certPool(certs []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// Revoke records a revocation of a certificate the authority issued.
func (a *Authority) Revoke(ctx context.Context, serial *big.Int, reason int) error {
	if serial == nil || serial.Sign() <= 0 {
		return ErrBadRequest.with("serial must be positive", nil)
	}
	switch reason {
	case ReasonUnspecified, ReasonKeyCompromise, ReasonCACompromise, ReasonAffiliationChanged,
		ReasonSuperseded, ReasonCessationOfOperation, ReasonCertificateHold, ReasonPrivilegeWithdrawn, ReasonAACompromise:
	default:
		return ErrBadRequest.with(fmt.Sprintf("revocation reason %d is not allowed", reason), nil)
	}
	issued, err := a.store.Issued(ctx, serial)
	if err != nil {
		return fmt.Errorf("ca: revoke: %w", err)
	}
	if !issued {
		return ErrBadRequest.with(fmt.Sprintf("serial %x was not issued by this authority", serial), nil)
	}
	at := a.now().UTC().Truncate(time.Second)
	if err := a.store.Revoke(ctx, serial, reason, at); err != nil {
		return fmt.Errorf("ca: revoke %x: %w", serial, err)
	}
	a.log.InfoContext(ctx, "ca: revoked", "serial", fmt.Sprintf("%x", serial), "reason", reason, "at", at)
	// The CRL lists it at once. In the caller's transaction the two commit
	// together; on its own, the refresh job publishes it if this fails.
	// OCSP needs nothing here: a stored response that no longer states the
	// serial's status is never served.
	if _, err := a.PublishCRL(ctx); err != nil {
		return fmt.Errorf("ca: revoked %x, CRL not published: %w", serial, err)
	}
	return nil
}
