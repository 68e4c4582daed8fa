package ca_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"net"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/lint"
	"renewal/ca/profile"
)

// The authority's part of the security cases (docs/security-cases.md).
// Each refusal is checked the same way: the sentinel, both messages,
// nothing recorded (no intent, no certificate) and the issuing key never
// asked to sign.

// countedFixture is newFixture whose issuing key counts its signatures.
func countedFixture(tb testing.TB, opts ...fixtureOpt) (*fixture, *countingSigner) {
	tb.Helper()
	cs := &countingSigner{}
	opts = append(opts, cs.wrap)
	return newFixture(tb, opts...), cs
}

// refused checks a refusal of the authority: the sentinel, a Russian and
// an English message, and nothing issued or signed.
func refused(t *testing.T, f *fixture, cs *countingSigner, err error, want *ca.Error) *ca.Error {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, want)
	var e *ca.Error
	require.True(t, errors.As(err, &e), "%T %v", err, err)
	assert.NotEmpty(t, e.RU)
	assert.NotEmpty(t, e.EN)
	assert.Empty(t, f.store.Intents(), "no intent recorded")
	assert.Len(t, f.store.IssuedCertificates(), f.demoN, "no certificate recorded")
	if cs != nil {
		assert.Zero(t, cs.n.Load(), "the issuing key never signed")
	}
	return e
}

// valuesOf reads a certificate's subject back into the profile's names.
func valuesOf(tb testing.TB, prof *profile.Profile, c *x509.Certificate) map[string]string {
	tb.Helper()
	attrs, err := profile.ParseName(c.RawSubject)
	require.NoError(tb, err)
	out := map[string]string{}
	for _, a := range attrs {
		spec, ok := prof.Attribute(a.OID)
		require.True(tb, ok, "attribute %s of %s", a.OID, prof.Name())
		out[spec.Name] = a.Value
	}
	return out
}

// replaceAttribute re-encodes a subject with one attribute's value
// replaced, every tag and RDN as it was.
func replaceAttribute(tb testing.TB, raw []byte, oid asn1.ObjectIdentifier, value string) []byte {
	tb.Helper()
	attrs, err := profile.ParseName(raw)
	require.NoError(tb, err)
	type atv struct {
		Type  asn1.ObjectIdentifier
		Value asn1.RawValue
	}
	type atvSET []atv
	var rdns []atvSET
	found := false
	for _, a := range attrs {
		v := a.Value
		if a.OID.Equal(oid) {
			require.NotEqual(tb, v, value)
			v, found = value, true
		}
		item := atv{a.OID, asn1.RawValue{Class: asn1.ClassUniversal, Tag: a.Tag, Bytes: []byte(v)}}
		if len(rdns) == a.RDN+1 {
			rdns[a.RDN] = append(rdns[a.RDN], item)
		} else {
			rdns = append(rdns, atvSET{item})
		}
	}
	require.True(tb, found, "attribute %s in the subject", oid)
	out, err := asn1.Marshal(rdns)
	require.NoError(tb, err)
	return out
}

func lastDigitChanged(s string) string {
	b := []byte(s)
	b[len(b)-1] = '0' + (b[len(b)-1]-'0'+1)%10
	return string(b)
}

// TestCase01ExpiredOneSecondAgo: validity is decided by the authority's
// clock and notAfter is inclusive (RFC 5280): at notAfter the certificate
// still renews, one second later it does not (no grace in the default
// profiles), at the proof and at the issuance.
func TestCase01ExpiredOneSecondAgo(t *testing.T) {
	ctx := context.Background()
	for _, scenario := range []string{"ru-owner", "by-individual"} {
		t.Run("ok/"+scenario+"/at-not-after", func(t *testing.T) {
			f := newFixture(t)
			r := f.request(t, scenario, newKey(t, "p256"), "t")
			f.clock.Set(r.Current.NotAfter)
			require.NoError(t, f.auth.CheckCurrent(ctx, r.Profile, r.Current, nil))
			_, err := f.auth.Renew(ctx, r)
			require.NoError(t, err)
		})
		t.Run("fail/"+scenario+"/one-second-after", func(t *testing.T) {
			f, cs := countedFixture(t)
			r := f.request(t, scenario, newKey(t, "p256"), "t")
			f.clock.Set(r.Current.NotAfter.Add(time.Second))
			assert.ErrorIs(t, f.auth.CheckCurrent(ctx, r.Profile, r.Current, nil), ca.ErrCertExpired, "refused at the proof")
			_, err := f.auth.Renew(ctx, r)
			refused(t, f, cs, err, ca.ErrCertExpired)
		})
	}
}

// TestCase08ExpiredTwoMonths: whether an expired certificate may still
// renew is the jurisdiction's policy. A Belarusian profile configured with
// a grace of two months (as ИИЦ allows) renews a certificate that expired
// two months ago; the Russian profile refuses the same case, and so does
// the Belarusian default, which has no grace.
func TestCase08ExpiredTwoMonths(t *testing.T) {
	ctx := context.Background()
	const twoMonths = 61 * day
	iic, err := profile.LoadBytes([]byte("profiles:\n  by-individual:\n    renewal_window_days: 90\n    grace_days: 62\n"))
	require.NoError(t, err)

	t.Run("ok/by-iic-policy", func(t *testing.T) {
		f := newFixture(t, func(c *ca.Config) { c.Profiles = iic })
		r := f.request(t, "by-individual", newKey(t, "p256"), "t")
		f.clock.Set(r.Current.NotAfter.Add(twoMonths))
		require.NoError(t, f.auth.CheckCurrent(ctx, r.Profile, r.Current, nil))
		got, err := f.auth.Renew(ctx, r)
		require.NoError(t, err)
		assert.Equal(t, r.Current.SerialNumber, got.Replaces)
	})
	t.Run("fail/ru-same-case", func(t *testing.T) {
		f, cs := countedFixture(t, func(c *ca.Config) { c.Profiles = iic }) // the Russian profile keeps its own rule
		r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
		f.clock.Set(r.Current.NotAfter.Add(twoMonths))
		assert.ErrorIs(t, f.auth.CheckCurrent(ctx, r.Profile, r.Current, nil), ca.ErrCertExpired)
		_, err := f.auth.Renew(ctx, r)
		refused(t, f, cs, err, ca.ErrCertExpired)
	})
	t.Run("fail/by-default-profile", func(t *testing.T) {
		f, cs := countedFixture(t)
		r := f.request(t, "by-individual", newKey(t, "p256"), "t")
		f.clock.Set(r.Current.NotAfter.Add(twoMonths))
		_, err := f.auth.Renew(ctx, r)
		refused(t, f, cs, err, ca.ErrCertExpired)
	})
}

// TestCase12SubjectChanged: a CSR that names another person, СНИЛС, ИНН,
// ИННЮЛ or ОГРН than the current certificate is no renewal. Each value
// below is itself valid (check digits and all): only the change refuses.
func TestCase12SubjectChanged(t *testing.T) {
	for _, c := range []struct {
		name  string
		oid   asn1.ObjectIdentifier
		value string
	}{
		{"name", asn1.ObjectIdentifier{2, 5, 4, 3}, "Петров Пётр Петрович"},
		{"surname", asn1.ObjectIdentifier{2, 5, 4, 4}, "Сидорова"},
		{"snils", profile.OIDSNILS, "11223344595"},
		{"inn", profile.OIDINN, "500100732259"},
		{"innle", profile.OIDINNLE, "7707083893"},
		{"ogrn", profile.OIDOGRN, "1027700132195"},
	} {
		t.Run("fail/"+c.name, func(t *testing.T) {
			f, cs := countedFixture(t)
			key := newKey(t, "p256")
			r := f.request(t, "ru-employee", key, "t")
			r.CSR = csr(t, key, replaceAttribute(t, r.Current.RawSubject, c.oid, c.value))
			assert.ErrorIs(t, f.auth.CheckRequest(context.Background(), r.Profile, r.Current, r.CSR), ca.ErrSubjectChanged, "refused when the request arrives")
			_, err := f.auth.Renew(context.Background(), r)
			e := refused(t, f, cs, err, ca.ErrSubjectChanged)
			assert.Contains(t, e.RU, "новый выпуск")
			assert.Contains(t, e.EN, "new issuance")
		})
	}
}

// TestCase13CSRAsksForMore: a CSR asking for CA:true, a certificate-signing
// key usage, other extended key usages and policies (anyPolicy, КС2) and
// subject alternative names gets none of it: the issued certificate has
// exactly the profile's extensions.
func TestCase13CSRAsksForMore(t *testing.T) {
	f := newFixture(t)
	key := newKey(t, "p256")
	mustMarshal := func(v any) []byte {
		b, err := asn1.Marshal(v)
		require.NoError(t, err)
		return b
	}
	type basicConstraints struct {
		IsCA       bool
		MaxPathLen int
	}
	type policyInformation struct{ Policy asn1.ObjectIdentifier }
	u, err := url.Parse("https://evil.example/")
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		DNSNames:       []string{"evil.example"},
		EmailAddresses: []string{"someone-else@example.org"},
		IPAddresses:    []net.IP{net.IPv4(203, 0, 113, 7)},
		URIs:           []*url.URL{u},
		ExtraExtensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: mustMarshal(basicConstraints{true, 3})},
			{Id: asn1.ObjectIdentifier{2, 5, 29, 15}, Critical: true, Value: mustMarshal(asn1.BitString{Bytes: []byte{0x06}, BitLength: 7})}, // keyCertSign, cRLSign
			{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Value: mustMarshal([]asn1.ObjectIdentifier{
				{1, 3, 6, 1, 5, 5, 7, 3, 1}, {1, 3, 6, 1, 5, 5, 7, 3, 3}, {2, 5, 29, 37, 0}, {1, 2, 643, 6, 3, 1, 1}})},
			{Id: asn1.ObjectIdentifier{2, 5, 29, 32}, Value: mustMarshal([]policyInformation{{asn1.ObjectIdentifier{2, 5, 29, 32, 0}}, {asn1.ObjectIdentifier{1, 2, 643, 100, 113, 2}}})},
		},
	}, key)
	require.NoError(t, err)
	req := f.request(t, "ru-owner", key, "t")
	req.CSR = der
	got, err := f.auth.Renew(context.Background(), req)
	require.NoError(t, err, "stripped, not refused")
	cert := parse(t, got.DER)
	prof, _ := f.profiles.Get(req.Profile)

	assert.False(t, cert.IsCA, "CA:true is not copied")
	assert.False(t, cert.MaxPathLen > 0, "nor its path length")
	assert.Equal(t, prof.KeyUsage(false), cert.KeyUsage, "the profile's key usage only")
	assert.Zero(t, cert.KeyUsage&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign))
	assert.ElementsMatch(t, prof.ExtKeyUsage(), ekuOIDs(t, cert), "the profile's extended key usages only")
	var policies []string
	for _, p := range cert.Policies {
		policies = append(policies, p.String())
	}
	var want []string
	for _, p := range prof.Policies() {
		want = append(want, p.String())
	}
	assert.ElementsMatch(t, want, policies, "the profile's policies only (КС1, no КС2, no anyPolicy)")
	assert.Empty(t, cert.DNSNames)
	assert.Empty(t, cert.IPAddresses)
	assert.Empty(t, cert.URIs)
	assert.Equal(t, []string{"smirnov@example.ru"}, cert.EmailAddresses, "the e-mail of the current subject")
	fs, err := lint.Certificate(got.DER, prof)
	require.NoError(t, err)
	assert.Empty(t, fs)
}

// TestCase17CheckDigitsAtTheCA: whatever the form let through, the
// authority checks every identifier of the certificate it is about to sign
// again, with the same code the form uses: a wrong check digit in the
// subject (here carried over from the current certificate, which the
// authority never re-enters by hand) refuses the issuance in the lint.
func TestCase17CheckDigitsAtTheCA(t *testing.T) {
	for _, c := range []struct{ scenario, attr string }{
		{"ru-owner", "inn"},
		{"ru-owner", "snils"},
		{"ru-owner", "ogrnip"},
		{"ru-employee", "innle"},
		{"ru-employee", "ogrn"},
		{"by-employee", "unp"},
	} {
		t.Run("fail/"+c.scenario+"/"+c.attr, func(t *testing.T) {
			f, cs := countedFixture(t)
			s := f.sub(t, c.scenario)
			prof, _ := f.profiles.Get(s.Profile)
			values := valuesOf(t, prof, s.Cert)
			require.Contains(t, values, c.attr)
			values[c.attr] = lastDigitChanged(values[c.attr])
			now := f.clock.Now()
			cur, _ := f.issueCurrent(t, s.Profile, values, 0, now.Add(-300*day), now.Add(10*day))
			r := f.request(t, c.scenario, newKey(t, "p256"), "t")
			r.Current = cur
			_, err := f.auth.Renew(context.Background(), r)
			e := refused(t, f, cs, err, ca.ErrLint)
			assert.Contains(t, findingNames(e.Findings), "ru_by_identifier_check")
		})
	}
}

// TestCase21LintBeforeTheRealKey: an attribute of the wrong length or
// string type fails our own lint on the to-be-signed certificate, signed
// by a throwaway key; the issuing key never signs it.
func TestCase21LintBeforeTheRealKey(t *testing.T) {
	t.Run("fail/inn-wrong-length", func(t *testing.T) {
		f, cs := countedFixture(t)
		v := ruOwnerValues()
		v["inn"] = "78016274373" // 11 digits
		now := f.clock.Now()
		cur, _ := f.issueCurrent(t, "ru-owner", v, 0, now.Add(-300*day), now.Add(10*day))
		r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
		r.Current = cur
		_, err := f.auth.Renew(context.Background(), r)
		e := refused(t, f, cs, err, ca.ErrLint)
		assert.Contains(t, findingNames(e.Findings), "ru_by_attribute_length")
	})
	t.Run("fail/snils-wrong-string-type", func(t *testing.T) {
		f, cs := countedFixture(t)
		now := f.clock.Now()
		cur, _ := f.issueCurrent(t, "ru-owner", ruOwnerValues(), 0, now.Add(-300*day), now.Add(10*day))
		// The same subject with СНИЛС as a UTF8String instead of a NumericString.
		raw := retag(t, cur.RawSubject, profile.OIDSNILS, asn1.TagUTF8String)
		cur = f.resign(t, cur, raw)
		r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
		r.Current = cur
		_, err := f.auth.Renew(context.Background(), r)
		e := refused(t, f, cs, err, ca.ErrLint)
		assert.Contains(t, findingNames(e.Findings), "ru_by_attribute_string_type")
	})
}

// TestCase22WarningRefuses: a lint that only warns still refuses (Boulder:
// any finding above notice fails). A name with a trailing space draws
// zlint's w_subject_dn_trailing_whitespace, a warning and nothing else.
func TestCase22WarningRefuses(t *testing.T) {
	f, cs := countedFixture(t)
	v := ruOwnerValues()
	v["cn"] += " "
	now := f.clock.Now()
	cur, _ := f.issueCurrent(t, "ru-owner", v, 0, now.Add(-300*day), now.Add(10*day))
	r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
	r.Current = cur
	_, err := f.auth.Renew(context.Background(), r)
	e := refused(t, f, cs, err, ca.ErrLint)
	require.NotEmpty(t, e.Findings)
	for _, fd := range e.Findings {
		assert.Equal(t, lint.Warn, fd.Severity, "only warnings: %s", fd)
	}
	assert.Contains(t, findingNames(e.Findings), "w_subject_dn_trailing_whitespace")
}

// TestCase23Validity: the validity of the certificate about to be signed
// is checked against the profile and the authority's clock before the
// lint and the signature.
func TestCase23Validity(t *testing.T) {
	f := newFixture(t)
	ru, _ := f.profiles.Get("ru-owner")
	by, _ := f.profiles.Get("by-individual")
	now := f.clock.Now()
	_, byCap := by.CarryRemaining()
	for _, c := range []struct {
		name   string
		prof   *profile.Profile
		nb, na time.Time
		want   error
	}{
		{"ok/ru-profile-validity", ru, now, now.Add(ru.Validity()), nil},
		{"ok/by-validity-and-carry-cap", by, now, now.Add(by.Validity() + byCap), nil},
		{"ok/backdated-a-minute", ru, now.Add(-time.Minute), now.Add(ru.Validity() - time.Minute), nil},
		{"fail/over-maximum-by-a-second", ru, now, now.Add(ru.Validity() + time.Second), ca.ErrValidity},
		{"fail/by-over-carry-cap", by, now, now.Add(by.Validity() + byCap + time.Second), ca.ErrValidity},
		{"fail/backdated-a-day", ru, now.Add(-day), now.Add(ru.Validity() - day), ca.ErrValidity},
		{"fail/future-not-before", ru, now.Add(time.Hour), now.Add(time.Hour + ru.Validity()), ca.ErrValidity},
		{"fail/ends-before-it-starts", ru, now, now.Add(-time.Second), ca.ErrValidity},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ca.CheckValidity(c.prof, c.nb, c.na, now)
			if c.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, c.want)
		})
	}

	// In Renew: the clock read again at the check has stepped since the
	// request was prepared; the template's notBefore is then in the
	// future, or backdated too far, and nothing is signed.
	for _, c := range []struct {
		name string
		step time.Duration
	}{
		{"fail/renew-clock-stepped-back", -10 * time.Minute},
		{"fail/renew-clock-stepped-forward", 10 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, t0 := demoData(t)
			var reads atomic.Int32
			stepping := func() time.Time {
				if reads.Add(1) == 1 {
					return t0
				}
				return t0.Add(c.step)
			}
			f, cs := countedFixture(t, func(cfg *ca.Config) { cfg.Now = stepping })
			_, err := f.auth.Renew(context.Background(), f.request(t, "ru-owner", newKey(t, "p256"), "t"))
			e := refused(t, f, cs, err, ca.ErrValidity)
			assert.Empty(t, e.Findings)
		})
	}
}

// retag re-encodes a subject with one attribute under another string tag.
func retag(tb testing.TB, raw []byte, oid asn1.ObjectIdentifier, tag int) []byte {
	tb.Helper()
	attrs, err := profile.ParseName(raw)
	require.NoError(tb, err)
	type atv struct {
		Type  asn1.ObjectIdentifier
		Value asn1.RawValue
	}
	type atvSET []atv
	var rdns []atvSET
	for _, a := range attrs {
		t := a.Tag
		if a.OID.Equal(oid) {
			t = tag
		}
		item := atv{a.OID, asn1.RawValue{Class: asn1.ClassUniversal, Tag: t, Bytes: []byte(a.Value)}}
		if len(rdns) == a.RDN+1 {
			rdns[a.RDN] = append(rdns[a.RDN], item)
		} else {
			rdns = append(rdns, atvSET{item})
		}
	}
	out, err := asn1.Marshal(rdns)
	require.NoError(tb, err)
	return out
}

// resign is cur with another raw subject, signed by the demo issuing CA.
func (f *fixture) resign(tb testing.TB, cur *x509.Certificate, rawSubject []byte) *x509.Certificate {
	tb.Helper()
	tmpl := *cur
	tmpl.RawSubject = rawSubject
	serial, err := ca.NewSerial()
	require.NoError(tb, err)
	tmpl.SerialNumber = serial
	key := newKey(tb, "p256")
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, f.res.Issuing, key.Public(), f.res.IssuingKey)
	require.NoError(tb, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(tb, err)
	return c
}

func findingNames(fs []lint.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// TestCase10KeySeenBefore: a key the authority has seen is refused
// whatever became of it: the key of a certificate revoked for key
// compromise (the only "blocked" key the authority knows: there is no
// separate block list), and a key that only reached an intent (the
// issuance stopped after the intent, before a certificate was recorded).
func TestCase10KeySeenBefore(t *testing.T) {
	ctx := context.Background()
	t.Run("fail/key-of-a-certificate-revoked-for-key-compromise", func(t *testing.T) {
		f, cs := countedFixture(t)
		revoked := f.sub(t, "by-revoked")
		info, err := f.store.Revocation(ctx, revoked.Serial)
		require.NoError(t, err)
		require.True(t, info.Revoked)
		require.Equal(t, ca.ReasonKeyCompromise, info.Reason)
		_, err = f.auth.Renew(ctx, f.request(t, "ru-owner", revoked.Key, "t"))
		refused(t, f, cs, err, ca.ErrKeyReused)
	})
	t.Run("fail/key-of-an-intent-only", func(t *testing.T) {
		f, cs := countedFixture(t)
		key := newKey(t, "p256")
		spki, err := x509.MarshalPKIXPublicKey(key.Public())
		require.NoError(t, err)
		serial, err := ca.NewSerial()
		require.NoError(t, err)
		require.NoError(t, f.store.RecordIntent(ctx, ca.Intent{Serial: serial, SPKISHA256: sha256.Sum256(spki),
			ApplicationID: "crashed", Token: "crashed-token", Profile: "ru-owner", CreatedAt: f.clock.Now()}))
		_, err = f.auth.Renew(ctx, f.request(t, "ru-owner", key, "t"))
		require.ErrorIs(t, err, ca.ErrKeyReused)
		assert.Len(t, f.store.Intents(), 1, "only the earlier intent")
		assert.Len(t, f.store.IssuedCertificates(), f.demoN)
		assert.Zero(t, cs.n.Load())
	})
}

// TestCase21ProfileCannotDropTheRUExtensions: a Russian profile without
// the sign tools is refused when the profiles load, not at the first
// signature.
func TestCase21ProfileCannotDropTheRUExtensions(t *testing.T) {
	for _, c := range []struct{ name, yaml string }{
		{"fail/empty-subject-sign-tool", "profiles:\n  ru-x:\n    jurisdiction: RU\n    name_ru: x\n    name_en: x\n    subject:\n      - {name: cn, oid: 2.5.4.3, type: UTF8String, required: true}\n      - {name: c, oid: 2.5.4.6, type: PrintableString, required: true, length: 2}\n    validity_days: 365\n    renewal_window_days: 30\n    max_renewals_per_year: 1\n    key_usage: [digitalSignature]\n    extended_key_usage: [clientAuth]\n    policies: [\"1.2.643.100.113.1\"]\n    ru_extensions:\n      subject_sign_tool: \"\"\n      issuer_sign_tool: [a, b, c, d]\n      identification_kind: 1\n    tariffs:\n      - {code: base, name_ru: x, name_en: x}\n"},
		{"fail/three-issuer-sign-tools", "profiles:\n  ru-owner:\n    ru_extensions:\n      subject_sign_tool: \"СКЗИ\"\n      issuer_sign_tool: [a, b, c]\n      identification_kind: 1\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := profile.LoadBytes([]byte(c.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "sign_tool")
		})
	}
}
