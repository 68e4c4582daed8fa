package api

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"renewal/server/internal/auditlog"
	"renewal/server/internal/renewal"
)

// get fetches a path in-process with optional headers.
func (f *flow) get(path string, header ...string) (int, string, []byte) {
	f.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := f.send(req)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp.StatusCode, resp.Header.Get(keyHeader), b
}

// checkTrail checks every sequenced event of a trail with tlog's own
// verifier against the served checkpoint, opened with the served key.
func checkTrail(t *testing.T, tr renewal.AuditTrail, tree tlog.Tree) (proven, pending int) {
	t.Helper()
	for _, e := range tr.Events {
		// The record is recomputed from the fields shown: they are what
		// the proof covers.
		rec := auditlog.Event{ApplicationID: tr.ApplicationID, Seq: e.Seq, At: e.At, Kind: e.Kind, From: e.From, To: e.To, Actor: e.Actor, Data: e.Data}.Record()
		assert.Equal(t, string(rec), string(e.Record))
		if e.Pending {
			pending++
			continue
		}
		require.NotNil(t, e.LogIndex)
		p, err := renewal.DecodeProof(e.Proof)
		require.NoError(t, err)
		assert.NoError(t, tlog.CheckRecord(p, tree.N, tree.Hash, *e.LogIndex, tlog.RecordHash(rec)), "event %d", *e.LogIndex)
		assert.Error(t, tlog.CheckRecord(p, tree.N, tree.Hash, *e.LogIndex, tlog.RecordHash(append(rec, 'x'))))
		proven++
	}
	return proven, pending
}

func TestAuditProofs(t *testing.T) {
	f := newFlow(t)
	h := f.holder("ru-owner", "+79000000451", "proofs@example.ru")
	other := f.holder("ru-owner", "+79000000452", "other@example.ru")

	status, _, _ := f.get("/api/v1/audit/checkpoint")
	assert.Equal(t, 404, status, "nothing signed yet")

	h.start("ru-owner")
	other.start("ru-owner")
	f.sequence()
	// Written after the checkpoint: pending until the next.
	st, e := h.prove()
	require.Less(t, st, 300, e.MessageEN)
	h.acceptTerms()

	status, vkey, msg := f.get("/api/v1/audit/checkpoint")
	require.Equal(t, 200, status)
	_, _, served := f.get("/api/v1/audit/key")
	assert.Equal(t, vkey+"\n", string(served))
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	n, err := note.Open(msg, note.VerifierList(v))
	require.NoError(t, err)
	tree, err := tlog.ParseTree([]byte(n.Text))
	require.NoError(t, err)

	var tr renewal.AuditTrail
	h.must("GET", "/api/v1/renewal/audit", nil, &tr)
	assert.Equal(t, h.id, tr.ApplicationID)
	assert.Equal(t, string(msg), tr.Checkpoint)
	proven, pending := checkTrail(t, tr, tree)
	assert.GreaterOrEqual(t, proven, 2)
	assert.GreaterOrEqual(t, pending, 1, "the tariff and terms are not sequenced yet")
	for i, e := range tr.Events {
		assert.Equal(t, int64(i), e.Seq, "the application's own order")
	}

	// The operator sees any application; the next checkpoint covers all,
	// once the proof's registry-phone notice (a job of its own) is written.
	require.Eventually(t, func() bool {
		return slices.ContainsFunc(f.auditKinds(h.id), func(k string) bool { return strings.HasPrefix(k, "notice:registry_phone") })
	}, 20*time.Second, 50*time.Millisecond, "the registry-phone notice of the proof")
	f.sequence()

	status, _, msg = f.get("/api/v1/audit/checkpoint")
	require.Equal(t, 200, status)
	n, err = note.Open(msg, note.VerifierList(v))
	require.NoError(t, err)
	tree, err = tlog.ParseTree([]byte(n.Text))
	require.NoError(t, err)
	status, _, body := f.get("/api/v1/operator/applications/"+h.id+"/audit", "Authorization", "Bearer operator-secret")
	require.Equal(t, 200, status, string(body))
	tr = renewal.AuditTrail{}
	require.NoError(t, json.Unmarshal(body, &tr))
	proven, pending = checkTrail(t, tr, tree)
	assert.Zero(t, pending)
	assert.Equal(t, len(tr.Events), proven)

	status, _, _ = f.get("/api/v1/operator/applications/" + other.id + "/audit")
	assert.Equal(t, 403, status, "no operator token")
	status, _, _ = f.get("/api/v1/operator/applications/nonexistent/audit", "Authorization", "Bearer operator-secret")
	assert.Equal(t, 404, status)
	status, _, _ = f.get("/api/v1/renewal/audit")
	assert.Equal(t, 401, status, "no session")
}
