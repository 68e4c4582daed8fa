package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The wizard end to end: a person with a current certificate renews it
// from the browser, against the real server, its database, registry
// simulator, payment sandboxes and authority. Each scenario uses its own
// phone number (five codes an hour per phone).

// TestWizardRussiaOwnerCard: the Russian owner ("Я владелец") renews
// his GOST certificate with a GOST key made in the browser, saved to a
// .p12, and pays by card; the new certificate chains to the demo GOST
// authority (OpenSSL verifies it), keeps the subject and has a new key.
//
// It runs on a 360 px phone screen, so every step of a whole renewal
// works there; it tours every step in both languages at both widths
// (tb.tour).
func TestWizardRussiaOwnerCard(t *testing.T) {
	owner := demoP12(t, "ru-owner")
	tb := newWizardTab(t).tour()
	tb.narrow()
	streams, polls := served("/api/v1/renewal/events"), served("/api/v1/renewal")

	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000201", "smirnov@example.ru")
	tb.codes(appID)
	tb.openKey(owner.File, owner.Password)
	tb.tariffAndTerms()

	tb.fillRussianOwner()
	tb.signApplication()

	// Card: the gateway's page, then back to the site.
	tb.click("pay-card")
	tb.waitAcross(`location.pathname.startsWith('/sandbox/pay/') && document.readyState === 'complete' && document.getElementById('card') !== null`)
	tb.step("card-page")
	tb.typeInto("card", "4111 1111 1111 1111")
	tb.typeInto("exp", "12/30")
	tb.typeInto("cvc", "123")
	tb.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	tb.waitAcross(`document.readyState === 'complete' && document.getElementById('card') === null && document.querySelector('p.back a') !== null`)
	tb.step("card-paid")
	assert.Contains(t, eval[string](tb, `document.querySelector('main').innerText`), "Оплата прошла")
	tb.do(chromedp.Click(chromedp.CSS(`p.back a`)))
	tb.waitAcross(`location.pathname === '/renew'`)

	tb.waitStep("key")
	tb.step("key")
	tb.fillEntropy()
	tb.step("key-entropy")
	tb.click("generate-key")
	tb.waitStep("issued")
	tb.step("issued")
	saved := tb.acknowledgeAndSave()

	// GOST throughout: the current key, the new one (made in the page,
	// saved to a file), the certificate and the authority's signature;
	// OpenSSL's GOST engine verifies the chain and opens the file.
	issued := checkRenewed(t, tb, owner.certificate(t))
	require.NotEmpty(t, saved, "a GOST key is saved to a file")
	checkSavedP12(t, saved, issued)
	checkGOST(t, issued, "1.2.643.7.1.1.1.1", "1.2.643.7.1.1.3.2")
	checkAct(t, tb)
	t.Logf("issued serial %x", issued.SerialNumber)

	// The waits (registry check, payment, key) followed the events
	// stream: the wizard opened one on each waiting step.
	streams, polls = served("/api/v1/renewal/events")-streams, served("/api/v1/renewal")-polls
	t.Logf("event streams opened: %v, GET /api/v1/renewal: %v", streams, polls)
	assert.GreaterOrEqual(t, streams, 2, "the wizard waits on the events stream")
}

// TestWizardBelarusERIPImport: 6.0.00 with the Belarusian individual's
// certificate, paid through ERIP at the sandbox bank in the same tab; the
// request for the new certificate is made by OpenSSL outside the browser
// and imported, so the acknowledgement is signed with a .p12 built from
// OpenSSL's key and the issued certificate.
func TestWizardBelarusERIPImport(t *testing.T) {
	holder := demoP12(t, "by-individual")
	tb := newWizardTab(t).tour() // every step in both languages, at both widths

	tb.startWizard("service-by-6-0-00")
	appID := tb.contacts("+375290000111", "kovaleva@example.by")
	tb.codes(appID)
	tb.openKey(holder.File, holder.Password)
	tb.tariffAndTerms()
	tb.typeInto("personal-number", "4150385B012PB6")
	tb.step("personal-filled")
	tb.click("send-data")
	tb.signApplication()

	// ERIP: a code to pay at any bank; the sandbox bank is in this tab.
	tb.click("pay-erip")
	tb.waitFor(`document.getElementById('erip-code') !== null && document.getElementById('erip-code').textContent.trim() !== ''`)
	tb.step("erip-code")
	code := strings.TrimSpace(tb.text("#erip-code"))
	require.Regexp(t, `^\d+$`, code)
	tb.do(chromedp.Navigate(suite.URL + "/sandbox/erip"))
	tb.waitAcross(`document.readyState === 'complete' && document.getElementById('code') !== null`)
	tb.typeInto("code", code)
	tb.do(chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	tb.waitAcross(`document.readyState === 'complete' && document.querySelector('form[method=post] button[type=submit]') !== null`)
	tb.step("erip-confirm")
	tb.do(chromedp.Click(chromedp.CSS(`form[method=post] button[type=submit]`)))
	tb.waitAcross(`document.readyState === 'complete' && document.querySelector('form[method=post]') === null && document.querySelector('p.back a') !== null`)
	tb.step("erip-paid")
	tb.do(chromedp.Navigate(suite.URL + "/renew"))
	tb.waitStep("key")
	tb.step("key")

	// The request from OpenSSL: an empty subject, the authority fills it.
	dir := t.TempDir()
	keyFile, reqFile := filepath.Join(dir, "new.key"), filepath.Join(dir, "new.csr")
	out, err := openssl(t, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-subj", "/", "-keyout", keyFile, "-out", reqFile)
	require.NoError(t, err, out)
	tb.upload("request-file", reqFile)
	tb.click("import-request")
	tb.waitStep("issued")
	tb.step("issued")

	// The new key is not in this browser: the page asks for its file.
	tb.click("form-read")
	tb.click("acknowledge")
	tb.waitFor(`document.querySelector('#new-key #p12-file') !== null`)
	tb.step("new-key-asked")
	certFile := filepath.Join(dir, "issued.pem")
	require.NoError(t, os.WriteFile(certFile, tb.fetchBytes("/api/v1/renewal/certificate.pem"), 0o644))
	p12 := filepath.Join(dir, "new.p12")
	out, err = openssl(t, "pkcs12", "-export", "-inkey", keyFile, "-in", certFile, "-passout", "pass:new-key-file", "-out", p12)
	require.NoError(t, err, out)
	tb.openKey(p12, "new-key-file")
	tb.waitStep("save")
	tb.step("save")
	tb.click("save")
	tb.waitDelivered()

	issued := checkRenewed(t, tb, holder.certificate(t))
	out, err = openssl(t, "req", "-in", reqFile, "-noout", "-pubkey")
	require.NoError(t, err, out)
	pub, err := openssl(t, "x509", "-in", certFile, "-noout", "-pubkey")
	require.NoError(t, err, pub)
	assert.Equal(t, out, pub, "the certificate is for OpenSSL's key")
	checkAct(t, tb)
	t.Logf("issued serial %x", issued.SerialNumber)
}

// TestWizardInvoiceResume: paid by bank invoice. The operator imports
// the bank's statement with the command line; the e-mailed link of the
// key step opens the application in another browser (a fresh context:
// no cookies, no keys), which proves the certificate again and lands on
// the key step. The first browser follows by itself.
func TestWizardInvoiceResume(t *testing.T) {
	owner := demoP12(t, "ru-owner")
	tb := newWizardTab(t)

	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000231", "smirnov@example.ru")
	tb.codes(appID)
	tb.openKey(owner.File, owner.Password)
	tb.tariffAndTerms()
	tb.fillRussianOwner()
	tb.signApplication()

	tb.click("pay-invoice")
	tb.waitFor(`(() => { const e = document.querySelector('#invoice strong'); return e !== null && e.textContent.trim() !== ''; })()`)
	tb.step("invoice")
	number := strings.TrimSpace(tb.text("#invoice strong"))
	assert.Equal(t, number, tb.renewal().Payment.InvoiceNumber)
	pdf := tb.fetchBytes("/api/v1/renewal/invoice.pdf")
	assert.True(t, strings.HasPrefix(string(pdf), "%PDF-"), "the invoice is a PDF")
	checkEntrepreneurInvoice(t, pdf)

	// Days later: the bank's statement, imported by the operator.
	resp, err := http.Get(suite.URL + "/dev/statement/" + url.PathEscape(number))
	require.NoError(t, err)
	statement, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, string(statement))
	file := filepath.Join(t.TempDir(), "kl_to_1c.txt")
	require.NoError(t, os.WriteFile(file, statement, 0o644))
	out, code := server(t, "payments", "import", "--dev", "--data-dir", suite.DataDir, file)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, number)

	link := waitMessage(t, appID, func(m outboxMessage) bool {
		return m.Channel == "email" && strings.Contains(m.Body, "создание ключа") && resumeLink.MatchString(m.Body)
	})
	resume := resumeLink.FindString(link.Body)
	require.True(t, strings.HasPrefix(resume, suite.URL+"/resume/"), resume)

	// The first browser, still on the payment step, moves on by itself.
	tb.waitStep("key")

	// Another browser: the link, then the certificate again.
	other := newWizardTab(t)
	other.do(chromedp.Navigate(resume))
	other.waitStep("certificate")
	other.step("resumed")
	assert.Contains(t, other.text("#step-certificate .lead"), "тот же сертификат")
	assert.Equal(t, "/renew", eval[string](other, `location.pathname`), "the token leaves the address bar")
	other.openKey(owner.File, owner.Password)
	other.waitStep("key")
	other.step("key")
	assert.Equal(t, "key_pending", other.renewal().State)
}

// TestWizardWrongCodeThrice: three wrong SMS codes void the code; the
// right one is refused after that, and the page says why.
func TestWizardWrongCodeThrice(t *testing.T) {
	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000241", "wrong-code@example.ru")
	right := sentCode(t, appID, "sms")
	n, err := strconv.Atoi(right)
	require.NoError(t, err)
	wrong := fmt.Sprintf("%06d", (n+1)%1_000_000)
	tb.typeInto("email-code", sentCode(t, appID, "email"))

	// The e-mail's right code is kept at the first try; only the SMS's is
	// refused after that, beside its field.
	want := []string{"Неверный код из СМС. Осталось попыток для этого кода: 2.", "Неверный код из СМС. Осталось попыток для этого кода: 1.", "Код из СМС больше не действует"}
	for i, msg := range append(want, "Код из СМС больше не действует") {
		code := wrong
		if i == 3 {
			code = right // too late
		}
		tb.setInput("sms-code", "")
		tb.typeInto("sms-code", code)
		tb.click("check-codes")
		tb.waitFor(fmt.Sprintf(`(() => { const e = document.querySelector('#sms-code-error'); return e !== null && e.textContent.includes(%q); })()`, msg))
		tb.step(fmt.Sprintf("attempt-%d", i+1))
	}
	assert.Contains(t, tb.shownText("#sms-code-error"), "Запросите новый код")
	assert.Equal(t, "codes", eval[string](tb, `document.getElementById('wizard').dataset.step`))
	v := tb.renewal()
	assert.Equal(t, "started", v.State)
}

// TestWizardExpiredCertificate: a certificate that has expired cannot be
// renewed remotely, and the certificate step says so.
func TestWizardExpiredCertificate(t *testing.T) {
	expired := demoP12(t, "ru-expired")
	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000251", "kuznetsov@example.ru")
	tb.codes(appID)
	tb.openKey(expired.File, expired.Password)
	msg := tb.problem("certificate")
	tb.step("refused")
	assert.Contains(t, msg, "Срок действия текущего сертификата истёк")
	assert.Contains(t, msg, "обратитесь в удостоверяющий центр")
	assert.Equal(t, "certificate", eval[string](tb, `document.getElementById('wizard').dataset.step`))
	assert.Equal(t, "contacts_verified", tb.renewal().State)
	// The refused certificate is not offered for signing again; the card
	// marks its expiry, and the ways on are another certificate or service.
	assert.False(t, eval[bool](tb, `document.getElementById('cert-confirm') !== null`), "no sign button after the refusal")
	assert.True(t, eval[bool](tb, `document.getElementById('cert-other') !== null && document.getElementById('cert-services') !== null`))
	assert.Equal(t, "true", eval[string](tb, `document.getElementById('cert-left').parentElement.dataset.expired`))
	tb.click("cert-other")
	tb.waitFor(`document.getElementById('p12-file') !== null`)
}

// TestWizardReloadKeepsStep: a reload at any step lands on the same step,
// because the step comes from the server's state. The proven current key
// is kept in this browser (see TestWizardReloadKeepsKey): the application
// step signs without the file.
func TestWizardReloadKeepsStep(t *testing.T) {
	owner := demoP12(t, "ru-owner")
	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000261", "smirnov@example.ru")
	tb.reloadKeeps("codes")
	tb.codes(appID)
	tb.reloadKeeps("certificate")
	tb.openKey(owner.File, owner.Password)
	tb.waitStep("tariff")
	tb.reloadKeeps("tariff")
	tb.waitFor(`document.querySelector('#step-tariff input[type=radio]:checked') !== null`)
	tb.click("choose-tariff")
	tb.waitStep("terms")
	tb.reloadKeeps("terms")
	tb.do(chromedp.Reload()) // and the next step after all
	tb.tariffAndTermsFromTerms()
	tb.reloadKeeps("personal")
	tb.fillRussianOwner()
	tb.waitStep("application")
	tb.reloadKeeps("application")

	// The key is kept: the step signs without asking for the file.
	tb.waitFor(`document.getElementById('sign-application') !== null`)
	tb.click("sign-application")
	tb.waitStep("payment")
	tb.reloadKeeps("payment")
	assert.Equal(t, "awaiting_payment", tb.renewal().State)
}

// TestWizardOneCodeWrong: the SMS code right and the e-mail code wrong.
// The server keeps the phone as verified and refuses the e-mail code;
// the page then asks only for the e-mail code, and the right one moves on.
func TestWizardOneCodeWrong(t *testing.T) {
	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000271", "one-wrong@example.ru")
	sms, email := sentCode(t, appID, "sms"), sentCode(t, appID, "email")
	n, err := strconv.Atoi(email)
	require.NoError(t, err)
	tb.typeInto("sms-code", sms)
	tb.typeInto("email-code", fmt.Sprintf("%06d", (n+1)%1_000_000))
	tb.click("check-codes")
	assert.Equal(t, "Неверный код из письма. Осталось попыток для этого кода: 2.", tb.shownText("#email-code-error"))
	tb.waitFor(`document.getElementById('sms-code') === null`) // the phone is confirmed
	tb.step("phone-confirmed")
	tb.setInput("email-code", "")
	tb.typeInto("email-code", email)
	tb.click("check-codes")
	tb.waitStep("certificate")
}

// TestWizardWrongSMSRightEmail: a wrong SMS code typed with the right
// e-mail code. The refusal names the SMS code and its tries left, beside
// the SMS field (not under the form); the e-mail is shown as confirmed
// and no longer asked for; the right SMS code alone then moves on.
func TestWizardWrongSMSRightEmail(t *testing.T) {
	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000272", "sms-wrong@example.ru")
	sms, email := sentCode(t, appID, "sms"), sentCode(t, appID, "email")
	n, err := strconv.Atoi(sms)
	require.NoError(t, err)
	tb.typeInto("sms-code", fmt.Sprintf("%06d", (n+1)%1_000_000))
	tb.typeInto("email-code", email)
	tb.click("check-codes")
	assert.Equal(t, "Неверный код из СМС. Осталось попыток для этого кода: 2.", tb.shownText("#sms-code-error"))
	tb.waitFor(`document.getElementById('email-code') === null`)
	assert.Contains(t, tb.text("#step-codes"), "Почта подтверждена ✓")
	assert.Equal(t, "true", eval[string](tb, `document.getElementById('sms-code').getAttribute('aria-invalid')`))
	assert.Equal(t, 0, eval[int](tb, `document.querySelectorAll('#step-codes .problem').length`), "the message stands beside its field only")
	tb.step("email-kept")

	// Only the SMS code is sent now: moving on proves the e-mail was kept.
	tb.setInput("sms-code", "")
	tb.typeInto("sms-code", sms)
	tb.click("check-codes")
	tb.waitStep("certificate")
}

// TestWizardLanguageInAStep: the English switch reaches a step already on
// screen (the step's props are passed on), and the choice is kept.
func TestWizardLanguageInAStep(t *testing.T) {
	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	tb.contacts("+79000000251", "language@example.ru")
	tb.waitFor(`document.querySelector('#step-codes h1') !== null && document.querySelector('#step-codes h1').textContent === 'Подтверждение контактов'`)
	tb.click("lang-switch")
	tb.waitFor(`document.querySelector('#step-codes h1').textContent === 'Confirm your contacts'`)
	tb.waitFor(`document.querySelector('.progress li.current').textContent === 'Contacts'`)
	tb.click("lang-switch")
	tb.waitFor(`document.querySelector('#step-codes h1').textContent === 'Подтверждение контактов'`)
}

// TestWizardEmployeeCertificateInOwnerService: an employee's certificate
// offered to the owner's service is refused at the certificate step, with
// the way to the right service, and nothing moves.
func TestWizardEmployeeCertificateInOwnerService(t *testing.T) {
	employee := demoP12(t, "ru-employee")
	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000271", "petrova@example.ru")
	tb.codes(appID)
	tb.openKey(employee.File, employee.Password)
	msg := tb.problem("certificate")
	tb.step("refused")
	assert.Contains(t, msg, "выдан сотруднику организации")
	assert.Contains(t, msg, "выберите «По доверенности»")
	assert.Equal(t, "certificate", eval[string](tb, `document.getElementById('wizard').dataset.step`))
	assert.Equal(t, "contacts_verified", tb.renewal().State)
	tb.do(chromedp.EmulateViewport(360, 740))
	tb.step("refused-360")
}

// TestWizardCertificateShownBeforeSigning: after the file opens, the step
// shows the certificate's own data (name, formatted СНИЛС, days left) and
// nothing is signed or sent until "Данные верны, подписать"; "Другой
// сертификат" goes back to the picker. The card fits 360 px.
func TestWizardCertificateShownBeforeSigning(t *testing.T) {
	owner := demoP12(t, "ru-owner")
	cert := owner.certificate(t)
	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000293", "smirnov@example.ru")
	tb.codes(appID)

	tb.upload("p12-file", owner.File)
	tb.typeInto("p12-password", owner.Password)
	tb.click("open-key")
	tb.waitFor(`document.querySelector('#cert-card #cert-name') !== null`)
	tb.step("card")
	assert.Equal(t, "Смирнов Алексей Викторович", tb.text("#cert-name"))
	assert.Contains(t, tb.text("#cert-card"), "693-849-373 75")
	msk := time.FixedZone("MSK", 3*3600)
	now, end := time.Now().In(msk), cert.NotAfter.In(msk)
	days := int(time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
	assert.Regexp(t, fmt.Sprintf(`^%d (день|дня|дней)$`, days), tb.text("#cert-left"))
	assert.Equal(t, strings.ToUpper(cert.SerialNumber.Text(16)), strings.TrimLeft(strings.Join(strings.Fields(tb.text("#cert-serial")), ""), "0"))
	// Nothing signed or sent yet.
	assert.Zero(t, tb.requested("/api/v1/renewal/challenge"))
	assert.Zero(t, tb.requested("/api/v1/renewal/proof"))
	assert.Equal(t, "contacts_verified", tb.renewal().State)

	tb.do(chromedp.EmulateViewport(360, 740))
	tb.step("card-360")
	assert.LessOrEqual(t, eval[int](tb, `document.documentElement.scrollWidth`), 360, "the card scrolls sideways at 360 px")
	tb.do(chromedp.EmulateViewport(1200, 900))

	// In English: the labels and the dates follow the page's language.
	tb.click("lang-switch")
	tb.waitFor(`document.getElementById('cert-confirm').textContent === 'The data is right, sign'`)
	tb.step("card-en")
	assert.Contains(t, tb.text("#cert-valid"), cert.NotAfter.In(msk).Format("2 January 2006"))
	assert.Regexp(t, `^\d+ days?$`, tb.text("#cert-left"))
	tb.click("lang-switch")
	tb.waitFor(`document.getElementById('cert-confirm').textContent === 'Данные верны, подписать'`)

	// Another certificate: back to the picker, still nothing sent.
	tb.click("cert-other")
	tb.waitFor(`document.getElementById('key-picker') !== null && document.getElementById('cert-card') === null`)
	assert.Zero(t, tb.requested("/api/v1/renewal/proof"))

	tb.openKey(owner.File, owner.Password) // confirms the card
	tb.waitStep("tariff")
	assert.Equal(t, 1, tb.requested("/api/v1/renewal/proof"), "the confirmation sends the proof once")
}
