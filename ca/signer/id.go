package signer

import (
	"crypto/rand"
	"fmt"
)

func randomID() ([]byte, error) {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("signer: key id: %w", err)
	}
	return id, nil
}
