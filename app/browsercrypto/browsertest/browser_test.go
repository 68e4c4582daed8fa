//go:build !js

// Run: cd /work/main && go test ./app/browsercrypto/browsertest -v
// (-v prints the timing of "P-256 key + CSR" in the browser).
package browsertest

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"renewal/ca/gostssl"
	"renewal/ca/x509sig"
)

var (
	browserCtx context.Context // one browser for the test binary
	siteURL    string          // the test program, on 127.0.0.1
	skipReason string          // why the browser tests cannot run here
)

const indexHTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>running</title>
<link rel="icon" href="data:,">
<script src="wasm_exec.js"></script></head>
<body><pre id="log"></pre>
<script>
const go = new Go();
WebAssembly.instantiateStreaming(fetch("prog.wasm"), go.importObject)
	.then(r => go.run(r.instance))
	.catch(e => { document.title = "error: " + e; });
</script></body></html>
`

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	chromium := findChromium()
	if chromium == "" {
		skipReason = "no Chromium (apt-get install -y chromium)"
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "browsercrypto-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := buildSite(filepath.Join(dir, "site")); err != nil {
		fmt.Fprintln(os.Stderr, "build the test program:", err)
		return 1
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "site"))))
	defer srv.Close()
	siteURL = srv.URL

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // root
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")), // fresh: no kept keys
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "start Chromium:", err)
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// buildSite writes index.html, wasm_exec.js of this Go and prog.wasm.
func buildSite(site string) error {
	if err := os.MkdirAll(site, 0o755); err != nil {
		return err
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return err
	}
	out, err := exec.Command(goBin, "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	wasmExec, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(site, "wasm_exec.js"), wasmExec, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(site, "index.html"), []byte(indexHTML), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(goBin, "build", "-o", filepath.Join(site, "prog.wasm"), "./wasmprog")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%v\n%s", err, out)
	}
	return nil
}

// tab is one browser tab for one test; an uncaught exception fails the test.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func newTab(t *testing.T) *tab {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	ctx, cancelTab := chromedp.NewContext(browserCtx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	if err := chromedp.Do(ctx); err != nil {
		cancelTime()
		cancelTab()
		t.Fatalf("open tab: %v", err)
	}
	var mu sync.Mutex
	var exceptions []string
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			t.Logf("console %s: %s", m.Type, m.Text)
			if m.IsException() {
				mu.Lock()
				exceptions = append(exceptions, m.Text)
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		<-done // no t.Logf after the test ends
		mu.Lock()
		defer mu.Unlock()
		for _, e := range exceptions {
			t.Errorf("uncaught exception in the page: %s", e)
		}
	})
	return &tab{t: t, ctx: ctx}
}

// runPhase loads the test program with ?phase= and waits for its verdict.
func (tb *tab) runPhase(phase string) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(siteURL+"/?phase="+phase)); err != nil {
		tb.t.Fatalf("navigate: %v", err)
	}
	title, err := chromedp.Run(tb.ctx, chromedp.Poll[string](
		`(document.title === "ok" || document.title.startsWith("error")) && document.title`,
		chromedp.WithPollingTimeout(2*time.Minute)))
	if err != nil {
		tb.t.Fatalf("phase %s: no verdict: %v", phase, err)
	}
	log, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.getElementById("log").textContent`))
	tb.t.Logf("phase %s:\n%s", phase, log)
	if title != "ok" {
		tb.t.Fatalf("phase %s: %s", phase, title)
	}
}

// The kept-key flow: StoreKey/SetCertificate/ListKeys/LoadKey and signing
// with the loaded non-extractable keys, then the same after a page load,
// then DeleteKey.
func TestKeptKeysInChromium(t *testing.T) {
	tb := newTab(t)
	tb.runPhase("store")

	// Independently of the Go code: the record holds a CryptoKey that
	// WebCrypto refuses to export.
	got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`new Promise(resolve => {
		const open = indexedDB.open("renewal-keys");
		open.onerror = () => resolve("open failed: " + open.error);
		open.onsuccess = () => {
			const db = open.result;
			const get = db.transaction("keys").objectStore("keys").get("current");
			get.onerror = () => resolve("get failed");
			get.onsuccess = async () => {
				db.close();
				const rec = get.result;
				if (!rec) return resolve("no record");
				if (!(rec.privateKey instanceof CryptoKey)) return resolve("not a CryptoKey");
				if (rec.privateKey.extractable) return resolve("extractable");
				try {
					await crypto.subtle.exportKey("pkcs8", rec.privateKey);
					resolve("exported!");
				} catch (e) {
					resolve("refused: " + e.name);
				}
			};
		};
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if got != "refused: InvalidAccessError" {
		t.Fatalf("exporting the kept private key: %s, want refused: InvalidAccessError", got)
	}

	tb.runPhase("reload")
}

// GOST keys kept as the wizard keeps them (KeepKey, KeepForFile), 256 and
// 512, survive a page load and sign; here, independently of the Go code,
// the records hold no private key in the clear, only a non-extractable
// AES-GCM key and the ciphertext; and tampered copies of a record are
// refused after the load.
func TestKeptGOSTKeysInChromium(t *testing.T) {
	tb := newTab(t)
	tb.runPhase("gostkeep")
	got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`new Promise(resolve => {
		const open = indexedDB.open("renewal-keys");
		open.onerror = () => resolve("open failed: " + open.error);
		open.onsuccess = () => {
			const db = open.result;
			const all = db.transaction("keys").objectStore("keys").getAll();
			all.onsuccess = async () => {
				const recs = Object.fromEntries(all.result.map(r => [r.name, r]));
				const cur = recs["current-gost2012-256"], file = recs["file-gost2012-256"];
				if (!cur || !file) return resolve("no GOST record");
				for (const r of all.result) { // the wizard's and the copies to damage
					if (r.kind !== "gost") return resolve(r.name + ": kind " + r.kind);
					if ("privateKey" in r || "publicKey" in r) return resolve(r.name + ": a key field in the clear");
					if (!(r.sealKey instanceof CryptoKey) || r.sealKey.extractable || r.sealKey.algorithm.name !== "AES-GCM" || r.sealKey.algorithm.length !== 256)
						return resolve(r.name + ": the sealing key is not a non-extractable AES-256-GCM CryptoKey");
					if (r.iv.length !== 12) return resolve(r.name + ": iv of " + r.iv.length);
					try {
						await crypto.subtle.exportKey("raw", r.sealKey);
						return resolve(r.name + ": the sealing key exported!");
					} catch (e) {
						if (e.name !== "InvalidAccessError") return resolve(r.name + ": export: " + e.name);
					}
				}
				const ec = await crypto.subtle.generateKey({name: "ECDSA", namedCurve: "P-256"}, false, ["sign", "verify"]);
				const damage = (name, change) => {
					const r = recs[name];
					if (!r) throw new Error("no record " + name);
					change(r);
					return r;
				};
				const flip = (a, i) => { const b = new Uint8Array(a); b[i] ^= 1; return b; };
				const tx = db.transaction("keys", "readwrite");
				const st = tx.objectStore("keys");
				st.put(damage("bad-sealed", r => r.sealed = flip(r.sealed, 40)));
				st.put(damage("bad-iv", r => r.iv = flip(r.iv, 0)));
				st.put(damage("bad-sealkey", r => r.sealKey = file.sealKey));
				st.put(damage("bad-nokey", r => delete r.sealKey));
				st.put(damage("bad-ecdsa", r => r.sealKey = ec.privateKey));
				st.put(damage("bad-kind", r => r.kind = "bign"));
				st.put(damage("bad-cert", r => r.cert = recs["current-gost2012-512"].cert));
				st.put({...cur, name: "bad-moved"});
				tx.oncomplete = () => { db.close(); resolve("ok"); };
				tx.onerror = () => resolve("put failed: " + tx.error);
			};
			all.onerror = () => resolve("getAll failed");
		};
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if got != "ok" {
		t.Fatalf("the kept GOST records: %s", got)
	}
	tb.runPhase("gostload")
}

// The timing of "P-256 key + CSR" (GenerateKey + CreateRequest, 20 runs)
// for docs/benchmarks.md, RSA-2048 for comparison, and the GOST keys made
// in Go (GOSTSeed + GenerateGOSTKey + CreateRequest). Figures, not
// asserted: the budget is make bench-web's.
func TestTimingKeyAndCSR(t *testing.T) {
	tb := newTab(t)
	tb.runPhase("bench")
	raw, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`window.benchResult`))
	if err != nil {
		t.Fatal(err)
	}
	var res map[string][]float64
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatal(err)
	}
	for _, alg := range []string{"ecdsa-p256", "rsa-2048", "gost2012-256", "gost2012-512"} {
		ms := res[alg]
		if len(ms) != 20 {
			t.Fatalf("%s: %d runs", alg, len(ms))
		}
		first := ms[0] // includes warming up the code paths
		slices.Sort(ms)
		median := (ms[9] + ms[10]) / 2
		t.Logf("browser %s key + CSR (GenerateKey+CreateRequest, headless Chromium, 20 runs): median %.1f ms, min %.1f ms, max %.1f ms, first run %.1f ms",
			alg, median, ms[0], ms[19], first)
	}
}

// The GOST path of the wizard in Chromium: key from the entropy pool, CSR,
// challenge, CMS, PKCS#12 saved and reopened (checked in the page); here
// OpenSSL's GOST engine checks what the page made: the CSR's signature, the
// CMS over its content and the PKCS#12 file with its password.
func TestGOSTInChromium(t *testing.T) {
	tb := newTab(t)
	tb.runPhase("gost")
	raw, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`window.gostResult`))
	if err != nil {
		t.Fatal(err)
	}
	var res map[string][]byte
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatal(err)
	}
	o := newOpenSSL(t)
	for _, alg := range []string{"gost2012-256", "gost2012-512"} {
		if len(res[alg+".csr"]) == 0 {
			t.Fatalf("%s: no CSR from the page", alg)
		}
		if _, _, err := x509sig.ParseCertificateRequest(res[alg+".csr"]); err != nil {
			t.Errorf("%s: %v", alg, err)
		}
		o.write("req.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: res[alg+".csr"]}))
		if out := o.must("req", "-verify", "-in", "req.pem", "-noout"); !strings.Contains(out, "verify OK") || strings.Contains(out, "failure") {
			t.Errorf("%s: openssl req -verify: %s", alg, out)
		}
		o.write("app.txt", []byte("application signed in Chromium"))
		o.write("app.p7s", res[alg+".p7s"])
		o.must("cms", "-verify", "-binary", "-inform", "DER", "-in", "app.p7s", "-content", "app.txt", "-noverify", "-out", "/dev/null")
		o.write("key.p12", res[alg+".p12"])
		o.write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: res[alg+".crt"]}))
		o.write("out.pem", []byte(o.must("pkcs12", "-in", "key.p12", "-passin", "pass:gost file password", "-nodes")))
		if a, b := o.must("pkey", "-in", "out.pem", "-pubout"), o.must("x509", "-in", "cert.pem", "-noout", "-pubkey"); a != b {
			t.Errorf("%s: OpenSSL read another key from the browser's file", alg)
		}
	}
}

// openssl is ca/gostssl's runner (it fails, never skips, without openssl
// or its GOST engine), in the shape this test calls it.
type openssl struct{ *gostssl.Runner }

func newOpenSSL(t *testing.T) *openssl { t.Helper(); return &openssl{gostssl.New(t)} }

func (o *openssl) run(args ...string) ([]byte, error) { return o.Run(nil, args...) }

func (o *openssl) must(args ...string) string { return string(o.MustRun(nil, args...)) }

func (o *openssl) write(name string, b []byte) { o.Write(name, b) }
