//go:build cgo

package signer

import (
	"crypto"
	"errors"
	"fmt"
	"io"

	"github.com/ThalesGroup/crypto11"
)

// PKCS11Config selects a key on a PKCS#11 token. At least one of KeyLabel and
// KeyID identifies the key.
type PKCS11Config struct {
	Module     string // path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so
	TokenLabel string
	PIN        string
	KeyLabel   string
	KeyID      []byte
}

func (c PKCS11Config) check() error {
	switch {
	case c.Module == "":
		return errors.New("signer: PKCS#11 module path is empty")
	case c.TokenLabel == "":
		return errors.New("signer: PKCS#11 token label is empty")
	case c.KeyLabel == "" && len(c.KeyID) == 0:
		return errors.New("signer: PKCS#11 key label or id is required")
	}
	return nil
}

// PKCS11Key is a key on a token. It implements Signer; Close releases the
// session (call it when the authority stops). ECDSA and RSA keys go
// through crypto11, GOST keys through the raw PKCS#11 API (gost set).
type PKCS11Key struct {
	ctx    *crypto11.Context
	signer crypto11.Signer
	gost   *gostKey
}

func (k *PKCS11Key) Public() crypto.PublicKey {
	if k.gost != nil {
		return k.gost.pub
	}
	return k.signer.Public()
}

func (k *PKCS11Key) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if k.gost != nil {
		return k.gost.Sign(rand, digest, opts)
	}
	return k.signer.Sign(rand, digest, opts)
}

// Close logs out and unloads the module when no other key uses it.
func (k *PKCS11Key) Close() error {
	if k.gost != nil {
		k.gost.s.close()
		return nil
	}
	return k.ctx.Close()
}

func configure(c PKCS11Config) (*crypto11.Context, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	ctx, err := crypto11.Configure(&crypto11.Config{Path: c.Module, TokenLabel: c.TokenLabel, Pin: c.PIN})
	if err != nil {
		return nil, fmt.Errorf("signer: open PKCS#11 token %q: %w", c.TokenLabel, err)
	}
	return ctx, nil
}

func ptrLabel(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// OpenPKCS11 finds an existing key pair on the token: a GOST one, or else
// an ECDSA or RSA one through crypto11.
func OpenPKCS11(c PKCS11Config) (*PKCS11Key, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if k, err := openGOST(c); err != nil || k != nil {
		return k, err
	}
	ctx, err := configure(c)
	if err != nil {
		return nil, err
	}
	found, err := ctx.FindKeyPairs(c.KeyID, ptrLabel(c.KeyLabel))
	if err != nil {
		ctx.Close()
		return nil, fmt.Errorf("signer: find key %q on token %q: %w", c.KeyLabel, c.TokenLabel, err)
	}
	switch len(found) {
	case 0:
		ctx.Close()
		return nil, fmt.Errorf("signer: no key %q (id %x) on token %q", c.KeyLabel, c.KeyID, c.TokenLabel)
	case 1:
		return &PKCS11Key{ctx: ctx, signer: found[0]}, nil
	}
	ctx.Close()
	return nil, fmt.Errorf("signer: %d keys match %q (id %x) on token %q: name one by id", len(found), c.KeyLabel, c.KeyID, c.TokenLabel)
}

// GeneratePKCS11 generates a key pair inside the token (the private key is
// not extractable) and refuses when a key with that label or id exists.
func GeneratePKCS11(c PKCS11Config, alg Algorithm) (*PKCS11Key, error) {
	if alg.IsGOST() {
		// crypto11 knows no GOST: the raw PKCS#11 API, on a token that
		// lists the GOST mechanisms (SoftHSM2 does not).
		if err := c.check(); err != nil {
			return nil, err
		}
		return generateGOST(c, alg)
	}
	ctx, err := configure(c)
	if err != nil {
		return nil, err
	}
	if existing, err := ctx.FindKeyPairs(c.KeyID, ptrLabel(c.KeyLabel)); err != nil {
		ctx.Close()
		return nil, fmt.Errorf("signer: look for key %q: %w", c.KeyLabel, err)
	} else if len(existing) > 0 {
		ctx.Close()
		return nil, fmt.Errorf("signer: a key %q (id %x) already exists on token %q", c.KeyLabel, c.KeyID, c.TokenLabel)
	}
	id := c.KeyID
	if len(id) == 0 {
		if id, err = randomID(); err != nil {
			ctx.Close()
			return nil, err
		}
	}
	label := []byte(c.KeyLabel)
	var s crypto11.Signer
	switch {
	case alg.curve() != nil:
		s, err = ctx.GenerateECDSAKeyPairWithLabel(id, label, alg.curve())
	case alg.rsaBits() != 0:
		s, err = ctx.GenerateRSAKeyPairWithLabel(id, label, alg.rsaBits())
	default:
		err = fmt.Errorf("unknown algorithm %q", alg)
	}
	if err != nil {
		ctx.Close()
		return nil, fmt.Errorf("signer: generate key on token %q: %w", c.TokenLabel, err)
	}
	return &PKCS11Key{ctx: ctx, signer: s}, nil
}
