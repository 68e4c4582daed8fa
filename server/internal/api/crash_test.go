package api

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/server/internal/authority"
	"renewal/server/internal/store"
)

// binary runs bin/renewal-server --dev on a data directory.
type binary struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when the process has exited
}

func startBinary(t *testing.T, dataDir string) *binary {
	t.Helper()
	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	bin := filepath.Join(root, "bin", "renewal-server")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is missing: run `make build` first (make test does)", bin)
	}
	cmd := exec.Command(bin, "--dev", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--web-dir", filepath.Join(root, "web"),
		"--registry-delay", "0", "--log-level", "warn", "--db-max-conns", "2")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	b := &binary{cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				found <- u
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(b.done) }()
	select {
	case b.url = <-found:
	case <-b.done:
		t.Fatalf("server exited at start: %v", cmd.ProcessState)
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not start")
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-b.done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	return b
}

// TestKilledAfterPayment: the real binary is killed with SIGKILL as soon
// as a card payment commits; after a restart the application is issued,
// exactly once.
func TestKilledAfterPayment(t *testing.T) {
	dataDir, err := os.MkdirTemp("/tmp", "rnw-crash-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dataDir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dataDir) })

	srv := startBinary(t, dataDir)
	demo, err := authority.ReadDemo(filepath.Join(dataDir, "demo"))
	require.NoError(t, err)
	f := &flow{t: t, demo: demo, base: srv.url}
	h := f.toPayment("+375290009001", "crash@example.by")

	// Belarus: the person's own request file, before paying.
	_, csr := h.newRequest()
	h.must("POST", "/api/v1/renewal/request", wire.CertificateRequest{CSR: csr}, nil)

	var v wire.Renewal
	h.must("POST", "/api/v1/renewal/payment", wire.PaymentStart{Method: "card"}, &v)
	require.NotNil(t, v.Payment)
	page, err := url.Parse(v.Payment.RedirectURL)
	require.NoError(t, err)
	// The person pays on the gateway's page; the gateway notifies us.
	resp, err := http.PostForm(srv.url+page.Path, url.Values{"card": {"4111 1111 1111 1111"}, "exp": {"12/30"}, "cvc": {"123"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)

	deadline := time.Now().Add(30 * time.Second)
	for h.state() == "awaiting_payment" {
		require.True(t, time.Now().Before(deadline), "the payment never arrived")
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, srv.cmd.Process.Signal(syscall.SIGKILL))
	<-srv.done

	srv = startBinary(t, dataDir)
	f.base = srv.url
	// If the kill came while the issuance job ran, the new server takes
	// it up again at once: the client that ran it is gone (store.Queue's
	// liveness lock), not after River's RescueStuckJobsAfter.
	h.waitStateWithin("issued", 30*time.Second)

	dsn := "host=" + filepath.Join(dataDir, "pgsock") + " port=5432 user=renewal dbname=renewal sslmode=disable"
	st, err := store.Open(context.Background(), dsn, store.Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	defer st.Close()
	f.st = st
	assert.Equal(t, 1, f.certificates(h.id), "issued exactly once")
	var paid int
	require.NoError(t, st.Pool().QueryRow(context.Background(),
		"SELECT count(*) FROM payment WHERE application_id = $1 AND status = 'succeeded'", h.id).Scan(&paid))
	assert.Equal(t, 1, paid, "one paid charge")
}

// TestPaymentsImportCommand: an invoice paid days later; the statement the
// dev page produces is imported with `payments import` against the
// running server's database, and the application goes on to issuance.
func TestPaymentsImportCommand(t *testing.T) {
	dataDir, err := os.MkdirTemp("/tmp", "rnw-import-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dataDir, 0o755))
	t.Cleanup(func() { os.RemoveAll(dataDir) })
	srv := startBinary(t, dataDir)
	demo, err := authority.ReadDemo(filepath.Join(dataDir, "demo"))
	require.NoError(t, err)
	f := &flow{t: t, demo: demo, base: srv.url}
	h := f.toPayment("+375290009101", "import@example.by")
	var v wire.Renewal
	h.must("POST", "/api/v1/renewal/payment", wire.PaymentStart{Method: "invoice"}, &v)
	require.NotNil(t, v.Payment)

	resp, err := http.Get(srv.url + "/dev/statement/" + v.Payment.InvoiceNumber)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	file := filepath.Join(t.TempDir(), "kl_to_1c.txt")
	out, err := os.Create(file)
	require.NoError(t, err)
	_, err = out.ReadFrom(resp.Body)
	require.NoError(t, err)
	out.Close()

	root, _ := filepath.Abs("../../..")
	cmd := exec.Command(filepath.Join(root, "bin", "renewal-server"), "payments", "import", "--dev", "--data-dir", dataDir, file)
	got, err := cmd.CombinedOutput()
	require.NoError(t, err, string(got))
	assert.Contains(t, string(got), "matched")
	h.waitState("key_pending")

	got, err = exec.Command(filepath.Join(root, "bin", "renewal-server"), "payments", "import", "--dev", "--data-dir", dataDir, file).CombinedOutput()
	require.NoError(t, err, string(got))
	assert.Contains(t, string(got), "imported before", "a second import changes nothing")
}
