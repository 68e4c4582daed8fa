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
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything the server needs to start.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	Dev         bool
	// CheckResponses validates every /api/v1 answer against the API
	// document (the test suites).
	CheckResponses bool
	TLSCert        string
	TLSKey         string
	TrustedProxies []string
	WebDir         string
	LogFormat      string
	LogLevel       string
	DBWait         time.Duration
	// The pools: requests and River's jobs each have their own budget.
	DBMaxConns    int
	DBJobConns    int
	DBAcquireWait time.Duration

	// The certification authority.
	PublicURL    string // base of the CRL, OCSP and issuer URLs written into certificates
	CADir        string // root.pem, issuing.pem, issuing.key (unless on a token), trusted.pem
	ProfilesFile string // override of the embedded jurisdiction profiles
	PKCS11       PKCS11

	// The workflow.
	SecretKey     string // hex; empty: DATA_DIR/secret.key, made on first start
	Centre        string // the centre's name on documents
	RegistryFile  string
	RegistryDelay time.Duration
	ApprovalTTL   time.Duration
	SMTP          SMTP
	SMS           SMS
	// DevClockSkew moves this host's clock as the server sees it: a test
	// seam (Go reads the time through the vDSO, so libfaketime cannot),
	// refused without --dev.
	DevClockSkew time.Duration

	// Args are the positional arguments of a command.
	Args []string
}

// SMTP is the mail relay. The password comes only from the environment.
type SMTP struct {
	Host, User, Password, From, TLS string
	Port                            int
}

// SMS is the SMS gateway. The token comes only from the environment.
type SMS struct {
	URL, Token string
}

// PKCS11 locates the issuing key on a token; empty Module means a file key.
// The PIN comes only from the environment (CA_PKCS11_PIN), never a flag,
// so it does not show in the process list.
type PKCS11 struct {
	Module, Token, Key, PIN string
}

// option describes one setting for the help text and the README.
type option struct {
	flag, env, usage string
}

// Parse reads args (without the program name) and the environment.
// It returns flag.ErrHelp after printing usage for -h. Commands register
// their own flags with extra and get their positional arguments in Args;
// without extra, positional arguments are refused.
func Parse(name string, args []string, getenv func(string) string, out io.Writer, extra ...func(*flag.FlagSet)) (*Config, error) {
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
	str(&c.PublicURL, "public-url", "PUBLIC_URL", "", "base URL of this service written into certificates (CRL, OCSP); required without --dev; empty with --dev: the listening address")
	str(&c.CADir, "ca-dir", "CA_DIR", "", "the authority's certificates and file key; empty: DATA_DIR/ca (DATA_DIR/demo with --dev)")
	str(&c.ProfilesFile, "profiles", "PROFILES", "", "YAML file overriding the embedded jurisdiction profiles; without --dev it must replace their placeholders (issuerSignTool, example policy OIDs)")
	str(&c.PKCS11.Module, "ca-pkcs11-module", "CA_PKCS11_MODULE", "", "PKCS#11 module holding the issuing key (PIN from CA_PKCS11_PIN)")
	str(&c.PKCS11.Token, "ca-pkcs11-token", "CA_PKCS11_TOKEN", "", "token label of the issuing key")
	str(&c.PKCS11.Key, "ca-pkcs11-key", "CA_PKCS11_KEY", "issuing-ca", "key label of the issuing key on the token")
	c.PKCS11.PIN = getenv("CA_PKCS11_PIN")
	str(&c.Centre, "centre", "CENTRE", "Удостоверяющий центр", "the centre's name printed on applications and forms")
	str(&c.RegistryFile, "registry-file", "REGISTRY_FILE", "", "data file of the built-in registry adapter; required without --dev; empty with --dev: the demo people and organisations")
	str(&c.SMTP.Host, "smtp-host", "SMTP_HOST", "", "mail relay for e-mail (required without --dev); password from SMTP_PASSWORD")
	str(&c.SMTP.User, "smtp-user", "SMTP_USER", "", "mail relay user")
	str(&c.SMTP.From, "smtp-from", "SMTP_FROM", "", "sender address of e-mails, e.g. noreply@ca.example.by (required without --dev)")
	str(&c.SMTP.TLS, "smtp-tls", "SMTP_TLS", "starttls-mandatory", "none, starttls, starttls-mandatory or tls")
	str(&c.SMS.URL, "sms-url", "SMS_URL", "", "SMS gateway endpoint (required without --dev); token from SMS_TOKEN")
	c.SecretKey = getenv("SECRET_KEY")
	c.SMTP.Password = getenv("SMTP_PASSWORD")
	c.SMS.Token = getenv("SMS_TOKEN")
	smtpPort, err := strconv.Atoi(env("SMTP_PORT", "587"))
	if err != nil {
		return nil, fmt.Errorf("SMTP_PORT: %w", err)
	}
	fs.IntVar(&c.SMTP.Port, "smtp-port", smtpPort, "mail relay port")
	opts = append(opts, option{"smtp-port", "SMTP_PORT", ""})
	devDefault, _ := strconv.ParseBool(env("DEV", "false"))
	fs.BoolVar(&c.Dev, "dev", devDefault, "development mode: demo data, development pages and payment sandboxes (never in production)")
	opts = append(opts, option{"dev", "DEV", ""})
	checkDefault, _ := strconv.ParseBool(env("CHECK_RESPONSES", "false"))
	fs.BoolVar(&c.CheckResponses, "check-responses", checkDefault, "tests only: validate every /api/v1 answer against openapi.json; one that does not match answers 500 (requests are always validated)")
	opts = append(opts, option{"check-responses", "CHECK_RESPONSES", ""})
	waitDefault, err := time.ParseDuration(env("DB_WAIT", "5s"))
	if err != nil {
		return nil, fmt.Errorf("DB_WAIT: %w", err)
	}
	fs.DurationVar(&c.DBWait, "db-wait", waitDefault, "how long to wait for the database at start before giving up")
	opts = append(opts, option{"db-wait", "DB_WAIT", ""})
	for _, o := range []struct {
		p          *int
		name, key  string
		def, usage string
	}{
		{&c.DBMaxConns, "db-max-conns", "DB_MAX_CONNS", "16", "database connections for requests; a request waits --db-acquire-wait for one, then gets 503"},
		{&c.DBJobConns, "db-job-conns", "DB_JOB_CONNS", "16", "database connections for the job queue (12 workers and River's own)"},
	} {
		n, err := strconv.Atoi(env(o.key, o.def))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: a positive number of connections is needed", o.key)
		}
		fs.IntVar(o.p, o.name, n, o.usage)
		opts = append(opts, option{o.name, o.key, ""})
	}
	acquireDefault, err := time.ParseDuration(env("DB_ACQUIRE_WAIT", "1s"))
	if err != nil {
		return nil, fmt.Errorf("DB_ACQUIRE_WAIT: %w", err)
	}
	fs.DurationVar(&c.DBAcquireWait, "db-acquire-wait", acquireDefault, "how long a request waits for a free database connection before 503 with Retry-After")
	opts = append(opts, option{"db-acquire-wait", "DB_ACQUIRE_WAIT", ""})
	ttlDefault, err := time.ParseDuration(env("APPROVAL_TTL", "72h"))
	if err != nil {
		return nil, fmt.Errorf("APPROVAL_TTL: %w", err)
	}
	fs.DurationVar(&c.ApprovalTTL, "approval-ttl", ttlDefault, "how long a head's confirmation link is valid")
	opts = append(opts, option{"approval-ttl", "APPROVAL_TTL", ""})
	skewDefault, err := time.ParseDuration(env("DEV_CLOCK_SKEW", "0s"))
	if err != nil {
		return nil, fmt.Errorf("DEV_CLOCK_SKEW: %w", err)
	}
	fs.DurationVar(&c.DevClockSkew, "dev-clock-skew", skewDefault, "tests only, with --dev: pretend this host's clock is this far off (the server decides by the database's clock)")
	opts = append(opts, option{"dev-clock-skew", "DEV_CLOCK_SKEW", ""})
	delayDefault, err := time.ParseDuration(env("REGISTRY_DELAY", "-1s"))
	if err != nil {
		return nil, fmt.Errorf("REGISTRY_DELAY: %w", err)
	}
	fs.DurationVar(&c.RegistryDelay, "registry-delay", delayDefault, "how long the built-in registry takes to answer (default: 3s with --dev, else 0)")
	opts = append(opts, option{"registry-delay", "REGISTRY_DELAY", ""})

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
	for _, f := range extra {
		f(fs)
	}
	// Flags may follow positional arguments (`ca revoke SERIAL --reason R`):
	// parse, set the first argument aside, parse the rest again.
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		c.Args = append(c.Args, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(extra) == 0 && len(c.Args) > 0 {
		return nil, fmt.Errorf("unexpected argument %q", c.Args[0])
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
	if c.RegistryDelay < 0 {
		c.RegistryDelay = 0
		if c.Dev {
			c.RegistryDelay = 3 * time.Second
		}
	}
	if c.DevClockSkew != 0 && !c.Dev {
		return nil, errors.New("--dev-clock-skew is a test seam: only with --dev")
	}
	if c.PKCS11.Module != "" && c.PKCS11.Token == "" {
		return nil, errors.New("--ca-pkcs11-module needs --ca-pkcs11-token")
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("--public-url: %q is not an http(s) base URL such as https://ca.example.by", c.PublicURL)
		}
		c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	}
	if c.CADir == "" {
		c.CADir = filepath.Join(c.DataDir, "ca")
		if c.Dev {
			c.CADir = filepath.Join(c.DataDir, "demo")
		}
	}
	if c.CADir, err = filepath.Abs(c.CADir); err != nil {
		return nil, fmt.Errorf("--ca-dir: %w", err)
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
