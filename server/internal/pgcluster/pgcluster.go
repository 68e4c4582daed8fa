// Package pgcluster runs a private PostgreSQL cluster as a child process of
// the server (or of a test binary), without any system service.
//
// The cluster listens only on a unix socket in Options.SocketDir. When the
// calling process runs as root, initdb and postgres run as the "postgres"
// system user, because PostgreSQL refuses to run as root.
package pgcluster

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

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
)

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

	restarting atomic.Bool // Restart stopped postgres: start it again at once

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

// quoteValue quotes a libpq keyword/value connection string value if needed.
func quoteValue(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n\r'\\") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
