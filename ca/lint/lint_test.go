package lint_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/demo"
	"renewal/ca/lint"
	"renewal/ca/profile"
)

var (
	demoOnce sync.Once
	demoRes  *demo.Result
	demoErr  error
	demoDir  string
)

func fixture(t *testing.T) (*demo.Result, *profile.Set) {
	t.Helper()
	demoOnce.Do(func() {
		demoDir, demoErr = osMkdirTemp()
		if demoErr == nil {
			demoRes, demoErr = demo.Build(demoDir, time.Now(), demo.Options{Password: "demo",
				OCSPURL: "http://127.0.0.1:1/ocsp", CRLURL: "http://127.0.0.1:1/crl", IssuerURL: "http://127.0.0.1:1/ca.crt"})
		}
	})
	require.NoError(t, demoErr)
	set, err := profile.Load("")
	require.NoError(t, err)
	return demoRes, set
}

func ruOwnerValues() map[string]string {
	return map[string]string{
		"cn": "Иванов Иван Иванович", "surname": "Иванов", "givenName": "Иван Иванович",
		"c": "RU", "st": "77 г. Москва", "l": "г. Москва", "email": "ivanov@example.ru",
		"inn": "772896401790", "snils": "57228464209",
	}
}

// issue signs a ru-owner certificate with the demo issuing CA; rawSubject
// overrides the encoded values when set; mutate edits the template.
func issue(t *testing.T, res *demo.Result, prof *profile.Profile, values map[string]string, rawSubject []byte, mutate func(*x509.Certificate)) []byte {
	t.Helper()
	if rawSubject == nil {
		var err error
		rawSubject, err = encodeLoose(prof, values)
		require.NoError(t, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial, err := ca.NewSerial()
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Second)
	tmpl, err := ca.LeafTemplate(ca.TemplateParams{
		Profile: prof, Tariff: prof.Tariffs()[0], RawSubject: rawSubject, PublicKey: key.Public(),
		Serial: serial, NotBefore: now, NotAfter: now.Add(prof.Validity()),
		IdentificationKind: 1,
		OCSPURL:            "http://127.0.0.1:1/ocsp", CRLURL: "http://127.0.0.1:1/crl", IssuerURL: "http://127.0.0.1:1/ca.crt",
	})
	require.NoError(t, err)
	if mutate != nil {
		mutate(tmpl)
	}
	der, err := ca.CreateCertificate(tmpl, res.Issuing, key.Public(), res.IssuingKey)
	require.NoError(t, err)
	return der
}

// encodeLoose encodes values with the profile's types but without
// EncodeSubject's checks, so tests can build certificates that are wrong.
func encodeLoose(prof *profile.Profile, values map[string]string) ([]byte, error) {
	type atv struct {
		Type  asn1.ObjectIdentifier
		Value asn1.RawValue
	}
	type atvSET []atv
	var rdns []atvSET
	for _, a := range prof.Attributes() {
		v, ok := values[a.Name]
		if !ok {
			continue
		}
		rdns = append(rdns, atvSET{{a.OID, asn1.RawValue{Class: asn1.ClassUniversal, Tag: a.Type.Tag(), Bytes: []byte(v)}}})
	}
	return asn1.Marshal(rdns)
}

func names(fs []lint.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

func TestDemoCertificatesPass(t *testing.T) {
	res, set := fixture(t)
	for _, s := range res.Subscribers {
		t.Run("ok/"+s.Scenario, func(t *testing.T) {
			prof, ok := set.Get(s.Profile)
			require.True(t, ok)
			fs, err := lint.Certificate(s.Cert.Raw, prof)
			require.NoError(t, err)
			assert.Empty(t, fs)
		})
	}
}

func TestFindings(t *testing.T) {
	res, set := fixture(t)
	ruOwner, _ := set.Get("ru-owner")
	with := func(k, v string) map[string]string {
		m := ruOwnerValues()
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	printableINN := func() []byte {
		raw, err := encodeLoose(ruOwner, ruOwnerValues())
		require.NoError(t, err)
		// Re-encode the INN attribute as PrintableString (tag 19 instead of 18).
		var rdns []asn1.RawValue
		_, err = asn1.Unmarshal(raw, &rdns)
		require.NoError(t, err)
		name := pkix.RDNSequence{}
		_, err = asn1.Unmarshal(raw, &name)
		require.NoError(t, err)
		for i, rdn := range name {
			if rdn[0].Type.Equal(profile.OIDINN) {
				name[i][0].Value = rdn[0].Value.(string) // Go marshals a digit string as PrintableString
			}
		}
		out, err := asn1.Marshal(name)
		require.NoError(t, err)
		return out
	}
	ext := func(oid asn1.ObjectIdentifier, value []byte) func(*x509.Certificate) {
		return func(c *x509.Certificate) {
			for i, e := range c.ExtraExtensions {
				if e.Id.Equal(oid) {
					c.ExtraExtensions[i].Value = value
				}
			}
		}
	}
	mustMarshal := func(v any) []byte {
		b, err := asn1.Marshal(v)
		require.NoError(t, err)
		return b
	}

	tests := []struct {
		name    string
		values  map[string]string
		raw     func() []byte
		mutate  func(*x509.Certificate)
		noProf  bool
		want    string // finding name
		wantMsg string
	}{
		{name: "ok/ru-owner", values: ruOwnerValues()},
		{name: "fail/snils-check-digit", values: with("snils", "57228464208"), want: "ru_by_identifier_check", wantMsg: "СНИЛС"},
		{name: "fail/snils-check-digit-no-profile", values: with("snils", "57228464208"), noProf: true, want: "ru_by_identifier_check"},
		{name: "fail/inn-check-digit", values: with("inn", "772896401791"), want: "ru_by_identifier_check"},
		{name: "fail/inn-short", values: with("inn", "77289640179"), want: "ru_by_attribute_length"},
		{name: "fail/inn-printable-string", raw: printableINN, want: "ru_by_attribute_string_type"},
		{name: "fail/inn-printable-string-no-profile", raw: printableINN, noProf: true, want: "ru_by_attribute_string_type"},
		{name: "fail/snils-missing", values: with("snils", ""), want: "ru_by_attribute_required"},
		{name: "fail/country-mismatch", values: with("c", "BY"), want: "ru_by_country"},
		{name: "fail/attribute-not-in-profile", mutate: nil, raw: func() []byte {
			n := pkix.RDNSequence{}
			raw, _ := encodeLoose(ruOwner, ruOwnerValues())
			_, _ = asn1.Unmarshal(raw, &n)
			n = append(n, pkix.RelativeDistinguishedNameSET{{Type: asn1.ObjectIdentifier{2, 5, 4, 65}, Value: "псевдоним"}})
			out, _ := asn1.Marshal(n)
			return out
		}, want: "ru_by_attribute_not_allowed"},
		{name: "fail/identification-kind-5", values: ruOwnerValues(), mutate: ext(profile.OIDIdentificationKind, mustMarshal(5)), want: "ru_by_identification_kind"},
		{name: "fail/identification-kind-not-integer", values: ruOwnerValues(), mutate: ext(profile.OIDIdentificationKind, mustMarshal("1")), want: "ru_by_identification_kind"},
		{name: "fail/issuer-sign-tool-three", values: ruOwnerValues(), mutate: ext(profile.OIDIssuerSignTool, mustMarshal(struct {
			A, B, C string `asn1:"utf8"`
		}{"a", "b", "c"})), want: "ru_by_issuer_sign_tool"},
		{name: "fail/subject-sign-tool-printable", values: ruOwnerValues(), mutate: ext(profile.OIDSubjectSignTool, mustMarshal("tool")), want: "ru_by_subject_sign_tool"},
		{name: "fail/subject-sign-tool-missing", values: ruOwnerValues(), mutate: func(c *x509.Certificate) {
			c.ExtraExtensions = c.ExtraExtensions[1:]
		}, want: "ru_by_subject_sign_tool"},
		{name: "fail/policy-missing", values: ruOwnerValues(), mutate: func(c *x509.Certificate) { c.Policies = nil }, want: "ru_by_policy"},
		{name: "fail/key-usage-extra", values: ruOwnerValues(), mutate: func(c *x509.Certificate) { c.KeyUsage |= x509.KeyUsageKeyAgreement }, want: "ru_by_key_usage"},
		{name: "fail/eku-missing", values: ruOwnerValues(), mutate: func(c *x509.Certificate) { c.UnknownExtKeyUsage = c.UnknownExtKeyUsage[:1] }, want: "ru_by_ext_key_usage"},
		{name: "fail/zlint-cn-too-long", values: with("cn", strings.Repeat("Я", 65)), want: "e_subject_common_name_max_length"},
		{name: "fail/zlint-email-in-san-malformed", values: ruOwnerValues(), mutate: func(c *x509.Certificate) {
			c.EmailAddresses = []string{"not an email"}
		}, want: "e_ext_san_rfc822_format_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw []byte
			if tt.raw != nil {
				raw = tt.raw()
			}
			der := issue(t, res, ruOwner, tt.values, raw, tt.mutate)
			prof := ruOwner
			if tt.noProf {
				prof = nil
			}
			fs, err := lint.Certificate(der, prof)
			require.NoError(t, err)
			if tt.want == "" {
				assert.Empty(t, fs)
				return
			}
			require.Contains(t, names(fs), tt.want, "findings: %v", fs)
			for _, f := range fs {
				if f.Name == tt.want && tt.wantMsg != "" {
					assert.Contains(t, f.Message, tt.wantMsg)
				}
				assert.Contains(t, []lint.Severity{lint.Warn, lint.Error, lint.Fatal}, f.Severity)
			}
		})
	}
}

func TestRegistryKeepsOnlySignatureRelevantSources(t *testing.T) {
	all, err := lint.ZlintNames()
	require.NoError(t, err)
	assert.Greater(t, len(all), 100, "RFC 5280 and community lints should run")
	assert.Contains(t, all, "e_subject_common_name_max_length")
	for _, n := range all {
		// CA/B Forum BR, EV, S/MIME, code-signing, and root-store lints.
		for _, p := range []string{"e_sub_cert_", "e_ev_", "n_ev_", "e_mp_", "w_sub_ca_", "e_smime_", "w_smime_", "e_mailbox_", "e_cs_"} {
			assert.False(t, strings.HasPrefix(n, p), "lint %s should not run", n)
		}
	}
}

func TestLinterCheck(t *testing.T) {
	res, set := fixture(t)
	l, err := lint.NewLinter(res.Issuing)
	require.NoError(t, err)
	prof, _ := set.Get("ru-owner")
	raw, err := prof.EncodeSubject(ruOwnerValues())
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial, _ := ca.NewSerial()
	now := time.Now().UTC().Truncate(time.Second)
	tmpl, err := ca.LeafTemplate(ca.TemplateParams{Profile: prof, Tariff: prof.Tariffs()[0], RawSubject: raw,
		PublicKey: key.Public(), Serial: serial, NotBefore: now, NotAfter: now.Add(prof.Validity()), IdentificationKind: 1,
		OCSPURL: "http://127.0.0.1:1/ocsp", CRLURL: "http://127.0.0.1:1/crl"})
	require.NoError(t, err)
	lintDER, fs, err := l.Check(tmpl, key.Public(), prof)
	require.NoError(t, err)
	assert.Empty(t, fs)

	// The real issuer signs the very same TBSCertificate.
	realDER, err := ca.CreateCertificate(tmpl, res.Issuing, key.Public(), res.IssuingKey)
	require.NoError(t, err)
	a, _ := x509.ParseCertificate(lintDER)
	b, _ := x509.ParseCertificate(realDER)
	assert.Equal(t, a.RawTBSCertificate, b.RawTBSCertificate)
	assert.Error(t, a.CheckSignatureFrom(res.Issuing), "the lint certificate is not signed by the real issuer")

	tmpl.Policies = nil
	_, fs, err = l.Check(tmpl, key.Public(), prof)
	require.ErrorIs(t, err, lint.ErrFindings)
	assert.Contains(t, names(fs), "ru_by_policy")
}
