//go:build js

package browsercrypto

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"syscall/js"

	"renewal/ca/crypto/gost3410"
)

// A GOST key in IndexedDB. WebCrypto cannot hold a GOST key, so a record
// of kind "gost" holds its PKCS#8 sealed by AES-256-GCM:
//
//	sealKey: CryptoKey   AES-GCM 256, made for this record alone, non-extractable
//	iv:      Uint8Array  12 random bytes
//	sealed:  Uint8Array  AES-GCM(sealKey, iv, aad = gostAAD ‖ name, PKCS#8)
//
// What this protects: the key is never stored in the clear, so the
// profile's files (a backup, a disk, another program reading them) do
// not give it away without this browser's WebCrypto. It does not stop a
// script of this origin: unlike a non-extractable WebCrypto key, such a
// script could ask WebCrypto to decrypt the record and read the key —
// as it could read it from the page's memory while the wizard holds it.
// These are the wizard's temporary records (the current key of an
// application, a new key until its file is saved): app/keys.go deletes
// them when the application ends.
//
// The name is bound as additional data: a sealed key moved to another
// record does not open there.
const gostAAD = "renewal/browsercrypto kept GOST key v1\x00"

// sealGOST fills rec's sealKey, iv and sealed with k sealed under a fresh
// key. The plaintext copies (Go's and JavaScript's) are zeroed at once.
func sealGOST(ctx context.Context, name string, k *GOSTKey, rec js.Value) error {
	sc, err := subtle()
	if err != nil {
		return err
	}
	params := js.Global().Get("Object").New()
	params.Set("name", "AES-GCM")
	params.Set("length", 256)
	sealKey, err := await(ctx, sc.Call("generateKey", params, false, usages("encrypt", "decrypt")))
	if err != nil {
		return fmt.Errorf("browsercrypto: make the sealing key: %w", err)
	}
	iv := make([]byte, 12)
	if _, err := rand.Read(iv); err != nil {
		return fmt.Errorf("browsercrypto: random bytes: %w", err)
	}
	der, err := gost3410.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return fmt.Errorf("browsercrypto: GOST key: %w", err)
	}
	plain := bytesToJS(der)
	clear(der)
	defer plain.Call("fill", 0) // also if encrypt throws
	// encrypt copies its input before it returns the promise (WebCrypto,
	// "get a copy of the bytes held by"), so the JS copy can go at once.
	promise := sc.Call("encrypt", gcmParams(name, iv), sealKey, plain)
	plain.Call("fill", 0)
	sealed, err := await(ctx, promise)
	if err != nil {
		return fmt.Errorf("browsercrypto: seal the GOST key: %w", err)
	}
	rec.Set("sealKey", sealKey)
	rec.Set("iv", bytesToJS(iv))
	rec.Set("sealed", js.Global().Get("Uint8Array").New(sealed))
	return nil
}

// openGOST is sealGOST's inverse: the GOSTKey of a record of kind "gost".
// Any change to the record fails closed (AES-GCM's tag) with ErrKeptKeyDamaged.
func openGOST(ctx context.Context, name string, rec js.Value) (*GOSTKey, error) {
	sc, err := subtle()
	if err != nil {
		return nil, err
	}
	sealKey, iv, sealed := rec.Get("sealKey"), rec.Get("iv"), rec.Get("sealed")
	if !sealKey.Truthy() || !sealKey.InstanceOf(js.Global().Get("CryptoKey")) || !iv.Truthy() || !sealed.Truthy() {
		return nil, ErrKeptKeyDamaged
	}
	ivb := bufferBytes(iv)
	if len(ivb) != 12 {
		return nil, ErrKeptKeyDamaged
	}
	buf, err := await(ctx, sc.Call("decrypt", gcmParams(name, ivb), sealKey, sealed))
	if err != nil {
		var de *DOMError
		// OperationError: the tag does not check; InvalidAccessError: the
		// sealing key is not an AES-GCM key for decryption.
		if errors.As(err, &de) && (de.Name == "OperationError" || de.Name == "InvalidAccessError") {
			return nil, ErrKeptKeyDamaged
		}
		return nil, fmt.Errorf("browsercrypto: open the kept GOST key: %w", err)
	}
	der := bufferBytes(buf)
	js.Global().Get("Uint8Array").New(buf).Call("fill", 0)
	defer clear(der)
	priv, err := gost3410.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: kept GOST key: %w", err)
	}
	return NewGOSTKey(priv), nil
}

// gcmParams are the AES-GCM parameters of record name: 128-bit tag, the
// name bound as additional data.
func gcmParams(name string, iv []byte) js.Value {
	p := js.Global().Get("Object").New()
	p.Set("name", "AES-GCM")
	p.Set("iv", bytesToJS(iv))
	p.Set("additionalData", bytesToJS([]byte(gostAAD+name)))
	p.Set("tagLength", 128)
	return p
}
