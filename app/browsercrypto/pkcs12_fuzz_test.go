//go:build !js

package browsercrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// openPKCS12 is OpenPKCS12's plain-Go part (webcrypto_js.go), before the
// key goes to WebCrypto: decodePKCS12 (keyfile), which classifies the
// failure, checks the key type (AlgorithmOf accepts what importParams
// does) and that the certificate is the key's. The first entry.
func openPKCS12(data []byte, password string) (crypto.Signer, *x509.Certificate, error) {
	es, err := decodePKCS12(data, password)
	if err != nil {
		return nil, nil, err
	}
	if len(es) == 0 {
		return nil, nil, errors.New("no error and no entry")
	}
	return es[0].key, es[0].cert, nil
}

// FuzzOpenPKCS12: a hostile .p12 (or password) never panics the decoding
// the browser runs; an opened file's key signs what its certificate
// verifies. Seeds come from each of go-pkcs12's encoders (a writer we did
// not write).
func FuzzOpenPKCS12(f *testing.F) {
	newCert := func(key crypto.Signer) *x509.Certificate {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(5), Subject: pkix.Name{CommonName: "Иванов Иван Иванович"},
			NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			f.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	cert := newCert(key)
	for _, enc := range []*pkcs12.Encoder{pkcs12.Modern, pkcs12.Modern2023, pkcs12.Modern2026, pkcs12.LegacyRC2, pkcs12.LegacyDES} {
		// One iteration: the fuzzer runs the decoder, not PBKDF2.
		p12, err := enc.WithIterations(1).Encode(key, cert, []*x509.Certificate{newCert(other)}, "demo")
		if err != nil {
			f.Fatal(err)
		}
		if _, _, err := openPKCS12(p12, "demo"); err != nil {
			f.Fatalf("the valid seed does not open: %v", err)
		}
		f.Add(p12, "demo")
		f.Add(p12, "wrong")
		f.Add(p12[:len(p12)/2], "demo")
	}
	mismatched, err := pkcs12.Modern.Encode(other, cert, nil, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(mismatched, "")
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03}, "")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		signer, c, err := openPKCS12(data, password)
		if err != nil {
			if !errors.Is(err, ErrWrongPassword) && !errors.Is(err, ErrBadFile) && !errors.Is(err, ErrUnsupportedKey) && !errors.Is(err, ErrKeyMismatch) {
				t.Fatalf("an error the wizard has no message for: %v", err)
			}
			return
		}
		digest := sha256.Sum256([]byte("challenge"))
		sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatalf("opened key cannot sign: %v", err)
		}
		alg, _ := signatureAlgorithm(c.PublicKey)
		if err := c.CheckSignature(alg, []byte("challenge"), sig); err != nil {
			t.Fatalf("opened key's signature does not verify with its certificate: %v", err)
		}
	})
}
