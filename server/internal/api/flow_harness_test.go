package api

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/demo"
	"renewal/ca/keyfile"
	"renewal/ca/x509sig"
	"renewal/server/internal/auditlog"
	"renewal/server/internal/authority"
	"renewal/server/internal/config"
	"renewal/server/internal/notify"
	"renewal/server/internal/payments"
	"renewal/server/internal/payments/sandbox"
	"renewal/server/internal/pgtest"
	"renewal/server/internal/registry"
	"renewal/server/internal/renewal"
	"renewal/server/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// clock is the injected time of a flow: tests travel instead of sleeping.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Travel(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// flow is the whole server in-process: real PostgreSQL, the demo
// authority, the workflow with its job queue, the Fiber app.
type flow struct {
	t        *testing.T
	app      *fiber.App
	st       *store.Store
	svc      *renewal.Service
	audit    *renewal.AuditLog
	auditKey *auditlog.Key
	registry *registry.File
	demo     *authority.Demo
	auth     *authority.Loaded
	clock    *clock
	clients  int
	// webhookSecret signs the card gateway's notifications.
	webhookSecret []byte
	// base is the URL of a real server binary; empty: the app in-process.
	base string
}

// send delivers a request to the app in-process, or over HTTP to the
// binary.
func (f *flow) send(req *http.Request) (*http.Response, error) {
	if f.base == "" {
		in := exampleBody(req)
		resp, err := f.app.Test(req, -1)
		recordExample(req, in, resp)
		return resp, err
	}
	out, err := http.NewRequest(req.Method, f.base+req.URL.RequestURI(), req.Body)
	if err != nil {
		return nil, err
	}
	out.Header = req.Header.Clone()
	out.Header.Del("X-Forwarded-For")
	return http.DefaultTransport.RoundTrip(out)
}

// newFlow starts the flow; trusted are written to trusted.pem (issuers
// of current certificates besides the demo root).
func newFlow(t *testing.T, trusted ...*x509.Certificate) *flow {
	t.Helper()
	return newFlowWith(t, flowOptions{}, trusted...)
}

// flowOptions change the flow's parts.
type flowOptions struct {
	RegistryDelay time.Duration // how long a registry check takes (spread over its steps)
}

func newFlowWith(t *testing.T, o flowOptions, trusted ...*x509.Certificate) *flow {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t), store.Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(ctx))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("FLOW_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}

	dir := t.TempDir()
	clk := &clock{}
	d, err := authority.EnsureDemo(ctx, filepath.Join(dir, "demo"), st.CA(), "http://127.0.0.1", clk.Now())
	require.NoError(t, err)
	if len(trusted) > 0 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "demo", authority.TrustedFile), ca.EncodePEM(trusted...), 0o600))
	}
	cfg := &config.Config{CADir: filepath.Join(dir, "demo"), DataDir: dir}
	auth, err := authority.Load(cfg, st.CA(), "http://127.0.0.1", log, clk.Now)
	require.NoError(t, err)
	catalog, err := renewal.LoadCatalog(auth.Profiles)
	require.NoError(t, err)
	reg, err := registry.NewFile(registry.Options{Delay: o.RegistryDelay})
	require.NoError(t, err)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	// The card gateway's sandbox: the tests send its notifications
	// themselves, signed with its secret, to control order and timing.
	webhookSecret := []byte("test webhook secret")
	card, err := sandbox.NewCard(sandbox.Config{BaseURL: "http://127.0.0.1", WebhookURL: "http://127.0.0.1:9/unused",
		Secret: webhookSecret, Dir: filepath.Join(dir, "sandbox")})
	require.NoError(t, err)
	svc, err := renewal.New(renewal.Config{Store: st, Authority: auth, Catalog: catalog, Registry: reg, Secret: secret,
		Providers: map[payments.Method]payments.Provider{payments.MethodCard: card},
		PublicURL: "http://127.0.0.1", Centre: "Тестовый УЦ", Dev: true, Now: clk.Now, Log: log})
	require.NoError(t, err)
	key, err := auditlog.LoadKey(filepath.Join(dir, "audit.key"))
	require.NoError(t, err)
	audit := renewal.NewAuditLog(st, key, clk.Now, log)
	workers := river.NewWorkers()
	svc.Workers(workers, map[notify.Channel]notify.Sender{notify.Email: renewal.DevOutbox{}, notify.SMS: renewal.DevOutbox{}})
	// The sequencer is run by the tests that need it (f.sequence), not
	// every second.
	audit.Workers(workers)
	q, err := st.NewQueue(workers, log, renewal.Queues)
	require.NoError(t, err)
	require.NoError(t, q.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	// Each holder comes from its own address, through a trusted proxy,
	// so the per-client limits of codes do not mix tests.
	app := New(Deps{Log: log, Services: st, Ready: st, Renewal: svc, Audit: audit, Dev: true, Authority: auth, Root: auth.Root, RootCRL: auth.RootCRL,
		TrustedProxies: []string{"0.0.0.0"}, OperatorToken: "operator-secret", CheckResponses: true})
	return &flow{t: t, app: app, st: st, svc: svc, audit: audit, auditKey: key, registry: reg, demo: d, auth: auth, clock: clk, webhookSecret: webhookSecret}
}

// sequence runs the audit sequencer once, as its periodic job would.
func (f *flow) sequence() {
	f.t.Helper()
	_, err := f.audit.Sequence(context.Background())
	require.NoError(f.t, err)
}

// verifyAudit sequences what is pending and verifies the whole log.
func (f *flow) verifyAudit() (auditlog.Verified, error) {
	f.sequence()
	return renewal.VerifyAudit(context.Background(), f.st, f.auditKey.Verifier)
}

// holder is one browser: its cookie and CSRF token, and a demo
// subscriber's certificate and key read from the PKCS#12 file.
type holder struct {
	f      *flow
	cookie string
	csrf   string
	cert   *x509.Certificate
	chain  []*x509.Certificate
	key    crypto.Signer
	phone  string
	email  string
	id     string
	ip     string
	// The head's session, when this browser acts as a head.
	headCookie, headCSRF string
	lastConfirmation     string
	// lastSignature is the last CMS signature submitted.
	lastSignature []byte
}

func (f *flow) holder(scenario, phone, email string) *holder {
	f.t.Helper()
	f.clients++
	h := &holder{f: f, ip: fmt.Sprintf("198.51.100.%d", f.clients)}
	if phone != "" {
		var err error
		h.phone, err = notify.NormalizePhone(phone)
		require.NoError(f.t, err)
		h.email, err = notify.NormalizeEmail(email)
		require.NoError(f.t, err)
	}
	for _, s := range f.demo.Subscribers {
		if s.Scenario != scenario {
			continue
		}
		b, err := os.ReadFile(s.File)
		require.NoError(f.t, err)
		// keyfile reads GOST keys too (go-pkcs12 does not).
		entries, err := keyfile.DecodePKCS12(b, f.demo.Password)
		require.NoError(f.t, err)
		require.Len(f.t, entries, 1)
		h.cert, h.key = entries[0].Cert, entries[0].Key
		for _, c := range entries[0].Chain {
			if !bytes.Equal(c.RawIssuer, c.RawSubject) { // intermediates only
				h.chain = append(h.chain, c)
			}
		}
		// A holder who opens an application (contacts given) has a
		// certificate of his own, reissued from the scenario's: one open
		// application per certificate. Without contacts he is the
		// scenario's demo certificate (a head, a second browser); so is
		// the revoked scenario, whose revocation is by serial.
		if phone != "" && scenario != "by-revoked" {
			h.cert, h.key = f.reissue(h.cert)
		}
		return h
	}
	f.t.Fatalf("no demo subscriber %s", scenario)
	return nil
}

// reissue is another certificate of base's holder (demo.Reissue), signed
// by the demo issuing CA.
func (f *flow) reissue(base *x509.Certificate) (*x509.Certificate, crypto.Signer) {
	f.t.Helper()
	issuer, key, err := demo.LoadIssuer(f.demo.Dir)
	require.NoError(f.t, err)
	cert, k, err := demo.Reissue(base, issuer, key, time.Time{})
	require.NoError(f.t, err)
	return cert, k
}

// otherBrowser is the same person with the same certificate in a browser
// of its own (no session, another client address).
func (h *holder) otherBrowser() *holder {
	h.f.clients++
	return &holder{f: h.f, ip: fmt.Sprintf("198.51.100.%d", h.f.clients), cert: h.cert, chain: h.chain, key: h.key,
		phone: h.phone, email: h.email}
}

// call sends a JSON request with the holder's cookie and CSRF token and
// decodes the answer into out (if not nil). It returns the status and,
// for refusals, the error body.
func (h *holder) call(method, path string, in, out any) (int, wire.Error) {
	h.f.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		require.NoError(h.f.t, err)
		body = strings.NewReader(string(b))
	}
	req := httptest.NewRequest(method, path, body)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	var cookies []string
	if h.cookie != "" {
		cookies = append(cookies, "rnw_session="+h.cookie)
	}
	if h.headCookie != "" {
		cookies = append(cookies, "rnw_head="+h.headCookie)
	}
	if len(cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
	}
	if strings.HasPrefix(path, "/api/v1/approval") {
		if h.headCSRF != "" {
			req.Header.Set("X-CSRF-Token", h.headCSRF)
		}
	} else if h.csrf != "" {
		req.Header.Set("X-CSRF-Token", h.csrf)
	}
	req.Header.Set("X-Forwarded-For", h.ip)
	resp, err := h.f.send(req)
	require.NoError(h.f.t, err)
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		switch c.Name {
		case "rnw_session":
			h.cookie = c.Value
		case "rnw_head":
			h.headCookie = c.Value
		}
	}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		var e wire.Error
		require.NoError(h.f.t, json.Unmarshal(raw, &e), "%s %s: %s", method, path, raw)
		return resp.StatusCode, e
	}
	if out != nil {
		if b, ok := out.(*[]byte); ok {
			*b = raw
		} else {
			require.NoError(h.f.t, json.Unmarshal(raw, out), "%s %s: %s", method, path, raw)
		}
	}
	var v wire.Renewal
	if json.Unmarshal(raw, &v) == nil && v.CSRFToken != "" {
		if strings.HasPrefix(path, "/api/v1/approval") {
			h.headCSRF = v.CSRFToken
		} else {
			h.csrf, h.id = v.CSRFToken, v.ID
		}
	}
	return resp.StatusCode, wire.Error{}
}

// must is call that expects success.
func (h *holder) must(method, path string, in, out any) {
	h.f.t.Helper()
	status, e := h.call(method, path, in, out)
	require.Less(h.f.t, status, 300, "%s %s: %d %s %s", method, path, status, e.Code, e.MessageEN)
}

func (h *holder) state() string {
	h.f.t.Helper()
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	return v.State
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// code reads the latest code sent to a destination from /dev/api/outbox.
func (h *holder) code(to string) string {
	h.f.t.Helper()
	var msgs []OutboxMessage
	h.must("GET", "/dev/api/outbox", nil, &msgs)
	for _, m := range msgs { // newest first
		if m.To == to && m.ApplicationID == h.id {
			if c := codeRE.FindStringSubmatch(m.Body); c != nil {
				return c[1]
			}
		}
	}
	h.f.t.Fatalf("no code sent to %s", to)
	return ""
}

// start opens an application and verifies both contacts.
func (h *holder) start(service string) {
	h.f.t.Helper()
	h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: service, Phone: h.phone, Email: h.email}, nil)
	h.must("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: h.code(h.phone), EmailCode: h.code(h.email)}, nil)
}

// newRequest is a new key of the kind the holder's profile takes, as the
// wizard makes it (newKeyFor), and its CSR.
func (h *holder) newRequest() (crypto.Signer, []byte) {
	h.f.t.Helper()
	key := newKeyFor(h.f.t, h.cert)
	var (
		csr []byte
		err error
	)
	if _, gost := key.(*gost3410.PrivateKey); gost {
		csr, err = x509sig.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	} else {
		csr, err = x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	}
	require.NoError(h.f.t, err)
	return key, csr
}

// newKeyFor is a new key of the kind a holder of cert gets from the
// wizard: GOST R 34.10-2012 256 on CryptoPro A in Russia (the qualified
// profiles take GOST only), P-256 in Belarus.
func newKeyFor(t *testing.T, cert *x509.Certificate) crypto.Signer {
	t.Helper()
	var (
		key crypto.Signer
		err error
	)
	if slices.Contains(cert.Subject.Country, "RU") {
		key, err = gost3410.GenerateKey(gost3410.CryptoProA(), rand.Reader)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	require.NoError(t, err)
	return key
}

// sign signs a message with the holder's current key (SHA-256; ECDSA DER;
// GOST: the key's Streebog, s‖r).
func (h *holder) sign(msg []byte) []byte {
	h.f.t.Helper()
	if k, ok := h.key.(*gost3410.PrivateKey); ok {
		sig, err := k.SignMessage(rand.Reader, msg, nil)
		require.NoError(h.f.t, err)
		return sig
	}
	sum := sha256.Sum256(msg)
	if k, ok := h.key.(*ecdsa.PrivateKey); ok {
		sig, err := ecdsa.SignASN1(rand.Reader, k, sum[:])
		require.NoError(h.f.t, err)
		return sig
	}
	sig, err := h.key.Sign(rand.Reader, sum[:], crypto.SHA256)
	require.NoError(h.f.t, err)
	return sig
}

// prove answers a fresh challenge with the holder's certificate.
func (h *holder) prove() (int, wire.Error) {
	h.f.t.Helper()
	var ch wire.Challenge
	h.must("POST", "/api/v1/renewal/challenge", nil, &ch)
	return h.call("POST", "/api/v1/renewal/proof", h.proof(ch), nil)
}

func (h *holder) proof(ch wire.Challenge) wire.Proof {
	p := wire.Proof{ChallengeID: ch.ID, Certificate: h.cert.Raw, Signature: h.sign(ch.Message)}
	for _, c := range h.chain {
		p.Chain = append(p.Chain, c.Raw)
	}
	return p
}

// acceptTerms picks the first tariff and accepts every document.
func (h *holder) acceptTerms() {
	h.f.t.Helper()
	var tl wire.TariffList
	h.must("GET", "/api/v1/renewal/tariffs", nil, &tl)
	require.NotEmpty(h.f.t, tl.Tariffs)
	h.must("PUT", "/api/v1/renewal/tariff", wire.TariffChoice{Tariff: tl.Tariffs[0].Code}, nil)
	h.must("POST", "/api/v1/renewal/terms", h.acceptance(), nil)
}

func (h *holder) acceptance() wire.TermsAcceptance {
	var terms wire.TermsList
	h.must("GET", "/api/v1/renewal/terms", nil, &terms)
	var acc wire.TermsAcceptance
	for _, d := range terms.Documents {
		acc.Accepted = append(acc.Accepted, wire.AcceptedDocument{Code: d.Code, Version: d.Version, SHA256: d.SHA256})
	}
	return acc
}

// waitState polls until the application reaches a state.
func (h *holder) waitState(want string) {
	h.f.t.Helper()
	h.waitStateWithin(want, 30*time.Second)
}

func (h *holder) waitStateWithin(want string, limit time.Duration) {
	h.f.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		got := h.state()
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			h.f.t.Fatalf("state %s, waited for %s", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// auditHas reports whether the application's audit trail has an event of
// this kind.
func (f *flow) auditHas(appID, kind string) bool {
	f.t.Helper()
	events, err := f.st.AuditForApplication(context.Background(), appID)
	require.NoError(f.t, err)
	for _, e := range events {
		if e.Kind == kind {
			return true
		}
	}
	return false
}
