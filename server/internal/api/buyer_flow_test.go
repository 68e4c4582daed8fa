package api

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
)

// toRussiaPayment drives "Я владелец" for the demo entrepreneur Смирнов,
// whose certificate carries an ОГРНИП, to awaiting_payment.
func (f *flow) toRussiaPayment(phone, email string) *holder {
	f.t.Helper()
	h := f.holder("ru-owner", phone, email)
	h.start("ru-owner")
	status, e := h.prove()
	require.Less(f.t, status, 300, e.MessageEN)
	h.acceptTerms()
	h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{
		PassportSeries: "4510", PassportNumber: "123456", PassportIssued: "2015-06-01",
		SNILS: "693-849-373 75", INN: "771952685970",
	}, nil)
	h.waitState("verified")
	h.signApplication()
	require.Equal(f.t, "awaiting_payment", h.state())
	return h
}

// TestInvoiceMadeOutToEntrepreneur: the invoice of an ИП's renewal names
// the business (ИП, ОГРНИП, personal ИНН) so that he can account for it,
// and the seller's bank details, the correspondent account included, are
// there whole.
func TestInvoiceMadeOutToEntrepreneur(t *testing.T) {
	f := newFlow(t)
	h := f.toRussiaPayment("+79000000401", "ip-invoice@example.ru")
	ogrnip := ""
	for _, n := range h.cert.Subject.Names {
		if n.Type.String() == "1.2.643.100.5" {
			ogrnip, _ = n.Value.(string)
		}
	}
	require.Equal(t, "318774611964131", ogrnip, "the precondition: the certificate names the ИП")

	var v wire.Renewal
	h.must("POST", "/api/v1/renewal/payment", wire.PaymentStart{Method: "invoice"}, &v)
	require.NotNil(t, v.Payment)
	var pdf []byte
	h.must("GET", "/api/v1/renewal/invoice.pdf", nil, &pdf)
	text := strings.Join(strings.Fields(pdftotext(t, pdf)), " ")
	assert.Contains(t, text, "ИП Смирнов Алексей Викторович, ИНН 771952685970, ОГРНИП 318774611964131")
	for _, v := range []string{"044525000", "30101810400000000225", v.Payment.InvoiceNumber} {
		assert.Contains(t, text, v)
	}
}
