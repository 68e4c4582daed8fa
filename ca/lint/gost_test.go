package lint_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/lint"
	"renewal/ca/profile"
)

// A certificate for a GOST key is linted as one for ECDSA is: clean when
// right, and our GOST key lint (zlint says nothing of GOST keys) finds an
// exchange parameter set and a key size the profile does not take.
func TestLinterCheckGOSTKey(t *testing.T) {
	res, _ := fixture(t)
	set, err := profile.LoadBytes([]byte("profiles:\n  ru-owner:\n    key_algorithms: [gost2012-256]\n"))
	require.NoError(t, err)
	l, err := lint.NewLinter(res.Issuing)
	require.NoError(t, err)
	prof, _ := set.Get("ru-owner")
	raw, err := prof.EncodeSubject(ruOwnerValues())
	require.NoError(t, err)
	check := func(c *gost3410.Curve) []lint.Finding {
		key, err := gost3410.GenerateKey(c, rand.Reader)
		require.NoError(t, err)
		serial, _ := ca.NewSerial()
		now := time.Now().UTC().Truncate(time.Second)
		tmpl, err := ca.LeafTemplate(ca.TemplateParams{Profile: prof, Tariff: prof.Tariffs()[0], RawSubject: raw,
			PublicKey: key.Public(), Serial: serial, NotBefore: now, NotAfter: now.Add(prof.Validity()), IdentificationKind: 1,
			OCSPURL: "http://127.0.0.1:1/ocsp", CRLURL: "http://127.0.0.1:1/crl"})
		require.NoError(t, err)
		_, fs, err := l.Check(tmpl, key.Public(), prof)
		if len(fs) == 0 {
			require.NoError(t, err)
		}
		return fs
	}
	assert.Empty(t, check(gost3410.Curve256A()))
	assert.Empty(t, check(gost3410.CryptoProB()))
	assert.Equal(t, []string{"ru_by_gost_key"}, names(check(gost3410.CryptoProXchA())))
	assert.Equal(t, []string{"ru_by_gost_key"}, names(check(gost3410.Curve512A())))
}
