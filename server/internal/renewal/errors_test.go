package renewal

import (
	"errors"
	"fmt"
	"testing"

	"renewal/ca"
	"renewal/server/internal/apierr"
)

// A request or key problem is the client's to fix (400); a problem of the
// current certificate forbids the renewal (403).
func TestAuthorityErrorStatus(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{ca.ErrWeakKey, 400}, {ca.ErrKeyReused, 400}, {ca.ErrBadCSR, 400}, {ca.ErrSubjectChanged, 400},
		{ca.ErrCertRevoked, 403}, {ca.ErrCertExpired, 403}, {ca.ErrRemoteChain, 403},
		{ca.ErrRevocationUnavailable, 503}, {ca.ErrRevocationUncheckable, 403},
	} {
		var e *apierr.Error
		if !errors.As(authorityError(fmt.Errorf("wrapped: %w", c.err)), &e) {
			t.Fatalf("%v: not an API error", c.err)
		}
		if got := e.Kind.Status(); got != c.want {
			t.Errorf("%v: status %d, want %d", c.err, got, c.want)
		}
	}
}
