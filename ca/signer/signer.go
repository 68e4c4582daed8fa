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
	"errors"
	"fmt"

	"renewal/ca/crypto/gost3410"
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
	// GOST R 34.10-2012 CA keys: 256 on TC26 paramSetB (the CryptoPro A
	// curve, which every Russian CIPF verifies), 512 on TC26 paramSetA.
	GOST256 Algorithm = "gost2012-256"
	GOST512 Algorithm = "gost2012-512"
)

// Algorithms lists the accepted algorithm names.
func Algorithms() []Algorithm {
	return []Algorithm{ECDSAP256, ECDSAP384, RSA2048, RSA3072, RSA4096, GOST256, GOST512}
}

// ErrPKCS11Mechanism: the token lacks a mechanism the key needs.
var ErrPKCS11Mechanism = errors.New("signer: токен не поддерживает нужный механизм PKCS#11 / the token lacks a required PKCS#11 mechanism")

// ErrPKCS11BadSignature: the token returned a signature that does not
// verify under the key's public key (a faulty or tampered token).
var ErrPKCS11BadSignature = errors.New("signer: подпись токена не проверяется открытым ключом, токен неисправен / the token's signature does not verify with its public key: faulty token")

// IsGOST: a GOST R 34.10-2012 algorithm.
func (a Algorithm) IsGOST() bool { return a.gostCurve() != nil }

func (a Algorithm) gostCurve() *gost3410.Curve {
	switch a {
	case GOST256:
		return gost3410.Curve256B()
	case GOST512:
		return gost3410.Curve512A()
	}
	return nil
}

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
	if c := a.gostCurve(); c != nil {
		return gost3410.GenerateKey(c, rand.Reader)
	}
	return nil, fmt.Errorf("signer: unknown algorithm %q", a)
}
