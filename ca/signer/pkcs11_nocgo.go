//go:build !cgo

package signer

import (
	"crypto"
	"errors"
	"io"
)

// Without cgo there is no PKCS#11 (github.com/miekg/pkcs11 needs it): the
// package still builds, so file keys work, and the PKCS#11 constructors say
// why they cannot.

var errNoCgo = errors.New("signer: PKCS#11 needs a cgo build (CGO_ENABLED=1)")

// PKCS11Config selects a key on a PKCS#11 token.
type PKCS11Config struct {
	Module     string
	TokenLabel string
	PIN        string
	KeyLabel   string
	KeyID      []byte
}

// PKCS11Key is unavailable without cgo.
type PKCS11Key struct{}

func (k *PKCS11Key) Public() crypto.PublicKey { return nil }

func (k *PKCS11Key) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errNoCgo
}

// Close does nothing.
func (k *PKCS11Key) Close() error { return nil }

// OpenPKCS11 fails without cgo.
func OpenPKCS11(PKCS11Config) (*PKCS11Key, error) { return nil, errNoCgo }

// GeneratePKCS11 fails without cgo.
func GeneratePKCS11(PKCS11Config, Algorithm) (*PKCS11Key, error) { return nil, errNoCgo }
