//go:build !js

package app

import (
	"context"
	"errors"
)

func chosenFile(ctx context.Context, inputID string) ([]byte, string, error) {
	return nil, "", errors.New("chosenFile: only in the browser")
}

func offerDownload(name, mime string, data []byte) {}
