// Package signer puts the authority's private key behind an interface: a
// PKCS#8 file for development and a PKCS#11 key (an HSM; SoftHSM2 in tests)
// for production. The private key never enters the Store.
package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
)

// Signer is the authority's signing key.
type Signer interface {
	crypto.Signer
}

// Algorithm of a key to generate.
type Algorithm string

const (
	ECDSAP256 Algorithm = "ecdsa-p256"
	ECDSAP384 Algorithm = "ecdsa-p384"
	RSA2048   Algorithm = "rsa-2048"
	RSA3072   Algorithm = "rsa-3072"
	RSA4096   Algorithm = "rsa-4096"
)

// Algorithms lists the accepted algorithm names.
func Algorithms() []Algorithm { return []Algorithm{ECDSAP256, ECDSAP384, RSA2048, RSA3072, RSA4096} }

func (a Algorithm) curve() elliptic.Curve {
	switch a {
	case ECDSAP256:
		return elliptic.P256()
	case ECDSAP384:
		return elliptic.P384()
	}
	return nil
}

func (a Algorithm) rsaBits() int {
	switch a {
	case RSA2048:
		return 2048
	case RSA3072:
		return 3072
	case RSA4096:
		return 4096
	}
	return 0
}

func generateSoftware(a Algorithm) (crypto.Signer, error) {
	if c := a.curve(); c != nil {
		return ecdsa.GenerateKey(c, rand.Reader)
	}
	if b := a.rsaBits(); b != 0 {
		return rsa.GenerateKey(rand.Reader, b)
	}
	return nil, fmt.Errorf("signer: unknown algorithm %q", a)
}
