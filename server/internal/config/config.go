// Package config reads the server's configuration from flags and the
// environment. A flag given on the command line wins over its environment
// variable, which wins over the default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything the server needs to start.
type Config struct {
	Addr           string
	DataDir        string
	DatabaseURL    string
	Dev            bool
	TLSCert        string
	TLSKey         string
	TrustedProxies []string
	WebDir         string
	LogFormat      string
	LogLevel       string
	DBWait         time.Duration
}

// option describes one setting for the help text and the README.
type option struct {
	flag, env, usage string
}

// Parse reads args (without the program name) and the environment.
// It returns flag.ErrHelp after printing usage for -h.
func Parse(name string, args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	c := &Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	var proxies string
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var opts []option
	str := func(p *string, name, key, def, usage string) {
		fs.StringVar(p, name, env(key, def), usage)
		opts = append(opts, option{name, key, usage})
	}
	str(&c.Addr, "addr", "ADDR", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	str(&c.DataDir, "data-dir", "DATA_DIR", "./var", "directory for the private database, keys and files")
	str(&c.DatabaseURL, "database-url", "DATABASE_URL", "", "PostgreSQL to use instead of the private cluster in DATA_DIR/pg")
	str(&c.TLSCert, "tls-cert", "TLS_CERT", "", "certificate (PEM) to serve HTTPS; without it serve HTTP behind a TLS proxy")
	str(&c.TLSKey, "tls-key", "TLS_KEY", "", "private key (PEM) for --tls-cert")
	str(&proxies, "trusted-proxy", "TRUSTED_PROXY", "", "comma-separated IPs or CIDRs whose X-Forwarded-* headers are trusted")
	str(&c.WebDir, "web-dir", "WEB_DIR", "", "directory with app.wasm and static files; empty: ../web beside the binary, else ./web")
	str(&c.LogFormat, "log-format", "LOG_FORMAT", "text", "log format: text or json")
	str(&c.LogLevel, "log-level", "LOG_LEVEL", "info", "log level: debug, info, warn, error")
	devDefault, _ := strconv.ParseBool(env("DEV", "false"))
	fs.BoolVar(&c.Dev, "dev", devDefault, "development mode: demo data, development pages and payment sandboxes (never in production)")
	opts = append(opts, option{"dev", "DEV", ""})
	waitDefault, err := time.ParseDuration(env("DB_WAIT", "5s"))
	if err != nil {
		return nil, fmt.Errorf("DB_WAIT: %w", err)
	}
	fs.DurationVar(&c.DBWait, "db-wait", waitDefault, "how long to wait for the database at start before giving up")
	opts = append(opts, option{"db-wait", "DB_WAIT", ""})

	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: %s [flags]\n\nRemote renewal of electronic-signature certificates: the web server.\n\nFlags (each also read from the environment variable shown):\n", name)
		fs.VisitAll(func(f *flag.Flag) {
			key := ""
			for _, o := range opts {
				if o.flag == f.Name {
					key = o.env
				}
			}
			def := f.DefValue
			if def == "" {
				def = `""`
			}
			fmt.Fprintf(out, "  --%-14s %-14s %s (default %s)\n", f.Name, key, f.Usage, def)
		})
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, p := range strings.Split(proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			if net.ParseIP(p) == nil {
				if _, _, err := net.ParseCIDR(p); err != nil {
					return nil, fmt.Errorf("--trusted-proxy: %q is neither an IP nor a CIDR", p)
				}
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return nil, fmt.Errorf("--log-format: %q is not text or json", c.LogFormat)
	}
	if c.DataDir, err = filepath.Abs(c.DataDir); err != nil {
		return nil, fmt.Errorf("--data-dir: %w", err)
	}
	if c.WebDir == "" {
		c.WebDir = defaultWebDir()
	}
	if c.WebDir, err = filepath.Abs(c.WebDir); err != nil {
		return nil, fmt.Errorf("--web-dir: %w", err)
	}
	return c, nil
}

// defaultWebDir finds web/ beside the installed binary (bin/../web), or
// in the working directory.
func defaultWebDir() string {
	if exe, err := os.Executable(); err == nil {
		dir := filepath.Join(filepath.Dir(exe), "..", "web")
		if _, err := os.Stat(filepath.Join(dir, "app.wasm")); err == nil {
			return dir
		}
	}
	return "web"
}
