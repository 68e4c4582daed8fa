package webui

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAcceptsEncoding(t *testing.T) {
	tests := []struct {
		header, enc string
		want        bool
	}{
		{"br", "br", true},
		{"gzip, deflate, br, zstd", "br", true},
		{"gzip, deflate", "br", false},
		{"br;q=0, gzip", "br", false},
		{"br; q=0.5", "br", true},
		{"*", "gzip", true},
		{"", "gzip", false},
		{"BR", "br", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, acceptsEncoding(tt.header, tt.enc), "%q %q", tt.header, tt.enc)
	}
}

func newWeb(t *testing.T) (*Web, *fiber.App) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"app.wasm": "RAW-WASM", "app.wasm.br": "BR", "app.wasm.gz": "GZ", "app.css": "body{}",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	w, err := Load(dir)
	require.NoError(t, err)
	app := fiber.New()
	w.MountStatic(app)
	w.MountPages(app)
	return w, app
}

func get(t *testing.T, app *fiber.App, path, acceptEncoding string) (int, map[string]string, string) {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if acceptEncoding != "" {
		r.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := app.Test(r, -1)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	h := map[string]string{}
	for k := range resp.Header {
		h[k] = resp.Header.Get(k)
	}
	return resp.StatusCode, h, string(b)
}

func TestWasmByEncoding(t *testing.T) {
	w, app := newWeb(t)
	tests := []struct{ accept, encoding, body string }{
		{"gzip, deflate, br", "br", "BR"},
		{"gzip", "gzip", "GZ"},
		{"", "", "RAW-WASM"},
		{"br;q=0, gzip;q=0", "", "RAW-WASM"},
	}
	for _, tt := range tests {
		status, h, body := get(t, app, "/web/app.wasm", tt.accept)
		assert.Equal(t, 200, status)
		assert.Equal(t, "application/wasm", h["Content-Type"])
		assert.Equal(t, tt.encoding, h["Content-Encoding"], tt.accept)
		assert.Equal(t, tt.body, body)
		assert.Equal(t, "Accept-Encoding", h["Vary"])
	}
	// The loader is told the raw size, whatever encoding travels.
	assert.Equal(t, "8", w.handler.WasmContentLength)
	assert.Len(t, w.Version(), 16)
}

func TestVersionFollowsWasm(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.wasm"), []byte("one"), 0o644))
	a, err := Load(dir)
	require.NoError(t, err)
	b, err := Load(dir)
	require.NoError(t, err)
	assert.Equal(t, a.Version(), b.Version(), "same build, same version on every replica")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.wasm"), []byte("two"), 0o644))
	c, err := Load(dir)
	require.NoError(t, err)
	assert.NotEqual(t, a.Version(), c.Version())
}

// TestFavicon: /favicon.ico answers with the app's icon as an image, not
// the 404 it was.
func TestFavicon(t *testing.T) {
	w, app := newWeb(t)
	icon, err := os.ReadFile("../../../web/icon-192.png")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(w.dir, "icon-192.png"), icon, 0o644))
	status, h, body := get(t, app, "/favicon.ico", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, "image/png", h["Content-Type"])
	assert.Equal(t, string(icon), body)
	assert.True(t, strings.HasPrefix(body, "\x89PNG"), "the file is a PNG")
	_, _, page := get(t, app, "/", "")
	// go-app writes a tag's attributes in no fixed order.
	assert.Regexp(t, `<link (rel="icon" href="/web/icon\.svg"|href="/web/icon\.svg" rel="icon")>`, page, "the pages' head links the icon")
}

func TestMissingWasm(t *testing.T) {
	_, err := Load(t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make build")
}

func TestStaticAndPages(t *testing.T) {
	_, app := newWeb(t)
	status, _, body := get(t, app, "/web/app.css", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, "body{}", body)

	status, _, _ = get(t, app, "/web/nope.js", "")
	assert.Equal(t, 404, status)

	for _, p := range []string{"/", "/services/by-6.0.00"} {
		status, h, body := get(t, app, p, "")
		assert.Equal(t, 200, status, p)
		assert.Contains(t, h["Content-Type"], "text/html", p)
		assert.Contains(t, body, `lang="ru"`, p)
		assert.Contains(t, body, "/web/icon-192.png", p)
		assert.NotContains(t, body, "githubusercontent", "no request may leave the machine")
		assert.NotContains(t, body, "<style", "the CSP allows no inline styles")
	}
	status, _, _ = get(t, app, "/no-such-page", "")
	assert.Equal(t, 404, status)

	status, _, body = get(t, app, "/app.js", "")
	assert.Equal(t, 200, status)
	assert.Contains(t, body, `goappWasmContentLength = "8"`)
	_, _, body = get(t, app, "/manifest.webmanifest", "")
	assert.NotContains(t, body, "http")
}
