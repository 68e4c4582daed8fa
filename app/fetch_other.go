//go:build !js

package app

import (
	"context"
	"errors"
)

// getJSON has nothing to fetch with outside the browser: pages rendered
// on the server show their loading state and the browser fills them.
func getJSON(ctx context.Context, path string, out any) error {
	return errors.New("getJSON: only in the browser")
}
