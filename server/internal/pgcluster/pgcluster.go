// Package pgcluster runs a private PostgreSQL cluster as a child process of
// the server (or of a test binary), without any system service.
//
// The cluster listens only on a unix socket in Options.SocketDir. When the
// calling process runs as root, initdb and postgres run as the "postgres"
// system user, because PostgreSQL refuses to run as root.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNoBinaries is returned when no PostgreSQL server binaries can be found.
var ErrNoBinaries = errors.New("PostgreSQL server binaries not found: install them with `apt-get install postgresql` or set DATABASE_URL")

const (
	// Port is the port number of the cluster. It only names the unix socket
	// (.s.PGSQL.5432): the cluster does not listen on TCP.
	Port = 5432
	// Superuser is the role initdb creates; every connection uses it.
	Superuser = "renewal"
	// DefaultDatabase is created when Options.Database is empty.
	DefaultDatabase = "renewal"

	// maxSocketPath is the longest unix socket path the kernel accepts
	// (sizeof(sockaddr_un.sun_path) - 1 for the terminating NUL).
	maxSocketPath = 107
	socketName    = ".s.PGSQL.5432"
	systemUser    = "postgres"

	readyTimeout   = 60 * time.Second
	quitGrace      = 5 * time.Second
	backoffInitial = 500 * time.Millisecond
	backoffMax     = 10 * time.Second
	// stableRun is how long a restarted postgres must run before the restart
	// backoff starts again from backoffInitial.
	stableRun = time.Minute
)

// binRoot is where FindBinaries looks for <version>/bin when PATH has no
// PostgreSQL server binaries. A variable so tests can point it elsewhere.
var binRoot = "/usr/lib/postgresql"

// FindBinaries returns the directory holding initdb and postgres: first from
// PATH (both must be found there), else the highest version under
// /usr/lib/postgresql/*/bin (versions compare numerically). It returns an
// error wrapping ErrNoBinaries when there are none.
func FindBinaries() (string, error) {
	if dir, ok := binariesFromPath(); ok {
		return dir, nil
	}
	if dir, ok := binariesFromRoot(binRoot); ok {
		return dir, nil
	}
	return "", fmt.Errorf("%w (searched PATH and %s/*/bin)", ErrNoBinaries, binRoot)
}

func binariesFromPath() (string, bool) {
	initdb, err := exec.LookPath("initdb")
	if err != nil {
		return "", false
	}
	if _, err := exec.LookPath("postgres"); err != nil {
		return "", false
	}
	candidates := []string{filepath.Dir(initdb)}
	if real, err := filepath.EvalSymlinks(initdb); err == nil {
		candidates = append(candidates, filepath.Dir(real))
	}
	for _, dir := range candidates {
		if isExecutable(filepath.Join(dir, "postgres")) {
			if abs, err := filepath.Abs(dir); err == nil {
				dir = abs
			}
			return dir, true
		}
	}
	return "", false
}

func binariesFromRoot(root string) (string, bool) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return "", false
	}
	best, bestVersion := "", []int(nil)
	for _, e := range entries {
		bin := filepath.Join(root, e.Name(), "bin")
		if !hasBinaries(bin) {
			continue
		}
		v := parseVersion(e.Name())
		if best == "" || compareVersions(v, bestVersion) > 0 {
			best, bestVersion = bin, v
		}
	}
	return best, best != ""
}

// parseVersion turns "9.6" into [9 6] and "15" into [15]; a name that is not
// a version gives nil, which sorts below every version.
func parseVersion(name string) []int {
	var v []int
	for _, part := range strings.Split(name, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil
		}
		v = append(v, n)
	}
	return v
}

func compareVersions(a, b []int) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		x, y := -1, -1
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func hasBinaries(dir string) bool {
	return isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres"))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// Options configures Start.
type Options struct {
	DataDir   string       // cluster directory, e.g. $DATA_DIR/pg; created if missing
	SocketDir string       // directory for the unix socket, e.g. $DATA_DIR/pgsock; created if missing
	BinDir    string       // optional; FindBinaries() when empty
	Database  string       // database to create if missing (default "renewal")
	Logger    *slog.Logger // optional
	LogFile   string       // postgres server log; default DataDir+".log" (beside the data dir, not inside it)
}

// Cluster is a running PostgreSQL cluster owned by this process.
type Cluster struct {
	dataDir   string
	socketDir string
	logFile   string
	binDir    string
	database  string
	log       *slog.Logger
	owner     *account // nil: run as the current user

	// initialized reports whether Start ran initdb (for tests).
	initialized bool

	mu  sync.Mutex
	cur *proc // the current postmaster

	stopCh   chan struct{} // closed by Stop: the supervisor must not restart
	supDone  chan struct{} // closed when the supervisor has returned
	stopOnce sync.Once
	stopErr  error
}

// proc is one run of the postmaster.
type proc struct {
	pid       int
	started   time.Time
	logOffset int64         // size of the log file when this run started
	done      chan struct{} // closed once the process has been reaped
	err       error         // result of cmd.Wait, valid after done
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// account is the system user that initdb and postgres run as when this
// process is root.
type account struct {
	name   string
	uid    int
	gid    int
	groups []uint32 // all group ids, primary included
	home   string
}

func (a *account) inGroup(gid uint32) bool {
	for _, g := range a.groups {
		if g == gid {
			return true
		}
	}
	return false
}

// canSearch reports whether the account may traverse the directory fi.
func (a *account) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	switch {
	case int(st.Uid) == a.uid:
		return perm&0o100 != 0
	case a.inGroup(st.Gid):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

func lookupAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(systemUser)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root, but PostgreSQL refuses to run as root and the system user %q cannot be used (%v): create it (apt-get install postgresql does) or run as a non-root user", systemUser, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pgcluster: system user %q has a non-numeric uid %q or gid %q", systemUser, u.Uid, u.Gid)
	}
	a := &account{name: u.Username, uid: uid, gid: gid, home: u.HomeDir, groups: []uint32{uint32(gid)}}
	if ids, err := u.GroupIds(); err == nil {
		for _, id := range ids {
			if g, err := strconv.Atoi(id); err == nil && !a.inGroup(uint32(g)) {
				a.groups = append(a.groups, uint32(g))
			}
		}
	}
	if a.home == "" {
		a.home = "/"
	}
	return a, nil
}

// Start initialises the cluster if DataDir has no PG_VERSION, starts postgres
// as a child process, waits until it accepts connections (at most 60 s),
// creates Options.Database if missing and starts a supervisor that restarts
// postgres if it dies. ctx bounds the start only, not the cluster's life.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if opts.DataDir == "" {
		return nil, errors.New("pgcluster: Options.DataDir is empty")
	}
	if opts.SocketDir == "" {
		return nil, errors.New("pgcluster: Options.SocketDir is empty")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: data directory %s: %w", opts.DataDir, err)
	}
	socketDir, err := filepath.Abs(opts.SocketDir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: socket directory %s: %w", opts.SocketDir, err)
	}
	if sock := filepath.Join(socketDir, socketName); len(sock) > maxSocketPath {
		return nil, fmt.Errorf("pgcluster: unix socket path %s is %d bytes, over the limit of %d bytes: choose a shorter SocketDir", sock, len(sock), maxSocketPath)
	}
	logFile := opts.LogFile
	if logFile == "" {
		logFile = dataDir + ".log"
	}
	if logFile, err = filepath.Abs(logFile); err != nil {
		return nil, fmt.Errorf("pgcluster: log file %s: %w", opts.LogFile, err)
	}
	database := opts.Database
	if database == "" {
		database = DefaultDatabase
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	binDir := opts.BinDir
	if binDir == "" {
		if binDir, err = FindBinaries(); err != nil {
			return nil, err
		}
	} else if !hasBinaries(binDir) {
		return nil, fmt.Errorf("pgcluster: %s does not hold the PostgreSQL server binaries initdb and postgres", binDir)
	}
	owner, err := lookupAccount()
	if err != nil {
		return nil, err
	}

	c := &Cluster{
		dataDir:   dataDir,
		socketDir: socketDir,
		logFile:   logFile,
		binDir:    binDir,
		database:  database,
		log:       logger.With("component", "pgcluster", "data_dir", dataDir),
		owner:     owner,
		stopCh:    make(chan struct{}),
		supDone:   make(chan struct{}),
	}
	if err := c.prepare(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("pgcluster: %v", err)
		}
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
		c.initialized = true
	}

	p, err := c.spawn()
	if err != nil {
		return nil, err
	}
	c.cur = p
	if err := c.waitReady(ctx, p); err != nil {
		c.kill(p)
		return nil, err
	}
	if err := c.ensureDatabase(ctx); err != nil {
		c.kill(p)
		return nil, err
	}
	c.log.Info("postgres ready", "pid", p.pid, "socket_dir", socketDir, "initdb", c.initialized)
	go c.supervise(p)
	return c, nil
}

// DSN returns a libpq keyword/value connection string for database.
func (c *Cluster) DSN(database string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		quoteValue(c.socketDir), Port, Superuser, quoteValue(database))
}

// Pid returns the process id of the running postmaster, or 0 when none runs.
func (c *Cluster) Pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil || c.cur.exited() {
		return 0
	}
	return c.cur.pid
}

// Stop stops the supervisor, then asks postgres for a fast shutdown (SIGINT)
// and waits for it until ctx ends; then it sends SIGQUIT (immediate
// shutdown) and, 5 s later, SIGKILL. Stop is idempotent: later calls return
// the first call's result.
func (c *Cluster) Stop(ctx context.Context) error {
	c.stopOnce.Do(func() { c.stopErr = c.stop(ctx) })
	return c.stopErr
}

func (c *Cluster) stop(ctx context.Context) error {
	close(c.stopCh)
	<-c.supDone
	c.mu.Lock()
	p := c.cur
	c.mu.Unlock()
	if p == nil || p.exited() {
		c.killGroup(p)
		return nil
	}
	_ = syscall.Kill(p.pid, syscall.SIGINT)
	select {
	case <-p.done:
		c.killGroup(p)
		c.log.Info("postgres stopped", "pid", p.pid)
		return nil
	case <-ctx.Done():
	}
	c.kill(p)
	c.log.Warn("postgres did not finish a fast shutdown in time; sent SIGQUIT", "pid", p.pid)
	return fmt.Errorf("pgcluster: postgres (pid %d) did not finish a fast shutdown in time (%v): sent SIGQUIT", p.pid, ctx.Err())
}

// kill stops p with SIGQUIT (immediate shutdown), then SIGKILL to its whole
// process group, and waits until it has been reaped.
func (c *Cluster) kill(p *proc) {
	if !p.exited() {
		_ = syscall.Kill(p.pid, syscall.SIGQUIT)
		select {
		case <-p.done:
		case <-time.After(quitGrace):
			_ = syscall.Kill(-p.pid, syscall.SIGKILL)
			<-p.done
		}
	}
	c.killGroup(p)
}

// killGroup kills what is left of p's process group (backends orphaned by a
// postmaster that died). The group id is the postmaster's pid (Setpgid).
func (c *Cluster) killGroup(p *proc) {
	if p != nil && p.pid > 0 {
		_ = syscall.Kill(-p.pid, syscall.SIGKILL)
	}
}

// supervise restarts postgres when it exits while the cluster is not being
// stopped, with a backoff of 0.5 s doubling up to 10 s.
func (c *Cluster) supervise(p *proc) {
	defer close(c.supDone)
	backoff := backoffInitial
	for {
		select {
		case <-c.stopCh:
			return
		case <-p.done:
		}
		select {
		case <-c.stopCh: // exited because we are stopping
			return
		default:
		}
		c.killGroup(p)
		if time.Since(p.started) >= stableRun {
			backoff = backoffInitial
		}
		c.log.Error("postgres exited unexpectedly; restarting",
			"pid", p.pid, "err", errString(p.err), "log", summarizeLog(tailLog(c.logFile, p.logOffset)), "log_file", c.logFile, "in", backoff)
		for {
			select {
			case <-c.stopCh:
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, backoffMax)
			np, err := c.spawn()
			if err != nil {
				c.log.Error("restarting postgres failed", "err", err, "in", backoff)
				continue
			}
			c.mu.Lock()
			c.cur = np
			c.mu.Unlock()
			p = np
			c.log.Info("postgres restarted", "pid", np.pid)
			break
		}
	}
}

func errString(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// prepare creates the directories, hands them to the postgres user when
// running as root and checks that this user can reach them.
func (c *Cluster) prepare() error {
	for _, d := range []string{c.dataDir, c.socketDir} {
		if err := makeDir(d); err != nil {
			return err
		}
	}
	if c.owner != nil {
		for _, d := range []string{c.dataDir, c.socketDir} {
			if err := c.checkTraversable(d); err != nil {
				return err
			}
		}
		if err := c.chownTree(c.dataDir); err != nil {
			return err
		}
		if fi, err := os.Stat(c.socketDir); err == nil && !(fi.Mode()&os.ModeSticky != 0 && fi.Mode().Perm()&0o002 != 0) {
			// Leave shared sticky directories such as /tmp alone.
			if err := c.chownTree(c.socketDir); err != nil {
				return err
			}
		}
		f, err := os.OpenFile(c.logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("pgcluster: log file: %w", err)
		}
		f.Close()
		if err := os.Chown(c.logFile, c.owner.uid, c.owner.gid); err != nil {
			return fmt.Errorf("pgcluster: log file: %w", err)
		}
	}
	// postgres insists on 0700 or 0750 for its data directory.
	fi, err := os.Stat(c.dataDir)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 && perm != 0o750 {
		if err := os.Chmod(c.dataDir, 0o700); err != nil {
			return fmt.Errorf("pgcluster: data directory: %w", err)
		}
	}
	return nil
}

// makeDir creates dir with mode 0700 and any missing parent with mode 0755
// (os.MkdirAll would make the parents 0700 too, which the postgres user
// could not traverse).
func makeDir(dir string) error {
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("pgcluster: %s exists and is not a directory", dir)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("pgcluster: %w", err)
	}
	return nil
}

// checkTraversable makes sure the postgres user can traverse every parent
// directory of dir.
func (c *Cluster) checkTraversable(dir string) error {
	for parent := filepath.Dir(dir); ; parent = filepath.Dir(parent) {
		fi, err := os.Stat(parent)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if !c.owner.canSearch(fi) {
			owner := ""
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				owner = fmt.Sprintf(", owner uid %d", st.Uid)
			}
			return fmt.Errorf("pgcluster: user %s cannot traverse directory %s (mode %04o%s), a parent of %s: allow it (chmod o+x %s) or choose another location",
				c.owner.name, parent, fi.Mode().Perm(), owner, dir, parent)
		}
		if parent == filepath.Dir(parent) {
			return nil
		}
	}
}

// chownTree gives dir and everything below it to the postgres user, unless
// dir already belongs to that user.
func (c *Cluster) chownTree(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == c.owner.uid && int(st.Gid) == c.owner.gid {
		return nil
	}
	err = filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, c.owner.uid, c.owner.gid)
	})
	if err != nil {
		return fmt.Errorf("pgcluster: giving %s to user %s: %w", dir, c.owner.name, err)
	}
	return nil
}

// env is the environment of initdb and postgres.
func (c *Cluster) env() []string {
	env := os.Environ()
	if c.owner == nil {
		return env
	}
	out := env[:0:0]
	for _, kv := range env {
		switch {
		case strings.HasPrefix(kv, "HOME="), strings.HasPrefix(kv, "USER="), strings.HasPrefix(kv, "LOGNAME="):
		default:
			out = append(out, kv)
		}
	}
	return append(out, "HOME="+c.owner.home, "USER="+c.owner.name, "LOGNAME="+c.owner.name)
}

func (c *Cluster) credential() *syscall.Credential {
	if c.owner == nil {
		return nil
	}
	return &syscall.Credential{Uid: uint32(c.owner.uid), Gid: uint32(c.owner.gid), Groups: c.owner.groups}
}

// initdb creates the cluster, with the C.UTF-8 locale when the system has it
// and the C locale otherwise.
func (c *Cluster) initdb(ctx context.Context) error {
	// Pdeathsig is tied to the forking thread: keep this goroutine on one
	// thread while initdb runs. SIGTERM lets initdb remove what it made.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var lastErr error
	for _, locale := range []string{"C.UTF-8", "C"} {
		cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, "initdb"),
			"-D", c.dataDir, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale="+locale)
		cmd.Dir = "/"
		cmd.Env = c.env()
		cmd.SysProcAttr = sysProcAttr(c.credential(), syscall.SIGTERM)
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 10 * time.Second
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err == nil {
			c.log.Info("initdb done", "locale", locale, "took", time.Since(start).Round(time.Millisecond))
			return nil
		}
		lastErr = fmt.Errorf("pgcluster: initdb -D %s failed (%v): %s", c.dataDir, err, condense(string(out), 6))
		if ctx.Err() != nil || !strings.Contains(strings.ToLower(string(out)), "locale") {
			break
		}
	}
	return lastErr
}

// spawn starts the postmaster. The child is forked by a goroutine locked to
// its OS thread, which stays blocked in cmd.Wait while the child lives: the
// kernel sends Pdeathsig when the forking thread ends, so that thread must
// live exactly as long as postgres.
func (c *Cluster) spawn() (*proc, error) {
	logf, err := os.OpenFile(c.logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: log file: %w", err)
	}
	defer logf.Close() // the child keeps its own descriptor
	if c.owner != nil {
		_ = logf.Chown(c.owner.uid, c.owner.gid)
	}
	var offset int64
	if fi, err := logf.Stat(); err == nil {
		offset = fi.Size()
	}
	cmd := exec.Command(filepath.Join(c.binDir, "postgres"),
		"-D", c.dataDir,
		"-k", c.socketDir,
		"-c", "listen_addresses=",
		"-p", strconv.Itoa(Port),
		"-c", "unix_socket_permissions=0700",
	)
	cmd.Dir = "/"
	cmd.Env = c.env()
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr(c.credential(), syscall.SIGQUIT)

	p := &proc{logOffset: offset, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// Never unlocked: when this goroutine returns (after the child was
		// reaped) the runtime ends the thread.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		p.pid = cmd.Process.Pid
		p.started = time.Now()
		started <- nil
		p.err = cmd.Wait()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("pgcluster: starting postgres: %w", err)
	}
	return p, nil
}

// waitReady polls until the postmaster p accepts connections.
func (c *Cluster) waitReady(ctx context.Context, p *proc) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var lastErr error
	for {
		if p.exited() {
			return c.startupError(p)
		}
		ok, err := c.ready(ctx, p)
		if ok {
			return nil
		}
		if err != nil {
			lastErr = err
		}
		select {
		case <-p.done:
			return c.startupError(p)
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("pgcluster: postgres (pid %d) did not accept connections within %s (last error: %v); log %s: %s",
					p.pid, readyTimeout, lastErr, c.logFile, summarizeLog(tailLog(c.logFile, p.logOffset)))
			}
			return fmt.Errorf("pgcluster: waiting for postgres to accept connections: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ready reports whether p itself (not another postgres that owns the socket
// or the data directory) accepts connections.
func (c *Cluster) ready(ctx context.Context, p *proc) (bool, error) {
	actx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(actx, c.DSN("postgres"))
	if err != nil {
		return false, err
	}
	defer conn.Close(context.Background())
	var dir string
	if err := conn.QueryRow(actx, "SHOW data_directory").Scan(&dir); err != nil {
		return false, err
	}
	if filepath.Clean(dir) != c.dataDir {
		return false, fmt.Errorf("the socket in %s belongs to another postgres (data directory %s)", c.socketDir, dir)
	}
	if pid := readPidFile(c.dataDir); pid != p.pid {
		return false, fmt.Errorf("postmaster.pid names pid %d, not %d", pid, p.pid)
	}
	return true, nil
}

func readPidFile(dataDir string) int {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}

// startupError describes why postgres exited during startup.
func (c *Cluster) startupError(p *proc) error {
	lines := tailLog(c.logFile, p.logOffset)
	if msg, what := lockConflict(lines); msg != "" {
		if what == "socket" {
			return fmt.Errorf("pgcluster: another postgres already uses socket directory %s: %s", c.socketDir, msg)
		}
		return fmt.Errorf("pgcluster: another postgres is already running on %s: %s", c.dataDir, msg)
	}
	return fmt.Errorf("pgcluster: postgres exited during startup (%s); log %s: %s", errString(p.err), c.logFile, summarizeLog(lines))
}

// ensureDatabase creates c.database if it does not exist.
func (c *Cluster) ensureDatabase(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", c.database).Scan(&exists); err != nil {
		return fmt.Errorf("pgcluster: looking up database %q: %w", c.database, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{c.database}.Sanitize()); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created meanwhile
			return nil
		}
		return fmt.Errorf("pgcluster: creating database %q: %w", c.database, err)
	}
	c.log.Info("database created", "database", c.database)
	return nil
}

// quoteValue quotes a libpq keyword/value connection string value if needed.
func quoteValue(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n\r'\\") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// tailLog returns the last lines (at most 64 KiB) the log file received
// since offset.
func tailLog(path string, offset int64) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	const maxTail = 64 << 10
	if fi, err := f.Stat(); err == nil && fi.Size()-offset > maxTail {
		offset = fi.Size() - maxTail
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil
	}
	b, _ := io.ReadAll(f)
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

var severities = []string{"PANIC:", "FATAL:", "ERROR:", "WARNING:", "LOG:", "HINT:", "DETAIL:", "CONTEXT:"}

// stripPrefix removes log_line_prefix (timestamp, pid) before the severity
// and squeezes runs of blanks.
func stripPrefix(line string) string {
	for _, s := range severities {
		if i := strings.Index(line, s); i >= 0 {
			line = line[i:]
			break
		}
	}
	return strings.Join(strings.Fields(line), " ")
}

func severity(line string) string {
	for _, s := range severities {
		if strings.HasPrefix(line, s) {
			return s
		}
	}
	return ""
}

// lockConflict finds postgres' "lock file ... already exists" message and
// returns it with its hint on one line, and whether it is about the data
// directory ("data") or the socket ("socket").
func lockConflict(lines []string) (msg, what string) {
	for i, l := range lines {
		if !strings.Contains(l, "lock file") || !strings.Contains(l, "already exists") {
			continue
		}
		msg = stripPrefix(l)
		msg = strings.TrimPrefix(msg, "FATAL: ")
		for _, next := range lines[i+1:] {
			next = stripPrefix(next)
			if s := severity(next); s != "HINT:" && s != "DETAIL:" {
				break
			}
			msg += "; " + next
		}
		what = "data"
		if strings.Contains(l, socketName) {
			what = "socket"
		}
		return msg, what
	}
	return "", ""
}

// summarizeLog condenses log lines to one line: the errors with their hints
// when there are any, otherwise the last lines.
func summarizeLog(lines []string) string {
	var picked []string
	for i, l := range lines {
		l = stripPrefix(l)
		switch severity(l) {
		case "PANIC:", "FATAL:", "ERROR:":
			picked = append(picked, l)
			for _, next := range lines[i+1:] {
				next = stripPrefix(next)
				if s := severity(next); s != "HINT:" && s != "DETAIL:" {
					break
				}
				picked = append(picked, next)
			}
		}
	}
	if len(picked) == 0 {
		for _, l := range lines {
			picked = append(picked, stripPrefix(l))
		}
	}
	if len(picked) > 6 {
		picked = picked[len(picked)-6:]
	}
	if len(picked) == 0 {
		return "(empty)"
	}
	return strings.Join(picked, " | ")
}

// condense joins the last n non-empty lines of out into one line.
func condense(out string, n int) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 0 {
		return "(no output)"
	}
	return strings.Join(lines, " | ")
}
