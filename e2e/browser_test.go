package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tab is one browser tab for one test. It records the console; an
// uncaught exception or a console error (a CSP violation is one) fails
// the test, and a failed test leaves a screenshot, the console and the
// server's log in e2e/artifacts.
type tab struct {
	t       *testing.T
	ctx     context.Context
	mu      sync.Mutex
	console []string
	errors  []string
	shot    int    // the test's steps so far, for the screenshots' names
	all     bool   // every step in every view (tour)
	who     string // which of a test's tabs, when it has several (as)
}

func newTab(t *testing.T) *tab {
	t.Helper()
	return newTabWith(t, 90*time.Second)
}

// newTabWith opens a tab with its own deadline and context options (a
// fresh browser context, with its own cookies and storage, is
// chromedp.WithNewBrowserContext()).
func newTabWith(t *testing.T, deadline time.Duration, opts ...chromedp.ContextOption) *tab {
	t.Helper()
	ctx, cancelTab := chromedp.NewContext(liveBrowser(t), opts...)
	ctx, cancelTime := context.WithTimeout(ctx, deadline)
	tb := &tab{t: t, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		cancelTime()
		cancelTab()
		t.Fatalf("open tab: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			line := fmt.Sprintf("%s %s:%d %s", m.Type, m.URL, m.Line+1, m.Text)
			tb.mu.Lock()
			tb.console = append(tb.console, line)
			if isFailure(m) {
				tb.errors = append(tb.errors, line)
			}
			tb.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		tb.mu.Lock()
		errs := append([]string(nil), tb.errors...)
		tb.mu.Unlock()
		for _, e := range errs {
			t.Errorf("browser console: %s", e)
		}
		if t.Failed() {
			tb.saveArtifacts()
		}
		cancelTime()
		cancelTab()
	})
	return tb
}

// isFailure tells which console messages fail a test: exceptions, errors
// that scripts log, security messages (CSP violations) and failed loads,
// except a 4xx answer of our API, which the app expects and explains,
// and the browser's own request for /favicon.ico.
func isFailure(m chromedp.ConsoleMessage) bool {
	switch {
	case m.IsException():
		return true
	case m.Source == "security":
		return true
	case m.Type != chromedp.ConsoleError:
		return false
	case m.Source == "network" && strings.Contains(m.URL, "/api/") && strings.Contains(m.Text, "status of 4"):
		return false
	case m.Source == "network" && strings.HasSuffix(m.URL, "/favicon.ico"):
		// The browser asks for it by itself on pages that name no icon
		// (the payment sandboxes' pages); the site serves none there.
		return false
	default:
		return true
	}
}

func (tb *tab) name() string {
	n := tb.t.Name()
	if tb.who != "" {
		n += "." + tb.who
	}
	return strings.NewReplacer("/", "_", " ", "_").Replace(n)
}

// as names the tab in its screenshots and artifacts, for a test that
// drives several people at once.
func (tb *tab) as(who string) *tab {
	tb.who = who
	return tb
}

func (tb *tab) saveArtifacts() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(tb.ctx), 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(artifacts, tb.name()+".failed.png"), png, 0o644)
	}
	tb.mu.Lock()
	os.WriteFile(filepath.Join(artifacts, tb.name()+".console.txt"), []byte(strings.Join(tb.console, "\n")+"\n"), 0o644)
	tb.mu.Unlock()
	saveLogs(suite, tb.name())
	tb.t.Logf("artifacts of the failure in %s/%s.*", artifacts, tb.name())
}

// step checks the screen at a step of a test: no horizontal overflow
// (fits), no serious or critical accessibility violation (axe), and with
// E2E_SHOTS=1 a screenshot, so a person can look through the flow. A
// tour tab (tour) does it in every language and width, then goes back.
func (tb *tab) step(name string) {
	tb.t.Helper()
	tb.shot++
	if !tb.all {
		tb.check(name)
		return
	}
	was := tb.current()
	seen := map[view]bool{}
	for _, v := range views {
		tb.show(v)
		// A page without the language switch (a payment sandbox's) stays
		// in its language: each width once.
		if now := tb.current(); !seen[now] {
			seen[now] = true
			tb.check(name)
		}
	}
	tb.show(was)
}

// do runs steps or fails the test.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

// eval runs a JavaScript expression and returns its value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %q: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds.
func (tb *tab) waitFor(cond string) {
	tb.t.Helper()
	if _, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](cond)); err != nil {
		tb.t.Fatalf("waiting for %s: %v", cond, err)
	}
}

// open navigates and waits until the WASM app has rendered the screen
// with the given id: its data-ready marker set, go-app's loader gone.
func (tb *tab) open(path, screen string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(suite.URL + path))
	tb.waitScreen(screen)
}

func (tb *tab) waitScreen(screen string) {
	tb.t.Helper()
	// A JavaScript poll, not a DOM query: go-app replaces the
	// pre-rendered page when it mounts, and a query in flight would fail.
	tb.waitFor(`document.querySelector('#` + screen + `[data-ready="true"]') !== null && document.getElementById('app-wasm-loader') === null`)
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}
