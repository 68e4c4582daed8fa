package api

import (
	"context"
	"crypto/x509"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca"
	"renewal/ca/cms"
	"renewal/server/internal/docs"
	"renewal/server/internal/payments"
)

// employeeFiles drives an employee's application to the signed state,
// waiting for the head; it returns the view of that moment.
func (f *flow) employeeFiles(scenario, service, phone, email string, pd wire.PersonalData) (*holder, wire.Renewal) {
	f.t.Helper()
	h := f.holder(scenario, phone, email)
	h.start(service)
	status, e := h.prove()
	require.Less(f.t, status, 300, e.MessageEN)
	h.acceptTerms()
	h.must("POST", "/api/v1/renewal/personal-data", pd, nil)
	h.waitState("verified")
	var pdf []byte
	h.must("GET", "/api/v1/renewal/application.pdf", nil, &pdf)
	sig, err := cms.SignDetached(pdf, h.cert, h.chain, time.Now(), cms.MessageSignerFunc(h.key))
	require.NoError(f.t, err)
	var v wire.Renewal
	h.must("POST", "/api/v1/renewal/application/signature", wire.ApplicationSignature{Signature: sig}, &v)
	require.Equal(f.t, "awaiting_approval", v.State)
	return h, v
}

// approvalToken reads the token of the latest link sent to a head.
func (h *holder) approvalToken(to string) string {
	h.f.t.Helper()
	var msgs []OutboxMessage
	h.must("GET", "/dev/api/outbox", nil, &msgs)
	for _, m := range msgs {
		if m.To == to {
			if i := strings.Index(m.Body, "/approve/"); i >= 0 {
				return strings.Fields(m.Body[i+len("/approve/"):])[0]
			}
		}
	}
	h.f.t.Fatalf("no approval link sent to %s", to)
	return ""
}

// headProves opens a link and proves the head's certificate.
func (h *holder) headProves(token string) (int, wire.Error) {
	h.f.t.Helper()
	if status, e := h.call("POST", "/api/v1/approval/open", wire.Resume{Token: token}, nil); status >= 300 {
		return status, e
	}
	var ch wire.Challenge
	h.must("POST", "/api/v1/approval/challenge", nil, &ch)
	return h.call("POST", "/api/v1/approval/proof", h.proof(ch), nil)
}

// confirm draws up the confirmation of ids and signs it.
func (h *holder) confirm(ids ...string) (int, wire.Error) {
	h.f.t.Helper()
	var c wire.Confirmation
	if status, e := h.call("POST", "/api/v1/approval/confirmation", wire.ConfirmationRequest{Applications: ids}, &c); status >= 300 {
		return status, e
	}
	sig, err := cms.SignDetached(c.Document, h.cert, h.chain, time.Now(), cms.MessageSignerFunc(h.key))
	require.NoError(h.f.t, err)
	h.lastConfirmation = c.ID
	return h.call("POST", "/api/v1/approval/confirmation/"+c.ID+"/signature", wire.ConfirmationSignature{Signature: sig}, nil)
}

var (
	petrovaData = wire.PersonalData{PassportSeries: "4511", PassportNumber: "234567", PassportIssued: "2016-04-12", SNILS: "71955627940", INN: "774389269314"}
	ivanovData  = wire.PersonalData{PassportSeries: "4512", PassportNumber: "345678", PassportIssued: "2014-09-30", SNILS: "57228464209", INN: "772896401790"}
)

// TestApprovalRussia: the employee files, the head opens the link, signs,
// the employee pays and gets the certificate.
func TestApprovalRussia(t *testing.T) {
	f := newFlow(t)
	emp, v := f.employeeFiles("ru-employee", "ru-poa", "+79000000202", "petrova@severny-veter.example.ru", petrovaData)
	assert.Contains(t, v.ApprovalLink, "/approve/", "the employee may send the link himself")

	boss := f.holder("ru-head", "", "")
	status, e := boss.headProves(emp.approvalToken("ivanov@severny-veter.example.ru"))
	require.Less(t, status, 300, e.MessageEN)
	var a wire.Approval
	boss.must("GET", "/api/v1/approval", nil, &a)
	require.Len(t, a.Requests, 1)
	assert.Equal(t, emp.id, a.Requests[0].ID)
	assert.NotEmpty(t, a.Requests[0].ApplicationSHA256)
	status, e = boss.confirm(emp.id)
	require.Less(t, status, 300, e.MessageEN)

	// The confirmation and its signature are shown later, as signed.
	var doc, sig []byte
	emp.must("GET", "/api/v1/renewal/confirmation/document.txt", nil, &doc)
	emp.must("GET", "/api/v1/renewal/confirmation/signature.p7s", nil, &sig)
	assert.Contains(t, string(doc), emp.id)
	_, err := docs.VerifyDetached(sig, doc, boss.cert)
	assert.NoError(t, err, "the employee sees the head's signature over the exact document")
	var headDoc []byte
	boss.must("GET", "/api/v1/approval/confirmation/"+boss.lastConfirmation+"/document.txt", nil, &headDoc)
	assert.Equal(t, doc, headDoc, "the head sees the same document")
	req := httptest.NewRequest("GET", "/api/v1/operator/confirmations/"+boss.lastConfirmation+"/document.txt", nil)
	req.Header.Set("Authorization", "Bearer operator-secret")
	resp, err := f.app.Test(req, -1)
	require.NoError(t, err)
	opDoc, _ := io.ReadAll(resp.Body)
	assert.Equal(t, doc, opDoc, "and so does the operator")

	require.Equal(t, "awaiting_payment", emp.state())
	p, ref := emp.pay()
	require.Equal(t, 200, f.notify(event("ev-ru-approval", payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
	emp.waitState("key_pending")
	_, csr := emp.newRequest()
	emp.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, nil)
	emp.waitState("issued")

	rows, err := f.st.AuditForApplication(context.Background(), emp.id)
	require.NoError(t, err)
	kinds := map[string]bool{}
	for _, r := range rows {
		kinds[r.Kind] = true
	}
	assert.True(t, kinds["signature:confirmation"], "the head's signature is in the employee's trail")
}

// TestApprovalBelarus: two employees file 6.0.01, the head confirms both
// with one signature and pays once (6.0.02); both get certificates.
func TestApprovalBelarus(t *testing.T) {
	f := newFlow(t)
	zhuk, _ := f.employeeFiles("by-employee", "by-6.0.01", "+375290000102", "zhuk@bely-aist.example.by", wire.PersonalData{PersonalNumber: "4300188H021PB4"})
	sink, _ := f.employeeFiles("by-employee-2", "by-6.0.01", "+375290000105", "sinkevich@bely-aist.example.by", wire.PersonalData{PersonalNumber: "3150384H058PB1"})

	boss := f.holder("by-head", "", "")
	status, e := boss.headProves(zhuk.approvalToken("director@bely-aist.example.by"))
	require.Less(t, status, 300, e.MessageEN)
	var a wire.Approval
	boss.must("GET", "/api/v1/approval", nil, &a)
	require.Len(t, a.Requests, 2)
	status, e = boss.confirm(zhuk.id, sink.id)
	require.Less(t, status, 300, e.MessageEN)
	assert.Equal(t, "approved", zhuk.state())
	assert.Equal(t, "approved", sink.state())

	// The client-bank invoice is on offer too; the head chooses the card.
	var inv wire.Approval
	boss.must("POST", "/api/v1/approval/payment", wire.PaymentStart{Method: "invoice"}, &inv)
	require.NotNil(t, inv.Payment)
	var pdf []byte
	boss.must("GET", "/api/v1/approval/invoice.pdf", nil, &pdf)
	text := pdftotext(t, pdf)
	assert.Contains(t, text, inv.Payment.InvoiceNumber)
	assert.Contains(t, text, "Жук")
	assert.Contains(t, text, "Синкевич")
	boss.must("POST", "/api/v1/approval/payment", wire.PaymentStart{Method: "card"}, &a)
	require.NotNil(t, a.Payment)
	require.NotNil(t, a.Total)
	assert.Equal(t, a.Total.Minor, a.Payment.Amount.Minor, "one payment for both")
	pay, err := f.st.PaymentGet(context.Background(), a.Payment.ID)
	require.NoError(t, err)
	require.Equal(t, 200, f.notify(event("ev-by-group", payments.EventSucceeded, *a.Payment, *pay.ProviderRef), time.Now(), f.webhookSecret))
	for _, h := range []*holder{zhuk, sink} {
		h.waitState("key_pending")
		_, csr := h.newRequest()
		h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, nil)
		h.waitState("issued")
	}
}

// TestApprovalRefusals: each is refused with a clear message and changes
// nothing.
func TestApprovalRefusals(t *testing.T) {
	f := newFlow(t)
	emp, _ := f.employeeFiles("ru-employee", "ru-poa", "+79000000212", "petrova2@severny-veter.example.ru", petrovaData)
	link := func() string { return emp.approvalToken("ivanov@severny-veter.example.ru") }

	t.Run("fail/head-of-another-organisation", func(t *testing.T) {
		status, e := f.holder("by-head", "", "").headProves(link())
		assert.Equal(t, 403, status)
		assert.Equal(t, "other_organisation", e.Code)
	})
	t.Run("fail/link-used-twice", func(t *testing.T) {
		token := link() // the previous subtest used it
		status, e := f.holder("ru-head", "", "").call("POST", "/api/v1/approval/open", wire.Resume{Token: token}, nil)
		assert.Equal(t, 404, status)
		assert.Equal(t, "approval_link", e.Code)
	})

	// A fresh link for each remaining case: the employee files again.
	fresh := func(phone, email string) (*holder, string) {
		h, _ := f.employeeFiles("ru-employee", "ru-poa", phone, email, petrovaData)
		return h, h.approvalToken("ivanov@severny-veter.example.ru")
	}
	t.Run("fail/not-named-head", func(t *testing.T) {
		_, token := fresh("+79000000213", "p3@severny-veter.example.ru")
		status, e := f.holder("ru-employee", "", "").headProves(token) // same organisation, not its head
		assert.Equal(t, 403, status)
		assert.Equal(t, "not_head", e.Code)
	})
	t.Run("fail/link-expired", func(t *testing.T) {
		_, token := fresh("+79000000214", "p4@severny-veter.example.ru")
		f.clock.Travel(73 * time.Hour)
		defer f.clock.Travel(-73 * time.Hour)
		status, e := f.holder("ru-head", "", "").call("POST", "/api/v1/approval/open", wire.Resume{Token: token}, nil)
		assert.Equal(t, 404, status)
		assert.Equal(t, "approval_link", e.Code)
	})
	t.Run("fail/altered-confirmation", func(t *testing.T) {
		h, token := fresh("+79000000215", "p5@severny-veter.example.ru")
		boss := f.holder("ru-head", "", "")
		status, e := boss.headProves(token)
		require.Less(t, status, 300, e.MessageEN)
		var c wire.Confirmation
		boss.must("POST", "/api/v1/approval/confirmation", wire.ConfirmationRequest{Applications: []string{h.id}}, &c)
		altered := append([]byte(nil), c.Document...)
		altered = append(altered, []byte("\n4. Заявление / Application someone-else\n")...)
		sig, err := cms.SignDetached(altered, boss.cert, boss.chain, time.Now(), cms.MessageSignerFunc(boss.key))
		require.NoError(t, err)
		status, e = boss.call("POST", "/api/v1/approval/confirmation/"+c.ID+"/signature", wire.ConfirmationSignature{Signature: sig}, nil)
		assert.Equal(t, 400, status)
		assert.Equal(t, "confirmation_signature", e.Code)
		assert.Equal(t, "awaiting_approval", h.state())
	})
	t.Run("fail/head-certificate-revoked-before-signing", func(t *testing.T) {
		h, token := fresh("+79000000216", "p6@severny-veter.example.ru")
		boss := f.holder("ru-head", "", "")
		status, e := boss.headProves(token)
		require.Less(t, status, 300, e.MessageEN)
		require.NoError(t, f.st.CA().Revoke(context.Background(), boss.cert.SerialNumber, ca.ReasonKeyCompromise, time.Now()))
		status, e = boss.confirm(h.id)
		assert.Equal(t, 403, status)
		assert.Equal(t, "cert_revoked", e.Code)
		assert.Equal(t, "awaiting_approval", h.state())
	})
}

// TestApprovalOwnRequest: a head who files his own request as an
// employee may not confirm it.
// reissued is a holder of scenario with a second certificate of the same
// person: same subject and identifiers, its own key and serial.
func (f *flow) reissued(scenario string) *holder {
	f.t.Helper()
	h := f.holder(scenario, "", "")
	cert, key := f.reissue(h.cert)
	require.NotEqual(f.t, h.cert.Raw, cert.Raw)
	h.cert, h.key = cert, key
	return h
}

func TestApprovalOwnRequest(t *testing.T) {
	f := newFlow(t)
	own, _ := f.employeeFiles("ru-head", "ru-poa", "+79000000203", "ivanov@severny-veter.example.ru", ivanovData)
	boss := f.holder("ru-head", "", "")
	status, e := boss.headProves(own.approvalToken("ivanov@severny-veter.example.ru"))
	require.Less(t, status, 300, e.MessageEN)
	var a wire.Approval
	boss.must("GET", "/api/v1/approval", nil, &a)
	require.Len(t, a.Requests, 1)
	assert.True(t, a.Requests[0].Own)
	status, e = boss.confirm(own.id)
	assert.Equal(t, 403, status)
	assert.Equal(t, "own_request", e.Code)
	assert.Equal(t, "awaiting_approval", own.state())

	// The same person with his other certificate is still himself (a
	// second request brings a new single-use link).
	again, _ := f.employeeFiles("ru-head", "ru-poa", "+79000000204", "ivanov2@severny-veter.example.ru", ivanovData)
	other := f.reissued("ru-head")
	status, e = other.headProves(again.approvalToken("ivanov@severny-veter.example.ru"))
	require.Less(t, status, 300, e.MessageEN)
	other.must("GET", "/api/v1/approval", nil, &a)
	require.Len(t, a.Requests, 2)
	for _, r := range a.Requests {
		assert.True(t, r.Own, "decided by СНИЛС, not by the certificate")
	}
	status, e = other.confirm(own.id)
	assert.Equal(t, 403, status)
	assert.Equal(t, "own_request", e.Code)
	assert.Equal(t, "awaiting_approval", own.state())
}

// TestApprovalDecline: the head declines with a reason the employee sees.
func TestApprovalDecline(t *testing.T) {
	f := newFlow(t)
	emp, _ := f.employeeFiles("ru-employee", "ru-poa", "+79000000222", "decline@severny-veter.example.ru", petrovaData)
	boss := f.holder("ru-head", "", "")
	status, e := boss.headProves(emp.approvalToken("ivanov@severny-veter.example.ru"))
	require.Less(t, status, 300, e.MessageEN)
	status, e = boss.call("POST", "/api/v1/approval/decline", wire.Decline{Application: emp.id, Reason: "сотрудник уволен"}, nil)
	require.Less(t, status, 300, e.MessageEN)
	var v wire.Renewal
	emp.must("GET", "/api/v1/renewal", nil, &v)
	assert.Equal(t, "rejected", v.State)
	require.NotNil(t, v.Rejection)
	assert.Contains(t, v.Rejection.RU, "сотрудник уволен")
	assert.Contains(t, emp.lastMessage(emp.email), "сотрудник уволен")
}

// The register is read again when the head confirms: a head replaced in
// the register after his proof confirms nothing.
func TestApprovalRegisterReadAtConfirm(t *testing.T) {
	f := newFlow(t)
	emp, _ := f.employeeFiles("ru-employee", "ru-poa", "+79000000205", "petrova2@severny-veter.example.ru", petrovaData)
	boss := f.holder("ru-head", "", "")
	status, e := boss.headProves(emp.approvalToken("ivanov@severny-veter.example.ru"))
	require.Less(t, status, 300, e.MessageEN)

	d := f.registry.Data()
	replaced := false
	for i, o := range d.Organisations {
		if o.Jurisdiction == "RU" && o.Head != "" && o.INN == attributeOf(boss.cert, "1.2.643.100.4") {
			d.Organisations[i].Head = "Новый Руководитель Назначенович"
			replaced = true
		}
	}
	require.True(t, replaced, "the head's organisation is in the register")
	f.registry.Replace(d)

	status, e = boss.confirm(emp.id)
	assert.Equal(t, 403, status)
	assert.Equal(t, "not_head", e.Code)
	assert.Equal(t, "awaiting_approval", emp.state(), "nothing confirmed")
}

// attributeOf is the subject attribute oid of c, or "".
func attributeOf(c *x509.Certificate, oid string) string {
	for _, n := range c.Subject.Names {
		if n.Type.String() == oid {
			if s, ok := n.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}
