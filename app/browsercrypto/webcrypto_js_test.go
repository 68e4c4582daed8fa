//go:build js

// WebCrypto tests, run under Node.js 20 (globalThis.crypto.subtle):
//
//	cd /work/main && GOOS=js GOARCH=wasm go test ./app/browsercrypto -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec"
//
// Node has no IndexedDB: the kept-key tests skip there, and
// ./browsertest runs them in headless Chromium (go test ./app/browsercrypto/...).
package browsercrypto

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"syscall/js"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"renewal/app/browsercrypto/keystoretest"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestGenerateKey(t *testing.T) {
	ctx := testCtx(t)
	for _, alg := range []KeyAlgorithm{"", AlgECDSAP256, AlgRSA2048} {
		for _, extractable := range []bool{false, true} {
			s, err := GenerateKey(ctx, alg, extractable)
			if err != nil {
				t.Fatalf("GenerateKey(%q, %v): %v", alg, extractable, err)
			}
			want := alg
			if want == "" {
				want = DefaultAlgorithm
			}
			if got, _ := AlgorithmOf(s.Public()); got != want {
				t.Errorf("GenerateKey(%q) made %s", alg, got)
			}
			k := s.(*webKey)
			if k.extractable != extractable || k.priv.Get("extractable").Bool() != extractable {
				t.Errorf("GenerateKey(%q, %v): private key extractable=%v", alg, extractable, k.priv.Get("extractable").Bool())
			}
		}
	}
	if _, err := GenerateKey(ctx, "rsa-1024", false); err == nil {
		t.Error("rsa-1024 was generated")
	}
}

func TestSignMessage(t *testing.T) {
	ctx := testCtx(t)
	for _, alg := range allAlgs {
		t.Run(string(alg), func(t *testing.T) {
			s, err := GenerateKey(ctx, alg, false)
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte("message to sign")
			for range 5 { // ECDSA: r or s with leading zero bytes show up now and then
				sig, err := s.SignMessage(rand.Reader, msg, crypto.SHA256)
				if err != nil {
					t.Fatal(err)
				}
				verifySignature(t, s.Public(), msg, sig)
			}
			sig, err := crypto.SignMessage(s, nil, msg, crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			verifySignature(t, s.Public(), msg, sig)

			d := sha256.Sum256(msg)
			if _, err := s.Sign(rand.Reader, d[:], crypto.SHA256); !errors.Is(err, ErrDigestSigning) {
				t.Errorf("Sign(digest): %v, want ErrDigestSigning", err)
			}
			if _, err := s.SignMessage(rand.Reader, msg, crypto.SHA384); err == nil {
				t.Error("SHA-384 was accepted")
			}
			if alg == AlgRSA2048 {
				if _, err := s.SignMessage(rand.Reader, msg, &rsa.PSSOptions{Hash: crypto.SHA256}); err == nil {
					t.Error("RSA-PSS was accepted")
				}
			}
		})
	}
}

func TestCreateRequestWithWebCrypto(t *testing.T) {
	ctx := testCtx(t)
	for _, alg := range allAlgs {
		t.Run(string(alg), func(t *testing.T) {
			s, err := GenerateKey(ctx, alg, false)
			if err != nil {
				t.Fatal(err)
			}
			subject := pkix.Name{CommonName: "Петрова Анна", Organization: []string{"ООО Ромашка"}}
			der, err := CreateRequest(s, subject)
			if err != nil {
				t.Fatal(err)
			}
			checkRequest(t, der, s, subject)
			der, err = CreateRequest(s, pkix.Name{})
			if err != nil {
				t.Fatal(err)
			}
			checkRequest(t, der, s, pkix.Name{})
		})
	}
}

func TestSignDetachedAndChallengeWithWebCrypto(t *testing.T) {
	ctx := testCtx(t)
	ca := newTestCA(t)
	for _, alg := range allAlgs {
		t.Run(string(alg), func(t *testing.T) {
			s, err := GenerateKey(ctx, alg, false)
			if err != nil {
				t.Fatal(err)
			}
			cert := ca.issue(t, s.Public(), "new key")
			content := []byte("%PDF-1.7 acknowledgement")
			der, err := SignDetached(s, cert, []*x509.Certificate{ca.cert}, content, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := verifyDetachedCMS(der, content, cert); err != nil {
				t.Fatal(err)
			}
			challenge := []byte("challenge-from-server")
			sig, err := SignChallenge(s, challenge)
			if err != nil {
				t.Fatal(err)
			}
			verifySignature(t, cert.PublicKey, challenge, sig)
		})
	}
}

// p12For makes a PKCS#12 file for a Go key, as a CA or a person's tool would.
func p12For(t *testing.T, enc *pkcs12.Encoder, key crypto.Signer, ca *testCA, password string) ([]byte, *x509.Certificate) {
	t.Helper()
	cert := ca.issue(t, key.Public(), "current certificate")
	pfx, err := enc.Encode(key, cert, []*x509.Certificate{ca.cert}, password)
	if err != nil {
		t.Fatal(err)
	}
	return pfx, cert
}

func TestOpenPKCS12(t *testing.T) {
	ctx := testCtx(t)
	ca := newTestCA(t)
	encoders := map[string]*pkcs12.Encoder{"modern": pkcs12.Modern, "legacy-3des": pkcs12.LegacyDES}
	for _, alg := range []KeyAlgorithm{AlgECDSAP256, "ecdsa-p384", AlgRSA2048} {
		for encName, enc := range encoders {
			t.Run(string(alg)+"/"+encName, func(t *testing.T) {
				key := newGoSigner(t, alg).key
				pfx, cert := p12For(t, enc, key, ca, "пароль 1234")

				if _, _, _, err := OpenPKCS12(ctx, pfx, "wrong"); !errors.Is(err, ErrWrongPassword) {
					t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
				}

				s, gotCert, chain, err := OpenPKCS12(ctx, pfx, "пароль 1234")
				if err != nil {
					t.Fatal(err)
				}
				if !gotCert.Equal(cert) || len(chain) != 1 || !chain[0].Equal(ca.cert) {
					t.Fatalf("certificate or chain differ: chain of %d", len(chain))
				}
				if err := matches(s.Public(), key.Public()); err != nil {
					t.Fatal("the imported key has another public key")
				}
				k := s.(*webKey)
				if k.extractable || k.priv.Get("extractable").Bool() {
					t.Fatal("the imported private key is extractable")
				}
				if k.priv.Get("algorithm").Get("name").String() == "" {
					t.Fatal("no algorithm on the imported key")
				}
				// WebCrypto itself refuses to give it back.
				if _, err := await(ctx, js.Global().Get("crypto").Get("subtle").Call("exportKey", "pkcs8", k.priv)); err == nil {
					t.Fatal("WebCrypto exported the imported private key")
				}
				if _, err := ExportPKCS12(ctx, s, gotCert, chain, "x"); !errors.Is(err, ErrNotExtractable) {
					t.Errorf("ExportPKCS12 of the imported key: %v, want ErrNotExtractable", err)
				}

				msg := []byte("challenge")
				sig, err := SignChallenge(s, msg)
				if err != nil {
					t.Fatal(err)
				}
				verifySignature(t, cert.PublicKey, msg, sig)
				der, err := SignDetached(s, gotCert, chain, []byte("pdf"), time.Now())
				if err != nil {
					t.Fatal(err)
				}
				if err := verifyDetachedCMS(der, []byte("pdf"), cert); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestOpenPKCS12Refuses(t *testing.T) {
	ctx := testCtx(t)
	ca := newTestCA(t)

	// A file whose certificate is for another key.
	key := newGoSigner(t, AlgECDSAP256).key
	other := ca.issue(t, newGoSigner(t, AlgECDSAP256).Public(), "other")
	pfx, err := pkcs12.Modern.Encode(key, other, nil, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := OpenPKCS12(ctx, pfx, "pw"); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("mismatched file: %v, want ErrKeyMismatch", err)
	}

	// An Ed25519 key, which the CA does not take.
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	pfx, _ = p12For(t, pkcs12.Modern, ed, ca, "pw")
	if _, _, _, err := OpenPKCS12(ctx, pfx, "pw"); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("Ed25519 file: %v, want ErrUnsupportedKey", err)
	}

	// Not a PKCS#12 file at all: an error, but not a wrong password.
	if _, _, _, err := OpenPKCS12(ctx, []byte("%PDF-1.7"), "pw"); !errors.Is(err, ErrBadFile) {
		t.Errorf("garbage: %v, want ErrBadFile", err)
	}
}

func TestWipe(t *testing.T) {
	e := newGoSigner(t, AlgECDSAP256).key.(*ecdsa.PrivateKey)
	wipe(e)
	for _, w := range e.D.Bits() {
		if w != 0 {
			t.Fatal("ECDSA D not zeroed")
		}
	}
	r := newGoSigner(t, AlgRSA2048).key.(*rsa.PrivateKey)
	wipe(r)
	for _, n := range append([]*big.Int{r.D, r.Precomputed.Dp, r.Precomputed.Dq, r.Precomputed.Qinv}, r.Primes...) {
		for _, w := range n.Bits() {
			if w != 0 {
				t.Fatal("RSA secret not zeroed")
			}
		}
	}
}

func TestExportPKCS12(t *testing.T) {
	ctx := testCtx(t)
	ca := newTestCA(t)
	for _, alg := range allAlgs {
		t.Run(string(alg), func(t *testing.T) {
			s, err := GenerateKey(ctx, alg, true)
			if err != nil {
				t.Fatal(err)
			}
			cert := ca.issue(t, s.Public(), "new certificate")
			pfx, err := ExportPKCS12(ctx, s, cert, []*x509.Certificate{ca.cert}, "секрет")
			if err != nil {
				t.Fatal(err)
			}
			key, gotCert, chain, err := pkcs12.DecodeChain(pfx, "секрет")
			if err != nil {
				t.Fatal(err)
			}
			if err := matches(key.(crypto.Signer).Public(), s.Public()); err != nil {
				t.Fatal("the file holds another key")
			}
			if !gotCert.Equal(cert) || len(chain) != 1 || !chain[0].Equal(ca.cert) {
				t.Fatal("certificate or chain differ")
			}
			// The key in the file is the one that signs: sign with the Go
			// copy, verify with the browser key's public key.
			d := sha256.Sum256([]byte("m"))
			sig, err := key.(crypto.Signer).Sign(rand.Reader, d[:], crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			verifySignature(t, s.Public(), []byte("m"), sig)

			if _, _, err := pkcs12.Decode(pfx, "wrong"); err == nil {
				t.Error("the file opens with a wrong password")
			}
			// And it opens again in the browser, non-extractable this time.
			again, _, _, err := OpenPKCS12(ctx, pfx, "секрет")
			if err != nil {
				t.Fatal(err)
			}
			if again.(*webKey).extractable {
				t.Error("reopened key is extractable")
			}

			if _, err := ExportPKCS12(ctx, s, cert, nil, ""); err == nil {
				t.Error("a key file without a password was written")
			}
			other := ca.issue(t, newGoSigner(t, alg).Public(), "other")
			if _, err := ExportPKCS12(ctx, s, other, nil, "pw"); !errors.Is(err, ErrKeyMismatch) {
				t.Errorf("certificate of another key: %v, want ErrKeyMismatch", err)
			}
		})
	}
	s, err := GenerateKey(ctx, AlgECDSAP256, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ExportPKCS12(ctx, s, ca.issue(t, s.Public(), "x"), nil, "pw"); !errors.Is(err, ErrNotExtractable) {
		t.Errorf("non-extractable key: %v, want ErrNotExtractable", err)
	}
	if _, err := ExportPKCS12(ctx, newGoSigner(t, AlgECDSAP256), ca.cert, nil, "pw"); err == nil {
		t.Error("a Go key was exported")
	}
}

func TestKeptKeysNeedIndexedDB(t *testing.T) {
	ctx := testCtx(t)
	// Checked before IndexedDB is touched, so Node can test it.
	ext, err := GenerateKey(ctx, AlgECDSAP256, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := StoreKey(ctx, "k", ext, nil); !errors.Is(err, ErrExtractable) {
		t.Errorf("StoreKey(extractable): %v, want ErrExtractable", err)
	}
	if err := StoreKey(ctx, "k", newGoSigner(t, AlgECDSAP256), nil); err == nil {
		t.Error("StoreKey took a Go key")
	}

	if js.Global().Get("indexedDB").Truthy() {
		t.Skip("this JavaScript host has IndexedDB: the kept-key flow is tested by ./browsertest")
	}
	s, err := GenerateKey(ctx, AlgECDSAP256, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := StoreKey(ctx, "k", s, nil); !errors.Is(err, ErrNoIndexedDB) {
		t.Errorf("StoreKey without IndexedDB: %v, want ErrNoIndexedDB", err)
	}
	if _, err := ListKeys(ctx); !errors.Is(err, ErrNoIndexedDB) {
		t.Errorf("ListKeys without IndexedDB: %v, want ErrNoIndexedDB", err)
	}
}

func TestIndexedDB(t *testing.T) {
	if !js.Global().Get("indexedDB").Truthy() {
		t.Skip("Node.js has no IndexedDB (globalThis.indexedDB is undefined): StoreKey/LoadKey/ListKeys/SetCertificate/DeleteKey run in headless Chromium in ./browsertest")
	}
	// A JavaScript host with IndexedDB: the short flow (./browsertest has
	// the full one, across a page reload).
	ctx := testCtx(t)
	s, err := GenerateKey(ctx, AlgECDSAP256, false)
	if err != nil {
		t.Fatal(err)
	}
	name := "browsercrypto-test"
	DeleteKey(ctx, name)
	if err := StoreKey(ctx, name, s, nil); err != nil {
		t.Fatal(err)
	}
	defer DeleteKey(ctx, name)
	got, _, err := LoadKey(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := SignChallenge(got, []byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	verifySignature(t, s.Public(), []byte("m"), sig)
}

// TestOpenPKCS12Entries: a key store's every key is imported
// non-extractable, each with its own certificate, in the file's order.
func TestOpenPKCS12Entries(t *testing.T) {
	ctx := testCtx(t)
	ca := newTestCA(t)
	k1, k2 := newGoSigner(t, AlgECDSAP256).key, newGoSigner(t, "ecdsa-p384").key
	c1, c2 := ca.issue(t, k1.Public(), "first"), ca.issue(t, k2.Public(), "second")
	store, err := keystoretest.Write("pw", []crypto.Signer{k1, k2}, []*x509.Certificate{c1, c2}, []*x509.Certificate{c1, c2, ca.cert})
	if err != nil {
		t.Fatal(err)
	}
	all, err := OpenPKCS12Entries(ctx, store, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || !all[0].Cert.Equal(c1) || !all[1].Cert.Equal(c2) {
		t.Fatalf("%d entries, want first and second", len(all))
	}
	for i, o := range all {
		if o.Signer.(*webKey).priv.Get("extractable").Bool() {
			t.Errorf("entry %d: extractable", i)
		}
		sig, err := SignChallenge(o.Signer, []byte("m"))
		if err != nil {
			t.Fatal(err)
		}
		verifySignature(t, o.Cert.PublicKey, []byte("m"), sig)
	}
	if _, err := OpenPKCS12Entries(ctx, store, "wrong"); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
}
