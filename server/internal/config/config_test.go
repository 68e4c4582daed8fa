package config

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestPrecedence(t *testing.T) {
	c, err := Parse("x", nil, env(nil), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", c.Addr)
	assert.True(t, strings.HasSuffix(c.DataDir, "/var"))
	assert.False(t, c.Dev)
	assert.Equal(t, 5*time.Second, c.DBWait)

	c, err = Parse("x", nil, env(map[string]string{"ADDR": "127.0.0.1:9", "DEV": "true", "DATABASE_URL": "postgres://db", "TRUSTED_PROXY": "10.0.0.1, 192.168.0.0/16"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9", c.Addr)
	assert.True(t, c.Dev)
	assert.Equal(t, "postgres://db", c.DatabaseURL)
	assert.Equal(t, []string{"10.0.0.1", "192.168.0.0/16"}, c.TrustedProxies)

	c, err = Parse("x", []string{"--addr", "127.0.0.1:7", "--dev=false"}, env(map[string]string{"ADDR": "127.0.0.1:9", "DEV": "true"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7", c.Addr, "a flag wins over the environment")
	assert.False(t, c.Dev)
}

func TestRefusals(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"fail/proxy", []string{"--trusted-proxy", "example.com"}, nil, "neither an IP nor a CIDR"},
		{"fail/tls-half", []string{"--tls-cert", "a.pem"}, nil, "go together"},
		{"fail/log-format", []string{"--log-format", "xml"}, nil, "text or json"},
		{"fail/extra-arg", []string{"serve-me"}, nil, "unexpected argument"},
		{"fail/db-wait", nil, map[string]string{"DB_WAIT": "soon"}, "DB_WAIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x", tt.args, env(tt.env), io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestHelpListsEnvironment(t *testing.T) {
	var out strings.Builder
	_, err := Parse("renewal-server", []string{"-h"}, env(nil), &out)
	require.True(t, errors.Is(err, flag.ErrHelp))
	for _, s := range []string{"--addr", "ADDR", "--data-dir", "DATA_DIR", "--database-url", "DATABASE_URL", "--dev", "--tls-cert", "--tls-key", "--trusted-proxy", "TRUSTED_PROXY"} {
		assert.Contains(t, out.String(), s)
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	var reason string
	c, err := Parse("x", []string{"abc123", "--reason", "superseded", "--dev"}, env(nil), io.Discard, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "")
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"abc123"}, c.Args)
	assert.Equal(t, "superseded", reason)
	assert.True(t, c.Dev)
}

// The clock skew is a test seam: refused outside development.
func TestDevClockSkewOnlyWithDev(t *testing.T) {
	_, err := Parse("x", []string{"--dev-clock-skew", "-10m"}, env(nil), io.Discard)
	assert.ErrorContains(t, err, "only with --dev")
	c, err := Parse("x", []string{"--dev", "--dev-clock-skew", "-10m"}, env(nil), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, -10*time.Minute, c.DevClockSkew)
}
