// Package hsmtest gives tests and benchmarks a real PKCS#11 token: SoftHSM2
// with a fresh token directory. SOFTHSM2_CONF is set before any crypto11
// context initialises the module, and the token is made once per test
// binary (a PKCS#11 module is initialised once per process).
package hsmtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"renewal/ca/signer"
)

// Module is SoftHSM2's PKCS#11 library on Debian.
const Module = "/usr/lib/softhsm/libsofthsm2.so"

const (
	tokenLabel = "ca-test"
	userPIN    = "1234"
	soPIN      = "5678"
)

var (
	once    sync.Once
	dir     string
	initErr error
)

func setup() {
	if _, err := os.Stat(Module); err != nil {
		initErr = fmt.Errorf("hsmtest: SoftHSM2 module missing (apt-get install -y softhsm2): %w", err)
		return
	}
	if _, err := exec.LookPath("softhsm2-util"); err != nil {
		initErr = fmt.Errorf("hsmtest: softhsm2-util missing (apt-get install -y softhsm2): %w", err)
		return
	}
	dir, initErr = os.MkdirTemp("", "hsmtest-")
	if initErr != nil {
		return
	}
	tokens := filepath.Join(dir, "tokens")
	if initErr = os.Mkdir(tokens, 0o700); initErr != nil {
		return
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	body := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens)
	if initErr = os.WriteFile(conf, []byte(body), 0o600); initErr != nil {
		return
	}
	// Before the module is loaded by anyone in this process.
	if initErr = os.Setenv("SOFTHSM2_CONF", conf); initErr != nil {
		return
	}
	cmd := exec.Command("softhsm2-util", "--init-token", "--free", "--label", tokenLabel, "--pin", userPIN, "--so-pin", soPIN)
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		initErr = fmt.Errorf("hsmtest: softhsm2-util --init-token: %v: %s", err, out)
	}
}

// Config returns the token's configuration with a fresh, unique key label.
// It fails the test (never skips) when SoftHSM2 is not installed.
func Config(tb testing.TB) signer.PKCS11Config {
	tb.Helper()
	once.Do(setup)
	if initErr != nil {
		tb.Fatal(initErr)
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return signer.PKCS11Config{
		Module:     Module,
		TokenLabel: tokenLabel,
		PIN:        userPIN,
		KeyLabel:   "key-" + hex.EncodeToString(b),
	}
}

// Cleanup removes the token directory; call it from TestMain after m.Run.
func Cleanup() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}
