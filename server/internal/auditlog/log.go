package auditlog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Pending is an event written but not yet given a log index.
type Pending struct {
	ID    int64 // the row's id: commit order is close enough under one sequencer
	Event Event
}

// Checkpoint is a signed tree head as stored.
type Checkpoint struct {
	ID       int64
	Size     int64
	Note     []byte // tlog.FormatTree signed with note.Sign
	SignedAt time.Time
}

// Batch is what one sequencing appends, in one transaction.
type Batch struct {
	IDs        []int64 // events given log indexes FirstIndex, FirstIndex+1, …
	FirstIndex int64
	HashIndex  int64       // stored hash index of Hashes[0]; stored hashes are append-only and contiguous
	Hashes     []tlog.Hash // tlog's stored hashes of the new records
	Checkpoint Checkpoint
}

// Storage is the sequencer's view of the database: one transaction that
// holds the sequencer's lock.
type Storage interface {
	TreeSize(ctx context.Context) (int64, error) // the latest checkpoint's size
	Pending(ctx context.Context, limit int) ([]Pending, error)
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	Append(ctx context.Context, b Batch) error
}

// Sequence gives up to limit pending events the next log indexes, stores
// their tree hashes and signs a checkpoint of the grown tree. It returns
// how many events it sequenced (0: nothing pending, nothing signed).
func Sequence(ctx context.Context, st Storage, key *Key, now time.Time, limit int) (int, error) {
	n, err := st.TreeSize(ctx)
	if err != nil {
		return 0, err
	}
	pend, err := st.Pending(ctx, limit)
	if err != nil || len(pend) == 0 {
		return 0, err
	}
	b := Batch{FirstIndex: n, HashIndex: tlog.StoredHashIndex(0, n)}
	// New hashes are read back while the batch grows; older ones come
	// from storage.
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		var old []int64
		for _, i := range idx {
			if i < b.HashIndex {
				old = append(old, i)
			}
		}
		var got []tlog.Hash
		if len(old) > 0 {
			var err error
			if got, err = st.ReadHashes(ctx, old); err != nil {
				return nil, err
			}
		}
		for k, i := range idx {
			if i < b.HashIndex {
				out[k], got = got[0], got[1:]
				continue
			}
			if i-b.HashIndex >= int64(len(b.Hashes)) {
				return nil, fmt.Errorf("audit log: hash %d not yet stored", i)
			}
			out[k] = b.Hashes[i-b.HashIndex]
		}
		return out, nil
	})
	for k, p := range pend {
		hs, err := tlog.StoredHashes(n+int64(k), p.Event.Record(), hr)
		if err != nil {
			return 0, fmt.Errorf("audit log: hashes of record %d: %w", n+int64(k), err)
		}
		b.Hashes = append(b.Hashes, hs...)
		b.IDs = append(b.IDs, p.ID)
	}
	size := n + int64(len(pend))
	root, err := tlog.TreeHash(size, hr)
	if err != nil {
		return 0, fmt.Errorf("audit log: tree hash: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: size, Hash: root}))}, key.Signer)
	if err != nil {
		return 0, fmt.Errorf("audit log: sign checkpoint: %w", err)
	}
	b.Checkpoint = Checkpoint{Size: size, Note: msg, SignedAt: now}
	if err := st.Append(ctx, b); err != nil {
		return 0, err
	}
	return len(pend), nil
}

// OpenCheckpoint checks a checkpoint's signature and reads its tree.
func OpenCheckpoint(msg []byte, v note.Verifier) (tlog.Tree, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("checkpoint: %w", err)
	}
	t, err := tlog.ParseTree([]byte(n.Text))
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("checkpoint: %w", err)
	}
	return t, nil
}

// Prove is the inclusion proof of the record at index in a tree of size
// n, read from the stored hashes.
func Prove(n, index int64, r tlog.HashReader) (tlog.RecordProof, error) {
	if index >= n {
		return nil, errors.New("audit log: record not in this tree")
	}
	return tlog.ProveRecord(n, index, r)
}
