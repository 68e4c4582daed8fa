// Package revcheck asks other certification authorities whether a
// certificate they issued is revoked: OCSP at the certificate's AIA
// responder first, then the CRLs at its distribution points. An answer
// counts only when it is signed by the certificate's issuer (or by a
// responder that issuer delegated with id-kp-OCSPSigning), names this
// issuer and serial, and is fresh. Anything else is an error: the caller
// fails closed and the holder tries again later.
//
// Answers are cached until their nextUpdate: OCSP answers by (issuer key,
// serial), CRLs by (URL, issuer). Both caches are bounded.
package revcheck

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"renewal/ca"
	"renewal/ca/x509sig"
)

// ErrUnavailable: no fresh, verified answer from any source.
var ErrUnavailable = errors.New("revcheck: revocation status unavailable")

// Config of a Client. Zero values take the defaults.
type Config struct {
	// Timeout bounds one Status call, all requests included (default 5 s).
	Timeout time.Duration
	// OCSPTimeout bounds each OCSP request (default 2 s), so that a slow
	// responder leaves time for the CRL.
	OCSPTimeout time.Duration
	// MaxOCSPBytes and MaxCRLBytes bound a response body (default 64 KiB
	// and 1 MiB); a longer one is no answer.
	MaxOCSPBytes, MaxCRLBytes int64
	// Leeway is how far in the future a thisUpdate may be (clock skew
	// between us and the issuer; default 5 min). NextUpdate gets none.
	Leeway time.Duration
	// MaxAge is how long an OCSP answer without nextUpdate counts as
	// fresh after its thisUpdate (default 1 h).
	MaxAge time.Duration
	// MaxStatuses and MaxCRLs bound the caches (default 10000 and 32).
	MaxStatuses, MaxCRLs int
	// Transport; nil is a clone of http.DefaultTransport (proxy from the
	// environment).
	Transport http.RoundTripper
	Logger    *slog.Logger
}

// Client is safe for concurrent use; it implements ca.ForeignRevocation.
type Client struct {
	cfg  Config
	http *http.Client
	log  *slog.Logger

	mu       sync.Mutex
	statuses map[statusKey]cached[ca.RevocationInfo]
	crls     map[crlKey]cached[*crlIndex]
}

var _ ca.ForeignRevocation = (*Client)(nil)

type statusKey struct {
	issuer [32]byte // SHA-256 of the issuer's SubjectPublicKeyInfo
	serial string
}

type crlKey struct {
	url    string
	issuer [32]byte // SHA-256 of the issuer's subject and key
}

type cached[T any] struct {
	v     T
	until time.Time // nextUpdate of the answer
}

// New builds a Client.
func New(cfg Config) *Client {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Timeout, 5*time.Second)
	def(&cfg.OCSPTimeout, 2*time.Second)
	def(&cfg.Leeway, 5*time.Minute)
	def(&cfg.MaxAge, time.Hour)
	if cfg.MaxOCSPBytes <= 0 {
		cfg.MaxOCSPBytes = 64 << 10
	}
	if cfg.MaxCRLBytes <= 0 {
		cfg.MaxCRLBytes = 1 << 20
	}
	if cfg.MaxStatuses <= 0 {
		cfg.MaxStatuses = 10000
	}
	if cfg.MaxCRLs <= 0 {
		cfg.MaxCRLs = 32
	}
	tr := cfg.Transport
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Client{
		cfg: cfg,
		log: log,
		http: &http.Client{
			Transport: tr,
			Timeout:   cfg.Timeout,
			// A redirect may change host but never leave http(s).
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 3 {
					return errors.New("more than 3 redirects")
				}
				if !webURL(req.URL) {
					return fmt.Errorf("redirect to %q is not http(s)", req.URL.Scheme)
				}
				return nil
			},
		},
		statuses: map[statusKey]cached[ca.RevocationInfo]{},
		crls:     map[crlKey]cached[*crlIndex]{},
	}
}

// Status answers from the cache, else from the OCSP responders named in
// cert, else from its CRLs. An error (wrapping ErrUnavailable) means no
// source gave a fresh, verified answer; ca.ErrRevocationUncheckable
// when the certificate names no source at all.
func (c *Client) Status(ctx context.Context, cert, issuer *x509.Certificate, now time.Time) (ca.RevocationInfo, error) {
	if cert == nil || issuer == nil || cert.SerialNumber == nil {
		return ca.RevocationInfo{}, fmt.Errorf("%w: no certificate or issuer", ErrUnavailable)
	}
	// x509sig: the issuer may sign with GOST, which crypto/x509 cannot verify.
	if err := x509sig.CheckSignatureFrom(cert, issuer); err != nil {
		return ca.RevocationInfo{}, fmt.Errorf("%w: %q did not sign the certificate: %v", ErrUnavailable, issuer.Subject, err)
	}
	key := statusKey{issuer: sha256.Sum256(issuer.RawSubjectPublicKeyInfo), serial: cert.SerialNumber.Text(16)}
	if info, ok := c.cachedStatus(key, now); ok {
		return info, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	var errs []error
	ocspURLs, crlURLs := webURLs(cert.OCSPServer), webURLs(cert.CRLDistributionPoints)
	if len(ocspURLs) == 0 && len(crlURLs) == 0 {
		return ca.RevocationInfo{}, fmt.Errorf("%w: the certificate names no http(s) OCSP responder and no CRL distribution point", ca.ErrRevocationUncheckable)
	}
	for _, u := range ocspURLs {
		info, until, err := c.askOCSP(ctx, u, cert, issuer, now)
		if err == nil {
			c.storeStatus(key, info, until, now)
			return info, nil
		}
		c.log.WarnContext(ctx, "revcheck: no OCSP answer", "url", u, "serial", key.serial, "err", err)
		errs = append(errs, fmt.Errorf("OCSP %s: %w", u, err))
	}
	for _, u := range crlURLs {
		idx, err := c.crl(ctx, u, issuer, now)
		if err == nil {
			var info ca.RevocationInfo
			if info, err = idx.status(cert, now); err == nil {
				return info, nil
			}
		}
		c.log.WarnContext(ctx, "revcheck: no CRL", "url", u, "serial", key.serial, "err", err)
		errs = append(errs, fmt.Errorf("CRL %s: %w", u, err))
	}
	return ca.RevocationInfo{}, fmt.Errorf("%w: %w", ErrUnavailable, errors.Join(errs...))
}

func (c *Client) cachedStatus(k statusKey, now time.Time) (ca.RevocationInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.statuses[k]
	if !ok || !now.Before(e.until) {
		return ca.RevocationInfo{}, false
	}
	return e.v, true
}

func (c *Client) storeStatus(k statusKey, info ca.RevocationInfo, until, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	put(c.statuses, k, cached[ca.RevocationInfo]{info, until}, c.cfg.MaxStatuses, now)
}

// put adds an entry; a full map first loses its expired entries, then the
// one that expires first.
func put[K comparable, V any](m map[K]cached[V], k K, v cached[V], max int, now time.Time) {
	if _, ok := m[k]; !ok && len(m) >= max {
		for key, e := range m {
			if !now.Before(e.until) {
				delete(m, key)
			}
		}
		for len(m) >= max {
			var first K
			var at time.Time
			for key, e := range m {
				if at.IsZero() || e.until.Before(at) {
					first, at = key, e.until
				}
			}
			delete(m, first)
		}
	}
	m[k] = v
}

// fetch GETs or POSTs u and reads at most limit bytes of a 200 answer.
func (c *Client) fetch(ctx context.Context, method, u, contentType string, body []byte, limit int64) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("answer longer than %d bytes", limit)
	}
	return b, nil
}

func webURL(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// webURLs keeps the absolute http(s) URLs (an ldap:// distribution point
// is skipped: we do not speak LDAP).
func webURLs(in []string) []string {
	var out []string
	for _, s := range in {
		if u, err := url.Parse(strings.TrimSpace(s)); err == nil && webURL(u) {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

func serialKey(n *big.Int) string { return n.Text(16) }
