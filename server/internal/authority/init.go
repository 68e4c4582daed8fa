package authority

import (
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"renewal/ca"
	"renewal/ca/signer"
	"renewal/server/internal/config"
)

// InitOptions are the choices of `ca init`.
type InitOptions struct {
	Organisation    string
	Country         string
	RootName        string
	IssuingName     string
	Algorithm       signer.Algorithm
	RootValidity    time.Duration
	IssuingValidity time.Duration
	// PublicURL is the base of the root CRL and certificate URLs written
	// into the issuing CA certificate.
	PublicURL string
}

// Init makes a root and an issuing CA in cfg.CADir: the root key in a
// file (it belongs offline after this), the issuing key in a file or,
// with a PKCS#11 module configured, generated on the token. It refuses
// to overwrite an existing authority.
func Init(cfg *config.Config, o InitOptions) (*ca.Hierarchy, error) {
	dir := cfg.CADir
	if _, err := os.Stat(filepath.Join(dir, IssuingFile)); err == nil {
		return nil, fmt.Errorf("an authority already exists in %s: refusing to overwrite it", dir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	issuingKey := func() (signer.Signer, error) {
		return signer.GenerateFile(filepath.Join(dir, IssuingKeyFile), o.Algorithm)
	}
	if cfg.PKCS11.Module != "" {
		issuingKey = func() (signer.Signer, error) { return signer.GeneratePKCS11(pkcs11Config(cfg), o.Algorithm) }
	}
	name := func(cn string) pkix.Name {
		return pkix.Name{CommonName: cn, Organization: []string{o.Organisation}, Country: []string{o.Country}}
	}
	h, err := ca.InitHierarchy(ca.HierarchyConfig{
		RootSubject:     name(o.RootName),
		IssuingSubject:  name(o.IssuingName),
		RootValidity:    o.RootValidity,
		IssuingValidity: o.IssuingValidity,
		RootKey: func() (signer.Signer, error) {
			// The root is ECDSA P-384 as before, or GOST like the
			// issuing key: a GOST chain is GOST throughout.
			rootAlg := signer.ECDSAP384
			if o.Algorithm.IsGOST() {
				rootAlg = o.Algorithm
			}
			return signer.GenerateFile(filepath.Join(dir, RootKeyFile), rootAlg)
		},
		IssuingKey:    issuingKey,
		RootCRLURL:    o.PublicURL + PathRootCRL,
		RootIssuerURL: o.PublicURL + PathRoot,
	})
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, RootFile), ca.EncodePEM(h.Root), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, IssuingFile), ca.EncodePEM(h.Issuing), 0o644); err != nil {
		return nil, err
	}
	if _, err := ensureRootCRL(dir, h.Root, time.Now(), slog.Default()); err != nil {
		return nil, err
	}
	if c, ok := h.IssuingKey.(interface{ Close() error }); ok {
		_ = c.Close()
	}
	return h, nil
}
