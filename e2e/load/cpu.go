package load

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ServerArgs are what a load run needs of bin/renewal-server (e2e/binary
// starts it): --dev, 127.0.0.1 trusted as a proxy (each holder comes
// from its own address) and the registry answering at once.
var ServerArgs = []string{"--dev", "--trusted-proxy", "127.0.0.1", "--registry-delay", "0"}

// CPU is processor time, user + system.
type CPU struct {
	Server   time.Duration // the server process
	Postgres time.Duration // its private PostgreSQL: postmaster, live backends, and the backends that ended
}

// ReadCPU reads /proc for the server process pid and its PostgreSQL,
// the postmaster being the server's child (and the backends the
// postmaster's, whose times it collects when they end).
func ReadCPU(pid int) (CPU, error) {
	procs, err := readProcs()
	if err != nil {
		return CPU{}, err
	}
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
