package lint_test

import (
	"bytes"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca/demo"
	"renewal/ca/lint"
)

// TestOperatorLintFile is what `ca lint FILE.pem` does: read the file, pick
// the profile that fits best, print each finding.
func TestOperatorLintFile(t *testing.T) {
	res, set := fixture(t)
	ruOwner, _ := set.Get("ru-owner")
	bad := ruOwnerValues()
	bad["snils"] = "57228464208"
	tests := []struct {
		name    string
		der     []byte
		profile string
		want    string // a finding name; "" means none
	}{
		{name: "fail/wrong-snils-check-digit", der: issue(t, res, ruOwner, bad, nil, nil), profile: "ru-owner", want: "ru_by_identifier_check"},
		{name: "ok/issued-ru-owner", der: issue(t, res, ruOwner, ruOwnerValues(), nil, nil), profile: "ru-owner"},
		{name: "ok/demo-by-employee", der: mustSub(t, res, "by-employee"), profile: "by-employee"},
		{name: "ok/demo-ru-employee", der: mustSub(t, res, "ru-employee"), profile: "ru-employee"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cert.pem")
			require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tt.der}), 0o644))
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			ders, err := lint.DecodeCertificates(data)
			require.NoError(t, err)
			require.Len(t, ders, 1)
			prof, fs, err := lint.BestProfile(ders[0], set)
			require.NoError(t, err)
			assert.Equal(t, tt.profile, prof.Name())
			var out bytes.Buffer
			require.NoError(t, lint.Write(&out, fs))
			if tt.want == "" {
				assert.Empty(t, fs)
				assert.Equal(t, "no findings\n", out.String())
				return
			}
			assert.Contains(t, names(fs), tt.want)
			assert.Contains(t, out.String(), tt.want)
		})
	}
	t.Run("ok/der-input", func(t *testing.T) {
		ders, err := lint.DecodeCertificates(mustSub(t, res, "ru-owner"))
		require.NoError(t, err)
		assert.Len(t, ders, 1)
	})
	t.Run("fail/not-a-certificate", func(t *testing.T) {
		_, err := lint.DecodeCertificates([]byte("hello"))
		assert.Error(t, err)
	})
}

func mustSub(t *testing.T, res *demo.Result, scenario string) []byte {
	t.Helper()
	s, ok := res.Subscriber(scenario)
	require.True(t, ok)
	return s.Cert.Raw
}
