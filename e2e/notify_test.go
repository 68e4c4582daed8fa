package e2e

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mailbox is a real SMTP server on 127.0.0.1 that keeps what it gets.
type mailbox struct {
	mu   sync.Mutex
	msgs []string
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: m}, nil }

type mailSession struct {
	box *mailbox
	to  string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, "To: "+s.to+"\n"+string(b))
	s.box.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func (m *mailbox) all() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.msgs...)
}

// startMailbox runs the SMTP server; it returns its port.
func startMailbox(t *testing.T) (*mailbox, string) {
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return box, port
}

// TestNotificationsDelivered: without --dev, the code for the phone goes
// to the SMS gateway and the code for the e-mail to the SMTP server,
// through the outbox and the job queue of the real binary.
func TestNotificationsDelivered(t *testing.T) {
	box, port := startMailbox(t)
	var smsMu sync.Mutex
	var sms []map[string]string
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		_ = json.NewDecoder(r.Body).Decode(&m)
		m["auth"] = r.Header.Get("Authorization")
		smsMu.Lock()
		sms = append(sms, m)
		smsMu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(gateway.Close)

	dir, err := newDataDir()
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	out, code := server(t, "ca", "init", "--data-dir", dir)
	require.Equal(t, 0, code, out)
	s, err := startServerIn(dir, []string{"SMS_TOKEN=gateway-secret"},
		"--smtp-host", "127.0.0.1", "--smtp-port", port, "--smtp-tls", "none", "--smtp-from", "noreply@ca.example.ru",
		"--sms-url", gateway.URL+"/send", "--public-url", "https://ca.example.ru", "--registry-file", filepath.Join("testdata", "registry.yaml"),
		"--profiles", filepath.Join("testdata", "profiles.yaml"))
	require.NoError(t, err)
	stopAtEnd(t, s)

	resp, err := http.Post(s.URL+"/api/v1/renewal", "application/json",
		strings.NewReader(`{"service":"ru-owner","phone":"+79000000201","email":"smirnov@example.ru"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)

	code6 := regexp.MustCompile(`\b\d{6}\b`)
	eventually(t, 30*time.Second, func() bool {
		smsMu.Lock()
		defer smsMu.Unlock()
		return len(sms) > 0 && len(box.all()) > 0
	})
	smsMu.Lock()
	assert.Equal(t, "+79000000201", sms[0]["to"])
	assert.Regexp(t, code6, sms[0]["text"])
	assert.Equal(t, "Bearer gateway-secret", sms[0]["auth"])
	assert.NotEmpty(t, sms[0]["id"], "an idempotency key for the gateway")
	smsMu.Unlock()
	raw := box.all()[0]
	assert.Contains(t, raw, "To: smirnov@example.ru")
	msg, err := mail.ReadMessage(strings.NewReader(raw[strings.Index(raw, "\n")+1:]))
	require.NoError(t, err)
	assert.Contains(t, msg.Header.Get("From"), "noreply@ca.example.ru")
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	assert.Contains(t, subject, "Код подтверждения", "the Cyrillic subject arrives intact")
	body, err := io.ReadAll(msg.Body)
	require.NoError(t, err)
	if msg.Header.Get("Content-Transfer-Encoding") == "base64" {
		body, err = base64.StdEncoding.DecodeString(strings.ReplaceAll(strings.ReplaceAll(string(body), "\r", ""), "\n", ""))
		require.NoError(t, err)
	}
	assert.Regexp(t, code6, string(body))
	assert.Contains(t, string(body), "Код подтверждения")

	resp, err = http.Get(s.URL + "/dev/api/outbox")
	require.NoError(t, err)
	resp.Body.Close()
	assert.NotEqual(t, 200, resp.StatusCode, "no development pages without --dev")
}
