package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/tern/v2/migrate"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

const (
	versionTable = "schema_version"
	// migrateLock serialises migrations across server instances that
	// start at the same moment against one database. Any fixed number
	// will do; this one spells "renewal" in ASCII.
	migrateLock int64 = 0x72656e6577616c
)

// ExpectedVersion is the schema version this binary's migrations reach.
func ExpectedVersion() int32 {
	names, err := migrate.FindMigrations(migrationsFS())
	if err != nil {
		panic(err) // embedded at build time: cannot fail at run time
	}
	return int32(len(names))
}

func migrationsFS() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

// Migrate brings the schema to ExpectedVersion: River's tables by River's
// migrator, ours by tern, each migration in its own transaction. A
// session advisory lock makes concurrent starts take turns.
func (s *Store) Migrate(ctx context.Context) error {
	conn, err := s.shared.requests.p.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", mapErr(err))
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return fmt.Errorf("migrate: lock: %w", mapErr(err))
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock) //nolint:errcheck // the lock also ends with the session

	// River migrates each version in a transaction of its own (a new
	// enum value cannot be used in the transaction that adds it), on
	// River's pool: this connection holds the lock meanwhile.
	rm, err := rivermigrate.New(riverpgxv5.New(s.shared.jobs.p), nil)
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate river: %w", mapErr(err))
	}

	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	if err != nil {
		return fmt.Errorf("migrate: %w", mapErr(err))
	}
	if err := m.LoadMigrations(migrationsFS()); err != nil {
		return fmt.Errorf("migrate: load: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", mapErr(err))
	}
	return nil
}
