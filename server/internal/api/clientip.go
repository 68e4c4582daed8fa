package api

import (
	"net"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// trustedProxies decides which peers' X-Forwarded-For is believed.
type trustedProxies struct {
	ips  []net.IP
	nets []*net.IPNet
}

func newTrustedProxies(list []string) *trustedProxies {
	t := &trustedProxies{}
	for _, p := range list {
		if ip := net.ParseIP(p); ip != nil {
			t.ips = append(t.ips, ip)
		} else if _, n, err := net.ParseCIDR(p); err == nil {
			t.nets = append(t.nets, n)
		}
	}
	return t
}

func (t *trustedProxies) trusted(ip net.IP) bool {
	for _, p := range t.ips {
		if p.Equal(ip) {
			return true
		}
	}
	for _, n := range t.nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

const clientIPKey = "client_ip"

// clientAddress finds the client's address once per request. A peer
// that is not a trusted proxy is the client. Behind trusted proxies the
// X-Forwarded-For list is read from the right (each proxy appends the
// address it saw), skipping the trusted ones: the first other valid
// address is the client. Entries to its left were written by the client
// and are never believed (they would let anyone pick his own bucket of
// the per-address limits).
func (s *server) clientAddress(c *fiber.Ctx) error {
	c.Locals(clientIPKey, s.resolveClientIP(c))
	return c.Next()
}

func (s *server) resolveClientIP(c *fiber.Ctx) string {
	peer := net.ParseIP(c.Context().RemoteIP().String())
	if peer == nil {
		return c.Context().RemoteIP().String()
	}
	if !s.proxies.trusted(peer) {
		return peer.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		ip := net.ParseIP(strings.TrimSpace(hops[i]))
		if ip == nil {
			break // garbage: stop believing the list here
		}
		if !s.proxies.trusted(ip) {
			return ip.String()
		}
	}
	return peer.String()
}

// ClientIP is the request's client address as clientAddress found it.
func ClientIP(c *fiber.Ctx) string {
	if ip, ok := c.Locals(clientIPKey).(string); ok {
		return ip
	}
	return c.Context().RemoteIP().String()
}
