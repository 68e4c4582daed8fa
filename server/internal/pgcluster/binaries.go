package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrNoBinaries is returned when no PostgreSQL server binaries can be found.
var ErrNoBinaries = errors.New("PostgreSQL server binaries not found: install them with `apt-get install postgresql` or set DATABASE_URL")

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
