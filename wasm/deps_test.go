package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoServerCodeInWasm keeps the browser build free of server
// dependencies: they would not compile for js/wasm, or would bloat it.
func TestNoServerCodeInWasm(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{"gofiber/fiber", "valyala/fasthttp", "jackc/pgx", "riverqueue/river", "renewal/server", "zmap/zlint", "crypto11", "miekg/pkcs11"}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.Contains(dep, f) {
				t.Errorf("the WASM app depends on %s", dep)
			}
		}
	}
}
