package api

import (
	"context"
	"crypto/x509"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca"
	"renewal/ca/revcheck/revchecktest"
	"renewal/server/internal/payments"
)

// newForeignFlow is the flow with another authority in trusted.pem (its
// root and issuing CA, as an operator would list the CA that issued the
// holders' certificates before), answering OCSP and CRL on 127.0.0.1.
func newForeignFlow(t *testing.T) (*flow, *revchecktest.CA) {
	var fp atomic.Pointer[flow]
	other := revchecktest.New(t, "Другой УЦ", func() time.Time {
		if f := fp.Load(); f != nil {
			return f.clock.Now()
		}
		return time.Now()
	})
	f := newFlow(t, other.Root, other.Issuing)
	fp.Store(f)
	return f, other
}

// foreignHolder is a holder whose current certificate the other authority
// issued (the scenario's subject and validity, a key of its own).
func (f *flow) foreignHolder(other *revchecktest.CA, scenario, phone, email string) *holder {
	f.t.Helper()
	h := f.holder(scenario, phone, email)
	tmpl := *h.cert
	tmpl.SerialNumber, tmpl.OCSPServer, tmpl.CRLDistributionPoints = nil, nil, nil
	cert, key := other.Issue(f.t, &tmpl)
	h.cert, h.key, h.chain = cert, key, []*x509.Certificate{other.Issuing}
	return h
}

// refusals are the codes of the proof's refusals in the audit trail.
func (h *holder) refusals() []string {
	h.f.t.Helper()
	rows, err := h.f.st.AuditForApplication(context.Background(), h.id)
	require.NoError(h.f.t, err)
	var codes []string
	for _, r := range rows {
		if code, ok := strings.CutPrefix(r.Kind, "refused:"); ok {
			codes = append(codes, code)
		}
	}
	return codes
}

func (h *holder) outboxCount() int {
	h.f.t.Helper()
	var msgs []OutboxMessage
	h.must("GET", "/dev/api/outbox", nil, &msgs)
	n := 0
	for _, m := range msgs {
		if m.ApplicationID == h.id {
			n++
		}
	}
	return n
}

// TestFlowForeignRevocation: a current certificate of another trusted
// authority is checked against that authority's OCSP and CRL at the
// proof. Revoked there: refused (403) before anything is sent (SECURITY-
// CASES 2). No answer: refused with "try again later" (503), and the
// same proof succeeds once the responder answers (SECURITY-CASES 3). An
// authority not in trusted.pem: refused (SECURITY-CASES 4).
func TestFlowForeignRevocation(t *testing.T) {
	f, other := newForeignFlow(t)

	t.Run("fail/revoked-by-its-issuer", func(t *testing.T) {
		h := f.foreignHolder(other, "by-individual", "+375290011001", "foreign-revoked@example.by")
		other.Revoke(h.cert.SerialNumber, f.clock.Now().Add(-time.Hour), ca.ReasonKeyCompromise)
		h.start("by-6.0.00")
		sent := h.outboxCount()
		status, e := h.prove()
		assert.Equal(t, 403, status)
		assert.Equal(t, "cert_revoked", e.Code, e.MessageEN)
		assert.NotEmpty(t, e.MessageRU)
		assert.Equal(t, "contacts_verified", h.state())
		assert.Equal(t, sent, h.outboxCount(), "nothing is sent after a refused proof")
		assert.Equal(t, []string{"cert_revoked"}, h.refusals())
	})
	t.Run("fail/status-unavailable-then-ok", func(t *testing.T) {
		h := f.foreignHolder(other, "by-individual", "+375290011002", "foreign-down@example.by")
		h.start("by-6.0.00")
		other.Set(revchecktest.Behaviour{OCSPDown: true, CRLDown: true})
		defer other.Set(revchecktest.Behaviour{})
		status, e := h.prove()
		assert.Equal(t, 503, status)
		assert.Equal(t, "revocation_unavailable", e.Code, e.MessageEN)
		assert.Contains(t, e.MessageRU, "повторите попытку позже")
		assert.Contains(t, e.MessageEN, "try again later")
		assert.Equal(t, "contacts_verified", h.state())
		assert.Equal(t, []string{"revocation_unavailable"}, h.refusals())

		other.Set(revchecktest.Behaviour{})
		status, e = h.prove()
		require.Less(t, status, 300, e.MessageEN)
		assert.Equal(t, "certificate_proven", h.state())
	})
	t.Run("fail/names-no-ocsp-and-no-crl", func(t *testing.T) {
		h := f.foreignHolder(other, "by-individual", "+375290011004", "foreign-nourl@example.by")
		tmpl := *h.cert
		tmpl.OCSPServer, tmpl.CRLDistributionPoints = []string{}, []string{}
		h.cert, h.key = other.Issue(t, &tmpl)
		h.start("by-6.0.00")
		status, e := h.prove()
		assert.Equal(t, 403, status, "waiting will not make it checkable")
		assert.Equal(t, "revocation_uncheckable", e.Code, e.MessageEN)
		assert.Equal(t, "contacts_verified", h.state())
		assert.Equal(t, []string{"revocation_uncheckable"}, h.refusals())
	})
	t.Run("fail/authority-not-on-the-trusted-list", func(t *testing.T) {
		// SECURITY-CASES 4: a third authority, with the same kind of
		// responder, that nobody put in trusted.pem.
		stranger := revchecktest.New(t, "Посторонний УЦ", f.clock.Now)
		h := f.foreignHolder(stranger, "by-individual", "+375290011005", "stranger@example.by")
		h.start("by-6.0.00")
		status, e := h.prove()
		assert.Equal(t, 403, status)
		assert.Equal(t, "untrusted_chain", e.Code, e.MessageEN)
		assert.Equal(t, "contacts_verified", h.state())
		assert.Equal(t, []string{"untrusted_chain"}, h.refusals())
		assert.Zero(t, stranger.OCSPRequests.Load()+stranger.CRLRequests.Load(), "an untrusted issuer is never asked")
	})
	t.Run("ok/serial-revoked-here-is-not-theirs", func(t *testing.T) {
		// The demo authority revoked by-revoked's serial; the other
		// authority's certificate with that serial is another certificate.
		h := f.foreignHolder(other, "by-individual", "+375290011003", "foreign-serial@example.by")
		revoked := f.holder("by-revoked", "", "")
		tmpl := *h.cert
		tmpl.SerialNumber = revoked.cert.SerialNumber
		h.cert, h.key = other.Issue(t, &tmpl)
		h.start("by-6.0.00")
		status, e := h.prove()
		require.Less(t, status, 300, e.MessageEN)
	})
}

// TestFlowForeignIssuanceWaitsForRevocation: paid, and the other
// authority's OCSP and CRL are down when the certificate is to be
// issued: the application is neither refused nor refunded; the job tries
// again and issues once they answer.
func TestFlowForeignIssuanceWaitsForRevocation(t *testing.T) {
	f, other := newForeignFlow(t)
	// Answers valid two minutes: the proof's "good" is not what the
	// issuance reads three minutes later.
	other.Set(revchecktest.Behaviour{Validity: 2 * time.Minute})
	h := f.foreignHolder(other, "by-individual", "+375290011101", "foreign-issue@example.by")
	h.start("by-6.0.00")
	status, e := h.prove()
	require.Less(t, status, 300, e.MessageEN)
	h.acceptTerms()
	h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{PersonalNumber: "4150385B012PB6"}, nil)
	h.waitState("verified")
	h.signApplication()
	require.Equal(t, "awaiting_payment", h.state())
	_, csr := h.newRequest()
	h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, nil)

	other.Set(revchecktest.Behaviour{OCSPDown: true, CRLDown: true})
	f.clock.Travel(3 * time.Minute)
	p, ref := h.pay()
	require.Equal(t, 200, f.notify(event("ev-foreign", payments.EventSucceeded, p, ref), f.clock.Now(), f.webhookSecret))

	// The first attempt finds no status and is left to retry.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var failed int
		require.NoError(t, f.st.Pool().QueryRow(context.Background(),
			"SELECT count(*) FROM river_job WHERE kind = 'issue' AND args->>'application_id' = $1 AND cardinality(errors) > 0", h.id).Scan(&failed))
		if failed > 0 {
			break
		}
		st := h.state()
		require.Contains(t, []string{"paid", "key_pending"}, st, "an outage of the other authority is no refusal")
		require.True(t, time.Now().Before(deadline), "no issuance attempt failed; state %s", st)
		time.Sleep(20 * time.Millisecond)
	}
	assert.Contains(t, []string{"paid", "key_pending"}, h.state())
	var refunded int
	require.NoError(t, f.st.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM payment WHERE application_id = $1 AND status = 'refunded'", h.id).Scan(&refunded))
	assert.Zero(t, refunded)
	assert.Zero(t, f.certificates(h.id))

	other.Set(revchecktest.Behaviour{})
	h.waitState("issued")
	assert.Equal(t, 1, f.certificates(h.id))
}

// TestFlowForeignRevocationOutsideTransaction: the other authority's
// OCSP is asked before the proof's transaction opens, so a slow responder
// holds no connection and no row lock while it thinks.
func TestFlowForeignRevocationOutsideTransaction(t *testing.T) {
	f, other := newForeignFlow(t)
	h := f.foreignHolder(other, "by-individual", "+375290011091", "foreign-slow@example.by")
	h.start("by-6.0.00")
	other.Set(revchecktest.Behaviour{OCSPDelay: 1500 * time.Millisecond})

	done := make(chan int, 1)
	go func() {
		status, _ := h.prove()
		done <- status
	}()
	// Sample the server's sessions while the responder sleeps: one idle in
	// a transaction for over half a second would be the proof's, waiting on
	// the 1.5 s responder (background jobs' transactions are short, and
	// under load one of them can be caught idle for a moment).
	inTx := 0
	deadline := time.Now().Add(1200 * time.Millisecond)
	for time.Now().Before(deadline) {
		var n int
		require.NoError(t, f.st.Pool().QueryRow(context.Background(),
			`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND now() - xact_start > interval '500 milliseconds'`).Scan(&n))
		inTx = max(inTx, n)
		time.Sleep(50 * time.Millisecond)
	}
	assert.Less(t, <-done, 300, "the proof succeeds once the responder answers")
	assert.Zero(t, inTx, "a transaction was open while the other authority's OCSP was asked")
}
