//go:build js

// Package jspromise waits for JavaScript promises from Go: the one place
// the wizard and browsercrypto turn a promise into a value or an error.
package jspromise

import (
	"context"
	"syscall/js"
)

// Rejected is the error of a promise that rejected; Reason is what it
// rejected with (often a DOMException), left for the caller to read.
type Rejected struct{ Reason js.Value }

func (r *Rejected) Error() string {
	if !r.Reason.Truthy() {
		return "promise rejected"
	}
	return r.Reason.Call("toString").String()
}

// Await blocks until promise settles or ctx ends. The callbacks only hand
// the value to a buffered channel: blocking inside them would deadlock.
// Never call it inside a js.FuncOf callback.
func Await(ctx context.Context, promise js.Value) (js.Value, error) {
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
		ch <- result{err: &Rejected{Reason: arg0(args)}}
		return nil
	})
	promise.Call("then", onResolve, onReject)
	select {
	case r := <-ch:
		onResolve.Release()
		onReject.Release()
		return r.v, r.err
	case <-ctx.Done():
		// The promise may still settle and call a callback: keep them
		// (a released func panics when called); they only fill ch.
		return js.Undefined(), ctx.Err()
	}
}

func arg0(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}
