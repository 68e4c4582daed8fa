package profile_test

import (
	"crypto/x509"
	"encoding/asn1"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/ident"
	"renewal/ca/profile"
)

func TestDefaults(t *testing.T) {
	set, err := profile.Load("")
	require.NoError(t, err)
	assert.Equal(t, []string{"by-employee", "by-individual", "ru-employee", "ru-owner"}, set.Names())

	ru, ok := set.Get("ru-owner")
	require.True(t, ok)
	assert.Equal(t, profile.RU, ru.Jurisdiction())
	assert.Equal(t, 365*24*time.Hour, ru.Validity())
	assert.Equal(t, 30*24*time.Hour, ru.RenewalWindow())
	assert.Equal(t, time.Duration(0), ru.Grace())
	assert.True(t, ru.RefuseRemoteChain())
	require.NotNil(t, ru.RU())
	assert.Equal(t, 1, ru.RU().IdentificationKind)
	assert.Equal(t, x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment, ru.KeyUsage(false))
	assert.Equal(t, x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment|x509.KeyUsageKeyEncipherment, ru.KeyUsage(true))
	assert.Equal(t, []asn1.ObjectIdentifier{{1, 2, 643, 100, 113, 1}}, ru.Policies())
	snils, ok := ru.Attribute(profile.OIDSNILS)
	require.True(t, ok)
	assert.Equal(t, profile.NumericString, snils.Type)
	assert.Equal(t, 11, snils.Length)
	assert.True(t, snils.Required)
	assert.Equal(t, ident.SNILS, snils.Ident)
	_, ok = ru.Tariff("trading")
	assert.True(t, ok)

	emp, _ := set.Get("ru-employee")
	for _, oid := range []asn1.ObjectIdentifier{profile.OIDINNLE, profile.OIDOGRN, profile.OIDSNILS} {
		a, ok := emp.Attribute(oid)
		require.True(t, ok, oid.String())
		assert.True(t, a.Required, oid.String())
	}

	by, _ := set.Get("by-individual")
	assert.Nil(t, by.RU())
	assert.False(t, by.RefuseRemoteChain())
	carry, capDays := by.CarryRemaining()
	assert.True(t, carry)
	assert.Equal(t, 60*24*time.Hour, capDays)
	unp, ok := by.Attribute(profile.OIDBYUNP)
	require.True(t, ok)
	assert.Equal(t, ident.UNP, unp.Ident)
	require.Len(t, by.Policies(), 1)
	assert.Equal(t, 2, by.Policies()[0][0], "BY policy must stay under the example arc 2.999 until a real centre sets its own")

	// Accessors return copies.
	by.Policies()[0][0] = 7
	assert.Equal(t, 2, by.Policies()[0][0])
}

// base returns a valid configuration with one profile to mutate.
func base(t *testing.T) profile.ProfileConfig {
	cfg, err := profile.MergedConfig(nil)
	require.NoError(t, err)
	pc := cfg.Profiles["ru-owner"]
	// Deep-copy the slices the tests mutate.
	pc.Subject = append([]profile.AttributeConfig(nil), pc.Subject...)
	pc.Tariffs = append([]profile.TariffConfig(nil), pc.Tariffs...)
	ru := *pc.RUExtensions
	ru.IssuerSignTool = append([]string(nil), ru.IssuerSignTool...)
	pc.RUExtensions = &ru
	return pc
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*profile.ProfileConfig)
		want   string
	}{
		{"fail/validity-zero", func(p *profile.ProfileConfig) { p.ValidityDays = 0 }, "validity_days"},
		{"fail/validity-negative", func(p *profile.ProfileConfig) { p.ValidityDays = -1 }, "validity_days"},
		{"fail/validity-over-3-years", func(p *profile.ProfileConfig) { p.ValidityDays = 3*365 + 2 }, "validity_days"},
		{"fail/window-zero", func(p *profile.ProfileConfig) { p.RenewalWindowDays = 0 }, "renewal_window_days"},
		{"fail/window-equals-validity", func(p *profile.ProfileConfig) { p.RenewalWindowDays = p.ValidityDays }, "renewal_window_days"},
		{"fail/window-over-validity", func(p *profile.ProfileConfig) { p.RenewalWindowDays = p.ValidityDays + 1 }, "renewal_window_days"},
		{"fail/grace-negative", func(p *profile.ProfileConfig) { p.GraceDays = -1 }, "grace_days"},
		{"fail/grace-over-window", func(p *profile.ProfileConfig) { p.GraceDays = p.RenewalWindowDays + 1 }, "grace_days"},
		{"fail/cap-negative", func(p *profile.ProfileConfig) { p.CarryCapDays = -1 }, "carry_cap_days"},
		{"fail/carry-beyond-3-years", func(p *profile.ProfileConfig) {
			p.CarryRemainingDays, p.ValidityDays, p.CarryCapDays = true, 1000, 200
		}, "carry_cap_days"},
		{"fail/unknown-attribute-type", func(p *profile.ProfileConfig) { p.Subject[0].Type = "BMPString" }, "unknown attribute type"},
		{"fail/malformed-attribute-oid", func(p *profile.ProfileConfig) { p.Subject[0].OID = "2.5.4." }, "malformed OID"},
		{"fail/attribute-oid-leading-zero", func(p *profile.ProfileConfig) { p.Subject[0].OID = "2.5.04.3" }, "malformed OID"},
		{"fail/attribute-oid-first-arc", func(p *profile.ProfileConfig) { p.Subject[0].OID = "3.5.4.3" }, "malformed OID"},
		{"fail/duplicate-attribute-oid", func(p *profile.ProfileConfig) { p.Subject[1].OID = p.Subject[0].OID }, "duplicate attribute OID"},
		{"fail/duplicate-attribute-name", func(p *profile.ProfileConfig) { p.Subject[1].Name = p.Subject[0].Name }, "duplicate attribute name"},
		{"fail/unknown-ident-kind", func(p *profile.ProfileConfig) { p.Subject[0].Ident = "IBAN" }, "unknown identifier kind"},
		{"fail/negative-length", func(p *profile.ProfileConfig) { p.Subject[0].Length = -2 }, "negative length"},
		{"fail/no-subject", func(p *profile.ProfileConfig) { p.Subject = nil }, "subject"},
		{"fail/duplicate-tariff", func(p *profile.ProfileConfig) { p.Tariffs[1].Code = p.Tariffs[0].Code }, "duplicate tariff code"},
		{"fail/no-tariff", func(p *profile.ProfileConfig) { p.Tariffs = nil }, "tariffs"},
		{"fail/tariff-malformed-policy", func(p *profile.ProfileConfig) { p.Tariffs[0].Policies = []string{"1..2"} }, "malformed OID"},
		{"fail/malformed-policy", func(p *profile.ProfileConfig) { p.Policies = []string{"not-an-oid"} }, "malformed OID"},
		{"fail/unknown-key-usage", func(p *profile.ProfileConfig) { p.KeyUsage = []string{"digitalSignature", "signEverything"} }, "unknown key usage"},
		{"fail/ca-key-usage", func(p *profile.ProfileConfig) { p.KeyUsage = []string{"digitalSignature", "keyCertSign"} }, "unknown key usage"},
		{"fail/key-encipherment-for-ec", func(p *profile.ProfileConfig) { p.KeyUsage = []string{"digitalSignature", "keyEncipherment"} }, "RSA keys only"},
		{"fail/no-digital-signature", func(p *profile.ProfileConfig) { p.KeyUsage = []string{"nonRepudiation"} }, "digitalSignature"},
		{"fail/unknown-eku", func(p *profile.ProfileConfig) { p.ExtKeyUsage = []string{"clientAuth", "smartCardMagic"} }, "unknown extended key usage"},
		{"fail/server-auth-eku", func(p *profile.ProfileConfig) { p.ExtKeyUsage = []string{"1.3.6.1.5.5.7.3.1"} }, "does not belong"},
		{"fail/jurisdiction", func(p *profile.ProfileConfig) { p.Jurisdiction = "KZ" }, "jurisdiction"},
		{"fail/issuer-sign-tool-three", func(p *profile.ProfileConfig) { p.RUExtensions.IssuerSignTool = p.RUExtensions.IssuerSignTool[:3] }, "issuer_sign_tool"},
		{"fail/identification-kind-4", func(p *profile.ProfileConfig) { p.RUExtensions.IdentificationKind = 4 }, "identification_kind"},
		{"fail/remote-chain-without-ru", func(p *profile.ProfileConfig) { p.RUExtensions = nil }, "refuse_remote_chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pc := base(t)
			tt.mutate(&pc)
			_, err := profile.New(profile.FileConfig{Profiles: map[string]profile.ProfileConfig{"p": pc}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	t.Run("ok/base", func(t *testing.T) {
		_, err := profile.New(profile.FileConfig{Profiles: map[string]profile.ProfileConfig{"p": base(t)}})
		require.NoError(t, err)
	})
}

func TestLoadOverride(t *testing.T) {
	tests := []struct {
		name     string
		override string
		want     string // error substring; "" means success
		check    func(t *testing.T, s *profile.Set)
	}{
		{
			name:     "ok/merge-scalars",
			override: "profiles:\n  ru-owner:\n    grace_days: 5\n    validity_days: 400\n",
			check: func(t *testing.T, s *profile.Set) {
				p, _ := s.Get("ru-owner")
				assert.Equal(t, 5*24*time.Hour, p.Grace())
				assert.Equal(t, 400*24*time.Hour, p.Validity())
				assert.Equal(t, 30*24*time.Hour, p.RenewalWindow(), "untouched fields keep the default")
				assert.Len(t, p.Tariffs(), 2)
				o, _ := s.Get("ru-employee")
				assert.Equal(t, time.Duration(0), o.Grace(), "other profiles untouched")
			},
		},
		{
			name:     "ok/replace-list",
			override: "profiles:\n  by-individual:\n    policies: [\"1.2.112.9.9\"]\n    tariffs:\n      - {code: only, name_ru: \"Один\", name_en: \"One\"}\n",
			check: func(t *testing.T, s *profile.Set) {
				p, _ := s.Get("by-individual")
				assert.Equal(t, []asn1.ObjectIdentifier{{1, 2, 112, 9, 9}}, p.Policies())
				require.Len(t, p.Tariffs(), 1)
				assert.Equal(t, "only", p.Tariffs()[0].Code)
			},
		},
		{
			name:     "ok/nested-ru-extension-field",
			override: "profiles:\n  ru-owner:\n    ru_extensions:\n      subject_sign_tool: \"СКЗИ «Пример»\"\n",
			check: func(t *testing.T, s *profile.Set) {
				p, _ := s.Get("ru-owner")
				assert.Equal(t, "СКЗИ «Пример»", p.RU().SubjectSignTool)
				assert.Equal(t, 1, p.RU().IdentificationKind)
				e, _ := s.Get("ru-employee")
				assert.NotEqual(t, "СКЗИ «Пример»", e.RU().SubjectSignTool, "the YAML alias must not leak the override")
			},
		},
		{name: "fail/unknown-field", override: "profiles:\n  ru-owner:\n    grace_dayz: 5\n", want: "grace_dayz"},
		{name: "fail/unknown-top-field", override: "profile:\n  ru-owner: {}\n", want: "profile"},
		{name: "fail/unknown-nested-field", override: "profiles:\n  ru-owner:\n    ru_extensions:\n      kind: 1\n", want: "kind"},
		{name: "fail/bad-bound", override: "profiles:\n  ru-owner:\n    grace_days: 31\n", want: "grace_days"},
		{name: "fail/new-profile-incomplete", override: "profiles:\n  kz-owner:\n    jurisdiction: RU\n", want: "kz-owner"},
		{name: "fail/two-documents", override: "profiles: {}\n---\nprofiles: {}\n", want: "more than one"},
		{name: "fail/not-yaml", override: "profiles: [", want: "override"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "override.yaml")
			require.NoError(t, os.WriteFile(path, []byte(tt.override), 0o600))
			s, err := profile.Load(path)
			if tt.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			tt.check(t, s)
		})
	}
	t.Run("fail/missing-file", func(t *testing.T) {
		_, err := profile.Load(filepath.Join(t.TempDir(), "nope.yaml"))
		require.Error(t, err)
	})
	t.Run("ok/defaults-unchanged-after-override", func(t *testing.T) {
		_, err := profile.LoadBytes([]byte("profiles:\n  ru-owner:\n    ru_extensions:\n      identification_kind: 0\n"))
		require.NoError(t, err)
		s, err := profile.Load("")
		require.NoError(t, err)
		p, _ := s.Get("ru-owner")
		assert.Equal(t, 1, p.RU().IdentificationKind)
	})
}

func TestEncodeSubject(t *testing.T) {
	s, err := profile.Load("")
	require.NoError(t, err)
	p, _ := s.Get("ru-owner")
	values := map[string]string{
		"cn": "Иванов Иван Иванович", "surname": "Иванов", "givenName": "Иван Иванович",
		"c": "RU", "st": "77 г. Москва", "l": "г. Москва",
		"inn": "772896401790", "snils": "57228464209", "email": "ivanov@example.ru",
	}
	der, err := p.EncodeSubject(values)
	require.NoError(t, err)
	attrs, err := profile.ParseName(der)
	require.NoError(t, err)
	tags := map[string]int{}
	for _, a := range attrs {
		tags[a.OID.String()] = a.Tag
	}
	assert.Equal(t, asn1.TagNumericString, tags[profile.OIDSNILS.String()])
	assert.Equal(t, asn1.TagNumericString, tags[profile.OIDINN.String()])
	assert.Equal(t, asn1.TagPrintableString, tags[profile.OIDCountry.String()])
	assert.Equal(t, asn1.TagIA5String, tags[profile.OIDEmailAddress.String()])
	assert.Equal(t, asn1.TagUTF8String, tags[profile.OIDCommonName.String()])

	bad := func(k, v string) map[string]string {
		m := map[string]string{}
		for kk, vv := range values {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	for name, vals := range map[string]map[string]string{
		"fail/unknown-name":     bad("nickname", "x"),
		"fail/missing-required": bad("snils", ""),
		"fail/wrong-length":     bad("inn", "7728964017"),
		"fail/not-numeric":      bad("snils", "5722846420A"),
		"fail/not-printable":    bad("c", "РФ"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := p.EncodeSubject(vals)
			require.Error(t, err)
		})
	}
}

func TestParseOID(t *testing.T) {
	for _, s := range []string{"1.2.643.100.3", "2.999", "0.39.1"} {
		_, err := profile.ParseOID(s)
		assert.NoError(t, err, s)
	}
	for _, s := range []string{"", "1", "1.", ".1", "1.40", "3.1", "1.2.x", "1.2.-3", "1.02", "1.2.99999999999999"} {
		_, err := profile.ParseOID(s)
		assert.Error(t, err, s)
	}
}

// The embedded defaults carry placeholders a centre must replace; an
// override with the centre's values leaves none.
func TestPlaceholders(t *testing.T) {
	def, err := profile.Load("")
	require.NoError(t, err)
	ph := def.Placeholders()
	assert.Contains(t, ph, `ru-owner: ru_extensions.issuer_sign_tool[0] "Средство электронной подписи УЦ (указывается УЦ)"`)
	assert.Contains(t, ph, "by-individual: policies 2.999.112.1.1 (the example arc 2.999)")
	assert.Contains(t, ph, "by-employee: tariffs[declarations].policies 2.999.112.2.1 (the example arc 2.999)")

	own, err := profile.Load("../../e2e/testdata/profiles.yaml")
	require.NoError(t, err)
	assert.Empty(t, own.Placeholders())
}

// GOSTCurve: a family gets the wizard's set, a set name its own curve.
func TestGOSTCurve(t *testing.T) {
	for alg, want := range map[string]*gost3410.Curve{
		"gost2012-256": gost3410.CryptoProA(), "gost2012-512": gost3410.Curve512A(),
		"gost2012-256-A": gost3410.Curve256A(), "gost2012-256-B": gost3410.Curve256B(),
		"gost2012-256-D": gost3410.Curve256D(), "gost2012-512-C": gost3410.Curve512C(),
	} {
		c, ok := profile.GOSTCurve(alg)
		require.True(t, ok, alg)
		assert.Equal(t, want.OID().String(), c.OID().String(), alg)
	}
	for _, alg := range []string{"ecdsa-p256", "gost2012-256-E", ""} {
		_, ok := profile.GOSTCurve(alg)
		assert.False(t, ok, alg)
	}
}
