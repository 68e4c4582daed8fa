package app

import (
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
