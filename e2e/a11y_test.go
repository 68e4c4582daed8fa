package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// Accessibility: tb.step runs axe-core (e2e/axe, pinned, installed by
// make with npm) on the screen at every step and fails the test on any
// violation of impact serious or critical. A tour test (tb.tour) checks
// every step in both languages at both widths; the others check the
// screen as the test left it.

// axeSource is axe.min.js, read once by TestMain.
var axeSource string

// axeDir is where make installs axe-core (npm ci in e2e/axe).
const axeDir = "e2e/axe"

// loadAxe reads axe.min.js and checks that the installed copy is the
// pinned one: a stale node_modules would judge with other rules.
func loadAxe() error {
	dir := filepath.Join(root, axeDir)
	var want, got struct {
		Dependencies map[string]string `json:"dependencies"`
		Version      string            `json:"version"`
	}
	for file, v := range map[string]any{"package.json": &want, "node_modules/axe-core/package.json": &got} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			return fmt.Errorf("axe-core is not installed: run `make e2e` (it runs npm ci in %s): %w", axeDir, err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("read %s: %w", file, err)
		}
	}
	if pinned := want.Dependencies["axe-core"]; got.Version != pinned {
		return fmt.Errorf("axe-core %s is installed in %s, %s is pinned: run `make e2e`", got.Version, axeDir, pinned)
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules/axe-core/axe.min.js"))
	if err != nil {
		return fmt.Errorf("axe-core is not installed: run `make e2e`: %w", err)
	}
	axeSource = string(b)
	return nil
}

// axeTimes counts the suite's axe runs, for the summary TestMain prints.
var axeTimes struct {
	sync.Mutex
	n          int
	total, max time.Duration
}

func axeSummary() string {
	axeTimes.Lock()
	defer axeTimes.Unlock()
	if axeTimes.n == 0 {
		return "axe: no runs"
	}
	return fmt.Sprintf("axe: %d runs, %.0f ms each on average, %.0f ms at most",
		axeTimes.n, float64(axeTimes.total.Milliseconds())/float64(axeTimes.n), float64(axeTimes.max.Milliseconds()))
}

type axeViolation struct {
	ID, Impact, Help, HelpURL string
	Targets                   []string
	Summary                   string
}

// axeRun is what the page runs: every rule axe runs by default, the
// violations of impact serious or critical, each with the selectors of
// its elements and the first element's explanation.
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations
	.filter(v => v.impact === 'serious' || v.impact === 'critical')
	.map(v => ({ID: v.id, Impact: v.impact, Help: v.help, HelpURL: v.helpUrl,
		Targets: v.nodes.map(n => n.target.join(' ')),
		Summary: v.nodes.length > 0 ? v.nodes[0].failureSummary : ''}))))`

// axe checks the screen with axe-core, injected once per document
// through the DevTools protocol (the page's CSP does not apply to it).
func (tb *tab) axe(name string) {
	tb.t.Helper()
	if !eval[bool](tb, `typeof window.axe === 'object' && typeof window.axe.run === 'function'`) {
		tb.do(chromedp.Evaluate[chromedp.Void](axeSource))
	}
	start := time.Now()
	raw := evalAsync[string](tb, axeRun)
	took := time.Since(start)
	axeTimes.Lock()
	axeTimes.n++
	axeTimes.total += took
	axeTimes.max = max(axeTimes.max, took)
	axeTimes.Unlock()
	var found []axeViolation
	if err := json.Unmarshal([]byte(raw), &found); err != nil {
		tb.t.Fatalf("axe at %s: %v: %s", name, err, raw)
	}
	for _, v := range found {
		tb.t.Errorf("axe at %s: %s (%s): %s\n  elements: %s\n  %s\n  %s",
			name, v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "), strings.ReplaceAll(v.Summary, "\n", "\n  "), v.HelpURL)
	}
}

// view is a language and a screen width.
type view struct {
	lang  string
	width int
}

// views are the combinations a tour checks at every step.
var views = []view{{"ru", 1200}, {"en", 1200}, {"en", 360}, {"ru", 360}} // one change at a time

// tour makes every tb.step of this tab check each view, then go back to
// the one the test set.
func (tb *tab) tour() *tab {
	tb.all = true
	return tb
}

// current is the tab's language and width.
func (tb *tab) current() view {
	tb.t.Helper()
	type now struct {
		Lang  string
		Width int
	}
	v := eval[now](tb, `({Lang: document.documentElement.lang || '', Width: window.innerWidth})`)
	return view{v.Lang, v.Width}
}

// show switches the tab to a view: the width by emulation, the language
// by the page's own switch (the app's screens have it; the payment
// sandboxes' pages speak one language and keep theirs).
func (tb *tab) show(v view) {
	tb.t.Helper()
	if tb.current().width != v.width {
		tb.do(chromedp.EmulateViewport(int64(v.width), map[bool]int64{true: 740, false: 900}[v.width < 600]))
	}
	if tb.current().lang == v.lang || !eval[bool](tb, `document.getElementById('lang-switch') !== null`) {
		return
	}
	tb.do(chromedp.Click(chromedp.ID("lang-switch")))
	// The switch names the other language once the page speaks this one.
	other := map[string]string{"ru": "English", "en": "Русский"}[v.lang]
	tb.waitFor(fmt.Sprintf(`document.documentElement.lang === %q && document.getElementById('lang-switch') !== null && document.getElementById('lang-switch').textContent === %q`, v.lang, other))
	// Let go-app finish the render the switch started.
	evalAsync[bool](tb, `new Promise(ok => requestAnimationFrame(() => requestAnimationFrame(() => ok(true))))`)
}

// check runs the step's checks on the screen as it is, and saves its
// screenshot when E2E_SHOTS=1.
func (tb *tab) check(name string) {
	tb.t.Helper()
	tb.fits(name)
	tb.axe(name)
	if os.Getenv("E2E_SHOTS") != "1" {
		return
	}
	v := tb.current()
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	lang := v.lang
	if lang == "" {
		lang = "xx"
	}
	file := fmt.Sprintf("%s.%02d-%s.%s.%d.png", tb.name(), tb.shot, name, lang, v.width)
	if err := os.WriteFile(filepath.Join(artifacts, file), png, 0o644); err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
	}
}
