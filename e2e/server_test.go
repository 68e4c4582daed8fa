package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"renewal/e2e/binary"
)

// startServer starts the binary with a fresh data directory of its own,
// which stop removes.
func startServer(args ...string) (*binary.Server, error) {
	return binary.Start(suiteOptions("", nil, args))
}

// startServerIn starts the binary on dataDir, which the caller owns.
func startServerIn(dataDir string, env []string, args ...string) (*binary.Server, error) {
	return binary.Start(suiteOptions(dataDir, env, args))
}

func suiteOptions(dataDir string, env, args []string) binary.Options {
	return binary.Options{
		Root: root, DataDir: dataDir, DirPrefix: "rnw-e2e-", Args: args, CheckResponses: true,
		// Two connections for requests: a query on the pool from inside a
		// transaction fails at once instead of waiting for load to deadlock.
		// A test may ask for more (the last value of a key wins).
		Env: append([]string{"DB_MAX_CONNS=2"}, env...),
	}
}

// newDataDir is a data directory for startServerIn; the caller removes it.
func newDataDir() (string, error) { return binary.NewDataDir("rnw-e2e-") }

// saveLogs writes the server's output beside the test's other artifacts.
func saveLogs(s *binary.Server, prefix string) {
	os.WriteFile(filepath.Join(artifacts, prefix+".server.log"), []byte(s.Logs()), 0o644)
}

// stopAtEnd stops s when the test ends (s as it is now: a test may start
// another server in the same variable).
func stopAtEnd(t *testing.T, s *binary.Server) { t.Cleanup(func() { s.Stop() }) }
