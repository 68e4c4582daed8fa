package x509sig

import (
	"crypto"
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// A renewal checks the same signatures again and again: the issuing CA's
// by the root on every chain, the current certificate's at the proof, the
// request check and the issuance, a new certificate by signWith, by
// CreateCertificate and by the authority after it. For ECDSA that costs
// microseconds; our GOST and bign verifications cost milliseconds each,
// held while a request holds a database connection. So a verification
// that passed is remembered: the same algorithm, key, signed bytes and
// signature verify the same way every time. Only successes are kept (a
// failure is recomputed, and stays a failure); the key is SHA-256 over
// all four, so a hit needs a SHA-256 collision; the cache is bounded and
// forgets an arbitrary entry when full.
//
// Parsed GOST and bign public keys are remembered the same way: parsing
// one validates it (on the curve; in the subgroup on the cofactor-4 sets,
// a scalar multiplication), and the same issuer and current keys come
// back on every chain. The keys are immutable; only valid ones are kept.
const (
	verifiedCacheSize = 4096
	parsedCacheSize   = 1024
)

var parsed = struct {
	sync.Mutex
	m map[[32]byte]crypto.PublicKey
}{m: make(map[[32]byte]crypto.PublicKey, parsedCacheSize)}

// parsedKey returns the key a SubjectPublicKeyInfo parsed to before, or
// parses it now with parse and remembers it if it is valid.
func parsedKey(spki []byte, parse func([]byte) (crypto.PublicKey, error)) (crypto.PublicKey, error) {
	k := sha256.Sum256(spki)
	parsed.Lock()
	pub, ok := parsed.m[k]
	parsed.Unlock()
	if ok {
		return pub, nil
	}
	pub, err := parse(spki)
	if err != nil {
		return nil, err
	}
	parsed.Lock()
	defer parsed.Unlock()
	if len(parsed.m) >= parsedCacheSize {
		for old := range parsed.m {
			delete(parsed.m, old)
			break
		}
	}
	parsed.m[k] = pub
	return pub, nil
}

var verified = struct {
	sync.Mutex
	m map[[32]byte]struct{}
}{m: make(map[[32]byte]struct{}, verifiedCacheSize)}

// verifiedKey names one verification: the algorithm, the key (its
// SubjectPublicKeyInfo), the signed bytes and the signature, each
// length-prefixed so that no two inputs run together.
func verifiedKey(alg string, pub crypto.PublicKey, signed, sig []byte) ([32]byte, bool) {
	spki, err := MarshalPublicKey(pub)
	if err != nil {
		return [32]byte{}, false
	}
	h := sha256.New()
	var n [8]byte
	for _, part := range [][]byte{[]byte(alg), spki, signed, sig} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k, true
}

func wasVerified(k [32]byte) bool {
	verified.Lock()
	defer verified.Unlock()
	_, ok := verified.m[k]
	return ok
}

func rememberVerified(k [32]byte) {
	verified.Lock()
	defer verified.Unlock()
	if len(verified.m) >= verifiedCacheSize {
		for old := range verified.m { // map order: an arbitrary entry
			delete(verified.m, old)
			break
		}
	}
	verified.m[k] = struct{}{}
}
