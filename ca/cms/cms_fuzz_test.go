package cms_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"renewal/ca/cms"
	"renewal/ca/crypto/gost3410"
)

// FuzzP1363ToDER: the one parse in this package (of what WebCrypto's sign
// returns). A refusal is ErrBadP1363; an accepted signature is the DER
// ECDSA-Sig-Value of its two halves, canonical (asn1.Marshal writes the
// same bytes) and with nothing after it.
func FuzzP1363ToDER(f *testing.F) {
	for _, n := range []int{64, 96, 132} {
		f.Add(bytes.Repeat([]byte{0x5a}, n))
		f.Add(append([]byte{0x80}, bytes.Repeat([]byte{0x01}, n-1)...))
		f.Add(append(make([]byte, n/2), bytes.Repeat([]byte{0xff}, n/2)...))  // r zero
		f.Add(append(append(make([]byte, n/2-1), 1), make([]byte, n/2-1)...)) // one short
	}
	f.Add(append(make([]byte, 31), bytes.Repeat([]byte{0x7f}, 33)...))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, sig []byte) {
		der, err := cms.P1363ToDER(sig)
		if err != nil {
			if !errors.Is(err, cms.ErrBadP1363) {
				t.Fatalf("refusal %v is not ErrBadP1363", err)
			}
			return
		}
		var v struct{ R, S *big.Int }
		rest, err := asn1.Unmarshal(der, &v)
		if err != nil || len(rest) != 0 {
			t.Fatalf("output is not one ECDSA-Sig-Value: %v, %d bytes after", err, len(rest))
		}
		n := len(sig) / 2
		if v.R.Cmp(new(big.Int).SetBytes(sig[:n])) != 0 || v.S.Cmp(new(big.Int).SetBytes(sig[n:])) != 0 {
			t.Fatalf("r, s changed: %x → %v, %v", sig, v.R, v.S)
		}
		again, err := asn1.Marshal(v)
		if err != nil || !bytes.Equal(again, der) {
			t.Fatalf("not canonical DER: %x, asn1 writes %x", der, again)
		}
	})
}

// FuzzVerify: Verify takes signatures from anyone; whatever the bytes, an
// error or a verified result, never a panic.
func FuzzVerify(f *testing.F) {
	key, err := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	// A self-signed certificate is not needed: Verify checks the signature
	// only, so a certificate carrying the key, signed by anything, will do.
	cert := fuzzGOSTCert(f, key)
	content := []byte("fuzz")
	for _, sign := range []func([]byte, *x509.Certificate, []*x509.Certificate, time.Time, func([]byte) ([]byte, error)) ([]byte, error){cms.SignDetached, cms.SignAttached} {
		der, err := sign(content, cert, nil, time.Unix(1e9, 0), cms.MessageSignerFunc(key))
		if err != nil {
			f.Fatal(err)
		}
		if _, err := cms.Verify(der, content); err != nil {
			if _, err2 := cms.Verify(der, nil); err2 != nil {
				f.Fatalf("a seed must verify: %v / %v", err, err2)
			}
		}
		f.Add(der, content, true)
		f.Add(der, []byte(nil), false)
	}
	f.Fuzz(func(t *testing.T, der, content []byte, detached bool) {
		if !detached {
			content = nil
		}
		v, err := cms.Verify(der, content)
		if err == nil && (v == nil || v.Signer == nil) {
			t.Fatal("verified without a signer")
		}
	})
}

// fuzzGOSTCert builds a certificate carrying key's public key with a
// placeholder signature: Go's x509 cannot sign one for a GOST key, and
// Verify never looks at the certificate's own signature.
func fuzzGOSTCert(f *testing.F, key *gost3410.PrivateKey) *x509.Certificate {
	spki, err := gost3410.MarshalPKIXPublicKey(key.PublicKey())
	if err != nil {
		f.Fatal(err)
	}
	name, err := asn1.Marshal(pkix.Name{CommonName: "fuzz"}.ToRDNSequence())
	if err != nil {
		f.Fatal(err)
	}
	alg := pkix.AlgorithmIdentifier{Algorithm: key.PublicKey().Curve().SignatureAlgorithm()}
	type validity struct{ NotBefore, NotAfter time.Time }
	tbs, err := asn1.Marshal(struct {
		Version  int `asn1:"explicit,tag:0"`
		Serial   *big.Int
		Alg      pkix.AlgorithmIdentifier
		Issuer   asn1.RawValue
		Validity validity
		Subject  asn1.RawValue
		SPKI     asn1.RawValue
	}{2, big.NewInt(1), alg, asn1.RawValue{FullBytes: name},
		validity{time.Unix(1e9, 0).UTC(), time.Unix(2e9, 0).UTC()}, asn1.RawValue{FullBytes: name}, asn1.RawValue{FullBytes: spki}})
	if err != nil {
		f.Fatal(err)
	}
	der, err := asn1.Marshal(struct {
		TBS asn1.RawValue
		Alg pkix.AlgorithmIdentifier
		Sig asn1.BitString
	}{asn1.RawValue{FullBytes: tbs}, alg, asn1.BitString{Bytes: make([]byte, 64), BitLength: 512}})
	if err != nil {
		f.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		f.Fatal(err)
	}
	return c
}
