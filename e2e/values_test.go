package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// People's values (issue 13): what a person reads is a number he can say
// aloud, a date in his language and zone, a formatted identifier and a
// name, never a machine value.

var applicationNumber = regexp.MustCompile(`^20[0-9]{2}-[0-9]{6,}$`)

// valuesView is the part of the application the tests compare with the
// page.
type valuesView struct {
	ID           string `json:"id"`
	Number       string `json:"number"`
	ReceiptEmail string `json:"receipt_email"`
	Email        string `json:"email"`
}

func (tb *tab) values() valuesView {
	tb.t.Helper()
	raw := evalAsync[string](tb, `fetch('/api/v1/renewal', {credentials: 'same-origin'}).then(r => r.text())`)
	var v valuesView
	require.NoError(tb.t, json.Unmarshal([]byte(raw), &v), raw)
	return v
}

// pdfText is a PDF's text as pdftotext reads it, spaces folded.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(file, pdf, 0o644))
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").CombinedOutput()
	require.NoError(t, err, string(out))
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestValuesOwnerWizard: the Russian owner sees his application's number
// and date (Moscow time) on every step that has one, the full service
// name instead of "Я владелец", his СНИЛС formatted on the certificate's
// card and in the application PDF; on the payment step the method chosen
// is marked (also after a reload), and a receipt e-mail changed there is
// checked by the server and is where the receipt goes.
func TestValuesOwnerWizard(t *testing.T) {
	owner := demoP12(t, "ru-owner")
	tb := newWizardTab(t)
	tb.narrow() // every step checked for horizontal overflow at 360 px
	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000411", "values-owner@example.ru")
	tb.codes(appID)

	// The certificate's card shows the СНИЛС as people write it.
	tb.upload("p12-file", owner.File)
	tb.typeInto("p12-password", owner.Password)
	tb.click("open-key")
	tb.waitFor(`document.querySelector('#cert-card #cert-name') !== null`)
	assert.Contains(t, tb.text("#cert-card"), "693-849-373 75")
	tb.click("cert-confirm")

	tb.waitStep("tariff")
	v := tb.values()
	require.Regexp(t, applicationNumber, v.Number, "the application's number is readable")
	assert.NotEqual(t, v.ID, v.Number)
	assert.Equal(t, v.Number, strings.TrimSpace(tb.shownText("#application-number")))
	assert.Contains(t, tb.text("#application-date"), "(МСК)", "the time is Moscow's")
	assert.Regexp(t, `^\d{1,2} [а-я]+ 20\d\d г\., \d\d:\d\d \(МСК\)$`, tb.text("#application-date"))
	service := tb.text("#application-service")
	assert.Contains(t, service, "Продление квалифицированного сертификата")
	assert.NotContains(t, service, "Я владелец")
	tb.step("values-tariff")

	tb.tariffAndTerms()
	tb.fillRussianOwner()
	tb.signApplication()

	// The application PDF: its number, the service's full name, the
	// identifiers formatted, Moscow time.
	app := pdfText(t, tb.fetchBytes("/api/v1/renewal/application.pdf"))
	assert.Contains(t, app, "Заявление № "+v.Number)
	assert.Contains(t, app, "693-849-373 75")
	assert.Contains(t, app, "45 10 123456, выдан 1 июня 2015 г.")
	assert.Contains(t, app, "без посещения удостоверяющего центра")
	assert.NotContains(t, app, "Я владелец")
	assert.NotContains(t, app, "UTC")
	assert.Contains(t, app, "(МСК)")

	// The payment step names the number and where the receipt goes.
	assert.Equal(t, v.Number, strings.TrimSpace(tb.shownText("#step-payment #application-number")))
	assert.Equal(t, "values-owner@example.ru", tb.text("#receipt-to"), "by default the verified contact e-mail")

	// A wrong address is refused by the server and changes nothing.
	tb.click("receipt-change")
	tb.waitFor(`document.getElementById('receipt-email') !== null`)
	tb.setInput("receipt-email", "not an address")
	tb.click("receipt-save")
	assert.NotEmpty(t, tb.problem("payment"))
	assert.Equal(t, "values-owner@example.ru", tb.values().ReceiptEmail)
	tb.waitFor(`document.getElementById('receipt-email') !== null`)
	tb.setInput("receipt-email", "Buh@Example.RU")
	tb.click("receipt-save")
	tb.waitFor(`(() => { const e = document.getElementById('receipt-to'); return e !== null && e.textContent === 'Buh@example.ru'; })()`)
	assert.Equal(t, "Buh@example.ru", tb.values().ReceiptEmail, "kept by the server, its domain normalised")
	tb.step("values-receipt")
	tb.click("receipt-change")
	tb.waitFor(`document.getElementById('receipt-email') !== null`)
	tb.step("values-receipt-form")
	tb.setInput("receipt-email", "Buh@example.ru")
	tb.click("receipt-save")
	tb.waitFor(`document.getElementById('receipt-to') !== null`)

	// The chosen method is marked, with a mark and for assistive
	// technology, and stays marked after a reload.
	assert.Equal(t, "false", eval[string](tb, `document.getElementById('pay-invoice').getAttribute('aria-pressed')`))
	tb.click("pay-invoice")
	tb.waitFor(`document.getElementById('pay-invoice').getAttribute('aria-pressed') === 'true'`)
	assert.Contains(t, tb.text("#pay-invoice"), "✓")
	assert.Equal(t, "false", eval[string](tb, `document.getElementById('pay-card').getAttribute('aria-pressed')`))
	tb.reloadKeeps("payment")
	tb.waitFor(`(() => { const e = document.getElementById('pay-invoice'); return e !== null && e.getAttribute('aria-pressed') === 'true'; })()`)
	assert.Equal(t, "Buh@example.ru", tb.text("#receipt-to"), "the receipt e-mail survives the reload")

	// Paid by card in the end: the receipt goes to the address given on
	// the payment step and names the application and the time in Moscow.
	tb.payByCard("pay-card")
	receipt := waitMessage(t, appID, func(m outboxMessage) bool {
		return m.Channel == "email" && strings.Contains(m.Subject, "Оплата получена")
	})
	assert.Equal(t, "Buh@example.ru", receipt.To)
	assert.Contains(t, receipt.Body, "Заявление № "+v.Number)
	assert.Regexp(t, `Дата оплаты: \d{1,2} [а-я]+ 20\d\d г\., \d\d:\d\d \(МСК\)`, receipt.Body)
	assert.NotContains(t, receipt.Body, appID, "the e-mail names the number, not the id")
}

// TestValuesHeadPage: the Belarusian head sees each request as a card
// (employee, position, organisation, number, full service name, tariff by
// name, amount, certificate end), reads the confirmation in full before
// he signs it, and after paying sees what he paid, when, and for whom.
func TestValuesHeadPage(t *testing.T) {
	sinkP12, boss := demoP12(t, "by-employee-2"), demoP12(t, "by-head")
	sink, sinkID := fileEmployee(t, "A", "service-by-6-0-01", sinkP12, "+375290000411", "sinkevich@bely-aist.example.by", personalNumber("3150384H058PB1"))
	number := sink.values().Number
	require.Regexp(t, applicationNumber, number)

	head := newWizardTab(t).as("head")
	head.narrow()
	head.openApproval(headLink(t, sinkID, headBY))
	head.headProves(boss)

	card := func(field string) string { return head.text("#" + field + "-" + sinkID) }
	assert.Contains(t, card("employee"), "Синкевич")
	assert.NotEmpty(t, card("position"))
	assert.Contains(t, card("organisation"), "Белый аист")
	assert.Equal(t, number, card("number"))
	assert.True(t, strings.HasPrefix(card("service"), "6.0.01 Дистанционное издание"), card("service"))
	assert.Equal(t, "Базовый: портал госуслуг и документооборот", card("tariff"), "the tariff by name, not its code")
	assert.Contains(t, card("amount"), "BYN")
	assert.Regexp(t, `^\d{1,2} [а-я]+ 20\d\d г\.$`, card("until"))
	whole := head.text("#request-" + sinkID)
	for _, raw := range []string{"by-6.0.01", " base", "SHA-256"} {
		assert.NotContains(t, whole, raw, "no machine value on the card (the hash is in the closed details)")
	}

	// The confirmation is shown before anything is signed.
	signatures := served("/api/v1/approval/confirmation/:id/signature")
	head.click("choose-" + sinkID)
	head.waitFor(fmt.Sprintf(`document.getElementById(%q).checked`, "choose-"+sinkID))
	head.click("confirm-requests")
	doc := head.shownText("#confirmation-text")
	assert.Equal(t, signatures, served("/api/v1/approval/confirmation/:id/signature"), "nothing signed yet")
	for _, want := range []string{"Синкевич", "Заявление № / Application No. " + number, "Тариф / Tariff: Базовый: портал госуслуг и документооборот",
		"Услуга / Service: 6.0.01 ", "(Минск)", "УНП / UNP"} {
		assert.Contains(t, doc, want)
	}
	head.step("values-confirmation")
	head.click("sign-confirmation")
	head.waitFor(fmt.Sprintf(`document.getElementById(%q) === null && document.getElementById('head-payment') !== null`, "choose-"+sinkID))
	assert.Equal(t, signatures+1, served("/api/v1/approval/confirmation/:id/signature"))
	assert.Contains(t, head.text("#approved-"+sinkID), number)

	// After payment: what was paid, when, and for whom.
	paid := head.payByCard("head-pay-card")
	head.waitAcross(`location.pathname === '/approve/' || location.pathname === '/approve/paid'`)
	head.waitScreen("approval")
	head.waitFor(`document.getElementById('head-paid') !== null`)
	head.step("values-head-paid")
	assert.Equal(t, spaces(paid), spaces(head.text("#paid-amount")))
	assert.Regexp(t, `\d{1,2} [а-я]+ 20\d\d г\., \d\d:\d\d \(Минск\)`, head.text("#paid-at"))
	assert.Contains(t, head.text("#paid-"+sinkID), "Синкевич")
	assert.Equal(t, 0, eval[int](head, `document.querySelectorAll('#no-requests').length`), "not \"no requests\" after paying")
	assert.NotNil(t, head.approvalPaid(), "the head's view names the paid payment")
	// The page is the server's word: a reload shows the same confirmation.
	head.do(chromedp.Reload())
	head.waitScreen("approval")
	head.waitFor(`document.getElementById('head-paid') !== null`)
	assert.Equal(t, spaces(paid), spaces(head.text("#paid-amount")))
}

// approvalPaid is the paid payment of the head's view, if any.
func (tb *tab) approvalPaid() *struct {
	Payment struct {
		Amount money `json:"amount"`
	} `json:"payment"`
} {
	tb.t.Helper()
	raw := evalAsync[string](tb, `fetch('/api/v1/approval', {credentials: 'same-origin'}).then(r => r.text())`)
	var v struct {
		Paid *struct {
			Payment struct {
				Amount money `json:"amount"`
			} `json:"payment"`
		} `json:"paid"`
	}
	require.NoError(tb.t, json.Unmarshal([]byte(raw), &v), raw)
	return v.Paid
}
