package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"renewal/e2e/binary"
)

// The suite shares one server and one browser; each test opens its own
// tab with its own deadline.
var (
	root       string // repository root
	suite      *binary.Server
	browserCtx context.Context
	artifacts  string
)

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	var err error
	if root, err = binary.Root(); err != nil {
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
	if err := loadAxe(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: chromium not found: apt-get install chromium (make e2e does it as root)")
		return 1
	}

	// 127.0.0.1 is trusted as a proxy: the wizard tests come through it
	// from client addresses of their own (see newWizardTab).
	suite, err = startServer("--dev", "--trusted-proxy", "127.0.0.1")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start server:", err)
		return 1
	}
	defer suite.Stop()

	chromiumPath = chromium
	stopBrowser, err := startBrowser()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start chromium:", err)
		return 1
	}
	defer func() { stopBrowser() }()
	code := m.Run()
	fmt.Fprintln(os.Stderr, "e2e:", axeSummary())
	browserMu.Lock()
	stopBrowser = stopCurrent
	browserMu.Unlock()
	return code
}

var (
	chromiumPath string
	browserMu    sync.Mutex
	stopCurrent  func()
)

// startBrowser starts headless Chromium with a fresh profile and makes it
// the suite's browser.
func startBrowser() (func(), error) {
	profile, err := os.MkdirTemp("", "rnw-chromium-")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
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
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	stop := func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(profile) }
	// The first Do binds the browser's life to the context it is given
	// (docs/API.md of chromedp): a timeout context there would close the
	// browser as soon as this function returns. Bound the start with a
	// timer instead.
	slow := time.AfterFunc(60*time.Second, stop)
	err = chromedp.Do(ctx)
	if !slow.Stop() {
		err = fmt.Errorf("chromium did not start in 60 s: %w", err)
	}
	if err != nil {
		stop()
		return nil, err
	}
	browserCtx, stopCurrent = ctx, stop
	return stop, nil
}

// liveBrowser is the suite's browser, started again if it died (under a
// heavy load Chromium has lost its DevTools connection here): one dead
// browser fails the test that saw it, not every test after it.
func liveBrowser(t *testing.T) context.Context {
	browserMu.Lock()
	defer browserMu.Unlock()
	if browserCtx.Err() == nil {
		return browserCtx
	}
	t.Log("e2e: the browser is gone; starting a new one")
	if stopCurrent != nil {
		stopCurrent()
	}
	if _, err := startBrowser(); err != nil {
		t.Fatalf("restart chromium: %v", err)
	}
	return browserCtx
}
