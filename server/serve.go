package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"renewal/server/internal/api"
	"renewal/server/internal/authority"
	"renewal/server/internal/config"
	"renewal/server/internal/metrics"
	"renewal/server/internal/pgcluster"
	"renewal/server/internal/store"
	"renewal/server/internal/webui"
)

// shutdownGrace bounds how long in-flight requests may finish after a
// signal, and then how long the private database gets to stop.
const shutdownGrace = 15 * time.Second

func serve(args []string, stdout, stderr io.Writer) error {
	cfg, err := config.Parse(name, args, os.Getenv, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommands(stderr)
			return err
		}
		return usageError{err}
	}
	if err := productionReady(cfg); err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	web, err := webui.Load(cfg.WebDir)
	if err != nil {
		return err
	}
	// Bind first: the public URL (written into certificates) may depend
	// on the port actually given.
	ln, scheme, err := listen(cfg)
	if err != nil {
		return err
	}
	defer ln.Close()
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = scheme + "://" + ln.Addr().String()
	}

	st, closeDB, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := st.Migrate(ctx); err != nil {
		return err
	}

	// Validity, codes and challenges are decided by the database's clock,
	// the same for every instance (package clock).
	clk, err := trustedClock(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	go clk.Run(ctx)
	var dem *authority.Demo
	if cfg.Dev {
		if dem, err = authority.EnsureDemo(ctx, cfg.CADir, st.CA(), publicURL, clk.Now()); err != nil {
			return err
		}
	}
	auth, err := authority.Load(cfg, st.CA(), publicURL, log, clk.Now)
	if err != nil {
		return err
	}
	defer auth.Close()
	if ph := auth.Profiles.Placeholders(); len(ph) > 0 && !cfg.Dev {
		return fmt.Errorf("в профилях остались значения-заглушки: укажите в файле --profiles средства и сертификаты соответствия УЦ и зарегистрированные OID политик / "+
			"the profiles still carry placeholders: set the centre's tools, conformity certificates and registered policy OIDs in the --profiles file:\n  %s",
			strings.Join(ph, "\n  "))
	}
	wf, err := startWorkflow(cfg, st, auth, publicURL, log, clk.Now, true)
	if err != nil {
		return err
	}
	// Jobs stop in order below (before the database), not at the signal.
	if err := wf.queue.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := wf.queue.Stop(sctx); err != nil {
			log.Error("stop jobs", "err", err)
		}
	}()
	for _, start := range wf.start {
		go start(ctx)
	}
	if dem != nil {
		if err := printDemo(ctx, stdout, dem, wf.svc.Catalog, st); err != nil {
			return err
		}
	}

	m := metrics.New()
	m.WatchPools(metrics.Pool{Name: "requests", Pool: st.Pool(), Busy: st.Busy}, metrics.Pool{Name: "jobs", Pool: st.JobPool()})
	app := api.New(api.Deps{
		Log:            log,
		Services:       st,
		Ready:          st,
		Metrics:        m,
		Web:            web,
		Authority:      auth,
		Root:           auth.Root,
		RootCRL:        auth.RootCRL,
		Renewal:        wf.svc,
		Audit:          wf.audit,
		Dev:            cfg.Dev,
		CheckResponses: cfg.CheckResponses,
		Sandbox:        wf.sandbox,
		OperatorToken:  os.Getenv("OPERATOR_TOKEN"),
		TrustedProxies: cfg.TrustedProxies,
	})

	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "public_url", publicURL, "dev", cfg.Dev,
		"version", web.Version(), "data_dir", cfg.DataDir, "ca_dir", cfg.CADir)
	// One plain line on stdout for people and for tests that start the
	// binary on port 0.
	fmt.Fprintf(stdout, "listening on %s://%s\n", scheme, ln.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	if err := app.ShutdownWithTimeout(shutdownGrace); err != nil {
		log.Error("shutdown", "err", err)
	}
	return nil
}

// productionReady refuses to serve without --dev what only development
// may lack: the public URL written into every certificate (else it would
// be the listening address, say 127.0.0.1) and a real register (else
// the demo people would pass the registry check).
func productionReady(cfg *config.Config) error {
	if cfg.Dev {
		return nil
	}
	switch {
	case cfg.PublicURL == "":
		return errors.New("--public-url (PUBLIC_URL) is required without --dev: it is written into every certificate's CRL and OCSP addresses")
	case cfg.RegistryFile == "":
		return errors.New("--registry-file (REGISTRY_FILE) is required without --dev: without it the registry check would use the demo register")
	}
	return nil
}

func listen(cfg *config.Config) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, "", fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if cfg.TLSCert == "" {
		return ln, "http", nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		ln.Close()
		return nil, "", fmt.Errorf("TLS: %w", err)
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), "https", nil
}

// openDatabase connects to DATABASE_URL, or runs the private cluster in
// DATA_DIR/pg. The returned func closes the pool and stops the cluster.
func openDatabase(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, func(), error) {
	if cfg.DatabaseURL != "" {
		st, err := store.Open(ctx, cfg.DatabaseURL, storeOptions(cfg))
		if err != nil {
			return nil, nil, err
		}
		return st, st.Close, nil
	}
	cluster, err := startPrivateDatabase(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	stopCluster := func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if err := cluster.Stop(sctx); err != nil {
			log.Error("stop database", "err", err)
		}
	}
	st, err := store.Open(ctx, cluster.DSN("renewal"), storeOptions(cfg))
	if err != nil {
		stopCluster()
		return nil, nil, err
	}
	return st, func() { st.Close(); stopCluster() }, nil
}

func storeOptions(cfg *config.Config) store.Options {
	return store.Options{
		MaxConns: int32(cfg.DBMaxConns), JobConns: int32(cfg.DBJobConns),
		AcquireWait: cfg.DBAcquireWait, Wait: cfg.DBWait,
	}
}

// startPrivateDatabase runs PostgreSQL in DATA_DIR/pg, reached over a
// unix socket in DATA_DIR/pgsock.
func startPrivateDatabase(ctx context.Context, cfg *config.Config, log *slog.Logger) (*pgcluster.Cluster, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	log.Info("starting the private database", "dir", filepath.Join(cfg.DataDir, "pg"))
	return pgcluster.Start(ctx, pgcluster.Options{
		DataDir:   filepath.Join(cfg.DataDir, "pg"),
		SocketDir: privateSocketDir(cfg),
		Database:  "renewal",
		Logger:    log,
	})
}

func privateSocketDir(cfg *config.Config) string { return filepath.Join(cfg.DataDir, "pgsock") }

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
