package bign_test

import (
	"crypto/rand"
	"fmt"

	"renewal/ca/crypto/belt"
	"renewal/ca/crypto/bign"
)

// Signing a document as a certificate's bign-with-hbelt signature needs it:
// belt-hash of the data, the belt-hash OID (the default on
// bign-curve256v1), and the 48-byte s0||s1 that goes into the BIT STRING.
func Example() {
	key, err := bign.GenerateKey(bign.Curve256v1(), rand.Reader)
	if err != nil {
		panic(err)
	}
	msg := []byte("hi\n")
	digest := belt.Sum(msg)
	sig, err := key.Sign(rand.Reader, digest[:], nil) // deterministic nonce
	if err != nil {
		panic(err)
	}
	spki, err := bign.MarshalPKIXPublicKey(key.PublicKey())
	if err != nil {
		panic(err)
	}
	pub, err := bign.ParsePKIXPublicKey(spki)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(sig), bign.Verify(pub, bign.OIDBeltHash, digest[:], sig) == nil)
	fmt.Println(bign.VerifyMessage(pub, []byte("hi!\n"), sig))
	// Output:
	// 48 true
	// bign: signature does not verify
}
