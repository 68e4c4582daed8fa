package api

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/server/internal/apierr"
)

// TestRequestRefusedByDocument: a request that does not match openapi.json
// gets 400 invalid_field naming the field, in both languages, from the
// validator and before any handler runs: no application is opened, and
// on a session route the refusal comes before the session check (401).
func TestRequestRefusedByDocument(t *testing.T) {
	f := newFlow(t)
	cases := []struct {
		name, method, path, body, field string
	}{
		{"fail/missing-required", "POST", "/api/v1/renewal", `{"service":"ru-owner","email":"a@example.ru"}`, "/phone"},
		{"fail/wrong-type", "POST", "/api/v1/renewal", `{"service":"ru-owner","phone":79000000001,"email":"a@example.ru"}`, "/phone"},
		{"fail/unknown-field", "POST", "/api/v1/renewal", `{"service":"ru-owner","phone":"+79000000001","email":"a@example.ru","admin":true}`, "/admin"},
		{"fail/enum", "POST", "/api/v1/renewal", `{"service":"ru-owner","phone":"+79000000001","email":"a@example.ru","lang":"de"}`, "/lang"},
		{"fail/nested-before-session", "POST", "/api/v1/renewal/terms", `{"accepted":[{"code":"offer"}]}`, "/accepted/0/"},
		{"fail/path-parameter", "POST", "/api/v1/payments/webhook/nosuch", `{}`, "path provider"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Language", "en")
			resp, err := f.app.Test(req, -1)
			require.NoError(t, err)
			raw, _ := io.ReadAll(resp.Body)
			require.Equal(t, 400, resp.StatusCode, "%s", raw)
			var e wire.Error
			require.NoError(t, json.Unmarshal(raw, &e))
			assert.Equal(t, "invalid_field", e.Code)
			assert.Contains(t, e.MessageEN, tc.field)
			assert.Contains(t, e.MessageRU, tc.field)
			assert.NotEmpty(t, e.RequestID)
		})
	}
	// Nothing was opened: the handler never ran.
	n, err := f.st.Pool().Exec(t.Context(), "SELECT 1 FROM application")
	require.NoError(t, err)
	assert.Zero(t, n.RowsAffected(), "a refused request opened an application")

	// The same call, well formed, reaches the handler.
	h := f.holder("ru-owner", "+79000000001", "valid@example.ru")
	h.must("POST", "/api/v1/renewal", wire.RenewalStart{Service: "ru-owner", Phone: h.phone, Email: h.email}, nil)
}

// TestAnswerRefusedByDocument: with CheckResponses an answer that breaks
// the document (a missing required field, an undocumented code, a route
// the document lacks) becomes 500 response_mismatch; without it the
// answer goes out as the handler wrote it.
func TestAnswerRefusedByDocument(t *testing.T) {
	raw, doc, err := apiDocument(false)
	require.NoError(t, err)
	build := func(check bool) *fiber.App {
		k, err := newContract(raw, doc, check, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		s := &server{Deps: Deps{Log: slog.New(slog.DiscardHandler)}}
		app := fiber.New(fiber.Config{ErrorHandler: s.renderError})
		v1 := app.Group("/api/v1", k.check(s))
		v1.Get("/services", func(c *fiber.Ctx) error {
			return c.JSON(fiber.Map{"services": []fiber.Map{{"code": "ru-owner"}}}) // required fields missing
		})
		v1.Get("/services/:code", func(c *fiber.Ctx) error {
			return apierr.New(apierr.KindNotFound, "no_such_code_anywhere", "нет", "no")
		})
		v1.Get("/undocumented", func(c *fiber.Ctx) error { return c.SendString("ok") })
		return app
	}
	for _, path := range []string{"/api/v1/services", "/api/v1/services/x", "/api/v1/undocumented"} {
		resp, err := build(true).Test(httptest.NewRequest("GET", path, nil), -1)
		require.NoError(t, err)
		raw, _ := io.ReadAll(resp.Body)
		assert.Equal(t, 500, resp.StatusCode, "%s: %s", path, raw)
		assert.Contains(t, string(raw), "response_mismatch", path)

		resp, err = build(false).Test(httptest.NewRequest("GET", path, nil), -1)
		require.NoError(t, err)
		assert.NotEqual(t, 500, resp.StatusCode, path)
	}
}

// BenchmarkContract: the validator's cost on one JSON request and its
// answer (POST /api/v1/renewal/terms with a TermsAcceptance, answered with
// a Renewal), requests only (production) and with the answer checked too.
func BenchmarkContract(b *testing.B) {
	raw, doc, err := apiDocument(false)
	require.NoError(b, err)
	body := `{"accepted":[{"code":"offer","version":"1","sha256":"00"}]}`
	answer := wire.Renewal{ID: "x", Service: "ru-owner", Jurisdiction: "RU", State: "terms_accepted", CSRFToken: "t"}
	for _, check := range []bool{false, true} {
		b.Run(fmt.Sprintf("check-responses=%v", check), func(b *testing.B) {
			k, err := newContract(raw, doc, check, slog.New(slog.DiscardHandler))
			require.NoError(b, err)
			s := &server{Deps: Deps{Log: slog.New(slog.DiscardHandler)}}
			app := fiber.New(fiber.Config{ErrorHandler: s.renderError})
			app.Group("/api/v1", k.check(s)).Post("/renewal/terms", func(c *fiber.Ctx) error { return c.JSON(answer) })
			for b.Loop() {
				req := httptest.NewRequest("POST", "/api/v1/renewal/terms", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := app.Test(req, -1)
				if err != nil || resp.StatusCode != 200 {
					b.Fatal(err, resp.StatusCode)
				}
			}
		})
	}
	b.Run("no-validator", func(b *testing.B) {
		app := fiber.New()
		app.Post("/api/v1/renewal/terms", func(c *fiber.Ctx) error { return c.JSON(answer) })
		for b.Loop() {
			req := httptest.NewRequest("POST", "/api/v1/renewal/terms", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if _, err := app.Test(req, -1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
