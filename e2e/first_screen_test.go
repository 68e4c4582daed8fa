package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFirstScreen walks the whole path browser → WASM → Fiber →
// PostgreSQL: the services on the first screen come from the database.
func TestFirstScreen(t *testing.T) {
	tb := newTab(t)
	tb.open("/", "home")
	tb.step("home-ru")

	assert.Equal(t, "Продление сертификата электронной подписи", tb.text("#home h1"))
	assert.Equal(t, 5, eval[int](tb, `document.querySelectorAll('#home a.service').length`))
	assert.Equal(t, 3, eval[int](tb, `document.querySelectorAll('#j-BY + ul a.service').length`), "Belarus: 6.0.00, 6.0.01, 6.0.02")
	assert.Equal(t, 2, eval[int](tb, `document.querySelectorAll('#j-RU + ul a.service').length`), "Russia: owner, power of attorney")
	assert.Contains(t, tb.text("#service-ru-owner"), "Я владелец")
	assert.Contains(t, tb.text("#service-ru-poa"), "По доверенности")
	assert.Equal(t, "ru", eval[string](tb, `document.documentElement.lang`))

	// English, remembered by this browser across a reload.
	tb.do(chromedp.Click(chromedp.ID("lang-switch")))
	tb.waitFor(`document.querySelector('#home h1').textContent === 'Renewal of an electronic signature certificate'`)
	assert.Contains(t, tb.text("#service-ru-owner"), "I am the owner")
	tb.step("home-en")
	tb.open("/", "home") // a fresh load, as a reload is
	tb.waitFor(`document.querySelector('#home h1').textContent === 'Renewal of an electronic signature certificate'`)
	assert.Equal(t, "en", eval[string](tb, `document.documentElement.lang`))
	tb.do(chromedp.Click(chromedp.ID("lang-switch")))
	tb.waitFor(`document.querySelector('#home h1').textContent.startsWith('Продление')`)

	// Choosing a service opens its screen.
	tb.do(chromedp.Click(chromedp.ID("service-by-6-0-00")))
	tb.waitScreen("service")
	tb.step("service-by-6.0.00")
	assert.Equal(t, "/services/by-6.0.00", eval[string](tb, `location.pathname`))
	assert.Contains(t, tb.text("#service-title"), "индивидуального предпринимателя")
	assert.GreaterOrEqual(t, eval[int](tb, `document.querySelectorAll('#requirements li').length`), 3)

	// Back to the list, by keyboard.
	tb.do(chromedp.Focus(chromedp.ID("back")), chromedp.KeyEvent("\r"))
	tb.waitScreen("home")

	noForeignRequests(t, tb)
}

func TestUnknownServiceIsExplained(t *testing.T) {
	tb := newTab(t)
	tb.open("/services/by-9.9.9", "service")
	assert.Contains(t, tb.text("#service .problem"), "Такой услуги нет.")
	assert.Equal(t, 0, eval[int](tb, `document.querySelectorAll('#retry').length`), "nothing to retry for a missing service")
}

// TestNarrowScreen: the first screen is usable at 360 px, with no
// sideways scrolling.
func TestNarrowScreen(t *testing.T) {
	tb := newTab(t)
	tb.do(chromedp.EmulateViewport(360, 740))
	tb.open("/", "home")
	tb.step("home-360px")
	width := eval[int](tb, `document.documentElement.scrollWidth`)
	assert.LessOrEqual(t, width, 360, "the page scrolls sideways at 360 px")
}

// noForeignRequests fails if the page loaded anything from another host.
func noForeignRequests(t *testing.T, tb *tab) {
	t.Helper()
	names := eval[[]string](tb, `performance.getEntriesByType('resource').map(e => e.name)`)
	require.NotEmpty(t, names)
	for _, n := range names {
		assert.True(t, strings.HasPrefix(n, suite.URL+"/"), "request to another host: %s", n)
	}
}
