package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/e2e/binary"
	"renewal/e2e/load"
)

// loadDeadline bounds the 64 renewals: a bound against a hang, not a
// timing (the figures are make bench-load's).
const loadDeadline = 5 * time.Minute

// TestLoad64ConcurrentRenewals: 64 people renew at once through the real
// binary on loopback, each with a current certificate of their own and
// from an address of their own, every call as the wizard makes it. All
// end delivered, and each application has exactly one certificate.
func TestLoad64ConcurrentRenewals(t *testing.T) {
	// The production pool (the suite's other servers run on 2
	// connections to catch nested acquisitions): 64 holders on it must
	// all succeed.
	s, err := startServer(append(load.ServerArgs, "--db-max-conns", "16")...)
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			saveLogs(s, t.Name())
		}
		s.Stop()
	})
	minter, err := load.NewMinter(filepath.Join(s.DataDir, "demo"))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), loadDeadline)
	defer cancel()
	rep, err := load.Run(ctx, load.Config{URL: s.URL, Minter: minter, Concurrency: 64, Renewals: 64,
		Options: load.Options{Events: true, Wait: 2 * time.Minute}})
	require.NoError(t, err, "the renewals did not end within %s", loadDeadline)
	require.Len(t, rep.Results, 64)
	assert.Zero(t, rep.Failed(), "failed renewals:\n%s", strings.Join(rep.Failures(), "\n"))

	certs := certificatesPerApplication(t, s)
	for _, res := range rep.Results {
		if res.ApplicationID == "" {
			continue // failed before it had one: reported above
		}
		want := 0
		if res.Err == nil {
			want = 1
		}
		assert.Equal(t, want, certs[res.ApplicationID], "certificates of application %s", res.ApplicationID)
	}
}

// certificatesPerApplication counts the certificate rows of each
// application in the server's own database (psql through its socket).
func certificatesPerApplication(t *testing.T, s *binary.Server) map[string]int {
	t.Helper()
	dsn := "host=" + filepath.Join(s.DataDir, "pgsock") + " port=5432 user=renewal dbname=renewal sslmode=disable"
	out, err := exec.Command("psql", dsn, "-AtF", " ", "-c",
		"SELECT application_id, count(*) FROM certificate WHERE application_id IS NOT NULL GROUP BY application_id").CombinedOutput()
	require.NoError(t, err, string(out))
	n := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			c, err := strconv.Atoi(f[1])
			require.NoError(t, err, line)
			n[f[0]] = c
		}
	}
	return n
}
