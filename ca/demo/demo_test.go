package demo_test

import (
	"crypto/x509"
	"encoding/asn1"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/crypto/gost3410"
	"renewal/ca/demo"
	"renewal/ca/gostssl"
	"renewal/ca/ident"
	"renewal/ca/keyfile"
	"renewal/ca/profile"
	"renewal/ca/x509sig"
)

func TestIdentitiesCheckDigits(t *testing.T) {
	ids, err := demo.LoadIdentities()
	require.NoError(t, err)
	check := func(t *testing.T, kind ident.Kind, v string) {
		t.Helper()
		if v == "" {
			return
		}
		canon, err := ident.Check(kind, v)
		require.NoError(t, err, "%s %s", kind, v)
		assert.Equal(t, v, canon, "stored in canonical form")
	}
	for _, p := range ids.People {
		t.Run("ok/"+p.ID, func(t *testing.T) {
			check(t, ident.INNPerson, p.INN)
			check(t, ident.SNILS, p.SNILS)
			check(t, ident.OGRNIP, p.OGRNIP)
			check(t, ident.UNP, p.UNP)
			check(t, ident.BYPersonalNumber, p.PersonalNumber)
			switch p.Jurisdiction {
			case "RU":
				assert.NotEmpty(t, p.INN)
				assert.NotEmpty(t, p.SNILS)
			case "BY":
				assert.NotEmpty(t, p.PersonalNumber)
			default:
				t.Fatalf("jurisdiction %q", p.Jurisdiction)
			}
		})
	}
	for _, o := range ids.Organisations {
		t.Run("ok/"+o.ID, func(t *testing.T) {
			check(t, ident.INNLegal, o.INN)
			check(t, ident.OGRN, o.OGRN)
			check(t, ident.UNP, o.UNP)
			head, ok := ids.Person(o.Head)
			require.True(t, ok)
			assert.Equal(t, o.ID, head.Organisation, "the head works for the organisation")
		})
	}
}

func TestBuild(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	res, err := demo.Build(dir, now, demo.Options{Password: "секрет-demo"})
	require.NoError(t, err)
	set, err := profile.Load("")
	require.NoError(t, err)

	scenarios := map[string]bool{}
	for _, s := range res.Subscribers {
		scenarios[s.Scenario] = true
	}
	for _, want := range []string{"by-individual", "by-employee", "by-head", "ru-owner", "ru-employee", "ru-head", "ru-expired", "by-revoked"} {
		assert.True(t, scenarios[want], want)
	}

	for _, f := range []string{res.RootKeyFile, res.IssuingKeyFile} {
		fi, err := os.Stat(f)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
	_, gostRoot := res.Root.PublicKey.(*gost3410.PublicKey)
	assert.True(t, gostRoot || res.Root.PublicKey == nil, "crypto/x509 leaves a GOST key unparsed")
	require.NoError(t, x509sig.CheckSignatureFrom(res.Issuing, res.Root))
	issuingKey, err := x509sig.PublicKeyOf(res.Issuing)
	require.NoError(t, err)
	require.IsType(t, &gost3410.PublicKey{}, issuingKey, "the demo CA is GOST R 34.10-2012, as a Russian centre's")

	for _, s := range res.Subscribers {
		t.Run("ok/"+s.Scenario, func(t *testing.T) {
			prof, ok := set.Get(s.Profile)
			require.True(t, ok)
			assert.Equal(t, string(prof.Jurisdiction()), s.Jurisdiction)
			assert.NotEmpty(t, s.Identifiers)
			for name, v := range s.Identifiers {
				a, _ := prof.AttributeByName(name)
				_, err := ident.Check(a.Ident, v)
				assert.NoError(t, err, name)
			}

			// The PKCS#12 file opens with the password and holds key + chain.
			b, err := os.ReadFile(s.File)
			require.NoError(t, err)
			entries, err := keyfile.DecodePKCS12(b, "секрет-demo")
			require.NoError(t, err)
			require.Len(t, entries, 1)
			cert := entries[0].Cert
			assert.Equal(t, s.Serial, cert.SerialNumber)
			assert.NotNil(t, entries[0].Key)
			assert.Len(t, entries[0].Chain, 2)
			_, err = keyfile.DecodePKCS12(b, "wrong")
			assert.ErrorIs(t, err, keyfile.ErrPassword)

			// The current key is what the profile's wizard makes: GOST
			// for the Russian qualified profiles.
			pub, err := x509sig.PublicKeyOf(cert)
			require.NoError(t, err)
			if prof.Jurisdiction() == profile.RU {
				assert.IsType(t, &gost3410.PublicKey{}, pub)
			}

			// Chains to the demo root (as of a moment it is valid).
			at := now
			if s.State == "expired" {
				at = cert.NotAfter.Add(-time.Hour)
			}
			_, err = x509sig.VerifyChain(cert, x509sig.ChainOptions{
				Roots: []*x509.Certificate{res.Root}, Intermediates: []*x509.Certificate{res.Issuing}, At: at})
			require.NoError(t, err)

			switch s.State {
			case "expired":
				assert.True(t, now.After(cert.NotAfter))
			default:
				assert.True(t, now.Before(cert.NotAfter))
				assert.False(t, now.Before(cert.NotAfter.Add(-prof.RenewalWindow())), "inside the renewal window")
			}
			if prof.Jurisdiction() == profile.RU {
				kind := -1
				for _, e := range cert.Extensions {
					if e.Id.Equal(profile.OIDIdentificationKind) {
						_, err := asn1.Unmarshal(e.Value, &kind)
						require.NoError(t, err)
					}
				}
				assert.Equal(t, 0, kind, "issued in person, may renew remotely")
			}
		})
	}

	// Employee and head of the same organisation share its identifiers.
	for _, pair := range [][2]string{{"by-employee", "by-head"}, {"ru-employee", "ru-head"}} {
		a, _ := res.Subscriber(pair[0])
		b, _ := res.Subscriber(pair[1])
		assert.Equal(t, a.Organisation, b.Organisation)
		for _, k := range []string{"unp", "innle", "ogrn"} {
			assert.Equal(t, a.Identifiers[k], b.Identifiers[k], k)
		}
	}
	rev, _ := res.Subscriber("by-revoked")
	assert.Equal(t, rev.Serial, res.RevokeSerial)

	// OpenSSL with the GOST engine, which our code did not write, takes
	// the chain and a Russian holder's file.
	o := gostssl.New(t)
	owner, _ := res.Subscriber("ru-owner")
	o.MustRun(nil, "verify", "-attime", strconv.FormatInt(now.Unix(), 10), "-CAfile", res.RootFile,
		"-untrusted", res.IssuingFile, owner.CertFile)
	p12 := o.Write("owner.p12", mustRead(t, owner.File))
	out := o.MustRun(nil, "pkcs12", "-in", p12, "-passin", "pass:секрет-demo", "-nodes", "-info")
	assert.Contains(t, string(out), "BEGIN PRIVATE KEY")

	// A second build into the same directory refuses to overwrite keys.
	_, err = demo.Build(dir, now, demo.Options{Password: "x"})
	assert.Error(t, err)
	_, err = demo.Build(t.TempDir(), now, demo.Options{})
	assert.Error(t, err, "a password is required")
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
