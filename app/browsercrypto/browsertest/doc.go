// Package browsertest runs renewal/app/browsercrypto in headless Chromium:
// its test builds ./wasmprog for GOOS=js, serves it on 127.0.0.1 (a secure
// context, so crypto.subtle exists) with wasm_exec.js, and drives the
// browser with chromedp. It covers what Node cannot: IndexedDB (keys kept
// across a page load) and Chromium's own WebCrypto; and it times "P-256 key
// + CSR" in the browser.
//
//	cd /work/main && go test ./app/browsercrypto/browsertest -v
//
// It skips when no Chromium is installed (apt-get install -y chromium).
package browsertest
