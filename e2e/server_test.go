package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serverProc is bin/renewal-server running with its own data directory.
type serverProc struct {
	name    string
	cmd     *exec.Cmd
	URL     string
	DataDir string
	ownDir  bool
	logs    *syncBuffer
	done    chan struct{}
	exitErr error
}

// startServer starts the binary on a free loopback port with a fresh
// data directory and waits until it says where it listens.
func startServer(name string, args ...string) (*serverProc, error) {
	dir, err := newDataDir()
	if err != nil {
		return nil, err
	}
	s, err := startServerIn(name, dir, nil, args...)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.ownDir = true
	return s, nil
}

// newDataDir makes a short directory the postgres user can reach
// (t.TempDir's parent is root-only; unix socket paths are short).
func newDataDir() (string, error) {
	dir, err := os.MkdirTemp("/tmp", "rnw-e2e-")
	if err != nil {
		return "", err
	}
	return dir, os.Chmod(dir, 0o755)
}

func startServerIn(name, dataDir string, env []string, args ...string) (*serverProc, error) {
	s := &serverProc{name: name, DataDir: dataDir, logs: &syncBuffer{}, done: make(chan struct{})}
	all := append([]string{"--addr", "127.0.0.1:0", "--data-dir", dataDir, "--web-dir", filepath.Join(root, "web")}, args...)
	s.cmd = exec.Command(filepath.Join(root, "bin", "renewal-server"), all...)
	// Two connections for requests: a query on the pool from inside a
	// transaction fails at once instead of waiting for load to deadlock.
	// A test may ask for more (the last value of a key wins).
	s.cmd.Env = append(append(os.Environ(), "DB_MAX_CONNS=2"), env...)
	s.cmd.Stderr = s.logs
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "listening on "); ok {
				addr <- u
			}
			s.logs.Write([]byte("stdout: " + line + "\n"))
		}
	}()
	go func() {
		s.exitErr = s.cmd.Wait()
		close(s.done)
	}()
	select {
	case s.URL = <-addr:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("server exited at start (%v):\n%s", s.exitErr, s.logs.String())
	case <-time.After(90 * time.Second):
		s.cmd.Process.Kill()
		return nil, fmt.Errorf("server did not start in 90 s:\n%s", s.logs.String())
	}
}

// signal sends sig and waits for the exit; it returns the exit status.
func (s *serverProc) signal(sig syscall.Signal, wait time.Duration) (int, error) {
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

// stop ends the server politely and removes its data if it made it.
func (s *serverProc) stop() {
	select {
	case <-s.done:
	default:
		s.signal(syscall.SIGTERM, 30*time.Second)
	}
	if s.ownDir {
		os.RemoveAll(s.DataDir)
	}
}

// saveLogs writes the server's output beside the test's other artifacts.
func (s *serverProc) saveLogs(prefix string) {
	os.WriteFile(filepath.Join(artifacts, prefix+".server.log"), []byte(s.logs.String()), 0o644)
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
