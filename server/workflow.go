package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"renewal/server/internal/auditlog"
	"renewal/server/internal/authority"
	"renewal/server/internal/config"
	"renewal/server/internal/notify"
	"renewal/server/internal/payments"
	"renewal/server/internal/payments/sandbox"
	"renewal/server/internal/registry"
	"renewal/server/internal/renewal"
	"renewal/server/internal/store"
)

// workflow is the renewal workflow with its job queue and, in
// development, the payment gateways' sandboxes.
type workflow struct {
	svc     *renewal.Service
	audit   *renewal.AuditLog
	queue   *store.Queue
	sandbox http.Handler
	start   []func(context.Context) // the sandboxes' notifiers
}

// startWorkflow assembles the renewal workflow and its job queue; the
// server also runs the development sandboxes (commands must not: their
// state files belong to the running server).
func startWorkflow(cfg *config.Config, st *store.Store, auth *authority.Loaded, publicURL string, log *slog.Logger, now func() time.Time, server bool) (*workflow, error) {
	secret, err := loadSecret(cfg)
	if err != nil {
		return nil, err
	}
	w := &workflow{}
	providers := map[payments.Method]payments.Provider{}
	if cfg.Dev && server {
		card, erip, err := newSandboxes(cfg, secret, publicURL, log)
		if err != nil {
			return nil, err
		}
		providers[payments.MethodCard], providers[payments.MethodERIP] = card, erip
		w.sandbox = sandbox.Handler(card, erip)
		w.start = append(w.start, card.Start, erip.Start)
	}
	catalog, err := renewal.LoadCatalog(auth.Profiles)
	if err != nil {
		return nil, err
	}
	reg, err := registry.NewFile(registry.Options{Path: cfg.RegistryFile, Delay: cfg.RegistryDelay})
	if err != nil {
		return nil, err
	}
	senders, err := newSenders(cfg)
	if err != nil {
		return nil, err
	}
	if w.svc, err = renewal.New(renewal.Config{
		Store: st, Authority: auth, Catalog: catalog, Registry: reg, Providers: providers, Secret: secret,
		PublicURL: publicURL, Centre: cfg.Centre, Dev: cfg.Dev, ApprovalTTL: cfg.ApprovalTTL, Now: now, Log: log,
	}); err != nil {
		return nil, err
	}
	key, err := auditlog.LoadKey(auditKeyPath(cfg))
	if err != nil {
		return nil, err
	}
	w.audit = renewal.NewAuditLog(st, key, now, log)
	workers := river.NewWorkers()
	w.svc.Workers(workers, senders)
	w.audit.Workers(workers)
	auth.Workers(workers, st.ForJobs().CA())
	if w.queue, err = st.NewQueue(workers, log, renewal.Queues); err != nil {
		return nil, err
	}
	if server {
		w.queue.AddPeriodic(w.audit.PeriodicJob())
		w.queue.AddPeriodic(authority.RefreshJob())
		w.queue.Reclaim(renewal.Reclaimable...)
	}
	return w, nil
}

// newSandboxes makes the development card and ERIP gateways: they keep
// their state in DATA_DIR/sandbox and notify our webhook, signed with a
// key derived from the server's secret.
func newSandboxes(cfg *config.Config, secret []byte, publicURL string, log *slog.Logger) (*sandbox.Card, *sandbox.ERIP, error) {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("sandbox webhook"))
	sc := func(method string) sandbox.Config {
		return sandbox.Config{
			BaseURL: publicURL, WebhookURL: publicURL + "/api/v1/payments/webhook/" + method,
			Secret: mac.Sum(nil), Dir: filepath.Join(cfg.DataDir, "sandbox"), Logger: log,
		}
	}
	card, err := sandbox.NewCard(sc("card"))
	if err != nil {
		return nil, nil, err
	}
	erip, err := sandbox.NewERIP(sc("erip"))
	if err != nil {
		return nil, nil, err
	}
	return card, erip, nil
}

// newSenders: in development every message stays in the outbox
// (/dev/outbox); in production e-mail and SMS must be configured.
func newSenders(cfg *config.Config) (map[notify.Channel]notify.Sender, error) {
	if cfg.Dev {
		return map[notify.Channel]notify.Sender{notify.Email: renewal.DevOutbox{}, notify.SMS: renewal.DevOutbox{}}, nil
	}
	if cfg.SMTP.Host == "" || cfg.SMTP.From == "" || cfg.SMS.URL == "" {
		return nil, errors.New("e-mail and SMS are not configured: set --smtp-host, --smtp-from and --sms-url (or run with --dev, where messages stay in /dev/outbox)")
	}
	mail, err := notify.NewSMTP(notify.SMTPConfig{
		Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.User, Password: cfg.SMTP.Password,
		From: cfg.SMTP.From, TLS: cfg.SMTP.TLS,
	})
	if err != nil {
		return nil, fmt.Errorf("e-mail: %w", err)
	}
	sms, err := notify.NewSMSGateway(notify.SMSConfig{URL: cfg.SMS.URL, Token: cfg.SMS.Token}, nil)
	if err != nil {
		return nil, fmt.Errorf("SMS: %w", err)
	}
	return map[notify.Channel]notify.Sender{notify.Email: mail, notify.SMS: sms}, nil
}

// auditKeyPath is the audit log's own signing key (note format), made on
// the first start: never the CA's key. Instances sharing one database
// must share it.
func auditKeyPath(cfg *config.Config) string { return filepath.Join(cfg.DataDir, "audit.key") }

// loadSecret reads SECRET_KEY, or DATA_DIR/secret.key, made on the first
// start. Instances sharing one database must share the key.
func loadSecret(cfg *config.Config) ([]byte, error) {
	if cfg.SecretKey != "" {
		k, err := hex.DecodeString(strings.TrimSpace(cfg.SecretKey))
		if err != nil || len(k) < 32 {
			return nil, errors.New("SECRET_KEY must be at least 32 bytes in hex (64 characters)")
		}
		return k, nil
	}
	path := filepath.Join(cfg.DataDir, "secret.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
			return nil, err
		}
		return k, nil
	}
	if err != nil {
		return nil, err
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) < 32 {
		return nil, fmt.Errorf("%s: not a 32-byte hex key", path)
	}
	return k, nil
}
