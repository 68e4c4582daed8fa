package x509sig

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// ChainOptions are the inputs of VerifyChain.
type ChainOptions struct {
	Intermediates []*x509.Certificate
	Roots         []*x509.Certificate // trust anchors
	At            time.Time           // every certificate must be valid then; required
}

// ErrNoChain is returned when no path from the leaf to a root passes.
var ErrNoChain = errors.New("x509sig: no valid chain to a trusted root")

// maxChainDepth bounds path building (certificates in a chain), and
// maxSignatureChecks the signatures it may check: intermediates can come
// from the party being checked, and many of one name must not make the
// search exponential. Past the budget the answer is a refusal.
const (
	maxChainDepth      = 8
	maxSignatureChecks = 64
)

// VerifyChain finds a chain leaf → intermediates → a root and returns it
// (leaf first, root last). crypto/x509's Verify refuses GOST signatures,
// so this is a minimal strict path validation; per certificate it checks:
//
//   - validity: NotBefore ≤ At ≤ NotAfter, for the root as well;
//   - name chaining: the child's issuer is byte for byte the parent's
//     subject (no RFC 5280 §7.1 normalisation: strict), and where both
//     carry key identifiers, the child's authorityKeyIdentifier is the
//     parent's subjectKeyIdentifier;
//   - the signature by the parent's key, with the algorithm matching it
//     (CheckSignatureFrom: the parent a CA, keyUsage keyCertSign if present;
//     an intermediate must have basicConstraints cA whatever its version);
//   - path length: a parent's pathLenConstraint bounds the number of
//     non-self-issued intermediates below it;
//   - no critical extension that crypto/x509 did not handle, and no CA
//     with name constraints (which this validation does not enforce, so it
//     refuses them rather than ignoring them).
//
// It does not check: certificate policies and policy constraints,
// extendedKeyUsage (the caller checks the leaf's purpose), revocation (the
// caller checks CRL/OCSP), the root's self-signature (a trust anchor is
// trusted as configured, RFC 5280 §6.1). The search is bounded: at most
// maxChainDepth certificates and maxSignatureChecks signatures.
func VerifyChain(leaf *x509.Certificate, opts ChainOptions) ([]*x509.Certificate, error) {
	if leaf == nil {
		return nil, fmt.Errorf("%w: no certificate", ErrMalformed)
	}
	if opts.At.IsZero() {
		return nil, errors.New("x509sig: VerifyChain needs the time to verify at")
	}
	if err := checkCert(leaf, opts.At); err != nil {
		return nil, fmt.Errorf("x509sig: the leaf: %w", err)
	}
	for _, r := range opts.Roots {
		if r != nil && bytes.Equal(r.Raw, leaf.Raw) {
			return []*x509.Certificate{leaf}, nil
		}
	}
	var lastErr error
	budget := maxSignatureChecks
	chain := extend([]*x509.Certificate{leaf}, opts, &lastErr, &budget)
	if chain == nil {
		if lastErr != nil {
			return nil, fmt.Errorf("%w: %v", ErrNoChain, lastErr)
		}
		return nil, ErrNoChain
	}
	return chain, nil
}

// extend tries every candidate issuer of the chain's last certificate,
// depth first; lastErr keeps the most recent reason a candidate failed.
func extend(chain []*x509.Certificate, opts ChainOptions, lastErr *error, budget *int) []*x509.Certificate {
	child := chain[len(chain)-1]
	try := func(parent *x509.Certificate, isRoot bool) []*x509.Certificate {
		if parent == nil || !bytes.Equal(child.RawIssuer, parent.RawSubject) {
			return nil
		}
		if len(child.AuthorityKeyId) > 0 && len(parent.SubjectKeyId) > 0 && !bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId) {
			return nil
		}
		for _, c := range chain {
			if bytes.Equal(c.Raw, parent.Raw) {
				return nil // a loop
			}
		}
		if err := checkCert(parent, opts.At); err != nil {
			*lastErr = fmt.Errorf("%s: %w", parent.Subject, err)
			return nil
		}
		if len(parent.PermittedDNSDomains)+len(parent.ExcludedDNSDomains)+len(parent.PermittedIPRanges)+
			len(parent.ExcludedIPRanges)+len(parent.PermittedEmailAddresses)+len(parent.ExcludedEmailAddresses)+
			len(parent.PermittedURIDomains)+len(parent.ExcludedURIDomains) > 0 {
			*lastErr = fmt.Errorf("%s: name constraints are not supported", parent.Subject)
			return nil
		}
		// RFC 5280 §6.1.4 (k): an intermediate must say it is a CA; a
		// trust anchor is taken as configured (a v1 root passes).
		if !isRoot && !(parent.BasicConstraintsValid && parent.IsCA) {
			*lastErr = fmt.Errorf("%s: %w", parent.Subject, ErrNotCA)
			return nil
		}
		if *budget <= 0 {
			*lastErr = errors.New("too many candidate issuers")
			return nil
		}
		*budget--
		if err := CheckSignatureFrom(child, parent); err != nil {
			*lastErr = fmt.Errorf("%s signed by %s: %w", child.Subject, parent.Subject, err)
			return nil
		}
		if parent.MaxPathLen > 0 || (parent.MaxPathLen == 0 && parent.MaxPathLenZero) {
			below := 0 // non-self-issued intermediates under parent
			for _, c := range chain[1:] {
				if !bytes.Equal(c.RawSubject, c.RawIssuer) {
					below++
				}
			}
			if below > parent.MaxPathLen {
				*lastErr = fmt.Errorf("%s: path length constraint %d exceeded", parent.Subject, parent.MaxPathLen)
				return nil
			}
		}
		next := append(append([]*x509.Certificate(nil), chain...), parent)
		if isRoot {
			return next
		}
		if len(next) >= maxChainDepth {
			*lastErr = errors.New("chain too long")
			return nil
		}
		return extend(next, opts, lastErr, budget)
	}
	for _, r := range opts.Roots {
		if c := try(r, true); c != nil {
			return c
		}
	}
	for _, ic := range opts.Intermediates {
		if c := try(ic, false); c != nil {
			return c
		}
	}
	return nil
}

// checkCert checks what concerns one certificate alone.
func checkCert(c *x509.Certificate, at time.Time) error {
	if at.Before(c.NotBefore) || at.After(c.NotAfter) {
		return fmt.Errorf("not valid at %s (valid %s to %s)", at.UTC().Format(time.RFC3339),
			c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
	}
	if len(c.UnhandledCriticalExtensions) > 0 {
		return fmt.Errorf("unhandled critical extension %s", c.UnhandledCriticalExtensions[0])
	}
	return nil
}
