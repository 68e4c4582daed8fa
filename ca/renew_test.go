package ca_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/lint"
	"renewal/ca/profile"
	"renewal/ca/signer"
	"renewal/ca/x509sig"
)

const day = 24 * time.Hour

var (
	oidEmailProtection = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}
	oidClientAuth      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
)

func identificationKind(t *testing.T, c *x509.Certificate) (int, bool) {
	for _, e := range c.Extensions {
		if e.Id.Equal(profile.OIDIdentificationKind) {
			var v int
			_, err := asn1.Unmarshal(e.Value, &v)
			require.NoError(t, err)
			return v, true
		}
	}
	return 0, false
}

func ekuOIDs(t *testing.T, c *x509.Certificate) []asn1.ObjectIdentifier {
	for _, e := range c.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 37}) {
			var out []asn1.ObjectIdentifier
			_, err := asn1.Unmarshal(e.Value, &out)
			require.NoError(t, err)
			return out
		}
	}
	return nil
}

func hasPolicy(c *x509.Certificate, oid asn1.ObjectIdentifier) bool {
	for _, p := range c.Policies {
		if p.EqualASN1OID(oid) {
			return true
		}
	}
	return false
}

func TestRenewOK(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		key      string
		tariff   string
		subject  func(f *fixture, cur *x509.Certificate) []byte // CSR subject; nil: empty
		carry    bool
		check    func(t *testing.T, c *x509.Certificate)
	}{
		{name: "ok/gost-256", scenario: "ru-owner", key: "gost256"},
		{name: "ok/ecdsa-p256", scenario: "ru-owner", key: "p256"},
		{name: "ok/ecdsa-p384", scenario: "by-individual", key: "p384", carry: true},
		{name: "ok/rsa-2048", scenario: "ru-employee", key: "rsa2048", check: func(t *testing.T, c *x509.Certificate) {
			assert.NotZero(t, c.KeyUsage&x509.KeyUsageKeyEncipherment, "keyEncipherment for RSA")
		}},
		{name: "ok/ru-head", scenario: "ru-head", key: "p256"},
		{name: "ok/by-employee", scenario: "by-employee", key: "p256", carry: true},
		{name: "ok/by-head", scenario: "by-head", key: "p256", carry: true},
		{name: "ok/csr-subject-same", scenario: "ru-owner", key: "p256",
			subject: func(_ *fixture, cur *x509.Certificate) []byte { return cur.RawSubject }},
		{name: "ok/csr-subject-utf8-reencoded", scenario: "by-employee", key: "p256", carry: true,
			subject: func(_ *fixture, cur *x509.Certificate) []byte { return reencodeUTF8(t, cur.RawSubject) }},
		{name: "ok/tariff-trading", scenario: "ru-owner", key: "p256", tariff: "trading", check: func(t *testing.T, c *x509.Certificate) {
			assert.Contains(t, ekuOIDs(t, c), asn1.ObjectIdentifier{1, 2, 643, 6, 3, 1, 1})
		}},
		{name: "ok/tariff-declarations", scenario: "by-individual", key: "p256", tariff: "declarations", carry: true, check: func(t *testing.T, c *x509.Certificate) {
			assert.True(t, hasPolicy(c, asn1.ObjectIdentifier{2, 999, 112, 2, 1}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			key := newKey(t, tt.key)
			req := f.request(t, tt.scenario, key, "tok-"+tt.name)
			if tt.tariff != "" {
				req.Tariff = tt.tariff
			}
			if tt.subject != nil {
				req.CSR = csr(t, key, tt.subject(f, req.Current))
			}
			prof, _ := f.profiles.Get(req.Profile)
			now := f.clock.Now()

			got, err := f.auth.Renew(ctx, req)
			require.NoError(t, err)
			cert, err := x509.ParseCertificate(got.DER)
			require.NoError(t, err)

			// Same subject (the current certificate's bytes), new key, new serial.
			assert.Equal(t, req.Current.RawSubject, cert.RawSubject)
			certPub, err := x509sig.PublicKeyOf(cert) // GOST too
			require.NoError(t, err)
			assert.True(t, key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(certPub))
			assert.NotEqual(t, req.Current.SerialNumber, cert.SerialNumber)
			assert.Equal(t, 1, cert.SerialNumber.Sign())
			assert.LessOrEqual(t, cert.SerialNumber.BitLen(), 159)
			assert.Greater(t, cert.SerialNumber.BitLen(), 64)

			// Chains to the root (crypto/x509 verifies the ECDSA CA's
			// signature whatever the subject's key).
			_, err = cert.Verify(x509.VerifyOptions{Roots: f.roots, Intermediates: pool(f.res.Issuing), CurrentTime: now,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}})
			require.NoError(t, err)

			// Validity: profile's, plus the days left when the profile carries them.
			want := prof.Validity()
			if tt.carry {
				left := req.Current.NotAfter.Sub(now)
				_, capDur := prof.CarryRemaining()
				want += min(left, capDur)
			}
			assert.Equal(t, now, cert.NotBefore)
			assert.Equal(t, want, cert.NotAfter.Sub(cert.NotBefore))

			// Extensions.
			assert.Equal(t, prof.KeyUsage(cert.PublicKeyAlgorithm == x509.RSA), cert.KeyUsage)
			assert.Contains(t, ekuOIDs(t, cert), oidClientAuth)
			assert.Contains(t, ekuOIDs(t, cert), oidEmailProtection)
			for _, p := range prof.Policies() {
				assert.True(t, hasPolicy(cert, p), "policy %s", p)
			}
			assert.Equal(t, []string{testOCSPURL}, cert.OCSPServer)
			assert.Equal(t, []string{testCRLURL}, cert.CRLDistributionPoints)
			assert.Equal(t, []string{testIssuerURL}, cert.IssuingCertificateURL)
			assert.Equal(t, f.res.Issuing.SubjectKeyId, cert.AuthorityKeyId)
			assert.Len(t, cert.SubjectKeyId, 20)
			assert.False(t, cert.IsCA)
			ik, has := identificationKind(t, cert)
			if prof.Jurisdiction() == profile.RU {
				assert.True(t, has)
				assert.Equal(t, 1, ik, "remote issuance")
			} else {
				assert.False(t, has)
			}
			if tt.check != nil {
				tt.check(t, cert)
			}

			// The certificate we issued passes our own lint.
			fs, err := lint.Certificate(got.DER, prof)
			require.NoError(t, err)
			assert.Empty(t, fs)

			// Recorded: one intent, one certificate, with lineage.
			intents := f.store.Intents()
			require.Len(t, intents, 1)
			assert.Equal(t, cert.SerialNumber, intents[0].Serial)
			assert.Equal(t, sha256.Sum256(cert.RawTBSCertificate), intents[0].TBSSHA256)
			assert.Equal(t, req.Token, intents[0].Token)
			assert.Equal(t, req.ApplicationID, intents[0].ApplicationID)
			all := f.store.IssuedCertificates()
			require.Len(t, all, f.demoN+1)
			assert.Equal(t, req.Current.SerialNumber, got.Replaces)
			if _, gost := certPub.(*gost3410.PublicKey); !gost {
				// A GOST key's is its canonical identity (policy.go), not
				// the bytes of this one spelling.
				assert.Equal(t, sha256.Sum256(cert.RawSubjectPublicKeyInfo), got.SPKISHA256)
			}
			issued, err := f.store.Issued(ctx, cert.SerialNumber)
			require.NoError(t, err)
			assert.True(t, issued)
		})
	}
}

// reencodeUTF8 rewrites every attribute value as UTF8String, as a browser
// CSR builder might.
func reencodeUTF8(t *testing.T, raw []byte) []byte {
	attrs, err := profile.ParseName(raw)
	require.NoError(t, err)
	type atv struct {
		Type  asn1.ObjectIdentifier
		Value string `asn1:"utf8"`
	}
	type atvSET []atv
	var rdns []atvSET
	for _, a := range attrs {
		rdns = append(rdns, atvSET{{a.OID, a.Value}})
	}
	out, err := asn1.Marshal(rdns)
	require.NoError(t, err)
	require.NotEqual(t, raw, out)
	return out
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

func TestRenewRefusals(t *testing.T) {
	type setup func(t *testing.T, f *fixture) ca.RenewalRequest
	renewed := func(t *testing.T, f *fixture, scenario string, key crypto.Signer, token string) *ca.Issued {
		got, err := f.auth.Renew(context.Background(), f.request(t, scenario, key, token))
		require.NoError(t, err)
		return got
	}
	tests := []struct {
		name  string
		setup setup
		want  *ca.Error
		prior int // successful renewals made by setup
	}{
		{name: "fail/bad-signature", want: ca.ErrBadSignature, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			r.CSR[len(r.CSR)-3] ^= 0x01 // inside the signature
			return r
		}},
		{name: "fail/bad-signature-other-key", want: ca.ErrBadSignature, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			// A CSR whose public key is swapped for another: the signature
			// no longer proves possession.
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			other, err := x509.ParseCertificateRequest(csr(t, newKey(t, "p256"), nil))
			require.NoError(t, err)
			mine, err := x509.ParseCertificateRequest(r.CSR)
			require.NoError(t, err)
			r.CSR = bytes.Replace(r.CSR, mine.RawSubjectPublicKeyInfo, other.RawSubjectPublicKeyInfo, 1)
			return r
		}},
		{name: "fail/bad-csr", want: ca.ErrBadCSR, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			r.CSR = []byte("not a CSR")
			return r
		}},
		{name: "fail/unsupported-ed25519", want: ca.ErrUnsupportedAlgorithm, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			return f.request(t, "ru-owner", newKey(t, "ed25519"), "t")
		}},
		{name: "fail/gost-garbage-key", want: ca.ErrBadCSR, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			r.CSR = gostLikeCSR(t)
			return r
		}},
		{name: "fail/gost-not-in-profile", want: ca.ErrKeyNotAllowed, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			// The Belarusian profiles take no GOST key.
			return f.request(t, "by-individual", newKey(t, "gost256"), "t")
		}},
		{name: "fail/weak-rsa-1024", want: ca.ErrWeakKey, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			return f.request(t, "ru-owner", newKey(t, "rsa1024"), "t")
		}},
		{name: "fail/weak-ecdsa-p521", want: ca.ErrWeakKey, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			return f.request(t, "ru-owner", newKey(t, "p521"), "t")
		}},
		{name: "fail/key-reused-current", want: ca.ErrKeyReused, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			s := f.sub(t, "ru-owner")
			return f.request(t, "ru-owner", s.Key, "t")
		}},
		{name: "fail/key-reused-other-certificate", want: ca.ErrKeyReused, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			// The key of another subscriber's certificate the authority knows.
			return f.request(t, "ru-owner", f.sub(t, "by-individual").Key, "t")
		}},
		{name: "fail/key-reused-earlier-renewal", want: ca.ErrKeyReused, prior: 1, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			k := newKey(t, "p256")
			renewed(t, f, "ru-owner", k, "first")
			return f.request(t, "ru-head", k, "second")
		}},
		{name: "fail/subject-changed", want: ca.ErrSubjectChanged, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			k := newKey(t, "p256")
			r := f.request(t, "ru-owner", k, "t")
			other := f.sub(t, "ru-head").Cert.RawSubject
			r.CSR = csr(t, k, other)
			return r
		}},
		{name: "fail/subject-changed-one-value", want: ca.ErrSubjectChanged, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			k := newKey(t, "p256")
			r := f.request(t, "by-employee", k, "t")
			raw := bytes.Replace(r.Current.RawSubject, []byte("Главный бухгалтер"), []byte("Главный экономист"), 1)
			require.NotEqual(t, r.Current.RawSubject, raw)
			r.CSR = csr(t, k, raw)
			return r
		}},
		{name: "fail/cert-expired", want: ca.ErrCertExpired, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			return f.request(t, "ru-expired", newKey(t, "p256"), "t")
		}},
		{name: "fail/cert-expired-after-time-travel", want: ca.ErrCertExpired, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			r := f.request(t, "by-individual", newKey(t, "p256"), "t")
			f.clock.Set(r.Current.NotAfter.Add(time.Second))
			return r
		}},
		{name: "fail/cert-not-yet-valid", want: ca.ErrCertNotYetValid, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			f.clock.Set(r.Current.NotBefore.Add(-time.Minute))
			return r
		}},
		{name: "fail/cert-revoked", want: ca.ErrCertRevoked, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			return f.request(t, "by-revoked", newKey(t, "p256"), "t")
		}},
		{name: "fail/untrusted-chain-foreign-ca", want: ca.ErrUntrustedChain, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			// A lookalike hierarchy with the same names and the same subscriber subject.
			foreign := foreignCurrent(t, f)
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			r.Current, r.CurrentChain = foreign.leaf, []*x509.Certificate{foreign.issuing}
			return r
		}},
		{name: "fail/outside-window", want: ca.ErrOutsideWindow, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			f.clock.Set(r.Current.NotAfter.Add(-31 * day))
			return r
		}},
		{name: "fail/remote-chain", want: ca.ErrRemoteChain, prior: 1, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			got := renewed(t, f, "ru-owner", newKey(t, "p256"), "first")
			cur, err := x509.ParseCertificate(got.DER)
			require.NoError(t, err)
			f.clock.Set(cur.NotAfter.Add(-5 * day)) // inside the window of the new certificate
			r := f.request(t, "ru-owner", newKey(t, "p256"), "second")
			r.Current = cur
			return r
		}},
		{name: "fail/remote-chain-in-person-certificate-with-kind-1", want: ca.ErrRemoteChain, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			now := f.clock.Now()
			cur, _ := f.issueCurrent(t, "ru-owner", ruOwnerValues(), 1, now.Add(-300*day), now.Add(10*day))
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			r.Current = cur
			return r
		}},
		{name: "fail/token-used", want: ca.ErrTokenUsed, prior: 1, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			renewed(t, f, "ru-owner", newKey(t, "p256"), "paid-once")
			return f.request(t, "ru-head", newKey(t, "p256"), "paid-once")
		}},
		{name: "fail/lint-snils-check-digit", want: ca.ErrLint, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			now := f.clock.Now()
			v := ruOwnerValues()
			v["snils"] = "32622297561" // wrong check digits
			cur, _ := f.issueCurrent(t, "ru-owner", v, 0, now.Add(-300*day), now.Add(10*day))
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			r.Current = cur
			return r
		}},
		{name: "fail/lint-wrong-profile", want: ca.ErrLint, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			// A Belarusian certificate renewed under a Russian profile.
			r := f.request(t, "by-individual", newKey(t, "p256"), "t")
			r.Profile = "ru-owner"
			f.clock.Set(r.Current.NotAfter.Add(-20 * day))
			return r
		}},
		{name: "fail/unknown-profile", want: ca.ErrBadRequest, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			r.Profile = "kz-owner"
			return r
		}},
		{name: "fail/unknown-tariff", want: ca.ErrBadRequest, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			r.Tariff = "platinum"
			return r
		}},
		{name: "fail/no-token", want: ca.ErrBadRequest, setup: func(t *testing.T, f *fixture) ca.RenewalRequest {
			r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
			r.Token = ""
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			req := tt.setup(t, f)
			got, err := f.auth.Renew(context.Background(), req)
			require.Error(t, err)
			assert.Nil(t, got)
			assert.ErrorIs(t, err, tt.want)
			for _, other := range []*ca.Error{ca.ErrKeyReused, ca.ErrTokenUsed, ca.ErrLint, ca.ErrWeakKey} {
				if other != tt.want {
					assert.NotErrorIs(t, err, other)
				}
			}
			var e *ca.Error
			require.True(t, errors.As(err, &e))
			assert.NotEmpty(t, e.RU)
			assert.NotEmpty(t, e.EN)
			if tt.want == ca.ErrLint {
				assert.NotEmpty(t, e.Findings)
			}
			// Nothing issued: only the prior renewals' intents and certificates.
			assert.Len(t, f.store.Intents(), tt.prior, "intents")
			assert.Len(t, f.store.IssuedCertificates(), f.demoN+tt.prior, "certificates")
		})
	}
}

type foreignHierarchy struct {
	issuing, leaf *x509.Certificate
}

// foreignCurrent builds a lookalike CA (same names) and a certificate with
// the ru-owner subject: the chain check must refuse it.
func foreignCurrent(t *testing.T, f *fixture) foreignHierarchy {
	h, err := ca.InitHierarchy(ca.HierarchyConfig{
		RootSubject: f.res.Root.Subject, IssuingSubject: f.res.Issuing.Subject,
		RootValidity: 10 * 365 * day, IssuingValidity: 5 * 365 * day, Now: f.clock.Now().Add(-2 * 365 * day),
		RootKey:    func() (signer.Signer, error) { return newKey(t, "p256"), nil },
		IssuingKey: func() (signer.Signer, error) { return newKey(t, "p256"), nil },
	})
	require.NoError(t, err)
	s := f.sub(t, "ru-owner")
	tmpl := *s.Cert
	tmpl.SerialNumber = big.NewInt(12345)
	key := newKey(t, "p256")
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, h.Issuing, key.Public(), h.IssuingKey)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return foreignHierarchy{issuing: h.Issuing, leaf: leaf}
}

func TestRenewGraceAndChaining(t *testing.T) {
	ctx := context.Background()
	t.Run("ok/expired-within-grace", func(t *testing.T) {
		set, err := profile.LoadBytes([]byte("profiles:\n  ru-owner:\n    grace_days: 5\n"))
		require.NoError(t, err)
		f := newFixture(t, func(c *ca.Config) { c.Profiles = set })
		got, err := f.auth.Renew(ctx, f.request(t, "ru-expired", newKey(t, "gost256"), "t"))
		require.NoError(t, err)
		assert.NotNil(t, got)
	})
	t.Run("fail/expired-beyond-grace", func(t *testing.T) {
		set, err := profile.LoadBytes([]byte("profiles:\n  ru-owner:\n    grace_days: 2\n"))
		require.NoError(t, err)
		f := newFixture(t, func(c *ca.Config) { c.Profiles = set })
		_, err = f.auth.Renew(ctx, f.request(t, "ru-expired", newKey(t, "p256"), "t"))
		assert.ErrorIs(t, err, ca.ErrCertExpired)
	})
	t.Run("ok/by-renews-a-remotely-renewed-certificate", func(t *testing.T) {
		// Belarus has no no-chaining rule: a renewed certificate renews again.
		f := newFixture(t)
		got, err := f.auth.Renew(ctx, f.request(t, "by-individual", newKey(t, "p256"), "first"))
		require.NoError(t, err)
		cur, err := x509.ParseCertificate(got.DER)
		require.NoError(t, err)
		f.clock.Set(cur.NotAfter.Add(-10 * day))
		r := f.request(t, "by-individual", newKey(t, "p256"), "second")
		r.Current = cur
		got2, err := f.auth.Renew(ctx, r)
		require.NoError(t, err)
		assert.Equal(t, cur.SerialNumber, got2.Replaces)
	})
	t.Run("ok/window-opens-exactly", func(t *testing.T) {
		f := newFixture(t)
		r := f.request(t, "ru-owner", newKey(t, "p256"), "t")
		f.clock.Set(r.Current.NotAfter.Add(-30 * day))
		_, err := f.auth.Renew(ctx, r)
		require.NoError(t, err)
	})
}

// TestRenewIgnoresCSRExtensions: whatever the CSR asks for (CA:true, a DNS
// name, a key usage) is not copied; the profile decides.
func TestRenewIgnoresCSRExtensions(t *testing.T) {
	f := newFixture(t)
	key := newKey(t, "p256")
	bc, err := asn1.Marshal(struct {
		IsCA bool
	}{true})
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		DNSNames:        []string{"evil.example"},
		EmailAddresses:  []string{"someone-else@example.org"},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 19}, Critical: true, Value: bc}},
	}, key)
	require.NoError(t, err)
	req := f.request(t, "ru-owner", key, "t")
	req.CSR = der
	got, err := f.auth.Renew(context.Background(), req)
	require.NoError(t, err)
	cert := parse(t, got.DER)
	assert.False(t, cert.IsCA)
	assert.Empty(t, cert.DNSNames)
	assert.Equal(t, []string{"smirnov@example.ru"}, cert.EmailAddresses, "SAN e-mail comes from the current subject")
}

func TestRenewConcurrentSameToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const n = 8
	reqs := make([]ca.RenewalRequest, n)
	for i := range reqs {
		reqs[i] = f.request(t, "ru-owner", newKey(t, "p256"), "one-token")
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, used int
	)
	for i := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.auth.Renew(ctx, reqs[i])
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ca.ErrTokenUsed):
				used++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, ok)
	assert.Equal(t, n-1, used)
	assert.Len(t, f.store.IssuedCertificates(), f.demoN+1)
}

func TestRenewAuditLog(t *testing.T) {
	var buf bytes.Buffer
	f := newFixture(t, func(c *ca.Config) { c.Logger = slog.New(slog.NewTextHandler(&buf, nil)) })
	got, err := f.auth.Renew(context.Background(), f.request(t, "ru-owner", newKey(t, "p256"), "audited"))
	require.NoError(t, err)
	out := buf.String()
	serial := got.Serial.Text(16)
	assert.Contains(t, out, "ca: signing certificate")
	assert.Contains(t, out, "ca: signed certificate")
	assert.Equal(t, 2, strings.Count(out, "serial="+serial))
	assert.Contains(t, out, "application=app-ru-owner-audited")
}

func TestNewRefusesMismatchedSigner(t *testing.T) {
	res, _ := demoData(t)
	set, err := profile.Load("")
	require.NoError(t, err)
	base := ca.Config{Issuer: res.Issuing, Roots: []*x509.Certificate{res.Root}, Signer: res.IssuingKey, Profiles: set,
		Store: newFixture(t).store, OCSPURL: testOCSPURL, CRLURL: testCRLURL}
	_, err = ca.New(base)
	require.NoError(t, err)

	tests := []struct {
		name   string
		mutate func(*ca.Config)
	}{
		{"fail/other-key", func(c *ca.Config) { c.Signer = newKey(t, "p256") }},
		{"fail/leaf-as-issuer", func(c *ca.Config) { c.Issuer = res.Subscribers[0].Cert; c.Signer = res.Subscribers[0].Key }},
		{"fail/no-store", func(c *ca.Config) { c.Store = nil }},
		{"fail/no-roots", func(c *ca.Config) { c.Roots = nil }},
		{"fail/no-ocsp-url", func(c *ca.Config) { c.OCSPURL = "" }},
		{"fail/relative-crl-url", func(c *ca.Config) { c.CRLURL = "/crl" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.mutate(&c)
			_, err := ca.New(c)
			require.Error(t, err)
		})
	}
}

// TestRenewalRateLimit: a lineage renews remotely at most
// max_renewals_per_year times in 365 days; the year after, it may again.
func TestRenewalRateLimit(t *testing.T) {
	ctx := context.Background()
	set, err := profile.LoadBytes([]byte("profiles:\n  by-individual:\n    validity_days: 90\n    carry_remaining_days: false\n    max_renewals_per_year: 1\n"))
	require.NoError(t, err)
	f := newFixture(t, func(c *ca.Config) { c.Profiles = set })
	got, err := f.auth.Renew(ctx, f.request(t, "by-individual", newKey(t, "p256"), "first"))
	require.NoError(t, err, "the demo certificate's lineage has no renewal yet")
	cur, err := x509.ParseCertificate(got.DER)
	require.NoError(t, err)

	f.clock.Set(cur.NotAfter.Add(-10 * day)) // inside the renewal window, 80 days on
	r := f.request(t, "by-individual", newKey(t, "p256"), "second")
	r.Current = cur
	_, err = f.auth.Renew(ctx, r)
	assert.ErrorIs(t, err, ca.ErrRenewalLimit)
	assert.ErrorIs(t, f.auth.CheckCurrent(ctx, "by-individual", cur, nil), ca.ErrRenewalLimit, "refused at the proof already")

	set2, err := profile.LoadBytes([]byte("profiles:\n  by-individual:\n    validity_days: 90\n    carry_remaining_days: false\n    max_renewals_per_year: 2\n"))
	require.NoError(t, err)
	f2 := newFixture(t, func(c *ca.Config) { c.Profiles = set2; c.Store = f.store; c.Now = f.clock.Now })
	r.Token = "second-with-two"
	_, err = f2.auth.Renew(ctx, r)
	assert.NoError(t, err, "two a year allow the second")
}
