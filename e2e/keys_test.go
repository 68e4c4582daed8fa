package e2e

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/demo"
	"renewal/ca/keyfile"
	"renewal/ca/profile"
)

// The keys of the wizard: carriers, keys kept across reloads, key stores
// with several signatures, the signature-tool text of the certificate.

// keptKeys lists the names of the keys this browser keeps (IndexedDB).
func (tb *tab) keptKeys() []string {
	tb.t.Helper()
	raw := evalAsync[string](tb, `new Promise((ok, fail) => {
		const req = indexedDB.open('renewal-keys');
		req.onerror = () => fail(req.error);
		req.onsuccess = () => {
			const db = req.result;
			if (!db.objectStoreNames.contains('keys')) { db.close(); ok('[]'); return; }
			const all = db.transaction('keys', 'readonly').objectStore('keys').getAllKeys();
			all.onsuccess = () => { db.close(); ok(JSON.stringify(all.result)); };
			all.onerror = () => fail(all.error);
		};
	})`)
	var names []string
	require.NoError(tb.t, json.Unmarshal([]byte(raw), &names), raw)
	return names
}

// payToKey pays by card at the sandbox and comes back to the key step.
func (tb *tab) payToKey() {
	tb.t.Helper()
	tb.payByCard("pay-card")
	tb.waitAcross(`location.pathname === '/renew'`)
	tb.waitStep("key")
}

// checkKeyStep: the key step of a Russian profile makes a GOST key,
// explained, with no algorithm to choose (the profile decides); a GOST
// key goes to a file only (no browser carrier), already chosen.
func (tb *tab) checkKeyStep() {
	tb.t.Helper()
	tb.step("key")
	assert.Zero(tb.t, eval[int](tb, `document.querySelectorAll('#step-key input[name=alg], #alg-p256, #alg-rsa').length`), "no algorithm choice")
	assert.Equal(tb.t, "gost2012-256", eval[string](tb, `document.getElementById('step-key').dataset.keyAlgorithm`))
	page := eval[string](tb, `document.getElementById('step-key').innerText`)
	assert.NotContains(tb.t, page, "RSA-2048")
	assert.Contains(tb.t, tb.text("#gost-key-explain"), "ГОСТ Р 34.10-2012")
	assert.Contains(tb.t, tb.text("#carrier-file-explain"), "Храните файл и пароль отдельно")
	assert.Equal(tb.t, 1, eval[int](tb, `document.querySelectorAll('#step-key input[name=carrier]').length`), "only the carriers that work")
	assert.True(tb.t, eval[bool](tb, `document.getElementById('carrier-file').checked`), "the file, the only carrier, is chosen")
}

// signToolOf reads the subjectSignTool (1.2.643.100.111) of a certificate.
func signToolOf(t *testing.T, c *x509.Certificate) string {
	t.Helper()
	for _, e := range c.Extensions {
		if e.Id.Equal(profile.OIDSubjectSignTool) {
			var s string
			_, err := asn1.UnmarshalWithParams(e.Value, &s, "utf8")
			require.NoError(t, err)
			return s
		}
	}
	t.Fatal("no subjectSignTool in the issued certificate")
	return ""
}

// wizardKey is the key the wizard makes for a Russian profile: GOST 256
// on CryptoPro A, which the profiles name by its TC26 set, B.
const wizardKey = "gost2012-256-B"

// wantSignTool is ru-owner's subjectSignTool for a new key of the wizard
// on carrier; it names the key ("GOST R 34.10-2012 256 (paramSetB)").
func wantSignTool(t *testing.T, carrier string) string {
	t.Helper()
	set, err := profile.Load("")
	require.NoError(t, err)
	p, ok := set.Get("ru-owner")
	require.True(t, ok)
	s, err := p.RU().SubjectSignToolFor(carrier, wizardKey)
	require.NoError(t, err)
	require.Contains(t, s, "GOST R 34.10-2012 256 (paramSetB)")
	return s
}

// TestWizardReloadKeepsKey: the .p12 (the owner's GOST key) is opened
// once. Reloads at the terms, the personal data and the application step
// keep the key: the application is signed without the file. The new GOST
// key made for a file survives a reload at the issued step until the .p12
// is saved; the certificate names the file carrier; once delivered, the
// browser keeps nothing of the application.
func TestWizardReloadKeepsKey(t *testing.T) {
	owner := demoP12(t, "ru-owner")
	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000601", "reload-key@example.ru")
	tb.codes(appID)
	tb.openKey(owner.File, owner.Password)
	tb.waitStep("tariff")
	assert.Contains(t, tb.keptKeys(), "current-"+appID, "the proven key is kept for the application")

	tb.waitFor(`document.querySelector('#step-tariff input[type=radio]:checked') !== null`)
	tb.click("choose-tariff")
	tb.waitStep("terms")
	tb.reloadKeeps("terms")
	tb.tariffAndTermsFromTerms()
	tb.reloadKeeps("personal")
	tb.fillRussianOwner()
	tb.waitStep("application")
	tb.reloadKeeps("application")

	// Signed with the kept key: no picker, no file.
	tb.waitFor(`document.getElementById('sign-application') !== null`)
	assert.Zero(t, eval[int](tb, `document.querySelectorAll('#step-application #key-picker').length`), "the file is not asked for again")
	tb.click("sign-application")
	tb.waitStep("payment")
	tb.payToKey()
	tb.checkKeyStep()

	tb.fillEntropy()
	tb.click("generate-key")
	tb.waitStep("issued")
	assert.Contains(t, tb.keptKeys(), "file-"+appID, "the new file key waits in the browser for its file")
	tb.reloadKeeps("issued")
	tb.click("form-read")
	tb.click("acknowledge")
	tb.waitStep("save") // signed with the kept new key: no "open the new key's file"
	tb.step("save")
	tb.typeInto("file-password", "long file password 1")
	tb.typeInto("file-password-repeat", "long file password")
	tb.waitFor(`document.getElementById('save').disabled && document.getElementById('file-password-repeat').getAttribute('aria-invalid') === 'true'`)
	tb.typeInto("file-password-repeat", " 1")
	tb.waitFor(`!document.getElementById('save').disabled`)
	tb.click("save")
	tb.waitDelivered()

	issued := checkRenewed(t, tb, owner.certificate(t))
	assert.Equal(t, wantSignTool(t, profile.CarrierFile), signToolOf(t, issued))
	tb.waitKeptGone(appID)
}

// waitKeptGone waits until the browser keeps no key of the application
// (they are deleted as it ends, in the background).
func (tb *tab) waitKeptGone(appID string) {
	tb.t.Helper()
	var left []string
	for range 50 {
		left = left[:0]
		for _, n := range tb.keptKeys() {
			if strings.HasSuffix(n, appID) {
				left = append(left, n)
			}
		}
		if len(left) == 0 {
			return
		}
		evalAsync[string](tb, `new Promise(r => setTimeout(() => r(''), 100))`) // the browser's own timer
	}
	tb.t.Errorf("kept after the application ended: %v", left)
}

// TestWizardSeveralCertificatesInFile: a key store with three signatures
// (another person's, the owner's GOST one, and an expired one of the
// owner) gives a list with owner, issuer and validity, the expired one
// marked; the second is chosen, the card shows it and the proof is made
// with it. The renewal then finishes with a new GOST key saved to a file
// (no browser carrier for GOST), and the certificate names the file
// carrier.
func TestWizardSeveralCertificatesInFile(t *testing.T) {
	owner, other := demoP12(t, "ru-owner"), demoP12(t, "by-individual")
	read := func(s subscriber) keyfile.Entry {
		b, err := os.ReadFile(s.File)
		require.NoError(t, err)
		entries, err := keyfile.DecodePKCS12(b, s.Password)
		require.NoError(t, err)
		require.Len(t, entries, 1)
		return entries[0]
	}
	e1, e2 := read(other), read(owner)
	c1, c2 := e1.Cert, e2.Cert
	dir := filepath.Join(suite.DataDir, "demo")
	issuing, issuingKey, err := demo.LoadIssuer(dir)
	require.NoError(t, err)
	c3, k3, err := demo.Reissue(c2, issuing, issuingKey, time.Now().Add(-48*time.Hour))
	require.NoError(t, err)
	// keyfile writes the three keys (GOST and not) as one key store.
	store, err := keyfile.EncodePKCS12([]keyfile.Entry{e1, e2, {Key: k3, Cert: c3, Chain: e2.Chain}}, owner.Password, nil)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "store.p12")
	require.NoError(t, os.WriteFile(file, store, 0o600))

	tb := newWizardTab(t)
	tb.startWizard("service-ru-owner")
	appID := tb.contacts("+79000000602", "key-store@example.ru")
	tb.codes(appID)
	assert.Equal(t, "Файл не выбран", tb.text("#p12-file-name"), "the picker speaks the page's language")
	tb.upload("p12-file", file)
	tb.waitFor(`document.getElementById('p12-file-name').textContent === 'store.p12'`)
	tb.typeInto("p12-password", owner.Password)
	tb.click("open-key")
	tb.waitFor(`document.querySelectorAll('#p12-entries button[id^=p12-entry-]').length === 3`)
	tb.step("key-store-list")
	assert.Contains(t, tb.text("#p12-entry-0"), c1.Subject.CommonName)
	assert.Contains(t, tb.text("#p12-entry-1"), c2.Subject.CommonName)
	assert.Contains(t, tb.text("#p12-entry-1"), c2.Issuer.CommonName)
	assert.Contains(t, tb.text("#p12-entry-1"), c2.NotAfter.Format("02.01.2006"))
	assert.Equal(t, "false", eval[string](tb, `document.getElementById('p12-entry-1').dataset.expired`))
	assert.Equal(t, "true", eval[string](tb, `document.getElementById('p12-entry-2').dataset.expired`), "the expired one is marked")
	assert.Contains(t, tb.text("#p12-entry-2"), "срок действия истёк")

	tb.click("p12-entry-1")
	tb.confirmCard()
	assert.Equal(t, "Смирнов Алексей Викторович", tb.text("#cert-name"))
	tb.waitStep("tariff")
	var v struct {
		Certificate struct {
			Serial string `json:"serial"`
		} `json:"certificate"`
	}
	raw := evalAsync[string](tb, `fetch('/api/v1/renewal', {credentials: 'same-origin'}).then(r => r.text())`)
	require.NoError(t, json.Unmarshal([]byte(raw), &v), raw)
	assert.Equal(t, c2.SerialNumber.Text(16), v.Certificate.Serial, "the proof used the chosen signature")

	tb.tariffAndTerms()
	tb.fillRussianOwner()
	tb.signApplication()
	tb.payToKey()
	tb.checkKeyStep()
	tb.fillEntropy()
	tb.click("generate-key")
	tb.waitStep("issued")
	tb.acknowledgeAndSave() // the file carrier: a .p12 under a password
	issued := checkRenewed(t, tb, c2)
	assert.Equal(t, wantSignTool(t, profile.CarrierFile), signToolOf(t, issued))
	tb.waitKeptGone(appID)
}
