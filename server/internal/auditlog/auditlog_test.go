package auditlog

import (
	"context"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"
)

// memLog is Storage in memory, with the rows a database would hold.
type memLog struct {
	hashes  []tlog.Hash
	rows    []Row // sequenced, in log order
	pending []Pending
	cps     []Checkpoint
}

func (m *memLog) TreeSize(context.Context) (int64, error) {
	if len(m.cps) == 0 {
		return 0, nil
	}
	return m.cps[len(m.cps)-1].Size, nil
}

func (m *memLog) Pending(_ context.Context, limit int) ([]Pending, error) {
	return m.pending[:min(limit, len(m.pending))], nil
}

func (m *memLog) ReadHashes(_ context.Context, idx []int64) ([]tlog.Hash, error) { return m.read(idx) }

func (m *memLog) read(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for k, i := range idx {
		if i >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("no hash %d", i)
		}
		out[k] = m.hashes[i]
	}
	return out, nil
}

func (m *memLog) Append(_ context.Context, b Batch) error {
	if b.HashIndex != int64(len(m.hashes)) {
		return fmt.Errorf("hash index %d, have %d", b.HashIndex, len(m.hashes))
	}
	m.hashes = append(m.hashes, b.Hashes...)
	for k := range b.IDs {
		m.rows = append(m.rows, Row{Index: b.FirstIndex + int64(k), Event: m.pending[k].Event})
	}
	m.pending = m.pending[len(b.IDs):]
	b.Checkpoint.ID = int64(len(m.cps) + 1)
	m.cps = append(m.cps, b.Checkpoint)
	return nil
}

func (m *memLog) seq() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for _, r := range m.rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)

// event k of application app; n counts per application.
func (m *memLog) write(app string, kind string) {
	var seq int64
	for _, r := range m.rows {
		if r.Event.ApplicationID == app {
			seq++
		}
	}
	for _, p := range m.pending {
		if p.Event.ApplicationID == app {
			seq++
		}
	}
	id := int64(len(m.rows) + len(m.pending) + 1)
	m.pending = append(m.pending, Pending{ID: id, Event: Event{ApplicationID: app, Seq: seq, At: t0.Add(time.Duration(id) * time.Second),
		Kind: kind, From: "started", To: "started", Actor: "holder", Data: fmt.Sprintf(`{"n":%d}`, id)}})
}

func testKey(t *testing.T) *Key {
	t.Helper()
	k, err := LoadKey(filepath.Join(t.TempDir(), "audit.key"))
	require.NoError(t, err)
	return k
}

// filled: 12 events of three applications in four checkpoints of three.
func filled(t *testing.T, key *Key) *memLog {
	t.Helper()
	m := &memLog{}
	apps := []string{"A", "B", "C"}
	for b := range 4 {
		for k := range 3 {
			m.write(apps[(b+k)%3], fmt.Sprintf("kind-%d-%d", b, k))
		}
		n, err := Sequence(context.Background(), m, key, t0.Add(time.Duration(b)*time.Second), 100)
		require.NoError(t, err)
		require.Equal(t, 3, n)
	}
	return m
}

func TestRecord(t *testing.T) {
	e := Event{ApplicationID: "app-1", Seq: 7, At: t0, Kind: "transition:paid", From: "awaiting_payment", To: "paid", Actor: "provider", Data: `{"a":"b:c\n"}`}
	assert.Equal(t, "renewal-audit/1\n5:app-1\n1:7\n27:2026-03-01T10:00:00.123456Z\n15:transition:paid\n16:awaiting_payment\n4:paid\n8:provider\n13:{\"a\":\"b:c\\n\"}\n",
		string(e.Record()), "the encoding is fixed: changing it breaks every stored log")
	back, err := ParseRecord(e.Record())
	require.NoError(t, err)
	assert.Equal(t, e, back)

	// Lengths keep fields apart whatever they contain.
	a := Event{ApplicationID: "x\n1:y", Kind: "k"}
	b := Event{ApplicationID: "x", Kind: "y\n1:k"}
	assert.NotEqual(t, a.Hash(), b.Hash())
	_, err = ParseRecord([]byte("renewal-audit/1\n3:ab\n"))
	assert.Error(t, err)
}

func TestLoadKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "audit.key")
	k1, err := LoadKey(path)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	k2, err := LoadKey(path)
	require.NoError(t, err)
	assert.Equal(t, k1.VKey, k2.VKey, "the key made on the first start is kept")
	assert.Equal(t, KeyName, k1.Verifier.Name())

	require.NoError(t, os.WriteFile(path, []byte("PRIVATE+KEY+x+00000000+AAAA\n"), 0o600))
	_, err = LoadKey(path)
	assert.Error(t, err)
}

func TestSequenceProofs(t *testing.T) {
	key := testKey(t)
	m := filled(t, key)
	n, err := Sequence(context.Background(), m, key, t0, 100)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing pending: no checkpoint")
	require.Len(t, m.cps, 4)

	latest, err := OpenCheckpoint(m.cps[3].Note, key.Verifier)
	require.NoError(t, err)
	assert.Equal(t, int64(12), latest.N)
	hr := tlog.HashReaderFunc(m.read)
	for _, r := range m.rows {
		p, err := Prove(latest.N, r.Index, hr)
		require.NoError(t, err)
		assert.NoError(t, tlog.CheckRecord(p, latest.N, latest.Hash, r.Index, r.Event.Hash()), "record %d", r.Index)
		other := r.Event
		other.Actor = "someone else"
		assert.Error(t, tlog.CheckRecord(p, latest.N, latest.Hash, r.Index, other.Hash()))
	}
	// Every older checkpoint is a prefix of the latest.
	for _, c := range m.cps[:3] {
		old, err := OpenCheckpoint(c.Note, key.Verifier)
		require.NoError(t, err)
		p, err := tlog.ProveTree(latest.N, old.N, hr)
		require.NoError(t, err)
		assert.NoError(t, tlog.CheckTree(p, latest.N, latest.Hash, old.N, old.Hash))
	}
	_, err = OpenCheckpoint(m.cps[0].Note, testKey(t).Verifier)
	assert.Error(t, err, "another key's verifier refuses it")
}

func TestVerify(t *testing.T) {
	key := testKey(t)
	// rewrite recomputes every stored hash from the rows, as one with
	// write access to the database could.
	rewrite := func(m *memLog) {
		m.hashes = nil
		hr := tlog.HashReaderFunc(m.read)
		for i, r := range m.rows {
			m.rows[i].Index = int64(i)
			hs, err := tlog.StoredHashes(int64(i), r.Event.Record(), hr)
			require.NoError(t, err)
			m.hashes = append(m.hashes, hs...)
		}
	}
	for _, tc := range []struct {
		name   string
		tamper func(m *memLog)
		index  int64
		app    string
		reason string
	}{
		{"ok/clean", func(*memLog) {}, -1, "", ""},
		{"fail/altered", func(m *memLog) { m.rows[4].Event.Data = `{"n":0}` }, 4, "C", "does not match the hash stored"},
		{"fail/deleted", func(m *memLog) { m.rows = append(m.rows[:5:5], m.rows[6:]...) }, 5, "", "missing"},
		{"fail/reordered", func(m *memLog) {
			m.rows[6].Event, m.rows[7].Event = m.rows[7].Event, m.rows[6].Event
		}, 6, "A", ""},
		{"fail/inserted-at-end", func(m *memLog) {
			m.rows = append(m.rows, Row{Index: 12, Event: Event{ApplicationID: "B", Seq: 4, Kind: "forged"}})
			rewrite(m)
		}, 12, "B", "no checkpoint covers it"},
		{"fail/removed-at-end", func(m *memLog) { m.rows = m.rows[:10] }, 10, "", "signed 12 events"},
		{"fail/rewritten-from-batch-start", func(m *memLog) {
			m.rows[6].Event.Actor = "operator"
			rewrite(m)
		}, 6, "C", "checkpoint 3 (size 9"},
		{"fail/deleted-and-renumbered", func(m *memLog) {
			m.rows = append(m.rows[:3:3], m.rows[4:]...)
			rewrite(m)
		}, 3, "C", "application B, kind-2-2): the application's event 1 is missing before its event 2"},
		{"fail/rewritten-mid-batch", func(m *memLog) {
			// Signed in the same checkpoint as 3 and 5: the checkpoints
			// bound it to that batch, and no finer.
			m.rows[4].Event.Kind = "forged"
			rewrite(m)
		}, 3, "B", "from log index 3 to 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := filled(t, key)
			tc.tamper(m)
			v, err := Verify(m.seq(), tlog.HashReaderFunc(m.read), m.cps, key.Verifier)
			if tc.index < 0 {
				require.NoError(t, err)
				assert.Equal(t, int64(12), v.Size)
				assert.Equal(t, 4, v.Checkpoints)
				assert.Equal(t, int64(12), v.Tree.N)
				return
			}
			var bad *BadEvent
			require.ErrorAs(t, err, &bad)
			assert.Equal(t, tc.index, bad.Index, bad.Error())
			assert.Equal(t, tc.app, bad.ApplicationID, bad.Error())
			assert.Contains(t, bad.Reason, tc.reason)
		})
	}
	t.Run("fail/foreign-checkpoint", func(t *testing.T) {
		m := filled(t, key)
		m.cps[1].Note = filled(t, testKey(t)).cps[1].Note
		_, err := Verify(m.seq(), tlog.HashReaderFunc(m.read), m.cps, key.Verifier)
		var bad *BadCheckpoint
		require.ErrorAs(t, err, &bad)
		assert.Equal(t, int64(2), bad.ID)
	})
}
