package api

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenAPICoversRoutes: every route under /api/v1, /dev and /ca of the
// full app (with --dev) is in the served document with its method, and
// the document names no route the app lacks (the payment sandboxes'
// pages, a separate http.Handler, are left out of the second check).
func TestOpenAPICoversRoutes(t *testing.T) {
	f := newFlow(t)
	resp, err := f.app.Test(httptest.NewRequest("GET", "/api/v1/openapi.json", nil), -1)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	assert.Equal(t, "3.1.0", doc.OpenAPI)

	param := regexp.MustCompile(`:(\w+)`)
	served := map[string]bool{}
	for _, r := range f.app.GetRoutes(true) {
		documented := strings.HasPrefix(r.Path, "/api/v1/") || strings.HasPrefix(r.Path, "/dev/") || strings.HasPrefix(r.Path, "/ca/")
		if !documented || strings.Contains(r.Path, "*") || r.Method == "HEAD" {
			continue
		}
		path := param.ReplaceAllString(strings.TrimSuffix(r.Path, "/"), "{$1}")
		method := strings.ToLower(r.Method)
		served[method+" "+path] = true
		_, ok := doc.Paths[path][method]
		assert.True(t, ok, "route %s %s is missing from openapi.json", r.Method, path)
	}
	require.GreaterOrEqual(t, len(served), 17, "the app's routes were not found: the test would prove nothing")
	for path, ops := range doc.Paths {
		if strings.HasPrefix(path, "/sandbox/") {
			continue
		}
		for method := range ops {
			if method == "parameters" {
				continue
			}
			assert.True(t, served[method+" "+path], "openapi.json names %s %s, which the app does not serve", method, path)
		}
	}
}

// TestOpenAPIDevSection: the development operations (tagged
// "development": the outbox, statements, the payment sandboxes) are in the
// document only with --dev, and every /dev and /sandbox path is tagged so.
func TestOpenAPIDevSection(t *testing.T) {
	type op struct {
		Tags []string `json:"tags"`
	}
	read := func(dev bool) (map[string]map[string]json.RawMessage, []string) {
		raw, _, err := apiDocument(dev)
		require.NoError(t, err)
		var doc struct {
			Paths map[string]map[string]json.RawMessage `json:"paths"`
			Tags  []struct {
				Name string `json:"name"`
			} `json:"tags"`
		}
		require.NoError(t, json.Unmarshal(raw, &doc))
		var tags []string
		for _, tg := range doc.Tags {
			tags = append(tags, tg.Name)
		}
		return doc.Paths, tags
	}
	isDev := func(p string) bool { return strings.HasPrefix(p, "/dev/") || strings.HasPrefix(p, "/sandbox/") }

	paths, tags := read(true)
	assert.Contains(t, tags, devTag)
	devOps := 0
	for p, ops := range paths {
		for m, raw := range ops {
			if m == "parameters" {
				continue
			}
			var o op
			require.NoError(t, json.Unmarshal(raw, &o))
			if isDev(p) {
				devOps++
				assert.Contains(t, o.Tags, devTag, "%s %s is a development route without the tag", m, p)
			} else {
				assert.NotContains(t, o.Tags, devTag, "%s %s", m, p)
			}
		}
	}
	assert.GreaterOrEqual(t, devOps, 8, "the development section is missing")

	paths, tags = read(false)
	assert.NotContains(t, tags, devTag)
	for p := range paths {
		assert.False(t, isDev(p), "%s is served without --dev", p)
	}
	assert.Contains(t, paths, "/api/v1/renewal")
}
