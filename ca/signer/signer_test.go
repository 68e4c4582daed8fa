package signer_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/internal/hsmtest"
	"renewal/ca/signer"
)

func TestMain(m *testing.M) {
	code := m.Run()
	hsmtest.Cleanup()
	os.Exit(code)
}

func TestFileKey(t *testing.T) {
	tests := []struct {
		name    string
		alg     signer.Algorithm
		mode    os.FileMode
		wantErr string
	}{
		{name: "ok/ecdsa-p256-0600", alg: signer.ECDSAP256, mode: 0o600},
		{name: "ok/ecdsa-p384-0400", alg: signer.ECDSAP384, mode: 0o400},
		{name: "ok/rsa-2048", alg: signer.RSA2048, mode: 0o600},
		{name: "fail/group-readable", alg: signer.ECDSAP256, mode: 0o640, wantErr: "group or others"},
		{name: "fail/world-readable", alg: signer.ECDSAP256, mode: 0o604, wantErr: "group or others"},
		{name: "fail/group-writable", alg: signer.ECDSAP256, mode: 0o620, wantErr: "group or others"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "key.pem")
			gen, err := signer.GenerateFile(path, tt.alg)
			require.NoError(t, err)
			fi, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "generated key file mode")
			require.NoError(t, os.Chmod(path, tt.mode))

			loaded, err := signer.LoadFile(path)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.True(t, gen.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(loaded.Public()))
		})
	}
}

func TestGenerateFileRefusesOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	_, err := signer.GenerateFile(path, signer.ECDSAP256)
	require.NoError(t, err)
	_, err = signer.GenerateFile(path, signer.ECDSAP256)
	require.Error(t, err)
	_, err = signer.GenerateFile(filepath.Join(t.TempDir(), "k"), signer.Algorithm("dsa-1024"))
	require.Error(t, err)
}

func TestParsePEMRefusesOtherBlocks(t *testing.T) {
	_, err := signer.ParsePEM([]byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"))
	require.Error(t, err)
}

// TestPKCS11SoftHSM generates keys on a SoftHSM2 token, finds them again by
// label and signs a certificate that verifies.
func TestPKCS11SoftHSM(t *testing.T) {
	tests := []struct {
		name string
		alg  signer.Algorithm
	}{
		{"ok/ecdsa-p256", signer.ECDSAP256},
		{"ok/ecdsa-p384", signer.ECDSAP384},
		{"ok/rsa-2048", signer.RSA2048},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := hsmtest.Config(t)
			gen, err := signer.GeneratePKCS11(cfg, tt.alg)
			require.NoError(t, err)
			defer gen.Close()
			switch tt.alg {
			case signer.ECDSAP256:
				assert.Equal(t, elliptic.P256(), gen.Public().(*ecdsa.PublicKey).Curve)
			case signer.RSA2048:
				assert.Equal(t, 2048, gen.Public().(*rsa.PublicKey).N.BitLen())
			}

			// A second key with the same label is refused.
			_, err = signer.GeneratePKCS11(cfg, tt.alg)
			require.Error(t, err)

			key, err := signer.OpenPKCS11(cfg)
			require.NoError(t, err)
			defer key.Close()
			assert.True(t, gen.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public()))

			tmpl := &x509.Certificate{
				SerialNumber:          big.NewInt(1),
				Subject:               pkix.Name{CommonName: "HSM test"},
				NotBefore:             time.Now().Add(-time.Hour),
				NotAfter:              time.Now().Add(time.Hour),
				IsCA:                  true,
				BasicConstraintsValid: true,
				KeyUsage:              x509.KeyUsageCertSign,
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
			require.NoError(t, err)
			cert, err := x509.ParseCertificate(der)
			require.NoError(t, err)
			assert.NoError(t, cert.CheckSignatureFrom(cert))
		})
	}
}

func TestPKCS11Refusals(t *testing.T) {
	cfg := hsmtest.Config(t)
	tests := []struct {
		name string
		cfg  signer.PKCS11Config
	}{
		{"fail/no-module", signer.PKCS11Config{TokenLabel: cfg.TokenLabel, PIN: cfg.PIN, KeyLabel: "x"}},
		{"fail/no-key-label", signer.PKCS11Config{Module: cfg.Module, TokenLabel: cfg.TokenLabel, PIN: cfg.PIN}},
		{"fail/unknown-token", signer.PKCS11Config{Module: cfg.Module, TokenLabel: "nope", PIN: cfg.PIN, KeyLabel: "x"}},
		{"fail/wrong-pin", signer.PKCS11Config{Module: cfg.Module, TokenLabel: cfg.TokenLabel, PIN: "0000", KeyLabel: "x"}},
		{"fail/missing-key", cfg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := signer.OpenPKCS11(tt.cfg)
			if k != nil {
				k.Close()
			}
			require.Error(t, err)
		})
	}
}

// GOST CA keys are kept as PKCS#8 files like the others and read back.
func TestFileKeyGOST(t *testing.T) {
	for _, alg := range []signer.Algorithm{signer.GOST256, signer.GOST512} {
		path := filepath.Join(t.TempDir(), "k.pem")
		k, err := signer.GenerateFile(path, alg)
		require.NoError(t, err)
		back, err := signer.LoadFile(path)
		require.NoError(t, err)
		require.True(t, back.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public()), string(alg))
	}
}
