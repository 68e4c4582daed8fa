package browsercrypto

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"renewal/ca/cms"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/keyfile"
	"renewal/ca/x509sig"
)

// These run natively and under Node (GOOS=js): the GOST key lives in Go,
// the same code in both.

var gostAlgs = []KeyAlgorithm{AlgGOST256, AlgGOST512}

func fixedSeed(b byte) []byte { return bytes.Repeat([]byte{b}, SeedSize) }

func newGOSTKey(t testing.TB, alg KeyAlgorithm) *GOSTKey {
	t.Helper()
	seed, err := GOSTSeed(alg, nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := GenerateGOSTKey(alg, seed)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// selfSignedGOST is a certificate of k signed by k, for CMS tests.
func selfSignedGOST(t testing.TB, k *GOSTKey) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "Иванов Иван"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509sig.CreateCertificate(nil, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGOSTKeyFromFixedSeedIsDeterministic(t *testing.T) {
	for _, alg := range gostAlgs {
		a, err := GenerateGOSTKey(alg, fixedSeed(1))
		if err != nil {
			t.Fatal(err)
		}
		b, err := GenerateGOSTKey(alg, fixedSeed(1))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.priv.Bytes(), b.priv.Bytes()) {
			t.Errorf("%s: the same seed gave two keys", alg)
		}
		c, err := GenerateGOSTKey(alg, fixedSeed(2))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a.priv.Bytes(), c.priv.Bytes()) {
			t.Errorf("%s: two seeds gave the same key", alg)
		}
		if got := a.Algorithm(); got != alg {
			t.Errorf("key of %s says %s", alg, got)
		}
		want := map[KeyAlgorithm]int{AlgGOST256: 32, AlgGOST512: 64}[alg]
		if n := len(a.priv.Bytes()); n != want {
			t.Errorf("%s: private key of %d bytes", alg, n)
		}
	}
	if _, err := GenerateGOSTKey(AlgGOST256, fixedSeed(1)[:SeedSize-1]); !errors.Is(err, ErrSeed) {
		t.Errorf("short seed: %v", err)
	}
	if _, err := GenerateGOSTKey(AlgECDSAP256, fixedSeed(1)); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("ECDSA through the GOST path: %v", err)
	}
}

// The person's entropy enters the seed: the same fresh bytes with another
// pool give another seed (and so another key); and the key type is bound in.
func TestGOSTSeedMixesThePool(t *testing.T) {
	fresh := fixedSeed(9)
	var p1, p2 EntropyPool
	p1.Add([]byte("move 1 2"))
	p2.Add([]byte("move 1 3"))
	s1, err := seedFrom(AlgGOST256, fresh, p1.Sum())
	if err != nil {
		t.Fatal(err)
	}
	s1again, _ := seedFrom(AlgGOST256, fresh, p1.Sum())
	s2, _ := seedFrom(AlgGOST256, fresh, p2.Sum())
	s512, _ := seedFrom(AlgGOST512, fresh, p1.Sum())
	if !bytes.Equal(s1, s1again) {
		t.Error("the KDF is not deterministic")
	}
	if bytes.Equal(s1, s2) {
		t.Error("the pool does not enter the seed")
	}
	if bytes.Equal(s1, s512) {
		t.Error("the key type does not enter the seed")
	}
	a, _ := GOSTSeed(AlgGOST256, &p1)
	b, _ := GOSTSeed(AlgGOST256, &p1)
	if len(a) != SeedSize || bytes.Equal(a, b) {
		t.Error("GOSTSeed does not draw fresh randomness")
	}
}

// The CSR is made by the same CreateRequest the ECDSA keys use, and its
// proof of possession verifies with x509sig.
func TestGOSTRequestVerifies(t *testing.T) {
	for _, alg := range gostAlgs {
		k := newGOSTKey(t, alg)
		der, err := CreateRequest(k, pkix.Name{CommonName: "Петров"})
		if err != nil {
			t.Fatal(err)
		}
		_, pub, err := x509sig.ParseCertificateRequest(der)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if !k.Public().(*gost3410.PublicKey).Equal(pub) {
			t.Errorf("%s: the request carries another key", alg)
		}
		// A flipped bit in the signature breaks the proof of possession.
		der[len(der)-3] ^= 1
		if _, _, err := x509sig.ParseCertificateRequest(der); err == nil {
			t.Errorf("%s: a damaged request verified", alg)
		}
	}
}

// The challenge is signed over the key's Streebog of the same message the
// ECDSA path signs; the application's CMS verifies with renewal/ca/cms.
func TestGOSTChallengeAndCMS(t *testing.T) {
	for _, alg := range gostAlgs {
		k := newGOSTKey(t, alg)
		msg := []byte("renewal challenge v1\nnonce\n")
		sig, err := SignChallenge(k, msg)
		if err != nil {
			t.Fatal(err)
		}
		pub := k.Public().(*gost3410.PublicKey)
		if !gost3410.VerifyMessage(pub, msg, sig) {
			t.Errorf("%s: challenge signature does not verify", alg)
		}
		if gost3410.VerifyMessage(pub, append(msg, 'x'), sig) {
			t.Errorf("%s: challenge signature verifies another message", alg)
		}
		cert := selfSignedGOST(t, k)
		content := []byte("Заявление на выпуск сертификата")
		p7, err := SignDetached(k, cert, nil, content, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		v, err := cms.Verify(p7, content)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if !bytes.Equal(v.Signer.Raw, cert.Raw) {
			t.Errorf("%s: signer is not the certificate", alg)
		}
		if _, err := cms.Verify(p7, append(content, '!')); err == nil {
			t.Errorf("%s: CMS verifies other content", alg)
		}
		other := selfSignedGOST(t, newGOSTKey(t, alg))
		if _, err := SignDetached(k, other, nil, content, time.Now()); !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("%s: another key's certificate: %v", alg, err)
		}
	}
}

// A saved GOST PKCS#12 opens again through the same decoder the wizard
// uses for every key file (go-pkcs12 refuses it; keyfile reads it).
func TestGOSTPKCS12OpensAgain(t *testing.T) {
	for _, alg := range gostAlgs {
		k := newGOSTKey(t, alg)
		cert := selfSignedGOST(t, k)
		pfx, err := ExportGOSTPKCS12(k, cert, nil, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		es, err := decodePKCS12(pfx, "correct horse battery")
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if len(es) != 1 {
			t.Fatalf("%s: %d entries", alg, len(es))
		}
		g, ok := es[0].key.(*GOSTKey)
		if !ok || !g.priv.Equal(k.priv) || !bytes.Equal(es[0].cert.Raw, cert.Raw) {
			t.Errorf("%s: opened %T, not the saved key and certificate", alg, es[0].key)
		}
		if _, err := decodePKCS12(pfx, "wrong horse battery"); !errors.Is(err, ErrWrongPassword) {
			t.Errorf("%s: wrong password: %v", alg, err)
		}
		if _, err := ExportGOSTPKCS12(k, selfSignedGOST(t, newGOSTKey(t, alg)), nil, "pw"); !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("%s: another key's certificate: %v", alg, err)
		}
	}
}

// The password-encrypted form for IndexedDB opens with the password only.
func TestGOSTEncryptedKey(t *testing.T) {
	k := newGOSTKey(t, AlgGOST256)
	enc, err := EncryptGOST(k, "a long password")
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecryptGOST(enc, "a long password")
	if err != nil || !back.priv.Equal(k.priv) {
		t.Fatalf("decrypt: %v", err)
	}
	if _, err := DecryptGOST(enc, "another password"); err == nil {
		t.Error("wrong password opened the key")
	}
}

// A key store written by keyfile with a GOST key and an ECDSA one (go-pkcs12
// refuses it for the GOST key): both are offered, in the file's order, the
// GOST one as a GOSTKey, the other for WebCrypto.
func TestDecodeMixedKeyStore(t *testing.T) {
	g := newGOSTKey(t, AlgGOST256)
	gc := selfSignedGOST(t, g)
	ca := newTestCA(t)
	ec := newGoSigner(t, AlgECDSAP256).key
	ecc := ca.issue(t, ec.Public(), "Другой Владелец")
	pfx, err := keyfile.EncodePKCS12([]keyfile.Entry{{Key: ec, Cert: ecc, Chain: []*x509.Certificate{ca.cert}}, {Key: g.priv, Cert: gc}}, "пароль", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodePKCS12(pfx, "пароль")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].cert.Equal(ecc) || !got[1].cert.Equal(gc) {
		t.Fatalf("%d entries, want the ECDSA then the GOST one", len(got))
	}
	if _, ok := got[0].key.(*ecdsa.PrivateKey); !ok || matches(got[0].key.Public(), ecc.PublicKey) != nil {
		t.Errorf("first entry: %T, not the certificate's ECDSA key", got[0].key)
	}
	if k, ok := got[1].key.(*GOSTKey); !ok || !k.priv.Equal(g.priv) {
		t.Errorf("second entry: %T, not the GOST key", got[1].key)
	}
	if _, err := decodePKCS12(pfx, "другой"); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
}
