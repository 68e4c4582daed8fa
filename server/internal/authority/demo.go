package authority

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/demo"
	"renewal/ca/x509sig"
)

// DemoSubscriber is what a person trying the service needs to know of a
// demo certificate holder.
type DemoSubscriber struct {
	Scenario string    `json:"scenario"`
	Name     string    `json:"name"`
	State    string    `json:"state"` // current, expired, revoked
	File     string    `json:"file"`  // PKCS#12
	Serial   string    `json:"serial"`
	NotAfter time.Time `json:"not_after"`
}

// Demo is the development authority and its subscribers.
type Demo struct {
	Dir         string
	Password    string
	Subscribers []DemoSubscriber
}

const (
	demoManifest = "subscribers.json"
	demoPassword = "password.txt"
	// demoMinLife: current demo certificates with less left are made anew,
	// so the demo stays inside the renewal window and not past expiry.
	demoMinLife = 48 * time.Hour
)

// EnsureDemo makes (or reuses) the demo authority in dir: a hierarchy with
// file keys and one current certificate per scenario, recorded in the
// store (the revoked one revoked), so renewals work against it.
func EnsureDemo(ctx context.Context, dir string, store ca.Store, publicURL string, now time.Time) (*Demo, error) {
	if d, err := ReadDemo(dir); err == nil && d.fresh(ctx, store, now) {
		return d, nil
	} else if err == nil {
		// Stale: keep the old one for reference and make a new one.
		if err := os.Rename(dir, dir+"-"+now.Format("20060102-150405")); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("demo: %w", err)
	}
	password, err := newPassword()
	if err != nil {
		return nil, err
	}
	res, err := demo.Build(dir, now, demo.Options{
		Password:  password,
		OCSPURL:   publicURL + PathOCSP,
		CRLURL:    publicURL + PathCRL,
		IssuerURL: publicURL + PathIssuer,
		// The root's CRL and certificate, for chain-wide revocation checks.
		RootCRLURL:    publicURL + PathRootCRL,
		RootIssuerURL: publicURL + PathRoot,
	})
	if err != nil {
		return nil, err
	}
	d := &Demo{Dir: dir, Password: password}
	for _, s := range res.Subscribers {
		err := store.RecordIssued(ctx, ca.Issued{
			Serial: s.Serial, DER: s.Cert.Raw, SPKISHA256: sha256.Sum256(s.Cert.RawSubjectPublicKeyInfo),
			NotBefore: s.Cert.NotBefore, NotAfter: s.Cert.NotAfter, Profile: s.Profile,
		})
		if err != nil {
			return nil, fmt.Errorf("demo: record %s: %w", s.Scenario, err)
		}
		d.Subscribers = append(d.Subscribers, DemoSubscriber{
			Scenario: s.Scenario, Name: s.Name, State: s.State, File: s.File,
			Serial: s.Serial.Text(16), NotAfter: s.NotAfter,
		})
	}
	if res.RevokeSerial != nil {
		if err := store.Revoke(ctx, res.RevokeSerial, ca.ReasonKeyCompromise, now.Add(-24*time.Hour)); err != nil {
			return nil, fmt.Errorf("demo: revoke: %w", err)
		}
	}
	if err := d.write(); err != nil {
		return nil, err
	}
	return d, nil
}

// fresh: every current demo certificate has life left and is not revoked
// (a demo renewal revokes the one it replaced: the next start makes new
// ones, so the demo can be tried again).
func (d *Demo) fresh(ctx context.Context, store ca.Store, now time.Time) bool {
	// A demo made before the issuing CA named the root's CRL, or before
	// the demo authority became GOST R 34.10-2012, is made anew.
	iss, err := readCert(filepath.Join(d.Dir, IssuingFile))
	if err != nil || len(iss.CRLDistributionPoints) == 0 {
		return false
	}
	if pub, err := x509sig.PublicKeyOf(iss); err != nil {
		return false
	} else if _, gost := pub.(*gost3410.PublicKey); !gost {
		return false
	}
	for _, s := range d.Subscribers {
		if s.State != "current" {
			continue
		}
		if s.NotAfter.Sub(now) < demoMinLife {
			return false
		}
		if serial, ok := new(big.Int).SetString(s.Serial, 16); ok {
			if info, err := store.Revocation(ctx, serial); err != nil || info.Revoked {
				return false
			}
		}
	}
	return len(d.Subscribers) > 0
}

func (d *Demo) write() error {
	b, err := json.MarshalIndent(d.Subscribers, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d.Dir, demoPassword), []byte(d.Password+"\n"), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.Dir, demoManifest), b, 0o644)
}

// ReadDemo reads the demo made in dir (its manifest and password).
func ReadDemo(dir string) (*Demo, error) {
	b, err := os.ReadFile(filepath.Join(dir, demoManifest))
	if err != nil {
		return nil, err
	}
	d := &Demo{Dir: dir}
	if err := json.Unmarshal(b, &d.Subscribers); err != nil {
		return nil, err
	}
	p, err := os.ReadFile(filepath.Join(dir, demoPassword))
	if err != nil {
		return nil, err
	}
	d.Password = strings.TrimSpace(string(p))
	return d, nil
}

// Describe is the line the server prints at start, above the guide to
// the demo people (server/guide.go).
func (d *Demo) Describe() string {
	return fmt.Sprintf("Demo subscribers: PKCS#12 files in %s, password of every file: %s\n", d.Dir, d.Password)
}

// newPassword is 10 random base32 letters: easy to type, 50 bits.
func newPassword() (string, error) {
	b := make([]byte, 7)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b)[:10]), nil
}

// SerialOf parses a serial as the operator types it: hex, with or
// without colons or a 0x prefix.
func SerialOf(s string) (*big.Int, error) {
	clean := strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")))
	n, ok := new(big.Int).SetString(clean, 16)
	if !ok || n.Sign() <= 0 {
		return nil, fmt.Errorf("%q is not a serial number (hexadecimal)", s)
	}
	return n, nil
}
