//go:build !js

package app

import "errors"

// openEvents has no EventSource outside the browser: the follower polls.
func openEvents(path string, onData func([]byte), onError func(closed bool)) (close func(), err error) {
	return nil, errors.New("events: only in the browser")
}
