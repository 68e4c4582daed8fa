package api

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/server/internal/payments"
)

var (
	applicationNumberRE = regexp.MustCompile(`^(20[0-9]{2})-([0-9]{6,})$`)
	actNumberRE         = regexp.MustCompile(`^A-20[0-9]{2}-[0-9]{6,}$`)
)

// TestApplicationNumbersConcurrent: applications opened at the same
// moment get distinct readable numbers of this year, one after another
// with none skipped, and each keeps its own.
func TestApplicationNumbersConcurrent(t *testing.T) {
	f := newFlow(t)
	const n = 8
	holders := make([]*holder, n)
	for i := range holders {
		holders[i] = f.holder("by-individual", fmt.Sprintf("+3752900021%02d", i), fmt.Sprintf("numbers-%d@example.by", i))
	}
	views := make([]wire.Renewal, n)
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i, h := range holders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = h.call("POST", "/api/v1/renewal", wire.RenewalStart{Service: "by-6.0.00", Phone: h.phone, Email: h.email}, &views[i])
		}()
	}
	wg.Wait()
	var numbers []string
	for i, v := range views {
		require.Equal(t, 201, statuses[i], "start %d", i)
		m := applicationNumberRE.FindStringSubmatch(v.Number)
		require.NotNil(t, m, "start %d: number %q", i, v.Number)
		assert.NotEqual(t, v.ID, v.Number, "the number is not the key")
		numbers = append(numbers, v.Number)
	}
	sort.Strings(numbers)
	year := applicationNumberRE.FindStringSubmatch(numbers[0])[1]
	for i, got := range numbers {
		assert.Equal(t, fmt.Sprintf("%s-%06d", year, i+1), got)
	}
	for i, h := range holders {
		var v wire.Renewal
		h.must("GET", "/api/v1/renewal", nil, &v)
		assert.Equal(t, views[i].Number, v.Number, "the number stays the application's")
	}
}

// TestReceiptEmailChange: on the payment step the receipt's address can
// be changed; a bad one is refused and changes nothing, a good one is
// audited, and the receipt goes there, naming the application's number.
// The issued certificate's act and УПД then carry a number of their own.
func TestReceiptEmailChange(t *testing.T) {
	f := newFlow(t)
	h := f.toRussiaPayment("+79000000421", "receipt-owner@example.ru")
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	require.Regexp(t, applicationNumberRE, v.Number)
	assert.Equal(t, "receipt-owner@example.ru", v.ReceiptEmail, "by default the verified contact e-mail")
	assert.Contains(t, v.ServiceName.RU, "без посещения удостоверяющего центра")
	var svc wire.Service
	h.must("GET", "/api/v1/services/ru-owner", nil, &svc)
	assert.Equal(t, "Я владелец", svc.TitleRU, "the home page's card keeps its short title")
	assert.Equal(t, v.ServiceName, svc.FullName, "the service page names the formal service the documents write")
	require.NotNil(t, v.TariffName)
	assert.NotEqual(t, v.Tariff, v.TariffName.RU, "the tariff by name")

	for _, bad := range []string{"", "not an address", "Бух <buh@example.ru>"} {
		status, e := h.call("PUT", "/api/v1/renewal/receipt-email", wire.ReceiptEmail{Email: bad}, nil)
		assert.Equal(t, 400, status, "%q", bad)
		assert.Equal(t, "bad_email", e.Code, "%q", bad)
	}
	h.must("GET", "/api/v1/renewal", nil, &v)
	assert.Equal(t, "receipt-owner@example.ru", v.ReceiptEmail, "a refusal changes nothing")
	assert.False(t, f.auditHas(h.id, "receipt_email"))

	h.must("PUT", "/api/v1/renewal/receipt-email", wire.ReceiptEmail{Email: " buh@Example.RU "}, &v)
	assert.Equal(t, "buh@example.ru", v.ReceiptEmail)
	assert.True(t, f.auditHas(h.id, "receipt_email"), "the change is in the audit trail")

	p, ref := h.pay()
	require.Equal(t, 200, f.notify(event("ev-receipt", payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
	h.waitState("key_pending")
	receipt := h.lastMessageWith("buh@example.ru", "Оплата получена")
	assert.Contains(t, receipt, "Заявление № "+v.Number)
	assert.Regexp(t, `Дата оплаты: \d{1,2} [а-я]+ 20\d\d г\., \d\d:\d\d \(МСК\)`, receipt)
	assert.Empty(t, h.lastMessageWith(h.email, "Оплата получена"), "not to the contact e-mail")

	// Once the receipt is sent, the address is no longer the payment's to
	// change.
	status, e := h.call("PUT", "/api/v1/renewal/receipt-email", wire.ReceiptEmail{Email: "late@example.ru"}, nil)
	assert.Equal(t, 409, status, e.Code)

	_, csr := h.newRequest()
	h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, nil)
	h.waitState("issued")
	h.must("GET", "/api/v1/renewal", nil, &v)
	require.Regexp(t, actNumberRE, v.ActNumber)

	var pdf []byte
	h.must("GET", "/api/v1/renewal/act.pdf", nil, &pdf)
	act := strings.Join(strings.Fields(pdftotext(t, pdf)), " ")
	assert.Contains(t, act, v.ActNumber)
	assert.Contains(t, act, "заявление № "+v.Number)
	assert.NotContains(t, act, h.id, "the act names numbers, not the id")
	h.must("GET", "/api/v1/renewal/upd.pdf", nil, &pdf)
	upd := strings.Join(strings.Fields(pdftotext(t, pdf)), " ")
	assert.Contains(t, upd, "У"+strings.TrimPrefix(v.ActNumber, "A"), "the УПД: the same closing document's number")

	issued := h.lastMessageWith(h.email, "Сертификат выпущен")
	assert.Contains(t, issued, "заявление № "+v.Number)
	assert.Regexp(t, `Действителен до: \d{1,2} [а-я]+ 20\d\d г\.`, issued)
}

// lastMessageWith is the newest message to a destination whose subject
// or body contains s, or "".
func (h *holder) lastMessageWith(to, s string) string {
	h.f.t.Helper()
	var msgs []OutboxMessage
	h.must("GET", "/dev/api/outbox", nil, &msgs)
	for _, m := range msgs { // newest first
		if m.To == to && m.ApplicationID == h.id && (strings.Contains(m.Subject, s) || strings.Contains(m.Body, s)) {
			return m.Subject + "\n" + m.Body
		}
	}
	return ""
}
