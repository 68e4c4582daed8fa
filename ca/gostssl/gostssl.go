// Package gostssl runs OpenSSL with Debian's GOST engine for the tests of
// the GOST packages: an implementation we did not write to check ours
// against. Without openssl or the engine the tests fail, never skip.
package gostssl

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Config is the OpenSSL configuration that loads the GOST engine; the
// engine is loaded per command through a file of it, never globally.
const Config = `openssl_conf = openssl_def
[openssl_def]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
engine_id = gost
default_algorithms = ALL
`

// Runner runs openssl with the GOST engine in a directory of the test's.
type Runner struct {
	t   *testing.T
	Dir string
	cnf string
}

// New checks that openssl and its GOST engine are there and returns a
// runner working in a fresh temporary directory.
func New(t *testing.T) *Runner {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatalf("openssl must be installed (apt-get install -y openssl libengine-gost-openssl): %v", err)
	}
	dir := t.TempDir()
	r := &Runner{t: t, Dir: dir, cnf: filepath.Join(dir, "gost.cnf")}
	if err := os.WriteFile(r.cnf, []byte(Config), 0o644); err != nil {
		t.Fatal(err)
	}
	// A config naming a missing engine does not stop openssl; a digest
	// only the engine knows does.
	if out, err := r.Run(nil, "dgst", "-md_gost12_256"); err != nil {
		t.Fatalf("OpenSSL's GOST engine must be installed (apt-get install -y libengine-gost-openssl): %v\n%s", err, out)
	}
	return r
}

// With is the runner in the same directory, failing t: a subtest's.
func (r *Runner) With(t *testing.T) *Runner {
	c := *r
	c.t = t
	return &c
}

// Run runs openssl with args (paths relative to Dir), stdin as input, and
// returns stdout and stderr together.
func (r *Runner) Run(stdin []byte, args ...string) ([]byte, error) {
	r.t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+r.cnf)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// MustRun is Run that fails the test on an error.
func (r *Runner) MustRun(stdin []byte, args ...string) []byte {
	r.t.Helper()
	out, err := r.Run(stdin, args...)
	if err != nil {
		r.t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return out
}

// Write writes a file into Dir and returns its name.
func (r *Runner) Write(name string, data []byte) string {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.Dir, name), data, 0o600); err != nil {
		r.t.Fatal(err)
	}
	return name
}

// Read reads a file from Dir.
func (r *Runner) Read(name string) []byte {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.Dir, name))
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}
