package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"renewal/server/internal/apierr"
)

// errEncodedBody: no client of this service compresses what it sends (a
// browser's fetch, the gateways' webhooks, an OCSP client, the operator's
// upload), and a compressed body is the one whose decoded size BodyLimit
// cannot bound: Fiber's Body() would expand 1.8 KB of doubly gzipped
// zeros to gigabytes.
var errEncodedBody = apierr.New(apierr.KindUnsupportedMedia, "encoded_body",
	"Сжатые запросы не принимаются: отправьте тело запроса без Content-Encoding.",
	"Compressed requests are not accepted: send the request body without Content-Encoding.")

// plainBodies refuses every request whose body carries a content coding
// other than identity, before anything reads the body. Every
// Content-Encoding header counts, not only the first: Fiber decodes by
// the last one it sees.
func plainBodies(c *fiber.Ctx) error {
	encoded := false
	c.Request().Header.VisitAll(func(k, v []byte) {
		if !strings.EqualFold(string(k), fiber.HeaderContentEncoding) {
			return
		}
		for _, coding := range strings.Split(string(v), ",") {
			if coding = strings.TrimSpace(coding); coding != "" && !strings.EqualFold(coding, "identity") {
				encoded = true
			}
		}
	})
	if encoded {
		// The connection closes: the client may still be sending a body
		// we will not read.
		c.Set(fiber.HeaderConnection, "close")
		return errEncodedBody
	}
	return c.Next()
}
