package api

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca/cms"
	"renewal/ca/gostssl"
	"renewal/server/internal/auditlog"
)

// TestFlowRussiaOwner drives "Я владелец" from the first screen to the
// signed application, with the demo subscriber's PKCS#12 key.
func TestFlowRussiaOwner(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+7 900 000-02-01", "smirnov@example.ru")
	h.start("ru-owner")
	assert.Equal(t, "contacts_verified", h.state())

	status, e := h.prove()
	require.Less(t, status, 300, e.MessageEN)
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	assert.Equal(t, "certificate_proven", v.State)
	assert.True(t, v.Proven)
	require.NotNil(t, v.Certificate)
	assert.Equal(t, h.cert.SerialNumber.Text(16), v.Certificate.Serial)

	h.acceptTerms()
	assert.Equal(t, "terms_accepted", h.state())
	h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{
		PassportSeries: "4510", PassportNumber: "123456", PassportIssued: "2015-06-01",
		SNILS: "693-849-373 75", INN: "771952685970",
	}, nil)
	h.waitState("verified")
	h.must("GET", "/api/v1/renewal", nil, &v)
	require.NotNil(t, v.Check)
	assert.Equal(t, "passed", v.Check.Status)

	pdf := h.signApplication()
	assert.Equal(t, "awaiting_payment", h.state())
	opensslVerifiesCMS(t, h, pdf)
	assert.Contains(t, h.lastMessage(h.email), "/resume/", "a resume link is e-mailed at the waiting point")

	av, err := f.verifyAudit()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, av.Size, int64(9))
}

// TestFlowBelarusIndividual drives 6.0.00 to the signed application.
func TestFlowBelarusIndividual(t *testing.T) {
	f := newFlow(t)
	h := f.holder("by-individual", "+375 29 000-01-01", "kovaleva@example.by")
	h.start("by-6.0.00")
	status, e := h.prove()
	require.Less(t, status, 300, e.MessageEN)
	h.acceptTerms()
	h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{PersonalNumber: "4150385в012рв6"}, nil) // Cyrillic look-alikes accepted
	h.waitState("verified")
	h.signApplication()
	assert.Equal(t, "awaiting_payment", h.state())
}

// signApplication fetches the application PDF, signs it (detached CMS)
// with the current key and submits the signature.
func (h *holder) signApplication() []byte {
	h.f.t.Helper()
	var pdf []byte
	h.must("GET", "/api/v1/renewal/application.pdf", nil, &pdf)
	require.True(h.f.t, strings.HasPrefix(string(pdf), "%PDF"))
	// The chain travels in the CMS, as a client's would.
	sig, err := cms.SignDetached(pdf, h.cert, h.chain, time.Now(), cms.MessageSignerFunc(h.key))
	require.NoError(h.f.t, err)
	h.must("POST", "/api/v1/renewal/application/signature", wire.ApplicationSignature{Signature: sig}, nil)
	h.lastSignature = sig
	return pdf
}

func (h *holder) lastMessage(to string) string {
	var msgs []OutboxMessage
	h.must("GET", "/dev/api/outbox", nil, &msgs)
	for _, m := range msgs {
		if m.To == to && m.ApplicationID == h.id {
			return m.Body
		}
	}
	return ""
}

// opensslVerifiesCMS: OpenSSL accepts the stored signature of the
// application against the demo chain.
func opensslVerifiesCMS(t *testing.T, h *holder, pdf []byte) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	content := write("application.pdf", pdf)
	sig := write("application.p7s", h.lastSignature)
	// With the GOST engine: the demo authority and the Russian keys are GOST.
	out, err := gostssl.New(t).Run(nil, "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", content,
		"-CAfile", filepath.Join(h.f.demo.Dir, "root.pem"),
		"-purpose", "any", "-out", os.DevNull)
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "Verification successful")
}

// TestFlowRefusals: each is refused with a clear error and leaves the
// application where it was.
func TestFlowRefusals(t *testing.T) {
	f := newFlow(t)

	t.Run("fail/expired-certificate", func(t *testing.T) {
		h := f.holder("ru-expired", "+79000000204", "kuznetsov@example.ru")
		h.start("ru-owner")
		status, e := h.prove()
		assert.Equal(t, 403, status)
		assert.Equal(t, "cert_expired", e.Code, e.MessageEN)
		assert.NotEmpty(t, e.MessageRU)
		assert.Equal(t, "contacts_verified", h.state())
	})
	t.Run("fail/revoked-certificate", func(t *testing.T) {
		h := f.holder("by-revoked", "+375290000104", "novik@example.by")
		h.start("by-6.0.00")
		status, e := h.prove()
		assert.Equal(t, 403, status)
		assert.Equal(t, "cert_revoked", e.Code, e.MessageEN)
		assert.Equal(t, "contacts_verified", h.state())
	})
	t.Run("fail/outside-renewal-window", func(t *testing.T) {
		h := f.holder("ru-owner", "+79000000301", "window@example.ru")
		h.start("ru-owner")
		f.clock.Travel(-200 * 24 * time.Hour) // half a year before expiry
		defer f.clock.Travel(200 * 24 * time.Hour)
		status, e := h.prove()
		assert.Equal(t, 403, status)
		assert.Equal(t, "outside_window", e.Code, e.MessageEN)
		assert.Equal(t, "contacts_verified", h.state())
	})
	t.Run("fail/fourth-wrong-sms-code", func(t *testing.T) {
		h := f.holder("ru-owner", "+79000000302", "codes@example.ru")
		h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
		right := h.code(h.phone)
		wrong := "000000"
		if right == wrong {
			wrong = "111111"
		}
		for i, want := range []string{"code_wrong", "code_wrong", "code_voided"} {
			status, e := h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: wrong}, nil)
			assert.Equal(t, 400, status, "try %d", i+1)
			assert.Equal(t, want, e.Code, "try %d", i+1)
		}
		status, e := h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: right}, nil)
		assert.Equal(t, 400, status)
		assert.Equal(t, "code_voided", e.Code, "even the right code is refused after three wrong ones")
		assert.Equal(t, "started", h.state())
	})
	t.Run("fail/code-used-twice", func(t *testing.T) {
		h := f.holder("ru-owner", "+79000000303", "twice@example.ru")
		h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
		code := h.code(h.phone)
		h.must("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: code}, nil)
		status, e := h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: code}, nil)
		assert.Equal(t, 400, status)
		assert.Equal(t, "code_used", e.Code)
		assert.Equal(t, "started", h.state(), "the e-mail is not verified yet")
	})
	t.Run("fail/code-of-another-application", func(t *testing.T) {
		a := f.holder("ru-owner", "+79000000304", "a@example.ru")
		b := f.holder("ru-owner", "+79000000304", "b@example.ru") // same phone, another application
		a.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: a.phone, Email: a.email}, nil)
		f.clock.Travel(61 * time.Second) // the phone's resend pause
		b.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: b.phone, Email: b.email}, nil)
		status, e := a.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: b.code(b.phone)}, nil)
		if a.code(a.phone) == b.code(b.phone) {
			t.Skip("the two random codes happen to be equal") // one in a million
		}
		assert.Equal(t, 400, status)
		assert.Equal(t, "code_wrong", e.Code)
		assert.Equal(t, "started", a.state())
	})
	t.Run("fail/identifiers-differ", func(t *testing.T) {
		h := f.holder("ru-owner", "+79000000305", "ids@example.ru")
		h.start("ru-owner")
		_, _ = h.prove()
		h.acceptTerms()
		status, e := h.call("POST", "/api/v1/renewal/personal-data", wire.PersonalData{
			PassportSeries: "4510", PassportNumber: "123456", PassportIssued: "2015-06-01",
			SNILS: "112-233-445 95", INN: "771952685970", // a valid СНИЛС, but not this holder's
		}, nil)
		assert.Equal(t, 400, status)
		assert.Equal(t, "identifiers_differ", e.Code)
		assert.Contains(t, e.MessageRU, "новый сертификат")
		assert.Equal(t, "terms_accepted", h.state())
	})
	t.Run("fail/signature-over-altered-bytes", func(t *testing.T) {
		h := f.holder("by-individual", "+375290000111", "altered@example.by")
		h.start("by-6.0.00")
		_, _ = h.prove()
		h.acceptTerms()
		h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{PersonalNumber: "4150385B012PB6"}, nil)
		h.waitState("verified")
		var pdf []byte
		h.must("GET", "/api/v1/renewal/application.pdf", nil, &pdf)
		altered := append([]byte(nil), pdf...)
		altered[len(altered)/2] ^= 1
		sig, err := cms.SignDetached(altered, h.cert, nil, time.Now(), cms.MessageSignerFunc(h.key))
		require.NoError(t, err)
		status, e := h.call("POST", "/api/v1/renewal/application/signature", wire.ApplicationSignature{Signature: sig}, nil)
		assert.Equal(t, 400, status)
		assert.Equal(t, "document_signature", e.Code)
		assert.Equal(t, "verified", h.state())
	})
	t.Run("fail/replayed-challenge", func(t *testing.T) {
		h := f.holder("ru-owner", "+79000000306", "replay@example.ru")
		h.start("ru-owner")
		var ch wire.Challenge
		h.must("POST", "/api/v1/renewal/challenge", nil, &ch)
		p := h.proof(ch)
		h.must("POST", "/api/v1/renewal/proof", p, nil)
		status, e := h.call("POST", "/api/v1/renewal/proof", p, nil)
		assert.Equal(t, 400, status)
		assert.Equal(t, "challenge_invalid", e.Code)
		assert.Equal(t, "certificate_proven", h.state())
	})
	t.Run("fail/double-submit", func(t *testing.T) {
		h := f.holder("by-individual", "+375290000112", "double@example.by")
		h.start("by-6.0.00")
		_, _ = h.prove()
		var tl wire.TariffList
		h.must("GET", "/api/v1/renewal/tariffs", nil, &tl)
		h.must("PUT", "/api/v1/renewal/tariff", wire.TariffChoice{Tariff: tl.Tariffs[0].Code}, nil)
		acc := h.acceptance()
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], _ = h.call("POST", "/api/v1/renewal/terms", acc, nil)
			}()
		}
		wg.Wait()
		assert.ElementsMatch(t, []int{200, 409}, statuses, "one effect, one refusal")
		assert.Equal(t, "terms_accepted", h.state())
		rows, err := f.st.AuditForApplication(context.Background(), h.id)
		require.NoError(t, err)
		n := 0
		for _, r := range rows {
			if r.Kind == "transition:terms_accepted" {
				n++
			}
		}
		assert.Equal(t, 1, n, "one transition in the audit trail")
	})
	t.Run("fail/no-csrf-token", func(t *testing.T) {
		h := f.holder("ru-owner", "+79000000307", "csrf@example.ru")
		h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
		h.csrf = ""
		status, e := h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: "123456"}, nil)
		assert.Equal(t, 403, status)
		assert.Equal(t, "csrf", e.Code)
	})
	t.Run("fail/no-session", func(t *testing.T) {
		h := f.holder("ru-owner", "", "")
		status, e := h.call("GET", "/api/v1/renewal", nil, nil)
		assert.Equal(t, 401, status)
		assert.Equal(t, "no_session", e.Code)
	})
}

// TestAuditVerifyFindsAlteredRow: the log verifies after a flow and
// names the event edited by hand.
func TestAuditVerifyFindsAlteredRow(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+79000000401", "audit@example.ru")
	h.start("ru-owner")
	_, _ = h.prove()
	ctx := context.Background()
	v, err := f.verifyAudit()
	require.NoError(t, err)
	require.GreaterOrEqual(t, v.Size, int64(3))

	rows, err := f.st.AuditForApplication(ctx, h.id)
	require.NoError(t, err)
	target := rows[1]
	_, err = f.st.Pool().Exec(ctx, "UPDATE audit_event SET actor = 'someone else' WHERE id = $1", target.ID)
	require.NoError(t, err)
	_, err = f.verifyAudit()
	var bad *auditlog.BadEvent
	require.ErrorAs(t, err, &bad)
	assert.Equal(t, *target.LogIndex, bad.Index)
	assert.Equal(t, h.id, bad.ApplicationID)
	assert.Equal(t, target.Kind, bad.Kind)
}

// TestFlowResume: the link e-mailed at the waiting point opens the
// application in another browser, which must prove the same certificate
// before it sees anything more.
func TestFlowResume(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+79000000501", "resume@example.ru")
	h.start("ru-owner")
	_, _ = h.prove()
	h.acceptTerms()
	h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{
		PassportSeries: "4510", PassportNumber: "123456", PassportIssued: "2015-06-01", SNILS: "69384937375", INN: "771952685970",
	}, nil)
	h.waitState("verified")
	h.signApplication()
	body := h.lastMessage(h.email)
	i := strings.Index(body, "/resume/")
	require.GreaterOrEqual(t, i, 0, body)
	token := strings.Fields(body[i+len("/resume/"):])[0]

	other := f.holder("ru-head", "", "") // another browser, and another person's key
	status, e := other.call("POST", "/api/v1/resume", wire.Resume{Token: "nonsense"}, nil)
	assert.Equal(t, 404, status)
	assert.Equal(t, "resume_link", e.Code)

	var v wire.Renewal
	other.must("POST", "/api/v1/resume", wire.Resume{Token: token}, &v)
	assert.Equal(t, "awaiting_payment", v.State, "lands on the same step")
	assert.False(t, v.Proven)
	assert.Nil(t, v.Certificate, "nothing of the certificate before the proof")
	status, e = other.call("GET", "/api/v1/renewal/application.pdf", nil, nil)
	assert.Equal(t, 403, status)
	assert.Equal(t, "certificate_not_proven", e.Code)
	status, e = other.call("POST", "/api/v1/renewal/cancel", nil, nil)
	assert.Equal(t, 403, status, "a resume link alone may read the state, not cancel")
	assert.Equal(t, "certificate_not_proven", e.Code)
	status, e = other.prove()
	assert.Equal(t, 403, status)
	assert.Equal(t, "other_certificate", e.Code, "only the certificate the application started with")

	same := h.otherBrowser()
	same.must("POST", "/api/v1/resume", wire.Resume{Token: token}, nil)
	status, e = same.prove()
	require.Less(t, status, 300, e.MessageEN)
	same.must("GET", "/api/v1/renewal", nil, &v)
	assert.True(t, v.Proven)
	assert.Equal(t, "awaiting_payment", v.State, "the link's cancel changed nothing")
	same.must("POST", "/api/v1/renewal/cancel", nil, &v)
	assert.Equal(t, "cancelled", v.State, "the proven holder may cancel")
}

// TestFlowRegistryRetries: a registry that fails twice is asked again
// with backoff, the client sees the retries, and the check passes.
func TestFlowRegistryRetries(t *testing.T) {
	f := newFlow(t)
	h := f.holder("by-individual", "+375290000601", "retry@example.by")
	h.start("by-6.0.00")
	_, _ = h.prove()
	h.acceptTerms()
	f.registry.FailNext(2)
	h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{PersonalNumber: "4150385B012PB6"}, nil)
	h.waitState("verified")
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	require.NotNil(t, v.Check)
	assert.Equal(t, "passed", v.Check.Status)
	assert.Equal(t, 3, v.Check.Attempts)
}

// TestFlowRegistryRejects: a passport the registry lists as invalid ends
// the application with the reason, told by e-mail.
func TestFlowRegistryRejects(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+79000000701", "rejected@example.ru")
	h.start("ru-owner")
	_, _ = h.prove()
	h.acceptTerms()
	h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{
		PassportSeries: "4500", PassportNumber: "000001", PassportIssued: "2010-01-01", SNILS: "69384937375", INN: "771952685970",
	}, nil)
	h.waitState("rejected")
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	require.NotNil(t, v.Rejection)
	assert.Equal(t, "passport_invalid", v.Rejection.Code)
	assert.Contains(t, v.Rejection.RU, "недействительным")
	assert.Contains(t, h.lastMessage(h.email), "недействительным")
}

// An employee's certificate cannot renew through the owner's service, nor
// the reverse: refused at the proof, before payment, with the way out.
func TestFlowCertificateFitsService(t *testing.T) {
	f := newFlow(t)
	for _, c := range []struct{ scenario, service, phone, code string }{
		{"ru-employee", "ru-owner", "+79000000601", "employee_certificate"},
		{"by-employee", "by-6.0.00", "+375290006011", "employee_certificate"},
		{"ru-owner", "ru-poa", "+79000000602", "not_employee_certificate"},
		{"by-individual", "by-6.0.01", "+375290006012", "not_employee_certificate"},
	} {
		t.Run(c.scenario+"/"+c.service, func(t *testing.T) {
			h := f.holder(c.scenario, c.phone, c.scenario+"@example.org")
			h.start(c.service)
			status, e := h.prove()
			assert.Equal(t, 403, status)
			assert.Equal(t, c.code, e.Code)
			assert.NotEmpty(t, e.MessageRU)
			assert.Equal(t, "contacts_verified", h.state(), "nothing moved")
		})
	}
}

// One open application per certificate (security case 42): the second
// proof of one certificate is refused with the way to resume the first,
// sent to the first's e-mail; once the first is closed, a new one opens.
func TestFlowOneOpenApplicationPerCertificate(t *testing.T) {
	f := newFlow(t)
	first := f.holder("ru-owner", "+79000000701", "first@example.ru")
	first.start("ru-owner")
	status, e := first.prove()
	require.Less(t, status, 300, e.MessageEN)

	second := first.otherBrowser() // the same certificate, other contacts
	second.phone, second.email = "+79000000702", "second@example.ru"
	second.start("ru-owner")
	status, e = second.prove()
	assert.Equal(t, 409, status)
	assert.Equal(t, "open_application", e.Code)
	assert.NotEmpty(t, e.MessageRU)
	assert.Equal(t, "contacts_verified", second.state(), "the second application did not move")
	assert.Contains(t, first.lastMessage(first.email), "/resume/", "the link to the first went to its e-mail")

	first.must("POST", "/api/v1/renewal/cancel", nil, nil)
	status, e = second.prove()
	require.Less(t, status, 300, "once the first is closed: %s", e.MessageEN)
	assert.Equal(t, "certificate_proven", second.state())
}

// Whoever holds a key can open an application with his own contacts; the
// e-mail written in the certificate hears of it.
func TestFlowNoticeToCertificateEmail(t *testing.T) {
	f := newFlow(t)
	written := attributeOrSAN(f.holder("by-individual", "", ""))
	require.NotEmpty(t, written, "the demo certificate names its holder's e-mail")

	other := f.holder("by-individual", "+375290007001", "someone.else@example.org")
	other.start("by-6.0.00")
	status, e := other.prove()
	require.Less(t, status, 300, e.MessageEN)
	body := other.lastMessage(written)
	assert.Contains(t, body, "someone.else@example.org", "the notice names the contacts given")
	assert.Contains(t, body, other.cert.SerialNumber.Text(16))

	same := f.holder("by-individual", "+375290007002", written)
	same.start("by-6.0.00")
	status, e = same.prove()
	require.Less(t, status, 300, e.MessageEN)
	var msgs []OutboxMessage
	same.must("GET", "/dev/api/outbox", nil, &msgs)
	for _, m := range msgs {
		if m.ApplicationID == same.id {
			assert.NotContains(t, m.Body, "открыта заявка на продление", "no notice when the contacts are the certificate's")
		}
	}
}

// The phone the register knows for the certificate's holder hears of an
// application opened with another phone; the holder's own phone does not
// get a second message.
func TestFlowNoticeToRegistryPhone(t *testing.T) {
	f := newFlow(t)
	const registered = "+375290000101" // Ковалёва's phone in the demo register
	sms := func(h *holder) []string {
		var msgs []OutboxMessage
		h.must("GET", "/dev/api/outbox", nil, &msgs)
		var bodies []string
		for _, m := range msgs {
			if m.To == registered && m.ApplicationID == h.id && strings.Contains(m.Body, "заявка на продление") {
				bodies = append(bodies, m.Body)
			}
		}
		return bodies
	}

	other := f.holder("by-individual", "+375290007011", "other.phone@example.org")
	other.start("by-6.0.00")
	status, e := other.prove()
	require.Less(t, status, 300, e.MessageEN)
	require.Eventually(t, func() bool { return len(sms(other)) > 0 }, 20*time.Second, 100*time.Millisecond,
		"the register's phone is told")
	serial := strings.ToUpper(other.cert.SerialNumber.Text(16))
	assert.Contains(t, sms(other)[0], serial[len(serial)-8:], "the SMS names the certificate")
	assert.Len(t, sms(other), 1, "exactly one notice")

	same := f.holder("by-individual", registered, "kovaleva@example.by")
	same.start("by-6.0.00")
	status, e = same.prove()
	require.Less(t, status, 300, e.MessageEN)
	require.Eventually(t, func() bool { return f.auditHas(same.id, "notice:registry_phone_same") }, 20*time.Second, 100*time.Millisecond)
	assert.Empty(t, sms(same), "no notice when the applicant gave the register's phone")
}

func attributeOrSAN(h *holder) string {
	if len(h.cert.EmailAddresses) > 0 {
		return h.cert.EmailAddresses[0]
	}
	return attributeOf(h.cert, "1.2.840.113549.1.9.1")
}
