package store

import (
	"context"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"

	"renewal/server/internal/auditlog"
	"renewal/server/internal/store/internal/db"
)

// sequencerLock is held by the one sequencer of the audit log; writers
// never take it. "auditseq" in ASCII.
const sequencerLock int64 = 0x6175646974736571

// AuditAppend records an event in tx with its application's next
// sequence number (e.Seq is ignored) and no log index: no global lock,
// no read of another application's rows.
func (t *Tx) AuditAppend(ctx context.Context, e auditlog.Event) error {
	return mapErr(t.Queries.db.AuditInsert(ctx, db.AuditInsertParams{
		ApplicationID: e.ApplicationID, At: e.At, Kind: e.Kind, FromState: e.From, ToState: e.To, Actor: e.Actor, Data: e.Data,
	}))
}

// AuditSequence runs f in a transaction holding the sequencer's lock.
// ran is false when another sequencer holds it: that one does the work.
func (s *Store) AuditSequence(ctx context.Context, f func(auditlog.Storage) error) (ran bool, err error) {
	err = s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		if err := tx.tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", sequencerLock).Scan(&ran); err != nil {
			return mapErr(err)
		}
		if !ran {
			return nil
		}
		return f(auditStorage{tx.Queries.db})
	})
	return ran, err
}

// auditStorage is auditlog.Storage on one transaction.
type auditStorage struct{ q *db.Queries }

func (a auditStorage) TreeSize(ctx context.Context) (int64, error) {
	c, err := a.q.AuditCheckpointLatest(ctx)
	if err = mapErr(err); err == ErrNotFound {
		return 0, nil
	}
	return c.Size, err
}

func (a auditStorage) Pending(ctx context.Context, limit int) ([]auditlog.Pending, error) {
	rows, err := a.q.AuditPending(ctx, int32(limit))
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]auditlog.Pending, len(rows))
	for i, r := range rows {
		out[i] = auditlog.Pending{ID: r.ID, Event: auditlog.Event{ApplicationID: r.ApplicationID, Seq: r.Seq, At: r.At,
			Kind: r.Kind, From: r.FromState, To: r.ToState, Actor: r.Actor, Data: r.Data}}
	}
	return out, nil
}

func (a auditStorage) ReadHashes(ctx context.Context, idx []int64) ([]tlog.Hash, error) {
	return readHashes(ctx, a.q, idx)
}

func (a auditStorage) Append(ctx context.Context, b auditlog.Batch) error {
	logIdx := make([]int64, len(b.IDs))
	for i := range logIdx {
		logIdx[i] = b.FirstIndex + int64(i)
	}
	if err := a.q.AuditSetIndexes(ctx, db.AuditSetIndexesParams{Ids: b.IDs, LogIndexes: logIdx}); err != nil {
		return fmt.Errorf("audit: set log indexes: %w", mapErr(err))
	}
	hidx := make([]int64, len(b.Hashes))
	hashes := make([][]byte, len(b.Hashes))
	for i, h := range b.Hashes {
		hidx[i], hashes[i] = b.HashIndex+int64(i), h[:]
	}
	if err := a.q.AuditHashInsert(ctx, db.AuditHashInsertParams{Idxs: hidx, Hashes: hashes}); err != nil {
		return fmt.Errorf("audit: store hashes: %w", mapErr(err))
	}
	c := b.Checkpoint
	if err := a.q.AuditCheckpointInsert(ctx, db.AuditCheckpointInsertParams{Size: c.Size, Note: string(c.Note), SignedAt: c.SignedAt}); err != nil {
		return fmt.Errorf("audit: store checkpoint: %w", mapErr(err))
	}
	return nil
}

func readHashes(ctx context.Context, q *db.Queries, idx []int64) ([]tlog.Hash, error) {
	rows, err := q.AuditHashes(ctx, idx)
	if err != nil {
		return nil, mapErr(err)
	}
	byIdx := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		byIdx[r.Idx] = r.Hash
	}
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		h, ok := byIdx[x]
		if !ok || len(h) != tlog.HashSize {
			return nil, fmt.Errorf("audit: stored hash %d missing", x)
		}
		out[i] = tlog.Hash(h)
	}
	return out, nil
}

// AuditHashReader reads the stored tree hashes on the pool; they never
// change once written, so no transaction is needed.
func (s *Store) AuditHashReader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return readHashes(ctx, s.Queries.db, idx) })
}

func checkpoint(c db.AuditCheckpoint) auditlog.Checkpoint {
	return auditlog.Checkpoint{ID: c.ID, Size: c.Size, Note: []byte(c.Note), SignedAt: c.SignedAt}
}

// AuditCheckpointLatest is the last checkpoint signed, or ErrNotFound.
func (s *Store) AuditCheckpointLatest(ctx context.Context) (auditlog.Checkpoint, error) {
	c, err := s.Queries.db.AuditCheckpointLatest(ctx)
	if err != nil {
		return auditlog.Checkpoint{}, mapErr(err)
	}
	return checkpoint(c), nil
}

// AuditView is one consistent view of the whole log, for verifying it.
type AuditView struct{ q *db.Queries }

// AuditSnapshot runs f on a read-only repeatable-read transaction: the
// sequencer may go on meanwhile without the rows, hashes and checkpoints
// that f reads disagreeing.
func (s *Store) AuditSnapshot(ctx context.Context, f func(AuditView) error) error {
	tx, release, err := s.db.begin(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return mapErr(err)
	}
	defer release()
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read only
	return f(AuditView{db.New(tx)})
}

// Hashes reads the stored tree hashes.
func (v AuditView) Hashes(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return readHashes(ctx, v.q, idx) })
}

// Checkpoints is every checkpoint, in signing order.
func (v AuditView) Checkpoints(ctx context.Context) ([]auditlog.Checkpoint, error) {
	rows, err := v.q.AuditCheckpoints(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]auditlog.Checkpoint, len(rows))
	for i, r := range rows {
		out[i] = checkpoint(r)
	}
	return out, nil
}

// Rows reads the sequenced events in log order, a page at a time.
func (v AuditView) Rows(ctx context.Context) iter.Seq2[auditlog.Row, error] {
	return func(yield func(auditlog.Row, error) bool) {
		var from int64
		for {
			rows, err := v.q.AuditLogRange(ctx, db.AuditLogRangeParams{FromIndex: from, N: 1000})
			if err != nil {
				yield(auditlog.Row{}, mapErr(err))
				return
			}
			for _, r := range rows {
				row := auditlog.Row{Index: *r.LogIndex, Event: auditlog.Event{ApplicationID: r.ApplicationID, Seq: r.Seq, At: r.At,
					Kind: r.Kind, From: r.FromState, To: r.ToState, Actor: r.Actor, Data: r.Data}}
				if !yield(row, nil) {
					return
				}
				from = *r.LogIndex + 1
			}
			if len(rows) < 1000 {
				return
			}
		}
	}
}

// AuditEntry is an event of an application with its log index, nil
// while not yet sequenced.
type AuditEntry struct {
	Event    auditlog.Event
	LogIndex *int64
}

// AuditTrail is an application's events in its own order.
func (s *Store) AuditTrail(ctx context.Context, appID string) ([]AuditEntry, error) {
	rows, err := s.Queries.db.AuditForApplication(ctx, appID)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{LogIndex: r.LogIndex, Event: auditlog.Event{ApplicationID: r.ApplicationID, Seq: r.Seq, At: r.At,
			Kind: r.Kind, From: r.FromState, To: r.ToState, Actor: r.Actor, Data: r.Data}}
	}
	return out, nil
}
