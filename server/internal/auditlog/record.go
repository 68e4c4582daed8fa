// Package auditlog keeps the audit trail as a transparency log: every
// event is a record in a Merkle tree (golang.org/x/mod/sumdb/tlog, the Go
// checksum database's own code), and a sequencer signs checkpoints of the
// tree (golang.org/x/mod/sumdb/note). Writers never wait for each other:
// only the sequencer orders events, in batches.
//
// The package knows no database: Storage is what the sequencer needs
// from one transaction, and Verify reads plain rows.
package auditlog

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Event is one audit event as recorded.
type Event struct {
	ApplicationID string
	Seq           int64     // per application, from 0, in the application's own order
	At            time.Time // stored with microseconds (PostgreSQL's precision)
	Kind          string
	From, To      string
	Actor         string
	Data          string // JSON text, exactly as written
}

// recordVersion opens every record, so the encoding can change later
// without an old record reading as a new one.
const recordVersion = "renewal-audit/1"

// timeLayout fixes the digits: time.RFC3339Nano drops trailing zeros.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Record is the canonical encoding of the event, the bytes that are
// hashed into the log (tlog.RecordHash):
//
//	renewal-audit/1\n
//	then for each of application id, seq (decimal), at (UTC,
//	2006-01-02T15:04:05.000000Z), kind, from, to, actor, data:
//	<byte length in decimal>:<bytes>\n
//
// Lengths make it unambiguous whatever the fields contain.
func (e Event) Record() []byte {
	var b strings.Builder
	b.WriteString(recordVersion + "\n")
	for _, f := range []string{
		e.ApplicationID, strconv.FormatInt(e.Seq, 10), e.At.UTC().Truncate(time.Microsecond).Format(timeLayout),
		e.Kind, e.From, e.To, e.Actor, e.Data,
	} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// Hash is the record's leaf hash in the tree.
func (e Event) Hash() tlog.Hash { return tlog.RecordHash(e.Record()) }

// ParseRecord is Record's inverse.
func ParseRecord(rec []byte) (Event, error) {
	s, ok := strings.CutPrefix(string(rec), recordVersion+"\n")
	if !ok {
		return Event{}, fmt.Errorf("audit record: not %s", recordVersion)
	}
	var f [8]string
	for i := range f {
		n, rest, ok := strings.Cut(s, ":")
		l, err := strconv.Atoi(n)
		if !ok || err != nil || l < 0 || len(rest) < l+1 || rest[l] != '\n' {
			return Event{}, fmt.Errorf("audit record: field %d malformed", i)
		}
		f[i], s = rest[:l], rest[l+1:]
	}
	if s != "" {
		return Event{}, fmt.Errorf("audit record: trailing bytes")
	}
	seq, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return Event{}, fmt.Errorf("audit record: seq: %w", err)
	}
	at, err := time.Parse(timeLayout, f[2])
	if err != nil {
		return Event{}, fmt.Errorf("audit record: at: %w", err)
	}
	return Event{ApplicationID: f[0], Seq: seq, At: at, Kind: f[3], From: f[4], To: f[5], Actor: f[6], Data: f[7]}, nil
}
