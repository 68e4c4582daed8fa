package sandbox

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// A sandbox keeps its state in a journal, DIR/card.journal or
// DIR/erip.journal: one JSON line per change (a payment as it now is, with
// the deliveries that change queued; or a delivery's outcome). A change is
// reported done only once its line is written and fsynced; changes that
// arrive together share one write and one fsync (group commit), so
// payments do not wait for each other's disk. Opening the sandbox replays
// the journal and compacts it: a new file with one line per payment,
// written aside, fsynced and renamed over the old one. A last line cut
// short by a crash is dropped (its change was never reported done); any
// other unreadable line is an error, not a silent reset.
//
// The state file of earlier versions (DIR/card.json, one JSON document
// rewritten on every change) is read once when there is no journal yet,
// and removed after its contents are compacted into the journal.

const journalVersion = 2 // version 1 was the whole-state JSON file

// jLine is one line of the journal. The first line of a compacted
// journal has Version and Seq; the others have a change.
type jLine struct {
	Version int           `json:"version,omitempty"`
	Seq     int64         `json:"seq,omitempty"`     // the highest delivery number given out so far
	Payment *sbPayment    `json:"payment,omitempty"` // the payment as it now is
	Queued  []*sbDelivery `json:"queued,omitempty"`  // deliveries added or changed
	Done    []int64       `json:"done,omitempty"`    // deliveries acknowledged, removed
}

// sbState is a sandbox's whole state, as replayed from disk.
type sbState struct {
	Version  int                   `json:"version"`
	Seq      int64                 `json:"seq"`
	Payments map[string]*sbPayment `json:"payments"`
	Outbox   []*sbDelivery         `json:"outbox"` // in Seq order
}

// openJournal reads the state of method in dir (the journal, or else a
// legacy state file), compacts it into a fresh journal and opens that for
// appending. Deliveries that gave up before the restart are revived: the
// usual reason was the server being down.
func openJournal(dir, method string) (*journal, sbState, error) {
	path := filepath.Join(dir, method+".journal")
	legacy := filepath.Join(dir, method+".json")
	st, err := replay(path)
	if errors.Is(err, os.ErrNotExist) {
		st, err = readLegacy(legacy)
	}
	if err != nil {
		return nil, sbState{}, err
	}
	now := time.Now()
	for _, d := range st.Outbox {
		if d.Dead {
			d.Dead, d.Attempts, d.NextAt = false, 0, now
		}
	}
	if err := compact(path, st); err != nil {
		return nil, sbState{}, err
	}
	if err := os.Remove(legacy); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, sbState{}, fmt.Errorf("payments: sandbox: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, sbState{}, fmt.Errorf("payments: sandbox: %w", err)
	}
	j := &journal{path: path, f: f}
	j.cond.L = &j.mu
	return j, st, nil
}

func emptyState() sbState {
	return sbState{Version: journalVersion, Payments: map[string]*sbPayment{}}
}

// replay reads a journal; os.ErrNotExist if there is none.
func replay(path string) (sbState, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return sbState{}, err
		}
		return sbState{}, fmt.Errorf("payments: sandbox: %w", err)
	}
	st := emptyState()
	queued := map[int64]*sbDelivery{}
	for n := 1; len(b) > 0; n++ {
		line, rest, complete := bytes.Cut(b, []byte("\n"))
		b = rest
		if !complete {
			break // cut short by a crash before its fsync: never reported done
		}
		var l jLine
		if err := json.Unmarshal(line, &l); err != nil {
			return sbState{}, fmt.Errorf("payments: sandbox: journal %s, line %d: %w", path, n, err)
		}
		if n == 1 && l.Version != journalVersion {
			return sbState{}, fmt.Errorf("payments: sandbox: journal %s: version %d, want %d", path, l.Version, journalVersion)
		}
		st.Seq = max(st.Seq, l.Seq)
		if l.Payment != nil {
			st.Payments[l.Payment.Ref] = l.Payment
		}
		for _, d := range l.Queued {
			queued[d.Seq] = d
			st.Seq = max(st.Seq, d.Seq)
		}
		for _, seq := range l.Done {
			delete(queued, seq)
			st.Seq = max(st.Seq, seq)
		}
	}
	for _, d := range queued {
		st.Outbox = append(st.Outbox, d)
	}
	slices.SortFunc(st.Outbox, func(a, b *sbDelivery) int { return cmp.Compare(a.Seq, b.Seq) })
	return st, nil
}

// readLegacy reads the whole-state file of version 1, if any.
func readLegacy(path string) (sbState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return emptyState(), nil
	}
	if err != nil {
		return sbState{}, fmt.Errorf("payments: sandbox: %w", err)
	}
	var st sbState
	if err := json.Unmarshal(b, &st); err != nil {
		return sbState{}, fmt.Errorf("payments: sandbox: state file %s: %w", path, err)
	}
	if st.Version != 1 {
		return sbState{}, fmt.Errorf("payments: sandbox: state file %s: version %d, want 1", path, st.Version)
	}
	if st.Payments == nil {
		st.Payments = map[string]*sbPayment{}
	}
	slices.SortFunc(st.Outbox, func(a, b *sbDelivery) int { return cmp.Compare(a.Seq, b.Seq) })
	st.Version = journalVersion
	return st, nil
}

// compact writes st as a new journal at path: a temporary file in the same
// directory, fsync, rename, fsync of the directory.
func compact(path string, st sbState) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return fmt.Errorf("payments: sandbox: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this fails harmlessly
	w := bufio.NewWriter(tmp)
	enc := json.NewEncoder(w) // one line per value
	werr := enc.Encode(jLine{Version: journalVersion, Seq: st.Seq})
	byRef := map[string][]*sbDelivery{}
	for _, d := range st.Outbox {
		byRef[d.Ref] = append(byRef[d.Ref], d)
	}
	refs := make([]string, 0, len(st.Payments))
	for ref := range st.Payments {
		refs = append(refs, ref)
	}
	for ref := range byRef {
		if st.Payments[ref] == nil {
			refs = append(refs, ref) // deliveries of a payment not on file: kept as they are
		}
	}
	slices.Sort(refs)
	for _, ref := range refs {
		if werr == nil {
			werr = enc.Encode(jLine{Payment: st.Payments[ref], Queued: byRef[ref]})
		}
	}
	if werr == nil {
		werr = w.Flush()
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if err := tmp.Close(); werr == nil {
		werr = err
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		return fmt.Errorf("payments: sandbox: compact journal: %w", werr)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// errJournalClosed is returned for a change after Close.
var errJournalClosed = errors.New("payments: sandbox: closed")

// journal appends lines with group commit: whoever finds no write under
// way writes every line added so far and fsyncs; the others wait for it.
// A failed write or fsync fails every later change too (the file may end
// in a partial line, which only a restart's replay can drop).
type journal struct {
	path string

	mu      sync.Mutex
	cond    sync.Cond // signalled when a write ends
	f       *os.File  // nil once closed
	buf     []byte    // lines added, not yet written
	spare   []byte    // the other buffer, reused
	added   uint64    // lines added since open
	synced  uint64    // lines written and fsynced
	writing bool
	err     error
}

// append adds l and returns once it is on disk.
func (j *journal) append(l jLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("payments: sandbox: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	if j.f == nil {
		return errJournalClosed
	}
	j.buf = append(append(j.buf, b...), '\n')
	j.added++
	mine := j.added
	for j.synced < mine && j.err == nil {
		if j.writing {
			j.cond.Wait()
			continue
		}
		if j.f == nil {
			return errJournalClosed // closed while this line waited
		}
		j.flushLocked()
	}
	if j.synced >= mine {
		return nil
	}
	return j.err
}

// flushLocked writes and fsyncs the buffer with j.mu released.
func (j *journal) flushLocked() {
	buf, upto, f := j.buf, j.added, j.f
	j.buf, j.writing = j.spare[:0], true
	j.mu.Unlock()
	_, err := f.Write(buf)
	if err == nil {
		err = f.Sync()
	}
	j.mu.Lock()
	j.writing, j.spare = false, buf
	if err != nil {
		j.err = fmt.Errorf("payments: sandbox: journal %s: %w", j.path, err)
	} else {
		j.synced = upto
	}
	j.cond.Broadcast()
}

// close waits for a write under way and closes the file. Every change
// already reported done is on disk.
func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.writing {
		j.cond.Wait()
	}
	if j.f == nil {
		return nil
	}
	if len(j.buf) > 0 && j.err == nil {
		j.flushLocked()
	}
	err := j.f.Close()
	j.f = nil
	if j.err != nil {
		return j.err
	}
	if err != nil {
		return fmt.Errorf("payments: sandbox: %w", err)
	}
	return nil
}
