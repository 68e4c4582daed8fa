package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	readyTimeout   = 60 * time.Second
	quitGrace      = 5 * time.Second
	backoffInitial = 500 * time.Millisecond
	backoffMax     = 10 * time.Second
	// stableRun is how long a restarted postgres must run before the restart
	// backoff starts again from backoffInitial.
	stableRun = time.Minute
)

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
		if c.restarting.Load() {
			backoff = 0
			c.log.Info("postgres stopped for a restart", "pid", p.pid)
		} else {
			c.log.Error("postgres exited unexpectedly; restarting",
				"pid", p.pid, "err", errString(p.err), "log", summarizeLog(tailLog(c.logFile, p.logOffset)), "log_file", c.logFile, "in", backoff)
		}
		for {
			select {
			case <-c.stopCh:
				return
			case <-time.After(backoff):
			}
			backoff = min(max(backoff*2, backoffInitial), backoffMax)
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

// Restart stops postgres with a fast shutdown (every connection is
// closed, as in a failover) and starts it again on the same socket,
// waiting until it accepts connections. Tests use it to take the
// database away from a running server.
func (c *Cluster) Restart(ctx context.Context) error {
	c.mu.Lock()
	p := c.cur
	c.mu.Unlock()
	if p == nil || p.exited() {
		return errors.New("pgcluster: postgres is not running")
	}
	c.restarting.Store(true)
	defer c.restarting.Store(false)
	_ = syscall.Kill(p.pid, syscall.SIGINT)
	select {
	case <-p.done:
	case <-ctx.Done():
		return fmt.Errorf("pgcluster: restart: %w", ctx.Err())
	}
	for {
		c.mu.Lock()
		np := c.cur
		c.mu.Unlock()
		if np != p {
			return c.waitReady(ctx, np)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgcluster: restart: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func errString(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
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
