package e2e

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/demo"
	"renewal/ca/keyfile"
)

// The wizard's scenarios run each in a fresh browser context (their own
// cookies, IndexedDB and service worker), as different people on
// different computers do.
//
// Each also comes from its own client address: the server allows five
// codes an hour per client address, and the suite runs more wizards than
// that from 127.0.0.1. The suite server trusts 127.0.0.1 as a proxy
// (--trusted-proxy), and the tab sends X-Forwarded-For as a proxy in
// front of the service would. The tab bypasses the service worker so that
// every request, API calls included, carries the header (requests that a
// service worker makes are the worker's, not the page's).

// wizardDeadline bounds one wizard scenario: the registry alone takes
// 3 s with --dev, and the payment sandboxes notify asynchronously.
const wizardDeadline = 150 * time.Second

var clientSeq atomic.Int32

// newWizardTab opens a tab in a fresh browser context that comes from a
// client address of its own.
func newWizardTab(t *testing.T) *tab {
	t.Helper()
	tb := newTabWith(t, wizardDeadline, chromedp.WithNewBrowserContext())
	addr := fmt.Sprintf("198.51.100.%d", clientSeq.Add(1)) // TEST-NET-2
	require.NoError(t, call(tb, network.Enable, network.EnableParams{}))
	require.NoError(t, call(tb, network.SetBypassServiceWorker, network.SetBypassServiceWorkerParams{Bypass: true}))
	require.NoError(t, call(tb, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"X-Forwarded-For": addr}}))
	return tb
}

// call sends a protocol command to the tab.
func call[P, R any](tb *tab, cmd cdp.Command[P, R], params P) error {
	_, err := chromedp.Call(tb.ctx, cmd, params)
	return err
}

// evalAsync evaluates an expression that returns a promise and waits for it.
func evalAsync[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %q: %v", expr, err)
	}
	return v
}

// waitStep waits until the wizard shows a step: the app runs, the step
// is the one the server's state names (#wizard's data-step) and its
// section is on the screen.
func (tb *tab) waitStep(step string) {
	tb.t.Helper()
	tb.waitAcross(fmt.Sprintf(`(() => {
		const w = document.getElementById('wizard');
		return w !== null && w.dataset.ready === 'true' && w.dataset.step === %q &&
			document.getElementById('step-' + %q) !== null && document.getElementById('app-wasm-loader') === null;
	})()`, step, step))
}

// waitAcross polls a condition across page loads: a poll in flight when
// the page navigates fails, and starts again in the new document.
func (tb *tab) waitAcross(cond string) {
	tb.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if tb.ctx.Err() != nil || time.Now().After(deadline) {
			tb.t.Fatalf("waiting for %s: %v", cond, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fits checks that a screen of the app (home, service, every wizard
// step) needs no horizontal scroll at the tab's width; tb.step runs it
// at each step. It names the widest element, to find the culprit. On a
// wide screen the step bar must be one row.
func (tb *tab) fits(name string) {
	tb.t.Helper()
	type width struct {
		Scroll, Inner float64
		Widest        string
		BarRows       int
	}
	w := eval[width](tb, `(() => {
		if (document.querySelector('#wizard, #home, #service') === null) return {Scroll: 0, Inner: 1, Widest: '', BarRows: 0};
		// The deepest element whose box or content reaches past the screen.
		let widest = '';
		for (const e of document.querySelectorAll('main *')) {
			if (e.getBoundingClientRect().right > window.innerWidth || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible') {
				widest = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' «' + e.textContent.slice(0, 60) + '»';
			}
		}
		const rows = new Set([...document.querySelectorAll('.progress li')].filter(li => li.offsetParent !== null).map(li => li.offsetTop));
		return {Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth, Widest: widest, BarRows: rows.size};
	})()`)
	assert.LessOrEqual(tb.t, w.Scroll, w.Inner, "%s: the page is wider than the screen (%v px > %v px), widest: %s", name, w.Scroll, w.Inner, w.Widest)
	// Wide screens show the step bar's stages in one row (narrow ones
	// hide them for the compact line).
	assert.LessOrEqual(tb.t, w.BarRows, 1, "%s: the step bar takes %d rows", name, w.BarRows)
}

// narrow makes the tab a 360 px phone screen.
func (tb *tab) narrow() {
	tb.t.Helper()
	tb.do(chromedp.EmulateViewport(360, 740))
}

// reloadKeeps reloads the page at a step and waits for the same step.
func (tb *tab) reloadKeeps(step string) {
	tb.t.Helper()
	require.Equal(tb.t, step, eval[string](tb, `document.getElementById('wizard').dataset.step`))
	tb.do(chromedp.Reload())
	tb.waitStep(step)
	tb.step(step + "-reloaded")
}

// problem is the text of the refusal shown in a step, once there is one.
func (tb *tab) problem(step string) string {
	tb.t.Helper()
	return tb.shownText("#step-" + step + " .problem")
}

// shownText waits until the element at sel shows some text and returns
// it, in one evaluation: go-app may replace the element between a wait
// and a second query.
func (tb *tab) shownText(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Poll[string](fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		const s = e === null ? '' : e.textContent.trim();
		return s === '' ? null : s;
	})()`, sel)))
	if err != nil {
		tb.t.Fatalf("waiting for text at %s: %v", sel, err)
	}
	return s
}

// click clicks a button or link by id once it is enabled.
func (tb *tab) click(id string) {
	tb.t.Helper()
	tb.waitFor(fmt.Sprintf(`(() => { const e = document.getElementById(%q); return e !== null && !e.disabled; })()`, id))
	tb.do(chromedp.Click(chromedp.ID(id)))
}

// typeInto types text into an input as a person does, key by key.
func (tb *tab) typeInto(id, text string) {
	tb.t.Helper()
	tb.do(chromedp.SendKeys(chromedp.ID(id), text))
}

// setInput sets an input's value and fires the input event (date fields,
// whose typing depends on the browser's locale).
func (tb *tab) setInput(id, value string) {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const e = document.getElementById(%q);
		e.value = %q;
		e.dispatchEvent(new Event('input', {bubbles: true}));
		e.dispatchEvent(new Event('change', {bubbles: true}));
	})()`, id, value)))
}

// upload chooses a file in an <input type=file>.
func (tb *tab) upload(id, file string) {
	tb.t.Helper()
	tb.do(chromedp.SetUploadFiles(chromedp.ID(id), []string{file}))
}

// renewalView is the application of the tab's session, as the API shows it.
type renewalView struct {
	ID      string `json:"id"`
	State   string `json:"state"`
	Payment *struct {
		Method        string `json:"method"`
		Status        string `json:"status"`
		ERIPCode      string `json:"erip_code"`
		InvoiceNumber string `json:"invoice_number"`
	} `json:"payment"`
}

func (tb *tab) renewal() renewalView {
	tb.t.Helper()
	raw := evalAsync[string](tb, `fetch('/api/v1/renewal', {credentials: 'same-origin'}).then(r => r.text())`)
	var v renewalView
	require.NoError(tb.t, json.Unmarshal([]byte(raw), &v), raw)
	return v
}

// fetchBytes gets a path of the site with this tab's session.
func (tb *tab) fetchBytes(path string) []byte {
	tb.t.Helper()
	b64 := evalAsync[string](tb, fmt.Sprintf(`fetch(%q, {credentials: 'same-origin'}).then(async r => {
		if (!r.ok) throw new Error('GET %s: ' + r.status + ' ' + await r.text());
		const u = new Uint8Array(await r.arrayBuffer());
		let s = '';
		for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
		return btoa(s);
	})`, path, path))
	b, err := base64.StdEncoding.DecodeString(b64)
	require.NoError(tb.t, err)
	return b
}

// ---- the suite server's outbox and demo subscribers ----

type outboxMessage struct {
	ID            int64     `json:"id"`
	ApplicationID string    `json:"application_id"`
	Channel       string    `json:"channel"`
	To            string    `json:"to"`
	Subject       string    `json:"subject"`
	Body          string    `json:"body"`
	CreatedAt     time.Time `json:"created_at"`
}

func outbox(t *testing.T) []outboxMessage {
	t.Helper()
	resp, err := http.Get(suite.URL + "/dev/api/outbox")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, string(b))
	var list []outboxMessage
	require.NoError(t, json.Unmarshal(b, &list))
	return list
}

// waitMessage returns the newest message of an application that match
// accepts, waiting for it to be written.
func waitMessage(t *testing.T, appID string, match func(outboxMessage) bool) outboxMessage {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, m := range outbox(t) { // newest first
			if m.ApplicationID == appID && match(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no such message for application %s in the outbox", appID)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// sentCode is the newest code sent on a channel (sms, email) for an application.
func sentCode(t *testing.T, appID, channel string) string {
	t.Helper()
	m := waitMessage(t, appID, func(m outboxMessage) bool {
		return m.Channel == channel && sixDigits.MatchString(m.Body)
	})
	return sixDigits.FindString(m.Body)
}

var resumeLink = regexp.MustCompile(`https?://\S+/resume/[A-Za-z0-9_-]+`)

type subscriber struct {
	Scenario string `json:"scenario"`
	Name     string `json:"name"`
	File     string `json:"file"` // the .p12; the certificate alone is beside it as .pem
	Password string `json:"-"`
}

func demoP12(t *testing.T, scenario string) subscriber {
	t.Helper()
	dir := filepath.Join(suite.DataDir, "demo")
	b, err := os.ReadFile(filepath.Join(dir, "subscribers.json"))
	require.NoError(t, err)
	var subs []subscriber
	require.NoError(t, json.Unmarshal(b, &subs))
	pw, err := os.ReadFile(filepath.Join(dir, "password.txt"))
	require.NoError(t, err)
	for _, s := range subs {
		if s.Scenario == scenario {
			if !filepath.IsAbs(s.File) {
				s.File = filepath.Join(dir, s.File)
			}
			s.Password = strings.TrimSpace(string(pw))
			if scenario != "by-revoked" { // its revocation is by serial
				s.File = reissueP12(t, dir, s.File, s.Password)
			}
			return s
		}
	}
	t.Fatalf("no demo subscriber %s", scenario)
	return subscriber{}
}

// reissueP12 writes, in the test's own directory, a .p12 (and its .pem)
// with another certificate of the demo subscriber in file: the same
// person and extensions, its own key and serial. One open application per
// certificate: each test renews a certificate of its own.
func reissueP12(t *testing.T, demoDir, file, password string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	// keyfile reads and writes GOST keys (the Russian holders') too.
	entries, err := keyfile.DecodePKCS12(b, password)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	issuing, issuingKey, err := demo.LoadIssuer(demoDir)
	require.NoError(t, err)
	fresh, key, err := demo.Reissue(entries[0].Cert, issuing, issuingKey, time.Time{})
	require.NoError(t, err)
	p12, err := keyfile.EncodePKCS12([]keyfile.Entry{{Key: key, Cert: fresh, Chain: entries[0].Chain}}, password, nil)
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), filepath.Base(file))
	require.NoError(t, os.WriteFile(out, p12, 0o600))
	require.NoError(t, os.WriteFile(strings.TrimSuffix(out, ".p12")+".pem",
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: fresh.Raw}), 0o600))
	return out
}

func (s subscriber) certificate(t *testing.T) *x509.Certificate {
	t.Helper()
	return readCertificate(t, strings.TrimSuffix(s.File, ".p12")+".pem")
}

func readCertificate(t *testing.T, file string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return firstCertificate(t, b)
}

func firstCertificate(t *testing.T, pemBytes []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(pemBytes)
	require.NotNil(t, block, "no PEM block")
	c, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return c
}

// ---- the steps of the wizard ----

// startWizard goes from the first screen to the contacts step of a service.
func (tb *tab) startWizard(serviceID string) {
	tb.t.Helper()
	tb.open("/", "home")
	tb.step("home")
	tb.do(chromedp.Click(chromedp.ID(serviceID)))
	tb.waitScreen("service")
	tb.step("service")
	tb.click("start")
	tb.waitStep("contacts")
	tb.step("contacts")
}

// contacts fills the contacts and sends the codes; it returns the
// application's id.
func (tb *tab) contacts(phone, email string) string {
	tb.t.Helper()
	tb.typeInto("phone", phone)
	tb.typeInto("email", email)
	tb.click("send-codes")
	tb.waitStep("codes")
	tb.step("codes")
	return tb.renewal().ID
}

// codes types both codes sent for the application and goes on.
func (tb *tab) codes(appID string) {
	tb.t.Helper()
	tb.typeInto("sms-code", sentCode(tb.t, appID, "sms"))
	tb.typeInto("email-code", sentCode(tb.t, appID, "email"))
	tb.click("check-codes")
	tb.waitStep("certificate")
	tb.step("certificate")
}

// openKey opens a PKCS#12 file in the key picker on the screen. On the
// certificate step it then confirms the certificate's card, as the person
// does after checking it: only that signs and sends the proof.
func (tb *tab) openKey(file, password string) {
	tb.t.Helper()
	onCertificate := eval[bool](tb, `(() => { const w = document.getElementById('wizard'); return w !== null && w.dataset.step === 'certificate'; })()`)
	tb.upload("p12-file", file)
	tb.typeInto("p12-password", password)
	tb.click("open-key")
	if onCertificate {
		tb.confirmCard()
	}
}

// confirmCard waits for the certificate's card and confirms it.
func (tb *tab) confirmCard() {
	tb.t.Helper()
	tb.waitFor(`document.querySelector('#cert-card #cert-name') !== null`)
	tb.step("certificate-card")
	tb.click("cert-confirm")
}

// requested counts this page's requests to an API path (the browser's
// resource timing), so a test sees what the page sent, not the suite.
func (tb *tab) requested(path string) int {
	tb.t.Helper()
	return eval[int](tb, fmt.Sprintf(`performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname === %q).length`, path))
}

// tariffAndTerms takes the first tariff and accepts every document.
func (tb *tab) tariffAndTerms() {
	tb.t.Helper()
	tb.waitStep("tariff")
	tb.waitFor(`document.querySelector('#step-tariff input[type=radio]:checked') !== null`)
	tb.step("tariff")
	tb.click("choose-tariff")
	tb.tariffAndTermsFromTerms()
}

// tariffAndTermsFromTerms accepts every document of the terms step.
func (tb *tab) tariffAndTermsFromTerms() {
	tb.t.Helper()
	tb.waitStep("terms")
	tb.waitFor(`document.querySelectorAll('#step-terms input[type=checkbox]').length > 0`)
	tb.step("terms")
	n := eval[int](tb, `document.querySelectorAll('#step-terms input[type=checkbox]').length`)
	for i := range n {
		tb.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#step-terms article.terms:nth-of-type(%d) input[type=checkbox]`, i+1))))
	}
	tb.click("accept-terms")
	tb.waitStep("personal")
	tb.step("personal")
}

// fillRussianOwner enters the demo Russian owner's passport, СНИЛС and
// ИНН (ca/demo/identities.yaml; the passport is the registry
// simulator's, server/internal/registry) and sends them.
func (tb *tab) fillRussianOwner() {
	tb.t.Helper()
	tb.typeInto("passport-series", "4510")
	tb.typeInto("passport-number", "123456")
	tb.setInput("passport-issued", "01.06.2015")
	tb.typeInto("snils", "693-849-373 75")
	tb.typeInto("inn", "771952685970")
	tb.step("personal-filled")
	tb.click("send-data")
}

// signApplication waits for the registry check and signs the application
// with the key opened before.
func (tb *tab) signApplication() {
	tb.t.Helper()
	tb.signApplicationThen("payment")
}

// signApplicationThen signs the application and waits for the step that
// follows: payment, or the head's approval for an employee.
func (tb *tab) signApplicationThen(next string) {
	tb.t.Helper()
	tb.waitStep("check")
	// The person sees the registries consulted as they are consulted
	// (the simulator takes 3 s with --dev; the page asks every second).
	tb.waitFor(`document.querySelectorAll('#check-steps li').length > 0`)
	tb.step("check")
	tb.waitStep("application")
	tb.waitFor(`document.getElementById('sign-application') !== null`)
	tb.step("application")
	tb.click("sign-application")
	tb.waitStep(next)
	tb.step(next)
}

// fillEntropy moves the mouse over the entropy area until the key can be
// made.
func (tb *tab) fillEntropy() {
	tb.t.Helper()
	tb.do(chromedp.ScrollIntoView(chromedp.ID("entropy")))
	type rect struct{ X, Y, W, H float64 }
	r := eval[rect](tb, `(() => { const b = document.getElementById('entropy').getBoundingClientRect(); return {X: b.x, Y: b.y, W: b.width, H: b.height}; })()`)
	require.Greater(tb.t, r.W, 10.0)
	require.Greater(tb.t, r.H, 10.0)
	for i := 0; i < 40; i++ {
		var moves []chromedp.Action[chromedp.Void]
		for j := range 20 {
			k := i*20 + j
			x := r.X + 2 + float64((k*37)%int(r.W-4))
			y := r.Y + 2 + float64((k*53)%int(r.H-4))
			moves = append(moves, chromedp.MouseEvent(chromedp.MouseMoved, x, y))
		}
		tb.do(moves...)
		if eval[bool](tb, `!document.getElementById('generate-key').disabled`) {
			return
		}
	}
	tb.t.Fatalf("the entropy bar did not fill: %s", eval[string](tb, `document.getElementById('entropy-bar').getAttribute('aria-label')`))
}

// acknowledgeAndSave acknowledges the issued certificate with the new key
// and saves it, ending the application: a key kept in this browser gets
// its certificate; a key for a file (a GOST key always) is saved as a
// .p12 under filePassword, and the downloaded file's path is returned.
func (tb *tab) acknowledgeAndSave() string {
	tb.t.Helper()
	tb.click("form-read")
	tb.click("acknowledge")
	tb.waitStep("save")
	tb.step("save")
	if !eval[bool](tb, `document.getElementById('file-password') !== null`) {
		tb.click("save")
		tb.waitDelivered()
		return ""
	}
	dir := filepath.Join(suite.DataDir, "downloads")
	require.NoError(tb.t, os.MkdirAll(dir, 0o700))
	_, err := chromedp.CallBrowser(tb.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
		BrowserContextID: chromedp.FromContext(tb.ctx).BrowserContextID}) // the tab's own context
	require.NoError(tb.t, err)
	serial := firstCertificate(tb.t, tb.fetchBytes("/api/v1/renewal/certificate.pem")).SerialNumber.Text(16)
	tb.typeInto("file-password", filePassword)
	tb.typeInto("file-password-repeat", filePassword)
	tb.waitFor(`!document.getElementById('save').disabled`)
	tb.click("save")
	tb.waitDelivered()
	file := filepath.Join(dir, "signature-"+serial+".p12")
	for range 100 {
		if fi, err := os.Stat(file); err == nil && fi.Size() > 0 {
			return file
		}
		time.Sleep(50 * time.Millisecond)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	tb.t.Fatalf("the browser saved no %s (the folder has %v)", file, names)
	return ""
}

// checkGOST: the certificate's key is GOST R 34.10-2012 (keyOID: 256
// 1.2.643.7.1.1.1.1, 512 …1.2) and the authority signed it with GOST
// over Streebog (sigOID: 256 1.2.643.7.1.1.3.2, 512 …3.3).
func checkGOST(t *testing.T, c *x509.Certificate, keyOID, sigOID string) {
	t.Helper()
	var cert struct {
		TBS struct {
			Version   int `asn1:"optional,explicit,default:0,tag:0"`
			Serial    asn1.RawValue
			Algorithm struct{ Algorithm asn1.ObjectIdentifier }
			Issuer    asn1.RawValue
			Validity  asn1.RawValue
			Subject   asn1.RawValue
			SPKI      struct {
				Algorithm struct {
					Algorithm  asn1.ObjectIdentifier
					Parameters asn1.RawValue `asn1:"optional"`
				}
				Key asn1.BitString
			}
		}
		Algorithm struct{ Algorithm asn1.ObjectIdentifier }
	}
	_, err := asn1.Unmarshal(c.Raw, &cert)
	require.NoError(t, err)
	assert.Equal(t, keyOID, cert.TBS.SPKI.Algorithm.Algorithm.String(), "the key's algorithm")
	assert.Equal(t, sigOID, cert.Algorithm.Algorithm.String(), "the signature's algorithm")
	assert.Equal(t, sigOID, cert.TBS.Algorithm.Algorithm.String(), "the signature algorithm inside")
}

// filePassword protects the .p12 files the wizard saves in the tests.
const filePassword = "пароль файла подписи 1"

// checkSavedP12 opens the .p12 the wizard saved with OpenSSL and its GOST
// engine (which our code did not write): it must hold the issued
// certificate and a key that OpenSSL reads.
func checkSavedP12(t *testing.T, file string, issued *x509.Certificate) {
	t.Helper()
	out, err := openssl(t, "pkcs12", "-in", file, "-passin", "pass:"+filePassword, "-nodes")
	require.NoError(t, err, out)
	require.Contains(t, out, "BEGIN PRIVATE KEY")
	block, _ := pem.Decode([]byte(out[strings.Index(out, "-----BEGIN CERTIFICATE-----"):]))
	require.NotNil(t, block, out)
	assert.Equal(t, issued.Raw, block.Bytes, "the file holds the issued certificate first")
}

func (tb *tab) waitDelivered() {
	tb.t.Helper()
	tb.waitStep("end")
	tb.waitFor(`document.querySelector('#step-end[data-outcome="delivered"] #act-pdf') !== null`)
	tb.step("delivered")
}

// checkRenewed verifies the issued certificate with OpenSSL against the
// demo authority, and that it renews old: same subject, new key.
func checkRenewed(t *testing.T, tb *tab, old *x509.Certificate) *x509.Certificate {
	t.Helper()
	pemBytes := tb.fetchBytes("/api/v1/renewal/certificate.pem")
	issued := firstCertificate(t, pemBytes)
	file := filepath.Join(t.TempDir(), "issued.pem")
	require.NoError(t, os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: issued.Raw}), 0o644))
	demo := filepath.Join(suite.DataDir, "demo")
	out, err := openssl(t, "verify", "-CAfile", filepath.Join(demo, "root.pem"), "-untrusted", filepath.Join(demo, "issuing.pem"), file)
	require.NoError(t, err, out)
	require.Contains(t, out, ": OK")
	require.Equal(t, old.Subject.String(), issued.Subject.String(), "a renewal keeps the subject")
	require.Equal(t, old.RawSubject, issued.RawSubject, "a renewal keeps the subject, byte for byte")
	require.NotEqual(t, old.RawSubjectPublicKeyInfo, issued.RawSubjectPublicKeyInfo, "a renewal has a new key")
	require.NotEqual(t, old.SerialNumber, issued.SerialNumber)
	return issued
}

// checkAct reads the act of the finished application as text.
func checkAct(t *testing.T, tb *tab) {
	t.Helper()
	pdf := tb.fetchBytes("/api/v1/renewal/act.pdf")
	require.True(t, strings.HasPrefix(string(pdf), "%PDF-"), "a PDF")
	file := filepath.Join(t.TempDir(), "act.pdf")
	require.NoError(t, os.WriteFile(file, pdf, 0o644))
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").CombinedOutput()
	require.NoError(t, err, string(out))
	require.Contains(t, string(out), "Акт")
}
