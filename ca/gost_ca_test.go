package ca_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/gostssl"
	"renewal/ca/memstore"
	"renewal/ca/profile"
	"renewal/ca/signer"
	"renewal/ca/x509sig"
)

// goodForeign answers "not revoked" for the demo certificates, which are
// another issuer's to a GOST authority built beside the demo one.
type goodForeign struct{}

func (goodForeign) Status(context.Context, *x509.Certificate, *x509.Certificate, time.Time) (ca.RevocationInfo, error) {
	return ca.RevocationInfo{}, nil
}

type gostCA struct {
	auth          *ca.Authority
	root, issuing *x509.Certificate
	f             *fixture
}

// newGOSTCA is a GOST root and issuing CA on curve (made by x509sig) and
// an Authority signing with the issuing key; the demo subscribers (ECDSA,
// the demo CA's) renew through it.
func newGOSTCA(t testing.TB, curve *gost3410.Curve) *gostCA {
	t.Helper()
	f := newFixture(t)
	now := f.clock.Now()
	mk := func(cn string, parent *x509.Certificate, parentKey *gost3410.PrivateKey) (*x509.Certificate, *gost3410.PrivateKey) {
		key := gostKey(t, curve)
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(now.UnixNano()),
			Subject:               pkix.Name{CommonName: cn, Organization: []string{"ГОСТ тест"}, Country: []string{"RU"}},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.AddDate(5, 0, 0),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		}
		signer := key
		if parent == nil {
			parent = tmpl
		} else {
			signer = parentKey
		}
		der, err := x509sig.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
		require.NoError(t, err)
		c, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		return c, key
	}
	root, rootKey := mk("GOST test root", nil, nil)
	issuing, issuingKey := mk("GOST test issuing CA", root, rootKey)
	st := memstore.New()
	for _, s := range f.res.Subscribers {
		require.NoError(t, st.RecordIssued(context.Background(), ca.Issued{
			Serial: s.Serial, DER: s.Cert.Raw, SPKISHA256: sha256.Sum256(s.Cert.RawSubjectPublicKeyInfo),
			NotBefore: s.Cert.NotBefore, NotAfter: s.Cert.NotAfter, Profile: s.Profile, ApplicationID: "demo",
		}))
	}
	roots := x509.NewCertPool()
	roots.AddCert(f.res.Root)
	set, err := profile.LoadBytes([]byte("profiles:\n  ru-owner:\n    key_algorithms: [gost2012-256, gost2012-512, ecdsa-p256]\n"))
	require.NoError(t, err)
	auth, err := ca.New(ca.Config{
		Issuer: issuing, Roots: []*x509.Certificate{f.res.Root}, Signer: issuingKey, Profiles: set, Store: st, Now: f.clock.Now,
		OCSPURL: testOCSPURL, CRLURL: testCRLURL, IssuerURL: testIssuerURL, Foreign: goodForeign{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	return &gostCA{auth: auth, root: root, issuing: issuing, f: f}
}

// A GOST authority (256 and 512) issues for a GOST CSR and for an ECDSA
// CSR, signs its CRL and, through its GOST delegated responder, its OCSP
// responses; x509sig and OpenSSL with the GOST engine verify each.
func TestGOSTAuthority(t *testing.T) {
	for _, curve := range []*gost3410.Curve{gost3410.Curve256B(), gost3410.Curve512A()} {
		t.Run(curve.Name(), func(t *testing.T) {
			g := newGOSTCA(t, curve)
			ctx := context.Background()
			ssl := gostssl.New(t)
			ssl.Write("root.pem", ca.EncodePEM(g.root))
			ssl.Write("issuing.pem", ca.EncodePEM(g.issuing))
			sigName := map[int]string{32: "GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)", 64: "GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)"}[curve.Size()]

			gostReq := g.f.request(t, "ru-owner", newKey(t, "p256"), "gost")
			gostReq.CSR = gostCSR(t, gostKey(t, gost3410.Curve256A()))
			ecdsaReq := g.f.request(t, "ru-owner", newKey(t, "p256"), "ecdsa")
			for i, req := range []ca.RenewalRequest{gostReq, ecdsaReq} {
				got, err := g.auth.Renew(ctx, req)
				require.NoError(t, err)
				cert := parse(t, got.DER)
				require.NoError(t, x509sig.CheckSignatureFrom(cert, g.issuing))
				leaf := fmt.Sprintf("leaf%d.pem", i)
				ssl.Write(leaf, ca.EncodePEM(cert))
				out := ssl.MustRun(nil, "verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem", leaf)
				require.Contains(t, string(out), leaf+": OK")
				require.Contains(t, string(ssl.MustRun(nil, "x509", "-in", leaf, "-noout", "-text")), "Signature Algorithm: "+sigName)

				// OCSP: a request made by OpenSSL, answered by the GOST
				// responder, verified by OpenSSL and by x509sig.
				ssl.MustRun(nil, "ocsp", "-issuer", "issuing.pem", "-cert", leaf, "-no_nonce", "-reqout", "req.der")
				resp, err := g.auth.OCSP(ctx, ssl.Read("req.der"), func() bool { return true })
				require.NoError(t, err)
				_, err = x509sig.VerifyOCSPResponse(resp, g.issuing, g.f.clock.Now())
				require.NoError(t, err)
				ssl.Write("resp.der", resp)
				out = ssl.MustRun(nil, "ocsp", "-respin", "resp.der", "-issuer", "issuing.pem", "-cert", leaf, "-CAfile", "root.pem", "-no_nonce", "-resp_text")
				require.Contains(t, string(out), "Response verify OK")
				require.Contains(t, string(out), leaf+": good")
				// The responder's key follows the CA's: its response and
				// its certificate are GOST of the CA's size.
				require.NotContains(t, string(out), "ecdsa")
				require.Contains(t, string(out), "Signature Algorithm: "+sigName)

				if i == 0 {
					require.NoError(t, g.auth.Revoke(ctx, got.Serial, ca.ReasonKeyCompromise))
				}
			}

			crl, err := g.auth.CRL(ctx)
			require.NoError(t, err)
			_, err = x509sig.ParseRevocationList(crl, g.issuing)
			require.NoError(t, err)
			ssl.Write("crl.der", crl)
			out := ssl.MustRun(nil, "crl", "-in", "crl.der", "-inform", "DER", "-CAfile", "issuing.pem", "-noout")
			require.Contains(t, string(out), "verify OK")
			require.Contains(t, string(ssl.MustRun(nil, "crl", "-in", "crl.der", "-inform", "DER", "-noout", "-text")), "Key Compromise")

			// The revoked GOST certificate's OCSP answer says so.
			ssl.MustRun(nil, "ocsp", "-issuer", "issuing.pem", "-cert", "leaf0.pem", "-no_nonce", "-reqout", "req.der")
			resp, err := g.auth.OCSP(ctx, ssl.Read("req.der"), func() bool { return true })
			require.NoError(t, err)
			ssl.Write("resp.der", resp)
			out = ssl.MustRun(nil, "ocsp", "-respin", "resp.der", "-issuer", "issuing.pem", "-cert", "leaf0.pem", "-CAfile", "root.pem", "-no_nonce")
			require.Contains(t, string(out), "Response verify OK")
			require.Contains(t, string(out), "leaf0.pem: revoked")
		})
	}
}

// `ca init`'s hierarchy with GOST keys in PKCS#8 files: OpenSSL with the
// GOST engine verifies the issuing CA against the root, reads both key
// files, and verifies the root's CRL.
func TestGOSTHierarchyFiles(t *testing.T) {
	for _, alg := range []signer.Algorithm{signer.GOST256, signer.GOST512} {
		t.Run(string(alg), func(t *testing.T) {
			ssl := gostssl.New(t)
			h, err := ca.InitHierarchy(ca.HierarchyConfig{
				RootSubject:    pkix.Name{CommonName: "Корневой УЦ ГОСТ", Country: []string{"RU"}},
				IssuingSubject: pkix.Name{CommonName: "Выпускающий УЦ ГОСТ", Country: []string{"RU"}},
				RootValidity:   20 * 365 * 24 * time.Hour, IssuingValidity: 10 * 365 * 24 * time.Hour,
				RootKey: func() (signer.Signer, error) {
					return signer.GenerateFile(filepath.Join(ssl.Dir, "root.key"), alg)
				},
				IssuingKey: func() (signer.Signer, error) {
					return signer.GenerateFile(filepath.Join(ssl.Dir, "issuing.key"), alg)
				},
			})
			require.NoError(t, err)
			ssl.Write("root.pem", ca.EncodePEM(h.Root))
			ssl.Write("issuing.pem", ca.EncodePEM(h.Issuing))
			require.Contains(t, string(ssl.MustRun(nil, "verify", "-CAfile", "root.pem", "issuing.pem")), "issuing.pem: OK")
			for _, k := range []string{"root.key", "issuing.key"} {
				require.Contains(t, string(ssl.MustRun(nil, "pkey", "-in", k, "-noout", "-text")), "GOST")
			}
			crl, err := ca.SignRootCRL(h.Root, h.RootKey, nil, time.Now(), ca.RootCRLValidity)
			require.NoError(t, err)
			ssl.Write("root.crl", crl)
			require.Contains(t, string(ssl.MustRun(nil, "crl", "-in", "root.crl", "-inform", "DER", "-CAfile", "root.pem", "-noout")), "verify OK")
		})
	}
}
