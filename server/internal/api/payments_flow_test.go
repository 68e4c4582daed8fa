package api

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca"
	"renewal/ca/cms"
	"renewal/ca/gostssl"
	"renewal/server/internal/payments"
)

// toPayment drives a Belarus 6.0.00 application to awaiting_payment.
func (f *flow) toPayment(phone, email string) *holder {
	f.t.Helper()
	h := f.holder("by-individual", phone, email)
	h.start("by-6.0.00")
	status, e := h.prove()
	require.Less(f.t, status, 300, e.MessageEN)
	h.acceptTerms()
	h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{PersonalNumber: "4150385B012PB6"}, nil)
	h.waitState("verified")
	h.signApplication()
	require.Equal(f.t, "awaiting_payment", h.state())
	return h
}

// pay opens a card payment and returns it with the gateway's reference.
func (h *holder) pay() (wire.Payment, string) {
	h.f.t.Helper()
	var v wire.Renewal
	h.must("POST", "/api/v1/renewal/payment", wire.PaymentStart{Method: "card"}, &v)
	require.NotNil(h.f.t, v.Payment)
	p, err := h.f.st.PaymentGet(context.Background(), v.Payment.ID)
	require.NoError(h.f.t, err)
	return *v.Payment, *p.ProviderRef
}

// notify posts a gateway notification signed at a given time.
func (f *flow) notify(ev payments.Event, signedAt time.Time, secret []byte) int {
	f.t.Helper()
	body, err := payments.EncodeEvent(ev)
	require.NoError(f.t, err)
	req := httptest.NewRequest("POST", "/api/v1/payments/webhook/card", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature", payments.SignatureHeaderValue(signedAt, body, secret))
	resp, err := f.app.Test(req, -1)
	require.NoError(f.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func event(id string, kind payments.EventKind, p wire.Payment, ref string) payments.Event {
	return payments.Event{ID: id, Kind: kind, PaymentID: p.ID, ProviderRef: ref, AmountMinor: p.Amount.Minor, Currency: p.Amount.Currency, At: time.Now()}
}

// certificates counts the certificates recorded for an application.
func (f *flow) certificates(appID string) int {
	var n int
	require.NoError(f.t, f.st.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM certificate WHERE application_id = $1", appID).Scan(&n))
	return n
}

// issueJobs counts the issuance jobs of an application in River's table.
func (f *flow) issueJobs(appID string) int {
	var n int
	require.NoError(f.t, f.st.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM river_job WHERE kind = 'issue' AND args->>'application_id' = $1", appID).Scan(&n))
	return n
}

func TestWebhooks(t *testing.T) {
	f := newFlow(t)
	now := time.Now()

	t.Run("fail/bad-signature", func(t *testing.T) {
		h := f.toPayment("+375290001001", "sig@example.by")
		p, ref := h.pay()
		assert.Equal(t, 401, f.notify(event("ev-bad", payments.EventSucceeded, p, ref), now, []byte("not the secret")))
		assert.Equal(t, "awaiting_payment", h.state())
		assert.Equal(t, 0, f.issueJobs(h.id))
	})
	t.Run("fail/timestamp-6-minutes-old", func(t *testing.T) {
		h := f.toPayment("+375290001002", "stale@example.by")
		p, ref := h.pay()
		assert.Equal(t, 401, f.notify(event("ev-stale", payments.EventSucceeded, p, ref), now.Add(-6*time.Minute), f.webhookSecret))
		assert.Equal(t, "awaiting_payment", h.state())
		assert.Equal(t, 0, f.issueJobs(h.id))
	})
	t.Run("ok/replayed-event", func(t *testing.T) {
		h := f.toPayment("+375290001003", "replay@example.by")
		p, ref := h.pay()
		ev := event("ev-replay", payments.EventSucceeded, p, ref)
		assert.Equal(t, 200, f.notify(ev, now, f.webhookSecret))
		assert.Equal(t, 200, f.notify(ev, now, f.webhookSecret), "a replay is answered done")
		assert.Contains(t, []string{"paid", "key_pending"}, h.state())
		assert.Equal(t, 1, f.issueJobs(h.id))
	})
	t.Run("ok/same-event-three-times-at-once", func(t *testing.T) {
		h := f.toPayment("+375290001004", "thrice@example.by")
		p, ref := h.pay()
		ev := event("ev-thrice", payments.EventSucceeded, p, ref)
		var wg sync.WaitGroup
		codes := make([]int, 3)
		for i := range codes {
			wg.Add(1)
			go func() { defer wg.Done(); codes[i] = f.notify(ev, now, f.webhookSecret) }()
		}
		wg.Wait()
		assert.Equal(t, []int{200, 200, 200}, codes)
		assert.Equal(t, 1, f.issueJobs(h.id), "one payment, one issuance")
		rows, err := f.st.AuditForApplication(context.Background(), h.id)
		require.NoError(t, err)
		paid := 0
		for _, r := range rows {
			if r.Kind == "transition:paid" {
				paid++
			}
		}
		assert.Equal(t, 1, paid)
	})
	t.Run("ok/refund-before-success", func(t *testing.T) {
		h := f.toPayment("+375290001005", "reorder@example.by")
		p, ref := h.pay()
		assert.Equal(t, 200, f.notify(event("ev-refund", payments.EventRefunded, p, ref), now, f.webhookSecret))
		assert.Equal(t, 200, f.notify(event("ev-success", payments.EventSucceeded, p, ref), now, f.webhookSecret))
		var v wire.Renewal
		h.must("GET", "/api/v1/renewal", nil, &v)
		assert.Equal(t, "awaiting_payment", v.State, "nothing is issued for a refunded payment")
		assert.Equal(t, "refunded", v.Payment.Status)
		assert.Equal(t, 0, f.issueJobs(h.id))
	})
	t.Run("ok/success-then-refund-before-key", func(t *testing.T) {
		h := f.toPayment("+375290001006", "late-refund@example.by")
		p, ref := h.pay()
		assert.Equal(t, 200, f.notify(event("ev-s", payments.EventSucceeded, p, ref), now, f.webhookSecret))
		h.waitState("key_pending")
		assert.Equal(t, 200, f.notify(event("ev-r", payments.EventRefunded, p, ref), now, f.webhookSecret))
		assert.Equal(t, "cancelled", h.state(), "no certificate without a charge")
	})
}

// TestPaidToIssued: paid, the request arrives, the certificate is issued
// once, verifies with OpenSSL against the chain, keeps the subject with a
// new key; the act names it.
func TestPaidToIssued(t *testing.T) {
	f := newFlow(t)
	h := f.toPayment("+375290001101", "issued@example.by")
	p, ref := h.pay()
	require.Equal(t, 200, f.notify(event("ev-issue", payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
	h.waitState("key_pending")
	assert.Contains(t, h.lastMessage(h.email), "/resume/", "the person is called back to make the key")

	key, csr := h.newRequest()
	h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, nil)
	h.waitState("issued")
	assert.Equal(t, 1, f.certificates(h.id), "one payment, one certificate")

	var pemBytes []byte
	h.must("GET", "/api/v1/renewal/certificate.pem", nil, &pemBytes)
	dir := t.TempDir()
	certFile := filepath.Join(dir, "new.pem")
	require.NoError(t, os.WriteFile(certFile, pemBytes, 0o600))
	out, err := gostssl.New(t).Run(nil, "verify", "-CAfile", filepath.Join(f.demo.Dir, "root.pem"),
		"-untrusted", filepath.Join(f.demo.Dir, "issuing.pem"), certFile) // the GOST demo authority
	require.NoError(t, err, string(out))
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	require.NotNil(t, v.Issued)
	newCert := parsePEMCert(t, pemBytes)
	assert.Equal(t, h.cert.RawSubject, newCert.RawSubject, "the subject of the old certificate")
	assert.True(t, newCert.PublicKey.(*ecdsa.PublicKey).Equal(key.Public()), "the new key")

	var act []byte
	h.must("GET", "/api/v1/renewal/act.pdf", nil, &act)
	text := pdftotext(t, act)
	assert.Contains(t, text, "Акт")
	assert.Contains(t, text, newCert.SerialNumber.Text(16))

	// The "issued" e-mail links to this application, not the home page:
	// its link resumes it in another browser, on the issued step.
	body := h.lastMessage(h.email)
	require.Contains(t, body, "сертификат электронной подписи выпущен", "the last e-mail is the issued one")
	require.Contains(t, body, newCert.SerialNumber.Text(16))
	i := strings.Index(body, "/resume/")
	require.GreaterOrEqual(t, i, 0, body)
	token := strings.Fields(body[i+len("/resume/"):])[0]
	same := h.otherBrowser()
	same.must("POST", "/api/v1/resume", wire.Resume{Token: token}, &v)
	assert.Equal(t, "issued", v.State, "the link opens the same application")
	status, e := same.prove()
	require.Less(t, status, 300, e.MessageEN)
	same.must("GET", "/api/v1/renewal", nil, &v)
	assert.Equal(t, h.id, v.ID)
	require.NotNil(t, v.Issued)
	assert.Equal(t, newCert.SerialNumber.Text(16), v.Issued.Serial)
}

func parsePEMCert(t *testing.T, b []byte) *x509.Certificate {
	t.Helper()
	i := bytes.Index(b, []byte("-----END CERTIFICATE-----"))
	require.Greater(t, i, 0)
	certs, err := ca.ParsePEM(b[:i+len("-----END CERTIFICATE-----")])
	require.NoError(t, err)
	return certs[0]
}

func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(f, pdf, 0o600))
	out, err := exec.Command("pdftotext", "-layout", f, "-").CombinedOutput()
	require.NoError(t, err, string(out))
	return string(out)
}

// TestInvoiceStatement: an invoice is paid days later from a bank
// statement; only an exact payment by the payer leads to issuance.
func TestInvoiceStatement(t *testing.T) {
	f := newFlow(t)
	type tc struct {
		name   string
		amount func(int64) int64
		payer  func(string) string
		want   string
		kind   payments.MatchKind
	}
	for i, c := range []tc{
		{"ok/exact", func(a int64) int64 { return a }, func(p string) string { return p }, "paid", payments.MatchMatched},
		{"review/underpaid", func(a int64) int64 { return a - 100 }, func(p string) string { return p }, "awaiting_payment", payments.MatchUnderpaid},
		{"review/overpaid", func(a int64) int64 { return a + 100 }, func(p string) string { return p }, "awaiting_payment", payments.MatchOverpaid},
		{"review/third-party", func(a int64) int64 { return a }, func(string) string { return "190602677" }, "awaiting_payment", payments.MatchThirdParty},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := f.toPayment(fmt.Sprintf("+37529000120%d", i), fmt.Sprintf("invoice%d@example.by", i))
			var v wire.Renewal
			h.must("POST", "/api/v1/renewal/payment", wire.PaymentStart{Method: "invoice"}, &v)
			require.NotNil(t, v.Payment)
			number := v.Payment.InvoiceNumber
			require.NotEmpty(t, number)
			var pdf []byte
			h.must("GET", "/api/v1/renewal/invoice.pdf", nil, &pdf)
			text := pdftotext(t, pdf)
			assert.Contains(t, text, "Счёт на оплату")
			assert.Contains(t, text, number)

			p, err := f.st.PaymentGet(context.Background(), v.Payment.ID)
			require.NoError(t, err)
			st := &payments.Statement{Version: "1.03", Encoding: "Windows", Docs: []payments.StatementDoc{{
				Kind: "Платежное поручение", Number: fmt.Sprint(100 + i), Date: time.Now(), AmountMinor: c.amount(p.AmountMinor),
				Payer: "Плательщик", PayerINN: c.payer(p.PayerInn), RecipientINN: "191234563", Recipient: "РУП «Национальный центр электронных услуг» (пример)",
				Purpose: "Оплата по счёту № " + number + " за продление сертификата",
			}}}
			var buf bytes.Buffer
			require.NoError(t, payments.WriteStatement(&buf, st))
			req := httptest.NewRequest("POST", "/api/v1/operator/statements", bytes.NewReader(buf.Bytes()))
			req.Header.Set("Authorization", "Bearer operator-secret")
			resp, err := f.app.Test(req, -1)
			require.NoError(t, err)
			require.Equal(t, 200, resp.StatusCode)
			resp.Body.Close()
			if c.want == "paid" {
				h.waitState("key_pending")
			} else {
				assert.Equal(t, c.want, h.state())
				assert.Equal(t, 0, f.issueJobs(h.id), "no issuance")
				rows, err := f.st.ReviewList(context.Background())
				require.NoError(t, err)
				found := false
				for _, r := range rows {
					found = found || (r.DocNumber == fmt.Sprint(100+i) && r.Kind == string(c.kind))
				}
				assert.True(t, found, "a review entry of kind %s", c.kind)
			}
		})
	}
	t.Run("fail/no-operator-token", func(t *testing.T) {
		resp, err := f.app.Test(httptest.NewRequest("POST", "/api/v1/operator/statements", strings.NewReader("x")), -1)
		require.NoError(t, err)
		assert.Equal(t, 403, resp.StatusCode)
	})
}

// The certificate's insert fails once (a trigger, as a crash between the
// intent and the certificate would): the job's transaction rolls back
// whole, intent included, and its retry issues. Before the authority
// shared the job's transaction, the retry saw its own intent through a
// second connection, refused the key as reused and refunded the holder.
func TestIssueRetriedAfterCertificateInsertFails(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	f.failCertificateInsertOnce()
	h := f.toPayment("+375290001102", "retried@example.by")
	_, csr := h.newRequest()
	h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, nil)
	p, ref := h.pay()
	require.Equal(t, 200, f.notify(event("ev-retry", payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
	h.waitStateWithin("issued", 45*time.Second)

	var failed int64
	require.NoError(t, f.st.Pool().QueryRow(ctx, `SELECT last_value FROM fail_certificate_once`).Scan(&failed))
	assert.GreaterOrEqual(t, failed, int64(2), "the first insert failed and a retry inserted")
	assert.Equal(t, 1, f.certificates(h.id), "one payment, one certificate")
	pay, err := f.st.PaymentGet(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "succeeded", pay.Status, "not refunded")
	var intents, abandoned int
	require.NoError(t, f.st.Pool().QueryRow(ctx,
		`SELECT count(*), count(abandoned_at) FROM issuance_intent WHERE application_id = $1`, h.id).Scan(&intents, &abandoned))
	assert.Equal(t, 1, intents, "the failed attempt's intent rolled back with it")
	assert.Equal(t, 0, abandoned)
}

// failCertificateInsertOnce makes the next insert of a certificate fail,
// with a trigger, as a crash between the intent and the certificate would.
func (f *flow) failCertificateInsertOnce() {
	f.t.Helper()
	for _, sql := range []string{
		`CREATE SEQUENCE fail_certificate_once`,
		`CREATE FUNCTION fail_certificate_once() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN
		   -- nextval is not rolled back with the failed transaction
		   IF nextval('fail_certificate_once') = 1 THEN
		     RAISE EXCEPTION 'injected: the certificate insert fails once';
		   END IF;
		   RETURN NEW;
		 END $$`,
		`CREATE TRIGGER fail_certificate_once BEFORE INSERT ON certificate
		 FOR EACH ROW EXECUTE FUNCTION fail_certificate_once()`,
	} {
		_, err := f.st.Pool().Exec(context.Background(), sql)
		require.NoError(f.t, err)
	}
}

// A request made after payment is issued at once, in its own request;
// when that fails (the certificate insert, once), the request is kept,
// the job issues it, and the holder is charged once for one certificate.
func TestIssueAtOnceFallsBackToJob(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	h := f.toPayment("+375290001103", "atonce@example.by")
	p, ref := h.pay()
	require.Equal(t, 200, f.notify(event("ev-atonce", payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
	h.waitState("key_pending")
	f.failCertificateInsertOnce()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	require.NoError(t, err)
	var v wire.Renewal
	h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, &v)
	assert.Equal(t, "key_pending", v.State, "the failed attempt left the request for the job")
	assert.True(t, v.Request)
	h.waitStateWithin("issued", 45*time.Second)
	assert.Equal(t, 1, f.certificates(h.id))
	pay, err := f.st.PaymentGet(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "succeeded", pay.Status)

	// Without a fault, the request comes back issued.
	h2 := f.toPayment("+375290001104", "atonce2@example.by")
	p2, ref2 := h2.pay()
	require.Equal(t, 200, f.notify(event("ev-atonce2", payments.EventSucceeded, p2, ref2), time.Now(), f.webhookSecret))
	h2.waitState("key_pending")
	_, csr2 := h2.newRequest()
	h2.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr2}, &v)
	assert.Equal(t, "issued", v.State, "issued within the request")
	assert.NotNil(t, v.Issued)
	assert.Equal(t, 1, f.certificates(h2.id))
}

// The certificate a renewal replaces is revoked as superseded once the
// holder acknowledges the new one (the profile's default: at once), and
// the CRL names it; one of another authority is not ours to revoke, and
// the audit trail says so.
func TestReplacedCertificateSuperseded(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	renewAndAcknowledge := func(h *holder) {
		p, ref := h.pay()
		require.Equal(t, 200, f.notify(event("ev-"+h.phone, payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
		h.waitState("key_pending")
		key, csr := h.newRequest()
		h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, nil)
		require.Equal(t, "issued", h.state())
		var pemBytes, form []byte
		h.must("GET", "/api/v1/renewal/certificate.pem", nil, &pemBytes)
		h.must("GET", "/api/v1/renewal/certificate-form.pdf", nil, &form)
		sig, err := cms.SignDetached(form, parsePEMCert(t, pemBytes), nil, time.Now(), cms.MessageSignerFunc(key))
		require.NoError(t, err)
		h.must("POST", "/api/v1/renewal/acknowledgement", wire.ApplicationSignature{Signature: sig}, nil)
		require.Equal(t, "acknowledged", h.state())
	}
	auditKinds := func(h *holder) []string {
		rows, err := f.st.AuditForApplication(ctx, h.id)
		require.NoError(t, err)
		var kinds []string
		for _, r := range rows {
			kinds = append(kinds, r.Kind)
		}
		return kinds
	}

	// A current certificate this authority issued (recorded as such).
	ours := f.toPayment("+375290001201", "superseded@example.by")
	spki := sha256.Sum256(ours.cert.RawSubjectPublicKeyInfo)
	require.NoError(t, f.st.CA().RecordIssued(ctx, ca.Issued{Serial: ours.cert.SerialNumber, DER: ours.cert.Raw, SPKISHA256: spki,
		NotBefore: ours.cert.NotBefore, NotAfter: ours.cert.NotAfter, Profile: "by-individual", Tariff: "standard"}))
	renewAndAcknowledge(ours)
	require.Eventually(t, func() bool {
		info, err := f.st.CA().Revocation(ctx, ours.cert.SerialNumber)
		return err == nil && info.Revoked
	}, 15*time.Second, 50*time.Millisecond, "the replaced certificate is revoked")
	info, err := f.st.CA().Revocation(ctx, ours.cert.SerialNumber)
	require.NoError(t, err)
	assert.Equal(t, ca.ReasonSuperseded, info.Reason)
	resp, err := f.app.Test(httptest.NewRequest("GET", "/ca/crl", nil), -1)
	require.NoError(t, err)
	der, _ := io.ReadAll(resp.Body)
	crl, err := x509.ParseRevocationList(der)
	require.NoError(t, err)
	listed := false
	for _, e := range crl.RevokedCertificateEntries {
		listed = listed || e.SerialNumber.Cmp(ours.cert.SerialNumber) == 0
	}
	assert.True(t, listed, "the CRL names the replaced certificate")
	assert.Contains(t, auditKinds(ours), "revocation:superseded")

	// A current certificate this authority never recorded.
	theirs := f.toPayment("+375290001202", "foreign@example.by")
	renewAndAcknowledge(theirs)
	require.Eventually(t, func() bool { return slices.Contains(auditKinds(theirs), "revocation:not_ours") },
		15*time.Second, 50*time.Millisecond)
	info, err = f.st.CA().Revocation(ctx, theirs.cert.SerialNumber)
	require.NoError(t, err)
	assert.False(t, info.Revoked)
}

// The CRL is served with a validator: the same bytes to every GET while
// nothing changed, 304 to a client that has them.
func TestCRLServedWithValidators(t *testing.T) {
	f := newFlow(t)
	get := func(header ...string) *http.Response {
		req := httptest.NewRequest("GET", "/ca/crl", nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := f.app.Test(req, -1)
		require.NoError(t, err)
		return resp
	}
	first := get()
	require.Equal(t, 200, first.StatusCode)
	etag := first.Header.Get("ETag")
	require.NotEmpty(t, etag)
	require.NotEmpty(t, first.Header.Get("Last-Modified"))
	body1, _ := io.ReadAll(first.Body)
	second := get()
	body2, _ := io.ReadAll(second.Body)
	assert.Equal(t, body1, body2, "not signed again")
	assert.Equal(t, etag, second.Header.Get("ETag"))
	assert.Equal(t, 304, get("If-None-Match", etag).StatusCode)
	assert.Equal(t, 304, get("If-Modified-Since", first.Header.Get("Last-Modified")).StatusCode)
	assert.Equal(t, 200, get("If-None-Match", `"other"`).StatusCode)
}
