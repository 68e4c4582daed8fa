// Package e2e drives the real binaries: bin/renewal-server with its
// private PostgreSQL, and the WASM app in headless Chromium (chromedp).
// Run it with `make e2e` (or `make test`); `make build` must have run.
package e2e
