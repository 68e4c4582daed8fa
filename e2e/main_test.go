package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The suite shares one server and one browser; each test opens its own
// tab with its own deadline.
var (
	root       string // repository root
	suite      *serverProc
	browserCtx context.Context
	artifacts  string
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	var err error
	if root, err = repoRoot(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	artifacts = filepath.Join(root, "e2e", "artifacts")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	for _, f := range []string{"bin/renewal-server", "web/app.wasm"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: %s is missing: run `make build` first (make e2e does)\n", f)
			return 1
		}
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: chromium not found: apt-get install chromium (make e2e does it as root)")
		return 1
	}

	// 127.0.0.1 is trusted as a proxy: the wizard tests come through it
	// from client addresses of their own (see newWizardTab).
	suite, err = startServer("suite", "--dev", "--trusted-proxy", "127.0.0.1")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start server:", err)
		return 1
	}
	defer suite.stop()

	profile, err := os.MkdirTemp("", "rnw-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(profile)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.WindowSize(1200, 900),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	var cancelBrowser context.CancelFunc
	browserCtx, cancelBrowser = chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	startCtx, cancelStart := context.WithTimeout(browserCtx, 60*time.Second)
	defer cancelStart()
	if err := chromedp.Do(startCtx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start chromium:", err)
		return 1
	}
	return m.Run()
}

func repoRoot() (string, error) {
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
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
