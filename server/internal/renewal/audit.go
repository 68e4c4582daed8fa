package renewal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"renewal/server/internal/apierr"
	"renewal/server/internal/auditlog"
	"renewal/server/internal/store"
)

// appendAudit records an event inside tx. data is any JSON value, stored
// as the exact text that is hashed. No global lock: the caller holds the
// application's row lock, which orders the application's own events;
// the sequencer orders all of them later.
func appendAudit(ctx context.Context, tx *store.Tx, appID string, at time.Time, kind string, from, to State, actor string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("audit data: %w", err)
	}
	return tx.AuditAppend(ctx, auditlog.Event{
		ApplicationID: appID, At: at.UTC().Truncate(time.Microsecond), Kind: kind,
		From: string(from), To: string(to), Actor: actor, Data: string(raw),
	})
}

// refuseAudited records a refusal of the application's holder as an
// audit event "refused:<code>" (the state unchanged) and returns it as a
// *store.Keep, so the event commits with whatever the refusal itself must
// keep (a counted attempt, a spent challenge) and nothing else changes.
func (s *Service) refuseAudited(ctx context.Context, tx *store.Tx, app *store.Application, actor string, refusal error, data map[string]string) error {
	if err := s.auditRefusal(ctx, tx, app, actor, refusal, data); err != nil {
		return err
	}
	return &store.Keep{Err: refusal}
}

// auditRefusal appends the event of refuseAudited alone, for a refusal
// that concerns several applications.
func (s *Service) auditRefusal(ctx context.Context, tx *store.Tx, app *store.Application, actor string, refusal error, data map[string]string) error {
	code := "refused"
	var ae *apierr.Error
	if errors.As(refusal, &ae) {
		code = ae.Code
	}
	st := State(app.State)
	return appendAudit(ctx, tx, app.ID, s.now(), "refused:"+code, st, st, actor, data)
}

// AuditLog sequences, signs and proves the audit trail.
type AuditLog struct {
	st  *store.Store
	key *auditlog.Key
	now func() time.Time
	log *slog.Logger
}

// NewAuditLog is the log on st, checkpoints signed with key (the log's
// own, never the CA's).
func NewAuditLog(st *store.Store, key *auditlog.Key, now func() time.Time, log *slog.Logger) *AuditLog {
	if now == nil {
		now = time.Now
	}
	return &AuditLog{st: st, key: key, now: now, log: log}
}

// sequenceBatch bounds one transaction (and one checkpoint) of the
// sequencer.
const sequenceBatch = 1000

// Sequence gives every pending event a log index, a batch per
// transaction and a signed checkpoint per batch, and returns how many it
// sequenced. Another sequencer running already makes it return 0.
func (a *AuditLog) Sequence(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		ran, err := a.st.AuditSequence(ctx, func(s auditlog.Storage) error {
			var err error
			n, err = auditlog.Sequence(ctx, s, a.key, a.now(), sequenceBatch)
			return err
		})
		total += n
		if err != nil || !ran || n < sequenceBatch {
			return total, err
		}
	}
}

// AuditSequenceArgs is the sequencer's job, run every second.
type AuditSequenceArgs struct{}

func (AuditSequenceArgs) Kind() string { return "audit_sequence" }

type auditSequencer struct {
	river.WorkerDefaults[AuditSequenceArgs]
	a *AuditLog
}

func (w *auditSequencer) Work(ctx context.Context, _ *river.Job[AuditSequenceArgs]) error {
	n, err := w.a.Sequence(ctx)
	if n > 0 {
		w.a.log.Debug("audit sequenced", "events", n)
	}
	return err
}

// Workers registers the sequencer, on River's pool like every job.
func (a *AuditLog) Workers(w *river.Workers) {
	jobs := *a
	jobs.st = a.st.ForJobs()
	river.AddWorker(w, &auditSequencer{a: &jobs})
}

// PeriodicJob runs the sequencer every second (River's leader inserts
// it; the sequencer's lock keeps two runs from overlapping).
func (a *AuditLog) PeriodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Second),
		func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: the next second's run is the retry.
			return AuditSequenceArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true})
}

// VerifierKey is the note verifier key of the checkpoints.
func (a *AuditLog) VerifierKey() string { return a.key.VKey }

// Checkpoint is the latest signed checkpoint, in the note format.
func (a *AuditLog) Checkpoint(ctx context.Context) ([]byte, error) {
	c, err := a.st.AuditCheckpointLatest(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoCheckpoint
	}
	return c.Note, err
}

// AuditTrail is an application's events with their inclusion proofs
// against one checkpoint.
type AuditTrail struct {
	ApplicationID string `json:"application_id"`
	// Checkpoint is the signed note the proofs are against ("" before
	// the first); TreeSize is its size.
	Checkpoint string       `json:"checkpoint"`
	TreeSize   int64        `json:"tree_size"`
	Events     []AuditEntry `json:"events"`
}

// AuditEntry is one event. Record is the canonical encoding hashed into
// the log (auditlog.Event.Record); Proof is tlog's record proof, base64
// hashes. A pending event has no log index yet.
type AuditEntry struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Actor    string    `json:"actor"`
	Data     string    `json:"data"`
	Record   []byte    `json:"record"`
	LogIndex *int64    `json:"log_index,omitempty"`
	Proof    []string  `json:"proof,omitempty"`
	Pending  bool      `json:"pending,omitempty"`
}

// Trail gives an application's events with proofs.
func (a *AuditLog) Trail(ctx context.Context, appID string) (*AuditTrail, error) {
	// Events first: every one sequenced by now is in the checkpoint read
	// after (a batch and its checkpoint commit together).
	entries, err := a.st.AuditTrail(ctx, appID)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, ErrNoAuditTrail
	}
	out := &AuditTrail{ApplicationID: appID, Events: make([]AuditEntry, len(entries))}
	c, err := a.st.AuditCheckpointLatest(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	out.Checkpoint, out.TreeSize = string(c.Note), c.Size
	hr := a.st.AuditHashReader(ctx)
	for i, en := range entries {
		e := en.Event
		ae := AuditEntry{Seq: e.Seq, At: e.At.UTC(), Kind: e.Kind, From: e.From, To: e.To, Actor: e.Actor, Data: e.Data, Record: e.Record()}
		if en.LogIndex == nil || *en.LogIndex >= c.Size {
			ae.Pending = true
		} else {
			p, err := auditlog.Prove(c.Size, *en.LogIndex, hr)
			if err != nil {
				return nil, fmt.Errorf("audit proof: %w", err)
			}
			ae.LogIndex, ae.Proof = en.LogIndex, make([]string, len(p))
			for k, h := range p {
				ae.Proof[k] = base64.StdEncoding.EncodeToString(h[:])
			}
		}
		out.Events[i] = ae
	}
	return out, nil
}

// DecodeProof reads AuditEntry.Proof back.
func DecodeProof(p []string) (tlog.RecordProof, error) {
	out := make(tlog.RecordProof, len(p))
	for i, s := range p {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %d: not a base64 SHA-256", i)
		}
		out[i] = tlog.Hash(b)
	}
	return out, nil
}

// VerifyAudit recomputes the whole log from the rows and checks it
// against the stored hashes and every checkpoint signed with v. A
// finding is an *auditlog.BadEvent or *auditlog.BadCheckpoint.
func VerifyAudit(ctx context.Context, st *store.Store, v note.Verifier) (auditlog.Verified, error) {
	var out auditlog.Verified
	err := st.AuditSnapshot(ctx, func(view store.AuditView) error {
		cps, err := view.Checkpoints(ctx)
		if err != nil {
			return err
		}
		out, err = auditlog.Verify(view.Rows(ctx), view.Hashes(ctx), cps, v)
		return err
	})
	return out, err
}
