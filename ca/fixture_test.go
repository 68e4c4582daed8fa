package ca_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/demo"
	"renewal/ca/internal/hsmtest"
	"renewal/ca/memstore"
	"renewal/ca/profile"
	"renewal/ca/signer"
	"renewal/ca/x509sig"
)

const (
	testOCSPURL   = "http://127.0.0.1:1/ocsp"
	testCRLURL    = "http://127.0.0.1:1/crl"
	testIssuerURL = "http://127.0.0.1:1/issuing.crt"
	// Written into the demo issuing CA certificate.
	testRootCRLURL = "http://127.0.0.1:1/root.crl"
	testRootURL    = "http://127.0.0.1:1/root.crt"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	hsmtest.Cleanup()
	os.Exit(code)
}

// The demo hierarchy and subscribers are built once per test binary (at
// the real current time, so OpenSSL agrees about validity); every test gets
// its own Store and Authority.
var shared struct {
	once sync.Once
	dir  string
	res  *demo.Result
	now  time.Time
	err  error
}

func demoData(tb testing.TB) (*demo.Result, time.Time) {
	tb.Helper()
	shared.once.Do(func() {
		shared.now = time.Now().UTC().Truncate(time.Second)
		shared.dir, shared.err = os.MkdirTemp("", "ca-demo-")
		if shared.err != nil {
			return
		}
		shared.res, shared.err = demo.Build(shared.dir, shared.now, demo.Options{
			Password: "demo", OCSPURL: testOCSPURL, CRLURL: testCRLURL, IssuerURL: testIssuerURL,
			RootCRLURL: testRootCRLURL, RootIssuerURL: testRootURL,
			// The authority's own tests run on an ECDSA CA, so that they
			// can check what it issues with crypto/x509 too; a GOST CA's
			// issuance, CRL and OCSP are gost_ca_test.go's, and the
			// server's tests run on the default GOST demo. The Russian
			// holders' current keys are GOST either way.
			CAAlgorithm: signer.ECDSAP256,
		})
	})
	require.NoError(tb, shared.err)
	return shared.res, shared.now
}

// clock is an injectable clock tests move instead of sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type fixture struct {
	res      *demo.Result
	store    *memstore.Store
	auth     *ca.Authority
	clock    *clock
	profiles *profile.Set
	roots    *x509.CertPool
	demoN    int // certificates recorded before the test acts
}

type fixtureOpt func(*ca.Config)

// newFixture records the demo certificates in a fresh memstore (as the
// server does in demo mode), revokes the by-revoked one and builds the
// Authority with the demo issuing CA.
func newFixture(tb testing.TB, opts ...fixtureOpt) *fixture {
	tb.Helper()
	res, now := demoData(tb)
	ctx := context.Background()
	st := memstore.New()
	for _, s := range res.Subscribers {
		require.NoError(tb, st.RecordIssued(ctx, ca.Issued{
			Serial: s.Serial, DER: s.Cert.Raw, SPKISHA256: sha256.Sum256(s.Cert.RawSubjectPublicKeyInfo),
			NotBefore: s.Cert.NotBefore, NotAfter: s.Cert.NotAfter, Profile: s.Profile, ApplicationID: "demo",
		}))
	}
	require.NotNil(tb, res.RevokeSerial)
	require.NoError(tb, st.Revoke(ctx, res.RevokeSerial, ca.ReasonKeyCompromise, now.Add(-time.Hour)))

	set, err := profile.LoadBytes(testProfiles)
	require.NoError(tb, err)
	roots := x509.NewCertPool()
	roots.AddCert(res.Root)
	clk := &clock{t: now}
	cfg := ca.Config{
		Issuer:    res.Issuing,
		Roots:     []*x509.Certificate{res.Root},
		Signer:    res.IssuingKey,
		Profiles:  set,
		Store:     st,
		Now:       clk.Now,
		OCSPURL:   testOCSPURL,
		CRLURL:    testCRLURL,
		IssuerURL: testIssuerURL,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, o := range opts {
		o(&cfg)
	}
	auth, err := ca.New(cfg)
	require.NoError(tb, err)
	return &fixture{res: res, store: st, auth: auth, clock: clk, profiles: cfg.Profiles, roots: roots, demoN: len(res.Subscribers)}
}

// testProfiles are the defaults with ECDSA and RSA also accepted by the
// Russian profiles (which take GOST only): most of the authority's rules
// are not about the key, and are tested with keys crypto/x509 makes; the
// GOST keys of the defaults are gost_request_test.go's and the demo's.
var testProfiles = []byte(`profiles:
  ru-owner:
    key_algorithms: [gost2012-256, gost2012-512, ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096]
  ru-employee:
    key_algorithms: [gost2012-256, gost2012-512, ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096]
`)

func (f *fixture) sub(tb testing.TB, scenario string) demo.Subscriber {
	tb.Helper()
	s, ok := f.res.Subscriber(scenario)
	require.True(tb, ok, scenario)
	return s
}

// request is a renewal of a demo subscriber with a CSR for key.
func (f *fixture) request(tb testing.TB, scenario string, key crypto.Signer, token string) ca.RenewalRequest {
	tb.Helper()
	s := f.sub(tb, scenario)
	return ca.RenewalRequest{
		Profile:       s.Profile,
		Tariff:        "base",
		Current:       s.Cert,
		CurrentChain:  []*x509.Certificate{f.res.Issuing},
		CSR:           csr(tb, key, nil),
		ApplicationID: "app-" + scenario + "-" + token,
		Token:         token,
	}
}

// csr makes a PKCS#10 request; rawSubject nil means an empty subject.
func csr(tb testing.TB, key crypto.Signer, rawSubject []byte) []byte {
	tb.Helper()
	var (
		der []byte
		err error
	)
	if _, gost := key.(*gost3410.PrivateKey); gost {
		der, err = x509sig.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: rawSubject}, key)
	} else {
		der, err = x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: rawSubject}, key)
	}
	require.NoError(tb, err)
	return der
}

func newKey(tb testing.TB, kind string) crypto.Signer {
	tb.Helper()
	var (
		k   crypto.Signer
		err error
	)
	switch kind {
	case "p256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "p384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "p521":
		k, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "rsa2048":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case "rsa1024":
		k, err = rsa.GenerateKey(rand.Reader, 1024)
	case "ed25519":
		_, k, err = ed25519.GenerateKey(rand.Reader)
	case "gost256": // what the wizard makes for the Russian profiles
		k, err = gost3410.GenerateKey(gost3410.CryptoProA(), rand.Reader)
	default:
		tb.Fatalf("unknown key kind %q", kind)
	}
	require.NoError(tb, err)
	return k
}

// gostLikeCSR is a syntactically valid PKCS#10 with a GOST R 34.10-2012 key
// and signature algorithm, which Go cannot verify.
func gostLikeCSR(tb testing.TB) []byte {
	tb.Helper()
	type spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	type info struct {
		Version    int
		Subject    asn1.RawValue
		PublicKey  spki
		Attributes asn1.RawValue `asn1:"tag:0"`
	}
	params, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 2, 643, 7, 1, 2, 1, 1, 1}, {1, 2, 643, 7, 1, 1, 2, 2}})
	pub := make([]byte, 66)
	_, _ = rand.Read(pub)
	emptyName, _ := asn1.Marshal(pkix.RDNSequence{})
	tbs := info{
		Subject: asn1.RawValue{FullBytes: emptyName},
		PublicKey: spki{
			Algorithm: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}, Parameters: asn1.RawValue{FullBytes: params}},
			PublicKey: asn1.BitString{Bytes: pub, BitLength: len(pub) * 8},
		},
		Attributes: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true},
	}
	sig := make([]byte, 64)
	_, _ = rand.Read(sig)
	der, err := asn1.Marshal(struct {
		TBS       info
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}{tbs, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}}, asn1.BitString{Bytes: sig, BitLength: 512}})
	require.NoError(tb, err)
	return der
}

// issueCurrent signs a "current" certificate with the demo issuing CA:
// the values are encoded with the profile's types but not checked, so a
// test can make a certificate that is wrong on purpose.
func (f *fixture) issueCurrent(tb testing.TB, profName string, values map[string]string, identKind int, notBefore, notAfter time.Time) (*x509.Certificate, crypto.Signer) {
	tb.Helper()
	prof, ok := f.profiles.Get(profName)
	require.True(tb, ok)
	type atv struct {
		Type  asn1.ObjectIdentifier
		Value asn1.RawValue
	}
	type atvSET []atv
	var rdns []atvSET
	for _, a := range prof.Attributes() {
		if v, ok := values[a.Name]; ok {
			rdns = append(rdns, atvSET{{a.OID, asn1.RawValue{Class: asn1.ClassUniversal, Tag: a.Type.Tag(), Bytes: []byte(v)}}})
		}
	}
	raw, err := asn1.Marshal(rdns)
	require.NoError(tb, err)
	key := newKey(tb, "p256")
	serial, err := ca.NewSerial()
	require.NoError(tb, err)
	tmpl, err := ca.LeafTemplate(ca.TemplateParams{
		Profile: prof, Tariff: prof.Tariffs()[0], RawSubject: raw, PublicKey: key.Public(), Serial: serial,
		NotBefore: notBefore, NotAfter: notAfter, IdentificationKind: identKind,
		OCSPURL: testOCSPURL, CRLURL: testCRLURL, IssuerURL: testIssuerURL,
	})
	require.NoError(tb, err)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.res.Issuing, key.Public(), f.res.IssuingKey)
	require.NoError(tb, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(tb, err)
	return cert, key
}

func ruOwnerValues() map[string]string {
	return map[string]string{
		"cn": "Соколова Елена Игоревна", "surname": "Соколова", "givenName": "Елена Игоревна",
		"c": "RU", "st": "78 г. Санкт-Петербург", "l": "г. Санкт-Петербург", "email": "sokolova@example.ru",
		"inn": "780162743730", "snils": "32622297560",
	}
}
