package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/riverqueue/river"

	"renewal/server/internal/authority"
	"renewal/server/internal/config"
	"renewal/server/internal/notify"
	"renewal/server/internal/registry"
	"renewal/server/internal/renewal"
	"renewal/server/internal/store"
)

// startWorkflow assembles the renewal workflow and its job queue.
func startWorkflow(cfg *config.Config, st *store.Store, auth *authority.Loaded, publicURL string, log *slog.Logger) (*renewal.Service, *store.Queue, error) {
	secret, err := loadSecret(cfg)
	if err != nil {
		return nil, nil, err
	}
	catalog, err := renewal.LoadCatalog(auth.Profiles)
	if err != nil {
		return nil, nil, err
	}
	reg, err := registry.NewFile(registry.Options{Path: cfg.RegistryFile, Delay: cfg.RegistryDelay})
	if err != nil {
		return nil, nil, err
	}
	senders, err := newSenders(cfg)
	if err != nil {
		return nil, nil, err
	}
	svc, err := renewal.New(renewal.Config{
		Store: st, Authority: auth, Catalog: catalog, Registry: reg, Secret: secret,
		PublicURL: publicURL, Centre: cfg.Centre, Dev: cfg.Dev, Log: log,
	})
	if err != nil {
		return nil, nil, err
	}
	workers := river.NewWorkers()
	svc.Workers(workers, senders)
	queue, err := st.NewQueue(workers, log, true)
	if err != nil {
		return nil, nil, err
	}
	return svc, queue, nil
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
