// Package browsercrypto is the key handling of the browser wizard: the
// person's CURRENT key (opened from a PKCS#12 file, or kept in this
// browser) and the NEW key pair, both held by WebCrypto, with PKCS#10
// requests, detached CMS signatures and challenge signatures built in Go.
//
// The package is compiled into app.wasm and into the server (go-app
// pre-renders pages). The functions that need the browser (WebCrypto,
// IndexedDB) live in files built only for GOOS=js; on the server their twins
// return ErrBrowserOnly. The functions that only need a Signer (CreateRequest,
// SignDetached, SignChallenge) and EntropyPool are plain Go and work
// everywhere.
//
// GOST R 34.10-2012 keys are the exception to all of this: WebCrypto has
// no GOST, so a GOSTKey (gost.go) is made and held in Go, its randomness
// mixed with the person's entropy, and it is protected by the password of
// the file it is saved in, not by the browser.
//
// WebCrypto keys never leave WebCrypto as Go values, except where the person asked
// for a file: OpenPKCS12 decodes the file in Go, imports the key as
// non-extractable and wipes the Go copy as far as Go allows; ExportPKCS12
// exports an extractable key to write the file. Neither the file nor its
// password is sent anywhere by this package.
//
// Every function that talks to WebCrypto or IndexedDB, and the Signer
// methods of a browser key, block until a JavaScript promise settles. Call
// them from a goroutine (go-app: ctx.Async), never directly inside a
// js.FuncOf callback such as an event handler: that deadlocks.
package browsercrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"time"

	"renewal/ca/cms"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/x509sig"
)

// KeyAlgorithm names a key type. GenerateKey makes AlgECDSAP256 (the
// default, also for "") or AlgRSA2048. Keys opened from a PKCS#12 file or
// loaded from the browser may also be "ecdsa-p384" or "rsa-<bits>".
type KeyAlgorithm string

const (
	AlgECDSAP256 KeyAlgorithm = "ecdsa-p256"
	AlgRSA2048   KeyAlgorithm = "rsa-2048"
	// DefaultAlgorithm is what the wizard proposes.
	DefaultAlgorithm = AlgECDSAP256
)

// AlgorithmOf names the algorithm of a public key: "ecdsa-p256",
// "ecdsa-p384", "rsa-2048", "rsa-3072"... It fails for any other key.
func AlgorithmOf(pub crypto.PublicKey) (KeyAlgorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return AlgECDSAP256, nil
		case elliptic.P384():
			return "ecdsa-p384", nil
		}
		return "", fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
	case *rsa.PublicKey:
		return KeyAlgorithm(fmt.Sprintf("rsa-%d", k.N.BitLen())), nil
	case *gost3410.PublicKey:
		if k.Curve().Size() == 64 {
			return AlgGOST512, nil
		}
		return AlgGOST256, nil
	}
	return "", fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}

// Signer is a key that signs messages (it hashes them itself, as WebCrypto
// does) and returns X.509/CMS-form signatures: ASN.1 DER for ECDSA, PKCS#1
// v1.5 for RSA.
//
// Sign refuses with ErrDigestSigning: WebCrypto cannot sign a precomputed
// digest. crypto/x509 (Go 1.25+), crypto.SignMessage and renewal/ca/cms call
// SignMessage, with opts.HashFunc() == crypto.SHA256 (other hashes and
// RSA-PSS options are refused). The rand argument is ignored: WebCrypto
// uses its own generator (crypto.getRandomValues).
type Signer interface {
	crypto.Signer
	crypto.MessageSigner
}

// StoredKey describes one key kept in this browser.
type StoredKey struct {
	Name    string
	CertDER []byte // nil until SetCertificate (or StoreKey with a certificate)
	Created time.Time
}

var (
	// ErrBrowserOnly: the function needs WebCrypto or IndexedDB, and this
	// is not a browser (the server pre-rendering a page).
	ErrBrowserOnly = errors.New("browsercrypto: only in the browser")
	// ErrWrongPassword: the PKCS#12 file does not open with this password.
	ErrWrongPassword = errors.New("browsercrypto: wrong password for the key file (PKCS#12), or the file is damaged")
	// ErrBadFile: the file does not decode as PKCS#12 here: damaged, not a
	// key file, or made with algorithms this browser code does not know.
	ErrBadFile = errors.New("browsercrypto: this key file cannot be opened here (damaged, not a PKCS#12 file, or with algorithms this code does not know)")
	// ErrDigestSigning: Sign was called with a digest; WebCrypto only signs messages.
	ErrDigestSigning = errors.New("browsercrypto: WebCrypto cannot sign a precomputed digest; use SignMessage (crypto.SignMessage)")
	// ErrUnsupportedKey: a key type WebCrypto or the CA does not take here
	// (GOST R 34.10-2012 keys, made and held in Go, ECDSA P-256/P-384 and RSA).
	ErrUnsupportedKey = errors.New("browsercrypto: unsupported key type (want GOST R 34.10-2012, ECDSA P-256/P-384 or RSA)")
	// ErrKeyMismatch: the certificate does not belong to the key.
	ErrKeyMismatch = errors.New("browsercrypto: the certificate does not match the key")
	// ErrNotExtractable: ExportPKCS12 with a key WebCrypto keeps non-extractable.
	ErrNotExtractable = errors.New("browsercrypto: this key cannot leave the browser (non-extractable), it cannot be written to a file")
	// ErrExtractable: StoreKey refuses a key that could be read back out of
	// the browser; keep only non-extractable keys in IndexedDB.
	ErrExtractable = errors.New("browsercrypto: only a non-extractable key can be kept in the browser")
	// ErrKeyNotFound: no key of that name is kept in this browser.
	ErrKeyNotFound = errors.New("browsercrypto: no key of that name in this browser")
	// ErrKeptKeyDamaged: a kept GOST key's record does not open (changed,
	// moved to another name, or its sealing key is gone); nothing of it is
	// used.
	ErrKeptKeyDamaged = errors.New("browsercrypto: the key kept in this browser does not open (its record was changed)")
	// ErrKeyExists: StoreKey never overwrites a kept key; delete it first.
	ErrKeyExists = errors.New("browsercrypto: a key of that name is already kept in this browser")
	// ErrNoWebCrypto: crypto.subtle is missing, which browsers do on plain
	// http origins other than localhost/127.0.0.1.
	ErrNoWebCrypto = errors.New("browsercrypto: WebCrypto is not available (the page must be served over HTTPS)")
	// ErrNoIndexedDB: the browser has no IndexedDB (private windows of some
	// browsers, Node.js).
	ErrNoIndexedDB = errors.New("browsercrypto: this browser cannot keep keys (no IndexedDB)")
)

// DOMError is a JavaScript error (usually a DOMException) that a WebCrypto
// or IndexedDB call rejected with.
type DOMError struct {
	Name    string // "OperationError", "ConstraintError", "DataError"...
	Message string
}

func (e *DOMError) Error() string {
	if e.Message == "" {
		return e.Name
	}
	return e.Name + ": " + e.Message
}

// CreateRequest builds a DER PKCS#10 request signed by s, with
// ECDSAWithSHA256 or SHA256WithRSA. subject may be empty: the server takes
// the subject from the current certificate.
func CreateRequest(s Signer, subject pkix.Name) ([]byte, error) {
	if s == nil {
		return nil, errors.New("browsercrypto: no signer")
	}
	if _, ok := s.Public().(*gost3410.PublicKey); ok {
		// crypto/x509 cannot sign GOST: x509sig writes the same request
		// with the GOST key and signature algorithm of the key's size.
		der, err := x509sig.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subject}, s)
		if err != nil {
			return nil, fmt.Errorf("browsercrypto: certificate request: %w", err)
		}
		return der, nil
	}
	sigAlg, err := signatureAlgorithm(s.Public())
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:            subject,
		SignatureAlgorithm: sigAlg,
	}, s)
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: certificate request: %w", err)
	}
	return der, nil
}

// SignDetached signs content as a detached CMS SignedData (renewal/ca/cms)
// with s, for the application and the acknowledgement. cert must be the
// certificate of s (ErrKeyMismatch otherwise); chain is included as given;
// at is the signingTime attribute (the zero time omits it).
func SignDetached(s Signer, cert *x509.Certificate, chain []*x509.Certificate, content []byte, at time.Time) ([]byte, error) {
	if s == nil || cert == nil {
		return nil, errors.New("browsercrypto: signer and certificate are required")
	}
	if err := matches(s.Public(), gostPublicOf(cert)); err != nil {
		return nil, err
	}
	return cms.SignDetached(content, cert, chain, at, func(msg []byte) ([]byte, error) {
		return s.SignMessage(rand.Reader, msg, messageHash(s.Public()))
	})
}

// SignChallenge signs the server's challenge message with SHA-256: ECDSA
// gives an ASN.1 DER signature, RSA a PKCS#1 v1.5 one; a GOST key signs
// the same message over its own Streebog (s‖r). The signature is
// checked against s.Public() before it is returned.
func SignChallenge(s Signer, message []byte) ([]byte, error) {
	if s == nil {
		return nil, errors.New("browsercrypto: no signer")
	}
	sig, err := s.SignMessage(rand.Reader, message, messageHash(s.Public()))
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: sign challenge: %w", err)
	}
	if err := verify(s.Public(), message, sig); err != nil {
		return nil, err
	}
	return sig, nil
}

// signatureAlgorithm is the X.509 algorithm used with a key: SHA-256
// always, also for P-384 and big RSA keys (the browser then always asks
// WebCrypto for SHA-256, as renewal/ca/cms does).
func signatureAlgorithm(pub crypto.PublicKey) (x509.SignatureAlgorithm, error) {
	if _, err := AlgorithmOf(pub); err != nil {
		return 0, err
	}
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return x509.ECDSAWithSHA256, nil
	default:
		return x509.SHA256WithRSA, nil
	}
}

// messageHash is the opts a Signer's SignMessage gets: SHA-256, or 0 for
// GOST, whose key hashes with its own Streebog.
func messageHash(pub crypto.PublicKey) crypto.Hash {
	if _, ok := pub.(*gost3410.PublicKey); ok {
		return 0
	}
	return crypto.SHA256
}

// verify checks a signature in X.509 form: SHA-256 for ECDSA and RSA,
// the key's Streebog for GOST.
func verify(pub crypto.PublicKey, message, sig []byte) error {
	digest := sha256.Sum256(message)
	switch k := pub.(type) {
	case *gost3410.PublicKey:
		if gost3410.VerifyMessage(k, message, sig) {
			return nil
		}
	case *ecdsa.PublicKey:
		if ecdsa.VerifyASN1(k, digest[:], sig) {
			return nil
		}
	case *rsa.PublicKey:
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], sig) == nil {
			return nil
		}
	default:
		return fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
	return errors.New("browsercrypto: the signature does not verify with the key's public key")
}

// matches reports ErrKeyMismatch unless a and b are the same public key.
func matches(a, b crypto.PublicKey) error {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !k.Equal(b) {
		return ErrKeyMismatch
	}
	return nil
}
