package renewal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"renewal/server/internal/store"
)

// auditLock serialises writers of the audit chain: each event holds the
// hash of the one before, so two may not append at once.
const auditLock int64 = 0x61756469740a // "audit\n"

// auditEvent is what is hashed. Field order and formats are fixed: the
// hash of an event is SHA-256 over prev_hash followed by this JSON.
type auditEvent struct {
	ApplicationID string `json:"application_id"`
	At            string `json:"at"` // RFC 3339, UTC, microseconds (PostgreSQL's precision)
	Kind          string `json:"kind"`
	From          string `json:"from"`
	To            string `json:"to"`
	Actor         string `json:"actor"`
	Data          string `json:"data"`
}

func (e auditEvent) hash(prev []byte) []byte {
	b, _ := json.Marshal(e) // strings only: cannot fail
	h := sha256.New()
	h.Write(prev)
	h.Write(b)
	return h.Sum(nil)
}

// appendAudit adds an event to the chain inside tx. data is any JSON
// value; it is stored as the exact text that was hashed.
func appendAudit(ctx context.Context, tx *store.Tx, appID string, at time.Time, kind string, from, to State, actor string, data any) error {
	if err := tx.AdvisoryLock(ctx, auditLock); err != nil {
		return err
	}
	prev, err := tx.AuditLast(ctx)
	if err = store.MapErr(err); errors.Is(err, store.ErrNotFound) {
		prev = make([]byte, sha256.Size) // the first event follows 32 zero bytes
	} else if err != nil {
		return err
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("audit data: %w", err)
	}
	at = at.UTC().Truncate(time.Microsecond)
	e := auditEvent{ApplicationID: appID, At: at.Format(time.RFC3339Nano), Kind: kind, From: string(from), To: string(to), Actor: actor, Data: string(raw)}
	return store.MapErr(tx.AuditInsert(ctx, store.AuditInsertParams{
		ApplicationID: appID, At: at, Kind: kind, FromState: string(from), ToState: string(to),
		Actor: actor, Data: string(raw), PrevHash: prev, Hash: e.hash(prev),
	}))
}

// BrokenLink is the first event where the chain does not hold.
type BrokenLink struct {
	ID            int64
	ApplicationID string
	At            time.Time
	Reason        string
}

func (b *BrokenLink) Error() string {
	return fmt.Sprintf("audit chain broken at event %d (application %s, %s): %s", b.ID, b.ApplicationID, b.At.Format(time.RFC3339), b.Reason)
}

// VerifyAudit walks the whole chain in order and returns the number of
// events checked, and a *BrokenLink for the first one that does not hold.
func VerifyAudit(ctx context.Context, st *store.Store) (int, error) {
	prev := make([]byte, sha256.Size)
	var after int64
	n := 0
	for {
		rows, err := st.AuditAll(ctx, store.AuditAllParams{ID: after, Limit: 1000})
		if err != nil {
			return n, store.MapErr(err)
		}
		if len(rows) == 0 {
			return n, nil
		}
		for _, r := range rows {
			e := auditEvent{ApplicationID: r.ApplicationID, At: r.At.UTC().Format(time.RFC3339Nano), Kind: r.Kind,
				From: r.FromState, To: r.ToState, Actor: r.Actor, Data: r.Data}
			switch {
			case !bytes.Equal(r.PrevHash, prev):
				return n, &BrokenLink{r.ID, r.ApplicationID, r.At, "it does not follow the event before it (an event was removed or reordered)"}
			case !bytes.Equal(r.Hash, e.hash(prev)):
				return n, &BrokenLink{r.ID, r.ApplicationID, r.At, "its content does not match its hash (the row was altered); stored " + hex.EncodeToString(r.Hash[:8]) + "…"}
			}
			prev, after = r.Hash, r.ID
			n++
		}
	}
}
