package load

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/profile"
)

// signChallenge signs a proof challenge as the server's proofAlgorithms
// verify it: a GOST key over the Streebog of its size, s‖r (SignMessage
// hashes itself); any other key over SHA-256 (ECDSA gives DER).
func signChallenge(key crypto.Signer, msg []byte) ([]byte, error) {
	if k, ok := key.(*gost3410.PrivateKey); ok {
		return k.SignMessage(rand.Reader, msg, nil)
	}
	sum := sha256.Sum256(msg)
	return key.Sign(rand.Reader, sum[:], crypto.SHA256)
}

// newKey makes the new key of the kind the application's profile takes
// (wire.Renewal.KeyAlgorithm), with the parameter set the wizard gives a
// GOST family (app/browsercrypto): CryptoPro A for 256 bits, TC26
// paramSetA for 512. No algorithm named: P-256, the wizard's default.
func newKey(alg string) (crypto.Signer, error) {
	if c, gost := profile.GOSTCurve(alg); gost {
		return gost3410.GenerateKey(c, rand.Reader)
	}
	if alg == "" || alg == "ecdsa-p256" {
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return nil, fmt.Errorf("the load generator makes no %q key", alg)
}

// samePublic reports whether key's public half is pub (each key kind
// compares itself; one without Equal matches nothing).
func samePublic(key crypto.Signer, pub crypto.PublicKey) bool {
	k, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(pub)
}
