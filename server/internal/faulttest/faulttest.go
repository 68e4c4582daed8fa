// Package faulttest injects a fault into one chosen SQL statement, as
// Boulder's tests do: a PL/pgSQL trigger fails (RAISE) or blocks the
// first row of a table that matches a condition, exactly once. Tests use
// it to stop issuance at a precise step: the intent, the certificate row
// after the signature, the state change, the outbox row, the job's
// completion.
//
// Test tooling only: nothing but _test.go files imports it.
package faulttest

import (
	"context"
	"fmt"
	"hash/fnv"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Point is one statement on one table: Op is INSERT or UPDATE; When, if
// not empty, is a PL/pgSQL condition over NEW (and OLD for UPDATE), such
// as `NEW.state = 'issued'`; it may hold subqueries, which see the
// statement's own transaction.
type Point struct {
	Name  string // names the trigger, its function and its counter
	Table string
	Op    string
	When  string
}

// DB is a connection or a pool.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var ident = regexp.MustCompile(`^[a-z][a-z0-9_]{0,40}$`)

// Fault is an installed trigger.
type Fault struct {
	db   DB
	p    Point
	key  int64     // the advisory lock a blocking fault waits on
	hold *pgx.Conn // holds key while blocked
}

// FailOnce makes the first statement at p fail with an error, once; the
// statements after it run as usual.
func FailOnce(ctx context.Context, db DB, p Point) (*Fault, error) {
	f := &Fault{db: db, p: p}
	return f, f.install(ctx, fmt.Sprintf("RAISE EXCEPTION 'faulttest: injected failure at %s';", p.Name))
}

// BlockOnce makes the first statement at p wait, inside its transaction
// (row locks held), until Release; Reached says when it waits. dsn is
// the database's: a connection of the fault's own holds the lock.
func BlockOnce(ctx context.Context, db DB, dsn string, p Point) (*Fault, error) {
	h := fnv.New32a()
	h.Write([]byte("faulttest:" + p.Name))
	f := &Fault{db: db, p: p, key: int64(h.Sum32())}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("faulttest: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", f.key); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("faulttest: lock: %w", err)
	}
	f.hold = conn
	// The wait ends when the lock is released, or when the backend sees
	// that its client is gone (client_connection_check_interval).
	err = f.install(ctx, fmt.Sprintf("PERFORM pg_advisory_lock(%d); PERFORM pg_advisory_unlock(%d);", f.key, f.key))
	if err != nil {
		conn.Close(ctx)
	}
	return f, err
}

func (f *Fault) install(ctx context.Context, action string) error {
	p := f.p
	if !ident.MatchString(p.Name) || !ident.MatchString(p.Table) || (p.Op != "INSERT" && p.Op != "UPDATE") {
		return fmt.Errorf("faulttest: bad point %+v", p)
	}
	when := "true"
	if p.When != "" {
		when = p.When
	}
	name := "fault_" + p.Name
	for _, sql := range []string{
		fmt.Sprintf(`CREATE SEQUENCE %s`, name),
		// nextval is not rolled back with the failed transaction: the
		// counter says how often the statement was tried.
		fmt.Sprintf(`CREATE FUNCTION %[1]s() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN
		   IF (%[3]s) AND nextval('%[1]s') = 1 THEN
		     %[2]s
		   END IF;
		   RETURN NEW;
		 END $$`, name, action, when),
		fmt.Sprintf(`CREATE TRIGGER %[1]s BEFORE %[2]s ON %[3]s FOR EACH ROW EXECUTE FUNCTION %[1]s()`, name, p.Op, p.Table),
	} {
		if _, err := f.db.Exec(ctx, sql); err != nil {
			return fmt.Errorf("faulttest: install %s: %w", p.Name, err)
		}
	}
	return nil
}

// Hits is how many times a matching statement reached the trigger (the
// failed or blocked one included).
func (f *Fault) Hits(ctx context.Context) (int64, error) {
	var n int64
	err := f.db.QueryRow(ctx, fmt.Sprintf(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM fault_%s`, f.p.Name)).Scan(&n)
	return n, err
}

// Reached waits until a statement waits at a blocking fault.
func (f *Fault) Reached(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var n int
		err := f.hold.QueryRow(ctx, `SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = $1::bigint::oid AND objsubid = 1`, f.key).Scan(&n)
		if err != nil {
			return fmt.Errorf("faulttest: %w", err)
		}
		if n > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("faulttest: nothing reached %s within %s", f.p.Name, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Release lets a blocked statement go on (and closes the fault's own
// connection). Safe to call more than once, and on a failing fault.
func (f *Fault) Release() {
	if f.hold != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		f.hold.Close(ctx)
		f.hold = nil
	}
}

// Remove drops the trigger (Release first for a blocking one).
func (f *Fault) Remove(ctx context.Context) error {
	f.Release()
	for _, sql := range []string{`DROP TRIGGER IF EXISTS fault_%[1]s ON %[2]s`, `DROP FUNCTION IF EXISTS fault_%[1]s`, `DROP SEQUENCE IF EXISTS fault_%[1]s`} {
		if _, err := f.db.Exec(ctx, fmt.Sprintf(sql, f.p.Name, f.p.Table)); err != nil {
			return err
		}
	}
	return nil
}
