package app

import (
	"context"
	"encoding/json"
	"fmt"

	"renewal/app/wire"
)

// apiError is a refusal of our API, carrying its JSON body so the screen
// can show the server's own words in the person's language.
type apiError struct {
	status int
	body   wire.Error
}

func (e *apiError) Error() string {
	return fmt.Sprintf("api: %d %s: %s", e.status, e.body.Code, e.body.MessageEN)
}

// code is the API error code of err, or "".
func code(err error) string {
	if e, ok := err.(*apiError); ok {
		return e.body.Code
	}
	return ""
}

// getJSON fetches a path of our own origin and decodes its JSON body.
func getJSON(ctx context.Context, path string, out any) error {
	b, err := request(ctx, "GET", path, "", "", nil)
	if err != nil {
		return err
	}
	return decode(path, b, out)
}

// sendJSON sends in as JSON with the session's CSRF token and decodes
// the answer into out (if not nil).
func sendJSON(ctx context.Context, method, path, csrf string, in, out any) error {
	body := []byte("{}")
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	b, err := request(ctx, method, path, csrf, "application/json", body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return decode(path, b, out)
}

// getBytes fetches a document (a PDF) as bytes.
func getBytes(ctx context.Context, path string) ([]byte, error) {
	return request(ctx, "GET", path, "", "", nil)
}

func decode(path string, b []byte, out any) error {
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}
