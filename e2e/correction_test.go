package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fieldMark is how the data step shows one field: its value, whether it
// is marked invalid, and the text it is described by.
type fieldMark struct {
	Value, Invalid, DescribedBy, Error string
}

func (tb *tab) fieldMark(id string) fieldMark {
	tb.t.Helper()
	return eval[fieldMark](tb, `(() => {
		const e = document.getElementById(`+jsString(id)+`);
		const d = e.getAttribute('aria-describedby') || '';
		const err = d === '' ? null : document.getElementById(d.split(' ')[0]);
		return {Value: e.value, Invalid: e.getAttribute('aria-invalid') || '', DescribedBy: d, Error: err === null ? '' : err.textContent};
	})()`)
}

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// checkCorrection: the data step is back with the register's reason at
// the top (role=alert), the passport's fields marked and described,
// every other answer kept.
func checkCorrection(t *testing.T, tb *tab) {
	t.Helper()
	tb.waitStep("personal")
	alert := tb.shownText(`#step-personal #correction[role=alert]`)
	assert.Contains(t, alert, "Проверьте серию и номер")
	for _, id := range []string{"passport-series", "passport-number"} {
		m := tb.fieldMark(id)
		assert.Equal(t, "true", m.Invalid, id)
		assert.Equal(t, id+"-error", m.DescribedBy, id)
		assert.Contains(t, m.Error, "реестр его не нашёл", id)
	}
	assert.Equal(t, "123465", tb.fieldMark("passport-number").Value, "the typo is shown to be fixed")
	for id, want := range map[string]string{"passport-series": "4510", "passport-issued": "01.06.2015", "snils": "693-849-373 75", "inn": "771952685970"} {
		m := tb.fieldMark(id)
		assert.Equal(t, want, m.Value, "%s kept", id)
		if id != "passport-series" {
			assert.NotEqual(t, "true", m.Invalid, "%s not marked", id)
		}
	}
	// The step bar: the data check is the current stage, nothing after it done.
	assert.Equal(t, "current", eval[string](tb, `document.querySelector('.progress li[aria-current=step]').className`))
	assert.Zero(t, eval[int](tb, `[...document.querySelectorAll('.progress li')].slice(4).filter(li => li.classList.contains('done')).length`))
}

// TestWizardPassportTypoCorrected: a typo in the passport number brings
// the person back to the data step with the field marked and the rest
// kept; a reload keeps the marks; he fixes it and finishes the renewal.
// The end screen says what comes next, and "Renew another certificate"
// starts a new application in the same browser.
//
// It runs on a 360 px phone screen: the alert, the marks and the end
// screen fit it (tb.step checks every step for horizontal overflow).
func TestWizardPassportTypoCorrected(t *testing.T) {
	owner := demoP12(t, "ru-owner")
	tb := newWizardTab(t)
	tb.narrow()

	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000001401", "typo@example.ru")
	tb.codes(appID)
	tb.openKey(owner.File, owner.Password)
	tb.tariffAndTerms()

	tb.typeInto("passport-series", "4510")
	tb.typeInto("passport-number", "123465") // two digits swapped
	tb.typeInto("passport-issued", "01.06.2015")
	tb.typeInto("snils", "693-849-373 75")
	tb.typeInto("inn", "771952685970")
	tb.step("personal-typo")
	tb.click("send-data")
	tb.waitStep("check")

	checkCorrection(t, tb)
	alertLeft := tb.shownText("#correction")
	tb.step("personal-correction")
	assert.Equal(t, "passport-series", eval[string](tb, `document.activeElement.id`), "the focus is on the first marked field")

	tb.reloadKeeps("personal")
	checkCorrection(t, tb)

	tb.setInput("passport-number", "123456")
	tb.waitFor(`document.getElementById('passport-number').getAttribute('aria-invalid') !== 'true'`)
	assert.NotEqual(t, "true", tb.fieldMark("passport-number").Invalid, "a changed field loses its mark")
	tb.click("send-data")
	tb.waitStep("check")
	tb.waitStep("application")
	// The reload at the correction may have forgotten the current key
	// (the step then asks for it and signs at once).
	tb.waitFor(`document.querySelector('#sign-application, #step-application #key-picker') !== null`)
	if eval[bool](tb, `document.getElementById('sign-application') !== null`) {
		tb.click("sign-application")
	} else {
		tb.openKey(owner.File, owner.Password)
	}
	tb.waitStep("payment")

	tb.click("pay-card")
	tb.waitAcross(`location.pathname.startsWith('/sandbox/pay/') && document.readyState === 'complete' && document.getElementById('card') !== null`)
	tb.typeInto("card", "4111 1111 1111 1111")
	tb.typeInto("exp", "12/30")
	tb.typeInto("cvc", "123")
	tb.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	tb.waitAcross(`document.readyState === 'complete' && document.getElementById('card') === null && document.querySelector('p.back a') !== null`)
	tb.do(chromedp.Click(chromedp.CSS(`p.back a`)))
	tb.waitAcross(`location.pathname === '/renew'`)
	tb.waitStep("key")
	tb.fillEntropy()
	tb.click("generate-key")
	tb.waitStep("issued")
	tb.acknowledgeAndSave()

	// What comes next: the GOST key in the file just saved, the old
	// certificate revoked as superseded, and when to renew again.
	next := tb.shownText("#step-end #what-next")
	assert.Contains(t, next, "в файле .p12")
	old := strings.ToUpper(owner.certificate(t).SerialNumber.Text(16))
	assert.Contains(t, strings.ReplaceAll(next, " ", ""), old, "names the replaced certificate")
	assert.Contains(t, next, "отозван")
	// A certificate issued remotely is not renewed remotely again in
	// Russia: the page says so instead of offering the window.
	assert.Contains(t, tb.shownText("#next-renew"), "с личной идентификацией")
	assert.Contains(t, alertLeft, "ещё 2 раза")
	tb.reloadKeeps("end")
	// The same after a reload (the tab forgot its choice; the server
	// recorded the carrier).
	tb.waitFor(`(document.getElementById('next-key') || {textContent: ''}).textContent.includes('в файле .p12')`)

	tb.click("renew-another")
	tb.waitScreen("home")
	status := evalAsync[int](tb, `fetch('/api/v1/renewal', {credentials: 'same-origin'}).then(r => r.status)`)
	assert.Equal(t, 401, status, "the closed application is let go")
	tb.do(chromedp.Click(chromedp.ID("service-ru-owner")))
	tb.waitScreen("service")
	tb.click("start")
	tb.waitStep("contacts")
	second := tb.contacts("+79000001402", "again@example.ru")
	require.NotEmpty(t, second)
	assert.NotEqual(t, appID, second, "a new application")
}

// TestWizardDefinitiveRefusalSaysWhatToDo: a passport the register
// lists as invalid ends the application at once; the end screen says to
// come in person with which documents, and the step bar stops at the
// data check.
func TestWizardDefinitiveRefusalSaysWhatToDo(t *testing.T) {
	owner := demoP12(t, "ru-owner")
	tb := newWizardTab(t)

	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000001403", "invalid@example.ru")
	tb.codes(appID)
	tb.openKey(owner.File, owner.Password)
	tb.tariffAndTerms()
	tb.typeInto("passport-series", "4500")
	tb.typeInto("passport-number", "000001") // reported lost
	tb.typeInto("passport-issued", "01.06.2015")
	tb.typeInto("snils", "693-849-373 75")
	tb.typeInto("inn", "771952685970")
	tb.click("send-data")
	tb.waitStep("end")
	tb.step("rejected")
	assert.Contains(t, tb.shownText("#step-end #reason"), "недействительным")
	inPerson := tb.shownText("#step-end #in-person")
	assert.Contains(t, inPerson, "лично")
	assert.Contains(t, inPerson, "СНИЛС")
	assert.Contains(t, tb.shownText(".progress li.stopped"), "Проверка", "stopped at the data check")
	assert.Zero(t, eval[int](tb, `[...document.querySelectorAll('.progress li')].slice(4).filter(li => li.classList.contains('done')).length`),
		"no later stage is done")
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('#correction').length`))
}

// TestWizardPassportDateChecked: the date of issue is written out as
// ДД.ММ.ГГГГ; a date in the future is refused under the field, before
// anything is sent.
func TestWizardPassportDateChecked(t *testing.T) {
	owner := demoP12(t, "ru-owner")
	tb := newWizardTab(t)

	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000001404", "date@example.ru")
	tb.codes(appID)
	tb.openKey(owner.File, owner.Password)
	tb.tariffAndTerms()
	assert.Equal(t, "text", eval[string](tb, `document.getElementById('passport-issued').type`), "not the browser's date picker")
	assert.Contains(t, tb.text(`label[for=passport-issued]`), "ДД.ММ.ГГГГ")
	tb.typeInto("passport-series", "4510")
	tb.typeInto("passport-number", "123456")
	tb.typeInto("passport-issued", "01.06.2099")
	tb.typeInto("snils", "693-849-373 75")
	tb.typeInto("inn", "771952685970")
	sent := tb.requested("/api/v1/renewal/personal-data")
	tb.click("send-data")
	tb.waitFor(`document.getElementById('passport-issued').getAttribute('aria-invalid') === 'true'`)
	m := tb.fieldMark("passport-issued")
	assert.Equal(t, "true", m.Invalid)
	assert.Contains(t, m.Error, "не может быть позже")
	assert.Equal(t, "passport-issued", eval[string](tb, `document.activeElement.id`))
	assert.Equal(t, sent, tb.requested("/api/v1/renewal/personal-data"), "nothing sent")
	tb.step("personal-date-refused")
}
