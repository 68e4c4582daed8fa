package ca_test

import (
	"context"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/gostssl"
	"renewal/ca/profile"
	"renewal/ca/x509sig"
)

// gostRequest is a renewal of a demo subscriber with a GOST CSR.
func (f *fixture) gostRequest(tb testing.TB, scenario string, key *gost3410.PrivateKey, token string) ca.RenewalRequest {
	tb.Helper()
	r := f.request(tb, scenario, newKey(tb, "p256"), token)
	r.CSR = gostCSR(tb, key)
	return r
}

// A GOST subject key, today's ECDSA issuing CA: the certificate carries
// the GOST key (algorithm OID, parameter set, point), the subjectSignTool
// names the GOST key, lint ran on it, and OpenSSL with the GOST engine
// verifies the chain; a later request with the same key in its CryptoPro
// spelling is reuse, found in the store.
func TestGOSTSubjectIssued(t *testing.T) {
	f := newFixture(t, gostProfiles("gost2012-256, gost2012-512"))
	ssl := gostssl.New(t)
	ssl.Write("root.pem", ca.EncodePEM(f.res.Root))
	ssl.Write("issuing.pem", ca.EncodePEM(f.res.Issuing))
	for _, c := range []*gost3410.Curve{gost3410.Curve256A(), gost3410.CryptoProA(), gost3410.Curve512B()} {
		t.Run(c.Name(), func(t *testing.T) {
			key := gostKey(t, c)
			got, err := f.auth.Renew(context.Background(), f.gostRequest(t, "ru-owner", key, c.Name()))
			require.NoError(t, err)
			cert := parse(t, got.DER)
			pub, err := x509sig.PublicKeyOf(cert)
			require.NoError(t, err)
			require.True(t, key.PublicKey().Equal(pub), "the CSR's key is certified")
			want := gost3410.OIDPublicKey256
			if c.Size() == 64 {
				want = gost3410.OIDPublicKey512
			}
			var spki struct {
				Alg struct {
					OID    asn1.ObjectIdentifier
					Params asn1.RawValue
				}
				Key asn1.BitString
			}
			_, err = asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki)
			require.NoError(t, err)
			require.True(t, spki.Alg.OID.Equal(want), "key algorithm %s", spki.Alg.OID)
			require.NoError(t, x509sig.CheckSignatureFrom(cert, f.res.Issuing))

			var tool string
			for _, e := range cert.Extensions {
				if e.Id.Equal(profile.OIDSubjectSignTool) {
					_, err := asn1.Unmarshal(e.Value, &tool)
					require.NoError(t, err)
				}
			}
			require.Contains(t, tool, "GOST R 34.10-2012")

			ssl.Write("leaf.pem", ca.EncodePEM(cert))
			out := ssl.MustRun(nil, "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "leaf.pem")
			require.Contains(t, string(out), "leaf.pem: OK")
			text := ssl.MustRun(nil, "x509", "-in", "leaf.pem", "-noout", "-text")
			require.Contains(t, string(text), "GOST R 34.10-2012 with "+map[int]string{32: "256", 64: "512"}[c.Size()])
		})
	}

	// The key certified above under CryptoPro A, asked for again with the
	// TC26 256 B identifier (the same curve and point): the store knows it.
	key := gostKey(t, gost3410.CryptoProA())
	_, err := f.auth.Renew(context.Background(), f.gostRequest(t, "ru-owner", key, "first"))
	require.NoError(t, err)
	asB, err := gost3410.NewPrivateKey(gost3410.Curve256B(), key.Bytes())
	require.NoError(t, err)
	_, err = f.auth.Renew(context.Background(), f.gostRequest(t, "ru-head", asB, "second"))
	refusedWith(t, err, ca.ErrKeyReused)
}

// Lint still runs on a certificate for a GOST key, zlint and ours: a
// trailing space in the name (zlint's warning) and a wrong-length ИНН (our
// lint) each refuse it, nothing signed by the real key.
func TestGOSTSubjectLinted(t *testing.T) {
	for _, tt := range []struct{ name, field, value, finding string }{
		{"zlint", "cn", "", "w_subject_dn_trailing_whitespace"},
		{"ours", "inn", "78016274373", "ru_by_attribute_length"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, cs := countedFixture(t, gostProfiles("gost2012-256"))
			v := ruOwnerValues()
			if tt.value == "" {
				v[tt.field] += " "
			} else {
				v[tt.field] = tt.value
			}
			now := f.clock.Now()
			cur, _ := f.issueCurrent(t, "ru-owner", v, 0, now.Add(-300*day), now.Add(10*day))
			r := f.gostRequest(t, "ru-owner", gostKey(t, gost3410.Curve256A()), "t")
			r.Current = cur
			_, err := f.auth.Renew(context.Background(), r)
			e := refused(t, f, cs, err, ca.ErrLint)
			require.Contains(t, findingNames(e.Findings), tt.finding)
		})
	}
}

// privateKeyUsagePeriod is written when the profile asks for it (the
// certificate's validity, non-critical), passes lint, and OpenSSL reads
// it; without the switch it is absent.
func TestPrivateKeyUsagePeriod(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint(on), func(t *testing.T) {
			f := newFixture(t, func(c *ca.Config) {
				set, err := profile.LoadBytes([]byte(fmt.Sprintf("profiles:\n  ru-owner:\n    key_algorithms: [gost2012-256]\n    ru_extensions:\n      private_key_usage_period: %v\n", on)))
				require.NoError(t, err)
				c.Profiles = set
			})
			got, err := f.auth.Renew(context.Background(), f.gostRequest(t, "ru-owner", gostKey(t, gost3410.Curve256A()), "pkup"))
			require.NoError(t, err)
			cert := parse(t, got.DER)
			var found []pkix.Extension
			for _, e := range cert.Extensions {
				if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 16}) {
					found = append(found, e)
				}
			}
			if !on {
				require.Empty(t, found)
				return
			}
			require.Len(t, found, 1)
			require.False(t, found[0].Critical)
			var v struct {
				NotBefore time.Time `asn1:"generalized,tag:0"`
				NotAfter  time.Time `asn1:"generalized,tag:1"`
			}
			rest, err := asn1.Unmarshal(found[0].Value, &v)
			require.NoError(t, err)
			require.Empty(t, rest)
			require.True(t, v.NotBefore.Equal(cert.NotBefore), "%s %s", v.NotBefore, cert.NotBefore)
			require.True(t, v.NotAfter.Equal(cert.NotAfter))
			ssl := gostssl.New(t)
			ssl.Write("leaf.pem", ca.EncodePEM(cert))
			require.Contains(t, string(ssl.MustRun(nil, "x509", "-in", "leaf.pem", "-noout", "-text")), "Private Key Usage Period")
		})
	}
}
