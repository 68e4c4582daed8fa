// Package revchecktest is another certification authority for tests: a
// root, an issuing CA, and a real HTTP server on 127.0.0.1 that answers
// OCSP (signed with x/crypto/ocsp) and serves a CRL (signed with
// x509.CreateRevocationList) for the certificates it issued. Knobs make
// it slow, down, stale, or sign with the wrong key.
package revchecktest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// Behaviour is what the responder does; the zero value answers honestly
// with responses valid an hour.
type Behaviour struct {
	OCSPDown, CRLDown   bool          // answer 503
	OCSPDelay, CRLDelay time.Duration // sleep before answering
	// Validity is nextUpdate - thisUpdate (default 1 h); ThisUpdateShift
	// moves thisUpdate (negative: an old answer).
	Validity        time.Duration
	ThisUpdateShift time.Duration
	// WrongKey signs OCSP responses and CRLs with a key nobody certified.
	WrongKey bool
	// OtherSerial answers OCSP for the requested serial + 1.
	OtherSerial bool
	// Delegate signs OCSP with a responder certificate the issuing CA
	// made; DelegateNoEKU makes it without id-kp-OCSPSigning.
	Delegate, DelegateNoEKU bool
	// Unknown answers OCSP status unknown.
	Unknown bool
	// CertIDOf writes this certificate's name and key hashes into the
	// OCSP CertID (the right serial, the issuer's signature): a status
	// of another issuer's certificate with the same serial.
	CertIDOf *x509.Certificate
	// ExtraRevoked adds that many random serials to the CRL.
	ExtraRevoked int
	// IDPURL adds a critical issuing distribution point naming this URL.
	IDPURL string
	// ExpiredKeptFrom adds expiredCertsOnCRL: revoked certificates
	// expiring from then on stay on the CRL.
	ExpiredKeptFrom time.Time
}

// CA is the other authority.
type CA struct {
	Root, Issuing       *x509.Certificate
	RootKey, IssuingKey crypto.Signer
	Server              *httptest.Server
	OCSPURL, CRLURL     string
	// Requests counts the HTTP requests answered, OCSP and CRL.
	OCSPRequests, CRLRequests atomic.Int64

	now func() time.Time
	mu  sync.Mutex
	b   Behaviour
	rev map[string]revoked
}

type revoked struct {
	at     time.Time
	reason int
}

// New makes the authority (subjects from name: "<name> Root", "<name>
// Issuing CA") and starts its server; it stops with the test. now is the
// clock of its answers.
func New(tb testing.TB, name string, now func() time.Time) *CA {
	tb.Helper()
	return NewWithSubjects(tb, pkix.Name{CommonName: name + " Root"}, pkix.Name{CommonName: name + " Issuing CA"}, now)
}

// NewLookalike has the names of root and issuing, byte for byte, and
// keys of its own.
func NewLookalike(tb testing.TB, root, issuing *x509.Certificate, now func() time.Time) *CA {
	tb.Helper()
	return newCA(tb, pkix.Name{}, pkix.Name{}, root.RawSubject, issuing.RawSubject, now)
}

// NewWithSubjects is New with the names given.
func NewWithSubjects(tb testing.TB, root, issuing pkix.Name, now func() time.Time) *CA {
	tb.Helper()
	return newCA(tb, root, issuing, nil, nil, now)
}

func newCA(tb testing.TB, root, issuing pkix.Name, rawRoot, rawIssuing []byte, now func() time.Time) *CA {
	tb.Helper()
	c := &CA{now: now, rev: map[string]revoked{}}
	start := now().Add(-365 * 24 * time.Hour)
	c.RootKey, c.IssuingKey = newKey(tb), newKey(tb)
	c.Root = sign(tb, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: root, RawSubject: rawRoot, NotBefore: start, NotAfter: start.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, c.RootKey.Public(), c.RootKey)
	c.Issuing = sign(tb, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: issuing, RawSubject: rawIssuing, NotBefore: start, NotAfter: start.AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}, c.Root, c.IssuingKey.Public(), c.RootKey)
	mux := http.NewServeMux()
	mux.HandleFunc("/ocsp", c.serveOCSP)
	mux.HandleFunc("/ocsp/", c.serveOCSP)
	mux.HandleFunc("/crl", c.serveCRL)
	c.Server = httptest.NewServer(mux)
	tb.Cleanup(c.Server.Close)
	c.OCSPURL, c.CRLURL = c.Server.URL+"/ocsp", c.Server.URL+"/crl"
	return c
}

// Set changes the behaviour.
func (c *CA) Set(b Behaviour) {
	c.mu.Lock()
	c.b = b
	c.mu.Unlock()
}

// Revoke lists a serial as revoked, in OCSP and the CRL.
func (c *CA) Revoke(serial *big.Int, at time.Time, reason int) {
	c.mu.Lock()
	c.rev[serial.String()] = revoked{at.UTC().Truncate(time.Second), reason}
	c.mu.Unlock()
}

// Issue signs a certificate from tmpl (Subject or RawSubject, validity,
// serial taken as given) for a fresh key, naming this authority's OCSP
// responder and CRL unless tmpl names its own (set them to
// []string{} for none).
func (c *CA) Issue(tb testing.TB, tmpl *x509.Certificate) (*x509.Certificate, crypto.Signer) {
	tb.Helper()
	t := *tmpl
	if t.SerialNumber == nil {
		n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
		if err != nil {
			tb.Fatal(err)
		}
		t.SerialNumber = n.Add(n, big.NewInt(1))
	}
	if t.OCSPServer == nil {
		t.OCSPServer = []string{c.OCSPURL}
	}
	if t.CRLDistributionPoints == nil {
		t.CRLDistributionPoints = []string{c.CRLURL}
	}
	if t.NotAfter.IsZero() {
		t.NotBefore, t.NotAfter = c.now().Add(-time.Hour), c.now().Add(30*24*time.Hour)
	}
	t.IssuingCertificateURL, t.AuthorityKeyId, t.SubjectKeyId = nil, nil, nil
	t.ExtraExtensions = nil
	if t.KeyUsage == 0 {
		t.KeyUsage = x509.KeyUsageDigitalSignature
	}
	key := newKey(tb)
	return sign(tb, &t, c.Issuing, key.Public(), c.IssuingKey), key
}

func (c *CA) behaviour() Behaviour {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b
}

func (c *CA) times(b Behaviour) (this, next time.Time) {
	v := b.Validity
	if v == 0 {
		v = time.Hour
	}
	this = c.now().Add(b.ThisUpdateShift).UTC().Truncate(time.Second)
	return this, this.Add(v)
}

func (c *CA) serveOCSP(w http.ResponseWriter, r *http.Request) {
	c.OCSPRequests.Add(1)
	b := c.behaviour()
	time.Sleep(b.OCSPDelay)
	if b.OCSPDown {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	var der []byte
	if r.Method == http.MethodGet { // RFC 6960 A.1: base64 in the path
		der, _ = base64.StdEncoding.DecodeString(strings.TrimPrefix(r.URL.Path, "/ocsp/"))
	} else {
		der, _ = io.ReadAll(io.LimitReader(r.Body, 10000))
	}
	req, err := ocsp.ParseRequest(der)
	if err != nil {
		_, _ = w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	this, next := c.times(b)
	tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: req.SerialNumber, ThisUpdate: this, NextUpdate: next, IssuerHash: req.HashAlgorithm}
	if b.OtherSerial {
		tmpl.SerialNumber = new(big.Int).Add(req.SerialNumber, big.NewInt(1))
	}
	c.mu.Lock()
	rv, isRevoked := c.rev[req.SerialNumber.String()]
	c.mu.Unlock()
	switch {
	case b.Unknown:
		tmpl.Status = ocsp.Unknown
	case isRevoked:
		tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, rv.at, rv.reason
	}
	var signer crypto.Signer = c.IssuingKey
	responder := c.Issuing
	switch {
	case b.WrongKey:
		signer = newKeyOrPanic()
	case b.Delegate || b.DelegateNoEKU:
		signer = newKeyOrPanic()
		rt := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "OCSP responder"},
			NotBefore: this.Add(-time.Hour), NotAfter: next.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		}
		if !b.DelegateNoEKU {
			rt.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		}
		d, err := x509.CreateCertificate(rand.Reader, rt, c.Issuing, signer.Public(), c.IssuingKey)
		if err == nil {
			responder, err = x509.ParseCertificate(d)
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		tmpl.Certificate = responder
	}
	named := c.Issuing
	if b.CertIDOf != nil {
		named = b.CertIDOf
	}
	resp, err := ocsp.CreateResponse(named, responder, tmpl, signer)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	_, _ = w.Write(resp)
}

func (c *CA) serveCRL(w http.ResponseWriter, _ *http.Request) {
	c.CRLRequests.Add(1)
	b := c.behaviour()
	time.Sleep(b.CRLDelay)
	if b.CRLDown {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	this, next := c.times(b)
	rl := &x509.RevocationList{Number: big.NewInt(this.Unix()), ThisUpdate: this, NextUpdate: next}
	c.mu.Lock()
	for s, rv := range c.rev {
		n, _ := new(big.Int).SetString(s, 10)
		rl.RevokedCertificateEntries = append(rl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: n, RevocationTime: rv.at, ReasonCode: rv.reason})
	}
	c.mu.Unlock()
	for range b.ExtraRevoked {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
		rl.RevokedCertificateEntries = append(rl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: n.Add(n, big.NewInt(1)), RevocationTime: this})
	}
	if b.IDPURL != "" {
		rl.ExtraExtensions = append(rl.ExtraExtensions, idp(b.IDPURL))
	}
	if !b.ExpiredKeptFrom.IsZero() {
		v, err := asn1.MarshalWithParams(b.ExpiredKeptFrom.UTC(), "generalized")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		rl.ExtraExtensions = append(rl.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 60}, Value: v})
	}
	var signer crypto.Signer = c.IssuingKey
	if b.WrongKey {
		signer = newKeyOrPanic()
	}
	issuer := *c.Issuing
	issuer.PublicKey = signer.Public() // CreateRevocationList checks the key matches
	der, err := x509.CreateRevocationList(rand.Reader, rl, &issuer, signer)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	_, _ = w.Write(der)
}

// idp is an issuingDistributionPoint (RFC 5280 §5.2.5) with fullName u.
func idp(u string) pkix.Extension {
	m := func(v asn1.RawValue) []byte {
		b, err := asn1.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	uri := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte(u)}
	fullName := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: m(uri)}
	dp := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: m(fullName)}
	seq := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: m(dp)}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 28}, Critical: true, Value: m(seq)}
}

func newKey(tb testing.TB) crypto.Signer {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func newKeyOrPanic() crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func sign(tb testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *x509.Certificate {
	tb.Helper()
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
