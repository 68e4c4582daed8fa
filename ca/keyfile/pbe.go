package keyfile

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"

	"renewal/ca/crypto/streebog"
)

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBESHA3DES = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBESHARC2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 5}
	oidPBESHARC40 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6}
	oidPBMAC1     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}

	oidHMACSHA1      = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidHMACStreebog2 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 1}
	oidHMACStreebog5 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 4, 2}

	oidAES128CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidGOST28147 = asn1.ObjectIdentifier{1, 2, 643, 2, 2, 21}

	oidSHA1        = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA512      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	oidStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
)

// prf is a PBKDF2 pseudo-random function: HMAC over hash, with the most
// iterations a file may ask of it.
type prf struct {
	oid     asn1.ObjectIdentifier
	hash    func() hash.Hash
	maxIter int
}

var prfs = []prf{
	{oidHMACSHA1, sha1.New, MaxIterations}, // PBKDF2's default when prf is absent (RFC 8018 A.2)
	{oidHMACSHA256, sha256.New, MaxIterations},
	{oidHMACSHA512, sha512.New, MaxIterations},
	{oidHMACStreebog2, streebog.New256, MaxIterationsStreebog},
	{oidHMACStreebog5, streebog.New512, MaxIterationsStreebog},
}

// pbeCipher is one PBES2 encryption scheme.
type pbeCipher struct {
	oid    asn1.ObjectIdentifier
	keyLen int
	// parseParams reads the scheme's parameters (the IV and whatever else)
	// into a function that en- or decrypts with key.
	parseParams func(params []byte) (crypt func(key, data []byte, encrypt bool) ([]byte, error), err error)
	// newParams makes fresh parameters from random bytes.
	newParams func(random []byte) ([]byte, error)
	ivLen     int
}

var ciphers = []pbeCipher{
	aesCBC(oidAES128CBC, 16), aesCBC(oidAES192CBC, 24), aesCBC(oidAES256CBC, 32),
	{
		// GOST 28147-89 in CFB mode with CryptoPro key meshing (RFC 4357
		// 2.3.2), parameters Gost28147-89-Parameters {iv, paramSet}: what
		// `openssl pkcs12 -keypbe gost89` writes with the GOST engine.
		oid: oidGOST28147, keyLen: 32, ivLen: 8,
		parseParams: func(params []byte) (func(key, data []byte, encrypt bool) ([]byte, error), error) {
			var p gost28147Params
			if rest, err := asn1.Unmarshal(params, &p); err != nil || len(rest) != 0 || len(p.IV) != 8 {
				return nil, fmt.Errorf("%w: GOST 28147-89 parameters", ErrMalformed)
			}
			sbox, ok := gostSboxes[p.ParamSet.String()]
			if !ok {
				return nil, fmt.Errorf("%w: GOST 28147-89 parameter set %v", ErrUnsupported, p.ParamSet)
			}
			return func(key, data []byte, encrypt bool) ([]byte, error) {
				return gostCFB(sbox, key, p.IV, data, encrypt), nil
			}, nil
		},
		newParams: func(random []byte) ([]byte, error) {
			return asn1.Marshal(gost28147Params{IV: random, ParamSet: oidGOSTParamZ})
		},
	},
}

type gost28147Params struct {
	IV       []byte
	ParamSet asn1.ObjectIdentifier
}

func aesCBC(oid asn1.ObjectIdentifier, keyLen int) pbeCipher {
	return pbeCipher{
		oid: oid, keyLen: keyLen, ivLen: aes.BlockSize,
		parseParams: func(params []byte) (func(key, data []byte, encrypt bool) ([]byte, error), error) {
			var iv []byte
			if rest, err := asn1.Unmarshal(params, &iv); err != nil || len(rest) != 0 || len(iv) != aes.BlockSize {
				return nil, fmt.Errorf("%w: AES-CBC IV", ErrMalformed)
			}
			return func(key, data []byte, encrypt bool) ([]byte, error) {
				b, err := aes.NewCipher(key)
				if err != nil {
					return nil, err
				}
				if encrypt {
					n := aes.BlockSize - len(data)%aes.BlockSize
					out := make([]byte, len(data)+n)
					copy(out, data)
					for i := len(data); i < len(out); i++ {
						out[i] = byte(n)
					}
					cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, out)
					return out, nil
				}
				if len(data) == 0 || len(data)%aes.BlockSize != 0 {
					return nil, fmt.Errorf("%w: ciphertext length %d", ErrMalformed, len(data))
				}
				out := make([]byte, len(data))
				cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, data)
				// A wrong key gives random padding: that is how a wrong
				// password shows when there is no MAC (PKCS#8).
				return unpad(out, aes.BlockSize)
			}, nil
		},
		newParams: func(random []byte) ([]byte, error) { return asn1.Marshal(random) },
	}
}

type pbes2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

// secret is a password as the derivations take it: its UTF-8 text for
// PBKDF2, its BMPString for the PKCS#12 KDF.
type secret struct {
	text string
	// bare: the empty password as no bytes at all where the PKCS#12 KDF
	// takes a BMPString, instead of RFC 7292's one terminating zero; some
	// writers do so, and OpenSSL and go-pkcs12 try both.
	bare bool
}

func (s secret) bmp() ([]byte, error) {
	if s.bare {
		return nil, nil
	}
	return bmpPassword(s.text)
}

// pbes2 en- or decrypts data under the AlgorithmIdentifier alg: PBES2, or
// (to read only) one of PKCS#12's own PBEs (pkcs12PBEs).
func pbes2(alg pkix.AlgorithmIdentifier, password secret, data []byte, encrypt bool) ([]byte, error) {
	if !encrypt {
		for i := range pkcs12PBEs {
			if pkcs12PBEs[i].oid.Equal(alg.Algorithm) {
				return pkcs12PBEs[i].decrypt(alg, password, data)
			}
		}
	}
	if !alg.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("%w: encryption %v (PBES2, PBE-SHA1-3DES and PBE-SHA1-RC2 are read)", ErrUnsupported, alg.Algorithm)
	}
	var p pbes2Params
	if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: PBES2 parameters", ErrMalformed)
	}
	kp, r, err := parsePBKDF2(p.KDF)
	if err != nil {
		return nil, err
	}
	h := r.hash
	var c *pbeCipher
	for i := range ciphers {
		if ciphers[i].oid.Equal(p.Scheme.Algorithm) {
			c = &ciphers[i]
		}
	}
	if c == nil {
		return nil, fmt.Errorf("%w: cipher %v", ErrUnsupported, p.Scheme.Algorithm)
	}
	if kp.KeyLength != 0 && kp.KeyLength != c.keyLen {
		return nil, fmt.Errorf("%w: key length %d for a %d-byte key", ErrMalformed, kp.KeyLength, c.keyLen)
	}
	crypt, err := c.parseParams(p.Scheme.Parameters.FullBytes)
	if err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(h, password.text, kp.Salt, kp.Iterations, c.keyLen)
	if err != nil {
		return nil, fmt.Errorf("keyfile: PBKDF2: %w", err)
	}
	defer clear(key)
	return crypt(key, data, encrypt)
}

// parsePBKDF2 reads PBKDF2's parameters and finds their PRF, its iteration
// count within the PRF's bound.
func parsePBKDF2(kdf pkix.AlgorithmIdentifier) (*pbkdf2Params, *prf, error) {
	if !kdf.Algorithm.Equal(oidPBKDF2) {
		return nil, nil, fmt.Errorf("%w: key derivation %v", ErrUnsupported, kdf.Algorithm)
	}
	var kp pbkdf2Params
	if rest, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &kp); err != nil || len(rest) != 0 {
		return nil, nil, fmt.Errorf("%w: PBKDF2 parameters", ErrMalformed)
	}
	prfOID := kp.PRF.Algorithm
	if len(prfOID) == 0 {
		prfOID = oidHMACSHA1
	}
	r, ok := prfFor(prfOID)
	if !ok {
		return nil, nil, fmt.Errorf("%w: PBKDF2 PRF %v", ErrUnsupported, prfOID)
	}
	if kp.Iterations < 1 || kp.Iterations > r.maxIter {
		return nil, nil, fmt.Errorf("%w: %d", ErrIterations, kp.Iterations)
	}
	return &kp, r, nil
}

func prfFor(oid asn1.ObjectIdentifier) (*prf, bool) {
	for i := range prfs {
		if prfs[i].oid.Equal(oid) {
			return &prfs[i], true
		}
	}
	return nil, false
}

type pbmac1Params struct {
	KDF pkix.AlgorithmIdentifier
	MAC pkix.AlgorithmIdentifier
}

// pbmac1 is the MAC of RFC 9579 (PBMAC1 of RFC 8018, what OpenSSL 3.4
// writes with -pbmac1_pbkdf2 and go-pkcs12's Modern2026): HMAC keyed by
// PBKDF2 over the UTF-8 password, both named in its parameters; MacData's
// salt and iterations are ignored. The key length must be stated and be
// 20 to 64 bytes (RFC 9579 section 5: a short key would let a forger
// guess it).
func pbmac1(params []byte, password string, data []byte) ([]byte, error) {
	var p pbmac1Params
	if rest, err := asn1.Unmarshal(params, &p); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: PBMAC1 parameters", ErrMalformed)
	}
	kp, r, err := parsePBKDF2(p.KDF)
	if err != nil {
		return nil, err
	}
	m, ok := prfFor(p.MAC.Algorithm)
	if !ok {
		return nil, fmt.Errorf("%w: PBMAC1 MAC %v", ErrUnsupported, p.MAC.Algorithm)
	}
	if kp.KeyLength < 20 || kp.KeyLength > 64 {
		return nil, fmt.Errorf("%w: PBMAC1 key length %d", ErrMalformed, kp.KeyLength)
	}
	key, err := pbkdf2.Key(r.hash, password, kp.Salt, kp.Iterations, kp.KeyLength)
	if err != nil {
		return nil, fmt.Errorf("keyfile: PBKDF2: %w", err)
	}
	defer clear(key)
	h := hmac.New(m.hash, key)
	h.Write(data)
	return h.Sum(nil), nil
}

// newPBES2 makes a PBES2 AlgorithmIdentifier for the profile.
func newPBES2(pr *profile, iterations int, random func(n int) ([]byte, error)) (pkix.AlgorithmIdentifier, error) {
	salt, err := random(16)
	if err != nil {
		return pkix.AlgorithmIdentifier{}, err
	}
	var c *pbeCipher
	for i := range ciphers {
		if ciphers[i].oid.Equal(pr.cipher) {
			c = &ciphers[i]
		}
	}
	iv, err := random(c.ivLen)
	if err != nil {
		return pkix.AlgorithmIdentifier{}, err
	}
	scheme, err := c.newParams(iv)
	if err != nil {
		return pkix.AlgorithmIdentifier{}, err
	}
	kdf, err := asn1.Marshal(pbkdf2Params{
		Salt: salt, Iterations: iterations,
		PRF: pkix.AlgorithmIdentifier{Algorithm: pr.prf, Parameters: asn1.NullRawValue},
	})
	if err != nil {
		return pkix.AlgorithmIdentifier{}, err
	}
	params, err := asn1.Marshal(pbes2Params{
		KDF:    pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: asn1.RawValue{FullBytes: kdf}},
		Scheme: pkix.AlgorithmIdentifier{Algorithm: pr.cipher, Parameters: asn1.RawValue{FullBytes: scheme}},
	})
	if err != nil {
		return pkix.AlgorithmIdentifier{}, err
	}
	return pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: asn1.RawValue{FullBytes: params}}, nil
}

// macDigest is one PKCS#12 MAC digest and how its key is derived.
type macDigest struct {
	oid  asn1.ObjectIdentifier
	hash func() hash.Hash
	// gost: the key is the last 32 bytes of 96 from PBKDF2-HMAC-hash over
	// the password's UTF-8 bytes (R 50.1.112-2016, RFC 9548 §5, what
	// OpenSSL does for Streebog); otherwise the PKCS#12 KDF of RFC 7292
	// appendix B with ID 3 over the BMPString password.
	gost    bool
	maxIter int
}

var macs = []macDigest{
	{oidSHA1, sha1.New, false, MaxIterations},
	{oidSHA256, sha256.New, false, MaxIterations},
	{oidSHA512, sha512.New, false, MaxIterations},
	{oidStreebog256, streebog.New256, true, MaxIterationsStreebog},
	{oidStreebog512, streebog.New512, true, MaxIterationsStreebog},
}

func macFor(oid asn1.ObjectIdentifier) (*macDigest, bool) {
	for i := range macs {
		if macs[i].oid.Equal(oid) {
			return &macs[i], true
		}
	}
	return nil, false
}

func (m *macDigest) sum(password secret, salt []byte, iterations int, data []byte) ([]byte, error) {
	var key []byte
	if m.gost {
		k, err := pbkdf2.Key(m.hash, password.text, salt, iterations, 96)
		if err != nil {
			return nil, err
		}
		key = k[64:]
	} else {
		bmp, err := password.bmp()
		if err != nil {
			return nil, err
		}
		key = pkcs12KDF(m.hash, 3, bmp, salt, iterations, m.hash().Size())
	}
	defer clear(key)
	h := hmac.New(m.hash, key)
	h.Write(data)
	return h.Sum(nil), nil
}

// bmpPassword is the password as a BMPString with a terminating zero
// (RFC 7292 B.1). Characters outside the BMP are refused: OpenSSL and
// Windows disagree on them. The refusal is ErrPassword too: such a
// password does not open the file here, as a wrong one would not.
func bmpPassword(password string) ([]byte, error) {
	out := make([]byte, 0, 2*len(password)+2)
	for _, r := range password {
		if r > 0xffff || (r >= 0xd800 && r < 0xe000) {
			return nil, fmt.Errorf("%w (%w: a password character outside the BMP)", ErrPassword, ErrUnsupported)
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return append(out, 0, 0), nil
}

// pkcs12KDF is RFC 7292 appendix B.2.
func pkcs12KDF(newHash func() hash.Hash, id byte, password, salt []byte, iterations, size int) []byte {
	h := newHash()
	u, v := h.Size(), h.BlockSize()
	D := make([]byte, v)
	for i := range D {
		D[i] = id
	}
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		n := v * ((len(b) + v - 1) / v)
		out := make([]byte, n)
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	I := append(fill(salt), fill(password)...)
	var A []byte
	for len(A) < size {
		h.Reset()
		h.Write(D)
		h.Write(I)
		a := h.Sum(nil)
		for j := 1; j < iterations; j++ {
			h.Reset()
			h.Write(a)
			a = h.Sum(a[:0])
		}
		A = append(A, a...)
		if len(A) >= size {
			break
		}
		B := make([]byte, v)
		for i := range B {
			B[i] = a[i%u]
		}
		// I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I.
		for j := 0; j < len(I); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				s := int(I[j+k]) + int(B[k]) + carry
				I[j+k] = byte(s)
				carry = s >> 8
			}
		}
	}
	return A[:size]
}

type pkcs12PBEParams struct {
	Salt       []byte
	Iterations int
}

// pkcs12PBE is one of PKCS#12's own PBEs (RFC 7292 appendix C), read
// only: key and IV from the PKCS#12 KDF with SHA-1 over the BMP password
// (IDs 1 and 2), a 64-bit block cipher in CBC mode with PKCS#7 padding.
// What `openssl pkcs12 -legacy` (and OpenSSL 1.x by default) writes:
// 3DES for the key, 40-bit RC2 for the certificate safe.
type pkcs12PBE struct {
	oid    asn1.ObjectIdentifier
	keyLen int
	cbc    func(key, iv, data []byte) ([]byte, error)
}

var pkcs12PBEs = []pkcs12PBE{
	{oidPBESHA3DES, 24, func(key, iv, data []byte) ([]byte, error) {
		b, err := des.NewTripleDESCipher(key)
		if err != nil {
			return nil, err
		}
		out := make([]byte, len(data))
		cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, data)
		return out, nil
	}},
	{oidPBESHARC2, 16, rc2CBC},
	{oidPBESHARC40, 5, rc2CBC},
}

func rc2CBC(key, iv, data []byte) ([]byte, error) { return rc2CBCDecrypt(key, iv, data), nil }

func (e *pkcs12PBE) decrypt(alg pkix.AlgorithmIdentifier, password secret, data []byte) ([]byte, error) {
	var p pkcs12PBEParams
	if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: PKCS#12 PBE parameters", ErrMalformed)
	}
	if p.Iterations < 1 || p.Iterations > MaxIterations {
		return nil, fmt.Errorf("%w: %d", ErrIterations, p.Iterations)
	}
	if len(data) == 0 || len(data)%8 != 0 {
		return nil, fmt.Errorf("%w: ciphertext length %d", ErrMalformed, len(data))
	}
	bmp, err := password.bmp()
	if err != nil {
		return nil, err
	}
	key := pkcs12KDF(sha1.New, 1, bmp, p.Salt, p.Iterations, e.keyLen)
	defer clear(key)
	iv := pkcs12KDF(sha1.New, 2, bmp, p.Salt, p.Iterations, 8)
	out, err := e.cbc(key, iv, data)
	if err != nil {
		return nil, err
	}
	return unpad(out, 8)
}

// unpad strips PKCS#7 padding; bad padding is how a wrong key shows.
func unpad(out []byte, block int) ([]byte, error) {
	n := int(out[len(out)-1])
	if n == 0 || n > block {
		return nil, ErrPassword
	}
	bad := 0
	for _, c := range out[len(out)-n:] {
		bad |= subtle.ConstantTimeByteEq(c, byte(n)) ^ 1
	}
	if bad != 0 {
		return nil, ErrPassword
	}
	return out[:len(out)-n], nil
}
