package api

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
)

// smirnovData is the demo ru-owner's data as the register holds it.
var smirnovData = wire.PersonalData{
	PassportSeries: "4510", PassportNumber: "123456", PassportIssued: "2015-06-01",
	SNILS: "693-849-373 75", INN: "771952685970",
}

// withPassportNumber is smirnovData with a typo in the passport's number.
func withPassportNumber(n string) wire.PersonalData {
	d := smirnovData
	d.PassportNumber = n
	return d
}

// toPersonalData opens a Russian owner's application at the data step.
func (f *flow) toPersonalData(phone, email string) *holder {
	f.t.Helper()
	h := f.holder("ru-owner", phone, email)
	h.start("ru-owner")
	status, e := h.prove()
	require.Less(f.t, status, 300, e.MessageEN)
	h.acceptTerms()
	require.Equal(f.t, "terms_accepted", h.state())
	return h
}

// mailsTo counts the application's messages to one address (the holder's
// phone notice, a job of its own, may come at any time).
func (h *holder) mailsTo(to string) int {
	h.f.t.Helper()
	var msgs []OutboxMessage
	h.must("GET", "/dev/api/outbox", nil, &msgs)
	n := 0
	for _, m := range msgs {
		if m.ApplicationID == h.id && m.To == to {
			n++
		}
	}
	return n
}

func count(list []string, v string) int {
	n := 0
	for _, s := range list {
		if s == v {
			n++
		}
	}
	return n
}

// TestFlowPassportTypoCorrected: a passport the register does not find
// sends the holder back to the data step with the fields to mark and
// every other answer kept, audited without the values and with no
// e-mail; the corrected data are checked again and pass.
func TestFlowPassportTypoCorrected(t *testing.T) {
	f := newFlow(t)
	h := f.toPersonalData("+79000001301", "typo@example.ru")
	mails := h.mailsTo(h.email)

	h.must("POST", "/api/v1/renewal/personal-data", withPassportNumber("123465"), nil)
	h.waitState("terms_accepted")
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	assert.Nil(t, v.Rejection, "not rejected")
	require.NotNil(t, v.Correction)
	assert.Equal(t, "passport_mismatch", v.Correction.Code)
	assert.Equal(t, []string{"passport_series", "passport_number"}, v.Correction.Fields)
	assert.Contains(t, v.Correction.RU, "Проверьте серию и номер")
	assert.NotEmpty(t, v.Correction.EN)
	assert.Equal(t, 2, v.Correction.Remaining)
	require.NotNil(t, v.PersonalData, "the values last entered come back to the proven session")
	assert.Equal(t, wire.PersonalData{PassportSeries: "4510", PassportNumber: "123465", PassportIssued: "2015-06-01",
		SNILS: "69384937375", INN: "771952685970"}, *v.PersonalData)
	require.NotNil(t, v.Check)
	assert.Equal(t, "failed", v.Check.Status)
	assert.Equal(t, mails, h.mailsTo(h.email), "the person is on the page: no e-mail")

	kinds := f.auditKinds(h.id)
	assert.Equal(t, 1, count(kinds, "transition:check_correctable"))
	assert.Zero(t, count(kinds, "transition:check_failed"))
	rows, err := f.st.AuditForApplication(context.Background(), h.id)
	require.NoError(t, err)
	for _, r := range rows {
		assert.NotContains(t, r.Data, "123465", "audit %s keeps no passport", r.Kind)
	}

	// Another browser of the same person, not proven, sees no data.
	other := h.otherBrowser()
	if status, _ := other.call("GET", "/api/v1/renewal", nil, &v); status < 300 {
		assert.Nil(t, v.PersonalData)
	}

	h.must("POST", "/api/v1/renewal/personal-data", smirnovData, nil)
	h.waitState("verified")
	v = wire.Renewal{}
	h.must("GET", "/api/v1/renewal", nil, &v)
	assert.Nil(t, v.Correction, "shown only at the data step")
	assert.Nil(t, v.PersonalData)
	assert.Equal(t, "passed", v.Check.Status)
	kinds = f.auditKinds(h.id)
	assert.Equal(t, 2, count(kinds, "transition:check_started"), "checked again")
	assert.Equal(t, 1, count(kinds, "transition:check_passed"))
	h.signApplication()
	assert.Equal(t, "awaiting_payment", h.state())
}

// TestFlowCorrectionsLimited: three corrections are allowed; the fourth
// correctable refusal ends the application, saying why and what to do,
// told by e-mail.
func TestFlowCorrectionsLimited(t *testing.T) {
	f := newFlow(t)
	h := f.toPersonalData("+79000001302", "guess@example.ru")
	var v wire.Renewal
	for i, n := range []string{"000001", "000002", "000003"} {
		h.must("POST", "/api/v1/renewal/personal-data", withPassportNumber(n), nil)
		h.waitState("terms_accepted")
		h.must("GET", "/api/v1/renewal", nil, &v)
		require.NotNil(t, v.Correction)
		assert.Equal(t, 2-i, v.Correction.Remaining)
	}
	h.must("POST", "/api/v1/renewal/personal-data", withPassportNumber("000004"), nil)
	h.waitState("rejected")
	v = wire.Renewal{}
	h.must("GET", "/api/v1/renewal", nil, &v)
	assert.Nil(t, v.Correction)
	require.NotNil(t, v.Rejection)
	assert.Equal(t, "corrections_exhausted", v.Rejection.Code)
	assert.Contains(t, v.Rejection.RU, "лично")
	assert.Contains(t, v.Rejection.EN, "in person")
	assert.Contains(t, h.lastMessage(h.email), "лично")
	kinds := f.auditKinds(h.id)
	assert.Equal(t, 3, count(kinds, "transition:check_correctable"))
	assert.Equal(t, 1, count(kinds, "transition:check_failed"))
	assert.Equal(t, 4, count(kinds, "transition:check_started"))

	status, e := h.call("POST", "/api/v1/renewal/personal-data", smirnovData, nil)
	assert.Equal(t, 409, status, "closed for good")
	assert.Equal(t, "wrong_state", e.Code)
}

// TestFlowDefinitiveVerdict: a passport the register lists as invalid,
// and an organisation it does not know, end the application at once.
func TestFlowDefinitiveVerdict(t *testing.T) {
	f := newFlow(t)
	h := f.toPersonalData("+79000001303", "lost@example.ru")
	d := smirnovData
	d.PassportSeries, d.PassportNumber = "4500", "000001"
	h.must("POST", "/api/v1/renewal/personal-data", d, nil)
	h.waitState("rejected")
	var v wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &v)
	assert.Nil(t, v.Correction)
	require.NotNil(t, v.Rejection)
	assert.Equal(t, "passport_invalid", v.Rejection.Code)
	kinds := f.auditKinds(h.id)
	assert.Zero(t, count(kinds, "transition:check_correctable"))
	assert.Equal(t, 1, count(kinds, "transition:check_failed"))
}

// TestFlowPassportIssuedDate: the date of issue is read as YYYY-MM-DD or
// DD.MM.YYYY; one in the future or before passports of the current form
// (01.10.1997) is refused with its own code, for the field to be
// marked, and changes nothing.
func TestFlowPassportIssuedDate(t *testing.T) {
	f := newFlow(t)
	h := f.toPersonalData("+79000001304", "date@example.ru")
	for _, c := range []struct{ name, date string }{
		{"fail/future", "2099-01-01"},
		{"fail/before-current-form", "30.09.1997"},
		{"fail/no-such-day", "31.02.2015"},
		{"fail/words", "June 2015"},
		{"fail/empty", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := smirnovData
			d.PassportIssued = c.date
			status, e := h.call("POST", "/api/v1/renewal/personal-data", d, nil)
			assert.Equal(t, 400, status)
			assert.Equal(t, "invalid_passport_issued", e.Code)
			assert.NotEmpty(t, e.MessageRU)
			assert.NotEmpty(t, e.MessageEN)
			assert.Equal(t, "terms_accepted", h.state())
		})
	}
	assert.Zero(t, count(f.auditKinds(h.id), "transition:data_entered"), "nothing written")
	t.Run("ok/day-month-year", func(t *testing.T) {
		d := smirnovData
		d.PassportIssued = "01.06.2015"
		h.must("POST", "/api/v1/renewal/personal-data", d, nil)
		h.waitState("verified")
	})
}

// TestFlowRelease: a browser lets go of its closed application and can
// start another; an open one is not let go.
func TestFlowRelease(t *testing.T) {
	f := newFlow(t)
	h := f.toPersonalData("+79000001305", "again@example.ru")
	status, e := h.call("POST", "/api/v1/renewal/release", nil, nil)
	assert.Equal(t, 409, status, "an open application stays with its browser")
	assert.Equal(t, "wrong_state", e.Code)
	assert.Equal(t, "terms_accepted", h.state())

	h.must("POST", "/api/v1/renewal/cancel", nil, nil)
	first := h.id
	status, _ = h.call("POST", "/api/v1/renewal/release", nil, nil)
	require.Equal(t, 204, status)
	assert.Empty(t, h.cookie, "the cookie is cleared")
	assert.True(t, f.auditHas(first, "session_released"))

	h.cookie = "" // and even the old cookie's session is gone:
	status, e = h.call("GET", "/api/v1/renewal", nil, nil)
	assert.Equal(t, 401, status)
	assert.Equal(t, "no_session", e.Code)

	h.start("ru-owner")
	assert.NotEqual(t, first, h.id, "a new application")
	assert.Equal(t, "contacts_verified", h.state())
}

// TestFlowReleaseRevokesTheOldCookie: the released session's cookie no
// longer opens the application.
func TestFlowReleaseRevokesTheOldCookie(t *testing.T) {
	f := newFlow(t)
	h := f.toPersonalData("+79000001306", "old@example.ru")
	h.must("POST", "/api/v1/renewal/cancel", nil, nil)
	old := h.cookie
	status, _ := h.call("POST", "/api/v1/renewal/release", nil, nil)
	require.Equal(t, 204, status)
	h.cookie = old
	status, e := h.call("GET", "/api/v1/renewal", nil, nil)
	assert.Equal(t, 401, status)
	assert.Equal(t, "no_session", e.Code)
	assert.True(t, slices.ContainsFunc(f.auditKinds(h.id), func(k string) bool { return strings.HasPrefix(k, "session_") }))
}
