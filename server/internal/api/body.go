package api

import (
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"renewal/server/internal/apierr"
	"renewal/server/internal/payments"
)

// Body limits, decided per route from the request's headers alone, before
// a byte of the body is read: a declared length over the limit answers 413
// at once and closes the connection, a chunked body is cut at the limit, so
// a request costs no more than its route's limit in memory.
const (
	// jsonLimit bounds the wizard's JSON: the largest is a proof with its
	// chain, a few kilobytes.
	jsonLimit = 256 << 10
	// ocspLimit bounds an OCSP request: one CertID, perhaps a nonce and a
	// signature, well under a kilobyte in practice.
	ocspLimit = 16 << 10
	// webhookLimit bounds a gateway's notification.
	webhookLimit = 64 << 10
	// statementLimit bounds a bank statement the operator uploads; only
	// a request with the operator's token may send one this large.
	statementLimit = payments.MaxStatementSize
	// BodyLimit is the largest of them: the server's own ceiling.
	BodyLimit = statementLimit
)

// routeLimits lists the routes whose bodies are not JSON, by path prefix.
var routeLimits = []struct {
	prefix   string
	limit    int
	operator bool // the limit holds only with the operator's token
}{
	{"/ca/ocsp", ocspLimit, false},
	{"/api/v1/payments/webhook/", webhookLimit, false},
	{"/api/v1/operator/statements", statementLimit, true},
}

// bodyLimit is fasthttp's HeaderReceived hook: the request's body limit
// from its path and, for the operator's uploads, its token.
func (s *server) bodyLimit(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	path := string(h.RequestURI())
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	for _, r := range routeLimits {
		if !strings.HasPrefix(path, r.prefix) {
			continue
		}
		if r.operator && !s.operatorToken(string(h.Peek(fiber.HeaderAuthorization))) {
			break
		}
		return fasthttp.RequestConfig{MaxRequestBodySize: r.limit}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: jsonLimit}
}

// operatorToken reports whether an Authorization header carries the
// operator's bearer token; without a configured token nobody has it.
func (s *server) operatorToken(header string) bool {
	token := strings.TrimPrefix(header, "Bearer ")
	return s.OperatorToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.OperatorToken)) == 1
}

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
