// Package authority assembles the certification authority for the server
// and its commands: certificates and the file key from CA_DIR or the
// issuing key on a PKCS#11 token, the jurisdiction profiles, the store,
// and the URLs written into every certificate. The signing itself is
// package ca's.
package authority

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"renewal/ca"
	"renewal/ca/profile"
	"renewal/ca/revcheck"
	"renewal/ca/signer"
	"renewal/server/internal/config"
)

// Files of CA_DIR. `ca init` and the development demo write the same
// layout, so one loader serves both.
const (
	RootFile       = "root.pem"
	IssuingFile    = "issuing.pem"
	RootKeyFile    = "root.key"
	IssuingKeyFile = "issuing.key"
	// TrustedFile optionally lists more trusted issuers of CURRENT
	// certificates (e.g. the CA that issued them before this service).
	TrustedFile = "trusted.pem"
	// RootCRLFile is the root's own CRL, signed with the root key at
	// `ca init` (and whenever the key is at hand and it ages).
	RootCRLFile = "root.crl"
)

// Paths of the authority's endpoints, below the public URL.
const (
	PathCRL    = "/ca/crl"
	PathOCSP   = "/ca/ocsp"
	PathIssuer = "/ca/issuer.crt"
	PathRoot   = "/ca/root.crt"
	// PathRootCRL is the root's CRL, named in the issuing CA certificate.
	PathRootCRL = "/ca/root.crl"
)

// ErrNotInitialised: CA_DIR holds no authority yet.
var ErrNotInitialised = errors.New("the certification authority is not initialised: run `renewal-server ca init` (or start with --dev for a demo authority)")

// Loaded is the authority and what the server also serves about it.
type Loaded struct {
	*ca.Authority
	Root *x509.Certificate
	// RootCRL is the root's CRL (DER), nil when there is none to serve.
	RootCRL  []byte
	Profiles *profile.Set
	closer   func() error
}

// Close releases the signer (a PKCS#11 session).
func (l *Loaded) Close() error {
	if l.closer != nil {
		return l.closer()
	}
	return nil
}

// Load opens the authority in cfg.CADir. publicURL is the base of the
// CRL, OCSP and issuer URLs.
func Load(cfg *config.Config, store ca.Store, publicURL string, log *slog.Logger, now func() time.Time) (*Loaded, error) {
	dir := cfg.CADir
	issuing, err := readCert(filepath.Join(dir, IssuingFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotInitialised
	}
	if err != nil {
		return nil, err
	}
	root, err := readCert(filepath.Join(dir, RootFile))
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	rootCRL, err := ensureRootCRL(dir, root, now(), log)
	if err != nil {
		return nil, err
	}
	if len(issuing.CRLDistributionPoints) == 0 {
		log.Warn("the issuing CA certificate names no CRL distribution point (made before they were written): relying parties that check the whole chain cannot find the root's CRL", "serve", PathRootCRL)
	}
	key, closer, err := openIssuingKey(cfg)
	if err != nil {
		return nil, err
	}
	profiles, err := profile.Load(cfg.ProfilesFile)
	if err != nil {
		closeQuietly(closer)
		return nil, fmt.Errorf("profiles: %w", err)
	}
	roots := []*x509.Certificate{root}
	if b, err := os.ReadFile(filepath.Join(dir, TrustedFile)); err == nil {
		extra, err := ca.ParsePEM(b)
		if err != nil {
			closeQuietly(closer)
			return nil, fmt.Errorf("%s: %w", TrustedFile, err)
		}
		roots = append(roots, extra...)
	}
	a, err := ca.New(ca.Config{
		Issuer:    issuing,
		Chain:     nil, // the issuing CA sits directly under the root
		Roots:     roots,
		Signer:    key,
		Profiles:  profiles,
		Store:     store,
		Now:       now,
		OCSPURL:   publicURL + PathOCSP,
		CRLURL:    publicURL + PathCRL,
		IssuerURL: publicURL + PathIssuer,
		Logger:    log,
		// Certificates of the issuers in trusted.pem: their OCSP and CRLs.
		Foreign: revcheck.New(revcheck.Config{Logger: log}),
	})
	if err != nil {
		closeQuietly(closer)
		return nil, err
	}
	return &Loaded{Authority: a, Root: root, RootCRL: rootCRL, Profiles: profiles, closer: closer}, nil
}

// openIssuingKey opens the issuing key: on the token when a PKCS#11
// module is configured, else the file beside the certificates.
func openIssuingKey(cfg *config.Config) (signer.Signer, func() error, error) {
	if cfg.PKCS11.Module != "" {
		k, err := signer.OpenPKCS11(pkcs11Config(cfg))
		if err != nil {
			return nil, nil, fmt.Errorf("issuing key on the token: %w", err)
		}
		return k, k.Close, nil
	}
	k, err := signer.LoadFile(filepath.Join(cfg.CADir, IssuingKeyFile))
	if err != nil {
		return nil, nil, fmt.Errorf("issuing key: %w", err)
	}
	return k, nil, nil
}

func pkcs11Config(cfg *config.Config) signer.PKCS11Config {
	return signer.PKCS11Config{
		Module: cfg.PKCS11.Module, TokenLabel: cfg.PKCS11.Token, PIN: cfg.PKCS11.PIN, KeyLabel: cfg.PKCS11.Key,
	}
}

func readCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := ca.ParsePEM(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(certs) != 1 {
		return nil, fmt.Errorf("%s: want one certificate, found %d", path, len(certs))
	}
	return certs[0], nil
}

func closeQuietly(f func() error) {
	if f != nil {
		_ = f()
	}
}
