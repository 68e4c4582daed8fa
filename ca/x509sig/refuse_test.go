package x509sig

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
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"time"

	"renewal/ca/crypto/bign"
	"renewal/ca/crypto/gost3410"
)

// replaceAll swaps every occurrence of an encoded OID in der.
func replaceOID(t *testing.T, der []byte, from, to asn1.ObjectIdentifier) []byte {
	t.Helper()
	f, _ := asn1.Marshal(from)
	g, _ := asn1.Marshal(to)
	if len(f) != len(g) || !bytes.Contains(der, f) {
		t.Fatalf("cannot swap %s for %s", from, to)
	}
	return bytes.ReplaceAll(der, f, g)
}

func TestSignatureRefusals(t *testing.T) {
	k256 := gostKey(t, gost3410.Curve256A())
	k512 := gostKey(t, gost3410.Curve512A())
	other256 := gostKey(t, gost3410.Curve256A())
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	root := issue(t, caTemplate("Root", 0), nil, k256.Public(), k256)
	leaf := issue(t, leafTemplate("Leaf"), root, k512.Public(), k256)

	if err := CheckCertificateSignature(leaf, k256.Public()); err != nil {
		t.Fatalf("the good signature: %v", err)
	}
	for _, tc := range []struct {
		name string
		pub  any
		want error
	}{
		{"a 512-bit key for a 256 signature", k512.Public(), ErrKeyMismatch},
		{"an ECDSA key for a GOST signature", &ec.PublicKey, ErrKeyMismatch},
		{"another key of the same set", other256.Public(), ErrBadSignature},
		{"no key", nil, ErrNoPublicKey},
	} {
		if err := CheckCertificateSignature(leaf, tc.pub); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}

	// 512 announced where the signature is 256 (inside and outside alike).
	lie := replaceOID(t, leaf.Raw, gost3410.OIDSignatureWith256, gost3410.OIDSignatureWith512)
	if c, err := x509.ParseCertificate(lie); err != nil {
		t.Fatal(err)
	} else if err := CheckCertificateSignature(c, k256.Public()); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("512 announced, 256 key: %v", err)
	}
	// An algorithm the table does not have: refused, not passed.
	unknown := replaceOID(t, leaf.Raw, gost3410.OIDSignatureWith256, asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 9})
	if c, err := x509.ParseCertificate(unknown); err != nil {
		t.Fatal(err)
	} else if err := CheckCertificateSignature(c, k256.Public()); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("unknown algorithm: %v", err)
	}
	// Only the outer identifier changed: crypto/x509 refuses the parse, and so
	// do we on the raw bytes.
	s, _ := parseSigned(leaf.Raw)
	alg512 := algorithms[1].marshal()
	outerOnly, _ := marshalSigned(s.tbs, alg512, s.sig, nil)
	if err := CheckCertificateSignature(&x509.Certificate{Raw: outerOnly}, k256.Public()); !errors.Is(err, ErrInnerOuter) {
		t.Errorf("inner and outer differ: %v", err)
	}
	// Parameters that must not be there.
	withParams := bytes.Replace(s.alg, []byte{0x30, 0x0a}, []byte{0x30, 0x0e}, 1)
	withParams = append(withParams, 0x04, 0x02, 0x01, 0x02)
	if _, err := parseAlgorithm(withParams); !errors.Is(err, ErrAlgorithmParams) {
		t.Errorf("OCTET STRING parameters: %v (%x)", err, withParams)
	}

	// r or s out of range: s‖r all zero, and all 0xff (above q).
	for _, fill := range []byte{0x00, 0xff} {
		bad := bytes.Repeat([]byte{fill}, len(s.sig))
		der, _ := marshalSigned(s.tbs, s.alg, bad, nil)
		if err := CheckCertificateSignature(&x509.Certificate{Raw: der}, k256.Public()); !errors.Is(err, ErrBadSignature) {
			t.Errorf("signature bytes all %#x: %v", fill, err)
		}
	}
	// A 512-bit-sized signature under the 256 algorithm.
	long, _ := marshalSigned(s.tbs, s.alg, append(bytes.Clone(s.sig), s.sig...), nil)
	if err := CheckCertificateSignature(&x509.Certificate{Raw: long}, k256.Public()); !errors.Is(err, ErrBadSignature) {
		t.Errorf("a signature of 128 bytes under the 256 algorithm: %v", err)
	}

	// Signing: the signer must be the issuer's key.
	if _, err := CreateCertificate(nil, leafTemplate("x"), root, k512.Public(), other256); !errors.Is(err, ErrWrongSigner) {
		t.Errorf("a signer that is not the issuer: %v", err)
	}
	if _, err := CreateCertificate(nil, caTemplate("x", 0), caTemplate("x", 0), k512.Public(), k256); err != nil {
		// a template parent that is not the same pointer: allowed (no parsed key).
		t.Errorf("unparsed parent: %v", err)
	}

	// Truncations and flipped bytes: errors, never panics, never a pass.
	for i := 0; i < len(leaf.Raw); i++ {
		if err := CheckCertificateSignature(&x509.Certificate{Raw: leaf.Raw[:i]}, k256.Public()); err == nil {
			t.Fatalf("truncated to %d bytes: verified", i)
		}
	}
	for i := 0; i < len(leaf.Raw); i += 7 {
		b := bytes.Clone(leaf.Raw)
		b[i] ^= 0x01
		if err := CheckCertificateSignature(&x509.Certificate{Raw: b}, k256.Public()); err == nil {
			t.Fatalf("byte %d flipped: verified", i)
		}
	}
}

// Mixed chains, ECDSA through crypto/x509, and bign from the same table.
func TestMixedAlgorithms(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	g := gostKey(t, gost3410.Curve256B())
	bk, err := bign.GenerateKey(bign.Curve256v1(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecRoot := issue(t, caTemplate("ECDSA root", 2), nil, &ec.PublicKey, ec)
	gInt := issue(t, caTemplate("GOST intermediate", 1), ecRoot, g.Public(), ec)
	bLeaf := issue(t, leafTemplate("bign leaf"), gInt, bk.Public(), g)
	ecLeaf := issue(t, leafTemplate("ECDSA leaf"), gInt, &ec.PublicKey, g)
	if gInt.SignatureAlgorithm != x509.ECDSAWithSHA384 {
		t.Fatalf("ECDSA P-384 signs with %v", gInt.SignatureAlgorithm)
	}
	// crypto/x509 agrees with us on its own algorithms.
	if err := gInt.CheckSignatureFrom(ecRoot); err != nil {
		t.Fatalf("crypto/x509 on our ECDSA signature: %v", err)
	}
	for _, leaf := range []*x509.Certificate{bLeaf, ecLeaf} {
		chain, err := VerifyChain(leaf, ChainOptions{Intermediates: []*x509.Certificate{gInt}, Roots: []*x509.Certificate{ecRoot}, At: now})
		if err != nil || len(chain) != 3 {
			t.Fatalf("%s: %v", leaf.Subject.CommonName, err)
		}
	}
	// A GOST key refuses an ECDSA signature.
	if err := CheckCertificateSignature(gInt, g.Public()); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("an ECDSA signature checked with a GOST key: %v", err)
	}

	// Certificates crypto/x509 makes with other pairings and algorithms,
	// verified as crypto/x509 verifies them: ECDSA P-256 with SHA-384,
	// RSA, Ed25519.
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edk, _ := ed25519.GenerateKey(rand.Reader)
	for _, tc := range []struct {
		name string
		key  crypto.Signer
		alg  x509.SignatureAlgorithm
	}{
		{"P-256 with SHA-384", p256, x509.ECDSAWithSHA384},
		{"RSA with SHA-512", rk, x509.SHA512WithRSA},
		{"Ed25519", edk, x509.PureEd25519},
	} {
		tmpl := caTemplate(tc.name, 0)
		tmpl.SignatureAlgorithm = tc.alg
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, tc.key.Public(), tc.key)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		if err := CheckSignatureFrom(c, c); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err := CheckCertificateSignature(c, g.Public()); !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("%s checked with a GOST key: %v", tc.name, err)
		}
	}

	// A bign-signed CSR round trip.
	der, err := CreateCertificateRequest(nil, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "BY"}}, bk)
	if err != nil {
		t.Fatal(err)
	}
	if _, pub, err := ParseCertificateRequest(der); err != nil || !bk.PublicKey().Equal(pub) {
		t.Fatalf("bign CSR: %v", err)
	}
	// The CSR's proof of possession refuses a signature of another key.
	s, _ := parseSigned(der)
	s.sig[3] ^= 1
	bad, _ := marshalSigned(s.tbs, s.alg, s.sig, nil)
	if _, _, err := ParseCertificateRequest(bad); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a broken proof of possession: %v", err)
	}
}

func TestVerifyChainRefusals(t *testing.T) {
	rk := gostKey(t, gost3410.Curve512A())
	ik := gostKey(t, gost3410.Curve256A())
	lk := gostKey(t, gost3410.Curve256B())
	root := issue(t, caTemplate("Root", 1), nil, rk.Public(), rk)
	inter := issue(t, caTemplate("Issuing", 0), root, ik.Public(), rk)
	leaf := issue(t, leafTemplate("Person"), inter, lk.Public(), ik)
	good := ChainOptions{Intermediates: []*x509.Certificate{inter}, Roots: []*x509.Certificate{root}, At: now}
	if chain, err := VerifyChain(leaf, good); err != nil || len(chain) != 3 || chain[2] != root {
		t.Fatalf("the good chain: %v", err)
	}

	// expect: refused, for the reason want names.
	expect := func(name string, leaf *x509.Certificate, opts ChainOptions, want string) {
		t.Helper()
		if _, err := VerifyChain(leaf, opts); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", name, err, want)
		}
	}
	expect("no intermediate", leaf, ChainOptions{Roots: []*x509.Certificate{root}, At: now}, "no valid chain")
	expect("another root", leaf, ChainOptions{Intermediates: good.Intermediates, Roots: []*x509.Certificate{issue(t, caTemplate("Root", 1), nil, ik.Public(), ik)}, At: now}, "no valid chain")
	expect("leaf expired", leaf, ChainOptions{Intermediates: good.Intermediates, Roots: good.Roots, At: now.Add(60 * 24 * time.Hour)}, "the leaf: not valid at")
	expect("before validity", leaf, ChainOptions{Intermediates: good.Intermediates, Roots: good.Roots, At: now.Add(-2 * time.Hour)}, "the leaf: not valid at")

	// An intermediate that is not a CA.
	nt := caTemplate("Issuing", 0)
	nt.IsCA, nt.MaxPathLenZero = false, false
	notCA := issue(t, nt, root, ik.Public(), rk)
	expect("issuer not a CA", leaf, ChainOptions{Intermediates: []*x509.Certificate{notCA}, Roots: good.Roots, At: now}, "is not a CA")
	// An intermediate without keyCertSign.
	kt := caTemplate("Issuing", 0)
	kt.KeyUsage = x509.KeyUsageCRLSign
	noSign := issue(t, kt, root, ik.Public(), rk)
	expect("issuer without keyCertSign", leaf, ChainOptions{Intermediates: []*x509.Certificate{noSign}, Roots: good.Roots, At: now}, "does not allow keyCertSign")
	// Path length: root allows 1 intermediate; with pathLen 0 at root, none.
	r0 := issue(t, caTemplate("Root", 0), nil, rk.Public(), rk)
	expect("path length exceeded", leaf, ChainOptions{Intermediates: good.Intermediates, Roots: []*x509.Certificate{r0}, At: now}, "path length constraint 0 exceeded")
	// Name chaining: same key, another subject name.
	it := caTemplate("Other name", 0)
	renamed := issue(t, it, root, ik.Public(), rk)
	expect("issuer name differs", leaf, ChainOptions{Intermediates: []*x509.Certificate{renamed}, Roots: good.Roots, At: now}, "no valid chain")
	// Name constraints on a CA are refused, not ignored.
	ct := caTemplate("Issuing", 0)
	ct.PermittedDNSDomains = []string{"example.ru"}
	constrained := issue(t, ct, root, ik.Public(), rk)
	expect("name constraints", leaf, ChainOptions{Intermediates: []*x509.Certificate{constrained}, Roots: good.Roots, At: now}, "name constraints are not supported")
	// An unknown critical extension.
	lt := leafTemplate("Person")
	lt.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}}}
	critical := issue(t, lt, inter, lk.Public(), ik)
	expect("unknown critical extension", critical, good, "unhandled critical extension 1.2.3.4")
	// A signature of the right issuer's name but a 512 key where 256 signed.
	lie := replaceOID(t, leaf.Raw, gost3410.OIDSignatureWith256, gost3410.OIDSignatureWith512)
	lieCert, err := x509.ParseCertificate(lie)
	if err != nil {
		t.Fatal(err)
	}
	expect("512 announced over a 256 signature", lieCert, good, "does not match the signer")
	// Many candidates of the issuer's name and key identifier, none the
	// signer: the search stops at its budget, refusing.
	dk := gostKey(t, gost3410.Curve256A())
	var many []*x509.Certificate
	for range maxSignatureChecks + 1 {
		dt := caTemplate("Issuing", 0)
		dt.SubjectKeyId = inter.SubjectKeyId
		many = append(many, issue(t, dt, root, dk.Public(), rk))
	}
	expect("past the signature budget", leaf, ChainOptions{Intermediates: append(many, inter), Roots: good.Roots, At: now}, "too many candidate issuers")
	// A version 1 intermediate (no basicConstraints) is no CA.
	v1 := *inter
	v1.Version, v1.BasicConstraintsValid, v1.IsCA = 1, false, false
	expect("a v1 intermediate", leaf, ChainOptions{Intermediates: []*x509.Certificate{&v1}, Roots: good.Roots, At: now}, "is not a CA")
	// The chain is found among decoys.
	decoy := issue(t, caTemplate("Issuing", 0), root, lk.Public(), rk)
	if _, err := VerifyChain(leaf, ChainOptions{Intermediates: []*x509.Certificate{decoy, notCA, inter}, Roots: good.Roots, At: now}); err != nil {
		t.Errorf("among decoys: %v", err)
	}
}
