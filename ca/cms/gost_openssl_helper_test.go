package cms_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// gostOpenSSL runs openssl with Debian's GOST engine loaded through a
// config file of the test's. It repeats ca/crypto/internal/gostssl (as ca/keyfile does), which
// Go's internal rule keeps out of reach from here. Without openssl or the
// engine the test fails, never skips.
type gostOpenSSL struct {
	t   *testing.T
	dir string
	cnf string
}

func newGostOpenSSL(t *testing.T) *gostOpenSSL {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatalf("openssl must be installed (apt-get install -y openssl libengine-gost-openssl): %v", err)
	}
	dir := t.TempDir()
	o := &gostOpenSSL{t: t, dir: dir, cnf: filepath.Join(dir, "gost.cnf")}
	cnf := "openssl_conf = openssl_def\n[openssl_def]\nengines = engine_section\n[engine_section]\ngost = gost_section\n[gost_section]\nengine_id = gost\ndefault_algorithms = ALL\n"
	if err := os.WriteFile(o.cnf, []byte(cnf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := o.run(nil, "dgst", "-md_gost12_256"); err != nil {
		t.Fatalf("OpenSSL's GOST engine must be installed (apt-get install -y libengine-gost-openssl): %v\n%s", err, out)
	}
	return o
}

func (o *gostOpenSSL) run(stdin []byte, args ...string) ([]byte, error) {
	o.t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = o.dir
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+o.cnf)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

func (o *gostOpenSSL) must(stdin []byte, args ...string) []byte {
	o.t.Helper()
	out, err := o.run(stdin, args...)
	if err != nil {
		o.t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return out
}

func (o *gostOpenSSL) write(name string, data []byte) string {
	o.t.Helper()
	if err := os.WriteFile(filepath.Join(o.dir, name), data, 0o600); err != nil {
		o.t.Fatal(err)
	}
	return name
}

func (o *gostOpenSSL) read(name string) []byte {
	o.t.Helper()
	b, err := os.ReadFile(filepath.Join(o.dir, name))
	if err != nil {
		o.t.Fatal(err)
	}
	return b
}
