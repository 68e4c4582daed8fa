package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ---- an in-memory SMTP server (emersion/go-smtp) ----

type receivedMail struct {
	from     string
	to       []string
	data     []byte
	tls      bool
	authUser string
	authMech string
}

// mailBackend stores accepted messages; its fields set how it behaves.
type mailBackend struct {
	user, pass string   // non-empty: AUTH required
	mechs      []string // advertised AUTH mechanisms
	mailErr    error    // answer to MAIL FROM
	rcptErr    error    // answer to RCPT TO
	dataErr    error    // answer after the data
	dataDelay  time.Duration
	done       chan struct{} // ends dataDelay early at cleanup

	mu       sync.Mutex
	received []receivedMail
	sessions int
}

func (b *mailBackend) messages() []receivedMail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]receivedMail(nil), b.received...)
}

func (b *mailBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.mu.Lock()
	b.sessions++
	b.mu.Unlock()
	return &mailSession{be: b, conn: c}, nil
}

type mailSession struct {
	be                 *mailBackend
	conn               *smtp.Conn
	authUser, authMech string
	from               string
	to                 []string
}

func (s *mailSession) AuthMechanisms() []string {
	if s.be.user == "" {
		return nil
	}
	return s.be.mechs
}

func (s *mailSession) Auth(mech string) (sasl.Server, error) {
	check := func(username, password string) error {
		if username != s.be.user || password != s.be.pass {
			return smtp.ErrAuthFailed
		}
		s.authUser, s.authMech = username, mech
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, username, password string) error { return check(username, password) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.be.user != "" && s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	if s.be.mailErr != nil {
		return s.be.mailErr
	}
	s.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.be.rcptErr != nil {
		return s.be.rcptErr
	}
	s.to = append(s.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.be.dataDelay > 0 {
		select {
		case <-time.After(s.be.dataDelay):
		case <-s.be.done:
		}
	}
	if s.be.dataErr != nil {
		return s.be.dataErr
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.be.mu.Lock()
	defer s.be.mu.Unlock()
	s.be.received = append(s.be.received, receivedMail{
		from: s.from, to: s.to, data: data, tls: isTLS, authUser: s.authUser, authMech: s.authMech,
	})
	return nil
}

func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks.
type loginServer struct {
	step  int
	user  string
	check func(username, password string) error
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if response != nil { // initial response is the username
			l.user = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(response))
	}
}

// Server TLS modes.
const (
	srvPlain    = "plain"    // no TLS at all
	srvStartTLS = "starttls" // offers STARTTLS
	srvTLS      = "tls"      // implicit TLS
)

// startSMTP runs a go-smtp server for be on 127.0.0.1 and returns its port.
func startSMTP(t *testing.T, be *mailBackend, mode string, insecureAuth bool) int {
	t.Helper()
	if be.mechs == nil {
		be.mechs = []string{sasl.Plain, sasl.Login}
	}
	be.done = make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = insecureAuth
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	switch mode {
	case srvStartTLS:
		srv.TLSConfig = testServerTLS(t)
	case srvTLS:
		ln = tls.NewListener(ln, testServerTLS(t))
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		close(be.done)
		_ = srv.Close()
	})
	return ln.Addr().(*net.TCPAddr).Port
}

var testCert struct {
	once sync.Once
	cert tls.Certificate
	pool *x509.CertPool
	err  error
}

// testTLS makes a self-signed certificate for 127.0.0.1 once.
func testTLS(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	testCert.once.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			testCert.err = err
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "smtp test"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(time.Hour),
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true,
			IsCA:                  true,
			IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
			DNSNames:              []string{"localhost"},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			testCert.err = err
			return
		}
		leaf, err := x509.ParseCertificate(der)
		if err != nil {
			testCert.err = err
			return
		}
		testCert.cert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
		testCert.pool = x509.NewCertPool()
		testCert.pool.AddCert(leaf)
	})
	require.NoError(t, testCert.err)
	return testCert.cert, testCert.pool
}

func testServerTLS(t *testing.T) *tls.Config {
	cert, _ := testTLS(t)
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

func testClientTLS(t *testing.T) *tls.Config {
	_, pool := testTLS(t)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

const testFrom = "Удостоверяющий центр <noreply@ca.example.by>"

func newTestSMTP(t *testing.T, port int, mutate func(*SMTPConfig)) *SMTP {
	t.Helper()
	cfg := SMTPConfig{
		Host: "127.0.0.1", Port: port, From: testFrom, TLS: TLSNone,
		Timeout: 5 * time.Second, TLSConfig: testClientTLS(t),
	}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := NewSMTP(cfg)
	require.NoError(t, err)
	return s
}

// parseMail reads a received message: its header, and the body decoded
// from its transfer encoding.
func parseMail(t *testing.T, data []byte) (mail.Header, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err)
	raw, err := io.ReadAll(msg.Body)
	require.NoError(t, err)
	var body []byte
	switch cte := strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")); cte {
	case "base64":
		body, err = base64.StdEncoding.DecodeString(string(raw)) // ignores line breaks
		require.NoError(t, err)
	case "quoted-printable":
		body, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		require.NoError(t, err)
	default:
		t.Fatalf("unexpected Content-Transfer-Encoding %q", cte)
	}
	assert.NotRegexp(t, regexp.MustCompile(`[^\r]\n`), string(body), "canonical CRLF line breaks")
	return msg.Header, strings.ReplaceAll(string(body), "\r\n", "\n")
}

// ---- tests ----

func TestSMTPDeliversCyrillic(t *testing.T) {
	be := &mailBackend{}
	port := startSMTP(t, be, srvPlain, false)
	s := newTestSMTP(t, port, nil)

	long := "Очень длинная тема письма, которая не помещается в одно закодированное слово RFC 2047, ёЁ"
	for i, m := range []Message{
		ApprovalRequest(RU, "Head@Example.BY", "Иванова Мария Петровна", "https://renew.example.by/a/xyz", 24),
		EmailCode(EN, "user@example.com", "482913", 10),
		{Channel: Email, To: "user@example.com", Subject: long, Text: "Тело\nв две строки"},
	} {
		t.Run(string(m.Kind), func(t *testing.T) {
			require.NoError(t, s.Send(context.Background(), m))
			got := be.messages()
			require.Len(t, got, i+1)
			r := got[i]
			wantTo, err := NormalizeEmail(m.To)
			require.NoError(t, err)
			assert.Equal(t, "noreply@ca.example.by", r.from, "envelope sender")
			assert.Equal(t, []string{wantTo}, r.to, "envelope recipient")
			assert.False(t, r.tls)

			hdr, body := parseMail(t, r.data)
			from, err := mail.ParseAddress(hdr.Get("From"))
			require.NoError(t, err)
			assert.Equal(t, "Удостоверяющий центр", from.Name)
			assert.Equal(t, "noreply@ca.example.by", from.Address)
			to, err := mail.ParseAddress(hdr.Get("To"))
			require.NoError(t, err)
			assert.Equal(t, wantTo, to.Address)

			raw := hdr.Get("Subject")
			assert.True(t, isASCII(raw), "subject is RFC 2047 encoded: %q", raw)
			subject, err := new(mime.WordDecoder).DecodeHeader(raw)
			require.NoError(t, err)
			assert.Equal(t, m.Subject, subject)
			assert.Equal(t, m.Text, body)

			assert.Equal(t, "1.0", hdr.Get("MIME-Version"))
			assert.Equal(t, "text/plain; charset=UTF-8", hdr.Get("Content-Type"))
			assert.Equal(t, "auto-generated", hdr.Get("Auto-Submitted"))
			assert.Regexp(t, regexp.MustCompile(`^<[0-9a-f]{32}@ca\.example\.by>$`), hdr.Get("Message-Id"))
			date, err := hdr.Date()
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now(), date, time.Minute)
			assert.Empty(t, hdr.Get("User-Agent"))
			assert.Empty(t, hdr.Get("X-Mailer"))
		})
	}
	// Every send gets its own Message-ID.
	ids := map[string]bool{}
	for _, r := range be.messages() {
		hdr, _ := parseMail(t, r.data)
		ids[hdr.Get("Message-Id")] = true
	}
	assert.Len(t, ids, 3)
}

func TestSMTPTLSModes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		server    string
		mode      string
		untrusted bool // client does not trust the server's certificate
		wantTLS   bool
		wantErr   bool
	}{
		{"none, plain server", srvPlain, TLSNone, false, false, false},
		{"none does not upgrade", srvStartTLS, TLSNone, false, false, false},
		{"starttls upgrades", srvStartTLS, TLSStartTLS, false, true, false},
		{"starttls falls back to plain", srvPlain, TLSStartTLS, false, false, false},
		{"starttls with a bad certificate fails", srvStartTLS, TLSStartTLS, true, false, true},
		{"starttls-mandatory upgrades", srvStartTLS, TLSStartTLSMandatory, false, true, false},
		{"starttls-mandatory refuses plain", srvPlain, TLSStartTLSMandatory, false, false, true},
		{"starttls-mandatory with a bad certificate fails", srvStartTLS, TLSStartTLSMandatory, true, false, true},
		{"implicit tls", srvTLS, TLSImplicit, false, true, false},
		{"implicit tls with a bad certificate fails", srvTLS, TLSImplicit, true, false, true},
		{"implicit tls against a plain server fails", srvPlain, TLSImplicit, false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			be := &mailBackend{}
			port := startSMTP(t, be, tc.server, false)
			s := newTestSMTP(t, port, func(c *SMTPConfig) {
				c.TLS = tc.mode
				if tc.untrusted {
					c.TLSConfig = nil // system roots
				}
			})
			start := time.Now()
			err := s.Send(context.Background(), EmailCode(RU, "user@example.com", "123456", 10))
			assert.Less(t, time.Since(start), 3*time.Second)
			if tc.wantErr {
				require.Error(t, err)
				assert.False(t, IsPermanent(err), "a TLS problem is configuration, retry: %v", err)
				assert.Empty(t, be.messages())
				return
			}
			require.NoError(t, err)
			got := be.messages()
			require.Len(t, got, 1)
			assert.Equal(t, tc.wantTLS, got[0].tls)
		})
	}
}

func TestSMTPAuth(t *testing.T) {
	for _, tc := range []struct {
		name       string
		mechs      []string
		server     string
		mode       string
		user, pass string
		wantMech   string
		wantErr    string
	}{
		{"plain", []string{sasl.Plain, sasl.Login}, srvPlain, TLSNone, "robot", "s3cr3t", sasl.Plain, ""},
		{"login when only login is offered", []string{sasl.Login}, srvPlain, TLSNone, "robot", "s3cr3t", sasl.Login, ""},
		{"plain after starttls", []string{sasl.Plain}, srvStartTLS, TLSStartTLSMandatory, "robot", "s3cr3t", sasl.Plain, ""},
		{"wrong password", []string{sasl.Plain}, srvPlain, TLSNone, "robot", "wrong", "", "535"},
		{"no credentials but the server wants them", []string{sasl.Plain}, srvPlain, TLSNone, "", "", "", "502"},
		{"credentials but the server offers no AUTH", []string{}, srvPlain, TLSNone, "robot", "s3cr3t", "", "does not support SMTP AUTH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			be := &mailBackend{user: "robot", pass: "s3cr3t", mechs: tc.mechs}
			// Plain-text AUTH is allowed by the test server only where the
			// case wants it; after STARTTLS it is allowed anyway.
			port := startSMTP(t, be, tc.server, tc.server == srvPlain)
			s := newTestSMTP(t, port, func(c *SMTPConfig) {
				c.TLS = tc.mode
				c.Username, c.Password = tc.user, tc.pass
			})
			err := s.Send(context.Background(), EmailCode(RU, "user@example.com", "123456", 10))
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.False(t, IsPermanent(err), "credentials are configuration, retry: %v", err)
				assert.Empty(t, be.messages())
				return
			}
			require.NoError(t, err)
			got := be.messages()
			require.Len(t, got, 1)
			assert.Equal(t, "robot", got[0].authUser)
			assert.Equal(t, tc.wantMech, got[0].authMech)
		})
	}
}

func TestSMTPServerAnswers(t *testing.T) {
	smtpErr := func(code int, enh smtp.EnhancedCode, msg string) error {
		return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
	}
	for _, tc := range []struct {
		name      string
		be        *mailBackend
		permanent bool
		code      string
	}{
		{"RCPT 550: no such user", &mailBackend{rcptErr: smtpErr(550, smtp.EnhancedCode{5, 1, 1}, "No such user")}, true, "550"},
		{"RCPT 553: bad address", &mailBackend{rcptErr: smtpErr(553, smtp.EnhancedCode{5, 1, 3}, "Bad address")}, true, "553"},
		{"RCPT 450: mailbox busy", &mailBackend{rcptErr: smtpErr(450, smtp.EnhancedCode{4, 2, 1}, "Try later")}, false, "450"},
		{"RCPT 452: too many", &mailBackend{rcptErr: smtpErr(452, smtp.EnhancedCode{4, 5, 3}, "Try later")}, false, "452"},
		{"DATA 554: rejected as spam", &mailBackend{dataErr: smtpErr(554, smtp.EnhancedCode{5, 7, 1}, "Spam")}, true, "554"},
		{"DATA 451: local error", &mailBackend{dataErr: smtpErr(451, smtp.EnhancedCode{4, 3, 0}, "Later")}, false, "451"},
		// Our sender address is refused: configuration, every message
		// would fail alike, so keep them for after the fix.
		{"MAIL 550: sender refused", &mailBackend{mailErr: smtpErr(550, smtp.EnhancedCode{5, 7, 1}, "Sender refused")}, false, "550"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := startSMTP(t, tc.be, srvPlain, false)
			s := newTestSMTP(t, port, nil)
			err := s.Send(context.Background(), EmailCode(RU, "user@example.com", "123456", 10))
			require.Error(t, err)
			assert.Equal(t, tc.permanent, IsPermanent(err), "%v", err)
			assert.Contains(t, err.Error(), tc.code)
			assert.Empty(t, tc.be.messages())
		})
	}
}

func TestSMTPClosedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())

	s := newTestSMTP(t, port, nil)
	start := time.Now()
	err = s.Send(context.Background(), EmailCode(RU, "user@example.com", "123456", 10))
	require.Error(t, err)
	assert.False(t, IsPermanent(err), "%v", err)
	var opErr *net.OpError
	assert.ErrorAs(t, err, &opErr)
	assert.Less(t, time.Since(start), 3*time.Second)
}

// silentServer accepts TCP connections and never says a word.
func silentServer(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().(*net.TCPAddr).Port
}

func TestSMTPTimeout(t *testing.T) {
	const short = 300 * time.Millisecond
	for _, tc := range []struct {
		name    string
		port    func(t *testing.T) int
		timeout time.Duration // config
		ctx     time.Duration // context deadline, 0 for none
	}{
		{"silent server, config timeout", silentServer, short, 0},
		{"silent server, context deadline sooner", silentServer, time.Minute, short},
		{"silent server, implicit tls", silentServer, short, 0},
		{"server stalls after the data, config timeout", func(t *testing.T) int {
			return startSMTP(t, &mailBackend{dataDelay: time.Minute}, srvPlain, false)
		}, short, 0},
		{"server stalls after the data, context deadline", func(t *testing.T) int {
			return startSMTP(t, &mailBackend{dataDelay: time.Minute}, srvPlain, false)
		}, time.Minute, short},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSMTP(t, tc.port(t), func(c *SMTPConfig) {
				c.Timeout = tc.timeout
				if strings.Contains(tc.name, "implicit tls") {
					c.TLS = TLSImplicit
				}
			})
			ctx := context.Background()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			start := time.Now()
			err := s.Send(ctx, EmailCode(RU, "user@example.com", "123456", 10))
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.False(t, IsPermanent(err), "%v", err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.GreaterOrEqual(t, elapsed, short-50*time.Millisecond)
			assert.Less(t, elapsed, short+2*time.Second, "returns within the timeout")
		})
	}
}

func TestSMTPCancelledContext(t *testing.T) {
	be := &mailBackend{}
	port := startSMTP(t, be, srvPlain, false)
	s := newTestSMTP(t, port, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Send(ctx, EmailCode(RU, "user@example.com", "123456", 10))
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, IsPermanent(err))
	assert.Empty(t, be.messages())
}

func TestSMTPRefusesBadMessages(t *testing.T) {
	be := &mailBackend{}
	port := startSMTP(t, be, srvPlain, false)
	s := newTestSMTP(t, port, nil)
	for _, tc := range []struct {
		name string
		msg  Message
	}{
		{"sms channel", Message{Channel: SMS, To: "user@example.com", Text: "x"}},
		{"bad address", Message{Channel: Email, To: "not an address", Text: "x"}},
		{"two addresses", Message{Channel: Email, To: "a@example.com, b@example.com", Text: "x"}},
		{"header injection", Message{Channel: Email, To: "a@example.com\r\nBcc: b@example.com", Text: "x"}},
		{"empty text", Message{Channel: Email, To: "a@example.com", Text: "\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Send(context.Background(), tc.msg)
			require.Error(t, err)
			assert.True(t, IsPermanent(err), "%v", err)
		})
	}
	be.mu.Lock()
	defer be.mu.Unlock()
	assert.Zero(t, be.sessions, "no connection was made")
}

// A subject with line breaks cannot add headers.
func TestSMTPSubjectIsOneLine(t *testing.T) {
	be := &mailBackend{}
	port := startSMTP(t, be, srvPlain, false)
	s := newTestSMTP(t, port, nil)
	m := Message{Channel: Email, To: "a@example.com", Subject: "Тема\r\nBcc: evil@example.com", Text: "x"}
	require.NoError(t, s.Send(context.Background(), m))
	got := be.messages()
	require.Len(t, got, 1)
	hdr, _ := parseMail(t, got[0].data)
	assert.Empty(t, hdr.Get("Bcc"))
	subject, err := new(mime.WordDecoder).DecodeHeader(hdr.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, "Тема Bcc: evil@example.com", subject)
}

// Concurrent sends share one *SMTP.
func TestSMTPConcurrent(t *testing.T) {
	be := &mailBackend{}
	port := startSMTP(t, be, srvStartTLS, false)
	s := newTestSMTP(t, port, func(c *SMTPConfig) { c.TLS = TLSStartTLSMandatory })
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- s.Send(context.Background(), EmailCode(RU, "user@example.com", "1", 1)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Len(t, be.messages(), 8)
}

func TestNewSMTP(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      SMTPConfig
		err      string
		wantPort int
		wantTLS  string
	}{
		{"defaults", SMTPConfig{Host: "smtp.example.by", From: "noreply@example.by"}, "", 587, TLSStartTLSMandatory},
		{"none", SMTPConfig{Host: "relay", From: "noreply@example.by", TLS: TLSNone}, "", 25, TLSNone},
		{"starttls", SMTPConfig{Host: "smtp.example.by", From: "noreply@example.by", TLS: TLSStartTLS}, "", 587, TLSStartTLS},
		{"tls", SMTPConfig{Host: "smtp.example.by", From: "noreply@example.by", TLS: TLSImplicit}, "", 465, TLSImplicit},
		{"explicit port", SMTPConfig{Host: "smtp.example.by", Port: 2525, From: "noreply@example.by", TLS: TLSImplicit}, "", 2525, TLSImplicit},
		{"ipv6 host", SMTPConfig{Host: "::1", From: "noreply@example.by", TLS: TLSNone}, "", 25, TLSNone},
		{"from with name", SMTPConfig{Host: "h", From: `"УЦ" <noreply@Example.BY>`}, "", 587, TLSStartTLSMandatory},
		{"auth on localhost without tls", SMTPConfig{Host: "localhost", From: "a@example.by", TLS: TLSNone, Username: "u", Password: "p"}, "", 25, TLSNone},
		{"no host", SMTPConfig{From: "noreply@example.by"}, "host is empty", 0, ""},
		{"host with port", SMTPConfig{Host: "smtp.example.by:25", From: "noreply@example.by"}, "without scheme or port", 0, ""},
		{"host with scheme", SMTPConfig{Host: "smtp://smtp.example.by", From: "noreply@example.by"}, "without scheme or port", 0, ""},
		{"unknown tls", SMTPConfig{Host: "h", From: "noreply@example.by", TLS: "ssl"}, `TLS "ssl"`, 0, ""},
		{"bad port", SMTPConfig{Host: "h", Port: 70000, From: "noreply@example.by"}, "out of range", 0, ""},
		{"no from", SMTPConfig{Host: "h"}, "From", 0, ""},
		{"bad from", SMTPConfig{Host: "h", From: "noreply"}, "From", 0, ""},
		{"two froms", SMTPConfig{Host: "h", From: "a@example.by, b@example.by"}, "From", 0, ""},
		{"password without user", SMTPConfig{Host: "h", From: "a@example.by", Password: "p"}, "without a username", 0, ""},
		{"auth without tls to a remote host", SMTPConfig{Host: "smtp.example.by", From: "a@example.by", TLS: TLSNone, Username: "u", Password: "p"}, "AUTH without TLS", 0, ""},
		{"negative timeout", SMTPConfig{Host: "h", From: "a@example.by", Timeout: -1}, "negative", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSMTP(tc.cfg)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantPort, s.port)
			assert.Equal(t, tc.wantTLS, s.tlsMode)
			assert.Equal(t, defaultSMTPTimeout, s.timeout)
		})
	}
	s, err := NewSMTP(SMTPConfig{Host: "h", From: `"УЦ" <noreply@Example.BY>`})
	require.NoError(t, err)
	assert.Equal(t, "noreply@example.by", s.from.Address)
	assert.Equal(t, "УЦ", s.from.Name)
	assert.Equal(t, "example.by", s.fromHost)
	assert.Equal(t, "h", s.tlsConf.ServerName)

	str := SMTPConfig{Host: "h", Username: "u", Password: "hunter2"}.String()
	assert.NotContains(t, str, "hunter2")
	assert.Contains(t, str, "[redacted]")
}

func TestClassifySMTPKeepsCause(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	base := errors.New("read: use of closed network connection")
	err := classifySMTP(ctx, "send", base)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, base)
	assert.False(t, IsPermanent(err))
}
