package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTP TLS policies (SMTPConfig.TLS).
const (
	// TLSNone sends in plain text: only for a relay on the same host or
	// network. AUTH is then allowed only to localhost.
	TLSNone = "none"
	// TLSStartTLS upgrades with STARTTLS when the server offers it and
	// sends in plain text when it does not. A failed upgrade is an error.
	TLSStartTLS = "starttls"
	// TLSStartTLSMandatory refuses to send unless STARTTLS succeeds.
	TLSStartTLSMandatory = "starttls-mandatory"
	// TLSImplicit speaks TLS from the first byte (port 465).
	TLSImplicit = "tls"
)

// SMTPConfig configures SMTP.
type SMTPConfig struct {
	Host string
	// Port; 0 means 25 for "none", 587 for STARTTLS, 465 for "tls".
	Port int
	// Username and Password enable AUTH (PLAIN, or LOGIN if the server
	// offers only that); empty Username means no AUTH.
	Username, Password string
	// From is the sender, "noreply@example.by" or
	// "Удостоверяющий центр <noreply@example.by>".
	From string
	// TLS is one of "none", "starttls", "starttls-mandatory", "tls";
	// empty means "starttls-mandatory".
	TLS string
	// Timeout bounds one whole send (connect, TLS, AUTH, transfer); a
	// sooner deadline of the context wins. 0 means 30s.
	Timeout time.Duration
	// TLSConfig optionally replaces the TLS settings, e.g. RootCAs for a
	// relay with a private CA. ServerName defaults to Host.
	TLSConfig *tls.Config
}

// String hides the password, so the config can be logged.
func (c SMTPConfig) String() string {
	return fmt.Sprintf("{Host:%s Port:%d Username:%s Password:%s From:%s TLS:%s Timeout:%s}",
		c.Host, c.Port, c.Username, redacted(c.Password), c.From, c.TLS, c.Timeout)
}

const defaultSMTPTimeout = 30 * time.Second

// quitTimeout bounds the polite QUIT after a message is accepted.
const quitTimeout = 2 * time.Second

// SMTP sends e-mail with go-mail, one connection per message: a UTF-8
// plain-text body in base64 and an RFC 2047 encoded subject (Cyrillic
// arrives intact), From from the config, a fresh Message-ID in the From
// domain, Date, and Auto-Submitted: auto-generated (RFC 3834) so
// auto-responders stay quiet.
//
// Errors: a 5xx answer to RCPT TO or to the message data (the recipient
// or the message is refused) wraps ErrPermanent, as does a recipient
// address that does not parse. Everything else is temporary: 4xx answers,
// network errors and timeouts, and 5xx answers to the greeting, EHLO,
// STARTTLS, AUTH or MAIL FROM, because those concern our configuration
// (credentials, sender address, TLS), not the message, and every message
// would fail the same way until it is fixed. Note that a timeout after the
// data was sent can still mean the server delivered it; a retry then sends
// a duplicate, which SMTP cannot prevent.
type SMTP struct {
	host     string
	port     int
	user     string
	pass     string
	from     *mail.Address
	fromHost string // domain of the From address, for Message-ID
	tlsMode  string
	tlsConf  *tls.Config
	timeout  time.Duration
}

// NewSMTP checks cfg and returns the sender. It does not connect.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	host := strings.TrimSpace(cfg.Host)
	if host == "" {
		return nil, errors.New("notify: smtp host is empty")
	}
	if strings.ContainsAny(host, "/ :") && net.ParseIP(host) == nil {
		return nil, fmt.Errorf("notify: smtp host %q: want a host name or IP address, without scheme or port", host)
	}
	mode := cfg.TLS
	if mode == "" {
		mode = TLSStartTLSMandatory
	}
	port := cfg.Port
	switch mode {
	case TLSNone:
		port = orDefault(port, 25)
	case TLSStartTLS, TLSStartTLSMandatory:
		port = orDefault(port, 587)
	case TLSImplicit:
		port = orDefault(port, 465)
	default:
		return nil, fmt.Errorf("notify: smtp TLS %q: want none, starttls, starttls-mandatory or tls", cfg.TLS)
	}
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("notify: smtp port %d out of range", port)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("notify: smtp From %q: %w", cfg.From, err)
	}
	if from.Address, err = NormalizeEmail(from.Address); err != nil {
		return nil, fmt.Errorf("notify: smtp From %q: %w", cfg.From, err)
	}
	if cfg.Username == "" && cfg.Password != "" {
		return nil, errors.New("notify: smtp password given without a username")
	}
	if cfg.Username != "" && mode == TLSNone && !isLoopback(host) {
		return nil, fmt.Errorf("notify: smtp AUTH without TLS is refused for %s (only localhost); set TLS", host)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("notify: smtp timeout %s is negative", cfg.Timeout)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = defaultSMTPTimeout
	}
	var tlsConf *tls.Config
	if cfg.TLSConfig != nil {
		tlsConf = cfg.TLSConfig.Clone()
	} else {
		tlsConf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if tlsConf.ServerName == "" {
		tlsConf.ServerName = host
	}
	return &SMTP{
		host:     host,
		port:     port,
		user:     cfg.Username,
		pass:     cfg.Password,
		from:     from,
		fromHost: from.Address[strings.LastIndexByte(from.Address, '@')+1:],
		tlsMode:  mode,
		tlsConf:  tlsConf,
		timeout:  timeout,
	}, nil
}

func orDefault(port, def int) int {
	if port == 0 {
		return def
	}
	return port
}

// isLoopback matches the hosts go-mail allows plain-text AUTH to.
func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Send implements Sender.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if m.Channel != Email {
		return permanentf("notify: smtp cannot send a %q message", m.Channel)
	}
	to, err := NormalizeEmail(m.To)
	if err != nil {
		return permanentf("notify: smtp: %w", err)
	}
	if strings.TrimSpace(m.Text) == "" {
		return permanentf("notify: smtp: empty text")
	}
	msg, err := s.message(m, to)
	if err != nil {
		return permanentf("notify: smtp: %w", err)
	}

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	deadline, _ := ctx.Deadline()

	// go-mail bounds the dial with the context but the conversation only
	// with per-step deadlines. The dialer below closes the connection when
	// ctx ends, so the whole send is bounded by ctx.
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	// go-mail writes host:port without brackets; dial the right address.
	addr := net.JoinHostPort(s.host, strconv.Itoa(s.port))
	dial := func(dctx context.Context, network, _ string) (net.Conn, error) {
		d := &net.Dialer{}
		var c net.Conn
		var err error
		if s.tlsMode == TLSImplicit {
			c, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConf}).DialContext(dctx, network, addr)
		} else {
			c, err = d.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		stop := context.AfterFunc(ctx, func() { _ = c.Close() })
		mu.Lock()
		conns = append(conns, closeHook{c, stop})
		mu.Unlock()
		return c, nil
	}

	opts := []gomail.Option{
		gomail.WithPort(s.port),
		// go-mail's own per-step deadline is a backstop: a little later
		// than ctx, so that a timeout reports context.DeadlineExceeded.
		gomail.WithTimeout(time.Until(deadline) + time.Second),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(s.tlsConf),
		gomail.WithoutNoop(), // fresh connection, nothing to check
		gomail.WithoutRset(), // one message per connection
	}
	switch s.tlsMode {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSStartTLSMandatory:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default: // none; tls is done by the dialer
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.user != "" {
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return classifySMTP(ctx, "connect", err)
	}
	err = client.SendWithSMTPClient(sc, msg)
	if err != nil && !msg.IsDelivered() {
		return classifySMTP(ctx, "send", err)
	}
	// Accepted. Say QUIT, but do not wait long for the answer: the
	// message is the server's now, and an error here must not cause a
	// retry (and a duplicate).
	mu.Lock()
	for _, c := range conns {
		_ = c.SetDeadline(time.Now().Add(quitTimeout))
	}
	mu.Unlock()
	_ = client.CloseWithSMTPClient(sc)
	return nil
}

// closeHook stops the context hook when the connection is closed.
type closeHook struct {
	net.Conn
	stop func() bool
}

func (c closeHook) Close() error {
	c.stop()
	return c.Conn.Close()
}

// message builds the go-mail message for m.
func (s *SMTP) message(m Message, to string) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithEncoding(gomail.EncodingB64), gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(s.from.Name, s.from.Address); err != nil {
		return nil, err
	}
	if err := msg.To(to); err != nil {
		return nil, err
	}
	msg.Subject(oneLine(m.Subject))
	msg.SetMessageIDWithValue(randomID() + "@" + s.fromHost)
	msg.SetDate()
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	// Canonical text has CRLF line breaks (RFC 2046 4.1.1); with base64
	// they are not restored by the transport, so write them here.
	msg.SetBodyString(gomail.TypeTextPlain, strings.ReplaceAll(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n", "\r\n"))
	return msg, nil
}

// oneLine folds line breaks of a subject into spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// classifySMTP turns a go-mail error into a permanent or temporary error;
// see the SMTP type.
func classifySMTP(ctx context.Context, stage string, err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		switch se.Reason {
		case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			if code >= 500 && code <= 599 {
				return fmt.Errorf("%w: smtp %s: %w", ErrPermanent, stage, err)
			}
		}
	}
	if cause := context.Cause(ctx); cause != nil {
		return fmt.Errorf("notify: smtp %s: %w (%w)", stage, cause, err)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("notify: smtp %s: %w (%w)", stage, context.DeadlineExceeded, err)
	}
	return fmt.Errorf("notify: smtp %s: %w", stage, err)
}
