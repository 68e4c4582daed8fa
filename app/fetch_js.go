//go:build js

package app

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall/js"

	"renewal/app/jspromise"
	"renewal/app/wire"
)

// request sends a request to our own origin and returns the body. It
// uses the browser's fetch rather than net/http, which would add
// megabytes to app.wasm. It must run outside a js.FuncOf callback (in
// ctx.Async): it blocks until the promise settles. A non-2xx answer
// becomes an *apiError with the server's messages.
func request(ctx context.Context, method, path, csrf, contentType string, body []byte) ([]byte, error) {
	opts := js.Global().Get("Object").New()
	opts.Set("method", method)
	opts.Set("credentials", "same-origin")
	headers := map[string]any{"Accept": "application/json"}
	if csrf != "" {
		headers["X-CSRF-Token"] = csrf
	}
	if body != nil {
		headers["Content-Type"] = contentType
		arr := js.Global().Get("Uint8Array").New(len(body))
		js.CopyBytesToJS(arr, body)
		opts.Set("body", arr)
	}
	opts.Set("headers", js.ValueOf(headers))
	resp, err := await(ctx, js.Global().Call("fetch", path, opts))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", path, err)
	}
	buf, err := await(ctx, resp.Call("arrayBuffer"))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	u8 := js.Global().Get("Uint8Array").New(buf)
	out := make([]byte, u8.Get("length").Int())
	js.CopyBytesToGo(out, u8)
	if status := resp.Get("status").Int(); status < 200 || status > 299 {
		e := &apiError{status: status}
		if json.Unmarshal(out, &e.body) != nil || e.body.Code == "" {
			e.body = wire.Error{Code: "http_error", MessageRU: "Сервер ответил ошибкой.", MessageEN: "The server answered with an error."}
		}
		return nil, e
	}
	return out, nil
}

// await is browsercrypto's: one place that turns a promise into a Go
// answer.
func await(ctx context.Context, promise js.Value) (js.Value, error) {
	return jspromise.Await(ctx, promise)
}
