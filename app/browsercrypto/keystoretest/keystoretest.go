// Package keystoretest writes PKCS#12 key stores holding several
// key+certificate pairs, for tests (the unit tests of browsercrypto, the
// Chromium suite): go-pkcs12 writes one key per file.
package keystoretest

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"
	"math/big"
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

// Write makes a PKCS#12 file holding several key+certificate pairs, as
// a CA's or a tool's key store does: go-pkcs12 writes one key per file, so
// the encrypted key bags are taken from one-key files it wrote with the
// same password, the certificates put in a plain safe, and the MAC
// computed again over the new content. of[i] is keys[i]'s certificate;
// certs are the certificates the file holds.
func Write(password string, keys []crypto.Signer, of, certs []*x509.Certificate) ([]byte, error) {
	var keyBags, certBags []asn1.RawValue
	for i, k := range keys {
		one, err := pkcs12.LegacyDES.Encode(k, of[i], nil, password)
		if err != nil {
			return nil, err
		}
		safes, err := authSafes(one)
		if err != nil {
			return nil, err
		}
		if len(safes) != 2 {
			return nil, fmt.Errorf("go-pkcs12 wrote %d safes, want 2", len(safes))
		}
		// go-pkcs12: [0] the certificates (encrypted), [1] the key (data).
		var contents []byte
		if err := unmarshal(safes[1].Content.Bytes, &contents); err != nil {
			return nil, err
		}
		var bags []asn1.RawValue
		if err := unmarshal(contents, &bags); err != nil {
			return nil, err
		}
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
	return asn1.Marshal(p12PFX{
		Version:  3,
		AuthSafe: p12ContentInfo{ContentType: oidP12Data, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: mustASN1(authSafe)}},
		MacData:  p12MacData{Mac: p12DigestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidP12SHA256, Parameters: asn1.NullRawValue}, Digest: mac.Sum(nil)}, MacSalt: salt, Iterations: iterations},
	})
}

func authSafes(pfxDER []byte) ([]p12ContentInfo, error) {
	var pfx p12PFX
	if err := unmarshal(pfxDER, &pfx); err != nil {
		return nil, err
	}
	var content []byte
	if err := unmarshal(pfx.AuthSafe.Content.Bytes, &content); err != nil {
		return nil, err
	}
	var safes []p12ContentInfo
	err := unmarshal(content, &safes)
	return safes, err
}

func unmarshal(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err == nil && len(rest) != 0 {
		err = fmt.Errorf("asn1: %d bytes left", len(rest))
	}
	return err
}

// mustASN1 marshals what this package builds itself (never fails).
func mustASN1(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
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
