package api

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/ca"
	"renewal/ca/cms"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/demo"
	"renewal/ca/x509sig"
	"renewal/server/internal/payments"
)

// The workflow's part of the security cases (docs/security-cases.md),
// through the HTTP API on a real PostgreSQL. Each refusal is checked for
// its code and both messages, for the application's state unchanged and,
// where the refusal commits, for its audit event.

// refusedWith checks a refusal's status, code and messages.
func refusedWith(t *testing.T, status int, e wire.Error, wantStatus int, wantCode string) {
	t.Helper()
	assert.Equal(t, wantStatus, status, "%s: %s", e.Code, e.MessageEN)
	assert.Equal(t, wantCode, e.Code)
	assert.NotEmpty(t, e.MessageRU)
	assert.NotEmpty(t, e.MessageEN)
	assert.NotEqual(t, e.MessageRU, e.MessageEN)
}

// TestCase05ChallengeReplayed: a signed challenge is single-use; the
// second use is refused, leaves the application where it was and is in
// the audit trail.
func TestCase05ChallengeReplayed(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+79000005001", "replay5@example.ru")
	h.start("ru-owner")
	var ch wire.Challenge
	h.must("POST", "/api/v1/renewal/challenge", nil, &ch)
	p := h.proof(ch)
	h.must("POST", "/api/v1/renewal/proof", p, nil)
	require.Equal(t, "certificate_proven", h.state())
	require.False(t, f.auditHas(h.id, "refused:challenge_invalid"))

	status, e := h.call("POST", "/api/v1/renewal/proof", p, nil)
	refusedWith(t, status, e, 400, "challenge_invalid")
	assert.Equal(t, "certificate_proven", h.state())
	assert.True(t, f.auditHas(h.id, "refused:challenge_invalid"), "the replay is in the audit trail")
}

// TestCase06ChallengeAudienceAndAge: a challenge is bound to one
// application and lives five minutes.
func TestCase06ChallengeAudienceAndAge(t *testing.T) {
	f := newFlow(t)

	t.Run("fail/challenge-of-another-application", func(t *testing.T) {
		a := f.holder("ru-owner", "+79000006001", "aud-a@example.ru")
		a.start("ru-owner")
		b := f.holder("ru-owner", "+79000006002", "aud-b@example.ru")
		b.start("ru-owner")
		var chA wire.Challenge
		a.must("POST", "/api/v1/renewal/challenge", nil, &chA)
		// B answers A's challenge with his own certificate and key.
		status, e := b.call("POST", "/api/v1/renewal/proof", b.proof(chA), nil)
		refusedWith(t, status, e, 400, "challenge_invalid")
		assert.Equal(t, "contacts_verified", b.state())
		assert.True(t, f.auditHas(b.id, "refused:challenge_invalid"))
		// A's challenge was not spent by B's attempt.
		status, e = a.call("POST", "/api/v1/renewal/proof", a.proof(chA), nil)
		require.Less(t, status, 300, e.MessageEN)
	})
	t.Run("fail/signature-for-another-audience", func(t *testing.T) {
		a := f.holder("ru-owner", "+79000006003", "aud-c@example.ru")
		a.start("ru-owner")
		var ch wire.Challenge
		a.must("POST", "/api/v1/renewal/challenge", nil, &ch)
		// The same nonce, signed in a message that names another
		// application: the signature is not over this audience.
		other := bytes.Replace(ch.Message, []byte("application: "+a.id), []byte("application: someoneelsesapp1"), 1)
		require.NotEqual(t, ch.Message, other)
		p := a.proof(ch)
		p.Signature = a.sign(other)
		status, e := a.call("POST", "/api/v1/renewal/proof", p, nil)
		refusedWith(t, status, e, 400, "proof_signature")
		assert.Equal(t, "contacts_verified", a.state())
		assert.True(t, f.auditHas(a.id, "refused:proof_signature"))
	})
	t.Run("ok/four-minutes-fifty-nine", func(t *testing.T) {
		a := f.holder("ru-owner", "+79000006004", "aud-d@example.ru")
		a.start("ru-owner")
		var ch wire.Challenge
		a.must("POST", "/api/v1/renewal/challenge", nil, &ch)
		f.clock.Travel(5*time.Minute - time.Second)
		defer f.clock.Travel(-(5*time.Minute - time.Second))
		status, e := a.call("POST", "/api/v1/renewal/proof", a.proof(ch), nil)
		require.Less(t, status, 300, e.MessageEN)
		assert.Equal(t, "certificate_proven", a.state())
	})
	t.Run("fail/older-than-five-minutes", func(t *testing.T) {
		a := f.holder("ru-owner", "+79000006005", "aud-e@example.ru")
		a.start("ru-owner")
		var ch wire.Challenge
		a.must("POST", "/api/v1/renewal/challenge", nil, &ch)
		f.clock.Travel(5*time.Minute + time.Second)
		defer f.clock.Travel(-(5*time.Minute + time.Second))
		status, e := a.call("POST", "/api/v1/renewal/proof", a.proof(ch), nil)
		refusedWith(t, status, e, 400, "challenge_invalid")
		assert.Equal(t, "contacts_verified", a.state())
		assert.True(t, f.auditHas(a.id, "refused:challenge_invalid"))
	})
}

// TestCase24ThreeWrongCodesLock: the third wrong code voids the code, the
// fourth try (even the right code) is refused, and the channel is locked
// for a cooldown counted from the voiding, however long the code had
// lived; after it, a new code verifies. Each wrong try is audited.
func TestCase24ThreeWrongCodesLock(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+79000024001", "lock24@example.ru")
	h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
	right := h.code(h.phone)
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	// Late in the code's life: the resend pause since it was sent is over.
	f.clock.Travel(9 * time.Minute)
	defer f.clock.Travel(-9 * time.Minute)
	for _, want := range []string{"code_wrong", "code_wrong", "code_voided"} {
		status, e := h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: wrong}, nil)
		refusedWith(t, status, e, 400, want)
	}
	status, e := h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: right}, nil)
	refusedWith(t, status, e, 400, "code_voided")
	assert.Equal(t, "started", h.state(), "the flow does not move")
	assert.True(t, f.auditHas(h.id, "refused:code_wrong"))
	assert.True(t, f.auditHas(h.id, "refused:code_voided"))

	status, e = h.call("POST", "/api/v1/renewal/codes", wire.CodeResend{Channel: "sms"}, nil)
	refusedWith(t, status, e, 429, "code_cooldown")
	assert.True(t, f.auditHas(h.id, "refused:code_cooldown"))
	f.clock.Travel(9 * time.Minute)
	defer f.clock.Travel(-9 * time.Minute)
	status, e = h.call("POST", "/api/v1/renewal/codes", wire.CodeResend{Channel: "sms"}, nil)
	refusedWith(t, status, e, 429, "code_cooldown")
	assert.Equal(t, right, h.code(h.phone), "no new code was sent")

	f.clock.Travel(61 * time.Second)
	defer f.clock.Travel(-61 * time.Second)
	h.must("POST", "/api/v1/renewal/codes", wire.CodeResend{Channel: "sms"}, nil)
	h.must("POST", "/api/v1/renewal/codes", wire.CodeResend{Channel: "email"}, nil) // the first has expired meanwhile
	h.must("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: h.code(h.phone), EmailCode: h.code(h.email)}, nil)
	assert.Equal(t, "contacts_verified", h.state(), "after the cooldown a new code verifies")
}

// TestCase25CodeExpiredOrUsed: a code lives ten minutes and is used once.
func TestCase25CodeExpiredOrUsed(t *testing.T) {
	f := newFlow(t)
	t.Run("ok/nine-minutes-fifty-nine", func(t *testing.T) {
		h := f.holder("ru-owner", "+79000025001", "ttl1@example.ru")
		h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
		f.clock.Travel(10*time.Minute - time.Second)
		defer f.clock.Travel(-(10*time.Minute - time.Second))
		h.must("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: h.code(h.phone), EmailCode: h.code(h.email)}, nil)
		assert.Equal(t, "contacts_verified", h.state())
	})
	t.Run("fail/ten-minutes-one-second", func(t *testing.T) {
		h := f.holder("ru-owner", "+79000025002", "ttl2@example.ru")
		h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
		f.clock.Travel(10*time.Minute + time.Second)
		defer f.clock.Travel(-(10*time.Minute + time.Second))
		status, e := h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: h.code(h.phone)}, nil)
		refusedWith(t, status, e, 400, "code_expired")
		assert.Equal(t, "started", h.state())
		assert.True(t, f.auditHas(h.id, "refused:code_expired"))
	})
	t.Run("fail/used-twice", func(t *testing.T) {
		h := f.holder("ru-owner", "+79000025003", "ttl3@example.ru")
		h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
		code := h.code(h.phone)
		h.must("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: code}, nil)
		status, e := h.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: code}, nil)
		refusedWith(t, status, e, 400, "code_used")
		assert.Equal(t, "started", h.state(), "the e-mail is still to verify")
		assert.True(t, f.auditHas(h.id, "refused:code_used"))
	})
}

// TestCase28CodesThrottled: fifty requests for codes in an hour to one
// phone (from fifty addresses), or from one address (to fifty phones),
// get five codes; the rest are refused and open nothing. An hour later
// codes are sent again.
func TestCase28CodesThrottled(t *testing.T) {
	f := newFlow(t)
	applications := func(where string, arg any) int {
		var n int
		require.NoError(t, f.st.Pool().QueryRow(context.Background(), "SELECT count(*) FROM application WHERE "+where, arg).Scan(&n))
		return n
	}
	start := func(h *holder) (int, wire.Error) {
		return h.call("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
	}
	t.Run("fail/one-phone", func(t *testing.T) {
		const phone = "+79000028000"
		ok, refusals := 0, 0
		for i := range 50 {
			h := f.holder("ru-owner", "", "") // a new client address each time
			h.phone, h.email = phone, fmt.Sprintf("phone%d@example.ru", i)
			status, e := start(h)
			if status < 300 {
				ok++
				continue
			}
			refusedWith(t, status, e, 429, "too_many_codes")
			refusals++
		}
		assert.Equal(t, 5, ok, "five codes an hour to one phone")
		assert.Equal(t, 45, refusals)
		assert.Equal(t, 5, applications("phone = $1", phone), "a refused start opens nothing")
	})
	t.Run("fail/one-address", func(t *testing.T) {
		h := f.holder("ru-owner", "", "")
		ok := 0
		for i := range 50 {
			h.phone, h.email = fmt.Sprintf("+7900002%04d", 8100+i), fmt.Sprintf("ip%d@example.ru", i)
			status, e := start(h)
			if status < 300 {
				ok++
				continue
			}
			refusedWith(t, status, e, 429, "too_many_codes")
		}
		assert.Equal(t, 5, ok, "five codes an hour from one address")
		assert.Equal(t, 5, applications("client_ip = $1", h.ip))
	})
	t.Run("ok/an-hour-later", func(t *testing.T) {
		f.clock.Travel(61 * time.Minute)
		defer f.clock.Travel(-61 * time.Minute)
		h := f.holder("ru-owner", "", "")
		h.phone, h.email = "+79000028000", "later@example.ru"
		status, e := start(h)
		assert.Less(t, status, 300, e.MessageEN)
	})
}

// TestCase17IdentifiersAtTheForm: the personal-data form refuses a wrong
// check digit (and a passport of the wrong shape, case 20) with the
// identifier package's message, and leaves the step as it was; the
// passport "46 03 123456" (no check digit) passes.
func TestCase17IdentifiersAtTheForm(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+79000017001", "form17@example.ru")
	h.start("ru-owner")
	status, e := h.prove()
	require.Less(t, status, 300, e.MessageEN)
	h.acceptTerms()
	good := wire.PersonalData{PassportSeries: "4510", PassportNumber: "123456", PassportIssued: "2015-06-01", SNILS: "693-849-373 75", INN: "771952685970"}
	for _, c := range []struct {
		name   string
		mutate func(*wire.PersonalData)
		code   string
		ru     string
	}{
		{"fail/snils-check-digit", func(p *wire.PersonalData) { p.SNILS = "693-849-373 76" }, "invalid_snils", "СНИЛС"},
		{"fail/inn-check-digit", func(p *wire.PersonalData) { p.INN = "771952685971" }, "invalid_inn", "ИНН"},
		{"fail/passport-4603-12345", func(p *wire.PersonalData) { p.PassportSeries, p.PassportNumber = "4603", "12345" }, "invalid_passport", "аспорт"},
		{"fail/passport-with-letters", func(p *wire.PersonalData) { p.PassportSeries, p.PassportNumber = "46О3", "123456" }, "invalid_passport", "аспорт"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pd := good
			c.mutate(&pd)
			status, e := h.call("POST", "/api/v1/renewal/personal-data", pd, nil)
			refusedWith(t, status, e, 400, c.code)
			assert.Contains(t, e.MessageRU, c.ru)
			assert.Equal(t, "terms_accepted", h.state())
			assert.True(t, f.auditHas(h.id, "refused:"+c.code))
		})
	}
	t.Run("ok/passport-46-03-123456", func(t *testing.T) {
		pd := good
		pd.PassportSeries, pd.PassportNumber = "46 03", "123456"
		h.must("POST", "/api/v1/renewal/personal-data", pd, nil)
		assert.NotEqual(t, "terms_accepted", h.state(), "accepted: the check runs")
	})
}

// TestCase31HeadOfAnotherOrganisation: a head's certificate that names
// another ИННЮЛ is refused, even though its holder is the person the
// register names as the head of the employee's organisation (same СНИЛС
// and ИНН): the organisation is compared, not only the person.
func TestCase31HeadOfAnotherOrganisation(t *testing.T) {
	f := newFlow(t)
	emp, _ := f.employeeFiles("ru-employee", "ru-poa", "+79000031001", "petrova31@severny-veter.example.ru", petrovaData)
	boss := f.holder("ru-head", "", "")
	own := attributeOf(boss.cert, "1.2.643.100.4")
	require.NotEmpty(t, own)
	other := f.holder("ru-head", "", "")
	other.cert, other.key = f.withSubjectValue(boss.cert, own, "7707083893") // Сбербанк's ИНН, a valid one
	require.Equal(t, "7707083893", attributeOf(other.cert, "1.2.643.100.4"))

	status, e := other.headProves(emp.approvalToken("ivanov@severny-veter.example.ru"))
	refusedWith(t, status, e, 403, "other_organisation")
	assert.Equal(t, "awaiting_approval", emp.state())
	assert.True(t, f.auditHas(emp.id, "refused:other_organisation"), "in the trail of the waiting request")
}

// withSubjectValue is base with one value of its subject replaced (of the
// same length), a new key and serial, signed by the demo issuing CA.
func (f *flow) withSubjectValue(base *x509.Certificate, old, value string) (*x509.Certificate, crypto.Signer) {
	f.t.Helper()
	require.Equal(f.t, len(old), len(value))
	issuer, issuerKey, err := demo.LoadIssuer(f.demo.Dir)
	require.NoError(f.t, err)
	key := newKeyFor(f.t, base)
	tmpl := *base
	tmpl.RawSubject = bytes.Replace(base.RawSubject, []byte(old), []byte(value), 1)
	require.NotEqual(f.t, base.RawSubject, tmpl.RawSubject)
	tmpl.SerialNumber, err = ca.NewSerial()
	require.NoError(f.t, err)
	tmpl.SubjectKeyId = nil
	der, err := ca.CreateCertificate(&tmpl, issuer, key.Public(), issuerKey)
	require.NoError(f.t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(f.t, err)
	return cert, key
}

// TestCase33ConfirmationOfAnotherRequest: the head's signature over one
// confirmation does not confirm another: submitted for a confirmation of
// another employee's request it is refused and moves nothing; over its
// own confirmation it confirms that request only.
func TestCase33ConfirmationOfAnotherRequest(t *testing.T) {
	f := newFlow(t)
	first, _ := f.employeeFiles("ru-employee", "ru-poa", "+79000033001", "p33a@severny-veter.example.ru", petrovaData)
	second, _ := f.employeeFiles("ru-employee", "ru-poa", "+79000033002", "p33b@severny-veter.example.ru", petrovaData)
	boss := f.holder("ru-head", "", "")
	status, e := boss.headProves(first.approvalToken("ivanov@severny-veter.example.ru"))
	require.Less(t, status, 300, e.MessageEN)

	var c1, c2 wire.Confirmation
	boss.must("POST", "/api/v1/approval/confirmation", wire.ConfirmationRequest{Applications: []string{first.id}}, &c1)
	boss.must("POST", "/api/v1/approval/confirmation", wire.ConfirmationRequest{Applications: []string{second.id}}, &c2)
	require.NotEqual(t, c1.ID, c2.ID)
	require.True(t, strings.Contains(string(c2.Document), second.id))
	sig1, err := cms.SignDetached(c1.Document, boss.cert, boss.chain, time.Now(), cms.MessageSignerFunc(boss.key))
	require.NoError(t, err)

	status, e = boss.call("POST", "/api/v1/approval/confirmation/"+c2.ID+"/signature", wire.ConfirmationSignature{Signature: sig1}, nil)
	refusedWith(t, status, e, 400, "confirmation_signature")
	assert.Equal(t, "awaiting_approval", first.state())
	assert.Equal(t, "awaiting_approval", second.state())
	assert.True(t, f.auditHas(second.id, "refused:confirmation_signature"), "in the trail of the request it names")
	assert.False(t, f.auditHas(first.id, "refused:confirmation_signature"))

	boss.must("POST", "/api/v1/approval/confirmation/"+c1.ID+"/signature", wire.ConfirmationSignature{Signature: sig1}, nil)
	assert.NotEqual(t, "awaiting_approval", first.state(), "its own confirmation confirms the first")
	assert.Equal(t, "awaiting_approval", second.state(), "and nothing else")
}

// TestCaseRequestRefusedAtUpload: the new key's request is checked by the
// authority when it arrives (cases 9-12, 15 and the part of 14/16 that
// holds today): the current key, a bad signature, another subject, an
// algorithm the authority does not support (Ed25519), an unreadable GOST
// key, a GOST key the profile does not take, garbage, a truncated request and a 10 MB body are each refused
// with a 4xx, audited when the application is known, and change nothing;
// then a good request issues exactly one certificate.
func TestCaseRequestRefusedAtUpload(t *testing.T) {
	f := newFlow(t)
	h := f.toPayment("+375290009001", "upload@example.by")
	p, ref := h.pay()
	require.Equal(t, 200, f.notify(event("ev-upload", payments.EventSucceeded, p, ref), time.Now(), f.webhookSecret))
	h.waitState("key_pending")

	mkCSR := func(key crypto.Signer, rawSubject []byte) []byte {
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: rawSubject}, key)
		require.NoError(t, err)
		return der
	}
	fresh := func() crypto.Signer {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		return k
	}
	badSig := mkCSR(fresh(), nil)
	badSig[len(badSig)-3] ^= 1
	good := mkCSR(fresh(), nil)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	otherSubject := f.holder("by-employee", "", "").cert.RawSubject

	for _, c := range []struct {
		name    string
		csr     []byte
		status  int
		code    string
		audited bool
	}{
		{"fail/case09-current-key", mkCSR(h.key, nil), 400, "key_reused", true},
		{"fail/case10-key-of-another-certificate", mkCSR(f.holder("by-individual", "", "").key, nil), 400, "key_reused", true},
		{"fail/case11-bad-signature", badSig, 400, "bad_signature", true},
		{"fail/case12-other-subject", mkCSR(fresh(), otherSubject), 400, "subject_changed", true},
		{"fail/case16-ed25519", mkCSR(edKey, nil), 400, "unsupported_algorithm", true},
		{"fail/case14-gost-key-unreadable", gostLikeRequest(t), 400, "bad_csr", true},
		{"fail/case14-gost-key-the-profile-does-not-take", gostRequest(t), 400, "key_not_allowed", true},
		{"fail/case15-garbage", []byte("not a certificate request at all"), 400, "bad_request_file", false},
		{"fail/case15-truncated", good[:len(good)/2], 400, "bad_request_file", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, e := h.call("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: c.csr}, nil)
			refusedWith(t, status, e, c.status, c.code)
			assert.Equal(t, "key_pending", h.state())
			assert.Zero(t, f.certificates(h.id), "nothing issued")
			if c.audited {
				assert.True(t, f.auditHas(h.id, "refused:"+c.code), "audited")
			}
		})
	}
	t.Run("fail/case15-ten-megabytes", func(t *testing.T) {
		// Over a real socket: the declared length alone refuses it,
		// before a byte of the body is read.
		status, body := postHeadersOnly(t, listen(t, f.app), "/api/v1/renewal/request", "", 10<<20)
		assert.Equal(t, 413, status)
		e := decodeError(t, body)
		assert.Equal(t, "body_too_large", e.Code)
		assert.NotEmpty(t, e.MessageRU)
		assert.Equal(t, "key_pending", h.state())
	})

	h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: good}, nil)
	h.waitState("issued")
	assert.Equal(t, 1, f.certificates(h.id), "one certificate after all the refusals")
}

// gostRequest is a real PKCS#10 request with a GOST R 34.10-2012 key,
// signed by x509sig: the authority verifies it, and the default profiles
// take no GOST key (yet).
func gostRequest(t *testing.T) []byte {
	t.Helper()
	k, err := gost3410.GenerateKey(gost3410.Curve256A(), rand.Reader)
	require.NoError(t, err)
	der, err := x509sig.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, k)
	require.NoError(t, err)
	return der
}

// gostLikeRequest is a PKCS#10 request with a GOST R 34.10-2012 256-bit
// key and signature algorithm whose key bytes are random (not even the
// OCTET STRING RFC 9215 wants): Go's x509 parses it, the authority's
// GOST parser refuses it.
func gostLikeRequest(t *testing.T) []byte {
	t.Helper()
	type spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	type info struct {
		Version    int
		Subject    asn1.RawValue
		PublicKey  spki
		Attributes asn1.RawValue `asn1:"tag:0"`
	}
	params, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 2, 643, 7, 1, 2, 1, 1, 1}, {1, 2, 643, 7, 1, 1, 2, 2}})
	require.NoError(t, err)
	pub := make([]byte, 66)
	_, _ = rand.Read(pub)
	emptyName, err := asn1.Marshal(pkix.RDNSequence{})
	require.NoError(t, err)
	sig := make([]byte, 64)
	_, _ = rand.Read(sig)
	der, err := asn1.Marshal(struct {
		TBS       info
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}{info{
		Subject: asn1.RawValue{FullBytes: emptyName},
		PublicKey: spki{
			Algorithm: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 1, 1}, Parameters: asn1.RawValue{FullBytes: params}},
			PublicKey: asn1.BitString{Bytes: pub, BitLength: len(pub) * 8},
		},
		Attributes: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true},
	}, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 3, 2}}, asn1.BitString{Bytes: sig, BitLength: 512}})
	require.NoError(t, err)
	_, err = x509.ParseCertificateRequest(der)
	require.NoError(t, err, "Go parses it")
	return der
}

// TestCase07RemoteChainRefusedAtProof: in Russia a current certificate
// that was itself issued remotely (IdentificationKind 1) cannot renew
// remotely: refused at the proof, before anything is paid for, with the
// ways out (in person, biometrics), audited, nothing moved.
func TestCase07RemoteChainRefusedAtProof(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+79000007001", "kind1@example.ru")
	kind, err := asn1.Marshal(1)
	require.NoError(t, err)
	h.cert, h.key = f.withExtension(h.cert, pkix.Extension{Id: asn1.ObjectIdentifier{1, 2, 643, 100, 114}, Value: kind})
	h.start("ru-owner")
	status, e := h.prove()
	refusedWith(t, status, e, 403, "remote_chain")
	assert.Contains(t, e.MessageRU, "личная идентификация")
	assert.Contains(t, e.MessageRU, "биометри")
	assert.Contains(t, e.MessageEN, "biometrics")
	assert.Equal(t, "contacts_verified", h.state())
	assert.True(t, f.auditHas(h.id, "refused:remote_chain"))
}

// withExtension is base with one more extension, a new key and serial,
// signed by the demo issuing CA.
func (f *flow) withExtension(base *x509.Certificate, ext pkix.Extension) (*x509.Certificate, crypto.Signer) {
	f.t.Helper()
	issuer, issuerKey, err := demo.LoadIssuer(f.demo.Dir)
	require.NoError(f.t, err)
	key := newKeyFor(f.t, base)
	tmpl := *base
	tmpl.ExtraExtensions = []pkix.Extension{ext}
	tmpl.SerialNumber, err = ca.NewSerial()
	require.NoError(f.t, err)
	tmpl.SubjectKeyId = nil
	der, err := ca.CreateCertificate(&tmpl, issuer, key.Public(), issuerKey)
	require.NoError(f.t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(f.t, err)
	return cert, key
}

// TestCase32HeadNoLongerEntitled: at the moment the head signs, his
// certificate is checked again (revoked, expired) and so is the register
// (still the head?): each refuses, moves nothing and is in the trail of
// the request. The МЧД (machine-readable power of attorney) is not part
// of this service: the head confirms with his own signature.
func TestCase32HeadNoLongerEntitled(t *testing.T) {
	f := newFlow(t)
	head := func(t *testing.T, phone, email string) (*holder, *holder) {
		emp, _ := f.employeeFiles("ru-employee", "ru-poa", phone, email, petrovaData)
		boss := f.holder("ru-head", "", "")
		return emp, boss
	}
	t.Run("fail/certificate-revoked", func(t *testing.T) {
		emp, boss := head(t, "+79000032001", "p32a@severny-veter.example.ru")
		boss.cert, boss.key = f.reissue(boss.cert)
		status, e := boss.headProves(emp.approvalToken("ivanov@severny-veter.example.ru"))
		require.Less(t, status, 300, e.MessageEN)
		require.NoError(t, f.st.CA().Revoke(context.Background(), boss.cert.SerialNumber, ca.ReasonKeyCompromise, time.Now()))
		status, e = boss.confirm(emp.id)
		refusedWith(t, status, e, 403, "cert_revoked")
		assert.Equal(t, "awaiting_approval", emp.state())
		assert.True(t, f.auditHas(emp.id, "refused:cert_revoked"))
	})
	t.Run("fail/certificate-expired", func(t *testing.T) {
		emp, boss := head(t, "+79000032002", "p32b@severny-veter.example.ru")
		issuer, key, err := demo.LoadIssuer(f.demo.Dir)
		require.NoError(t, err)
		boss.cert, boss.key, err = demo.Reissue(boss.cert, issuer, key, f.clock.Now().Add(10*time.Minute))
		require.NoError(t, err)
		status, e := boss.headProves(emp.approvalToken("ivanov@severny-veter.example.ru"))
		require.Less(t, status, 300, e.MessageEN)
		f.clock.Travel(11 * time.Minute)
		defer f.clock.Travel(-11 * time.Minute)
		status, e = boss.confirm(emp.id)
		refusedWith(t, status, e, 403, "cert_expired")
		assert.Equal(t, "awaiting_approval", emp.state())
		assert.True(t, f.auditHas(emp.id, "refused:cert_expired"))
	})
	t.Run("fail/no-longer-head-in-the-register", func(t *testing.T) {
		emp, boss := head(t, "+79000032003", "p32c@severny-veter.example.ru")
		status, e := boss.headProves(emp.approvalToken("ivanov@severny-veter.example.ru"))
		require.Less(t, status, 300, e.MessageEN)
		d := f.registry.Data()
		before := f.registry.Data()
		for i, o := range d.Organisations {
			if o.Jurisdiction == "RU" && o.INN == attributeOf(boss.cert, "1.2.643.100.4") {
				d.Organisations[i].Head = "Новый Руководитель Назначенович"
			}
		}
		f.registry.Replace(d)
		defer f.registry.Replace(before)
		status, e = boss.confirm(emp.id)
		refusedWith(t, status, e, 403, "not_head")
		assert.Equal(t, "awaiting_approval", emp.state())
		assert.True(t, f.auditHas(emp.id, "refused:not_head"))
	})
}

// TestCase34OwnRequestRefused: a head may not confirm his own request
// (the same СНИЛС); the refusal is in the request's trail.
func TestCase34OwnRequestRefused(t *testing.T) {
	f := newFlow(t)
	own, _ := f.employeeFiles("ru-head", "ru-poa", "+79000034001", "ivanov34@severny-veter.example.ru", ivanovData)
	boss := f.reissued("ru-head") // another certificate of the same person
	status, e := boss.headProves(own.approvalToken("ivanov@severny-veter.example.ru"))
	require.Less(t, status, 300, e.MessageEN)
	status, e = boss.confirm(own.id)
	refusedWith(t, status, e, 403, "own_request")
	assert.Equal(t, "awaiting_approval", own.state())
	assert.True(t, f.auditHas(own.id, "refused:own_request"))
}

// TestCase31HeadCertificateWithAnotherOGRN: the right ИННЮЛ but the ОГРН
// of another entity is not this organisation's head either.
func TestCase31HeadCertificateWithAnotherOGRN(t *testing.T) {
	f := newFlow(t)
	emp, _ := f.employeeFiles("ru-employee", "ru-poa", "+79000031002", "petrova31b@severny-veter.example.ru", petrovaData)
	boss := f.holder("ru-head", "", "")
	own := attributeOf(boss.cert, "1.2.643.100.1")
	require.NotEmpty(t, own)
	other := f.holder("ru-head", "", "")
	other.cert, other.key = f.withSubjectValue(boss.cert, own, "1027700132195") // Сбербанк's ОГРН, a valid one
	require.Equal(t, attributeOf(boss.cert, "1.2.643.100.4"), attributeOf(other.cert, "1.2.643.100.4"), "same ИННЮЛ")

	status, e := other.headProves(emp.approvalToken("ivanov@severny-veter.example.ru"))
	refusedWith(t, status, e, 403, "other_organisation")
	assert.Equal(t, "awaiting_approval", emp.state())
	assert.True(t, f.auditHas(emp.id, "refused:other_organisation"))
	// The head's own certificate, with the registered ОГРН, proves in
	// TestApprovalRussia and the other approval flows.
}

// TestCase27OtherContactsTellTheOldOnes: an application's contacts never
// change; coming back with another phone and e-mail is a new application
// whose contacts are verified afresh (the old contacts' codes do not
// count), and the contacts already verified for the certificate hear of
// it: the first application's e-mail gets its resume link, its phone an
// SMS naming the certificate.
func TestCase27OtherContactsTellTheOldOnes(t *testing.T) {
	f := newFlow(t)
	first := f.holder("ru-owner", "+79000027001", "first27@example.ru")
	first.start("ru-owner")
	status, e := first.prove()
	require.Less(t, status, 300, e.MessageEN)
	oldCode := first.code(first.phone)

	second := first.otherBrowser()
	second.phone, second.email = "+79000027002", "second27@example.ru"
	second.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: second.phone, Email: second.email}, nil)
	status, e = second.call("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: oldCode}, nil)
	if oldCode != second.code(second.phone) {
		refusedWith(t, status, e, 400, "code_wrong")
	}
	second.must("POST", "/api/v1/renewal/contacts", wire.CodeCheck{SMSCode: second.code(second.phone), EmailCode: second.code(second.email)}, nil)
	require.Equal(t, "contacts_verified", second.state(), "the new contacts verified by their own codes")

	status, e = second.prove()
	refusedWith(t, status, e, 409, "open_application")
	assert.Equal(t, "contacts_verified", second.state())
	assert.True(t, f.auditHas(second.id, "refused:open_application"))
	assert.Contains(t, first.lastMessage(first.email), "/resume/", "the old e-mail is told")
	sms := first.lastMessage(first.phone)
	assert.Contains(t, sms, "другим телефоном", "the old phone is told")
	serial := strings.ToUpper(first.cert.SerialNumber.Text(16))
	assert.Contains(t, sms, serial[len(serial)-8:])
}
