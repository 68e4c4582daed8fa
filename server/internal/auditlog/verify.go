package auditlog

import (
	"errors"
	"fmt"
	"iter"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Row is a sequenced event as read back, in log order.
type Row struct {
	Index int64
	Event Event
}

// BadEvent is the first event the log no longer vouches for.
type BadEvent struct {
	Index         int64 // log index
	ApplicationID string
	Kind          string
	Reason        string
}

func (b *BadEvent) Error() string {
	who := "unknown application"
	if b.ApplicationID != "" {
		who = fmt.Sprintf("application %s, %s", b.ApplicationID, b.Kind)
	}
	return fmt.Sprintf("audit log broken at event %d (%s): %s", b.Index, who, b.Reason)
}

// BadCheckpoint is a stored checkpoint that is not ours or not a tree.
type BadCheckpoint struct {
	ID     int64
	Reason string
}

func (b *BadCheckpoint) Error() string {
	return fmt.Sprintf("audit checkpoint %d: %s", b.ID, b.Reason)
}

// Verified is what a clean log proves.
type Verified struct {
	Size        int64      // events in the tree
	Latest      Checkpoint // the last signed
	Tree        tlog.Tree  // the latest checkpoint's tree
	Checkpoints int        // how many were checked
}

// Verify recomputes the tree from rows (in log order), compares every
// leaf with the stored hashes, every application's events with their
// own sequence numbers, and every checkpoint (in signing order) with the
// recomputed tree at its size. It returns a *BadEvent for the first
// event that fails, or a *BadCheckpoint.
//
// An event rewritten together with every hash after it agrees with the
// stored hashes; only the signed checkpoints catch it, and they bound it
// to the events signed since the last checkpoint that still agrees.
func Verify(rows iter.Seq2[Row, error], stored tlog.HashReader, checkpoints []Checkpoint, v note.Verifier) (Verified, error) {
	var (
		hashes  []tlog.Hash // recomputed stored hashes
		names   []BadEvent  // application and kind per log index, to name a bad one
		nextSeq = map[string]int64{}
		first   *BadEvent
		exact   *BadEvent // the first finding of a single event, for the report of a range
	)
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for k, i := range idx {
			if i < 0 || i >= int64(len(hashes)) {
				return nil, fmt.Errorf("hash %d not computed", i)
			}
			out[k] = hashes[i]
		}
		return out, nil
	})
	found := func(b BadEvent) {
		if first == nil || b.Index < first.Index {
			first = &b
		}
	}
	foundExact := func(b BadEvent) {
		if exact == nil || b.Index < exact.Index {
			exact = &b
		}
		found(b)
	}
	var (
		leafIdx  []int64 // stored leaf hashes to compare, in chunks
		leafRows []int64
	)
	compareLeaves := func() error {
		if len(leafIdx) == 0 {
			return nil
		}
		got, err := stored.ReadHashes(leafIdx)
		if err != nil {
			return fmt.Errorf("read stored hashes: %w", err)
		}
		for k, i := range leafRows {
			if got[k] != hashes[leafIdx[k]] {
				b := names[i]
				b.Reason = "its content does not match the hash stored when it was sequenced (altered, or moved from another index)"
				foundExact(b)
			}
		}
		leafIdx, leafRows = leafIdx[:0], leafRows[:0]
		return nil
	}

	var n int64
	for r, err := range rows {
		if err != nil {
			return Verified{}, err
		}
		if r.Index != n {
			foundExact(BadEvent{Index: n, Reason: fmt.Sprintf("missing: the next event in the log has index %d (removed)", r.Index)})
			break // the indexes after a gap cannot be hashed as a tree
		}
		e := r.Event
		names = append(names, BadEvent{Index: n, ApplicationID: e.ApplicationID, Kind: e.Kind})
		switch want := nextSeq[e.ApplicationID]; {
		case e.Seq > want:
			b := names[n]
			b.Reason = fmt.Sprintf("the application's event %d is missing before its event %d (removed)", want, e.Seq)
			foundExact(b)
		case e.Seq < want:
			b := names[n]
			b.Reason = fmt.Sprintf("the application's event %d comes after its event %d (reordered or inserted)", e.Seq, want-1)
			foundExact(b)
		}
		nextSeq[e.ApplicationID] = max(nextSeq[e.ApplicationID], e.Seq+1)
		hs, err := tlog.StoredHashes(n, e.Record(), hr)
		if err != nil {
			return Verified{}, err
		}
		hashes = append(hashes, hs...)
		leafIdx = append(leafIdx, tlog.StoredHashIndex(0, n))
		leafRows = append(leafRows, n)
		if len(leafIdx) == 512 {
			if err := compareLeaves(); err != nil {
				return Verified{}, err
			}
		}
		n++
	}
	if err := compareLeaves(); err != nil {
		return Verified{}, err
	}
	nameAt := func(i int64, reason string) BadEvent {
		b := BadEvent{Index: i, Reason: reason}
		if i < int64(len(names)) {
			b.ApplicationID, b.Kind = names[i].ApplicationID, names[i].Kind
		}
		return b
	}

	// Checkpoints: signature, then the recomputed root at each size.
	out := Verified{Size: n}
	trees := make([]tlog.Tree, len(checkpoints))
	agree := make([]bool, len(checkpoints))
	for k, c := range checkpoints {
		t, err := OpenCheckpoint(c.Note, v)
		if err != nil {
			return Verified{}, &BadCheckpoint{c.ID, err.Error()}
		}
		if t.N != c.Size {
			return Verified{}, &BadCheckpoint{c.ID, fmt.Sprintf("stored size %d, signed size %d", c.Size, t.N)}
		}
		if k > 0 && t.N < trees[k-1].N {
			return Verified{}, &BadCheckpoint{c.ID, fmt.Sprintf("size %d after %d: the log shrank", t.N, trees[k-1].N)}
		}
		trees[k] = t
		if t.N <= n {
			h, err := tlog.TreeHash(t.N, hr)
			if err != nil {
				return Verified{}, err
			}
			agree[k] = h == t.Hash
		}
	}
	good := int64(0) // the largest size still vouched for
	for k, t := range trees {
		if agree[k] {
			good = max(good, t.N)
			continue
		}
		if t.N > n {
			found(nameAt(n, fmt.Sprintf("checkpoint %d signed %d events, the log has %d (removed)", checkpoints[k].ID, t.N, n)))
			continue
		}
		// Somewhere in [good, N) the tree differs from what was signed;
		// an exact finding there explains it.
		if first != nil && first.Index >= good && first.Index < t.N {
			continue
		}
		reason := fmt.Sprintf("checkpoint %d (size %d, signed %s) does not match the events from log index %d to %d (altered, inserted, removed or reordered, with the hashes recomputed)",
			checkpoints[k].ID, t.N, checkpoints[k].SignedAt.UTC().Format("2006-01-02 15:04:05"), good, t.N-1)
		if exact != nil {
			reason += "; later, " + exact.Error()
		}
		found(nameAt(good, reason))
	}
	switch last := len(trees) - 1; {
	case last < 0 && n > 0:
		found(nameAt(0, "no checkpoint was ever signed for it (inserted)"))
	case last >= 0 && trees[last].N < n:
		found(nameAt(trees[last].N, fmt.Sprintf("no checkpoint covers it: the latest signed %d events (inserted)", trees[last].N)))
	}
	if first != nil {
		return Verified{}, first
	}
	if len(trees) > 0 {
		out.Latest, out.Tree = checkpoints[len(trees)-1], trees[len(trees)-1]
	}
	out.Checkpoints = len(trees)
	return out, nil
}

// IsBroken says whether err is a finding of Verify, not a failure to read.
func IsBroken(err error) bool {
	var be *BadEvent
	var bc *BadCheckpoint
	return errors.As(err, &be) || errors.As(err, &bc)
}
