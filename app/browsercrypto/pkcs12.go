package browsercrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"

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
// file's order, by renewal/ca/keyfile (the browser's one PKCS#12 reader):
// a key store exported by a CA or a tool often holds several signatures
// (the Russian source: "choose the signature from the list"). A GOST key
// becomes a GOSTKey, an ECDSA or RSA key stays a Go key for WebCrypto to
// import. Keys without their certificate, and keys this code cannot use,
// are left out; a file with none left gives ErrUnsupportedKey when a key
// had its certificate, ErrKeyMismatch when none had.
func decodePKCS12(data []byte, password string) ([]p12Entry, error) {
	all, err := keyfile.DecodePKCS12(data, password)
	switch {
	case errors.Is(err, keyfile.ErrPassword):
		return nil, ErrWrongPassword
	case err != nil:
		return nil, fmt.Errorf("%w (%v)", ErrBadFile, err)
	}
	var out []p12Entry
	var unusable error
	for _, e := range all {
		var key crypto.Signer = e.Key
		if g, ok := e.Key.(*gost3410.PrivateKey); ok {
			key = NewGOSTKey(g)
		}
		if e.Cert == nil || matches(key.Public(), gostPublicOf(e.Cert)) != nil {
			wipe(e.Key)
			continue
		}
		if _, err := AlgorithmOf(key.Public()); err != nil {
			unusable = err
			wipe(e.Key)
			continue
		}
		out = append(out, p12Entry{key: key, cert: e.Cert, chain: e.Chain})
	}
	switch {
	case len(out) > 0:
		return out, nil
	case unusable != nil:
		return nil, unusable
	default:
		return nil, fmt.Errorf("%w: no key of the file has its certificate", ErrKeyMismatch)
	}
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
