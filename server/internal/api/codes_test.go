package api

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
)

// TestCodesRightOneKept: a right e-mail code sent with a wrong SMS code
// verifies the e-mail; the SMS code is refused naming the SMS and the
// tries left for it (2, then 1), each try audited; the right SMS code,
// sent alone, then completes the step.
func TestCodesRightOneKept(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+79000013001", "codes13@example.ru")
	h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
	sms, email := h.code(h.phone), h.code(h.email)
	wrong := "000000"
	if sms == wrong {
		wrong = "111111"
	}

	status, e := h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: wrong, EmailCode: email}, nil)
	refusedWith(t, status, e, 400, "code_wrong")
	assert.Equal(t, "Неверный код из СМС. Осталось попыток для этого кода: 2.", e.MessageRU)
	assert.Equal(t, "Wrong SMS code. Attempts left for this code: 2.", e.MessageEN)
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	assert.True(t, v.EmailVerified, "the right e-mail code is kept")
	assert.False(t, v.PhoneVerified)
	assert.Equal(t, "started", v.State)

	status, e = h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: wrong}, nil)
	refusedWith(t, status, e, 400, "code_wrong")
	assert.Equal(t, "Wrong SMS code. Attempts left for this code: 1.", e.MessageEN)

	events, err := f.st.AuditForApplication(context.Background(), h.id)
	require.NoError(t, err)
	var tries []string
	for _, ev := range events {
		if ev.Kind == "refused:code_wrong" {
			tries = append(tries, ev.Data)
		}
	}
	require.Len(t, tries, 2, "each wrong try is audited")
	for _, d := range tries {
		assert.True(t, strings.Contains(d, `"channel":"sms"`), d)
	}

	h.must("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: sms}, nil)
	assert.Equal(t, "contacts_verified", h.state(), "the right SMS code completes the step")
}

// TestCodesWrongEmailNamed: the e-mail's wrong code is named as the
// e-mail's, its tries counted apart from the SMS's; the right SMS code
// sent with it is kept. Two wrong codes at once are both counted and
// both named.
func TestCodesWrongEmailNamed(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+79000013002", "codes13b@example.ru")
	h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
	sms, email := h.code(h.phone), h.code(h.email)
	wrongSMS, wrongEmail := "000000", "000000"
	if sms == wrongSMS {
		wrongSMS = "111111"
	}
	if email == wrongEmail {
		wrongEmail = "111111"
	}

	status, e := h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: wrongSMS, EmailCode: wrongEmail}, nil)
	refusedWith(t, status, e, 400, "code_wrong")
	assert.Equal(t, "Wrong SMS code. Attempts left for this code: 2. Wrong e-mail code. Attempts left for this code: 2.", e.MessageEN)

	status, e = h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: sms, EmailCode: wrongEmail}, nil)
	refusedWith(t, status, e, 400, "code_wrong")
	assert.Equal(t, "Неверный код из письма. Осталось попыток для этого кода: 1.", e.MessageRU)
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	assert.True(t, v.PhoneVerified, "the right SMS code is kept")
	assert.False(t, v.EmailVerified)

	status, e = h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{EmailCode: wrongEmail}, nil)
	refusedWith(t, status, e, 400, "code_voided")
	assert.Contains(t, e.MessageEN, "e-mail code", "the voided code is named too")
	status, e = h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{EmailCode: email}, nil)
	refusedWith(t, status, e, 400, "code_voided")
	assert.Equal(t, "started", h.state())
}
