package load

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Server is bin/renewal-server --dev running with a data directory of its
// own on a free loopback port.
type Server struct {
	URL     string
	DataDir string
	cmd     *exec.Cmd
	log     *os.File
	done    chan struct{}
}

// StartServer starts the binary with --dev, 127.0.0.1 trusted as a proxy
// (each holder comes from its own address) and the registry answering
// at once, plus extra arguments; its output goes to DATA_DIR/server.log.
func StartServer(binary, webDir string, extra ...string) (*Server, error) {
	// A short directory the postgres user can reach (unix socket paths
	// are short; os.TempDir's children may be root-only).
	dir, err := os.MkdirTemp("/tmp", "rnw-load-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	args := append([]string{"--addr", "127.0.0.1:0", "--data-dir", dir, "--web-dir", webDir,
		"--dev", "--trusted-proxy", "127.0.0.1", "--registry-delay", "0"}, extra...)
	s := &Server{DataDir: dir, log: log, done: make(chan struct{})}
	s.cmd = exec.Command(binary, args...)
	s.cmd.Stderr = log
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				addr <- u
			}
			fmt.Fprintln(log, "stdout:", sc.Text())
		}
	}()
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()
	select {
	case s.URL = <-addr:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("server exited at start; its log is %s", log.Name())
	case <-time.After(90 * time.Second):
		s.cmd.Process.Kill()
		return nil, fmt.Errorf("server did not start in 90 s; its log is %s", log.Name())
	}
}

// Pid is the server process's.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// LogFile is where the server's output goes.
func (s *Server) LogFile() string { return s.log.Name() }

// Stop ends the server politely (it stops its database); keep leaves
// the data directory in place.
func (s *Server) Stop(keep bool) error {
	var err error
	select {
	case <-s.done:
	default:
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
			err = errors.New("server did not stop within 30 s of SIGTERM")
		}
	}
	s.log.Close()
	if !keep {
		os.RemoveAll(s.DataDir)
	}
	return err
}

// CPU is processor time, user + system.
type CPU struct {
	Server   time.Duration // the server process
	Postgres time.Duration // its private PostgreSQL: postmaster, live backends, and the backends that ended
}

// ReadCPU reads /proc for the server and its PostgreSQL, the
// postmaster being the server's child (and the backends the
// postmaster's, whose times it collects when they end).
func (s *Server) ReadCPU() (CPU, error) {
	procs, err := readProcs()
	if err != nil {
		return CPU{}, err
	}
	pid := s.Pid()
	self, ok := procs[pid]
	if !ok {
		return CPU{}, fmt.Errorf("no process %d", pid)
	}
	c := CPU{Server: self.own}
	for _, p := range procs {
		if p.ppid == pid && p.comm == "postgres" { // the postmaster
			c.Postgres += p.own + p.children
			for _, b := range procs {
				if b.ppid == p.pid {
					c.Postgres += b.own
				}
			}
		}
	}
	return c, nil
}

type proc struct {
	pid, ppid     int
	comm          string
	own, children time.Duration
}

// clockTick is USER_HZ, 100 on Linux everywhere that matters.
const clockTick = 10 * time.Millisecond

func readProcs() (map[int]proc, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	out := map[int]proc{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // ended meanwhile
		}
		// pid (comm) state ppid ... utime(14) stime(15) cutime(16) cstime(17)
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		f := strings.Fields(s[close+2:])
		if len(f) < 15 {
			continue
		}
		n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
		ppid, _ := strconv.Atoi(f[1])
		out[pid] = proc{pid: pid, ppid: ppid, comm: s[open+1 : close],
			own:      time.Duration(n(11)+n(12)) * clockTick,
			children: time.Duration(n(13)+n(14)) * clockTick}
	}
	return out, nil
}
