package browsercrypto

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"hash"
	"math/big"
	"testing"
	"unicode/utf16"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// ASN.1 of PKCS#12 (RFC 7292), as much as a test key store needs.
type (
	p12ContentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
	}
	p12DigestInfo struct {
		Algorithm pkix.AlgorithmIdentifier
		Digest    []byte
	}
	p12MacData struct {
		Mac        p12DigestInfo
		MacSalt    []byte
		Iterations int `asn1:"optional,default:1"`
	}
	p12PFX struct {
		Version  int
		AuthSafe p12ContentInfo
		MacData  p12MacData `asn1:"optional"`
	}
	p12SafeBag struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue `asn1:"tag:0,explicit"`
	}
	p12CertBag struct {
		ID   asn1.ObjectIdentifier
		Data []byte `asn1:"tag:0,explicit"`
	}
)

var (
	oidP12Data     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidP12CertBag  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidP12X509Cert = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidP12SHA256   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// keyStore writes a PKCS#12 file holding several key+certificate pairs, as
// a CA's or a tool's key store does: go-pkcs12 writes one key per file, so
// the encrypted key bags are taken from one-key files it wrote with the
// same password, the certificates put in a plain safe, and the MAC
// computed again over the new content. of[i] is keys[i]'s certificate;
// certs are the certificates the file holds.
func keyStore(t *testing.T, password string, keys []crypto.Signer, of, certs []*x509.Certificate) []byte {
	t.Helper()
	var keyBags, certBags []asn1.RawValue
	for i, k := range keys {
		one, err := pkcs12.LegacyDES.Encode(k, of[i], nil, password)
		if err != nil {
			t.Fatal(err)
		}
		safes := authSafes(t, one)
		// go-pkcs12: [0] the certificates (encrypted), [1] the key (data).
		var contents []byte
		mustUnmarshal(t, safes[1].Content.Bytes, &contents)
		var bags []asn1.RawValue
		mustUnmarshal(t, contents, &bags)
		keyBags = append(keyBags, bags...)
	}
	for _, c := range certs {
		cb := mustASN1(p12CertBag{ID: oidP12X509Cert, Data: c.Raw})
		certBags = append(certBags, asn1.RawValue{FullBytes: mustASN1(p12SafeBag{ID: oidP12CertBag,
			Value: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: cb}})})
	}
	dataCI := func(bags []asn1.RawValue) p12ContentInfo {
		return p12ContentInfo{ContentType: oidP12Data, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0,
			IsCompound: true, Bytes: mustASN1(mustASN1(bags))}}
	}
	authSafe := mustASN1([]p12ContentInfo{dataCI(certBags), dataCI(keyBags)})
	salt := make([]byte, 8)
	rand.Read(salt)
	const iterations = 2048
	macKey := pkcs12KDF(sha256.New, 32, 64, salt, bmpPassword(password), iterations, 3, 32)
	mac := hmac.New(sha256.New, macKey)
	mac.Write(authSafe)
	return mustASN1(p12PFX{
		Version:  3,
		AuthSafe: p12ContentInfo{ContentType: oidP12Data, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: mustASN1(authSafe)}},
		MacData:  p12MacData{Mac: p12DigestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidP12SHA256, Parameters: asn1.NullRawValue}, Digest: mac.Sum(nil)}, MacSalt: salt, Iterations: iterations},
	})
}

func authSafes(t *testing.T, pfxDER []byte) []p12ContentInfo {
	t.Helper()
	var pfx p12PFX
	mustUnmarshal(t, pfxDER, &pfx)
	var content []byte
	mustUnmarshal(t, pfx.AuthSafe.Content.Bytes, &content)
	var safes []p12ContentInfo
	mustUnmarshal(t, content, &safes)
	return safes
}

func mustUnmarshal(t *testing.T, der []byte, v any) {
	t.Helper()
	if rest, err := asn1.Unmarshal(der, v); err != nil || len(rest) != 0 {
		t.Fatalf("asn1: %v (%d bytes left)", err, len(rest))
	}
}

// bmpPassword is a PKCS#12 password: UTF-16BE with a terminating zero.
func bmpPassword(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return append(b, 0, 0)
}

// pkcs12KDF is RFC 7292 appendix B.2 (u, v in bytes).
func pkcs12KDF(h func() hash.Hash, u, v int, salt, password []byte, r int, id byte, size int) []byte {
	fill := func(p []byte) []byte {
		if len(p) == 0 {
			return nil
		}
		n := v * ((len(p) + v - 1) / v)
		return bytes.Repeat(p, (n+len(p)-1)/len(p))[:n]
	}
	D := bytes.Repeat([]byte{id}, v)
	I := append(fill(salt), fill(password)...)
	var out []byte
	for len(out) < size {
		hh := h()
		hh.Write(D)
		hh.Write(I)
		A := hh.Sum(nil)
		for j := 1; j < r; j++ {
			hh = h()
			hh.Write(A)
			A = hh.Sum(nil)
		}
		out = append(out, A...)
		B := new(big.Int).SetBytes(fill(A)[:v])
		B.Add(B, big.NewInt(1))
		mod := new(big.Int).Lsh(big.NewInt(1), uint(8*v))
		for j := 0; j < len(I); j += v {
			Ij := new(big.Int).SetBytes(I[j : j+v])
			Ij.Add(Ij, B).Mod(Ij, mod)
			Ij.FillBytes(I[j : j+v])
		}
	}
	return out[:size]
}

func TestDecodePKCS12(t *testing.T) {
	ca := newTestCA(t)
	const password = "пароль 1234"
	k1, k2 := newGoSigner(t, AlgECDSAP256).key, newGoSigner(t, AlgRSA2048).key
	c1, c2 := ca.issue(t, k1.Public(), "Первый Владелец"), ca.issue(t, k2.Public(), "Второй Владелец")
	keys, keys12 := []crypto.Signer{k1, k2}, []*x509.Certificate{c1, c2}

	t.Run("ok/two-entries", func(t *testing.T) {
		got, err := decodePKCS12(keyStore(t, password, keys, keys12, []*x509.Certificate{c1, c2, ca.cert}), password)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("%d entries, want 2", len(got))
		}
		for i, want := range []*x509.Certificate{c1, c2} {
			if !got[i].cert.Equal(want) {
				t.Errorf("entry %d: certificate %q, want %q", i, got[i].cert.Subject.CommonName, want.Subject.CommonName)
			}
			if err := matches(got[i].key.Public(), want.PublicKey); err != nil {
				t.Errorf("entry %d: the key is not the certificate's", i)
			}
			if len(got[i].chain) != 1 || !got[i].chain[0].Equal(ca.cert) {
				t.Errorf("entry %d: chain of %d, want the CA only", i, len(got[i].chain))
			}
		}
	})
	t.Run("ok/key-without-certificate-left-out", func(t *testing.T) {
		got, err := decodePKCS12(keyStore(t, password, keys, keys12, []*x509.Certificate{c2}), password)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[0].cert.Equal(c2) {
			t.Fatalf("%d entries, want the second key only", len(got))
		}
	})
	t.Run("fail/no-key-with-its-certificate", func(t *testing.T) {
		_, err := decodePKCS12(keyStore(t, password, keys, keys12, []*x509.Certificate{ca.cert}), password)
		if !errors.Is(err, ErrKeyMismatch) {
			t.Fatalf("%v, want ErrKeyMismatch", err)
		}
	})
	t.Run("ok/one-entry-file", func(t *testing.T) {
		one, err := pkcs12.Modern.Encode(k1, c1, []*x509.Certificate{ca.cert}, password)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodePKCS12(one, password)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[0].cert.Equal(c1) || len(got[0].chain) != 1 {
			t.Fatalf("%d entries, want 1 with its CA", len(got))
		}
	})
	t.Run("fail/wrong-password", func(t *testing.T) {
		_, err := decodePKCS12(keyStore(t, password, keys, keys12, keys12), "wrong")
		if !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("%v, want ErrWrongPassword", err)
		}
	})
	t.Run("fail/not-a-file", func(t *testing.T) {
		if _, err := decodePKCS12([]byte("not a key file"), password); !errors.Is(err, ErrBadFile) {
			t.Fatalf("%v, want ErrBadFile", err)
		}
	})
}
