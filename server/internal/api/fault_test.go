package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/server/internal/faulttest"
	"renewal/server/internal/payments"
)

// issuancePoints are the statements of one issuance, in order, for the
// application id: each is where a fault is injected. jobOnly points
// exist only when the job issues (not within the holder's request).
var issuancePoints = []struct {
	name    string
	point   func(id string) faulttest.Point
	jobOnly bool
}{
	{"intent", func(id string) faulttest.Point {
		return faulttest.Point{Name: "intent", Table: "issuance_intent", Op: "INSERT", When: fmt.Sprintf("NEW.application_id = '%s'", id)}
	}, false},
	{"certificate-after-signing", func(id string) faulttest.Point {
		return faulttest.Point{Name: "certificate", Table: "certificate", Op: "INSERT", When: fmt.Sprintf("NEW.application_id = '%s'", id)}
	}, false},
	{"issued-serial", func(id string) faulttest.Point {
		return faulttest.Point{Name: "issued_serial", Table: "application", Op: "UPDATE",
			When: fmt.Sprintf("NEW.id = '%s' AND NEW.issued_serial IS NOT NULL AND OLD.issued_serial IS NULL", id)}
	}, false},
	{"certificate-form", func(id string) faulttest.Point {
		return faulttest.Point{Name: "form", Table: "signed_document", Op: "INSERT",
			When: fmt.Sprintf("NEW.application_id = '%s' AND NEW.kind = 'acknowledgement'", id)}
	}, false},
	{"state-change", func(id string) faulttest.Point {
		return faulttest.Point{Name: "state", Table: "application", Op: "UPDATE",
			When: fmt.Sprintf("NEW.id = '%s' AND NEW.state = 'issued' AND OLD.state <> 'issued'", id)}
	}, false},
	{"audit-event", func(id string) faulttest.Point {
		return faulttest.Point{Name: "audit", Table: "audit_event", Op: "INSERT",
			When: fmt.Sprintf("NEW.application_id = '%s' AND NEW.kind = 'transition:issued'", id)}
	}, false},
	{"outbox-row", func(id string) faulttest.Point {
		return faulttest.Point{Name: "outbox", Table: "outbox", Op: "INSERT",
			When: fmt.Sprintf("NEW.application_id = '%s' AND EXISTS (SELECT 1 FROM certificate c WHERE c.application_id = NEW.application_id)", id)}
	}, false},
	{"job-completion", func(id string) faulttest.Point {
		return faulttest.Point{Name: "job_completed", Table: "river_job", Op: "UPDATE",
			When: fmt.Sprintf("NEW.kind = 'issue' AND NEW.state = 'completed' AND OLD.state = 'running' AND NEW.args->>'application_id' = '%s'", id)}
	}, true},
}

// TestIssuanceFaultAtEveryStep fails one statement of the issuance, once,
// at each step, on both roads to it (the job after payment; the
// holder's own request when paid before): each case ends with exactly
// one certificate, one "issued" in the audit trail and one e-mail, the
// payment kept (never refunded for a certificate the authority could
// issue), every issuance job completed, and the audit chain intact.
func TestIssuanceFaultAtEveryStep(t *testing.T) {
	f := newFlow(t)
	n := 0
	for _, road := range []string{"job", "at-once"} {
		for _, p := range issuancePoints {
			if p.jobOnly && road == "at-once" {
				continue
			}
			n++
			t.Run(road+"/"+p.name, func(t *testing.T) {
				ctx := context.Background()
				f.t = t
				h := f.toPayment(fmt.Sprintf("+3752900021%02d", n), fmt.Sprintf("fault%d@example.by", n))
				key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				require.NoError(t, err)
				csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
				require.NoError(t, err)
				var fault *faulttest.Fault
				install := func() {
					fault, err = faulttest.FailOnce(ctx, f.st.Pool(), p.point(h.id))
					require.NoError(t, err)
					t.Cleanup(func() { _ = fault.Remove(context.Background()) })
				}
				pay, ref := h.pay()
				if road == "job" {
					h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, nil)
					install()
					require.Equal(t, 200, f.notify(event("ev-fault-"+h.id, payments.EventSucceeded, pay, ref), time.Now(), f.webhookSecret))
				} else {
					require.Equal(t, 200, f.notify(event("ev-fault-"+h.id, payments.EventSucceeded, pay, ref), time.Now(), f.webhookSecret))
					h.waitState("key_pending")
					install()
					var v wire.Renewal
					h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, &v)
					assert.Equal(t, "key_pending", v.State, "the failed attempt left the request for the job")
				}
				h.waitStateWithin("issued", 45*time.Second)
				f.assertIssuedOnce(h, pay.ID)
				hits, err := fault.Hits(ctx)
				require.NoError(t, err)
				assert.GreaterOrEqual(t, hits, int64(1), "the fault was reached")
				if p.name != "job-completion" {
					assert.GreaterOrEqual(t, hits, int64(2), "the statement failed once and a retry ran it")
				}
			})
		}
	}
	f.t = t
	_, err := f.verifyAudit()
	assert.NoError(t, err, "the audit chain holds after every fault")
}

// assertIssuedOnce checks an issued application: one certificate (and
// the authority's record of it: one intent, not abandoned), one issued
// transition, one e-mail naming the serial, the payment still
// succeeded, every issuance job of it completed in the end.
func (f *flow) assertIssuedOnce(h *holder, paymentID string) {
	t := f.t
	t.Helper()
	ctx := context.Background()
	assert.Equal(t, 1, f.certificates(h.id), "one payment, one certificate")
	var serial string
	require.NoError(t, f.st.Pool().QueryRow(ctx, `SELECT serial FROM certificate WHERE application_id = $1`, h.id).Scan(&serial))
	var issuedSerial *string
	require.NoError(t, f.st.Pool().QueryRow(ctx, `SELECT issued_serial FROM application WHERE id = $1`, h.id).Scan(&issuedSerial))
	if assert.NotNil(t, issuedSerial) {
		assert.Equal(t, serial, *issuedSerial, "the application names the recorded certificate")
	}
	var intents, open int
	require.NoError(t, f.st.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE abandoned_at IS NULL AND serial <> $2)
		FROM issuance_intent WHERE application_id = $1`, h.id, serial).Scan(&intents, &open))
	assert.Equal(t, 0, open, "no intent left that is neither the certificate nor abandoned")
	pay, err := f.st.PaymentGet(ctx, paymentID)
	require.NoError(t, err)
	assert.Equal(t, "succeeded", pay.Status, "never refunded: the authority could issue")
	rows, err := f.st.AuditForApplication(ctx, h.id)
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, r := range rows {
		kinds[r.Kind]++
	}
	assert.Equal(t, 1, kinds["transition:issued"], "one issued transition in the audit trail")
	assert.Equal(t, 1, kinds["transition:paid"])
	assert.Zero(t, kinds["transition:refunded_before_issue"])
	var mails int
	require.NoError(t, f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE application_id = $1 AND body LIKE '%' || $2 || '%'`,
		h.id, serial).Scan(&mails))
	assert.Equal(t, 1, mails, "one e-mail announces the certificate")
	require.Eventually(t, func() bool {
		var unfinished int
		require.NoError(t, f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job
			WHERE kind = 'issue' AND args->>'application_id' = $1 AND state <> 'completed'`, h.id).Scan(&unfinished))
		return unfinished == 0
	}, 30*time.Second, 50*time.Millisecond, "every issuance job of the application completes")
}
