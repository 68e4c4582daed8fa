// Tests of the plain-Go part (CreateRequest, SignDetached, SignChallenge,
// EntropyPool) with a Go key that behaves like a WebCrypto key. They run
// on the server build and under Node:
//
//	go test ./app/browsercrypto/...
//	GOOS=js GOARCH=wasm go test ./app/browsercrypto -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec"
package browsercrypto

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"testing"
	"time"
)

var allAlgs = []KeyAlgorithm{AlgECDSAP256, AlgRSA2048}

func TestAlgorithmOf(t *testing.T) {
	for _, alg := range []KeyAlgorithm{AlgECDSAP256, "ecdsa-p384", AlgRSA2048} {
		got, err := AlgorithmOf(newGoSigner(t, alg).Public())
		if err != nil || got != alg {
			t.Errorf("AlgorithmOf(%s key) = %q, %v", alg, got, err)
		}
	}
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if _, err := AlgorithmOf(p521.Public()); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("P-521: %v, want ErrUnsupportedKey", err)
	}
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := AlgorithmOf(edPub); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("Ed25519: %v, want ErrUnsupportedKey", err)
	}
}

// checkRequest parses a CSR and checks its signature, algorithm and key.
func checkRequest(t *testing.T, der []byte, s Signer, subject pkix.Name) {
	t.Helper()
	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		t.Fatalf("ParseCertificateRequest: %v", err)
	}
	if err := csr.CheckSignature(); err != nil {
		t.Fatalf("CheckSignature: %v", err)
	}
	want := x509.SHA256WithRSA
	if _, ok := s.Public().(*ecdsa.PublicKey); ok {
		want = x509.ECDSAWithSHA256
	}
	if csr.SignatureAlgorithm != want {
		t.Errorf("signature algorithm %v, want %v", csr.SignatureAlgorithm, want)
	}
	if err := matches(s.Public(), csr.PublicKey); err != nil {
		t.Error("the request carries another public key")
	}
	if csr.Subject.String() != subject.String() {
		t.Errorf("subject %q, want %q", csr.Subject, subject)
	}
}

func TestCreateRequest(t *testing.T) {
	for _, alg := range append(allAlgs, "ecdsa-p384") {
		t.Run(string(alg), func(t *testing.T) {
			s := newGoSigner(t, alg)
			subject := pkix.Name{CommonName: "Иванов Иван Иванович", Country: []string{"RU"}}
			der, err := CreateRequest(s, subject)
			if err != nil {
				t.Fatal(err)
			}
			checkRequest(t, der, s, subject)

			der, err = CreateRequest(s, pkix.Name{}) // the server fills the subject
			if err != nil {
				t.Fatal(err)
			}
			checkRequest(t, der, s, pkix.Name{})
		})
	}
}

func TestSignChallenge(t *testing.T) {
	for _, alg := range allAlgs {
		t.Run(string(alg), func(t *testing.T) {
			s := newGoSigner(t, alg)
			msg := []byte("renewal challenge 7f3a…")
			sig, err := SignChallenge(s, msg)
			if err != nil {
				t.Fatal(err)
			}
			verifySignature(t, s.Public(), msg, sig)
		})
	}
	// A signer whose signatures are wrong is caught before anything is sent.
	bad := badSigner{newGoSigner(t, AlgECDSAP256)}
	if _, err := SignChallenge(bad, []byte("x")); err == nil {
		t.Error("a signature that does not verify was returned")
	}
}

// badSigner signs with another key than its Public.
type badSigner struct{ goSigner }

func (b badSigner) Public() crypto.PublicKey {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return k.Public()
}

func TestSignDetached(t *testing.T) {
	ca := newTestCA(t)
	for _, alg := range allAlgs {
		t.Run(string(alg), func(t *testing.T) {
			s := newGoSigner(t, alg)
			cert := ca.issue(t, s.Public(), "signer")
			content := []byte("%PDF-1.7 application for renewal")
			der, err := SignDetached(s, cert, []*x509.Certificate{ca.cert}, content, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := verifyDetachedCMS(der, content, cert); err != nil {
				t.Fatal(err)
			}
			if err := verifyDetachedCMS(der, []byte("other content"), cert); err == nil {
				t.Error("the CMS verifies for other content")
			}
			tampered := bytes.Clone(der)
			tampered[len(tampered)-1] ^= 1 // the signature is the last field
			if err := verifyDetachedCMS(tampered, content, cert); err == nil {
				t.Error("a tampered signature verifies: the test verifier checks nothing")
			}
			other := ca.issue(t, newGoSigner(t, alg).Public(), "someone else")
			if _, err := SignDetached(s, other, nil, content, time.Now()); !errors.Is(err, ErrKeyMismatch) {
				t.Errorf("certificate of another key: %v, want ErrKeyMismatch", err)
			}
		})
	}
}

func TestEntropyPool(t *testing.T) {
	var p EntropyPool
	empty := p.Sum()
	if p.Bits() != 0 || p.Full() {
		t.Fatalf("empty pool: %d bits, full %v", p.Bits(), p.Full())
	}
	p.Add([]byte("move 10,20 t=1"))
	p.Add([]byte("move 10,20 t=1")) // a repeat counts nothing
	p.Add(nil)                      // nor does an empty event
	if p.Bits() != 1 {
		t.Errorf("bits after one distinct event: %d, want 1", p.Bits())
	}
	s1 := p.Sum()
	if s1 == empty || p.Sum() != s1 {
		t.Error("Sum must change with events and be stable without")
	}
	for i := 0; p.Bits() < FullBits; i++ {
		if i > 10*FullBits {
			t.Fatal("never full")
		}
		p.Add(fmt.Appendf(nil, "move %d,%d t=%d", i, 2*i, 1000+i))
	}
	if !p.Full() || p.Bits() != FullBits {
		t.Errorf("full %v at %d bits", p.Full(), p.Bits())
	}
	p.Add([]byte("one more"))
	if p.Bits() != FullBits {
		t.Errorf("Bits is capped at %d, got %d", FullBits, p.Bits())
	}
	// Sum is SHA-256 over everything: the same events give the same sum,
	// a different split of the same bytes does not.
	var a, b EntropyPool
	a.Add([]byte("ab"))
	a.Add([]byte("c"))
	b.Add([]byte("a"))
	b.Add([]byte("bc"))
	if a.Sum() == b.Sum() {
		t.Error("event boundaries are not part of the sum")
	}
	n1, err := p.Nonce()
	if err != nil {
		t.Fatal(err)
	}
	n2, _ := p.Nonce()
	if len(n1) != 32 || bytes.Equal(n1, n2) {
		t.Error("Nonce must be 32 fresh bytes each time")
	}
}

func TestSignerRefusesDigests(t *testing.T) {
	// The contract every Signer here keeps, checked on the test double; the
	// browser key is checked the same way under Node.
	var s Signer = newGoSigner(t, AlgRSA2048)
	if _, err := s.Sign(rand.Reader, make([]byte, 32), crypto.SHA256); !errors.Is(err, ErrDigestSigning) {
		t.Errorf("Sign: %v", err)
	}
	if _, ok := s.Public().(*rsa.PublicKey); !ok {
		t.Error("Public")
	}
}
