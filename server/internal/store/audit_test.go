package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/tern/v2/migrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"

	"renewal/server/internal/auditlog"
	"renewal/server/internal/pgtest"
)

type auditFixture struct {
	t   *testing.T
	s   *Store
	key *auditlog.Key
}

func newAudit(t *testing.T, s *Store) *auditFixture {
	key, err := auditlog.LoadKey(filepath.Join(t.TempDir(), "audit.key"))
	require.NoError(t, err)
	return &auditFixture{t, s, key}
}

var at0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func (a *auditFixture) write(app, kind string) {
	a.t.Helper()
	require.NoError(a.t, a.s.InTx(context.Background(), func(ctx context.Context, tx *Tx) error {
		return tx.AuditAppend(context.Background(), auditlog.Event{ApplicationID: app, At: at0, Kind: kind, From: "started", To: "started", Actor: "holder", Data: `{}`})
	}))
}

func (a *auditFixture) sequence() int {
	a.t.Helper()
	n := 0
	ran, err := a.s.AuditSequence(context.Background(), func(st auditlog.Storage) error {
		var err error
		n, err = auditlog.Sequence(context.Background(), st, a.key, at0, 1000)
		return err
	})
	require.NoError(a.t, err)
	require.True(a.t, ran)
	return n
}

func (a *auditFixture) verify() (auditlog.Verified, error) {
	ctx := context.Background()
	var v auditlog.Verified
	err := a.s.AuditSnapshot(ctx, func(view AuditView) error {
		cps, err := view.Checkpoints(ctx)
		if err != nil {
			return err
		}
		v, err = auditlog.Verify(view.Rows(ctx), view.Hashes(ctx), cps, a.key.Verifier)
		return err
	})
	return v, err
}

func (a *auditFixture) exec(sql string, args ...any) {
	a.t.Helper()
	_, err := a.s.Pool().Exec(context.Background(), sql, args...)
	require.NoError(a.t, err)
}

// rehash rewrites the stored hashes from log index from on, from the
// rows as they now are: what one with write access could do to hide an
// edit from the hashes (not from the signed checkpoints).
func (a *auditFixture) rehash(from int64) {
	a.t.Helper()
	ctx := context.Background()
	a.exec("DELETE FROM audit_hash WHERE idx >= $1", tlog.StoredHashIndex(0, from))
	err := a.s.AuditSnapshot(ctx, func(view AuditView) error {
		hr := view.Hashes(ctx)
		var mine []tlog.Hash
		base := tlog.StoredHashIndex(0, from)
		read := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for k, i := range idx {
				if i >= base {
					out[k] = mine[i-base]
					continue
				}
				h, err := hr.ReadHashes([]int64{i})
				if err != nil {
					return nil, err
				}
				out[k] = h[0]
			}
			return out, nil
		})
		for r, err := range view.Rows(ctx) {
			if err != nil {
				return err
			}
			if r.Index < from {
				continue
			}
			hs, err := tlog.StoredHashes(r.Index, r.Event.Record(), read)
			if err != nil {
				return err
			}
			mine = append(mine, hs...)
		}
		for k, h := range mine {
			if _, err := a.s.Pool().Exec(ctx, "INSERT INTO audit_hash (idx, hash) VALUES ($1, $2)", base+int64(k), h[:]); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(a.t, err)
}

// filled: 12 events of applications A, B, C, in four checkpoints of three:
// log index i belongs to "ABC BCA CAB ABC"[i].
func filledAudit(t *testing.T) *auditFixture {
	a := newAudit(t, openTestStore(t))
	apps := "ABC"
	for b := range 4 {
		for k := range 3 {
			a.write(string(apps[(b+k)%3]), fmt.Sprintf("kind-%d-%d", b, k))
		}
		require.Equal(t, 3, a.sequence())
	}
	return a
}

func TestAuditVerify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(a *auditFixture)
		index  int64
		app    string
		reason string
	}{
		{"ok/clean", func(*auditFixture) {}, -1, "", ""},
		{"fail/altered", func(a *auditFixture) {
			a.exec("UPDATE audit_event SET data = '{\"forged\":true}' WHERE log_index = 4")
		}, 4, "C", "does not match the hash stored"},
		{"fail/deleted", func(a *auditFixture) {
			a.exec("DELETE FROM audit_event WHERE log_index = 5")
		}, 5, "", "missing"},
		{"fail/reordered", func(a *auditFixture) {
			a.exec("UPDATE audit_event SET log_index = -1 WHERE log_index = 6")
			a.exec("UPDATE audit_event SET log_index = 6 WHERE log_index = 7")
			a.exec("UPDATE audit_event SET log_index = 7 WHERE log_index = -1")
		}, 6, "A", "does not match the hash stored"},
		{"fail/reordered-within-application", func(a *auditFixture) {
			// B's events 1 (index 3) and 2 (index 8) swap places, hashes
			// recomputed: B's own sequence numbers give it away.
			a.exec("UPDATE audit_event SET log_index = -1 WHERE log_index = 3")
			a.exec("UPDATE audit_event SET log_index = 3 WHERE log_index = 8")
			a.exec("UPDATE audit_event SET log_index = 8 WHERE log_index = -1")
			a.rehash(3)
		}, 3, "B", "event 2"},
		{"fail/rewritten-from-a-row", func(a *auditFixture) {
			// Index 6 and every hash after it rewritten: only the
			// checkpoints signed since index 6 disagree.
			a.exec("UPDATE audit_event SET actor = 'operator' WHERE log_index = 6")
			a.rehash(6)
		}, 6, "C", "checkpoint 3 (size 9"},
		{"fail/deleted-and-renumbered", func(a *auditFixture) {
			a.exec("DELETE FROM audit_event WHERE log_index = 6")
			a.exec("UPDATE audit_event SET log_index = log_index - 1 WHERE log_index > 6")
			a.rehash(6)
		}, 6, "A", "application C, kind-3-2): the application's event 2 is missing before its event 3"},
		{"fail/inserted-and-renumbered", func(a *auditFixture) {
			a.exec("UPDATE audit_event SET log_index = log_index + 100 WHERE log_index >= 9")
			a.exec("UPDATE audit_event SET log_index = log_index - 99 WHERE log_index >= 100")
			a.exec(`INSERT INTO audit_event (application_id, seq, at, kind, actor, data, log_index)
			        VALUES ('Z', 0, now(), 'forged', 'operator', '{}', 9)`)
			a.rehash(9)
		}, 9, "Z", "checkpoint 4 (size 12"},
		{"fail/inserted-at-end", func(a *auditFixture) {
			a.exec(`INSERT INTO audit_event (application_id, seq, at, kind, actor, data, log_index)
			        VALUES ('Z', 0, now(), 'forged', 'operator', '{}', 12)`)
			a.rehash(12)
		}, 12, "Z", "no checkpoint covers it"},
		{"fail/removed-at-end", func(a *auditFixture) {
			a.exec("DELETE FROM audit_event WHERE log_index >= 10")
		}, 10, "", "signed 12 events"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := filledAudit(t)
			tc.tamper(a)
			v, err := a.verify()
			if tc.index < 0 {
				require.NoError(t, err)
				assert.Equal(t, int64(12), v.Size)
				assert.Equal(t, 4, v.Checkpoints)
				return
			}
			var bad *auditlog.BadEvent
			require.ErrorAs(t, err, &bad)
			assert.Equal(t, tc.index, bad.Index, bad.Error())
			assert.Equal(t, tc.app, bad.ApplicationID, bad.Error())
			assert.Contains(t, bad.Error(), tc.reason)
		})
	}
	t.Run("fail/checkpoint-replaced", func(t *testing.T) {
		a := filledAudit(t)
		a.exec("UPDATE audit_checkpoint SET note = replace(note, '\n9\n', '\n8\n') WHERE size = 9")
		_, err := a.verify()
		var bad *auditlog.BadCheckpoint
		require.ErrorAs(t, err, &bad)
		assert.Contains(t, bad.Error(), "checkpoint 3")
	})
}

// TestAuditMigratesChain: events of the old hash chain get their
// per-application sequence from migration 006 and log indexes from the
// first sequencing, in the chain's order.
func TestAuditMigratesChain(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t), Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	conn, err := s.Pool().Acquire(ctx)
	require.NoError(t, err)
	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	require.NoError(t, err)
	require.NoError(t, m.LoadMigrations(migrationsFS()))
	require.NoError(t, m.MigrateTo(ctx, 5))
	_, err = conn.Exec(ctx, `INSERT INTO audit_event (application_id, at, kind, actor, data, prev_hash, hash) VALUES
		('A', now(), 'created', 'applicant', '{}', '\x00', '\x01'),
		('B', now(), 'created', 'applicant', '{}', '\x01', '\x02'),
		('A', now(), 'tariff', 'holder', '{}', '\x02', '\x03')`)
	require.NoError(t, err)
	conn.Release()
	require.NoError(t, s.Migrate(ctx))

	a := newAudit(t, s)
	assert.Equal(t, 3, a.sequence())
	v, err := a.verify()
	require.NoError(t, err)
	assert.Equal(t, int64(3), v.Size)
	trail, err := s.AuditTrail(ctx, "A")
	require.NoError(t, err)
	require.Len(t, trail, 2)
	assert.Equal(t, []int64{0, 1}, []int64{trail[0].Event.Seq, trail[1].Event.Seq})
	assert.Equal(t, []int64{0, 2}, []int64{*trail[0].LogIndex, *trail[1].LogIndex}, "in the chain's order")
	a.write("A", "after") // the next event continues A's sequence
	trail, err = s.AuditTrail(ctx, "A")
	require.NoError(t, err)
	assert.Equal(t, int64(2), trail[2].Event.Seq)
}

// TestAuditConcurrentWriters: 16 transactions on 16 applications hold
// their audit inserts open at the same moment, which a global lock would
// make impossible; all are then sequenced and the log verifies.
func TestAuditConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	if strings.Contains(dsn, "://") {
		dsn += map[bool]string{true: "&", false: "?"}[strings.Contains(dsn, "?")] + "pool_max_conns=20"
	} else {
		dsn += " pool_max_conns=20"
	}
	s, err := Open(ctx, dsn, Options{MaxConns: 20, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.NoError(t, s.Migrate(ctx))
	a := newAudit(t, s)

	const writers, rounds = 16, 5
	for r := range rounds {
		var inserted, done sync.WaitGroup
		inserted.Add(writers)
		release := make(chan struct{})
		errs := make(chan error, writers)
		for w := range writers {
			done.Add(1)
			go func() {
				defer done.Done()
				errs <- s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
					err := tx.AuditAppend(ctx, auditlog.Event{ApplicationID: fmt.Sprintf("app-%02d", w), At: at0, Kind: fmt.Sprintf("round-%d", r), Data: "{}"})
					inserted.Done()
					if err != nil {
						return err
					}
					<-release // every writer's transaction is open here at once
					return nil
				})
			}()
		}
		all := make(chan struct{})
		go func() { inserted.Wait(); close(all) }()
		select {
		case <-all:
		case <-time.After(30 * time.Second):
			close(release)
			t.Fatal("writers blocked each other")
		}
		close(release)
		done.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		if r%2 == 1 {
			a.sequence()
		}
	}
	a.sequence()
	v, err := a.verify()
	require.NoError(t, err)
	assert.Equal(t, int64(writers*rounds), v.Size)
	for w := range writers {
		trail, err := s.AuditTrail(ctx, fmt.Sprintf("app-%02d", w))
		require.NoError(t, err)
		require.Len(t, trail, rounds)
		for i, e := range trail {
			assert.Equal(t, int64(i), e.Event.Seq)
			assert.Equal(t, fmt.Sprintf("round-%d", i), e.Event.Kind)
			assert.NotNil(t, e.LogIndex)
		}
	}
}
