// Package binary finds the repository and runs the real server binary,
// bin/renewal-server, for the e2e suite and the benchmarks: on a free
// loopback port, with a data directory (and so a private PostgreSQL) of
// its own, its output kept for failure reports.
package binary

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// StartLimit bounds the wait for the "listening on …" line; a first
	// start runs initdb.
	StartLimit = 90 * time.Second
	// StopLimit is how long Stop waits after SIGTERM before it kills.
	StopLimit = 30 * time.Second
	// LogName is the file in the data directory that takes the output
	// when Options.LogToFile is set.
	LogName = "server.log"
)

// Root is the repository root: the nearest directory at or above the
// working directory with a go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// NewDataDir makes a short directory under /tmp that the postgres user
// can reach (os.TempDir's and t.TempDir's parents may be root-only; unix
// socket paths are short). The caller removes it.
func NewDataDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("/tmp", prefix)
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// Options says how to start the server.
type Options struct {
	// Root is the repository root; empty, Root() finds it. The binary is
	// Root/bin/renewal-server and its --web-dir Root/web.
	Root string
	// DataDir is the server's --data-dir. Empty, Start makes one named
	// DirPrefix… (NewDataDir) and Stop removes it.
	DataDir   string
	DirPrefix string
	// Args come after --addr 127.0.0.1:0 --data-dir … --web-dir ….
	Args []string
	// CheckResponses starts the server with --check-responses: every
	// /api/v1 answer is validated against openapi.json and one that does
	// not match answers 500, so the suite fails on it.
	CheckResponses bool
	// Env is added to this process's environment (the last value of a
	// key wins).
	Env []string
	// LogToFile sends the output to LogName in the data directory
	// instead of memory; an error of Start then names that file, and
	// a data directory Start made stays so that it can be read.
	LogToFile bool
	// Keep leaves a data directory Start made in place at Stop.
	Keep bool
}

// Server is bin/renewal-server running.
type Server struct {
	URL     string // http://127.0.0.1:port
	DataDir string

	cmd     *exec.Cmd
	logs    *syncBuffer // the output, unless it goes to logFile
	logFile *os.File
	ownDir  bool
	keep    bool
	done    chan struct{}
	exitErr error
}

// Start starts the binary and waits, at most StartLimit, until it says
// where it listens. Its stderr is kept as written and its stdout lines
// with a "stdout: " prefix, in memory (Logs) or in LogName.
func Start(o Options) (*Server, error) {
	if o.Root == "" {
		root, err := Root()
		if err != nil {
			return nil, err
		}
		o.Root = root
	}
	s := &Server{DataDir: o.DataDir, keep: o.Keep, done: make(chan struct{})}
	if s.DataDir == "" {
		prefix := o.DirPrefix
		if prefix == "" {
			prefix = "rnw-"
		}
		dir, err := NewDataDir(prefix)
		if err != nil {
			return nil, err
		}
		s.DataDir, s.ownDir = dir, true
	}
	if err := s.start(o); err != nil {
		s.closeLog()
		// A log file of a server that ran is what the error points to.
		if s.ownDir && (s.logFile == nil || s.cmd.Process == nil) {
			os.RemoveAll(s.DataDir)
		}
		return nil, err
	}
	return s, nil
}

func (s *Server) start(o Options) error {
	args := []string{"--addr", "127.0.0.1:0", "--data-dir", s.DataDir, "--web-dir", filepath.Join(o.Root, "web")}
	if o.CheckResponses {
		args = append(args, "--check-responses")
	}
	args = append(args, o.Args...)
	s.cmd = exec.Command(filepath.Join(o.Root, "bin", "renewal-server"), args...)
	if len(o.Env) > 0 {
		s.cmd.Env = append(os.Environ(), o.Env...)
	}
	var out io.Writer
	if o.LogToFile {
		f, err := os.Create(filepath.Join(s.DataDir, LogName))
		if err != nil {
			return err
		}
		s.logFile, out = f, f
		s.cmd.Stderr = f // the file itself: the child writes to it directly
	} else {
		s.logs = &syncBuffer{}
		out = s.logs
		s.cmd.Stderr = s.logs
	}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := s.cmd.Start(); err != nil {
		return err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "listening on "); ok {
				addr <- u
			}
			out.Write([]byte("stdout: " + line + "\n"))
		}
	}()
	go func() {
		s.exitErr = s.cmd.Wait()
		close(s.done)
	}()
	select {
	case s.URL = <-addr:
		return nil
	case <-s.done:
		if s.logFile != nil {
			return fmt.Errorf("server exited at start; its log is %s", s.logFile.Name())
		}
		return fmt.Errorf("server exited at start (%v):\n%s", s.exitErr, s.logs.String())
	case <-time.After(StartLimit):
		s.cmd.Process.Kill()
		if s.logFile != nil {
			return fmt.Errorf("server did not start in %.0f s; its log is %s", StartLimit.Seconds(), s.logFile.Name())
		}
		return fmt.Errorf("server did not start in %.0f s:\n%s", StartLimit.Seconds(), s.logs.String())
	}
}

// PID is the server process's (its postmaster is its child).
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Logs is the output so far: from memory, or read back from LogFile.
func (s *Server) Logs() string {
	if s.logFile != nil {
		b, _ := os.ReadFile(s.logFile.Name())
		return string(b)
	}
	return s.logs.String()
}

// LogFile is the file that takes the output, or "" when it is kept in
// memory.
func (s *Server) LogFile() string {
	if s.logFile == nil {
		return ""
	}
	return s.logFile.Name()
}

// Signal sends sig and waits, at most wait, for the exit; it returns the
// exit status. Past wait it kills the server and says so.
func (s *Server) Signal(sig syscall.Signal, wait time.Duration) (int, error) {
	if err := s.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return -1, err
	}
	select {
	case <-s.done:
	case <-time.After(wait):
		s.cmd.Process.Kill()
		<-s.done
		return -1, fmt.Errorf("server did not stop within %s after %s", wait, sig)
	}
	return s.cmd.ProcessState.ExitCode(), nil
}

// Stop ends the server politely (it stops its database): SIGTERM, and a
// kill after StopLimit. It removes a data directory Start made, unless
// Options.Keep.
func (s *Server) Stop() error {
	var err error
	select {
	case <-s.done:
	default:
		_, err = s.Signal(syscall.SIGTERM, StopLimit)
	}
	s.closeLog()
	if s.ownDir && !s.keep {
		os.RemoveAll(s.DataDir)
	}
	return err
}

func (s *Server) closeLog() {
	if s.logFile != nil {
		s.logFile.Close()
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
