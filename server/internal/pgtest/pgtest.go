// Package pgtest gives tests a PostgreSQL server: one per test binary, with a
// fresh database per test.
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestX(t *testing.T) {
//		dsn := pgtest.NewDatabase(t)
//		...
//	}
//
// With DATABASE_URL set, the tests use that server (its user must be allowed
// to create databases). Otherwise Main starts a private cluster with
// pgcluster in a fresh directory under /tmp and removes it afterwards.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"renewal/server/internal/pgcluster"
)

// server is set up by Main.
var server struct {
	adminDSN string                 // where CREATE/DROP DATABASE run
	dsnFor   func(db string) string // connection string for a database
}

// Main runs the tests of a package against DATABASE_URL, or against a
// private cluster when DATABASE_URL is empty, and exits. Without PostgreSQL
// binaries it prints pgcluster.ErrNoBinaries' message and exits 1: tests
// that need PostgreSQL are never skipped silently.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if dbURL := os.Getenv("DATABASE_URL"); dbURL != "" {
		dsnFor, err := dsnMaker(dbURL)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: DATABASE_URL:", err)
			return 1
		}
		server.adminDSN, server.dsnFor = dbURL, dsnFor
		return m.Run()
	}

	if _, err := pgcluster.FindBinaries(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Short (unix socket paths are limited to 107 bytes) and traversable by
	// the postgres user (t.TempDir's parent is root-only 0700).
	dir, err := os.MkdirTemp("/tmp", "rnwpg-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	c, err := pgcluster.Start(ctx, pgcluster.Options{
		DataDir:   filepath.Join(dir, "pg"),
		SocketDir: filepath.Join(dir, "sock"),
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	server.adminDSN, server.dsnFor = c.DSN("postgres"), c.DSN

	code := m.Run()

	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Stop(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
	}
	return code
}

// dsnMaker returns a function giving the connection string of DATABASE_URL
// with another database, for a URL or a keyword/value string.
func dsnMaker(dbURL string) (func(string) string, error) {
	if _, err := pgx.ParseConfig(dbURL); err != nil {
		return nil, err
	}
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		u, err := url.Parse(dbURL)
		if err != nil {
			return nil, err
		}
		return func(db string) string {
			v := *u
			v.Path, v.RawPath = "/"+db, ""
			q := v.Query()
			if q.Has("dbname") || q.Has("database") {
				q.Del("dbname")
				q.Del("database")
				v.RawQuery = q.Encode()
			}
			return v.String()
		}, nil
	}
	// keyword/value: a later dbname overrides an earlier one.
	return func(db string) string { return dbURL + " dbname=" + db }, nil
}

// NewDatabase creates a fresh empty database for this test, drops it (WITH
// (FORCE)) when the test ends and returns its connection string.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if server.dsnFor == nil {
		t.Fatal("pgtest: NewDatabase needs `func TestMain(m *testing.M) { pgtest.Main(m) }` in the package's tests")
	}
	name := databaseName(t.Name())
	ident := pgx.Identifier{name}.Sanitize()
	if err := admin("CREATE DATABASE " + ident); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := admin("DROP DATABASE IF EXISTS " + ident + " WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	return server.dsnFor(name)
}

func admin(sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server.adminDSN)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// databaseName derives a unique database name from the test name:
// t_<test name, lower case, at most 40 characters>_<12 random hex digits>.
func databaseName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if b.Len() >= 40 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	random := make([]byte, 6)
	_, _ = rand.Read(random)
	return "t_" + b.String() + "_" + hex.EncodeToString(random)
}
