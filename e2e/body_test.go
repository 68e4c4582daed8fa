package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// peakRSS is the process's peak resident set (VmHWM), in KiB.
func peakRSS(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			require.NoError(t, err)
			return n
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// 1 GiB of zeros gzipped twice (about 4 KB), posted with
// "Content-Encoding: gzip, gzip" to the OCSP responder and to the start
// of a renewal: the real binary refuses it at once (415) and its peak
// memory does not move.
func TestCompressedBodiesRefused(t *testing.T) {
	var inner, outer bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&inner, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for range 1024 {
		_, _ = zw.Write(zero)
	}
	require.NoError(t, zw.Close())
	zw, _ = gzip.NewWriterLevel(&outer, gzip.BestCompression)
	_, _ = zw.Write(inner.Bytes())
	require.NoError(t, zw.Close())
	bomb := outer.Bytes()

	before := peakRSS(t, suite.PID())
	for _, c := range []struct{ path, ctype string }{
		{"/ca/ocsp", "application/ocsp-request"},
		{"/api/v1/renewal", "application/json"},
	} {
		req, err := http.NewRequest("POST", suite.URL+c.path, bytes.NewReader(bomb))
		require.NoError(t, err)
		req.Header.Set("Content-Type", c.ctype)
		req.Header.Set("Content-Encoding", "gzip, gzip")
		t0 := time.Now()
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 415, resp.StatusCode, c.path)
		assert.Less(t, time.Since(t0), 2*time.Second, c.path)
	}
	assert.Less(t, peakRSS(t, suite.PID())-before, 64<<10, "peak memory grew by more than 64 MiB")
}

// Link tokens open an application to whoever holds them: the binary's
// request log names the route, never the token.
func TestLinkTokensNotLogged(t *testing.T) {
	for _, prefix := range []string{"/resume/", "/approve/"} {
		token := fmt.Sprintf("tok%dSecretLinkToken%d", time.Now().UnixNano(), len(prefix))
		resp, _ := get(t, suite.URL+prefix+token)
		assert.Less(t, resp.StatusCode, 500)
		require.Eventually(t, func() bool { return strings.Contains(suite.Logs(), prefix+"…") }, 5*time.Second, 50*time.Millisecond)
		assert.NotContains(t, suite.Logs(), token, "the token of %s is in the log", prefix)
	}
}

// Oversized bodies, through the real binary: a declared length over the
// route's limit answers 413 before any of the body is sent, and a chunked
// body of 64 MiB is cut at the limit, so peak memory barely moves.
func TestOversizedBodiesRefused(t *testing.T) {
	addr := strings.TrimPrefix(suite.URL, "http://")
	for _, c := range []struct {
		path string
		size int
	}{
		{"/api/v1/renewal", 100 << 20},
		{"/ca/ocsp", 1 << 20},
		{"/api/v1/payments/webhook/card", 1 << 20},
		{"/api/v1/operator/statements", 1 << 20}, // no operator token
	} {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
		_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", c.path, c.size)
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, c.path)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		assert.Equal(t, 413, resp.StatusCode, c.path)
		assert.Contains(t, string(b), `"body_too_large"`, c.path)
	}

	before := peakRSS(t, suite.PID())
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
	_, err = io.WriteString(conn, "POST /api/v1/renewal HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
	require.NoError(t, err)
	go func() {
		chunk := fmt.Sprintf("10000\r\n%s\r\n", bytes.Repeat([]byte(" "), 1<<16))
		for range 1024 { // 64 MiB
			if _, err := io.WriteString(conn, chunk); err != nil {
				return // the server answered and closed
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 413, resp.StatusCode)
	assert.Less(t, peakRSS(t, suite.PID())-before, 16<<10, "peak memory grew by more than 16 MiB")
}
