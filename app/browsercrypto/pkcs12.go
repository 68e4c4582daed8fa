package browsercrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/keyfile"
)

// Opened is one key of a key file (or of this browser) with its
// certificate and the other certificates that came with it.
type Opened struct {
	Signer Signer
	Cert   *x509.Certificate
	Chain  []*x509.Certificate
}

// p12Entry is one key+certificate pair of a PKCS#12 file, decoded in Go
// before the key goes to WebCrypto.
type p12Entry struct {
	key   crypto.Signer
	cert  *x509.Certificate
	chain []*x509.Certificate
}

// decodePKCS12 reads every key+certificate pair of a PKCS#12 file, in the
// file's order: a key store exported by a CA or a tool often holds several
// signatures (the Russian source: "choose the signature from the list").
// Each entry's chain is the file's certificates that are no entry's own.
//
// go-pkcs12's DecodeChain takes one key only; its ToPEM reads every bag of
// the two-safe layout OpenSSL, CryptoPro's export and go-pkcs12 write. A
// file of another layout falls back to DecodeChain (one key). Keys without
// a certificate, and keys this browser code cannot use, are left out; a
// file with none left gives ErrUnsupportedKey (or ErrBadFile).
func decodePKCS12(data []byte, password string) ([]p12Entry, error) {
	blocks, err := pkcs12.ToPEM(data, password)
	if err != nil {
		// go-pkcs12 knows no GOST key (nor the engine's GOST PBE and MAC):
		// renewal/ca/keyfile reads such files, GOST keys and others alike.
		if all, gerr := decodeKeyfile(data, password); gerr == nil {
			return all, nil
		} else if errors.Is(gerr, keyfile.ErrPassword) {
			return nil, ErrWrongPassword
		}
		if wrongPassword(err) {
			return nil, ErrWrongPassword
		}
		return decodeOne(data, password)
	}
	var keys []crypto.Signer
	var certs []*x509.Certificate
	for _, b := range blocks {
		switch b.Type {
		case "PRIVATE KEY":
			k, err := parseBagKey(b.Bytes)
			clear(b.Bytes)
			if err != nil {
				continue // a key type this code cannot use: not offered
			}
			keys = append(keys, k)
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w (certificate: %v)", ErrBadFile, err)
			}
			certs = append(certs, c)
		}
	}
	var out []p12Entry
	leaf := map[*x509.Certificate]bool{}
	for _, k := range keys {
		if _, err := AlgorithmOf(k.Public()); err != nil {
			wipe(k)
			continue
		}
		for _, c := range certs {
			if matches(k.Public(), c.PublicKey) == nil {
				out = append(out, p12Entry{key: k, cert: c})
				leaf[c] = true
				break
			}
		}
	}
	if len(out) == 0 {
		for _, k := range keys {
			wipe(k)
		}
		if len(keys) == 0 {
			return decodeOne(data, password) // e.g. a plain (unshrouded) key bag
		}
		return nil, fmt.Errorf("%w: no key of the file has its certificate", ErrKeyMismatch)
	}
	for _, k := range keys {
		if !slicesContainsKey(out, k) {
			wipe(k)
		}
	}
	var rest []*x509.Certificate
	for _, c := range certs {
		if !leaf[c] {
			rest = append(rest, c)
		}
	}
	for i := range out {
		out[i].chain = rest
	}
	return out, nil
}

// decodeKeyfile reads the entries of a PKCS#12 file by renewal/ca/keyfile,
// for files go-pkcs12 refuses: a GOST key becomes a GOSTKey, an ECDSA or
// RSA key stays a Go key for WebCrypto to import (a key store may hold
// both kinds). Keys without their certificate, and keys this code cannot
// use, are left out, as decodePKCS12 says.
func decodeKeyfile(data []byte, password string) ([]p12Entry, error) {
	all, err := keyfile.DecodePKCS12(data, password)
	if err != nil {
		return nil, err
	}
	var out []p12Entry
	for _, e := range all {
		var key crypto.Signer = e.Key
		if g, ok := e.Key.(*gost3410.PrivateKey); ok {
			key = NewGOSTKey(g)
		}
		if _, err := AlgorithmOf(key.Public()); err != nil || e.Cert == nil || matches(key.Public(), gostPublicOf(e.Cert)) != nil {
			wipe(e.Key)
			continue
		}
		out = append(out, p12Entry{key: key, cert: e.Cert, chain: e.Chain})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no key of the file has its certificate", ErrKeyMismatch)
	}
	return out, nil
}

// decodeOne reads a one-key file with DecodeChain.
func decodeOne(data []byte, password string) ([]p12Entry, error) {
	key, cert, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		if wrongPassword(err) {
			return nil, ErrWrongPassword
		}
		return nil, fmt.Errorf("%w (%v)", ErrBadFile, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
	}
	if _, err := AlgorithmOf(signer.Public()); err != nil {
		wipe(signer)
		return nil, err
	}
	if err := matches(signer.Public(), cert.PublicKey); err != nil {
		wipe(signer)
		return nil, fmt.Errorf("%w: the key file's certificate is for another key", ErrKeyMismatch)
	}
	return []p12Entry{{key: signer, cert: cert, chain: chain}}, nil
}

// parseBagKey reads a key as ToPEM writes it: PKCS#1 for RSA, SEC 1 for EC.
func parseBagKey(der []byte) (crypto.Signer, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, ErrUnsupportedKey
}

func wrongPassword(err error) bool {
	return errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption)
}

func slicesContainsKey(es []p12Entry, k crypto.Signer) bool {
	for _, e := range es {
		if e.key == k {
			return true
		}
	}
	return false
}

// wipe zeroes the secret numbers of a parsed private key in place. It
// cannot reach everything: crypto/x509 precomputes RSA keys into an
// unexported internal copy (rsa.PrecomputedValues), and crypto/ecdsa may
// cache an internal form; those become garbage with the key.
func wipe(key any) {
	zero := func(n *big.Int) {
		if n != nil {
			clear(n.Bits())
		}
	}
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		zero(k.D)
	case *rsa.PrivateKey:
		zero(k.D)
		for _, p := range k.Primes {
			zero(p)
		}
		zero(k.Precomputed.Dp)
		zero(k.Precomputed.Dq)
		zero(k.Precomputed.Qinv)
		for _, v := range k.Precomputed.CRTValues {
			zero(v.Exp)
			zero(v.Coeff)
			zero(v.R)
		}
	}
}
