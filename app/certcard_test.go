// The card is checked against the demo certificates and the profiles,
// which the browser never imports (ca/demo and ca/profile pull zcrypto,
// which does not build for js): native test runs only.

//go:build !js

package app

import (
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/demo"
	"renewal/ca/profile"
)

// The card shows the demo certificates' own data, formatted for a person.
func TestCertificateFacts(t *testing.T) {
	now := time.Date(2026, 12, 1, 21, 30, 0, 0, time.UTC) // 00:30 on 2 December in Moscow and Minsk
	res, err := demo.Build(t.TempDir(), now, demo.Options{Password: "x"})
	require.NoError(t, err)
	sub := func(scenario string) demo.Subscriber {
		s, ok := res.Subscriber(scenario)
		require.True(t, ok, scenario)
		return s
	}

	t.Run("ok/ru-owner", func(t *testing.T) {
		s := sub("ru-owner")
		f := certificateFacts(s.Cert, langRU, now)
		assert.Equal(t, "Смирнов Алексей Викторович", f.Name)
		assert.Empty(t, f.Organisation)
		assert.Equal(t, []certLine{
			{"СНИЛС", "693-849-373 75"},
			{"ИНН физического лица", "771952685970"},
			{"ОГРНИП", "318774611964131"},
		}, f.Idents)
		assert.Equal(t, res.Issuing.Subject.CommonName, f.Issuer)
		assert.NotEmpty(t, f.Issuer)
		assert.Equal(t, 10, f.DaysLeft)
		assert.Equal(t, "10 дней", f.Left)
		// The demo truncates to the second at 21:30 UTC: 00:30 in Moscow, 10 days on.
		assert.Equal(t, "12 декабря 2026 г.", f.To)
		for _, g := range f.Serial {
			assert.LessOrEqual(t, len(g), 4)
		}
		var joined string
		for _, g := range f.Serial {
			joined += g
		}
		n, ok := new(big.Int).SetString(joined, 16)
		require.True(t, ok)
		assert.Equal(t, 0, n.Cmp(s.Serial), "the groups spell the serial")

		en := certificateFacts(s.Cert, langEN, now)
		assert.Equal(t, "12 December 2026", en.To)
		assert.Equal(t, "10 days", en.Left)
		assert.Equal(t, "SNILS (insurance number)", en.Idents[0].Label)
	})

	t.Run("ok/by-employee", func(t *testing.T) {
		f := certificateFacts(sub("by-employee").Cert, langRU, now)
		assert.Equal(t, "Жук Ольга Викторовна", f.Name)
		assert.Equal(t, "ООО «Белый аист»", f.Organisation)
		assert.Equal(t, "Главный бухгалтер", f.Title)
		assert.Equal(t, []certLine{
			{"Идентификационный номер", "4300188H021PB4"},
			{"УНП", "190602677"},
		}, f.Idents)
		assert.Equal(t, 25, f.DaysLeft)
		assert.Equal(t, "25 дней", f.Left)
	})

	t.Run("ok/days-are-calendar-days", func(t *testing.T) {
		// An hour later the end is still ten dates away.
		assert.Equal(t, 10, certificateFacts(sub("ru-owner").Cert, langRU, now.Add(time.Hour)).DaysLeft)
		// 23:59 on 11 December in Moscow: one day left.
		last := time.Date(2026, 12, 11, 20, 59, 0, 0, time.UTC)
		f := certificateFacts(sub("ru-owner").Cert, langRU, last)
		assert.Equal(t, 1, f.DaysLeft)
		assert.Equal(t, "1 день", f.Left)
	})

	t.Run("ok/expired", func(t *testing.T) {
		s := sub("ru-owner")
		f := certificateFacts(s.Cert, langRU, s.Cert.NotAfter)
		assert.Equal(t, 0, f.DaysLeft)
		assert.Equal(t, "срок действия истёк", f.Left)
	})
}

func TestRuPlural(t *testing.T) {
	for n, want := range map[int]string{1: "день", 2: "дня", 4: "дня", 5: "дней", 11: "дней", 12: "дней", 14: "дней", 21: "день", 22: "дня", 25: "дней", 101: "день", 111: "дней"} {
		assert.Equal(t, want, ruPlural(n, "день", "дня", "дней"), n)
	}
}

// The card reads the attributes the authority writes.
func TestCardOIDsMatchProfile(t *testing.T) {
	want := map[string]string{
		profile.OIDSNILS.String(): "snils", profile.OIDINN.String(): "inn_person", profile.OIDOGRNIP.String(): "ogrnip",
		profile.OIDINNLE.String(): "inn_legal", profile.OIDOGRN.String(): "ogrn",
		profile.OIDBYPersonalNumber.String(): "by_personal_number", profile.OIDBYUNP.String(): "unp",
	}
	got := map[string]string{}
	for _, id := range cardIdents {
		got[id.oid.String()] = string(id.kind)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, profile.OIDTitle.String(), oidTitle.String())
}
