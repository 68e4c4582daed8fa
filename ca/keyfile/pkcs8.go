package keyfile

import (
	"crypto"
	"encoding/pem"
	"fmt"
)

// EncryptPKCS8 returns key as a DER EncryptedPrivateKeyInfo under PBES2
// (ProfileAES: PBKDF2-HMAC-SHA256 and AES-256-CBC, as `openssl pkcs8
// -topk8 -v2 aes-256-cbc` writes).
func EncryptPKCS8(key crypto.Signer, password string, opts *Options) ([]byte, error) {
	pr, iterations, random, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	der, err := marshalPrivateKey(key)
	if err != nil {
		return nil, err
	}
	defer clear(der)
	alg, err := newPBES2(pr, iterations, random)
	if err != nil {
		return nil, err
	}
	enc, err := pbes2(alg, secret{text: password}, der, true)
	if err != nil {
		return nil, err
	}
	return marshalEPKI(encryptedPrivateKeyInfo{Algorithm: alg, Encrypted: enc})
}

// DecryptPKCS8 reads a DER or PEM ("ENCRYPTED PRIVATE KEY")
// EncryptedPrivateKeyInfo. A wrong password shows as ErrPassword (bad
// padding) or, rarely, as a key that does not parse (ErrPassword too).
func DecryptPKCS8(data []byte, password string) (crypto.Signer, error) {
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "ENCRYPTED PRIVATE KEY" {
			return nil, fmt.Errorf("%w: PEM block %q", ErrMalformed, b.Type)
		}
		data = b.Bytes
	}
	var epki encryptedPrivateKeyInfo
	if err := unmarshal(data, &epki, "EncryptedPrivateKeyInfo"); err != nil {
		return nil, err
	}
	der, err := pbes2(epki.Algorithm, secret{text: password}, epki.Encrypted, false)
	if err != nil {
		return nil, err
	}
	defer clear(der)
	k, _, err := parsePrivateKey(der)
	if err != nil {
		// Without a MAC, garbage after decryption under a wrong key is
		// the likely cause; padding passes by chance 1 time in 256.
		return nil, fmt.Errorf("%w (%v)", ErrPassword, err)
	}
	return k, nil
}
