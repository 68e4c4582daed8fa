package faulttest_test

// The faults that are about the binary, through the real one
// (bin/renewal-server, `make build`): killed with SIGKILL at each step of
// issuance, its PostgreSQL restarted under it, two instances on one
// database, one instance with its clock 10 minutes off. Each server uses
// a database of this test binary's own cluster (pgtest) through
// DATABASE_URL, so the database outlives the servers killed on it.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/e2e/binary"
	"renewal/e2e/load"
	"renewal/server/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// site is one database and what the instances on it share: the secret
// key, the audit key and the demo authority (DATA_DIR/demo of the first).
type site struct {
	t      *testing.T // the test (or subtest) running now
	root   *testing.T // owns the servers and directories
	dsn    string
	db     *pgxpool.Pool
	secret string
	first  string // the first instance's data directory
}

func newSite(t *testing.T, dsn string) *site {
	t.Helper()
	root, err := binary.Root()
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(root, "bin", "renewal-server")); err != nil {
		t.Fatalf("bin/renewal-server is missing: run `make build` first (make test does)")
	}
	if dsn == "" {
		dsn = pgtest.NewDatabase(t)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	s := &site{t: t, root: t, dsn: dsn, secret: hex.EncodeToString(b)}
	return s
}

// pool is a pool on the site's database (opened once the schema exists).
func (s *site) pool() *pgxpool.Pool {
	s.t.Helper()
	if s.db == nil {
		cfg, err := pgxpool.ParseConfig(s.dsn)
		require.NoError(s.t, err)
		// The tests restart the database: check each connection.
		cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return true }
		p, err := pgxpool.NewWithConfig(context.Background(), cfg)
		require.NoError(s.t, err)
		s.root.Cleanup(p.Close)
		s.db = p
	}
	return s.db
}

// start runs an instance. dir "" is a new data directory; the first
// instance's demo authority and audit key are every other's.
func (s *site) start(dir string, args ...string) *binary.Server {
	s.t.Helper()
	if dir == "" {
		var err error
		dir, err = binary.NewDataDir("rnw-fault-")
		require.NoError(s.t, err)
		s.root.Cleanup(func() { os.RemoveAll(dir) })
	}
	if s.first == "" {
		s.first = dir
	} else if dir != s.first {
		key, err := os.ReadFile(filepath.Join(s.first, "audit.key"))
		require.NoError(s.t, err)
		if _, err := os.Stat(filepath.Join(dir, "audit.key")); err != nil {
			require.NoError(s.t, os.WriteFile(filepath.Join(dir, "audit.key"), key, 0o600))
		}
		args = append(args, "--ca-dir", filepath.Join(s.first, "demo"))
	}
	srv, err := binary.Start(binary.Options{DataDir: dir, Args: append(append([]string{}, load.ServerArgs...), args...),
		Env: []string{"DATABASE_URL=" + s.dsn, "SECRET_KEY=" + s.secret, "DB_MAX_CONNS=4", "DB_JOB_CONNS=16"}})
	require.NoError(s.t, err)
	s.root.Cleanup(func() {
		if s.root.Failed() {
			s.root.Logf("server %s:\n%s", srv.URL, lastLines(srv.Logs(), 40))
		}
		srv.Stop()
	})
	return srv
}

func (s *site) minter() *load.Minter {
	s.t.Helper()
	m, err := load.NewMinter(filepath.Join(s.first, "demo"))
	require.NoError(s.t, err)
	return m
}

// belarusian is holder i of the Belarusian 6.0.00 service (odd holders:
// load's scenarios alternate), whose request may come before payment.
func (s *site) belarusian(m *load.Minter, i int) *load.Holder {
	s.t.Helper()
	h, err := m.Holder(2*i + 1)
	require.NoError(s.t, err)
	require.Equal(s.t, "by-6.0.00", h.Service)
	return h
}

func (s *site) count(sql string, args ...any) int {
	s.t.Helper()
	var n int
	require.NoError(s.t, s.pool().QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// assertIssuedOnce: one certificate for the application, the application
// naming it, one issued transition, the payment not refunded, every
// issuance job completed.
func (s *site) assertIssuedOnce(appID string) {
	s.t.Helper()
	assert.Equal(s.t, 1, s.count(`SELECT count(*) FROM certificate WHERE application_id = $1`, appID), "exactly one certificate")
	assert.Equal(s.t, 1, s.count(`SELECT count(*) FROM application a JOIN certificate c ON c.serial = a.issued_serial WHERE a.id = $1`, appID))
	assert.Equal(s.t, 1, s.count(`SELECT count(*) FROM audit_event WHERE application_id = $1 AND kind = 'transition:issued'`, appID))
	assert.Equal(s.t, 1, s.count(`SELECT count(*) FROM payment WHERE application_id = $1 AND status = 'succeeded'`, appID), "paid once, not refunded")
	assert.Eventually(s.t, func() bool {
		return s.count(`SELECT count(*) FROM river_job WHERE kind = 'issue' AND args->>'application_id' = $1 AND state <> 'completed'`, appID) == 0
	}, 20*time.Second, 100*time.Millisecond, "every issuance job completed")
}

// verifyAudit waits until a running server's sequencer has logged every
// audit event, then runs `renewal-server audit verify` on the site's
// database: the audit log holds after whatever the test did to the
// servers.
func (s *site) verifyAudit() {
	s.t.Helper()
	require.Eventually(s.t, func() bool {
		return s.count(`SELECT count(*) FROM audit_event WHERE log_index IS NULL`) == 0
	}, 20*time.Second, 100*time.Millisecond, "every audit event sequenced")
	root, err := binary.Root()
	require.NoError(s.t, err)
	cmd := exec.Command(filepath.Join(root, "bin", "renewal-server"), "audit", "verify", "--data-dir", s.first)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+s.dsn)
	out, err := cmd.CombinedOutput()
	assert.NoError(s.t, err, "audit verify: %s", out)
	assert.Contains(s.t, string(out), "audit log intact")
	assert.NotContains(s.t, string(out), " 0 events", "%s", out)
}

func lastLines(s string, n int) string {
	lines := []rune(s)
	count := 0
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i] == '\n' {
			count++
			if count > n {
				return string(lines[i+1:])
			}
		}
	}
	return s
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
