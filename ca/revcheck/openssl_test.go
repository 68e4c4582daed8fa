package revcheck_test

import (
	"bufio"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/revcheck"
	"renewal/ca/revcheck/revchecktest"
)

// TestStatusFromOpenSSLResponder: the client reads the answers of another
// implementation, OpenSSL's OCSP responder (`openssl ocsp -index`, signed
// by the issuing CA, nextUpdate in 5 minutes): good, revoked with its
// reason and time, and "unknown" for a serial it does not list (no
// answer: with no CRL, unavailable).
func TestStatusFromOpenSSLResponder(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	other := revchecktest.New(t, "OpenSSL", clk.Now)
	port := freePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	issue := func() *x509.Certificate {
		c, _ := other.Issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "holder"}, OCSPServer: []string{url}, CRLDistributionPoints: []string{}})
		return c
	}
	good, revoked, unlisted := issue(), issue(), issue()
	revokedAt := clk.Now().Add(-2 * time.Hour)

	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(other.IssuingKey)
	require.NoError(t, err)
	asn1Time := func(t time.Time) string { return t.UTC().Format("060102150405Z") }
	line := func(state string, c *x509.Certificate, rev string) string {
		serial := fmt.Sprintf("%X", c.SerialNumber)
		if len(serial)%2 == 1 { // as OpenSSL writes it (BN_bn2hex)
			serial = "0" + serial
		}
		return strings.Join([]string{state, asn1Time(c.NotAfter), rev, serial, "unknown", "/CN=holder"}, "\t")
	}
	index := write("index.txt", []byte(line("V", good, "")+"\n"+line("R", revoked, asn1Time(revokedAt)+",keyCompromise")+"\n"))
	issuing := write("issuing.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Issuing.Raw}))
	key := write("issuing.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))

	cmd := exec.Command("openssl", "ocsp", "-index", index, "-port", fmt.Sprint(port), "-CA", issuing,
		"-rsigner", issuing, "-rkey", key, "-nmin", "5", "-ignore_err")
	out := startResponder(t, cmd)

	// OpenSSL stamps its answers with the real clock.
	clk.t = time.Now().UTC()
	c := revcheck.New(revcheck.Config{Timeout: 3 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx := context.Background()

	info, err := c.Status(ctx, good, other.Issuing, clk.Now())
	require.NoError(t, err, out.String())
	assert.False(t, info.Revoked)

	info, err = c.Status(ctx, revoked, other.Issuing, clk.Now())
	require.NoError(t, err, out.String())
	assert.True(t, info.Revoked)
	assert.Equal(t, ca.ReasonKeyCompromise, info.Reason)
	assert.Equal(t, revokedAt, info.RevokedAt.UTC())

	_, err = c.Status(ctx, unlisted, other.Issuing, clk.Now())
	assert.ErrorIs(t, err, revcheck.ErrUnavailable)
	assert.ErrorContains(t, err, "status unknown")

	// Five minutes on, OpenSSL's answers are stale: the cache lets go
	// and the same responder's nextUpdate is past.
	_, err = c.Status(ctx, good, other.Issuing, clk.Now().Add(6*time.Minute))
	assert.ErrorIs(t, err, revcheck.ErrUnavailable)
	assert.ErrorContains(t, err, "stale")
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startResponder runs cmd until the test ends and returns once it says it
// is listening (a probing connection would block the single-threaded
// responder), with what it printed.
func startResponder(t *testing.T, cmd *exec.Cmd) fmt.Stringer {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = w, w
	require.NoError(t, cmd.Start())
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); r.Close() })
	out := &lines{}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			out.add(sc.Text())
			if strings.Contains(sc.Text(), "waiting for OCSP client connections") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatalf("openssl ocsp did not start: %s", out)
	}
	return out
}

type lines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lines) add(s string) {
	l.mu.Lock()
	l.b.WriteString(s + "\n")
	l.mu.Unlock()
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestStatusFromOpenSSLCRL: a CRL made by OpenSSL (`openssl ca -gencrl`,
// signed by the issuing CA, valid a day) is read: the revoked serial is
// revoked with its reason, another is good; the same CRL is stale after
// its nextUpdate.
func TestStatusFromOpenSSLCRL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	other := revchecktest.New(t, "OpenSSL", clk.Now)
	var crlDER []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(crlDER) }))
	t.Cleanup(srv.Close)
	issue := func() *x509.Certificate {
		c, _ := other.Issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: "holder"}, OCSPServer: []string{}, CRLDistributionPoints: []string{srv.URL + "/issuing.crl"}})
		return c
	}
	good, revoked := issue(), issue()
	revokedAt := clk.Now().Add(-2 * time.Hour)

	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(other.IssuingKey)
	require.NoError(t, err)
	serial := fmt.Sprintf("%X", revoked.SerialNumber)
	if len(serial)%2 == 1 {
		serial = "0" + serial
	}
	write("index.txt", []byte(strings.Join([]string{"R", revoked.NotAfter.UTC().Format("060102150405Z"),
		revokedAt.UTC().Format("060102150405Z") + ",keyCompromise", serial, "unknown", "/CN=holder"}, "\t")+"\n"))
	write("crlnumber", []byte("01\n"))
	cnf := write("ca.cnf", []byte("[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 1\n"))
	issuing := write("issuing.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Issuing.Raw}))
	key := write("issuing.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	cmd := exec.Command("openssl", "ca", "-config", cnf, "-gencrl", "-cert", issuing, "-keyfile", key, "-out", "crl.pem")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	out, err = exec.Command("openssl", "crl", "-in", filepath.Join(dir, "crl.pem"), "-outform", "DER").Output()
	require.NoError(t, err)
	crlDER = out

	clk.t = time.Now().UTC() // OpenSSL's thisUpdate is the real clock's
	c := revcheck.New(revcheck.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx := context.Background()
	info, err := c.Status(ctx, revoked, other.Issuing, clk.Now())
	require.NoError(t, err)
	assert.True(t, info.Revoked)
	assert.Equal(t, ca.ReasonKeyCompromise, info.Reason)
	assert.Equal(t, revokedAt, info.RevokedAt.UTC())
	info, err = c.Status(ctx, good, other.Issuing, clk.Now())
	require.NoError(t, err)
	assert.False(t, info.Revoked)

	_, err = c.Status(ctx, good, other.Issuing, clk.Now().Add(25*time.Hour))
	assert.ErrorIs(t, err, revcheck.ErrUnavailable)
	assert.ErrorContains(t, err, "stale CRL")
}
