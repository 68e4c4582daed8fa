package api

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDevOutboxPage: /dev/outbox is a table (time, channel, to, subject,
// body) with the links of the bodies clickable and everything else
// escaped; the live page lists the messages of a real start.
func TestDevOutboxPage(t *testing.T) {
	t.Run("ok/render", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, outboxPage.Execute(&b, []OutboxMessage{{
			ID: 7, ApplicationNumber: "2026-000123", Channel: "email", To: "a@example.ru", Subject: "Сертификат выпущен",
			Body:      "Открыть: http://127.0.0.1:8080/resume/AbC-1_2.\n<script>x</script> & more",
			CreatedAt: time.Date(2026, 12, 2, 3, 4, 5, 0, time.FixedZone("MSK", 3*3600)),
		}}))
		page := b.String()
		assert.Contains(t, page, `<table id="outbox">`)
		for _, th := range []string{"Время (UTC)", "Заявление", "Канал", "Кому", "Тема", "Текст"} {
			assert.Contains(t, page, "<th>"+th+"</th>")
		}
		assert.Contains(t, page, `<tr id="msg-7">`)
		assert.Contains(t, page, "<td>2026-000123</td>", "the application by the number people see")
		assert.Contains(t, page, "<td>2026-12-02 00:04:05</td>", "times in UTC, as the heading says")
		assert.Contains(t, page, `<a href="http://127.0.0.1:8080/resume/AbC-1_2.">http://127.0.0.1:8080/resume/AbC-1_2.</a>`)
		assert.Contains(t, page, "&lt;script&gt;x&lt;/script&gt; &amp; more", "the rest of the body is escaped")
		assert.NotContains(t, page, "<script>")
		assert.Contains(t, page, `<link rel="icon" href="/web/icon.svg">`)
	})
	t.Run("ok/empty", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, outboxPage.Execute(&b, []OutboxMessage(nil)))
		assert.Contains(t, b.String(), "Сообщений нет.")
		assert.NotContains(t, b.String(), "<table")
	})
	t.Run("ok/live", func(t *testing.T) {
		f := newFlow(t)
		h := f.holder("ru-owner", "+79000000701", "outbox@example.ru")
		h.start("ru-owner")
		var page []byte
		h.must("GET", "/dev/outbox", nil, &page)
		assert.Contains(t, string(page), `<table id="outbox">`)
		assert.Contains(t, string(page), "<td>outbox@example.ru</td>")
		var v struct {
			Number string `json:"number"`
		}
		h.must("GET", "/api/v1/renewal", nil, &v)
		require.NotEmpty(t, v.Number)
		assert.Contains(t, string(page), "<td>"+v.Number+"</td>", "the live page names the application's number")
		assert.Contains(t, string(page), "<td>&#43;79000000701</td>", "html/template writes + as &#43;")
	})
}
