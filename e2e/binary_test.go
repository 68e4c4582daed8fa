package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// A transport of our own: Go's default would add gzip on its own.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func TestWasmIsSentCompressed(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, "web", "app.wasm"))
	require.NoError(t, err)
	br, err := os.ReadFile(filepath.Join(root, "web", "app.wasm.br"))
	require.NoError(t, err)

	resp, body := get(t, suite.URL+"/web/app.wasm", "Accept-Encoding", "br")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "br", resp.Header.Get("Content-Encoding"))
	assert.Equal(t, "application/wasm", resp.Header.Get("Content-Type"))
	assert.Equal(t, br, body)

	resp, body = get(t, suite.URL+"/web/app.wasm", "Accept-Encoding", "gzip")
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	assert.Less(t, len(body), len(raw))

	resp, body = get(t, suite.URL+"/web/app.wasm")
	assert.Empty(t, resp.Header.Get("Content-Encoding"))
	assert.Equal(t, len(raw), len(body))

	// The loader's progress uses the raw size.
	_, js := get(t, suite.URL+"/app.js")
	assert.Contains(t, string(js), `goappWasmContentLength = "`+itoa(len(raw))+`"`)
}

func TestAPIAnswersJSON(t *testing.T) {
	resp, body := get(t, suite.URL+"/api/v1/nope")
	assert.Equal(t, 404, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Content-Type"), "application/json")
	var e struct{ Code, Message, MessageRU, MessageEN, RequestID string }
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Equal(t, "not_found", e.Code)

	resp, _ = get(t, suite.URL+"/healthz")
	assert.Equal(t, 200, resp.StatusCode)
	resp, _ = get(t, suite.URL+"/readyz")
	assert.Equal(t, 200, resp.StatusCode)
	resp, body = get(t, suite.URL+"/metrics")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, string(body), "db_pool_connections")
	assert.Contains(t, string(body), "http_requests_total")
}

// TestSignalsStopCleanly: SIGTERM and SIGINT end the server with status
// 0 and stop its database; the next start reuses the data.
func TestSignalsStopCleanly(t *testing.T) {
	dir, err := newDataDir()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })

	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		s, err := startServerIn(dir, nil, "--dev")
		require.NoError(t, err)
		resp, _ := get(t, s.URL+"/readyz")
		require.Equal(t, 200, resp.StatusCode)
		code, err := s.Signal(sig, 30*time.Second)
		require.NoError(t, err)
		if !assert.Equal(t, 0, code, "exit status after %s", sig) {
			t.Log(s.Logs())
		}
		if i == 1 {
			assert.NotContains(t, s.Logs(), "initdb done", "the second start reuses the cluster")
		}
		assert.Contains(t, s.Logs(), "postgres stopped")
		_, err = os.Stat(filepath.Join(dir, "pg", "postmaster.pid"))
		assert.True(t, os.IsNotExist(err), "postgres left its pid file: not stopped")
	}
}

func TestDatabaseUnreachableAtStart(t *testing.T) {
	cmd := exec.Command(filepath.Join(root, "bin", "renewal-server"), "--addr", "127.0.0.1:0", "--db-wait", "1s",
		"--web-dir", filepath.Join(root, "web"), "--public-url", "https://ca.example.ru", "--registry-file", filepath.Join("testdata", "registry.yaml"))
	cmd.Env = append(os.Environ(), "DATABASE_URL=postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	assert.Equal(t, 1, cmd.ProcessState.ExitCode())
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	assert.Len(t, lines, 1, "one line, not a stack trace: %s", out)
	assert.Contains(t, string(out), "database unreachable")
}

// TestDatabaseGoneWhileRunning: server B uses, through DATABASE_URL, the
// private database of server A. Stopping A takes the database away from
// under B: /readyz and the API answer 503, and both recover by
// themselves when A (and so the database) comes back.
func TestDatabaseGoneWhileRunning(t *testing.T) {
	dirA, err := newDataDir()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dirA) })
	a, err := startServerIn(dirA, nil, "--dev")
	require.NoError(t, err)
	stopAtEnd(t, a)
	dsn := "host=" + filepath.Join(dirA, "pgsock") + " port=5432 user=renewal dbname=renewal sslmode=disable"

	dirB, err := newDataDir()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dirB) })
	b, err := startServerIn(dirB, []string{"DATABASE_URL=" + dsn}, "--dev")
	require.NoError(t, err)
	stopAtEnd(t, b)

	resp, _ := get(t, b.URL+"/api/v1/services")
	require.Equal(t, 200, resp.StatusCode)

	code, err := a.Signal(syscall.SIGTERM, 30*time.Second)
	require.NoError(t, err)
	require.Equal(t, 0, code)
	eventually(t, 30*time.Second, func() bool {
		resp, _ := get(t, b.URL+"/readyz")
		return resp.StatusCode == 503
	})
	resp, body := get(t, b.URL+"/api/v1/services")
	assert.Equal(t, 503, resp.StatusCode)
	assert.Contains(t, string(body), `"code":"unavailable"`)
	resp, _ = get(t, b.URL+"/healthz")
	assert.Equal(t, 200, resp.StatusCode, "alive without its database")

	a, err = startServerIn(dirA, nil, "--dev")
	require.NoError(t, err)
	stopAtEnd(t, a)
	eventually(t, 60*time.Second, func() bool {
		resp, _ := get(t, b.URL+"/readyz")
		return resp.StatusCode == 200
	})
	resp, _ = get(t, b.URL+"/api/v1/services")
	assert.Equal(t, 200, resp.StatusCode, "recovered without a restart")
	code, err = b.Signal(syscall.SIGTERM, 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, 0, code)
}

func eventually(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
