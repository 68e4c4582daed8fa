package signer

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"renewal/ca/crypto/gost3410"
)

// LoadFile reads a PKCS#8 PEM private key ("PRIVATE KEY"). For development
// only. The file must not be readable or writable by group or others: a key
// file with mode 0640 or looser is refused, not silently used.
func LoadFile(path string) (Signer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("signer: open key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("signer: stat key file: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("signer: key file %s has mode %#o: group or others may access it; chmod 600", path, perm)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("signer: key file %s is not a regular file", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signer: read key file: %w", err)
	}
	return ParsePEM(b)
}

// ParsePEM parses a PKCS#8 PEM private key.
func ParsePEM(b []byte) (Signer, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("signer: want a PEM block of type PRIVATE KEY (PKCS#8)")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		// crypto/x509 knows no GOST key; gost3410 reads the PKCS#8
		// OpenSSL's GOST engine writes (RFC 9215).
		g, gerr := gost3410.ParsePKCS8PrivateKey(block.Bytes)
		if gerr != nil {
			return nil, fmt.Errorf("signer: parse PKCS#8: %w (as GOST: %v)", err, gerr)
		}
		return g, nil
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("signer: %T cannot sign", k)
	}
	return s, nil
}

// GenerateFile creates a new key and writes it as PKCS#8 PEM with mode
// 0600. It refuses to overwrite an existing file.
func GenerateFile(path string, alg Algorithm) (Signer, error) {
	key, err := generateSoftware(alg)
	if err != nil {
		return nil, err
	}
	var der []byte
	if g, ok := key.(*gost3410.PrivateKey); ok {
		der, err = gost3410.MarshalPKCS8PrivateKey(g)
	} else {
		der, err = x509.MarshalPKCS8PrivateKey(key)
	}
	if err != nil {
		return nil, fmt.Errorf("signer: marshal key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("signer: create key file: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("signer: write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("signer: write key file: %w", err)
	}
	return key, nil
}
