package pgcluster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// systemUser runs initdb and postgres when this process is root:
// PostgreSQL refuses to run as root.
const systemUser = "postgres"

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
