package gost3410_test

import (
	"crypto"
	"fmt"

	"renewal/ca/crypto/gost3410"
)

// Signing a message with a new 256-bit key, the public key sent as a
// SubjectPublicKeyInfo and the signature checked on the other side.
func Example() {
	priv, err := gost3410.GenerateKey(gost3410.Curve256A(), nil)
	if err != nil {
		panic(err)
	}
	var signer crypto.MessageSigner = priv
	msg := []byte("Заявление на продление сертификата")
	sig, err := signer.SignMessage(nil, msg, nil) // deterministic without a generator
	if err != nil {
		panic(err)
	}
	spki, err := gost3410.MarshalPKIXPublicKey(priv.PublicKey())
	if err != nil {
		panic(err)
	}

	pub, err := gost3410.ParsePKIXPublicKey(spki)
	if err != nil {
		panic(err)
	}
	fmt.Println(pub.Curve().Name(), len(sig), gost3410.VerifyMessage(pub, msg, sig))
	// Output: id-tc26-gost-3410-12-256-paramSetA 64 true
}
