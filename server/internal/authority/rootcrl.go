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
	"renewal/ca/signer"
	"renewal/ca/x509sig"
	"renewal/server/internal/config"
)

// ensureRootCRL returns the root's CRL from dir, signing a new one when
// there is none or less than a quarter of its validity is left and the
// root key is in dir (`ca init`, the demo). Without the key (moved
// offline, as it should be) the stored one is served, with a warning when
// it ages; none at all means /ca/root.crl answers 404. A file that is not
// a CRL signed by the root is an error: serving it would break every
// relying party's chain check.
func ensureRootCRL(dir string, root *x509.Certificate, now time.Time, log *slog.Logger) ([]byte, error) {
	return rootCRL(dir, root, now, log, false)
}

// ResignRootCRL signs the root's CRL in cfg.CADir anew now, keeping what
// it lists (the operator's `ca root-crl`, with the root key brought back
// to CA_DIR). A running server serves the new one from its next start.
func ResignRootCRL(cfg *config.Config, now time.Time) (*x509.RevocationList, error) {
	root, err := readCert(filepath.Join(cfg.CADir, RootFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotInitialised
	} else if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(cfg.CADir, RootKeyFile)); err != nil {
		return nil, fmt.Errorf("the root key is needed to sign its CRL: put it back as %s: %w", filepath.Join(cfg.CADir, RootKeyFile), err)
	}
	der, err := rootCRL(cfg.CADir, root, now, slog.Default(), true)
	if err != nil {
		return nil, err
	}
	return x509.ParseRevocationList(der)
}

func rootCRL(dir string, root *x509.Certificate, now time.Time, log *slog.Logger, force bool) ([]byte, error) {
	path := filepath.Join(dir, RootCRLFile)
	current, err := os.ReadFile(path)
	var entries []x509.RevocationListEntry
	switch {
	case err == nil:
		crl, perr := x509.ParseRevocationList(current)
		if perr != nil {
			return nil, fmt.Errorf("%s: %w", path, perr)
		}
		if err := checkRootCRL(crl, root); err != nil {
			return nil, fmt.Errorf("%s: not signed by the root: %w", path, err)
		}
		if !force && crl.NextUpdate.Sub(now) > ca.RootCRLValidity/4 {
			return current, nil
		}
		for _, e := range crl.RevokedCertificateEntries {
			entries = append(entries, x509.RevocationListEntry{SerialNumber: e.SerialNumber, RevocationTime: e.RevocationTime, ReasonCode: e.ReasonCode})
		}
	case errors.Is(err, fs.ErrNotExist):
		current = nil
	default:
		return nil, err
	}
	key, err := signer.LoadFile(filepath.Join(dir, RootKeyFile))
	if err != nil {
		if current == nil {
			log.Warn("no root CRL and no root key: "+PathRootCRL+" answers 404 until the root signs one", "dir", dir)
		} else {
			log.Warn("the root CRL ages and the root key is not here to sign a new one", "file", path)
		}
		return current, nil
	}
	der, err := ca.SignRootCRL(root, key, entries, now, ca.RootCRLValidity)
	if err != nil {
		return nil, err
	}
	if crl, err := x509.ParseRevocationList(der); err != nil || checkRootCRL(crl, root) != nil {
		return nil, fmt.Errorf("%s: the root key does not match the root certificate", filepath.Join(dir, RootKeyFile))
	}
	tmp := path + ".new"
	if err := os.WriteFile(tmp, der, 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	return der, nil
}

// checkRootCRL verifies the root signed crl: x509sig for a GOST root
// (crypto/x509 cannot), crypto/x509 otherwise.
func checkRootCRL(crl *x509.RevocationList, root *x509.Certificate) error {
	if root.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
		return x509sig.CheckRevocationListSignature(crl, root)
	}
	return crl.CheckSignatureFrom(root)
}
