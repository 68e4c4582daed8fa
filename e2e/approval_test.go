package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An employee's renewal needs the head of the organisation (issue 7).
// The employee files "По доверенности" (Russia) or 6.0.01 (Belarus) in his
// own browser; the head opens the e-mailed single-use link in another,
// proves his own certificate, confirms with one signature, and in Belarus
// pays once for all he confirmed. Each person has a browser context and a
// client address of his own (newWizardTab), and each scenario its own
// phone numbers (five codes an hour per phone).
//
// The head's page lists every request of his organisation that waits, the
// suite's other scenarios' included: the tests pick their own by id.

// The heads' e-mails (ca/demo/identities.yaml).
const (
	headRU = "ivanov@severny-veter.example.ru" // Иванов, ООО «Северный ветер»
	headBY = "director@bely-aist.example.by"   // Лукашевич, ООО «Белый аист»
)

// TestApprovalRussia: Петрова files "По доверенности" and waits; Иванов
// confirms from his own browser; she pays by card and gets the new
// certificate, which chains to the demo authority and keeps her subject.
// Every key is GOST R 34.10-2012: hers (current and new), the head's,
// and the authority's.
func TestApprovalRussia(t *testing.T) {
	petrova, ivanov := demoP12(t, "ru-employee"), demoP12(t, "ru-head")
	emp, appID := fileEmployee(t, "A", "service-ru-poa", petrova, "+79000000301", "petrova@severny-veter.example.ru", (*tab).fillRussianEmployee)
	assert.Contains(t, emp.text("#step-approval .lead"), "petrova@severny-veter.example.ru")

	// The head is told by e-mail and SMS; the employee may send the same
	// link himself.
	link := headLink(t, appID, headRU)
	assert.Equal(t, link, eval[string](emp, `document.getElementById('approval-link').value`), "the page shows the link the head was sent")
	sms := waitMessage(t, appID, func(m outboxMessage) bool { return m.Channel == "sms" && strings.Contains(m.Body, link) })
	assert.Equal(t, "+79000000203", sms.To, "the SMS goes to the head's phone in the register")

	head := newWizardTab(t).as("head")
	head.openApproval(link)
	assert.Equal(t, "/approve/", eval[string](head, `location.pathname`), "the token leaves the address bar")
	head.headProves(ivanov)
	assert.Contains(t, head.text("#head-requests .lead"), "Иванов")
	req := head.text("#request-" + appID)
	assert.Contains(t, req, "Петрова")
	assert.Contains(t, eval[string](head, `document.querySelector('#request-`+appID+` details').textContent`), "SHA-256", "the hash stays, in the details")
	head.confirmRequests(appID)
	assert.Equal(t, 0, eval[int](head, `document.querySelectorAll('#head-payment').length`), "in Russia the head does not pay")

	// The employee's page follows by itself: on to the payment.
	emp.waitStep("payment")
	emp.step("payment")
	assert.Equal(t, "awaiting_payment", emp.renewal().State)
	emp.payByCard("pay-card")
	emp.waitAcross(`location.pathname === '/renew'`)
	emp.waitStep("key")
	emp.step("key")
	emp.fillEntropy()
	emp.click("generate-key")
	emp.waitStep("issued")
	emp.step("issued")
	saved := emp.acknowledgeAndSave()

	// GOST throughout: her current and new keys, the head's signature,
	// the authority's; OpenSSL verifies the certificate and opens the file.
	issued := checkRenewed(t, emp, petrova.certificate(t))
	checkGOST(t, issued, "1.2.643.7.1.1.1.1", "1.2.643.7.1.1.3.2")
	require.NotEmpty(t, saved, "a GOST key is saved to a file")
	checkSavedP12(t, saved, issued)
	assert.Contains(t, strings.Join(issued.Subject.Organization, " "), "Северный ветер")
	// The head's confirmation, CMS signed in his browser with his GOST
	// key, as her end page offers it: OpenSSL's GOST engine verifies it.
	checkHeadConfirmationGOST(t, emp, ivanov)
	checkAct(t, emp)
	t.Logf("issued serial %x", issued.SerialNumber)
}

// TestApprovalBelarusTwoEmployees: Жук and Синкевич file 6.0.01 from
// their own browsers; Лукашевич confirms both with one signature and pays
// once by card for both; each employee's page moves on by itself and
// ends with a certificate.
func TestApprovalBelarusTwoEmployees(t *testing.T) {
	zhukP12, sinkP12, boss := demoP12(t, "by-employee"), demoP12(t, "by-employee-2"), demoP12(t, "by-head")
	// Жук's and the head's pages tour every step in both languages at
	// both widths (tb.tour).
	zhuk, zhukID := fileEmployeeIn(t, newWizardTab(t).as("A").tour(), "service-by-6-0-01", zhukP12, "+375290000301", "zhuk@bely-aist.example.by", personalNumber("4300188H021PB4"))
	sink, sinkID := fileEmployee(t, "B", "service-by-6-0-01", sinkP12, "+375290000302", "sinkevich@bely-aist.example.by", personalNumber("3150384H058PB1"))
	assert.Equal(t, 0, eval[int](zhuk, `document.querySelectorAll('#approval-link').length`), "in Belarus the link goes to the head only")

	// Each application sent the head a link; either opens the organisation.
	headLink(t, sinkID, headBY)
	head := newWizardTab(t).as("head").tour()
	head.openApproval(headLink(t, zhukID, headBY))
	head.headProves(boss)
	assert.Contains(t, head.text("#request-"+zhukID), "Жук")
	assert.Contains(t, head.text("#request-"+sinkID), "Синкевич")
	signatures := served("/api/v1/approval/confirmation/:id/signature")
	head.confirmRequests(zhukID, sinkID) // one click
	assert.Equal(t, signatures+1, served("/api/v1/approval/confirmation/:id/signature"), "one signature for both")

	// One payment for both: the head's total is the sum of the two.
	amounts := map[string]money{}
	for id, tb := range map[string]*tab{zhukID: zhuk, sinkID: sink} {
		v := tb.renewalAmount()
		require.Equal(t, "approved", v.State, "application %s", id)
		require.NotNil(t, v.Amount, "application %s has no amount", id)
		amounts[id] = *v.Amount
	}
	a := head.approval()
	require.NotNil(t, a.Total, "the head is asked to pay")
	assert.Equal(t, amounts[zhukID].Minor+amounts[sinkID].Minor, a.Total.Minor, "the head pays the sum of both")
	assert.Equal(t, amounts[zhukID].Currency, a.Total.Currency)
	head.waitFor(`document.getElementById('head-payment') !== null`)
	head.step("head-payment")
	shown := spaces(head.text("#head-payment"))
	assert.Contains(t, shown, spaces(a.Total.Text))
	assert.Contains(t, shown, "2 запрос")

	payments := served("/api/v1/approval/payment")
	paid := head.payByCard("head-pay-card")
	assert.Equal(t, spaces(a.Total.Text), spaces(paid), "the card page charges the total")
	head.waitAcross(`location.pathname === '/approve/' || location.pathname === '/approve/paid'`)
	head.waitScreen("approval")
	head.step("head-paid")

	// Both receipts name one payment of the total.
	var numbers []string
	for _, id := range []string{zhukID, sinkID} {
		r := waitMessage(t, id, func(m outboxMessage) bool {
			return m.Channel == "email" && strings.Contains(m.Body, "Номер платежа:")
		})
		number := receiptField(t, r.Body, "Номер платежа")
		assert.Equal(t, spaces(a.Total.Text), spaces(receiptField(t, r.Body, "Сумма")), "the receipt of %s", id)
		numbers = append(numbers, number)
	}
	assert.Equal(t, numbers[0], numbers[1], "one payment for the two applications")
	assert.Equal(t, payments+1, served("/api/v1/approval/payment"), "the head opened one payment")
	a = head.approval()
	assert.Nil(t, a.Total, "nothing is left to pay")
	for _, r := range a.Requests {
		assert.NotContains(t, []string{zhukID, sinkID}, r.ID, "paid requests leave the head's list")
	}

	// Each employee's page moves on by itself and finishes.
	for _, tb := range []*tab{zhuk, sink} {
		tb.waitStep("key")
		tb.step("key")
	}
	for _, c := range []struct {
		tb  *tab
		old subscriber
	}{{zhuk, zhukP12}, {sink, sinkP12}} {
		c.tb.fillEntropy()
		c.tb.click("generate-key")
		c.tb.waitStep("issued")
		c.tb.step("issued")
		c.tb.acknowledgeAndSave()
		issued := checkRenewed(t, c.tb, c.old.certificate(t))
		t.Logf("%s: issued serial %x", c.tb.who, issued.SerialNumber)
	}
}

// TestApprovalOtherOrganisationRefused: the head of «Белый аист» opens the
// link of «Северный ветер»'s employee; his certificate is refused with the
// server's message, he sees none of that organisation's requests, and the
// employee still waits.
func TestApprovalOtherOrganisationRefused(t *testing.T) {
	petrova, stranger := demoP12(t, "ru-employee"), demoP12(t, "by-head")
	emp, appID := fileEmployee(t, "A", "service-ru-poa", petrova, "+79000000311", "petrova@severny-veter.example.ru", (*tab).fillRussianEmployee)

	head := newWizardTab(t).as("other-head")
	head.openApproval(headLink(t, appID, headRU))
	head.openKey(stranger.File, stranger.Password)
	msg := head.shownText("#head-certificate .problem")
	head.step("refused")
	assert.Contains(t, msg, "Ваш сертификат выдан для другой организации")
	assert.Contains(t, msg, "только её руководитель")
	assert.Equal(t, "false", eval[string](head, `document.getElementById('approval').dataset.proven`))
	assert.Equal(t, 0, eval[int](head, `document.querySelectorAll('#head-requests, [id^="request-"]').length`), "nothing of the organisation is shown")

	// The refusal changed nothing for the employee.
	assert.Equal(t, "approval", eval[string](emp, `document.getElementById('wizard').dataset.step`))
	assert.Equal(t, "awaiting_approval", emp.renewal().State)
	emp.step("still-waiting")
}

// ---- the employee's and the head's steps ----

// fileEmployee takes an employee in a browser of his own (labelled who)
// through the wizard to the signed application, which then waits for the
// head; it returns the tab and the application's id.
func fileEmployee(t *testing.T, who, service string, holder subscriber, phone, email string, personal func(*tab)) (*tab, string) {
	t.Helper()
	return fileEmployeeIn(t, newWizardTab(t).as(who), service, holder, phone, email, personal)
}

// fileEmployeeIn is fileEmployee in a tab of the test's (a tour's).
func fileEmployeeIn(t *testing.T, tb *tab, service string, holder subscriber, phone, email string, personal func(*tab)) (*tab, string) {
	t.Helper()
	tb.startWizard(service)
	appID := tb.contacts(phone, email)
	tb.codes(appID)
	tb.openKey(holder.File, holder.Password)
	tb.tariffAndTerms()
	personal(tb)
	tb.signApplicationThen("approval")
	require.Equal(t, "awaiting_approval", tb.renewal().State)
	return tb, appID
}

// fillRussianEmployee enters Петрова's passport (the registry simulator's
// demoPassports), СНИЛС and ИНН and sends them.
func (tb *tab) fillRussianEmployee() {
	tb.t.Helper()
	tb.typeInto("passport-series", "4511")
	tb.typeInto("passport-number", "234567")
	tb.setInput("passport-issued", "12.04.2016")
	tb.typeInto("snils", "719-556-279 40")
	tb.typeInto("inn", "774389269314")
	tb.step("personal-filled")
	tb.click("send-data")
}

// personalNumber fills the Belarusian personal-data step.
func personalNumber(number string) func(*tab) {
	return func(tb *tab) {
		tb.t.Helper()
		tb.typeInto("personal-number", number)
		tb.step("personal-filled")
		tb.click("send-data")
	}
}

var approveLink = regexp.MustCompile(`https?://\S+/approve/[A-Za-z0-9_-]+`)

// headLink is the single-use link e-mailed to the head for an application.
func headLink(t *testing.T, appID, headEmail string) string {
	t.Helper()
	m := waitMessage(t, appID, func(m outboxMessage) bool {
		return m.Channel == "email" && m.To == headEmail && approveLink.MatchString(m.Body)
	})
	link := approveLink.FindString(m.Body)
	require.True(t, strings.HasPrefix(link, suite.URL+"/approve/"), link)
	return link
}

// openApproval opens a head's link: the page asks for his certificate.
func (tb *tab) openApproval(link string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(link))
	tb.waitScreen("approval")
	tb.waitFor(`document.querySelector('#head-certificate #p12-file') !== null`)
	tb.step("head-link")
}

// headProves opens the head's certificate; the page lists the requests.
func (tb *tab) headProves(head subscriber) {
	tb.t.Helper()
	tb.openKey(head.File, head.Password)
	tb.waitFor(`document.querySelector('#approval[data-proven="true"] #head-requests') !== null`)
	tb.step("head-requests")
}

// confirmRequests chooses the requests, reads the confirmation drawn up
// for them and signs it (one signature); they leave the list of those
// waiting.
func (tb *tab) confirmRequests(ids ...string) {
	tb.t.Helper()
	for _, id := range ids {
		tb.click("choose-" + id)
		tb.waitFor(fmt.Sprintf(`document.getElementById(%q).checked`, "choose-"+id))
	}
	tb.step("head-chosen")
	tb.click("confirm-requests")
	// The confirmation is shown in full; only then does the head sign it.
	tb.waitFor(`document.getElementById('confirmation-text') !== null`)
	tb.step("head-confirmation")
	tb.click("sign-confirmation")
	// The document leaves the screen once the signature is taken.
	gone := []string{`document.getElementById('confirmation') === null`}
	for _, id := range ids {
		gone = append(gone, fmt.Sprintf(`document.getElementById(%q) === null`, "request-"+id))
	}
	tb.waitFor(strings.Join(gone, " && "))
	tb.step("head-confirmed")
	assert.Equal(tb.t, 0, eval[int](tb, `document.querySelectorAll('#approval .problem').length`), "no refusal on confirming")
}

// payByCard clicks the button that sends the tab to the card sandbox,
// pays with the test card that succeeds and follows the link back to the
// site; it returns the amount the card page charged.
func (tb *tab) payByCard(button string) string {
	tb.t.Helper()
	tb.click(button)
	tb.waitAcross(`location.pathname.startsWith('/sandbox/pay/') && document.readyState === 'complete' && document.getElementById('card') !== null`)
	tb.step("card-page")
	amount := strings.TrimSpace(eval[string](tb, `document.querySelector('dl dd').textContent`))
	tb.typeInto("card", "4111 1111 1111 1111")
	tb.typeInto("exp", "12/30")
	tb.typeInto("cvc", "123")
	tb.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	tb.waitAcross(`document.readyState === 'complete' && document.getElementById('card') === null && document.querySelector('p.back a') !== null`)
	tb.step("card-paid")
	assert.Contains(tb.t, eval[string](tb, `document.querySelector('main').innerText`), "Оплата прошла")
	tb.do(chromedp.Click(chromedp.CSS(`p.back a`)))
	return amount
}

// ---- what the API says ----

type money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
	Text     string `json:"text"`
}

// renewalAmount is the state and price of the tab's application.
func (tb *tab) renewalAmount() struct {
	State  string `json:"state"`
	Amount *money `json:"amount"`
} {
	tb.t.Helper()
	var v struct {
		State  string `json:"state"`
		Amount *money `json:"amount"`
	}
	raw := evalAsync[string](tb, `fetch('/api/v1/renewal', {credentials: 'same-origin'}).then(r => r.text())`)
	require.NoError(tb.t, json.Unmarshal([]byte(raw), &v), raw)
	return v
}

type approvalView struct {
	Proven   bool `json:"certificate_proven"`
	Requests []struct {
		ID     string `json:"id"`
		State  string `json:"state"`
		Amount money  `json:"amount"`
	} `json:"requests"`
	Total *money `json:"total"`
}

// checkHeadConfirmationGOST: the head's confirmation of the employee's
// request, as her end page offers it, is a CMS signature by his GOST
// certificate over Streebog that OpenSSL's GOST engine verifies against
// the demo root.
func checkHeadConfirmationGOST(t *testing.T, emp *tab, head subscriber) {
	t.Helper()
	doc := emp.fetchBytes("/api/v1/renewal/confirmation/document.txt")
	sig := emp.fetchBytes("/api/v1/renewal/confirmation/signature.p7s")
	dir := t.TempDir()
	docFile, sigFile := filepath.Join(dir, "confirmation.txt"), filepath.Join(dir, "confirmation.p7s")
	require.NoError(t, os.WriteFile(docFile, doc, 0o600))
	require.NoError(t, os.WriteFile(sigFile, sig, 0o600))
	demo := filepath.Join(suite.DataDir, "demo")
	signer := filepath.Join(dir, "signer.pem")
	out, err := openssl(t, "cms", "-verify", "-binary", "-inform", "DER", "-in", sigFile, "-content", docFile,
		"-CAfile", filepath.Join(demo, "root.pem"), "-certfile", filepath.Join(demo, "issuing.pem"),
		"-purpose", "any", "-signer", signer, "-out", os.DevNull)
	require.NoError(t, err, out)
	assert.Contains(t, out, "Verification successful")
	assert.Equal(t, head.certificate(t).Raw, readCertificate(t, signer).Raw, "signed by the head's certificate")
	out, err = openssl(t, "cms", "-cmsout", "-print", "-inform", "DER", "-in", sigFile)
	require.NoError(t, err, out)
	t.Logf("head's CMS algorithms: %s", strings.Join(regexp.MustCompile(`algorithm: [^\n]+`).FindAllString(out, -1), "; "))
	assert.Regexp(t, `(?i)gost|1\.2\.643\.7\.1\.1\.2\.2`, out, "a GOST digest and signature")
	checkGOST(t, readCertificate(t, signer), "1.2.643.7.1.1.1.1", "1.2.643.7.1.1.3.2")
}

// approval is the head's view of his session, as the API shows it.
func (tb *tab) approval() approvalView {
	tb.t.Helper()
	raw := evalAsync[string](tb, `fetch('/api/v1/approval', {credentials: 'same-origin'}).then(r => r.text())`)
	var v approvalView
	require.NoError(tb.t, json.Unmarshal([]byte(raw), &v), raw)
	return v
}

// served counts the requests of a route the suite server answered with
// 200, from its log (the tests run one at a time).
func served(route string) int {
	return strings.Count(suite.Logs(), " route="+route+" status=200 ")
}

// receiptField is a "Name: value" line of a receipt e-mail.
func receiptField(t *testing.T, body, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `:\s*(.+)$`).FindStringSubmatch(body)
	require.NotNil(t, m, "no %q in the receipt:\n%s", name, body)
	return strings.TrimSpace(m[1])
}

// spaces folds the spaces of amounts ("1 234,00", with a no-break or a
// narrow space) so texts from different formatters compare.
func spaces(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\n' || r == '\t'
	}), " ")
}
