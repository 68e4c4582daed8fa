package store

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"renewal/ca"
	"renewal/server/internal/store/internal/db"
)

// CA returns the authority's view of the store: ca.Store on PostgreSQL.
// Uniqueness (one token, one key, one serial) is the database's job, so
// two servers racing on one database still issue once.
func (s *Store) CA() ca.Store { return caStore{q: s.Queries.db, begin: s.db.begin} }

// CA is the authority's store inside this transaction. Its inserts run in
// savepoints: a refused insert (a key seen meanwhile) leaves the
// transaction usable for recording the refusal.
func (t *Tx) CA() ca.Store { return caStore{q: t.Queries.db, tx: t.tx} }

type caStore struct {
	q     *db.Queries
	tx    pgx.Tx                                                       // nil on the pool
	begin func(context.Context, pgx.TxOptions) (pgx.Tx, func(), error) // on the pool
}

// savepoint runs f on a savepoint of c.tx, or on the pool.
func (c caStore) savepoint(ctx context.Context, f func(q *db.Queries) error) error {
	if c.tx == nil {
		return f(c.q)
	}
	return inSavepoint(ctx, c.tx, func(sp pgx.Tx) error { return f(db.New(sp)) })
}

var _ ca.Store = caStore{}

// SerialText is how serials are kept: lower-case hex, no leading zeros.
func SerialText(serial *big.Int) string { return serial.Text(16) }

func (c caStore) KeySeen(ctx context.Context, spki [32]byte) (bool, error) {
	seen, err := c.q.KeySeen(ctx, spki[:])
	return seen, mapErr(err)
}

func (c caStore) RecordIntent(ctx context.Context, in ca.Intent) error {
	err := c.savepoint(ctx, func(q *db.Queries) error {
		return q.IntentInsert(ctx, db.IntentInsertParams{
			Serial:        SerialText(in.Serial),
			TbsSha256:     in.TBSSHA256[:],
			SpkiSha256:    in.SPKISHA256[:],
			ApplicationID: in.ApplicationID,
			Token:         in.Token,
			Profile:       in.Profile,
			CreatedAt:     in.CreatedAt,
		})
	})
	switch constraint(err) {
	case "":
		return mapErr(err)
	case "issuance_intent_token_key":
		return fmt.Errorf("record intent: %w", ca.ErrTokenUsed)
	case "issuance_intent_spki_key":
		return fmt.Errorf("record intent: %w", ca.ErrKeyReused)
	default:
		return fmt.Errorf("record intent: %w", err)
	}
}

func (c caStore) RecordIssued(ctx context.Context, in ca.Issued) error {
	var replaces *string
	if in.Replaces != nil {
		r := SerialText(in.Replaces)
		replaces = &r
	}
	var app *string
	if in.ApplicationID != "" {
		app = &in.ApplicationID
	}
	err := c.savepoint(ctx, func(q *db.Queries) error {
		return q.CertificateInsert(ctx, db.CertificateInsertParams{
			Serial:        SerialText(in.Serial),
			Der:           in.DER,
			SpkiSha256:    in.SPKISHA256[:],
			NotBefore:     in.NotBefore,
			NotAfter:      in.NotAfter,
			ApplicationID: app,
			Profile:       in.Profile,
			Tariff:        in.Tariff,
			Replaces:      replaces,
		})
	})
	if constraint(err) == "certificate_spki_key" {
		return fmt.Errorf("record issued: %w", ca.ErrKeyReused)
	}
	return mapErr(err)
}

func (c caStore) Issued(ctx context.Context, serial *big.Int) (bool, error) {
	ok, err := c.q.CertificateExists(ctx, SerialText(serial))
	return ok, mapErr(err)
}

func (c caStore) Revocation(ctx context.Context, serial *big.Int) (ca.RevocationInfo, error) {
	r, err := c.q.RevocationGet(ctx, SerialText(serial))
	if err = mapErr(err); errors.Is(err, ErrNotFound) {
		return ca.RevocationInfo{}, nil
	} else if err != nil {
		return ca.RevocationInfo{}, err
	}
	return ca.RevocationInfo{Revoked: true, Reason: int(r.Reason), RevokedAt: r.RevokedAt}, nil
}

func (c caStore) Revoke(ctx context.Context, serial *big.Int, reason int, at time.Time) error {
	return mapErr(c.q.RevocationInsert(ctx, db.RevocationInsertParams{
		Serial: SerialText(serial), Reason: int32(reason), RevokedAt: at,
	}))
}

func (c caStore) ListRevoked(ctx context.Context) ([]ca.RevokedEntry, error) {
	return listRevoked(ctx, c.q)
}

func listRevoked(ctx context.Context, q *db.Queries) ([]ca.RevokedEntry, error) {
	rows, err := q.RevocationList(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]ca.RevokedEntry, 0, len(rows))
	for _, r := range rows {
		serial, ok := new(big.Int).SetString(r.Serial, 16)
		if !ok {
			return nil, fmt.Errorf("revocation: bad serial %q in the database", r.Serial)
		}
		out = append(out, ca.RevokedEntry{Serial: serial, Reason: int(r.Reason), RevokedAt: r.RevokedAt})
	}
	return out, nil
}

func (c caStore) LineageRenewals(ctx context.Context, serial *big.Int, since time.Time) (int, error) {
	n, err := c.q.CertificateLineageRenewals(ctx, db.CertificateLineageRenewalsParams{Serial: SerialText(serial), Since: since})
	return int(n), mapErr(err)
}

// PublishCRL implements ca.Store. The advisory lock is held until the
// transaction ends: inside the caller's (a revocation's), publications
// wait for it to commit, so the next one lists its revocation.
func (c caStore) PublishCRL(ctx context.Context, sign func([]ca.RevokedEntry, *big.Int) (ca.CRLRecord, error)) (ca.CRLRecord, error) {
	var rec ca.CRLRecord
	run := func(tx pgx.Tx) error {
		q := db.New(tx)
		if err := q.CRLLock(ctx); err != nil {
			return mapErr(err)
		}
		revoked, err := listRevoked(ctx, q)
		if err != nil {
			return err
		}
		n, err := q.CRLNumberNext(ctx)
		if err != nil {
			return mapErr(err)
		}
		if rec, err = sign(revoked, big.NewInt(n)); err != nil {
			return err
		}
		return mapErr(q.CRLInsert(ctx, db.CRLInsertParams{
			Number: n, ThisUpdate: rec.ThisUpdate, NextUpdate: rec.NextUpdate, Der: rec.DER, RevokedSha256: rec.RevokedSHA256[:],
		}))
	}
	if c.tx != nil {
		return rec, inSavepoint(ctx, c.tx, run)
	}
	tx, release, err := c.begin(ctx, pgx.TxOptions{})
	if err != nil {
		return rec, mapErr(err)
	}
	defer release()
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	if err := run(tx); err != nil {
		return rec, err
	}
	return rec, mapErr(tx.Commit(ctx))
}

func (c caStore) LatestCRL(ctx context.Context) (ca.CRLRecord, bool, error) {
	r, err := c.q.CRLLatest(ctx)
	if err = mapErr(err); errors.Is(err, ErrNotFound) {
		return ca.CRLRecord{}, false, nil
	} else if err != nil {
		return ca.CRLRecord{}, false, err
	}
	rec := ca.CRLRecord{Number: big.NewInt(r.Number), ThisUpdate: r.ThisUpdate, NextUpdate: r.NextUpdate, DER: r.Der}
	copy(rec.RevokedSHA256[:], r.RevokedSha256)
	return rec, true, nil
}

func (c caStore) OCSPResponse(ctx context.Context, serial *big.Int) (ca.OCSPRecord, bool, bool, error) {
	r, err := c.q.OCSPResponseGet(ctx, SerialText(serial))
	if err = mapErr(err); errors.Is(err, ErrNotFound) {
		return ca.OCSPRecord{}, false, false, nil
	} else if err != nil {
		return ca.OCSPRecord{}, false, false, err
	}
	return ca.OCSPRecord{
		Serial: new(big.Int).Set(serial), DER: r.Der, ThisUpdate: r.ThisUpdate, NextUpdate: r.NextUpdate, Revoked: r.Revoked,
	}, r.RevokedNow, true, nil
}

func (c caStore) PutOCSPResponse(ctx context.Context, rec ca.OCSPRecord) error {
	return c.savepoint(ctx, func(q *db.Queries) error {
		return mapErr(q.OCSPResponsePut(ctx, db.OCSPResponsePutParams{
			Serial: SerialText(rec.Serial), Der: rec.DER, ThisUpdate: rec.ThisUpdate, NextUpdate: rec.NextUpdate, Revoked: rec.Revoked,
		}))
	})
}

func (c caStore) OCSPStale(ctx context.Context, now, before time.Time, limit int) ([]*big.Int, error) {
	rows, err := c.q.OCSPResponseStale(ctx, db.OCSPResponseStaleParams{Now: now, Before: before, MaxRows: int32(limit)})
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]*big.Int, 0, len(rows))
	for _, r := range rows {
		serial, ok := new(big.Int).SetString(r, 16)
		if !ok {
			return nil, fmt.Errorf("certificate: bad serial %q in the database", r)
		}
		out = append(out, serial)
	}
	return out, nil
}

// Certificate is one recorded certificate, for operators and the API.
type Certificate struct {
	Serial        string
	DER           []byte
	NotBefore     time.Time
	NotAfter      time.Time
	ApplicationID string
	Profile       string
	Tariff        string
	Replaces      string
}

// CertificateGet returns the certificate with this serial, or ErrNotFound.
func (s *Store) CertificateGet(ctx context.Context, serial *big.Int) (Certificate, error) {
	r, err := s.Queries.db.CertificateGet(ctx, SerialText(serial))
	if err != nil {
		return Certificate{}, mapErr(err)
	}
	return Certificate{
		Serial: r.Serial, DER: r.Der, NotBefore: r.NotBefore, NotAfter: r.NotAfter,
		ApplicationID: deref(r.ApplicationID), Profile: r.Profile, Tariff: r.Tariff, Replaces: deref(r.Replaces),
	}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// constraint names the unique constraint an insert violated, or "".
func constraint(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return pgErr.ConstraintName
	}
	return ""
}
