package browsercrypto

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"testing"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"renewal/app/browsercrypto/keystoretest"
)

func keyStore(t *testing.T, password string, keys []crypto.Signer, of, certs []*x509.Certificate) []byte {
	t.Helper()
	b, err := keystoretest.Write(password, keys, of, certs)
	if err != nil {
		t.Fatal(err)
	}
	return b
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
	t.Run("ok/legacy-rc2-certificates", func(t *testing.T) {
		// RC2-40 certificate safe, 3DES key: OpenSSL 1.x's defaults.
		old, err := pkcs12.LegacyRC2.Encode(k2, c2, []*x509.Certificate{ca.cert}, password)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodePKCS12(old, password)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !got[0].cert.Equal(c2) || len(got[0].chain) != 1 {
			t.Fatalf("%d entries, want 1 with its CA", len(got))
		}
		if _, err := decodePKCS12(old, "wrong"); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("%v, want ErrWrongPassword", err)
		}
	})
	t.Run("fail/unusable-key", func(t *testing.T) {
		_, ed, _ := ed25519.GenerateKey(rand.Reader)
		f, err := pkcs12.Modern.Encode(ed, ca.issue(t, ed.Public(), "Ed25519"), nil, password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodePKCS12(f, password); !errors.Is(err, ErrUnsupportedKey) {
			t.Fatalf("%v, want ErrUnsupportedKey", err)
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
