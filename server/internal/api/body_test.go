package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gzipBomb is n zero bytes gzipped twice: 256 MiB come to about 1.5 KB.
func gzipBomb(t testing.TB, n int) []byte {
	t.Helper()
	var inner bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&inner, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for written := 0; written < n; written += len(zero) {
		_, err := zw.Write(zero)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	var outer bytes.Buffer
	zw, _ = gzip.NewWriterLevel(&outer, gzip.BestCompression)
	_, err := zw.Write(inner.Bytes())
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return outer.Bytes()
}

// A compressed body is refused before anything reads it, whatever the
// header's form; the server allocates nothing like its decoded size.
func TestEncodedBodiesRefused(t *testing.T) {
	h := newHarness(t)
	bomb := gzipBomb(t, 256<<20) // 256 MiB decoded
	require.Less(t, len(bomb), 8192)
	for _, c := range []struct {
		name, path string
		encodings  []string
	}{
		{"fail/gzip-gzip", "/test/json", []string{"gzip, gzip"}},
		{"fail/gzip", "/test/json", []string{"gzip"}},
		{"fail/two-headers", "/test/json", []string{"identity", "gzip"}},
		{"fail/deflate-case", "/test/json", []string{"Deflate"}},
		{"fail/br-ocsp", "/ca/ocsp", []string{"br"}},
		{"fail/unknown", "/api/v1/renewal", []string{"x-custom"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", c.path, bytes.NewReader(bomb))
			req.Header.Set("Content-Type", "application/json")
			for _, e := range c.encodings {
				req.Header.Add("Content-Encoding", e)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			resp, err := h.app.Test(req, -1)
			require.NoError(t, err)
			runtime.ReadMemStats(&after)
			assert.Equal(t, 415, resp.StatusCode)
			assert.Equal(t, "encoded_body", decodeError(t, readAll(t, resp.Body)).Code)
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "the body was not expanded")
		})
	}
	t.Run("ok/identity", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/test/json", bytes.NewReader([]byte(`{}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", "identity")
		resp, err := h.app.Test(req, -1)
		require.NoError(t, err)
		assert.NotEqual(t, 415, resp.StatusCode)
	})
}

func readAll(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return b
}
