//go:build linux

package pgcluster

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperEnv makes TestHelperProcess start a cluster in the named directory.
const helperEnv = "PGCLUSTER_TEST_HELPER_DIR"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "" {
		// Orphans (a postmaster whose owner was SIGKILLed, backends of a
		// postmaster killed with -9) are reparented to this process instead of
		// PID 1, so the tests can observe their end and reap them.
		_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, 36 /* PR_SET_CHILD_SUBREAPER */, 1, 0)
	}
	code := m.Run()
	reapChildren(10 * time.Second)
	os.Exit(code)
}

// reapChildren waits for the orphans this process inherited.
func reapChildren(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err != nil { // ECHILD: none left
			return
		}
		if pid == 0 {
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// testDir makes a short directory the postgres user can traverse
// (t.TempDir's parent is root-only).
func testDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "rnwpgc-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func options(dir string) Options {
	return Options{DataDir: filepath.Join(dir, "pg"), SocketDir: filepath.Join(dir, "sock"), Logger: testLogger()}
}

func start(t *testing.T, opts Options) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := Start(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		// Tests that care about Stop's result call stop themselves; this one
		// only makes sure nothing keeps running.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = c.Stop(ctx)
	})
	return c
}

func stop(t *testing.T, c *Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	assert.NoError(t, c.Stop(ctx))
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func exec1(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	_, err := conn.Exec(context.Background(), sql)
	require.NoError(t, err)
}

func queryInt(t *testing.T, conn *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), sql).Scan(&n))
	return n
}

func TestStartAndReuse(t *testing.T) {
	dir := testDir(t)
	opts := options(dir)
	opts.Database = "appdb"

	c := start(t, opts)
	assert.True(t, c.initialized, "first start runs initdb")
	assert.Equal(t, fmt.Sprintf("host=%s/sock port=5432 user=renewal dbname=appdb sslmode=disable", dir), c.DSN("appdb"))
	assert.NotZero(t, c.Pid())
	assert.FileExists(t, filepath.Join(dir, "pg.log"), "log beside the data dir")
	assert.NoFileExists(t, filepath.Join(dir, "pg", "pg.log"))
	if os.Geteuid() == 0 {
		fi, err := os.Stat(opts.DataDir)
		require.NoError(t, err)
		u, err := lookupAccount()
		require.NoError(t, err)
		assert.EqualValues(t, u.uid, fi.Sys().(*syscall.Stat_t).Uid, "data dir belongs to the postgres user")
	}

	conn := connect(t, c.DSN("appdb"))
	var user, db string
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT current_user, current_database()").Scan(&user, &db))
	assert.Equal(t, "renewal", user)
	assert.Equal(t, "appdb", db)
	exec1(t, conn, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)")
	conn.Close(context.Background())

	pid := c.Pid()
	stop(t, c)
	stop(t, c) // idempotent
	assert.Zero(t, c.Pid())
	assert.Error(t, syscall.Kill(pid, 0), "postmaster gone after Stop")

	c2 := start(t, opts)
	assert.False(t, c2.initialized, "second start reuses the data directory")
	conn2 := connect(t, c2.DSN("appdb"))
	assert.Equal(t, 42, queryInt(t, conn2, "SELECT x FROM kept"))
	// the default database is not created when another one is asked for
	assert.Equal(t, 0, queryInt(t, conn2, "SELECT count(*) FROM pg_database WHERE datname = 'renewal'"))
}

func TestSecondStartOnRunningDataDir(t *testing.T) {
	dir := testDir(t)
	opts := options(dir)
	c := start(t, opts)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	other := opts
	other.SocketDir = filepath.Join(dir, "sock2")
	_, err := Start(ctx, other)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `lock file "postmaster.pid" already exists`)
	assert.Contains(t, err.Error(), opts.DataDir)
	assert.NotContains(t, err.Error(), "\n")
	t.Log(err)

	// Same socket too: the running cluster answers on the socket, which
	// must not be mistaken for the new postgres being ready.
	_, err = Start(ctx, opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already exists")
	assert.NotContains(t, err.Error(), "\n")

	// the first cluster is unharmed
	conn := connect(t, c.DSN("renewal"))
	assert.Equal(t, 1, queryInt(t, conn, "SELECT 1"))
}

func TestCrashRestart(t *testing.T) {
	dir := testDir(t)
	c := start(t, options(dir))
	conn := connect(t, c.DSN(DefaultDatabase))
	exec1(t, conn, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)")
	conn.Close(context.Background())

	pid := c.Pid()
	require.NotZero(t, pid)
	began := time.Now()
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))

	var n int
	require.Eventually(t, func() bool {
		if p := c.Pid(); p == 0 || p == pid {
			return false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, c.DSN(DefaultDatabase))
		if err != nil {
			return false
		}
		defer conn.Close(context.Background())
		return conn.QueryRow(ctx, "SELECT x FROM kept").Scan(&n) == nil
	}, 30*time.Second, 100*time.Millisecond, "postgres back after kill -9")
	assert.Equal(t, 7, n)
	newPid := c.Pid()
	t.Logf("restarted as pid %d after %s", newPid, time.Since(began).Round(time.Millisecond))

	// Stop reaches the restarted postmaster; with no time left for a fast
	// shutdown it escalates to SIGQUIT and says so.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Stop(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SIGQUIT")
	assert.NotContains(t, err.Error(), "\n")
	assert.Equal(t, err, c.Stop(context.Background()), "idempotent")
	assert.Zero(t, c.Pid())
	assert.True(t, processGone(newPid))
}

// TestHelperProcess is the child of TestOwnerSIGKILLStopsPostgres: it starts a
// cluster, prints the postmaster's pid and waits to be killed.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process for TestOwnerSIGKILLStopsPostgres")
	}
	c, err := Start(context.Background(), options(dir))
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	fmt.Println("PID", c.Pid())
	select {}
}

func TestOwnerSIGKILLStopsPostgres(t *testing.T) {
	dir := testDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if l := sc.Text(); strings.HasPrefix(l, "PID ") || strings.HasPrefix(l, "ERROR ") {
				lines <- l
				break
			}
		}
		close(lines)
		_, _ = drain(sc)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(90 * time.Second):
		t.Fatalf("helper printed no pid; stderr: %s", stderr.String())
	}
	require.True(t, strings.HasPrefix(line, "PID "), "helper: %q; stderr: %s", line, stderr.String())
	pid, err := strconv.Atoi(strings.TrimPrefix(line, "PID "))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, 0), "postmaster %d runs", pid)
	t.Cleanup(func() {
		if !processGone(pid) { // the test failed: do not leak the cluster
			_ = syscall.Kill(-pid, syscall.SIGKILL)
		}
	})

	dsn := fmt.Sprintf("host=%s port=5432 user=renewal dbname=renewal sslmode=disable", filepath.Join(dir, "sock"))
	conn := connect(t, dsn)
	exec1(t, conn, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (99)")
	conn.Close(context.Background())

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	began := time.Now()

	// The orphaned postmaster is reparented to this process (a subreaper):
	// reaping it proves it is gone and leaves no zombie behind.
	require.Eventually(t, func() bool { return processGone(pid) }, 15*time.Second, 50*time.Millisecond,
		"postmaster %d still runs after its owner was SIGKILLed", pid)
	t.Logf("postmaster %d gone %s after its owner was killed", pid, time.Since(began).Round(time.Millisecond))

	c := start(t, options(dir))
	assert.False(t, c.initialized)
	conn2 := connect(t, c.DSN(DefaultDatabase))
	assert.Equal(t, 99, queryInt(t, conn2, "SELECT x FROM kept"))
}

// drain reads the rest of the helper's output so it never blocks on a
// full pipe.
func drain(sc *bufio.Scanner) (int, error) {
	n := 0
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}

// processGone reports whether pid has exited: reaped by us, or no longer
// existing, or a zombie that someone else must reap.
func processGone(pid int) bool {
	var ws syscall.WaitStatus
	if got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil); err == nil && got == pid {
		return true
	}
	if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] == 'Z'
	}
	return false
}

func TestSocketPathTooLong(t *testing.T) {
	socketDir := "/tmp/" + strings.Repeat("s", 100)
	_, err := Start(context.Background(), Options{DataDir: "/tmp/rnwpgc-unused/pg", SocketDir: socketDir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), socketDir+"/.s.PGSQL.5432")
	assert.Contains(t, err.Error(), "107")
	assert.NoDirExists(t, socketDir)
	assert.NoDirExists(t, "/tmp/rnwpgc-unused")
}

func TestParentNotTraversable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the cluster to the postgres user")
	}
	dir := testDir(t)
	locked := filepath.Join(dir, "locked")
	require.NoError(t, os.Mkdir(locked, 0o700))
	_, err := Start(context.Background(), Options{DataDir: filepath.Join(locked, "pg"), SocketDir: filepath.Join(dir, "sock")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot traverse directory "+locked+" ")
	assert.NotContains(t, err.Error(), "\n")
}

// fakeBinaries makes dir hold executable initdb and postgres files.
func fakeBinaries(t *testing.T, dir string, names ...string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, n := range names {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\nexit 1\n"), 0o755))
	}
}

func withBinRoot(t *testing.T, root string) {
	old := binRoot
	binRoot = root
	t.Cleanup(func() { binRoot = old })
}

func TestFindBinariesNone(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	withBinRoot(t, t.TempDir())

	_, err := FindBinaries()
	require.ErrorIs(t, err, ErrNoBinaries)

	_, err = Start(context.Background(), Options{DataDir: filepath.Join(t.TempDir(), "pg"), SocketDir: "/tmp/rnwpgc-unused"})
	require.ErrorIs(t, err, ErrNoBinaries)
	assert.Contains(t, err.Error(), "apt-get install postgresql")
}

func TestFindBinariesHighestVersion(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9", "9.6", "15", "16", "notaversion"} {
		fakeBinaries(t, filepath.Join(root, v, "bin"), "initdb", "postgres")
	}
	fakeBinaries(t, filepath.Join(root, "17", "bin"), "initdb") // incomplete
	t.Setenv("PATH", t.TempDir())
	withBinRoot(t, root)

	dir, err := FindBinaries()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "16", "bin"), dir)
}

func TestFindBinariesFromPath(t *testing.T) {
	root := t.TempDir()
	fakeBinaries(t, filepath.Join(root, "15", "bin"), "initdb", "postgres")
	withBinRoot(t, root)

	both := t.TempDir()
	fakeBinaries(t, both, "initdb", "postgres")
	t.Setenv("PATH", "/nonexistent:"+both)
	dir, err := FindBinaries()
	require.NoError(t, err)
	assert.Equal(t, both, dir)

	// only initdb on PATH: fall back to the versioned directories
	half := t.TempDir()
	fakeBinaries(t, half, "initdb")
	t.Setenv("PATH", half)
	dir, err = FindBinaries()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "15", "bin"), dir)
}

func TestSummaries(t *testing.T) {
	lines := []string{
		`2026-01-02 10:00:00.000 UTC [123] FATAL:  lock file "postmaster.pid" already exists`,
		`2026-01-02 10:00:00.000 UTC [123] HINT:  Is another postmaster (PID 99) running in data directory "/x/pg"?`,
		`2026-01-02 10:00:00.000 UTC [123] LOG:  database system is shut down`,
	}
	msg, what := lockConflict(lines)
	assert.Equal(t, `lock file "postmaster.pid" already exists; HINT: Is another postmaster (PID 99) running in data directory "/x/pg"?`, msg)
	assert.Equal(t, "data", what)
	assert.Equal(t, `FATAL: lock file "postmaster.pid" already exists | HINT: Is another postmaster (PID 99) running in data directory "/x/pg"?`, summarizeLog(lines))
	assert.Equal(t, "a | b", condense("x\n\na\n  b  \n", 2))
	assert.Equal(t, `'/a b/it\'s'`, quoteValue("/a b/it's"))
}

// TestRestart: a restart on request closes every connection (an open
// one fails, as in a failover) and brings postgres back on the same
// socket with the data, quickly (no crash backoff).
func TestRestart(t *testing.T) {
	dir := testDir(t)
	c := start(t, options(dir))
	conn := connect(t, c.DSN(DefaultDatabase))
	exec1(t, conn, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (8)")
	pid := c.Pid()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Restart(ctx))
	assert.NotEqual(t, pid, c.Pid())
	assert.True(t, processGone(pid))
	_, err := conn.Exec(ctx, "SELECT 1")
	assert.Error(t, err, "the old connection is gone")
	assert.Equal(t, 8, queryInt(t, connect(t, c.DSN(DefaultDatabase)), "SELECT x FROM kept"))
}
