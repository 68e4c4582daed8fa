package keyfile

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"renewal/ca/crypto/gost3410"
)

// The readers take files from anyone: whatever the bytes, an error or a
// result, never a panic. Seeds are small files of ours with few iterations.
func FuzzDecodePKCS12(f *testing.F) {
	k, err := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	for _, pr := range []Profile{ProfileAES, ProfileGOST} {
		b, err := EncodePKCS12([]Entry{{Key: k, FriendlyName: "seed"}}, "pw", &Options{Profile: pr, Iterations: 1})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "pw")
	}
	// And go-pkcs12's: RC2-40 certificate safe, PBMAC1.
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ec.Public(), ec)
	if err != nil {
		f.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		f.Fatal(err)
	}
	for _, enc := range []*pkcs12.Encoder{pkcs12.LegacyRC2, pkcs12.Modern2026} {
		b, err := enc.WithIterations(1).Encode(ec, cert, nil, "pw")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "pw")
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x03}, "")
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		es, err := DecodePKCS12(data, password)
		if err == nil && len(es) == 0 {
			t.Fatal("no error and no entries")
		}
	})
}

func FuzzDecryptPKCS8(f *testing.F) {
	k, err := gost3410.GenerateKey(gost3410.Curve512A(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	for _, pr := range []Profile{ProfileAES, ProfileGOST} {
		b, err := EncryptPKCS8(k, "pw", &Options{Profile: pr, Iterations: 1})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "pw")
	}
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		key, err := DecryptPKCS8(data, password)
		if err == nil && key == nil {
			t.Fatal("no error and no key")
		}
	})
}
