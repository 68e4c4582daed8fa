package authority

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/crypto/gost3410"
	"renewal/ca/demo"
	"renewal/ca/memstore"
	"renewal/ca/signer"
	"renewal/ca/x509sig"
	"renewal/server/internal/config"
	"renewal/server/internal/pgtest"
	"renewal/server/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func initCA(t *testing.T) (*config.Config, *ca.Hierarchy) {
	t.Helper()
	cfg := &config.Config{CADir: filepath.Join(t.TempDir(), "ca")}
	h, err := Init(cfg, InitOptions{
		Organisation: "УЦ", Country: "RU", RootName: "Корневой УЦ", IssuingName: "Выпускающий УЦ",
		Algorithm: signer.ECDSAP256, RootValidity: 20 * 365 * 24 * time.Hour, IssuingValidity: 10 * 365 * 24 * time.Hour,
		PublicURL: "https://ca.example",
	})
	require.NoError(t, err)
	return cfg, h
}

func rootCRLFile(t *testing.T, cfg *config.Config) *x509.RevocationList {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(cfg.CADir, RootCRLFile))
	require.NoError(t, err)
	crl, err := x509.ParseRevocationList(b)
	require.NoError(t, err)
	return crl
}

// `ca init` writes the root's CRL and names it, and the root's
// certificate, in the issuing CA certificate.
func TestInitPublishesRootCRL(t *testing.T) {
	cfg, h := initCA(t)
	crl := rootCRLFile(t, cfg)
	require.NoError(t, crl.CheckSignatureFrom(h.Root))
	assert.Empty(t, crl.RevokedCertificateEntries)
	assert.Equal(t, ca.RootCRLValidity, crl.NextUpdate.Sub(crl.ThisUpdate))
	assert.Equal(t, []string{"https://ca.example" + PathRootCRL}, h.Issuing.CRLDistributionPoints)
	assert.Equal(t, []string{"https://ca.example" + PathRoot}, h.Issuing.IssuingCertificateURL)

	l, err := Load(cfg, memstore.New(), "https://ca.example", quiet, nil)
	require.NoError(t, err)
	defer l.Close()
	assert.Equal(t, crl.Raw, l.RootCRL, "a fresh root CRL is served as it is")
}

func TestLoadRootCRL(t *testing.T) {
	later := func(d time.Duration) func() time.Time { return func() time.Time { return time.Now().Add(d) } }
	t.Run("ok/ageing-re-signed-with-the-key", func(t *testing.T) {
		cfg, h := initCA(t)
		old := rootCRLFile(t, cfg)
		l, err := Load(cfg, memstore.New(), "https://ca.example", quiet, later(300*24*time.Hour))
		require.NoError(t, err)
		defer l.Close()
		crl, err := x509.ParseRevocationList(l.RootCRL)
		require.NoError(t, err)
		require.NoError(t, crl.CheckSignatureFrom(h.Root))
		assert.True(t, crl.ThisUpdate.After(old.ThisUpdate))
		assert.Equal(t, 1, crl.Number.Cmp(old.Number))
		assert.Equal(t, l.RootCRL, rootCRLFile(t, cfg).Raw, "written back")
	})
	t.Run("ok/ageing-without-the-key-served", func(t *testing.T) {
		cfg, _ := initCA(t)
		old := rootCRLFile(t, cfg)
		require.NoError(t, os.Remove(filepath.Join(cfg.CADir, RootKeyFile)))
		l, err := Load(cfg, memstore.New(), "https://ca.example", quiet, later(300*24*time.Hour))
		require.NoError(t, err)
		defer l.Close()
		assert.Equal(t, old.Raw, l.RootCRL)
	})
	t.Run("ok/made-before-root-crls", func(t *testing.T) {
		// A CA_DIR from before: no root CRL, the root key offline.
		cfg, _ := initCA(t)
		require.NoError(t, os.Remove(filepath.Join(cfg.CADir, RootCRLFile)))
		require.NoError(t, os.Remove(filepath.Join(cfg.CADir, RootKeyFile)))
		l, err := Load(cfg, memstore.New(), "https://ca.example", quiet, nil)
		require.NoError(t, err, "still loads")
		defer l.Close()
		assert.Nil(t, l.RootCRL, "nothing to serve: /ca/root.crl answers 404")
	})
	t.Run("fail/not-signed-by-the-root", func(t *testing.T) {
		cfg, h := initCA(t)
		forged, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
			Number: big.NewInt(1), ThisUpdate: time.Now(), NextUpdate: time.Now().Add(time.Hour),
		}, h.Issuing, h.IssuingKey)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(cfg.CADir, RootCRLFile), forged, 0o644))
		_, err = Load(cfg, memstore.New(), "https://ca.example", quiet, nil)
		assert.ErrorContains(t, err, "not signed by the root")
	})
	t.Run("fail/garbage", func(t *testing.T) {
		cfg, _ := initCA(t)
		require.NoError(t, os.WriteFile(filepath.Join(cfg.CADir, RootCRLFile), []byte("garbage"), 0o644))
		_, err := Load(cfg, memstore.New(), "https://ca.example", quiet, nil)
		assert.Error(t, err)
	})
}

// The refresh job on the real database: one run publishes a CRL and the
// answer of every valid certificate; the next signs nothing.
func TestRefreshJob(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t), store.Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(ctx))
	dir := filepath.Join(t.TempDir(), "demo")
	_, err = EnsureDemo(ctx, dir, st.CA(), "http://127.0.0.1", time.Now())
	require.NoError(t, err)
	l, err := Load(&config.Config{CADir: dir}, st.CA(), "http://127.0.0.1", quiet, nil)
	require.NoError(t, err)
	defer l.Close()
	require.NotNil(t, l.RootCRL, "the demo's root CRL, made at load with the demo root key")

	now := time.Now()
	stale, err := st.CA().OCSPStale(ctx, now, now.Add(2*time.Hour), 100)
	require.NoError(t, err)
	require.NotEmpty(t, stale, "the demo certificates have no answers yet")
	_, ok, err := st.CA().LatestCRL(ctx)
	require.NoError(t, err)
	require.False(t, ok)

	w := &refreshWorker{a: l.Authority.WithStore(st.ForJobs().CA())}
	require.NoError(t, w.Work(ctx, nil))
	crl, ok, err := st.CA().LatestCRL(ctx)
	require.NoError(t, err)
	require.True(t, ok, "a CRL is published")
	stale, err = st.CA().OCSPStale(ctx, now, now.Add(2*time.Hour), 100)
	require.NoError(t, err)
	assert.Empty(t, stale, "every valid certificate has its answer")

	require.NoError(t, w.Work(ctx, nil))
	again, _, err := st.CA().LatestCRL(ctx)
	require.NoError(t, err)
	assert.Equal(t, crl.Number, again.Number, "nothing changed: no new CRL")
}

// `ca root-crl` signs anew with the root key, and refuses without it.
func TestResignRootCRL(t *testing.T) {
	cfg, h := initCA(t)
	old := rootCRLFile(t, cfg)
	crl, err := ResignRootCRL(cfg, time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.NoError(t, crl.CheckSignatureFrom(h.Root))
	assert.True(t, crl.ThisUpdate.After(old.ThisUpdate))
	assert.Equal(t, crl.Raw, rootCRLFile(t, cfg).Raw)

	require.NoError(t, os.Remove(filepath.Join(cfg.CADir, RootKeyFile)))
	_, err = ResignRootCRL(cfg, time.Now().Add(2*time.Hour))
	assert.ErrorContains(t, err, "root key is needed")
	assert.Equal(t, crl.Raw, rootCRLFile(t, cfg).Raw, "unchanged")
}

// `ca init --algorithm gost2012-256|gost2012-512`: root and issuing CA are
// GOST, their keys GOST PKCS#8 files; the root CRL is GOST-signed and
// verified on load; the loaded Authority signs a CRL with the GOST key.
func TestInitGOST(t *testing.T) {
	for _, alg := range []signer.Algorithm{signer.GOST256, signer.GOST512} {
		t.Run(string(alg), func(t *testing.T) {
			cfg := &config.Config{CADir: filepath.Join(t.TempDir(), "ca")}
			h, err := Init(cfg, InitOptions{
				Organisation: "УЦ", Country: "RU", RootName: "Корневой УЦ", IssuingName: "Выпускающий УЦ",
				Algorithm: alg, RootValidity: 20 * 365 * 24 * time.Hour, IssuingValidity: 10 * 365 * 24 * time.Hour,
				PublicURL: "https://ca.example",
			})
			require.NoError(t, err)
			for _, c := range []*x509.Certificate{h.Root, h.Issuing} {
				pub, err := x509sig.PublicKeyOf(c)
				require.NoError(t, err)
				k, ok := pub.(*gost3410.PublicKey)
				require.True(t, ok, "%s: %T", c.Subject.CommonName, pub)
				require.Equal(t, map[signer.Algorithm]int{signer.GOST256: 32, signer.GOST512: 64}[alg], k.Curve().Size())
			}
			require.NoError(t, x509sig.CheckSignatureFrom(h.Issuing, h.Root))
			b, err := os.ReadFile(filepath.Join(cfg.CADir, RootCRLFile))
			require.NoError(t, err)
			_, err = x509sig.ParseRevocationList(b, h.Root)
			require.NoError(t, err)

			l, err := Load(cfg, memstore.New(), "https://ca.example", quiet, nil)
			require.NoError(t, err)
			defer l.Close()
			crl, err := l.Authority.CRL(context.Background())
			require.NoError(t, err)
			_, err = x509sig.ParseRevocationList(crl, h.Issuing)
			require.NoError(t, err)
		})
	}
}

// A demo made before the demo authority became GOST (an ECDSA CA) is
// made anew at the next start, the old one kept beside it; a GOST demo
// with life left is reused.
func TestEnsureDemoRemakesAnECDSADemo(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t), store.Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(st.Close)
	require.NoError(t, st.Migrate(ctx))
	base := t.TempDir()
	dir := filepath.Join(base, "demo")
	now := time.Now()
	res, err := demo.Build(dir, now, demo.Options{Password: "old", CAAlgorithm: signer.ECDSAP256,
		OCSPURL: "http://127.0.0.1" + PathOCSP, CRLURL: "http://127.0.0.1" + PathCRL,
		RootCRLURL: "http://127.0.0.1" + PathRootCRL})
	require.NoError(t, err)
	old := &Demo{Dir: dir, Password: "old"}
	for _, s := range res.Subscribers {
		old.Subscribers = append(old.Subscribers, DemoSubscriber{Scenario: s.Scenario, State: s.State, File: s.File,
			Serial: s.Serial.Text(16), NotAfter: s.NotAfter})
	}
	require.NoError(t, old.write())

	d, err := EnsureDemo(ctx, dir, st.CA(), "http://127.0.0.1", now)
	require.NoError(t, err)
	assert.NotEqual(t, "old", d.Password, "made anew")
	iss, err := readCert(filepath.Join(dir, IssuingFile))
	require.NoError(t, err)
	pub, err := x509sig.PublicKeyOf(iss)
	require.NoError(t, err)
	assert.IsType(t, &gost3410.PublicKey{}, pub, "the demo authority is GOST")
	kept, err := filepath.Glob(dir + "-*")
	require.NoError(t, err)
	assert.Len(t, kept, 1, "the old demo is kept beside it")

	again, err := EnsureDemo(ctx, dir, st.CA(), "http://127.0.0.1", now)
	require.NoError(t, err)
	assert.Equal(t, d.Password, again.Password, "a GOST demo with life left is reused")
}
