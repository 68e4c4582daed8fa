// Package webui serves the browser app: the compiled app.wasm (sent
// pre-compressed), the static files of web/, and go-app's pages, which are
// pre-rendered on the server from the same routes the browser registers.
package webui

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"

	"renewal/app"
)

// wasmFile is one encoding of app.wasm held in memory: it is read on
// every first visit and compressing it per request costs up to a second.
type wasmFile struct {
	encoding string // "", "br" or "gzip"
	body     []byte
}

// Web is the loaded web/ directory.
type Web struct {
	dir     string
	version string
	rawSize int
	wasm    []wasmFile // preferred encodings first
	handler *goapp.Handler
}

// Load reads dir (absolute) and prepares the go-app handler. The app's
// version is the hash of app.wasm, so every replica serving one build
// agrees on it and a restart does not force browsers to update.
func Load(dir string) (*Web, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "app.wasm"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s/app.wasm not found: run `make build` (or set --web-dir)", dir)
		}
		return nil, fmt.Errorf("read app.wasm: %w", err)
	}
	sum := sha256.Sum256(raw)
	w := &Web{dir: dir, version: hex.EncodeToString(sum[:8]), rawSize: len(raw)}
	for _, v := range []struct{ ext, enc string }{{".br", "br"}, {".gz", "gzip"}} {
		b, err := os.ReadFile(filepath.Join(dir, "app.wasm"+v.ext))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read app.wasm%s: %w", v.ext, err)
		}
		w.wasm = append(w.wasm, wasmFile{encoding: v.enc, body: b})
	}
	w.wasm = append(w.wasm, wasmFile{body: raw})
	app.Routes()
	w.handler = &goapp.Handler{
		Name:            "Продление сертификата электронной подписи",
		ShortName:       "Продление ЭП",
		Title:           "Продление сертификата электронной подписи",
		Description:     "Удалённое продление сертификата ЭЦП/КЭП с помощью действующего сертификата",
		Lang:            "ru",
		LoadingLabel:    "Загрузка {progress}%",
		BackgroundColor: "#ffffff",
		ThemeColor:      "#1f4e8c",
		// Local icons: go-app's defaults live on a public host, and no
		// request may leave this machine.
		Icon: goapp.Icon{
			Default:  "/web/icon-192.png",
			Large:    "/web/icon-512.png",
			Maskable: "/web/icon-512.png",
			SVG:      "/web/icon.svg",
		},
		Styles:            []string{"/web/app.css", "/web/values.css"},
		Resources:         sameOrigin{},
		Version:           w.version,
		WasmContentLength: strconv.Itoa(len(raw)),
	}
	return w, nil
}

// Version is the app's version (a prefix of app.wasm's SHA-256).
func (w *Web) Version() string { return w.version }

// MountStatic registers /web: app.wasm by Accept-Encoding, other files
// from the directory, and a 404 for anything else under /web.
func (w *Web) MountStatic(r fiber.Router) {
	r.Get("/web/app.wasm", w.serveWasm)
	// Browsers ask for /favicon.ico on pages without an icon link (the
	// PDFs, the dev pages): the app's icon, as PNG, which every browser
	// takes there.
	r.Get("/favicon.ico", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return c.SendFile(filepath.Join(w.dir, "icon-192.png"))
	})
	r.Static("/web", w.dir, fiber.Static{
		ModifyResponse: func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderCacheControl, "no-cache")
			return nil
		},
	})
	r.All("/web/*", func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// MountPages registers go-app's handler. It must be the last route: it
// answers every path the app knows and 404 for the rest.
func (w *Web) MountPages(r fiber.Router) {
	h := adaptor.HTTPHandler(w.handler)
	r.Get("/*", h)
	r.Head("/*", h)
}

func (w *Web) serveWasm(c *fiber.Ctx) error {
	c.Vary(fiber.HeaderAcceptEncoding)
	c.Set(fiber.HeaderContentType, "application/wasm")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderETag, `"`+w.version+`"`)
	if c.Get(fiber.HeaderIfNoneMatch) == `"`+w.version+`"` {
		return c.SendStatus(fiber.StatusNotModified)
	}
	accepted := c.Get(fiber.HeaderAcceptEncoding)
	for _, f := range w.wasm {
		if f.encoding != "" && !acceptsEncoding(accepted, f.encoding) {
			continue
		}
		if f.encoding != "" {
			c.Set(fiber.HeaderContentEncoding, f.encoding)
		}
		return c.Send(f.body)
	}
	return fiber.ErrNotFound // unreachable: the raw file is always last
}

// acceptsEncoding reads an Accept-Encoding header: enc listed without
// q=0 (and "*" counts).
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != enc && name != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			return false
		}
		return true
	}
	return false
}

// sameOrigin resolves /web paths to themselves: Fiber serves them, so the
// go-app handler must not (its LocalDir would read the working directory).
type sameOrigin struct{}

func (sameOrigin) Resolve(location string) string {
	if location == "" {
		return "/"
	}
	return location
}
