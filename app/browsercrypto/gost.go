package browsercrypto

import (
	"crypto"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/keyfile"
)

// The GOST R 34.10-2012 key types a profile may ask for
// (wire.Renewal.KeyAlgorithm). WebCrypto has no GOST: these keys are made
// and held in Go (GOSTKey), never by GenerateKey.
const (
	AlgGOST256 KeyAlgorithm = "gost2012-256"
	AlgGOST512 KeyAlgorithm = "gost2012-512"
)

// IsGOST reports whether alg is a GOST key type, made by GenerateGOSTKey.
func IsGOST(alg KeyAlgorithm) bool { return alg == AlgGOST256 || alg == AlgGOST512 }

// gostCurve is the parameter set a new key of alg gets: CryptoPro A
// (= TC26 256 paramSetB) for 256 bits, what CryptoPro CSP and OpenSSL's
// engine (paramset:A) make by default and every Russian relying party
// takes; TC26 paramSetA for 512.
func gostCurve(alg KeyAlgorithm) (*gost3410.Curve, error) {
	switch alg {
	case AlgGOST256:
		return gost3410.CryptoProA(), nil
	case AlgGOST512:
		return gost3410.Curve512A(), nil
	}
	return nil, fmt.Errorf("%w: %q is not a GOST key type", ErrUnsupportedKey, alg)
}

// ErrSeed: a seed shorter than SeedSize for GenerateGOSTKey.
var ErrSeed = errors.New("browsercrypto: a GOST key seed must be at least 64 bytes")

// SeedSize is the size of the seed GOSTSeed makes.
const SeedSize = 64

// GOSTSeed makes the seed of a new GOST key: it mixes 64 bytes of
// crypto/rand (crypto.getRandomValues in the browser) with the person's
// entropy (pool.Sum: every mouse move and key press collected) by
// HKDF-SHA-512 (RFC 5869):
//
//	seed = HKDF-SHA-512(IKM = random64 ‖ pool.Sum(),
//	                    salt = "renewal/browsercrypto gost seed v1",
//	                    info = alg, L = 64)
//
// Here, unlike WebCrypto keys, the person's entropy really enters the key.
// It cannot weaken it: with an empty or predictable pool the seed is still
// as random as the 64 fresh bytes.
func GOSTSeed(alg KeyAlgorithm, pool *EntropyPool) ([]byte, error) {
	var fresh [64]byte
	defer clear(fresh[:])
	if _, err := rand.Read(fresh[:]); err != nil {
		return nil, fmt.Errorf("browsercrypto: random bytes: %w", err)
	}
	var sum [32]byte
	if pool != nil {
		sum = pool.Sum()
	}
	return seedFrom(alg, fresh[:], sum)
}

// seedFrom is GOSTSeed's KDF, apart so the tests can fix its inputs.
func seedFrom(alg KeyAlgorithm, fresh []byte, poolSum [32]byte) ([]byte, error) {
	ikm := make([]byte, 0, len(fresh)+len(poolSum))
	defer clear(ikm[:cap(ikm)])
	ikm = append(append(ikm, fresh...), poolSum[:]...)
	return hkdf.Key(sha512.New, ikm, []byte("renewal/browsercrypto gost seed v1"), string(alg), SeedSize)
}

// GenerateGOSTKey makes a GOST R 34.10-2012 key of alg from seed (GOSTSeed):
// gost3410.GenerateKey reads a deterministic generator keyed by the seed,
// HMAC-SHA-512 in counter mode (NIST SP 800-108):
//
//	block_i = HMAC-SHA-512(seed, "renewal/browsercrypto gost drbg v1\x00" ‖ uint64be(i)), i = 0, 1, ...
//
// The same seed and alg always give the same key (the tests fix one).
func GenerateGOSTKey(alg KeyAlgorithm, seed []byte) (*GOSTKey, error) {
	c, err := gostCurve(alg)
	if err != nil {
		return nil, err
	}
	if len(seed) < SeedSize {
		return nil, ErrSeed
	}
	d := &drbg{mac: hmac.New(sha512.New, seed)}
	defer d.wipe()
	priv, err := gost3410.GenerateKey(c, d)
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: GOST key: %w", err)
	}
	return &GOSTKey{priv: priv}, nil
}

// drbg is the counter-mode HMAC stream of GenerateGOSTKey.
type drbg struct {
	mac   hash.Hash
	n     uint64
	block []byte
}

func (d *drbg) Read(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		if len(d.block) == 0 {
			d.mac.Reset()
			d.mac.Write([]byte("renewal/browsercrypto gost drbg v1\x00"))
			var ctr [8]byte
			binary.BigEndian.PutUint64(ctr[:], d.n)
			d.n++
			d.mac.Write(ctr[:])
			d.block = d.mac.Sum(nil)
		}
		n := copy(p, d.block)
		clear(d.block[:n])
		d.block, p = d.block[n:], p[n:]
	}
	return total, nil
}

func (d *drbg) wipe() { clear(d.block); d.mac.Reset() }

// GOSTKey is a GOST R 34.10-2012 private key held in Go memory: WebCrypto
// cannot hold a GOST key, so it cannot be kept non-extractable either.
// What protects it is the password of the file it is saved in
// (ExportGOSTPKCS12, EncryptGOST); while the wizard needs it across a
// reload, IndexedDB keeps it sealed (idb_gost_js.go). It is a Signer like
// the WebCrypto keys: SignMessage hashes with the key's Streebog and
// returns s‖r (RFC 4491).
type GOSTKey struct {
	priv *gost3410.PrivateKey
}

// NewGOSTKey wraps a GOST private key (one read from a key file).
func NewGOSTKey(priv *gost3410.PrivateKey) *GOSTKey { return &GOSTKey{priv: priv} }

func (k *GOSTKey) Public() crypto.PublicKey { return k.priv.Public() }

// Sign signs a Streebog digest of the key's size (opts.HashFunc() 0).
func (k *GOSTKey) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.priv.Sign(rand.Reader, digest, opts)
}

// SignMessage signs msg over its Streebog. The hash is the key's, not the
// caller's: opts may say SHA-256 (what the ECDSA path passes) or 0; any
// other hash is refused. The nonce is derived from the key and the digest
// and hedged with crypto/rand, so a weak generator cannot leak the key.
func (k *GOSTKey) SignMessage(_ io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error) {
	if h := opts.HashFunc(); h != 0 && h != crypto.SHA256 {
		return nil, fmt.Errorf("browsercrypto: a GOST key signs with its own Streebog, not %v", h)
	}
	return k.priv.SignMessage(rand.Reader, msg, crypto.Hash(0))
}

// Algorithm is AlgGOST256 or AlgGOST512.
func (k *GOSTKey) Algorithm() KeyAlgorithm {
	a, _ := AlgorithmOf(k.Public())
	return a
}

// ExportGOSTPKCS12 writes a GOST key, its certificate and chain as a
// password-protected PKCS#12 file (renewal/ca/keyfile, ProfileAES: PBES2
// with AES-256-CBC and PBKDF2-HMAC-SHA-256, which OpenSSL with the GOST
// engine opens). cert may be nil (a key kept before its certificate).
func ExportGOSTPKCS12(k *GOSTKey, cert *x509.Certificate, chain []*x509.Certificate, password string) ([]byte, error) {
	if k == nil {
		return nil, errors.New("browsercrypto: no GOST key")
	}
	if password == "" {
		return nil, errors.New("browsercrypto: a key file needs a password")
	}
	if cert != nil {
		if err := matches(k.Public(), gostPublicOf(cert)); err != nil {
			return nil, err
		}
	}
	pfx, err := keyfile.EncodePKCS12([]keyfile.Entry{{Key: k.priv, Cert: cert, Chain: chain}}, password, nil)
	if err != nil {
		return nil, fmt.Errorf("browsercrypto: write the key file: %w", err)
	}
	return pfx, nil
}

// EncryptGOST is the key as an EncryptedPrivateKeyInfo (PKCS#8, PBES2,
// renewal/ca/keyfile) under password; DecryptGOST reads it back. The
// wizard's kept records need no password: they are sealed by WebCrypto
// (idb_gost_js.go).
func EncryptGOST(k *GOSTKey, password string) ([]byte, error) {
	if k == nil || password == "" {
		return nil, errors.New("browsercrypto: a GOST key and a password are required")
	}
	return keyfile.EncryptPKCS8(k.priv, password, nil)
}

// DecryptGOST opens EncryptGOST's bytes; a wrong password gives an error,
// never another key.
func DecryptGOST(data []byte, password string) (*GOSTKey, error) {
	key, err := keyfile.DecryptPKCS8(data, password)
	if err != nil {
		return nil, err
	}
	priv, ok := key.(*gost3410.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
	}
	return &GOSTKey{priv: priv}, nil
}

// gostPublicOf is the certificate's public key, parsed by gost3410 when
// crypto/x509 could not (it leaves PublicKey nil for GOST).
func gostPublicOf(cert *x509.Certificate) crypto.PublicKey {
	if cert.PublicKey != nil {
		return cert.PublicKey
	}
	pub, err := gost3410.ParsePKIXPublicKey(cert.RawSubjectPublicKeyInfo)
	if err != nil {
		return nil
	}
	return pub
}
