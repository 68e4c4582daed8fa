// Command opensslspeed times OpenSSL's GOST engine on this machine, for
// docs/benchmarks.md beside our own benchmarks (make bench-gost).
//
// openssl speed measures Streebog but has no GOST signatures, and
// openssl signs one input per process, so a signature's cost is taken as
// the CPU time of N runs of pkeyutl -sign (or -verify) minus that of N
// runs of pkey that load the engine and the same key without signing.
// That difference is approximate: the process's own cost is ~10 ms, the
// operation a fraction of it, so take the figures as an order of size.
package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	"renewal/ca/gostssl"
)

var dir string

func run(args ...string) []byte {
	out, _ := runCPU(args...)
	return out
}

// runCPU runs openssl and returns its output and the CPU time it used
// (user + system): on a machine shared with other work, wall time says
// more about the neighbours than about OpenSSL.
func runCPU(args ...string) ([]byte, time.Duration) {
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+filepath.Join(dir, "gost.cnf"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "openssl %v: %v\n%s", args, err, out)
		os.Exit(1)
	}
	return out, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func timed(n int, args ...string) time.Duration {
	var total time.Duration
	for i := 0; i < n; i++ {
		_, cpu := runCPU(args...)
		total += cpu
	}
	return total / time.Duration(n)
}

func main() {
	var err error
	if dir, err = os.MkdirTemp("", "opensslspeed"); err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "gost.cnf"), []byte(gostssl.Config), 0o644); err != nil {
		panic(err)
	}
	const n = 100
	fmt.Printf("OpenSSL's GOST engine, %d runs each, CPU time per operation (run minus key load):\n", n)
	for _, s := range []struct{ alg, set, name string }{
		{"gost2012_256", "TCA", "256 paramSetA"}, {"gost2012_256", "TCB", "256 paramSetB"},
		{"gost2012_512", "A", "512 paramSetA"}, {"gost2012_512", "C", "512 paramSetC"},
	} {
		run("genpkey", "-algorithm", s.alg, "-pkeyopt", "paramset:"+s.set, "-out", "k.pem")
		run("pkey", "-in", "k.pem", "-pubout", "-out", "p.pem")
		size := 32
		if s.alg == "gost2012_512" {
			size = 64
		}
		digest := make([]byte, size)
		rand.Read(digest)
		os.WriteFile(filepath.Join(dir, "d"), digest, 0o600)
		run("pkeyutl", "-sign", "-inkey", "k.pem", "-in", "d", "-out", "s")
		load := timed(n, "pkey", "-in", "k.pem", "-noout")
		loadPub := timed(n, "pkey", "-pubin", "-in", "p.pem", "-noout")
		sign := timed(n, "pkeyutl", "-sign", "-inkey", "k.pem", "-in", "d", "-out", "s")
		verify := timed(n, "pkeyutl", "-verify", "-pubin", "-inkey", "p.pem", "-in", "d", "-sigfile", "s")
		fmt.Printf("  %-14s sign %8.0f µs   verify %8.0f µs   (process with key load: %.0f µs)\n",
			s.name, float64((sign - load).Microseconds()), float64((verify - loadPub).Microseconds()), float64(load.Microseconds()))
	}
	out := run("speed", "-seconds", "2", "-bytes", "8192", "-evp", "md_gost12_256")
	out = append(out, run("speed", "-seconds", "2", "-bytes", "8192", "-evp", "md_gost12_512")...)
	for _, m := range regexp.MustCompile(`(?m)^(md_gost12_\d+)\s+([\d.]+)k$`).FindAllSubmatch(out, -1) {
		var kb float64
		fmt.Sscan(string(m[2]), &kb)
		fmt.Printf("  %-14s %8.1f MB/s (openssl speed, 8192-byte blocks)\n", m[1], kb/1000)
	}
	if !bytes.Contains(out, []byte("md_gost12")) {
		fmt.Fprintln(os.Stderr, "openssl speed printed no Streebog figures")
		os.Exit(1)
	}
}
