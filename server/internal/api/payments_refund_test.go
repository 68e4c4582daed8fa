package api

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca"
	"renewal/server/internal/payments"
	"renewal/server/internal/payments/sandbox"
	"renewal/server/internal/renewal"
)

// postWebhook posts a raw notification body to the card webhook from a
// client address (through the trusted proxy), with an optional signature
// header, and returns the status and the error's code.
func (f *flow) postWebhook(body []byte, from, signature string) (int, string) {
	f.t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/payments/webhook/card", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if from != "" {
		req.Header.Set("X-Forwarded-For", from)
	}
	if signature != "" {
		req.Header.Set(payments.SignatureHeader, signature)
	}
	resp, err := f.app.Test(req, -1)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e wire.Error
	_ = json.Unmarshal(raw, &e)
	return resp.StatusCode, e.Code
}

// refusedNotifications lists the reasons recorded in the card provider's
// audit stream of refused notifications.
func (f *flow) refusedNotifications() []string {
	f.t.Helper()
	rows, err := f.st.AuditForApplication(context.Background(), "notifications:card")
	require.NoError(f.t, err)
	var out []string
	for _, r := range rows {
		require.Equal(f.t, "payment:notification_refused", r.Kind)
		var d map[string]string
		require.NoError(f.t, json.Unmarshal([]byte(r.Data), &d))
		out = append(out, d["reason"])
	}
	return out
}

// reviews reads the operator's review queue over the API.
func (f *flow) reviews() []renewal.ReviewEntry {
	f.t.Helper()
	req := httptest.NewRequest("GET", "/api/v1/operator/reviews", nil)
	req.Header.Set("Authorization", "Bearer operator-secret")
	resp, err := f.app.Test(req, -1)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	require.Equal(f.t, 200, resp.StatusCode)
	var out []renewal.ReviewEntry
	require.NoError(f.t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}

func reviewsOf(rs []renewal.ReviewEntry, appID string) []renewal.ReviewEntry {
	var out []renewal.ReviewEntry
	for _, r := range rs {
		if r.ApplicationID == appID {
			out = append(out, r)
		}
	}
	return out
}

func (f *flow) auditKinds(appID string) []string {
	f.t.Helper()
	rows, err := f.st.AuditForApplication(context.Background(), appID)
	require.NoError(f.t, err)
	var kinds []string
	for _, r := range rows {
		kinds = append(kinds, r.Kind)
	}
	return kinds
}

// request submits a fresh key's CSR and returns the holder's view.
func (h *holder) request() (int, wire.Renewal) {
	h.f.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(h.f.t, err)
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	require.NoError(h.f.t, err)
	var v wire.Renewal
	status, _ := h.call("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, &v)
	return status, v
}

// issuedSerial issues the holder's certificate (the application is paid)
// and returns its serial.
func (h *holder) issuedSerial() *big.Int {
	h.f.t.Helper()
	h.waitState("key_pending")
	status, _ := h.request()
	require.Less(h.f.t, status, 300)
	h.waitState("issued")
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	require.NotNil(h.f.t, v.Issued)
	n, ok := new(big.Int).SetString(v.Issued.Serial, 16)
	require.True(h.f.t, ok, v.Issued.Serial)
	return n
}

// TestRefundAfterIssueRevokes: a refund or a chargeback that arrives
// after the certificate was issued revokes it (privilegeWithdrawn), puts
// the application under review, in the operator's queue, in the audit
// trail, and tells the holder; a redelivery adds nothing.
func TestRefundAfterIssueRevokes(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	for i, tc := range []struct {
		name string
		kind payments.EventKind
		code string
	}{
		{"ok/refund", payments.EventRefunded, "refunded_after_issue"},
		{"ok/chargeback", payments.EventChargeback, "chargeback_after_issue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := f.toPayment("+37529000140"+string(rune('1'+i)), "revoked"+string(rune('1'+i))+"@example.by")
			p, ref := h.pay()
			require.Equal(t, 200, f.notify(event("ev-paid-"+tc.name, payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
			serial := h.issuedSerial()
			info, err := f.st.CA().Revocation(ctx, serial)
			require.NoError(t, err)
			require.False(t, info.Revoked)

			require.Equal(t, 200, f.notify(event("ev-back-"+tc.name, tc.kind, p, ref), time.Now(), f.webhookSecret))
			var v wire.Renewal
			h.must("GET", "/api/v1/renewal", nil, &v)
			assert.Equal(t, "under_review", v.State)
			assert.Equal(t, "refunded", v.Payment.Status)
			require.NotNil(t, v.Rejection)
			assert.Equal(t, tc.code, v.Rejection.Code)
			info, err = f.st.CA().Revocation(ctx, serial)
			require.NoError(t, err)
			assert.True(t, info.Revoked, "the certificate is revoked")
			assert.Equal(t, ca.ReasonPrivilegeWithdrawn, info.Reason)
			kinds := f.auditKinds(h.id)
			assert.Contains(t, kinds, "revocation:privilege_withdrawn")
			assert.Contains(t, kinds, "transition:refunded_after_issue")
			rs := reviewsOf(f.reviews(), h.id)
			require.Len(t, rs, 1, "one entry in the operator's queue")
			assert.Equal(t, tc.code, rs[0].Kind)
			assert.Contains(t, rs[0].ReasonRU, serial.Text(16))
			assert.Contains(t, h.lastMessage(h.email), serial.Text(16), "the holder is told")

			// The provider sends it again under another id: nothing more.
			require.Equal(t, 200, f.notify(event("ev-back-again-"+tc.name, tc.kind, p, ref), time.Now(), f.webhookSecret))
			assert.Len(t, reviewsOf(f.reviews(), h.id), 1)
			assert.Equal(t, "under_review", h.state())
			// A revoked certificate is not acknowledged into delivery.
			status, e := h.call("POST", "/api/v1/renewal/acknowledgement", wire.ApplicationSignature{Signature: []byte("x")}, nil)
			assert.Equal(t, 409, status)
			assert.Equal(t, "wrong_state", e.Code)
		})
	}
}

// belarusGroup has the head confirm two employees' requests and pay them
// with one card payment that succeeds; both wait for their keys.
func (f *flow) belarusGroup(phones [2]string) (zhuk, sink *holder, p wire.Payment, ref string) {
	f.t.Helper()
	zhuk, _ = f.employeeFiles("by-employee", "by-6.0.01", phones[0], "zhuk@bely-aist.example.by", wire.PersonalData{PersonalNumber: "4300188H021PB4"})
	sink, _ = f.employeeFiles("by-employee-2", "by-6.0.01", phones[1], "sinkevich@bely-aist.example.by", wire.PersonalData{PersonalNumber: "3150384H058PB1"})
	boss := f.holder("by-head", "", "")
	status, e := boss.headProves(zhuk.approvalToken("director@bely-aist.example.by"))
	require.Less(f.t, status, 300, e.MessageEN)
	status, e = boss.confirm(zhuk.id, sink.id)
	require.Less(f.t, status, 300, e.MessageEN)
	var a wire.Approval
	boss.must("POST", "/api/v1/approval/payment", wire.PaymentStart{Method: "card"}, &a)
	require.NotNil(f.t, a.Payment)
	pay, err := f.st.PaymentGet(context.Background(), a.Payment.ID)
	require.NoError(f.t, err)
	require.Equal(f.t, 200, f.notify(event("ev-group-paid", payments.EventSucceeded, *a.Payment, *pay.ProviderRef), time.Now(), f.webhookSecret))
	zhuk.waitState("key_pending")
	sink.waitState("key_pending")
	return zhuk, sink, *a.Payment, *pay.ProviderRef
}

// failRevocationOnce makes the next revocation insert fail, as a crash
// in the middle of a group refund would.
func (f *flow) failRevocationOnce() {
	f.t.Helper()
	for _, sql := range []string{
		`CREATE SEQUENCE fail_revocation_once`,
		`CREATE FUNCTION fail_revocation_once() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN
		   IF nextval('fail_revocation_once') = 1 THEN
		     RAISE EXCEPTION 'injected: the revocation insert fails once';
		   END IF;
		   RETURN NEW;
		 END $$`,
		`CREATE TRIGGER fail_revocation_once BEFORE INSERT ON revocation
		 FOR EACH ROW EXECUTE FUNCTION fail_revocation_once()`,
	} {
		_, err := f.st.Pool().Exec(context.Background(), sql)
		require.NoError(f.t, err)
	}
}

// TestGroupRefund: a refund of the head's payment covers every
// application it paid, in one transaction: the one already issued is
// revoked and goes to review, the one not yet issued is closed and never
// issued. When a step fails (the revocation, once), nothing of the
// refund happened: the provider's redelivery then does all of it.
func TestGroupRefund(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	zhuk, sink, p, ref := f.belarusGroup([2]string{"+375290001501", "+375290001502"})
	serial := zhuk.issuedSerial()
	assert.Equal(t, "key_pending", sink.state())

	// All or none: the revocation fails, so the whole refund rolls back.
	f.failRevocationOnce()
	refund := event("ev-group-refund", payments.EventRefunded, p, ref)
	assert.Equal(t, 500, f.notify(refund, time.Now(), f.webhookSecret), "the provider will deliver it again")
	assert.Equal(t, "issued", zhuk.state())
	assert.Equal(t, "key_pending", sink.state(), "not closed without the other's revocation")
	pay, err := f.st.PaymentGet(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "succeeded", pay.Status)
	info, err := f.st.CA().Revocation(ctx, serial)
	require.NoError(t, err)
	assert.False(t, info.Revoked)

	// The redelivery (same event id: its first record rolled back too).
	require.Equal(t, 200, f.notify(refund, time.Now(), f.webhookSecret))
	assert.Equal(t, "under_review", zhuk.state())
	assert.Equal(t, "cancelled", sink.state())
	info, err = f.st.CA().Revocation(ctx, serial)
	require.NoError(t, err)
	assert.True(t, info.Revoked)
	assert.Equal(t, ca.ReasonPrivilegeWithdrawn, info.Reason)
	assert.Len(t, reviewsOf(f.reviews(), zhuk.id), 1)
	assert.Contains(t, f.auditKinds(sink.id), "transition:refunded_before_issue")

	// The employee not yet issued gets nothing, whatever he sends.
	status, _ := sink.request()
	assert.GreaterOrEqual(t, status, 400)
	assert.Equal(t, 0, f.certificates(sink.id), "none issued")
	assert.Equal(t, 1, f.certificates(zhuk.id))

	// The queue is the operator's alone.
	resp, err := f.app.Test(httptest.NewRequest("GET", "/api/v1/operator/reviews", nil), -1)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 403, resp.StatusCode)
}

// unsignedCard replaces the flow's card gateway by a ЮKassa-like one
// that signs nothing, with its status API on a real HTTP server on
// 127.0.0.1; notifications count only from 192.0.2.10.
func (f *flow) unsignedCard() *sandbox.Card {
	f.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(f.t, err)
	base := "http://" + ln.Addr().String()
	card, err := sandbox.NewCard(sandbox.Config{BaseURL: base, WebhookURL: "http://127.0.0.1:9/unused", Secret: []byte("shop secret key"),
		Dir: filepath.Join(f.t.TempDir(), "unsigned"), Unsigned: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Senders: []netip.Prefix{netip.MustParsePrefix("192.0.2.10/32")}})
	require.NoError(f.t, err)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: sandbox.Handler(card, nil)}}
	srv.Start()
	f.t.Cleanup(srv.Close)
	f.svc.Providers[payments.MethodCard] = card
	return card
}

// TestUnsignedProviderReadBack: a provider that signs nothing is believed
// only from its own addresses and only in what its API reads back; a
// forged "succeeded" while the API says pending issues nothing; the real
// one, however many times and under whatever ids it comes, issues once.
func TestUnsignedProviderReadBack(t *testing.T) {
	f := newFlow(t)
	card := f.unsignedCard()
	h := f.toPayment("+375290001601", "unsigned@example.by")
	p, ref := h.pay()
	body := func(id string, kind payments.EventKind) []byte {
		b, err := payments.EncodeEvent(event(id, kind, p, ref))
		require.NoError(t, err)
		return b
	}

	t.Run("fail/unknown-sender", func(t *testing.T) {
		status, code := f.postWebhook(body("ev-forged-1", payments.EventSucceeded), "203.0.113.7", "")
		assert.Equal(t, 403, status)
		assert.Equal(t, "webhook_sender", code)
		assert.Equal(t, "awaiting_payment", h.state())
		assert.Equal(t, 0, f.issueJobs(h.id))
	})
	t.Run("fail/read-back-says-pending", func(t *testing.T) {
		status, code := f.postWebhook(body("ev-forged-2", payments.EventSucceeded), "192.0.2.10", "")
		assert.Equal(t, 409, status)
		assert.Equal(t, "webhook_unconfirmed", code)
		assert.Equal(t, "awaiting_payment", h.state())
		assert.Equal(t, 0, f.issueJobs(h.id))
		pay, err := f.st.PaymentGet(context.Background(), p.ID)
		require.NoError(t, err)
		assert.Equal(t, "pending", pay.Status)
	})
	t.Run("fail/unknown-reference", func(t *testing.T) {
		ev := event("ev-forged-3", payments.EventSucceeded, p, "card_not_ours")
		b, err := payments.EncodeEvent(ev)
		require.NoError(t, err)
		status, _ := f.postWebhook(b, "192.0.2.10", "")
		assert.Equal(t, 409, status)
		assert.Equal(t, "awaiting_payment", h.state())
	})
	assert.Equal(t, []string{"webhook_sender", "webhook_unconfirmed", "webhook_unconfirmed"}, f.refusedNotifications(),
		"each refusal is in the audit trail")

	t.Run("ok/read-back-succeeded-different-ids-at-once", func(t *testing.T) {
		// The holder really pays on the gateway's page.
		resp, err := http.PostForm(p.RedirectURL, url.Values{"card": {sandbox.TestCardSuccess}, "exp": {"12/30"}, "cvc": {"123"}})
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		st, err := card.Status(context.Background(), ref)
		require.NoError(t, err)
		require.Equal(t, payments.StateSucceeded, st.State)

		// First a notification with the real reference and a payment id
		// we never made: whose payment it is comes from our record, so
		// the holder's real payment is not taken for an unknown one and
		// refunded at the gateway; it is applied to the holder's.
		forged := event("ev-forged-4", payments.EventSucceeded, p, ref)
		forged.PaymentID = "pay-not-ours"
		b, err := payments.EncodeEvent(forged)
		require.NoError(t, err)
		status, _ := f.postWebhook(b, "192.0.2.10", "")
		assert.Equal(t, 200, status)
		st, err = card.Status(context.Background(), ref)
		require.NoError(t, err)
		assert.Equal(t, payments.StateSucceeded, st.State, "not refunded at the gateway")

		// Three notifications with three ids, one of them saying
		// "failed": the read-back decides, once.
		kinds := []payments.EventKind{payments.EventSucceeded, payments.EventSucceeded, payments.EventFailed}
		codes := make([]int, len(kinds))
		var wg sync.WaitGroup
		for i, k := range kinds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _ = f.postWebhook(body("ev-real-"+string(rune('a'+i)), k), "192.0.2.10", "")
			}()
		}
		wg.Wait()
		assert.Equal(t, []int{200, 200, 200}, codes)
		h.waitState("key_pending")
		assert.Equal(t, 1, f.issueJobs(h.id), "one payment, one issuance")
		assert.Equal(t, 1, slicesCount(f.auditKinds(h.id), "transition:paid"))
	})
}

func slicesCount(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

// TestDifferentEventIDsOnePayment: a signed provider re-sends one
// payment's success under new ids, all at once: one payment record, one
// issuance.
func TestDifferentEventIDsOnePayment(t *testing.T) {
	f := newFlow(t)
	h := f.toPayment("+375290001701", "ids@example.by")
	p, ref := h.pay()
	codes := make([]int, 4)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = f.notify(event("ev-ids-"+string(rune('a'+i)), payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret)
		}()
	}
	wg.Wait()
	assert.Equal(t, []int{200, 200, 200, 200}, codes)
	h.waitState("key_pending")
	assert.Equal(t, 1, f.issueJobs(h.id), "one issuance")
	assert.Equal(t, 1, slicesCount(f.auditKinds(h.id), "transition:paid"))
	assert.Equal(t, 1, slicesCount(f.auditKinds(h.id), "payment:succeeded"))
	var payments, events int
	require.NoError(t, f.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM payment WHERE application_id = $1`, h.id).Scan(&payments))
	require.NoError(t, f.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM payment_event WHERE payment_id = $1`, p.ID).Scan(&events))
	assert.Equal(t, 1, payments, "one payment record")
	pay, err := f.st.PaymentGet(context.Background(), p.ID)
	require.NoError(t, err)
	assert.Equal(t, "succeeded", pay.Status, "a repeat is not a second charge to refund")
	assert.Equal(t, 4, events, "each notification recorded once")
	status, _ := h.request()
	require.Less(t, status, 300)
	h.waitState("issued")
	assert.Equal(t, 1, f.certificates(h.id))
}

// TestWebhookRefusals (case 35): a bad HMAC, a timestamp 301 s old and a
// body re-serialised after signing are refused with 401, change nothing,
// and are each recorded in the audit trail.
func TestWebhookRefusals(t *testing.T) {
	f := newFlow(t)
	h := f.toPayment("+375290001801", "refused@example.by")
	p, ref := h.pay()
	ev := event("ev-refused", payments.EventSucceeded, p, ref)
	body, err := payments.EncodeEvent(ev)
	require.NoError(t, err)
	var reserialised bytes.Buffer
	require.NoError(t, json.Indent(&reserialised, body, "", " "))
	now := time.Now()
	for _, tc := range []struct {
		name, sig string
		body      []byte
	}{
		{"fail/bad-hmac", payments.SignatureHeaderValue(now, body, []byte("not the secret")), body},
		{"fail/timestamp-301s-old", payments.SignatureHeaderValue(now.Add(-301*time.Second), body, f.webhookSecret), body},
		{"fail/reserialised-body", payments.SignatureHeaderValue(now, body, f.webhookSecret), reserialised.Bytes()},
		{"fail/no-signature", "", body},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code := f.postWebhook(tc.body, "", tc.sig)
			assert.Equal(t, 401, status)
			assert.Equal(t, "webhook_signature", code)
			assert.Equal(t, "awaiting_payment", h.state())
			assert.Equal(t, 0, f.issueJobs(h.id))
		})
	}
	assert.Equal(t, slices.Repeat([]string{"webhook_signature"}, 4), f.refusedNotifications())
	pay, err := f.st.PaymentGet(context.Background(), p.ID)
	require.NoError(t, err)
	assert.Equal(t, "pending", pay.Status)
	// The same body, signed now, is what is acted on.
	status, _ := f.postWebhook(body, "", payments.SignatureHeaderValue(now, body, f.webhookSecret))
	assert.Equal(t, 200, status)
	h.waitState("key_pending")
}

// TestPartialRefund: a refund of part of a payment stops the application
// it paid for as a full one would (no certificate on part of the money),
// and the operator gets an entry to settle the rest.
func TestPartialRefund(t *testing.T) {
	f := newFlow(t)
	h := f.toPayment("+375290001901", "partial@example.by")
	p, ref := h.pay()
	require.Equal(t, 200, f.notify(event("ev-partial-paid", payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
	h.waitState("key_pending")
	part := event("ev-partial-refund", payments.EventRefunded, p, ref)
	part.AmountMinor = p.Amount.Minor / 2
	require.Equal(t, 200, f.notify(part, time.Now(), f.webhookSecret))
	assert.Equal(t, "cancelled", h.state())
	rs := reviewsOf(f.reviews(), h.id)
	require.Len(t, rs, 1)
	assert.Equal(t, "partial_refund", rs[0].Kind)
	assert.Equal(t, p.Amount.Minor/2, rs[0].AmountMinor)
	status, _ := h.request()
	assert.GreaterOrEqual(t, status, 400)
	assert.Equal(t, 0, f.certificates(h.id))
}

// TestRefundAfterOperatorRevoked: a certificate the operator revoked
// already (key compromise) keeps that reason when its payment comes back;
// the refund still puts the application under review.
func TestRefundAfterOperatorRevoked(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	h := f.toPayment("+375290001902", "compromised@example.by")
	p, ref := h.pay()
	require.Equal(t, 200, f.notify(event("ev-kc-paid", payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
	serial := h.issuedSerial()
	require.NoError(t, f.svc.Authority.WithStore(f.st.CA()).Revoke(ctx, serial, ca.ReasonKeyCompromise))
	require.Equal(t, 200, f.notify(event("ev-kc-back", payments.EventChargeback, p, ref), time.Now(), f.webhookSecret))
	assert.Equal(t, "under_review", h.state())
	info, err := f.st.CA().Revocation(ctx, serial)
	require.NoError(t, err)
	assert.Equal(t, ca.ReasonKeyCompromise, info.Reason)
	assert.Contains(t, f.auditKinds(h.id), "revocation:already_revoked")
}

// TestPaidItemsBackfill: the migration that added payment_item.paid_at
// finds, for a head's payment made before it, the items that payment
// paid (from the audit trail), so a later refund still stops them.
func TestPaidItemsBackfill(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	zhuk, sink, p, ref := f.belarusGroup([2]string{"+375290001511", "+375290001512"})
	matches, err := filepath.Glob("../store/migrations/*_payment_refund_review.sql")
	require.NoError(t, err)
	require.Len(t, matches, 1)
	src, err := os.ReadFile(matches[0])
	require.NoError(t, err)
	i := bytes.Index(src, []byte("UPDATE payment_item"))
	require.GreaterOrEqual(t, i, 0)
	backfill := string(src[i : i+bytes.IndexByte(src[i:], ';')])
	_, err = f.st.Pool().Exec(ctx, `UPDATE payment_item SET paid_at = NULL`)
	require.NoError(t, err)
	_, err = f.st.Pool().Exec(ctx, backfill)
	require.NoError(t, err)
	var n int
	require.NoError(t, f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM payment_item WHERE payment_id = $1 AND paid_at IS NOT NULL`, p.ID).Scan(&n))
	assert.Equal(t, 2, n)
	require.Equal(t, 200, f.notify(event("ev-backfill-refund", payments.EventRefunded, p, ref), time.Now(), f.webhookSecret))
	assert.Equal(t, "cancelled", zhuk.state())
	assert.Equal(t, "cancelled", sink.state())
}

// TestGroupRefundRacesIssuance: the head's refund arrives while an
// employee's certificate is being issued. Whichever takes the row lock
// first, the employee ends with no valid certificate: none issued and
// closed, or issued, revoked and under review.
func TestGroupRefundRacesIssuance(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	zhuk, sink, p, ref := f.belarusGroup([2]string{"+375290001521", "+375290001522"})
	var wg sync.WaitGroup
	var refundStatus int
	wg.Add(2)
	go func() { defer wg.Done(); sink.request() }()
	go func() {
		defer wg.Done()
		refundStatus = f.notify(event("ev-race-refund", payments.EventRefunded, p, ref), time.Now(), f.webhookSecret)
	}()
	wg.Wait()
	require.Equal(t, 200, refundStatus)
	assert.Equal(t, "cancelled", zhuk.state(), "not issued before the refund")
	switch st := sink.state(); st {
	case "cancelled":
		assert.Equal(t, 0, f.certificates(sink.id))
	case "under_review":
		var v wire.Renewal
		sink.must("GET", "/api/v1/renewal", nil, &v)
		require.NotNil(t, v.Issued)
		serial, _ := new(big.Int).SetString(v.Issued.Serial, 16)
		info, err := f.st.CA().Revocation(ctx, serial)
		require.NoError(t, err)
		assert.True(t, info.Revoked)
	default:
		t.Fatalf("sink is %s after the refund", st)
	}
	t.Logf("sink ended %s", sink.state())
}
