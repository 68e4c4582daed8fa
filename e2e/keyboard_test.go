package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWizardKeyboardOnly: the Russian owner renews with the keyboard
// alone: Tab to each control, typing, Enter on buttons and links, Space on
// check boxes and keys over the entropy area; only the .p12 file is
// chosen with the upload helper (a file dialog is the browser's, not the
// page's). The focus follows the wizard: each new step starts with the
// focus on its heading, so the next Tab goes into the step.
func TestWizardKeyboardOnly(t *testing.T) {
	owner := demoP12(t, "ru-owner")
	tb := newWizardTab(t)

	tb.open("/", "home")
	tb.keyTo("#service-ru-owner")
	tb.press("\r")
	tb.waitScreen("service")
	tb.keyTo("#start")
	tb.press("\r")
	tb.waitStep("contacts")
	tb.step("contacts")

	tb.keyType("#phone", "+79000000251")
	tb.keyType("#email", "keyboard@example.ru")
	tb.keyTo("#send-codes")
	tb.press("\r")
	tb.waitStep("codes")
	tb.focusOnHeading("codes")
	appID := tb.renewal().ID
	tb.keyType("#sms-code", sentCode(t, appID, "sms"))
	tb.keyType("#email-code", sentCode(t, appID, "email"))
	tb.keyTo("#check-codes")
	tb.press("\r")

	tb.waitStep("certificate")
	tb.focusOnHeading("certificate")
	tb.upload("p12-file", owner.File)
	tb.keyType("#p12-password", owner.Password)
	tb.keyTo("#open-key")
	tb.press("\r")
	tb.waitFor(`document.querySelector('#cert-card #cert-name') !== null`)
	tb.keyTo("#cert-confirm")
	tb.press("\r")

	tb.waitStep("tariff")
	tb.waitFor(`document.querySelector('#step-tariff input[type=radio]:checked') !== null`)
	tb.keyTo("#choose-tariff")
	tb.press("\r")
	tb.waitStep("terms")
	tb.waitFor(`document.querySelectorAll('#step-terms input[type=checkbox]').length > 0`)
	for _, id := range eval[[]string](tb, `[...document.querySelectorAll('#step-terms input[type=checkbox]')].map(e => e.id)`) {
		require.NotEmpty(t, id, "a check box without an id")
		tb.keyTo("#" + id)
		tb.press(" ")
		require.True(t, eval[bool](tb, fmt.Sprintf(`document.getElementById(%q).checked`, id)), "Space ticks %s", id)
	}
	tb.keyTo("#accept-terms")
	tb.press("\r")

	tb.waitStep("personal")
	tb.focusOnHeading("personal")
	tb.keyType("#passport-series", "4510")
	tb.keyType("#passport-number", "123456")
	// A date field takes the digits in the browser's own order (en-US
	// here: month, day, year); a text field the date as it is written.
	date := "01.06.2015"
	if eval[string](tb, `document.getElementById('passport-issued').type`) == "date" {
		date = "06012015"
	}
	tb.keyType("#passport-issued", date)
	tb.keyType("#snils", "693-849-373 75")
	tb.keyType("#inn", "771952685970")
	tb.keyTo("#send-data")
	tb.press("\r")

	tb.waitStep("check")
	tb.waitStep("application")
	tb.waitFor(`document.getElementById('sign-application') !== null`)
	tb.keyTo("#sign-application")
	tb.press("\r")

	tb.waitStep("payment")
	tb.keyTo("#pay-card")
	tb.press("\r")
	tb.waitAcross(`location.pathname.startsWith('/sandbox/pay/') && document.readyState === 'complete' && document.getElementById('card') !== null`)
	tb.keyType("#card", "4111 1111 1111 1111")
	tb.keyType("#exp", "12/30")
	tb.keyType("#cvc", "123")
	tb.press("\r") // submits the card form from its last field
	tb.waitAcross(`document.readyState === 'complete' && document.getElementById('card') === null && document.querySelector('p.back a') !== null`)
	tb.keyTo("p.back a")
	tb.press("\r")

	tb.waitAcross(`location.pathname === '/renew'`)
	tb.waitStep("key")
	tb.keyTo("#entropy")
	for i := 0; !eval[bool](tb, `!document.getElementById('generate-key').disabled`); i++ {
		require.Less(t, i, 400, "key presses over the entropy area did not fill it: %s",
			eval[string](tb, `document.getElementById('entropy-bar').getAttribute('aria-label')`))
		tb.press(string(rune('a' + i%26)))
	}
	tb.keyTo("#generate-key")
	tb.press("\r")

	tb.waitStep("issued")
	tb.keyTo("#form-read")
	tb.press(" ")
	tb.keyTo("#acknowledge")
	tb.press("\r")
	tb.waitStep("save")
	// A GOST key goes to a file: its password, typed twice, by keyboard.
	tb.keyTo("#file-password")
	tb.press(filePassword)
	tb.keyTo("#file-password-repeat")
	tb.press(filePassword)
	tb.keyTo("#save")
	tb.press("\r")
	tb.waitDelivered()
	checkRenewed(t, tb, owner.certificate(t))
}

// press sends keys to the focused element, as a person's keyboard does.
func (tb *tab) press(keys string) {
	tb.t.Helper()
	tb.do(chromedp.KeyEvent(keys))
}

// keyTo presses Tab until the element at sel has the focus: it fails if
// the element cannot be reached from where the focus is within a screen's
// worth of Tabs (the document's end brings the focus round to the start).
func (tb *tab) keyTo(sel string) {
	tb.t.Helper()
	tb.waitFor(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e !== null && !e.disabled; })()`, sel))
	focused := fmt.Sprintf(`document.activeElement !== null && document.activeElement.matches(%q)`, sel)
	var path []string
	for range 80 {
		if eval[bool](tb, focused) {
			return
		}
		tb.press("\t")
		path = append(path, eval[string](tb, `(() => { const e = document.activeElement; return e === null ? '' : e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''); })()`))
	}
	tb.t.Fatalf("Tab does not reach %s; it went through %s", sel, strings.Join(path, " "))
}

// keyType tabs to a field and types into it.
func (tb *tab) keyType(sel, text string) {
	tb.t.Helper()
	tb.keyTo(sel)
	tb.press(text)
}

// focusOnHeading checks that a new step put the focus on its heading.
func (tb *tab) focusOnHeading(step string) {
	tb.t.Helper()
	assert.True(tb.t, eval[bool](tb, fmt.Sprintf(`document.activeElement !== null && document.activeElement.matches('#step-%s h1')`, step)),
		"the focus is on %s, not on the heading of step %s", eval[string](tb, `document.activeElement === null ? 'nothing' : document.activeElement.outerHTML.slice(0, 80)`), step)
}

// TestWizardRefusalTakesFocus: a refused answer puts the focus on the
// refusal (role=alert), not on the document: the button pressed was
// disabled while the request ran and lost it.
func TestWizardRefusalTakesFocus(t *testing.T) {
	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	tb.keyType("#phone", "+7 12")
	tb.keyType("#email", "refusal@example.ru")
	tb.press("\r")
	tb.problem("contacts")
	tb.step("refused")
	assert.Equal(t, "alert", eval[string](tb, `document.querySelector('#step-contacts .problem').getAttribute('role')`))
	assert.True(t, eval[bool](tb, `document.activeElement !== null && document.activeElement.matches('#step-contacts .problem, #step-contacts [aria-invalid=true]')`),
		"the focus is on %s", eval[string](tb, `document.activeElement === null ? 'nothing' : document.activeElement.outerHTML.slice(0, 80)`))
}
