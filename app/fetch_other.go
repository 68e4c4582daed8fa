//go:build !js

package app

import (
	"context"
	"errors"
)

// request has nothing to fetch with outside the browser: pages rendered
// on the server show their loading state and the browser fills them.
func request(ctx context.Context, method, path, csrf, contentType string, body []byte) ([]byte, error) {
	return nil, errors.New("request: only in the browser")
}
