package api

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/gostssl"
	"renewal/ca/x509sig"
	"renewal/server/internal/payments"
)

// gostOpenSSL is ca/gostssl's runner, failing the test on any error of
// openssl (the runner fails, never skips, without openssl or its engine).
type gostOpenSSL struct {
	*gostssl.Runner
	t *testing.T
}

func newGostOpenSSL(t *testing.T) *gostOpenSSL {
	t.Helper()
	return &gostOpenSSL{gostssl.New(t), t}
}

func (o *gostOpenSSL) run(stdin []byte, args ...string) []byte {
	o.t.Helper()
	return o.MustRun(stdin, args...)
}

func (o *gostOpenSSL) write(name string, b []byte) string { return o.Write(name, b) }

func (o *gostOpenSSL) read(name string) []byte { return o.Read(name) }

func (o *gostOpenSSL) cert(name string) *x509.Certificate {
	o.t.Helper()
	b, _ := pem.Decode(o.read(name))
	require.NotNil(o.t, b, name)
	c, err := x509.ParseCertificate(b.Bytes)
	require.NoError(o.t, err)
	return c
}

// gostCA is a GOST R 34.10-2012 root that OpenSSL made and runs (`openssl
// ca`: its index, its CRL), serving that CRL on 127.0.0.1. Our code never
// signs anything of it.
type gostCA struct {
	o    *gostOpenSSL
	root *x509.Certificate
	crl  atomic.Pointer[[]byte]
	url  string
	n    int
	mu   sync.Mutex
	ocsp map[string][]byte // OCSP answers by certificate, made by `openssl ocsp`
}

func newGostCA(t *testing.T) *gostCA {
	o := newGostOpenSSL(t)
	g := &gostCA{o: o, ocsp: map[string][]byte{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := strings.CutPrefix(r.URL.Path, "/ocsp/"); ok {
			g.mu.Lock()
			resp := g.ocsp[name]
			g.mu.Unlock()
			w.Header().Set("Content-Type", "application/ocsp-response")
			_, _ = w.Write(resp)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-crl")
		_, _ = w.Write(*g.crl.Load())
	}))
	t.Cleanup(srv.Close)
	g.url = srv.URL
	o.run(nil, "genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", "root.key")
	o.run(nil, "req", "-new", "-x509", "-utf8", "-key", "root.key", "-md_gost12_256", "-days", "3650",
		"-subj", "/C=RU/O=Сторонний УЦ/CN=Сторонний корневой УЦ ГОСТ",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
		"-out", "root.pem")
	g.root = o.cert("root.pem")
	o.write("index.txt", nil)
	// Every demo holder of a scenario has the same subject.
	o.write("index.txt.attr", []byte("unique_subject = no\n"))
	o.write("ca.cnf", []byte(`[ca]
default_ca = gost
[gost]
database = index.txt
new_certs_dir = .
certificate = root.pem
private_key = root.key
default_md = md_gost12_256
default_crl_days = 1
crlnumber = crlnumber
`))
	o.write("crlnumber", []byte("01\n"))
	g.publishCRL()
	return g
}

// publishCRL makes a new CRL from the index and serves it.
func (g *gostCA) publishCRL() {
	g.o.run(nil, "ca", "-config", "ca.cnf", "-gencrl", "-out", "crl.pem")
	g.o.run(nil, "crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der")
	der := g.o.read("crl.der")
	g.crl.Store(&der)
}

// issue has OpenSSL certify a GOST key of its own for the subject of tmpl
// (byte for byte: the demo holder's), valid from now until about
// tmpl.NotAfter, with its own CRL URL (the revocation client caches by
// URL). The request is made by x509sig because `openssl req -subj`
// cannot write the Russian identifiers' NumericString; OpenSSL checks
// its proof of possession and writes and signs the certificate.
func (g *gostCA) issue(t *testing.T, tmpl *x509.Certificate, withOCSP bool, extra string) (*x509.Certificate, *gost3410.PrivateKey, string) {
	g.n++
	o := g.o
	name := fmt.Sprintf("person%d", g.n)
	o.run(nil, "genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:B", "-outform", "DER", "-out", name+".key.der")
	key, err := gost3410.ParsePKCS8PrivateKey(o.read(name + ".key.der"))
	require.NoError(t, err)
	csr, err := x509sig.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: tmpl.RawSubject}, key)
	require.NoError(t, err)
	o.write(name+".csr", csr)
	// Either an OCSP responder or a CRL, so that the one named is the
	// one that answers.
	source := fmt.Sprintf("crlDistributionPoints=URI:%s/crl/%s\n", g.url, name)
	if withOCSP {
		source = fmt.Sprintf("authorityInfoAccess=OCSP;URI:%s/ocsp/%s\n", g.url, name)
	}
	o.write(name+".ext", []byte("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment\n"+
		"extendedKeyUsage=clientAuth,emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"+source+extra))
	days := int(time.Until(tmpl.NotAfter).Hours() / 24)
	require.Positive(t, days, "the demo certificate expires today")
	o.run(nil, "x509", "-req", "-inform", "DER", "-in", name+".csr", "-CA", "root.pem", "-CAkey", "root.key",
		"-set_serial", fmt.Sprintf("0x%x%04x", time.Now().UnixNano(), g.n), "-md_gost12_256", "-days", fmt.Sprint(days),
		"-extfile", name+".ext", "-out", name+".pem")
	// OpenSSL itself accepts what it made.
	o.run(nil, "verify", "-CAfile", "root.pem", name+".pem")
	o.run(nil, "ca", "-config", "ca.cnf", "-valid", name+".pem")
	if withOCSP {
		g.answerOCSP(name)
	}
	return o.cert(name + ".pem"), key, name + ".pem"
}

// answerOCSP has OpenSSL's responder answer for a certificate from the
// index, signed by the root's GOST key with Streebog-256, the root's
// certificate embedded (as `openssl ocsp` does by default).
func (g *gostCA) answerOCSP(name string) {
	g.o.run(nil, "ocsp", "-issuer", "root.pem", "-cert", name+".pem", "-no_nonce", "-reqout", name+".req")
	g.o.run(nil, "ocsp", "-index", "index.txt", "-rsigner", "root.pem", "-rkey", "root.key", "-CA", "root.pem",
		"-reqin", name+".req", "-respout", name+".resp", "-rmd", "md_gost12_256", "-ndays", "1")
	resp := g.o.read(name + ".resp")
	g.mu.Lock()
	g.ocsp[name] = resp
	g.mu.Unlock()
}

// revoke enters a certificate as revoked in the CA's index and publishes
// a new CRL.
func (g *gostCA) revoke(file string) {
	g.o.run(nil, "ca", "-config", "ca.cnf", "-revoke", file, "-crl_reason", "keyCompromise")
	g.publishCRL()
	if name := strings.TrimSuffix(file, ".pem"); g.ocsp[name] != nil {
		g.answerOCSP(name)
	}
}

// gostHolder is a Russian demo holder whose current certificate the
// OpenSSL GOST authority issued.
func (f *flow) gostHolder(g *gostCA, scenario, phone, email string, withOCSP bool) (*holder, string) {
	f.t.Helper()
	h := f.holder(scenario, phone, email)
	cert, key, file := g.issue(f.t, h.cert, withOCSP, "")
	require.Nil(f.t, cert.PublicKey, "crypto/x509 leaves a GOST key unparsed: the test must reach our code")
	h.cert, h.key, h.chain = cert, key, nil
	return h, file
}

// TestFlowGOSTCurrentCertificateFromOpenSSL: a GOST R 34.10-2012
// certificate that OpenSSL's GOST engine issued under a GOST root that
// OpenSSL made, the root added through trusted.pem, proves a renewal
// (Streebog-256 challenge signature, GOST chain, OpenSSL's GOST-signed
// CRL or OCSP response), the application is signed with GOST CMS made by
// OpenSSL, and the renewal ends: paid, a new GOST key and request made by
// OpenSSL, the certificate issued by our GOST demo authority (OpenSSL
// verifies it) and its form signed by OpenSSL with the new key. Revoked in
// OpenSSL's CRL or OCSP: refused.
func TestFlowGOSTCurrentCertificateFromOpenSSL(t *testing.T) {
	g := newGostCA(t)
	f := newFlow(t, g.root)

	t.Run("ok/proves-and-signs", func(t *testing.T) {
		h, file := f.gostHolder(g, "ru-owner", "+79000001401", "gost-owner@example.ru", false)
		h.start("ru-owner")
		status, e := h.prove()
		require.Less(t, status, 300, "%s %s", e.Code, e.MessageEN)
		var v wire.Renewal
		h.must("GET", "/api/v1/renewal", nil, &v)
		assert.Equal(t, "certificate_proven", v.State)
		require.NotNil(t, v.Certificate)
		assert.Equal(t, h.cert.SerialNumber.Text(16), v.Certificate.Serial)

		h.acceptTerms()
		h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{
			PassportSeries: "4510", PassportNumber: "123456", PassportIssued: "2015-06-01",
			SNILS: "693-849-373 75", INN: "771952685970",
		}, nil)
		h.waitState("verified")

		var pdf []byte
		h.must("GET", "/api/v1/renewal/application.pdf", nil, &pdf)
		g.o.write("application.pdf", pdf)
		// OpenSSL signs the application: detached, Streebog-256.
		keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: g.o.read(file[:len(file)-len(".pem")] + ".key.der")})
		g.o.write("signer.key", keyPEM)
		g.o.run(nil, "cms", "-sign", "-binary", "-in", "application.pdf", "-signer", file, "-inkey", "signer.key",
			"-md", "md_gost12_256", "-outform", "DER", "-out", "application.p7s")
		sig := g.o.read("application.p7s")

		// The same signature over other bytes is refused and changes nothing.
		g.o.write("other.pdf", append(bytes.Clone(pdf), '\n'))
		g.o.run(nil, "cms", "-sign", "-binary", "-in", "other.pdf", "-signer", file, "-inkey", "signer.key",
			"-md", "md_gost12_256", "-outform", "DER", "-out", "other.p7s")
		status, e = h.call("POST", "/api/v1/renewal/application/signature", wire.ApplicationSignature{Signature: g.o.read("other.p7s")}, nil)
		assert.Equal(t, 400, status, e.Code)
		assert.Equal(t, "verified", h.state())

		h.must("POST", "/api/v1/renewal/application/signature", wire.ApplicationSignature{Signature: sig}, nil)
		assert.Equal(t, "awaiting_payment", h.state(), "the renewal proceeds past signing")

		// Paid; the new key and its request from OpenSSL (an empty
		// subject: the authority keeps the current one).
		p, ref := h.pay()
		require.Equal(t, 200, f.notify(event("ev-gost-openssl", payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
		h.waitState("key_pending")
		g.o.run(nil, "req", "-new", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A", "-nodes",
			"-keyout", "new.key", "-subj", "/", "-outform", "DER", "-out", "new.csr")
		h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: g.o.read("new.csr")}, nil)
		h.waitState("issued")

		// OpenSSL verifies the new certificate against our GOST demo
		// authority, and signs the form with the new key.
		var pemBytes, form []byte
		h.must("GET", "/api/v1/renewal/certificate.pem", nil, &pemBytes)
		h.must("GET", "/api/v1/renewal/certificate-form.pdf", nil, &form)
		g.o.write("new.pem", pemBytes)
		g.o.write("form.pdf", form)
		out := g.o.run(nil, "verify", "-CAfile", filepath.Join(f.demo.Dir, "root.pem"),
			"-untrusted", filepath.Join(f.demo.Dir, "issuing.pem"), "new.pem")
		assert.Contains(t, string(out), "new.pem: OK")
		issued := parsePEMCert(t, pemBytes)
		assert.Equal(t, h.cert.RawSubject, issued.RawSubject, "the subject of the certificate OpenSSL's CA made")
		g.o.run(nil, "cms", "-sign", "-binary", "-in", "form.pdf", "-signer", "new.pem", "-inkey", "new.key",
			"-md", "md_gost12_256", "-outform", "DER", "-out", "form.p7s")
		h.must("POST", "/api/v1/renewal/acknowledgement", wire.ApplicationSignature{Signature: g.o.read("form.p7s")}, nil)
		assert.Equal(t, "acknowledged", h.state())
	})

	t.Run("ok/our-gost-cms", func(t *testing.T) {
		h, _ := f.gostHolder(g, "ru-owner", "+79000001402", "gost-owner2@example.ru", false)
		h.start("ru-owner")
		status, e := h.prove()
		require.Less(t, status, 300, "%s %s", e.Code, e.MessageEN)
		h.acceptTerms()
		h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{
			PassportSeries: "4510", PassportNumber: "123456", PassportIssued: "2015-06-01",
			SNILS: "693-849-373 75", INN: "771952685970",
		}, nil)
		h.waitState("verified")
		h.signApplication() // ca/cms with the GOST key, as the browser will
		assert.Equal(t, "awaiting_payment", h.state())
	})

	t.Run("ok/openssl-ocsp-good", func(t *testing.T) {
		h, _ := f.gostHolder(g, "ru-owner", "+79000001404", "gost-ocsp@example.ru", true)
		h.start("ru-owner")
		status, e := h.prove()
		require.Less(t, status, 300, "%s %s", e.Code, e.MessageEN)
		assert.Equal(t, "certificate_proven", h.state())
	})
	t.Run("fail/revoked-in-openssl-ocsp", func(t *testing.T) {
		h, file := f.gostHolder(g, "ru-owner", "+79000001405", "gost-ocsp-revoked@example.ru", true)
		g.revoke(file)
		h.start("ru-owner")
		status, e := h.prove()
		assert.Equal(t, 403, status)
		assert.Equal(t, "cert_revoked", e.Code, e.MessageEN)
		assert.Equal(t, "contacts_verified", h.state())
	})
	t.Run("fail/issued-remotely-no-chaining", func(t *testing.T) {
		// IdentificationKind (1.2.643.100.114) = 1: issued remotely; in
		// Russia it may not renew remotely again, GOST or not.
		h := f.holder("ru-owner", "+79000001406", "gost-remote@example.ru")
		cert, key, _ := g.issue(t, h.cert, false, "1.2.643.100.114=ASN1:INTEGER:1\n")
		h.cert, h.key, h.chain = cert, key, nil
		h.start("ru-owner")
		status, e := h.prove()
		assert.Equal(t, 403, status)
		assert.Equal(t, "remote_chain", e.Code, e.MessageEN)
		assert.Equal(t, "contacts_verified", h.state())
	})
	t.Run("fail/revoked-in-openssl-crl", func(t *testing.T) {
		h, file := f.gostHolder(g, "ru-owner", "+79000001403", "gost-revoked@example.ru", false)
		g.revoke(file)
		h.start("ru-owner")
		status, e := h.prove()
		assert.Equal(t, 403, status)
		assert.Equal(t, "cert_revoked", e.Code, e.MessageEN)
		assert.NotEmpty(t, e.MessageRU)
		assert.Equal(t, "contacts_verified", h.state())
		assert.Equal(t, []string{"cert_revoked"}, h.refusals())
	})
}

// TestFlowGOSTProofRefusals: bad GOST input at the proof is refused with
// its own code and a Russian and English message, audited, and changes
// nothing: the application stays where it was.
func TestFlowGOSTProofRefusals(t *testing.T) {
	g := newGostCA(t)
	f := newFlow(t, g.root)
	h, _ := f.gostHolder(g, "ru-owner", "+79000001501", "gost-bad@example.ru", false)
	h.start("ru-owner")
	_, _, _, q, _, _, _ := h.key.(*gost3410.PrivateKey).PublicKey().Curve().Params()

	// editCert changes the certificate's DER where old occurs (once).
	editCert := func(old, new []byte) []byte {
		t.Helper()
		require.Equal(t, 1, bytes.Count(h.cert.Raw, old), "the bytes to change occur once")
		return bytes.Replace(bytes.Clone(h.cert.Raw), old, new, 1)
	}
	spki := h.cert.RawSubjectPublicKeyInfo
	keyBits := spki[len(spki)-64:] // X‖Y little-endian, the end of the SPKI
	offCurve := bytes.Clone(keyBits)
	offCurve[0] ^= 1
	paramSet := []byte{0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x23, 0x02} // 1.2.643.2.2.35.2, CryptoPro B: OpenSSL's paramset:B
	unknownSet := bytes.Clone(paramSet)
	unknownSet[len(unknownSet)-1] = 0x09
	sigAlg256 := []byte{0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x03, 0x02}
	sigAlg512 := []byte{0x06, 0x08, 0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x03, 0x03}
	mismatched := bytes.ReplaceAll(bytes.Clone(h.cert.Raw), sigAlg256, sigAlg512) // inner and outer alike

	outOfRange := make([]byte, 64) // s‖r with r = q
	copy(outOfRange[32:], q.FillBytes(make([]byte, 32)))
	outOfRange[31] = 1

	cases := []struct {
		name   string
		proof  func(ch wire.Challenge) wire.Proof
		status int
		code   string
	}{
		{"fail/signature-truncated", func(ch wire.Challenge) wire.Proof {
			p := h.proof(ch)
			p.Signature = p.Signature[:63]
			return p
		}, 400, "proof_signature_form"},
		{"fail/signature-r-out-of-range", func(ch wire.Challenge) wire.Proof {
			p := h.proof(ch)
			p.Signature = outOfRange
			return p
		}, 400, "proof_signature_form"},
		{"fail/signature-over-another-message", func(ch wire.Challenge) wire.Proof {
			p := h.proof(ch)
			p.Signature = h.sign(append(bytes.Clone(ch.Message), ' '))
			return p
		}, 400, "proof_signature"},
		{"fail/signature-of-a-512-bit-key", func(ch wire.Challenge) wire.Proof {
			// 128 bytes for a 256-bit key: not its size.
			p := h.proof(ch)
			p.Signature = append(bytes.Clone(p.Signature), p.Signature...)
			return p
		}, 400, "proof_signature_form"},
		{"fail/key-off-curve", func(ch wire.Challenge) wire.Proof {
			p := h.proof(ch)
			p.Certificate = editCert(keyBits, offCurve)
			return p
		}, 400, "certificate_key"},
		{"fail/unknown-param-set", func(ch wire.Challenge) wire.Proof {
			p := h.proof(ch)
			p.Certificate = editCert(paramSet, unknownSet)
			return p
		}, 400, "certificate_key"},
		{"fail/truncated-certificate", func(ch wire.Challenge) wire.Proof {
			p := h.proof(ch)
			p.Certificate = p.Certificate[:len(p.Certificate)-10]
			return p
		}, 400, "bad_certificate"},
		{"fail/signature-algorithm-not-the-issuers-key", func(ch wire.Challenge) wire.Proof {
			p := h.proof(ch)
			p.Certificate = mismatched
			return p
		}, 403, "untrusted_chain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ch wire.Challenge
			h.must("POST", "/api/v1/renewal/challenge", nil, &ch)
			status, e := h.call("POST", "/api/v1/renewal/proof", tc.proof(ch), nil)
			assert.Equal(t, tc.status, status, e.MessageEN)
			assert.Equal(t, tc.code, e.Code, e.MessageEN)
			assert.NotEmpty(t, e.MessageRU)
			assert.NotEmpty(t, e.MessageEN)
			assert.Equal(t, "contacts_verified", h.state(), "a refusal changes nothing")
		})
	}
	// After every refusal the right proof still passes.
	status, e := h.prove()
	require.Less(t, status, 300, "%s %s", e.Code, e.MessageEN)
}
