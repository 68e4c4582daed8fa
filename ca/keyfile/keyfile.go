// Package keyfile reads and writes password-protected key files: PKCS#12
// (RFC 7292) with several key+certificate entries, and encrypted PKCS#8
// (EncryptedPrivateKeyInfo, RFC 5958 with PBES2 of RFC 8018), with GOST
// R 34.10-2012 keys as well as RSA, ECDSA and Ed25519 ones. It is the
// browser's one PKCS#12 implementation, so it reads what OpenSSL, Windows,
// CryptoPro and go-pkcs12 write, old files too: PKCS#12's own 3DES and RC2
// PBEs (read only, never written) and the PBMAC1 MAC.
//
// Pure Go, standard library and our own crypto packages only, so it
// compiles into the browser (GOOS=js GOARCH=wasm).
//
// Everything that varies is a row of a table: the key types (keyTypes), the
// PBKDF2 pseudo-random functions (prfs), the ciphers (ciphers) and the MAC
// digests (macs). bign keys with PBKDF2-HMAC-hbelt and belt-kwp are new rows,
// not new code paths.
package keyfile

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"

	"renewal/ca/crypto/gost3410"
)

var (
	// ErrMalformed: the bytes are not the structure they claim to be
	// (truncated, garbage, trailing data).
	ErrMalformed = errors.New("keyfile: malformed or truncated file")
	// ErrPassword: the MAC does not match or decryption fails: a wrong
	// password or a damaged file (the two cannot be told apart).
	ErrPassword = errors.New("keyfile: wrong password or damaged file")
	// ErrUnsupported: an algorithm (PBE, cipher, PRF, MAC digest, key type)
	// this package does not implement.
	ErrUnsupported = errors.New("keyfile: unsupported algorithm")
	// ErrNoKey: the PKCS#12 file holds no private key.
	ErrNoKey = errors.New("keyfile: the file holds no private key")
	// ErrIterations: an iteration count of 0 or above the bound of its
	// hash (MaxIterations, MaxIterationsStreebog).
	ErrIterations = errors.New("keyfile: iteration count out of range")
)

// MaxIterations bounds what a file may ask for with a SHA PRF or MAC: a
// file naming 2^31 iterations would hang the browser tab, so it is refused
// instead. The MAC is the one derivation done before the password is known
// to fit the file; 4 000 000 SHA-256 iterations take ~7 s in WebAssembly.
const MaxIterations = 4_000_000

// MaxIterationsStreebog is the bound for Streebog, ~11 times slower in
// WebAssembly: 500 000 take ~10 s there. Real files use 2048.
const MaxIterationsStreebog = 500_000

// DefaultIterations is PBKDF2's (and the PKCS#12 MAC's) count when Options
// leave it zero, for ProfileAES. OpenSSL's default is 2048; a key file
// leaves the browser, so we pay more. A file has three derivations (key
// bag, certificate safe, MAC); measured here (BenchmarkEncodePKCS12, see
// docs/keyfiles.md): writing one costs 66 ms natively and 0.5 s in
// WebAssembly (Node's V8, as Chromium's), opening it 43 ms and 0.35 s.
const DefaultIterations = 100_000

// DefaultIterationsGOST is the default for ProfileGOST. Our HMAC-Streebog-512
// costs 7.7 µs an iteration natively and 19 µs in WebAssembly, against
// 0.22 µs and 1.7 µs for HMAC-SHA256, so the count is ten times smaller: a
// GOST file then costs the browser about what a ProfileAES file does
// (0.57 s to write, 0.51 s to open).
const DefaultIterationsGOST = 10_000

// keyType is one kind of private key a file can hold.
type keyType struct {
	name string
	// oids are the PrivateKeyInfo algorithm identifiers of this type.
	oids []asn1.ObjectIdentifier
	// parse reads a PrivateKeyInfo of this type.
	parse func(der []byte) (crypto.Signer, error)
	// marshal writes key as PrivateKeyInfo; ok is false for a key of
	// another type.
	marshal func(key crypto.Signer) (der []byte, ok bool, err error)
	// public reads a SubjectPublicKeyInfo of this type, to match a key
	// with its certificate.
	public func(spki []byte) (crypto.PublicKey, error)
}

var keyTypes = []keyType{
	{
		name: "GOST R 34.10-2012",
		oids: []asn1.ObjectIdentifier{gost3410.OIDPublicKey256, gost3410.OIDPublicKey512},
		parse: func(der []byte) (crypto.Signer, error) {
			return gost3410.ParsePKCS8PrivateKey(der)
		},
		marshal: func(key crypto.Signer) ([]byte, bool, error) {
			k, ok := key.(*gost3410.PrivateKey)
			if !ok {
				return nil, false, nil
			}
			der, err := gost3410.MarshalPKCS8PrivateKey(k)
			return der, true, err
		},
		public: func(spki []byte) (crypto.PublicKey, error) {
			return gost3410.ParsePKIXPublicKey(spki)
		},
	},
	{
		// The keys Go's crypto/x509 knows, so that a mixed file is read
		// whole.
		name: "RSA/ECDSA/Ed25519",
		oids: []asn1.ObjectIdentifier{
			{1, 2, 840, 113549, 1, 1, 1}, {1, 2, 840, 10045, 2, 1}, {1, 3, 101, 112},
		},
		parse: func(der []byte) (crypto.Signer, error) {
			k, err := x509.ParsePKCS8PrivateKey(der)
			if err != nil {
				return nil, err
			}
			s, ok := k.(crypto.Signer)
			if !ok {
				return nil, fmt.Errorf("%w: %T", ErrUnsupported, k)
			}
			return s, nil
		},
		marshal: func(key crypto.Signer) ([]byte, bool, error) {
			der, err := x509.MarshalPKCS8PrivateKey(key)
			if err != nil {
				return nil, false, nil
			}
			return der, true, nil
		},
		public: func(spki []byte) (crypto.PublicKey, error) {
			return x509.ParsePKIXPublicKey(spki)
		},
	},
}

type privateKeyInfo struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
	Attributes asn1.RawValue `asn1:"optional,tag:0"`
	PublicKey  asn1.RawValue `asn1:"optional,tag:1"`
}

func keyTypeOf(oid asn1.ObjectIdentifier) (*keyType, bool) {
	for i := range keyTypes {
		for _, o := range keyTypes[i].oids {
			if o.Equal(oid) {
				return &keyTypes[i], true
			}
		}
	}
	return nil, false
}

// parsePrivateKey reads a PrivateKeyInfo through the row of its algorithm.
func parsePrivateKey(der []byte) (crypto.Signer, *keyType, error) {
	var pki privateKeyInfo
	if rest, err := asn1.Unmarshal(der, &pki); err != nil || len(rest) != 0 {
		return nil, nil, fmt.Errorf("%w: PrivateKeyInfo", ErrMalformed)
	}
	kt, ok := keyTypeOf(pki.Algorithm.Algorithm)
	if !ok {
		return nil, nil, fmt.Errorf("%w: private key algorithm %v", ErrUnsupported, pki.Algorithm.Algorithm)
	}
	k, err := kt.parse(der)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s private key: %v", ErrMalformed, kt.name, err)
	}
	return k, kt, nil
}

func marshalPrivateKey(key crypto.Signer) ([]byte, error) {
	if key == nil {
		return nil, errors.New("keyfile: no key")
	}
	for _, kt := range keyTypes {
		der, ok, err := kt.marshal(key)
		if !ok {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("keyfile: marshal %s key: %w", kt.name, err)
		}
		return der, nil
	}
	return nil, fmt.Errorf("%w: key %T", ErrUnsupported, key)
}

// matches reports whether cert carries key's public key.
func matches(key crypto.Signer, kt *keyType, cert *x509.Certificate) bool {
	pub, err := kt.public(cert.RawSubjectPublicKeyInfo)
	if err != nil {
		return false
	}
	eq, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(pub)
}
