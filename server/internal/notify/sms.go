package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SMSConfig configures SMSGateway.
type SMSConfig struct {
	URL     string        // gateway endpoint, http:// or https://
	Token   string        // sent as "Authorization: Bearer <Token>"
	Timeout time.Duration // whole request, including reading the answer; 0 means 10s
}

// String hides the token, so the config can be logged.
func (c SMSConfig) String() string {
	return fmt.Sprintf("{URL:%s Token:%s Timeout:%s}", c.URL, redacted(c.Token), c.Timeout)
}

func redacted(secret string) string {
	if secret == "" {
		return ""
	}
	return "[redacted]"
}

const (
	defaultSMSTimeout = 10 * time.Second
	// maxSMSResponse bounds how much of the gateway's answer is read.
	maxSMSResponse = 64 << 10
	// maxSMSText refuses absurd texts (10 concatenated UCS-2 segments).
	maxSMSText = 670
	// maxErrorBody is how much of an error answer goes into the error.
	maxErrorBody = 200
)

// SMSGateway sends SMS through an HTTP gateway:
//
//	POST {URL}
//	Authorization: Bearer {Token}
//	Content-Type: application/json
//	Idempotency-Key: {Message.Key}        (when Key is set)
//
//	{"to":"+79161234567","text":"…","id":"{Message.Key}"}
//
// A 2xx answer means sent. 4xx means the gateway refused the message and
// gives an error wrapping ErrPermanent, except 408 and 429 (try later) and
// 401 and 403: those say our token is wrong or expired, a configuration
// problem that retrying after the fix will get past, so they are temporary
// and messages are not dropped meanwhile. 5xx, redirects and network
// errors are temporary. Non-2xx answers are returned as *HTTPError.
type SMSGateway struct {
	url     string
	token   string
	timeout time.Duration
	client  *http.Client
}

// NewSMSGateway checks cfg and returns a gateway that uses client, or, if
// client is nil, a client of its own that does not follow redirects.
func NewSMSGateway(cfg SMSConfig, client *http.Client) (*SMSGateway, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("notify: sms gateway URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("notify: sms gateway URL %q: want http(s)://host/path", cfg.URL)
	}
	if cfg.Token == "" {
		return nil, errors.New("notify: sms gateway token is empty")
	}
	if strings.ContainsFunc(cfg.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return nil, errors.New("notify: sms gateway token contains spaces or control characters")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("notify: sms gateway timeout %s is negative", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultSMSTimeout
	}
	if client == nil {
		client = &http.Client{
			Transport: http.DefaultTransport.(*http.Transport).Clone(),
			// A POST redirected is a GET elsewhere: report it instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &SMSGateway{url: u.String(), token: cfg.Token, timeout: cfg.Timeout, client: client}, nil
}

// smsRequest is the JSON body posted to the gateway.
type smsRequest struct {
	To   string `json:"to"`
	Text string `json:"text"`
	ID   string `json:"id,omitempty"`
}

// HTTPError is a non-2xx answer of the SMS gateway.
type HTTPError struct {
	StatusCode int
	// RetryAfter is the gateway's Retry-After (for 429 and 503), 0 if none.
	RetryAfter time.Duration
	// Body is the start of the answer, with digit runs (codes, phone
	// numbers) masked.
	Body string
}

func (e *HTTPError) Error() string {
	s := "sms gateway answered " + strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// Send implements Sender.
func (g *SMSGateway) Send(ctx context.Context, m Message) error {
	if m.Channel != SMS {
		return permanentf("notify: sms gateway cannot send a %q message", m.Channel)
	}
	to, err := NormalizePhone(m.To)
	if err != nil {
		return permanentf("notify: sms: %w", err)
	}
	if to != m.To {
		return permanentf("notify: sms: recipient is not in E.164 form")
	}
	if strings.TrimSpace(m.Text) == "" {
		return permanentf("notify: sms: empty text")
	}
	if utf8.RuneCountInString(m.Text) > maxSMSText {
		return permanentf("notify: sms: text longer than %d characters", maxSMSText)
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // links keep their & as is
	if err := enc.Encode(smsRequest{To: to, Text: m.Text, ID: m.Key}); err != nil {
		return permanentf("notify: sms: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, &body)
	if err != nil {
		return fmt.Errorf("notify: sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+g.token)
	if m.Key != "" {
		req.Header.Set("Idempotency-Key", m.Key)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: sms: %w", err)
	}
	defer resp.Body.Close()
	// Read (a bounded part of) the answer, so the connection can be reused
	// and an error can say what the gateway said.
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxSMSResponse))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	herr := &HTTPError{
		StatusCode: resp.StatusCode,
		RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
		Body:       maskBody(answer),
	}
	switch code := resp.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests,
		code == http.StatusUnauthorized, code == http.StatusForbidden:
		return fmt.Errorf("notify: sms: %w", herr)
	case code >= 400 && code < 500:
		return fmt.Errorf("%w: sms: %w", ErrPermanent, herr)
	default:
		return fmt.Errorf("notify: sms: %w", herr)
	}
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), 24*time.Hour)
	}
	return 0
}

// maskBody makes the start of a gateway answer fit for an error message
// (which ends up in logs and the job table): at most maxErrorBody bytes,
// one line, and any run of 4 or more digits masked, since a gateway may
// echo the one-time code or the phone number.
func maskBody(b []byte) string {
	if len(b) > maxErrorBody {
		b = b[:maxErrorBody]
	}
	s := strings.ToValidUTF8(string(b), "")
	var out strings.Builder
	run := 0
	flush := func(i int) {
		if run >= 4 {
			out.WriteString(strings.Repeat("#", run))
		} else {
			out.WriteString(s[i-run : i])
		}
		run = 0
	}
	for i, r := range s {
		if r >= '0' && r <= '9' {
			run++
			continue
		}
		flush(i)
		if unicode.IsControl(r) {
			r = ' '
		}
		out.WriteRune(r)
	}
	flush(len(s))
	return strings.TrimSpace(out.String())
}
