//go:build js

package app

import (
	"errors"
	"syscall/js"
)

// openEvents opens the browser's EventSource on a path of our origin (the
// session cookie goes with it). onData gets each event's data, onError
// each failure, with closed true when the browser gave up (an answer
// that is not a stream: no session, too many streams). Both run on the
// browser's event loop and must not block. close ends the stream.
func openEvents(path string, onData func([]byte), onError func(closed bool)) (close func(), err error) {
	ctor := js.Global().Get("EventSource")
	if ctor.IsUndefined() {
		return nil, errors.New("events: no EventSource in this browser")
	}
	es := ctor.New(path)
	message := js.FuncOf(func(this js.Value, args []js.Value) any {
		onData([]byte(args[0].Get("data").String()))
		return nil
	})
	failure := js.FuncOf(func(this js.Value, args []js.Value) any {
		onError(es.Get("readyState").Int() == 2) // EventSource.CLOSED
		return nil
	})
	es.Call("addEventListener", "message", message)
	es.Call("addEventListener", "error", failure)
	return func() {
		es.Call("close")
		message.Release()
		failure.Release()
	}, nil
}
