package keyfile

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWASMBuild guards the promise that the browser can save and open key
// files: the package builds for GOOS=js GOARCH=wasm on the standard library
// and our pure-Go GOST packages only.
func TestWASMBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go tool; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	require.NoError(t, err)
	run := func(args ...string) string {
		cmd := exec.Command(goBin, args...)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	run("build", "-o", os.DevNull, ".")
	nonStd := strings.Fields(run("list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "."))
	assert.ElementsMatch(t, []string{"renewal/ca/keyfile", "renewal/ca/crypto/gost3410", "renewal/ca/crypto/streebog",
		"filippo.io/bigmod", "golang.org/x/crypto/cryptobyte", "golang.org/x/crypto/cryptobyte/asn1"}, nonStd)
}
