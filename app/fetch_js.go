//go:build js

package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"syscall/js"

	"renewal/app/wire"
)

// getJSON fetches a path of our own origin and decodes its JSON body into
// out. It uses the browser's fetch rather than net/http, which would add
// megabytes to app.wasm. It must run outside a js.FuncOf callback (in
// ctx.Async): it blocks until the promise settles.
func getJSON(ctx context.Context, path string, out any) error {
	opts := js.Global().Get("Object").New()
	opts.Set("credentials", "same-origin")
	opts.Set("headers", js.ValueOf(map[string]any{"Accept": "application/json"}))
	resp, err := await(ctx, js.Global().Call("fetch", path, opts))
	if err != nil {
		return fmt.Errorf("fetch %s: %w", path, err)
	}
	textValue, err := await(ctx, resp.Call("text"))
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	body := []byte(textValue.String())
	if status := resp.Get("status").Int(); status < 200 || status > 299 {
		e := &apiError{status: status}
		if json.Unmarshal(body, &e.body) != nil || e.body.Code == "" {
			e.body = wire.Error{Code: "http_error", MessageRU: "Сервер ответил ошибкой.", MessageEN: "The server answered with an error."}
		}
		return e
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}

// await blocks until a JavaScript promise settles. The callbacks only
// hand the value to a channel: blocking inside them would deadlock.
func await(ctx context.Context, promise js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	onResolve := js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{v: arg0(args)}
		return nil
	})
	onReject := js.FuncOf(func(this js.Value, args []js.Value) any {
		reason := arg0(args)
		msg := "promise rejected"
		if reason.Truthy() {
			msg = reason.Call("toString").String()
		}
		ch <- result{err: errors.New(msg)}
		return nil
	})
	defer onResolve.Release()
	defer onReject.Release()
	promise.Call("then", onResolve, onReject)
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return js.Undefined(), ctx.Err()
	}
}

func arg0(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}
