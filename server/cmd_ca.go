package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"renewal/ca"
	"renewal/ca/lint"
	"renewal/ca/profile"
	"renewal/ca/signer"
	"renewal/server/internal/authority"
	"renewal/server/internal/clock"
	"renewal/server/internal/config"
	"renewal/server/internal/pgcluster"
	"renewal/server/internal/store"
)

func runCA(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printCommands(stderr)
		return usageError{errors.New("ca: which command? init, revoke, crl, root-crl or lint")}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "init":
		return caInit(rest, stdout, stderr)
	case "revoke":
		return caRevoke(rest, stdout, stderr)
	case "crl":
		return caCRL(rest, stdout, stderr)
	case "root-crl":
		return caRootCRL(rest, stdout, stderr)
	case "lint":
		return caLint(rest, stdout, stderr)
	default:
		printCommands(stderr)
		return usageError{fmt.Errorf("ca: unknown command %q", cmd)}
	}
}

func parseCommand(cmd string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*config.Config, error) {
	if extra == nil {
		extra = func(*flag.FlagSet) {}
	}
	cfg, err := config.Parse(name+" "+cmd, args, os.Getenv, stderr, extra)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	return cfg, nil
}

func caInit(args []string, stdout, stderr io.Writer) error {
	o := authority.InitOptions{}
	var alg string
	var rootYears, issuingYears int
	cfg, err := parseCommand("ca init", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&o.Organisation, "organisation", "Удостоверяющий центр", "organisation in the CA names")
		fs.StringVar(&o.Country, "country", "RU", "country (C) in the CA names: RU or BY")
		fs.StringVar(&o.RootName, "root-name", "Корневой УЦ", "common name of the root")
		fs.StringVar(&o.IssuingName, "issuing-name", "Выпускающий УЦ", "common name of the issuing CA")
		fs.StringVar(&alg, "algorithm", string(signer.ECDSAP256), "issuing key algorithm: ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096, gost2012-256, gost2012-512 (GOST: the root too; a GOST issuing key on a PKCS#11 token needs its GOST mechanisms, which SoftHSM2 lacks)")
		fs.IntVar(&rootYears, "root-years", 20, "root validity in years")
		fs.IntVar(&issuingYears, "issuing-years", 10, "issuing CA validity in years")
	})
	if err != nil {
		return err
	}
	if len(cfg.Args) > 0 {
		return usageError{fmt.Errorf("ca init takes no arguments, got %q", cfg.Args[0])}
	}
	o.Algorithm = signer.Algorithm(alg)
	o.PublicURL = publicURLOf(cfg)
	o.RootValidity = time.Duration(rootYears) * 365 * 24 * time.Hour
	o.IssuingValidity = time.Duration(issuingYears) * 365 * 24 * time.Hour
	h, err := authority.Init(cfg, o)
	if err != nil {
		return err
	}
	where := "in " + filepath.Join(cfg.CADir, authority.IssuingKeyFile)
	if cfg.PKCS11.Module != "" {
		where = fmt.Sprintf("on token %q as %q", cfg.PKCS11.Token, cfg.PKCS11.Key)
	}
	fmt.Fprintf(stdout, "authority created in %s\n  root:    %s (key in %s: move it offline)\n  issuing: %s (key %s)\n",
		cfg.CADir, h.Root.Subject.CommonName, authority.RootKeyFile, h.Issuing.Subject.CommonName, where)
	return nil
}

func caRevoke(args []string, stdout, stderr io.Writer) error {
	var reasonText string
	cfg, err := parseCommand("ca revoke", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&reasonText, "reason", "", "reason: keyCompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, privilegeWithdrawn, unspecified, or its code")
	})
	if err != nil {
		return err
	}
	if len(cfg.Args) != 1 {
		return usageError{errors.New("ca revoke SERIAL --reason R: one serial number")}
	}
	serial, err := authority.SerialOf(cfg.Args[0])
	if err != nil {
		return usageError{err}
	}
	reason, err := revocationReason(reasonText)
	if err != nil {
		return usageError{err}
	}
	return withAuthority(cfg, stderr, func(ctx context.Context, a *authority.Loaded) error {
		if err := a.Revoke(ctx, serial, reason); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s (reason %d)\n", serial.Text(16), reason)
		return nil
	})
}

func caCRL(args []string, stdout, stderr io.Writer) error {
	var out string
	cfg, err := parseCommand("ca crl", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "write the CRL as DER to this file instead of PEM to standard output")
	})
	if err != nil {
		return err
	}
	return withAuthority(cfg, stderr, func(ctx context.Context, a *authority.Loaded) error {
		der, err := a.CRL(ctx)
		if err != nil {
			return err
		}
		if out != "" {
			return os.WriteFile(out, der, 0o644)
		}
		return pem.Encode(stdout, &pem.Block{Type: "X509 CRL", Bytes: der})
	})
}

func caRootCRL(args []string, stdout, stderr io.Writer) error {
	cfg, err := parseCommand("ca root-crl", args, stderr, nil)
	if err != nil {
		return err
	}
	if len(cfg.Args) > 0 {
		return usageError{fmt.Errorf("ca root-crl takes no arguments, got %q", cfg.Args[0])}
	}
	crl, err := authority.ResignRootCRL(cfg, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "root CRL %s signed: %d entries, next update %s (served from the next start)\n",
		filepath.Join(cfg.CADir, authority.RootCRLFile), len(crl.RevokedCertificateEntries), crl.NextUpdate.Format(time.RFC3339))
	return nil
}

func caLint(args []string, stdout, stderr io.Writer) error {
	var profileName, profilesFile string
	cfg, err := parseCommand("ca lint", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&profileName, "profile", "", "profile the certificate was issued under (ru-owner, ru-employee, by-individual, by-employee); empty: checks that need none")
	})
	if err != nil {
		return err
	}
	profilesFile = cfg.ProfilesFile
	if len(cfg.Args) == 0 {
		return usageError{errors.New("ca lint FILE...: name at least one certificate file (PEM or DER)")}
	}
	var prof *profile.Profile
	if profileName != "" {
		set, err := profile.Load(profilesFile)
		if err != nil {
			return err
		}
		p, ok := set.Get(profileName)
		if !ok {
			return usageError{fmt.Errorf("no profile %q (have: %s)", profileName, strings.Join(set.Names(), ", "))}
		}
		prof = p
	}
	problems := 0
	for _, file := range cfg.Args {
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		certs, err := lint.DecodeCertificates(b)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		for _, der := range certs {
			findings, err := lint.Certificate(der, prof)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			subject := "?"
			if c, err := x509.ParseCertificate(der); err == nil {
				subject = fmt.Sprintf("serial %s, %s", c.SerialNumber.Text(16), c.Subject.CommonName)
			}
			if len(findings) == 0 {
				fmt.Fprintf(stdout, "%s (%s): no findings\n", file, subject)
				continue
			}
			fmt.Fprintf(stdout, "%s (%s): %d finding(s)\n", file, subject, len(findings))
			for _, f := range findings {
				fmt.Fprintf(stdout, "  %s\n", f)
			}
			problems += len(findings)
		}
	}
	if problems > 0 {
		return exitError{1}
	}
	return nil
}

var reasonNames = map[string]int{
	"unspecified": ca.ReasonUnspecified, "keycompromise": ca.ReasonKeyCompromise,
	"cacompromise": ca.ReasonCACompromise, "affiliationchanged": ca.ReasonAffiliationChanged,
	"superseded": ca.ReasonSuperseded, "cessationofoperation": ca.ReasonCessationOfOperation,
	"certificatehold": ca.ReasonCertificateHold, "privilegewithdrawn": ca.ReasonPrivilegeWithdrawn,
}

func revocationReason(s string) (int, error) {
	if s == "" {
		return 0, errors.New("--reason is required (e.g. keyCompromise, superseded)")
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil // the authority checks the code
	}
	if n, ok := reasonNames[strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s))]; ok {
		return n, nil
	}
	return 0, fmt.Errorf("unknown revocation reason %q", s)
}

// withAuthority runs f with the authority and its database: DATABASE_URL,
// else the database of a server running on DATA_DIR, else the private
// cluster started for the length of the command.
func withAuthority(cfg *config.Config, stderr io.Writer, f func(context.Context, *authority.Loaded) error) error {
	ctx := context.Background()
	st, log, closeDB, err := commandStore(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	clk, err := trustedClock(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	a, err := authorityFor(cfg, st, log, clk.Now)
	if err != nil {
		return err
	}
	defer a.Close()
	return f(ctx, a)
}

// publicURLOf is the public URL a command writes into what it makes.
func publicURLOf(cfg *config.Config) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	return "http://" + cfg.Addr
}

func authorityFor(cfg *config.Config, st *store.Store, log *slog.Logger, now func() time.Time) (*authority.Loaded, error) {
	return authority.Load(cfg, st.CA(), publicURLOf(cfg), log, now)
}

// trustedClock is the time the server and its commands decide by: the
// database's (package clock). With --dev, --dev-clock-skew pretends this
// host's clock is off, to show that nothing depends on it.
func trustedClock(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger) (*clock.Trusted, error) {
	local := time.Now
	if cfg.Dev && cfg.DevClockSkew != 0 {
		local = func() time.Time { return time.Now().Add(cfg.DevClockSkew) }
	}
	return clock.New(ctx, st.DatabaseTime, local, log)
}

// commandStore opens a command's database with its schema up to date,
// and a logger that shows only warnings.
func commandStore(ctx context.Context, cfg *config.Config, stderr io.Writer) (*store.Store, *slog.Logger, func(), error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, closeDB, err := commandDatabase(ctx, cfg, log)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		closeDB()
		return nil, nil, nil, err
	}
	return st, log, closeDB, nil
}

func commandDatabase(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, func(), error) {
	if cfg.DatabaseURL == "" {
		socket := filepath.Join(privateSocketDir(cfg), fmt.Sprintf(".s.PGSQL.%d", pgcluster.Port))
		if _, err := os.Stat(socket); err == nil {
			dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=renewal sslmode=disable", privateSocketDir(cfg), pgcluster.Port, pgcluster.Superuser)
			if st, err := store.Open(ctx, dsn, store.Options{MaxConns: 2, JobConns: 2, Wait: time.Second}); err == nil {
				return st, st.Close, nil
			}
		}
	}
	return openDatabase(ctx, cfg, log)
}
