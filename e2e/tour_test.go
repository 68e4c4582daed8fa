package e2e

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServicesTour: the first screen and each service's page, 6.0.02 (the
// head's service, whose flow is the head's page toured in
// TestApprovalBelarusTwoEmployees) among them, in both languages at both
// widths (tb.tour).
func TestServicesTour(t *testing.T) {
	tb := newTab(t).tour()
	tb.open("/", "home")
	tb.step("home")
	services := eval[[]string](tb, `[...document.querySelectorAll('a.service')].map(a => a.getAttribute('href'))`)
	require.Len(t, services, 5, "6.0.00, 6.0.01, 6.0.02, Я владелец, По доверенности")
	for _, path := range services {
		tb.open(path, "service")
		tb.step(strings.TrimPrefix(path, "/services/"))
	}
}
