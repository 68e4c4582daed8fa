//go:build js

package app

import (
	"context"
	"errors"
	"syscall/js"
)

// chosenFile reads the file picked in an <input type=file>: it stays in
// the browser.
func chosenFile(ctx context.Context, inputID string) ([]byte, string, error) {
	el := js.Global().Get("document").Call("getElementById", inputID)
	if !el.Truthy() || el.Get("files").Get("length").Int() == 0 {
		return nil, "", errNoFile
	}
	f := el.Get("files").Index(0)
	buf, err := await(ctx, f.Call("arrayBuffer"))
	if err != nil {
		return nil, "", err
	}
	u8 := js.Global().Get("Uint8Array").New(buf)
	out := make([]byte, u8.Get("length").Int())
	js.CopyBytesToGo(out, u8)
	return out, f.Get("name").String(), nil
}

// offerDownload saves bytes as a file the person keeps.
func offerDownload(name, mime string, data []byte) {
	u8 := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(u8, data)
	parts := js.Global().Get("Array").New(u8)
	opts := js.Global().Get("Object").New()
	opts.Set("type", mime)
	blob := js.Global().Get("Blob").New(parts, opts)
	url := js.Global().Get("URL").Call("createObjectURL", blob)
	a := js.Global().Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	js.Global().Get("document").Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	js.Global().Get("URL").Call("revokeObjectURL", url)
}

var errNoFile = errors.New("no file chosen")
