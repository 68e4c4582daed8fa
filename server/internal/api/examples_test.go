package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
)

// OPENAPI_EXAMPLES=file makes the API suite write each JSON exchange it
// makes (one line each) to file: the document's examples are taken from
// such a real run, and the loader checks them against their schemas.
var examples struct {
	sync.Mutex
	f *os.File
}

// exampleBody reads the request's body for recordExample and puts it back.
func exampleBody(req *http.Request) []byte {
	if os.Getenv("OPENAPI_EXAMPLES") == "" || req.Body == nil {
		return nil
	}
	in, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(in))
	return in
}

func recordExample(req *http.Request, in []byte, resp *http.Response) {
	path := os.Getenv("OPENAPI_EXAMPLES")
	if path == "" || resp == nil {
		return
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(out))
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return
	}
	examples.Lock()
	defer examples.Unlock()
	if examples.f == nil {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return
		}
		examples.f = f
	}
	line, _ := json.Marshal(map[string]any{
		"method": req.Method, "path": req.URL.Path, "status": resp.StatusCode,
		"request": json.RawMessage(orNull(in)), "response": json.RawMessage(orNull(out)),
	})
	_, _ = examples.f.Write(append(line, '\n'))
}

func orNull(b []byte) []byte {
	if !json.Valid(b) || len(b) == 0 {
		return []byte("null")
	}
	return b
}
