package ca

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/profile"
	"renewal/ca/x509sig"
)

// renewal is what the validators look at and fill in, one per Renew call.
type renewal struct {
	now    time.Time
	prof   *profile.Profile
	tariff profile.Tariff
	req    RenewalRequest
	csr    *x509.CertificateRequest
	// gost is the CSR's key when it is GOST R 34.10-2012 (crypto/x509
	// leaves csr.PublicKey nil for it), parsed and validated by x509sig.
	gost    *gost3410.PublicKey
	spkiSum [32]byte
	// issuer is the current certificate's issuer in the verified chain,
	// set by checkCurrentChain: revocation is asked of that issuer.
	issuer *x509.Certificate
}

// validator is one named check of the fixed pipeline.
type validator struct {
	name  string
	check func(ctx context.Context, a *Authority, r *renewal) error
}

// The renewal pipeline: the current certificate first (is this person
// entitled to renew?), then the request for the new certificate. The order is
// fixed; each step returns a sentinel *Error.
var pipeline = append(slices.Clone(currentChecks), requestChecks...)

// currentChecks: is the holder of this certificate entitled to renew
// remotely now? The workflow runs them alone when the person proves the
// certificate, long before any CSR exists.
var currentChecks = []validator{
	{"current-validity", checkCurrentValidity},
	{"current-chain", checkCurrentChain},
	{"current-revocation", checkCurrentRevocation},
	{"renewal-window", checkRenewalWindow},
	{"remote-chain", checkRemoteChain},
	{"renewal-rate", checkRenewalRate},
}

// checkRenewalRate: one possession of a key is not a licence to renew
// again and again: a lineage renews at most the profile's number of times
// in 365 days.
func checkRenewalRate(ctx context.Context, a *Authority, r *renewal) error {
	since := r.now.AddDate(-1, 0, 0)
	n, err := a.store.LineageRenewals(ctx, r.req.Current.SerialNumber, since)
	if err != nil {
		return fmt.Errorf("ca: renewals of %x: %w", r.req.Current.SerialNumber, err)
	}
	if max := r.prof.MaxRenewalsPerYear(); n >= max {
		return ErrRenewalLimit.with(fmt.Sprintf("%d renewals of this lineage since %s, at most %d", n, since.UTC().Format(time.RFC3339), max), nil)
	}
	return nil
}

// requestChecks: is the request for the new certificate acceptable?
var requestChecks = []validator{
	{"csr-parse", parseCSR},
	{"csr-algorithm", checkCSRAlgorithm},
	{"csr-key", checkCSRKey},
	{"csr-signature", checkCSRSignature},
	{"csr-key-reuse", checkKeyReuse},
	{"csr-subject", checkCSRSubject},
}

// CheckCurrent runs the checks of the current certificate alone (validity
// with the profile's grace, chain to a trusted issuer, revocation, renewal
// window, the Russian rule against chained remote renewals) and returns
// the same sentinel errors Renew would.
func (a *Authority) CheckCurrent(ctx context.Context, profileName string, current *x509.Certificate, chain []*x509.Certificate) error {
	if current == nil {
		return ErrBadRequest.with("no current certificate", nil)
	}
	prof, ok := a.profiles.Get(profileName)
	if !ok {
		return ErrBadRequest.with(fmt.Sprintf("unknown profile %q", profileName), nil)
	}
	r := &renewal{now: a.now(), prof: prof, req: RenewalRequest{Profile: profileName, Current: current, CurrentChain: chain}}
	return a.run(ctx, currentChecks, r)
}

// PrefetchRevocation asks another authority about a certificate it
// issued, so that the checks made afterwards inside a database transaction
// find the answer in the client's cache and hold no connection or row lock
// while the network answers. It returns nothing: a failure is met again,
// and refused, by the check itself.
func (a *Authority) PrefetchRevocation(ctx context.Context, cert *x509.Certificate, chain []*x509.Certificate) {
	if cert == nil || a.foreign == nil {
		return
	}
	r := &renewal{now: a.now(), req: RenewalRequest{Current: cert, CurrentChain: chain}}
	if checkCurrentChain(ctx, a, r) != nil || a.issuedByUs(r.issuer) {
		return
	}
	_, _ = a.foreign.Status(ctx, cert, r.issuer, r.now)
}

// signerChecks: may this certificate sign for its holder now? A head's
// confirmation needs a valid, trusted, unrevoked certificate, not one that
// could itself be renewed: no grace, no renewal window, no rule on how it
// was issued.
var signerChecks = []validator{
	{"signer-validity", checkSignerValidity},
	{"signer-chain", checkCurrentChain},
	{"signer-revocation", checkCurrentRevocation},
}

// CheckSigner runs signerChecks on a certificate that signs for its holder
// (a head's confirmation), with the same sentinel errors as CheckCurrent.
func (a *Authority) CheckSigner(ctx context.Context, cert *x509.Certificate, chain []*x509.Certificate) error {
	if cert == nil {
		return ErrBadRequest.with("no certificate", nil)
	}
	r := &renewal{now: a.now(), req: RenewalRequest{Current: cert, CurrentChain: chain}}
	return a.run(ctx, signerChecks, r)
}

// checkSignerValidity: valid now, with no grace after notAfter.
func checkSignerValidity(_ context.Context, _ *Authority, r *renewal) error {
	c := r.req.Current
	switch {
	case r.now.Before(c.NotBefore):
		return ErrCertNotYetValid.with(fmt.Sprintf("notBefore %s, now %s", c.NotBefore.UTC().Format(time.RFC3339), r.now.UTC().Format(time.RFC3339)), nil)
	case r.now.After(c.NotAfter):
		return ErrCertExpired.with(fmt.Sprintf("notAfter %s, now %s", c.NotAfter.UTC().Format(time.RFC3339), r.now.UTC().Format(time.RFC3339)), nil)
	}
	return nil
}

// CheckRequest runs the checks of a certificate request against the
// current certificate (algorithm, key strength, proof of possession, key
// never seen, subject unchanged) without issuing anything: the workflow
// refuses a bad request when it arrives, before anyone pays for it.
func (a *Authority) CheckRequest(ctx context.Context, profileName string, current *x509.Certificate, csrDER []byte) error {
	if current == nil || len(csrDER) == 0 {
		return ErrBadRequest.with("no current certificate or no CSR", nil)
	}
	prof, ok := a.profiles.Get(profileName)
	if !ok {
		return ErrBadRequest.with(fmt.Sprintf("unknown profile %q", profileName), nil)
	}
	r := &renewal{now: a.now(), prof: prof, req: RenewalRequest{Profile: profileName, Current: current, CSR: csrDER}}
	return a.run(ctx, requestChecks, r)
}

func (a *Authority) runPipeline(ctx context.Context, r *renewal) error {
	return a.run(ctx, pipeline, r)
}

func (a *Authority) run(ctx context.Context, steps []validator, r *renewal) error {
	for _, v := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := v.check(ctx, a, r); err != nil {
			a.log.DebugContext(ctx, "ca: renewal refused", "step", v.name, "application", r.req.ApplicationID, "err", err)
			return err
		}
	}
	return nil
}

// ---- the current certificate ----

// checkCurrentValidity: valid now, or expired by no more than the profile's
// grace.
func checkCurrentValidity(_ context.Context, _ *Authority, r *renewal) error {
	c := r.req.Current
	switch {
	case r.now.Before(c.NotBefore):
		return ErrCertNotYetValid.with(fmt.Sprintf("notBefore %s, now %s", c.NotBefore.UTC().Format(time.RFC3339), r.now.UTC().Format(time.RFC3339)), nil)
	case r.now.After(c.NotAfter.Add(r.prof.Grace())):
		return ErrCertExpired.with(fmt.Sprintf("notAfter %s, grace %s, now %s", c.NotAfter.UTC().Format(time.RFC3339), r.prof.Grace(), r.now.UTC().Format(time.RFC3339)), nil)
	}
	return nil
}

// checkCurrentChain: the current certificate chains to a trusted issuer. In
// the grace period after expiry the chain is verified as of notAfter.
func checkCurrentChain(_ context.Context, a *Authority, r *renewal) error {
	at := r.now
	if at.After(r.req.Current.NotAfter) {
		at = r.req.Current.NotAfter
	}
	// The client's chain, and this authority's own issuing CA and chain:
	// a certificate we issued verifies even when the client sends none.
	// Intermediates grant no trust; only Roots do.
	inter := x509.NewCertPool()
	for _, c := range r.req.CurrentChain {
		inter.AddCert(c)
	}
	inter.AddCert(a.issuer)
	for _, c := range a.chain {
		inter.AddCert(c)
	}
	chains, err := r.req.Current.Verify(x509.VerifyOptions{
		Roots:         a.roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil && len(a.rootList) > 0 {
		// crypto/x509 verifies no GOST signature: the same anchors and
		// intermediates through x509sig's strict path validation (name
		// chaining, validity, CA flags, path length, every signature by
		// the table of algorithms, an unknown one refused).
		interList := append(append([]*x509.Certificate{a.issuer}, a.chain...), r.req.CurrentChain...)
		var chain []*x509.Certificate
		if chain, err = x509sig.VerifyChain(r.req.Current, x509sig.ChainOptions{Intermediates: interList, Roots: a.rootList, At: at}); err == nil {
			chains = [][]*x509.Certificate{chain}
		}
	}
	if err != nil {
		return ErrUntrustedChain.with("verify current certificate", err)
	}
	// Every chain starts with the certificate and its signer; a
	// certificate that is itself a trust anchor has no issuer to ask.
	if len(chains) == 0 || len(chains[0]) < 2 {
		return ErrUntrustedChain.with("the current certificate is itself a trust anchor", nil)
	}
	r.issuer = chains[0][1]
	return nil
}

// checkCurrentRevocation asks whoever issued the certificate: this
// authority's Store when the verified issuer is our issuing CA (same name
// and same key: a lookalike with our names is someone else), else the
// client of the other issuer's OCSP and CRL. Serials are unique only per
// issuer, so a foreign serial never reaches our Store.
func checkCurrentRevocation(ctx context.Context, a *Authority, r *renewal) error {
	serial := r.req.Current.SerialNumber
	var info RevocationInfo
	switch {
	case r.issuer == nil:
		// The chain check runs first; without it there is no issuer.
		return ErrRevocationUnavailable.with(fmt.Sprintf("serial %x: issuer unknown", serial), nil)
	case a.issuedByUs(r.issuer):
		var err error
		if info, err = a.store.Revocation(ctx, serial); err != nil {
			return fmt.Errorf("ca: revocation status of %x: %w", serial, err)
		}
	case a.foreign == nil:
		return ErrRevocationUnavailable.with(fmt.Sprintf("serial %x of %q: no revocation client for other issuers", serial, r.issuer.Subject), nil)
	default:
		var err error
		if info, err = a.foreign.Status(ctx, r.req.Current, r.issuer, r.now); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				return err // the caller gave up: not the issuer's fault
			}
			if errors.Is(err, ErrRevocationUncheckable) {
				// Never checkable: no use trying later.
				return ErrRevocationUncheckable.with(fmt.Sprintf("serial %x of %q", serial, r.issuer.Subject), err)
			}
			return ErrRevocationUnavailable.with(fmt.Sprintf("serial %x of %q", serial, r.issuer.Subject), err)
		}
	}
	if info.Revoked {
		return ErrCertRevoked.with(fmt.Sprintf("serial %x of %q revoked at %s, reason %d", serial, r.issuer.Subject, info.RevokedAt.UTC().Format(time.RFC3339), info.Reason), nil)
	}
	return nil
}

// issuedByUs: issuer is this authority's issuing CA, by name and key.
func (a *Authority) issuedByUs(issuer *x509.Certificate) bool {
	return bytes.Equal(issuer.RawSubject, a.issuer.RawSubject) &&
		bytes.Equal(issuer.RawSubjectPublicKeyInfo, a.issuer.RawSubjectPublicKeyInfo)
}

// checkRenewalWindow: renewal opens the profile's window before notAfter.
func checkRenewalWindow(_ context.Context, _ *Authority, r *renewal) error {
	opens := r.req.Current.NotAfter.Add(-r.prof.RenewalWindow())
	if r.now.Before(opens) {
		return ErrOutsideWindow.with(fmt.Sprintf("renewal opens %s", opens.UTC().Format(time.RFC3339)), nil)
	}
	return nil
}

// checkRemoteChain: in Russia a certificate issued remotely
// (IdentificationKind = 1) cannot be renewed remotely again.
func checkRemoteChain(_ context.Context, _ *Authority, r *renewal) error {
	if !r.prof.RefuseRemoteChain() {
		return nil
	}
	for _, e := range r.req.Current.Extensions {
		if !e.Id.Equal(profile.OIDIdentificationKind) {
			continue
		}
		var kind int
		if rest, err := asn1.Unmarshal(e.Value, &kind); err != nil || len(rest) != 0 {
			// Unreadable: we cannot prove it was issued in person.
			return ErrRemoteChain.with("IdentificationKind unreadable", err)
		}
		if kind == 1 {
			return ErrRemoteChain.with("current certificate has IdentificationKind 1", nil)
		}
	}
	return nil
}

// ---- the request for the new certificate ----

func parseCSR(_ context.Context, _ *Authority, r *renewal) error {
	csr, err := x509.ParseCertificateRequest(r.req.CSR)
	if err != nil {
		return ErrBadCSR.with("parse CSR", err)
	}
	r.csr = csr
	r.spkiSum = sha256.Sum256(csr.RawSubjectPublicKeyInfo)
	if csr.PublicKeyAlgorithm != x509.UnknownPublicKeyAlgorithm {
		return nil
	}
	// crypto/x509 does not know GOST: our parser does, and refuses a
	// point off its curve, outside the subgroup, or an unknown set.
	spkiAlg, err := spkiAlgorithm(csr.RawSubjectPublicKeyInfo)
	if err != nil {
		return ErrBadCSR.with("CSR public key", err)
	}
	if !spkiAlg.Equal(gost3410.OIDPublicKey256) && !spkiAlg.Equal(gost3410.OIDPublicKey512) {
		return nil // refused by checkCSRAlgorithm
	}
	pub, err := x509sig.ParsePublicKey(csr.RawSubjectPublicKeyInfo)
	switch {
	case err == nil:
	case errors.Is(err, gost3410.ErrOffCurve), errors.Is(err, gost3410.ErrNotInSubgroup):
		return ErrWeakKey.with("GOST R 34.10-2012 public key", err)
	case errors.Is(err, gost3410.ErrUnknownParamSet), errors.Is(err, gost3410.ErrParamSetSize), errors.Is(err, gost3410.ErrDigestParam):
		return ErrUnsupportedAlgorithm.with("GOST R 34.10-2012 parameters", err)
	default:
		return ErrBadCSR.with("GOST R 34.10-2012 public key", err)
	}
	k, ok := pub.(*gost3410.PublicKey)
	if !ok {
		return ErrUnsupportedAlgorithm.with(fmt.Sprintf("public key %T", pub), nil)
	}
	r.gost = k
	sum, err := gostSPKISum(k)
	if err != nil {
		return err
	}
	r.spkiSum = sum
	return nil
}

// gostSPKISum is the identity of a GOST key for the reuse check: the
// SHA-256 of its SPKI written again on the TC26 curve it lies on, so the
// same point spelt with a CryptoPro OID, or with or without a digest
// parameter, is the same key. An unknown set is refused here.
func gostSPKISum(k *gost3410.PublicKey) ([32]byte, error) {
	name, curve, ok := profile.GOSTKey(k)
	if !ok {
		return [32]byte{}, ErrUnsupportedAlgorithm.with(fmt.Sprintf("GOST R 34.10-2012 parameter set %s (%s)", k.Curve().Name(), k.Curve().OID()), nil)
	}
	x, y := k.Coordinates()
	c, err := gost3410.NewPublicKey(curve, x, y)
	if err != nil {
		return [32]byte{}, ErrWeakKey.with(name, err)
	}
	der, err := gost3410.MarshalPKIXPublicKey(c)
	if err != nil {
		return [32]byte{}, fmt.Errorf("ca: marshal %s key: %w", name, err)
	}
	return sha256.Sum256(der), nil
}

// spkiAlgorithm is the algorithm OID of a DER SubjectPublicKeyInfo.
func spkiAlgorithm(spki []byte) (asn1.ObjectIdentifier, error) {
	var v struct {
		Algorithm struct {
			OID    asn1.ObjectIdentifier
			Params asn1.RawValue `asn1:"optional"`
		}
		Key asn1.BitString
	}
	if rest, err := asn1.Unmarshal(spki, &v); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("SubjectPublicKeyInfo unreadable: %v", err)
	}
	return v.Algorithm.OID, nil
}

// csrSignatureAlgorithm is the signatureAlgorithm OID of a DER CSR.
func csrSignatureAlgorithm(der []byte) (asn1.ObjectIdentifier, error) {
	var v struct {
		Info      asn1.RawValue
		Algorithm struct {
			OID    asn1.ObjectIdentifier
			Params asn1.RawValue `asn1:"optional"`
		}
		Signature asn1.BitString
	}
	if rest, err := asn1.Unmarshal(der, &v); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("CSR unreadable: %v", err)
	}
	return v.Algorithm.OID, nil
}

var allowedSignatureAlgorithms = map[x509.SignatureAlgorithm]bool{
	x509.ECDSAWithSHA256:  true,
	x509.ECDSAWithSHA384:  true,
	x509.ECDSAWithSHA512:  true,
	x509.SHA256WithRSA:    true,
	x509.SHA384WithRSA:    true,
	x509.SHA512WithRSA:    true,
	x509.SHA256WithRSAPSS: true,
	x509.SHA384WithRSAPSS: true,
	x509.SHA512WithRSAPSS: true,
}

// checkCSRAlgorithm refuses any key or signature algorithm outside the
// supported set. An algorithm Go cannot verify (GOST, for one) lands here
// and is refused: it is never passed through unverified.
func checkCSRAlgorithm(_ context.Context, _ *Authority, r *renewal) error {
	if r.gost != nil {
		// GOST R 34.10-2012 with the Streebog of the key's size: a
		// 256-bit key signing "with 512" (or the reverse) is refused.
		want := gost3410.OIDSignatureWith256
		if r.gost.Curve().Size() == 64 {
			want = gost3410.OIDSignatureWith512
		}
		got, err := csrSignatureAlgorithm(r.req.CSR)
		if err != nil {
			return ErrBadCSR.with("CSR signature algorithm", err)
		}
		if !got.Equal(want) {
			return ErrUnsupportedAlgorithm.with(fmt.Sprintf("signature algorithm %s with a %d-bit GOST key, want %s", got, 8*r.gost.Curve().Size(), want), nil)
		}
		return nil
	}
	switch r.csr.PublicKeyAlgorithm {
	case x509.ECDSA, x509.RSA:
	default:
		return ErrUnsupportedAlgorithm.with(fmt.Sprintf("public key algorithm %s", r.csr.PublicKeyAlgorithm), nil)
	}
	if !allowedSignatureAlgorithms[r.csr.SignatureAlgorithm] {
		return ErrUnsupportedAlgorithm.with(fmt.Sprintf("signature algorithm %s", r.csr.SignatureAlgorithm), nil)
	}
	return nil
}

// checkCSRKey: ECDSA P-256 or P-384; RSA 2048..4096 bits with e = 65537.
func checkCSRKey(_ context.Context, _ *Authority, r *renewal) error {
	if r.gost != nil {
		// On the curve and in the subgroup: checked by the parser
		// (parseCSR); the set: in the table (gostSPKISum).
		if name := keyAlgorithm(r.gost); !r.prof.KeyAllowed(name) {
			return ErrKeyNotAllowed.with(fmt.Sprintf("%s; profile %s takes %v", name, r.prof.Name(), r.prof.KeyAlgorithms()), nil)
		}
		return nil
	}
	switch k := r.csr.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return ErrWeakKey.with(fmt.Sprintf("ECDSA curve %s", k.Curve.Params().Name), nil)
		}
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < 2048 || bits > 4096 {
			return ErrWeakKey.with(fmt.Sprintf("RSA %d bits", bits), nil)
		}
		if k.E != 65537 {
			return ErrWeakKey.with(fmt.Sprintf("RSA exponent %d", k.E), nil)
		}
	default:
		return ErrUnsupportedAlgorithm.with(fmt.Sprintf("public key %T", r.csr.PublicKey), nil)
	}
	// Strong is not enough: the profile names the keys it takes.
	if alg := keyAlgorithm(r.csr.PublicKey); !r.prof.KeyAllowed(alg) {
		return ErrKeyNotAllowed.with(fmt.Sprintf("%s; profile %s takes %v", alg, r.prof.Name(), r.prof.KeyAlgorithms()), nil)
	}
	return nil
}

// keyAlgorithm names a public key as profiles do (key_algorithms):
// "ecdsa-p256", "rsa-2048"...; "" for a key of another kind.
func keyAlgorithm(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return "ecdsa-p" + strings.TrimPrefix(k.Curve.Params().Name, "P-")
	case *rsa.PublicKey:
		return fmt.Sprintf("rsa-%d", k.N.BitLen())
	case *gost3410.PublicKey:
		name, _, _ := profile.GOSTKey(k)
		return name
	}
	return ""
}

// newKey is the CSR's public key: the GOST one x509sig parsed, else the
// one crypto/x509 did.
func (r *renewal) newKey() crypto.PublicKey {
	if r.gost != nil {
		return r.gost
	}
	return r.csr.PublicKey
}

// checkCSRSignature is the proof of possession of the new key.
func checkCSRSignature(_ context.Context, _ *Authority, r *renewal) error {
	if r.gost != nil {
		// crypto/x509 cannot verify GOST: x509sig does (Streebog of the
		// key's size, r and s in range, parameters as RFC 9215 allows).
		if _, _, err := x509sig.ParseCertificateRequest(r.req.CSR); err != nil {
			if errors.Is(err, x509sig.ErrUnknownAlgorithm) || errors.Is(err, x509sig.ErrAlgorithmParams) || errors.Is(err, x509sig.ErrKeyMismatch) {
				return ErrUnsupportedAlgorithm.with("CSR signature", err)
			}
			return ErrBadSignature.with("CSR signature", err)
		}
		return nil
	}
	if err := r.csr.CheckSignature(); err != nil {
		var insecure x509.InsecureAlgorithmError
		if errors.As(err, &insecure) {
			return ErrUnsupportedAlgorithm.with("CSR signature", err)
		}
		return ErrBadSignature.with("CSR signature", err)
	}
	return nil
}

// checkKeyReuse: not the current certificate's key, nor any key the
// authority ever certified.
func checkKeyReuse(ctx context.Context, a *Authority, r *renewal) error {
	if bytes.Equal(r.csr.RawSubjectPublicKeyInfo, r.req.Current.RawSubjectPublicKeyInfo) {
		return ErrKeyReused.with("CSR key is the current certificate's key", nil)
	}
	if r.gost != nil {
		// The same GOST point may be spelt otherwise: compare identities.
		if cur, err := x509sig.ParsePublicKey(r.req.Current.RawSubjectPublicKeyInfo); err == nil {
			if k, ok := cur.(*gost3410.PublicKey); ok {
				if sum, err := gostSPKISum(k); err == nil && sum == r.spkiSum {
					return ErrKeyReused.with("CSR key is the current certificate's key", nil)
				}
			}
		}
	}
	seen, err := a.store.KeySeen(ctx, r.spkiSum)
	if err != nil {
		return fmt.Errorf("ca: key seen: %w", err)
	}
	if seen {
		return ErrKeyReused.with(fmt.Sprintf("SPKI SHA-256 %x already certified", r.spkiSum), nil)
	}
	return nil
}

// checkCSRSubject: an empty CSR subject means "the same subject"; any other
// must equal the current certificate's subject attribute by attribute (types
// and values, not the string encoding: a browser may write UTF8String where
// the old certificate has PrintableString).
func checkCSRSubject(_ context.Context, _ *Authority, r *renewal) error {
	csrAttrs, err := profile.ParseName(r.csr.RawSubject)
	if err != nil {
		return ErrBadCSR.with("CSR subject", err)
	}
	if len(csrAttrs) == 0 {
		return nil
	}
	curAttrs, err := profile.ParseName(r.req.Current.RawSubject)
	if err != nil {
		return ErrSubjectChanged.with("current subject unreadable", err)
	}
	a, b := comparableName(csrAttrs), comparableName(curAttrs)
	if len(a) != len(b) {
		return ErrSubjectChanged.with(fmt.Sprintf("%d attributes in the CSR, %d in the current certificate", len(a), len(b)), nil)
	}
	for i := range a {
		if a[i] != b[i] {
			return ErrSubjectChanged.with(fmt.Sprintf("CSR has %q where the current certificate has %q", a[i], b[i]), nil)
		}
	}
	return nil
}

// comparableName flattens a name to "rdn|oid=value" strings; attributes of a
// multi-valued RDN are sorted, since a SET has no order.
func comparableName(attrs []profile.NameAttribute) []string {
	out := make([]string, 0, len(attrs))
	start := 0
	for i := range attrs {
		out = append(out, fmt.Sprintf("%d|%s=%s", attrs[i].RDN, attrs[i].OID, attrs[i].Value))
		if i == len(attrs)-1 || attrs[i+1].RDN != attrs[i].RDN {
			sort.Strings(out[start:])
			start = len(out)
		}
	}
	return out
}
