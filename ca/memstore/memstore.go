// Package memstore is an in-memory ca.Store for tests and benchmarks. It
// behaves like the PostgreSQL store is expected to: unique serials, a token
// redeemable once, a key certified once, safe for concurrent use.
package memstore

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"sync"
	"time"

	"renewal/ca"
)

// Store is the in-memory store. The zero value is not usable; call New.
type Store struct {
	mu        sync.Mutex
	intents   map[string]ca.Intent // by serial (hex)
	tokens    map[string]string    // token → serial
	keys      map[[32]byte]string  // SPKI SHA-256 → serial
	issued    map[string]ca.Issued
	revoked   map[string]ca.RevokedEntry
	crlNumber *big.Int
	crls      []ca.CRLRecord
	ocsp      map[string]ca.OCSPRecord
	publish   sync.Mutex // serialises PublishCRL, as the database's lock does
}

var _ ca.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		intents:   map[string]ca.Intent{},
		tokens:    map[string]string{},
		keys:      map[[32]byte]string{},
		issued:    map[string]ca.Issued{},
		revoked:   map[string]ca.RevokedEntry{},
		crlNumber: big.NewInt(0),
		ocsp:      map[string]ca.OCSPRecord{},
	}
}

func key(serial *big.Int) string { return serial.Text(16) }

func checkSerial(serial *big.Int) error {
	if serial == nil || serial.Sign() <= 0 {
		return errors.New("memstore: serial must be positive")
	}
	return nil
}

// KeySeen implements ca.Store.
func (s *Store) KeySeen(ctx context.Context, sum [32]byte) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.keys[sum]
	return ok, nil
}

// RecordIntent implements ca.Store.
func (s *Store) RecordIntent(ctx context.Context, in ca.Intent) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkSerial(in.Serial); err != nil {
		return err
	}
	if in.Token == "" {
		return errors.New("memstore: empty token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(in.Serial)
	if _, ok := s.tokens[in.Token]; ok {
		return fmt.Errorf("memstore: token: %w", ca.ErrTokenUsed)
	}
	if _, ok := s.keys[in.SPKISHA256]; ok {
		return fmt.Errorf("memstore: key: %w", ca.ErrKeyReused)
	}
	if _, ok := s.intents[k]; ok {
		return fmt.Errorf("memstore: duplicate serial %s", k)
	}
	if _, ok := s.issued[k]; ok {
		return fmt.Errorf("memstore: duplicate serial %s", k)
	}
	in.Serial = new(big.Int).Set(in.Serial)
	s.intents[k] = in
	s.tokens[in.Token] = k
	s.keys[in.SPKISHA256] = k
	return nil
}

// RecordIssued implements ca.Store. A certificate recorded without an intent
// (for example a demo certificate the server imports) is accepted.
func (s *Store) RecordIssued(ctx context.Context, c ca.Issued) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkSerial(c.Serial); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(c.Serial)
	if _, ok := s.issued[k]; ok {
		return fmt.Errorf("memstore: duplicate serial %s", k)
	}
	if owner, ok := s.keys[c.SPKISHA256]; ok && owner != k {
		return fmt.Errorf("memstore: key: %w", ca.ErrKeyReused)
	}
	c.Serial = new(big.Int).Set(c.Serial)
	c.DER = append([]byte(nil), c.DER...)
	s.issued[k] = c
	s.keys[c.SPKISHA256] = k
	return nil
}

// LineageRenewals implements ca.Store.
func (s *Store) LineageRenewals(ctx context.Context, serial *big.Int, since time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for i, cur := 0, serial; cur != nil && i < 1000; i++ { // bounded: a cycle would be a bug elsewhere
		c, ok := s.issued[key(cur)]
		if !ok {
			break
		}
		if c.Replaces != nil && !c.NotBefore.Before(since) {
			n++
		}
		cur = c.Replaces
	}
	return n, nil
}

// Issued implements ca.Store.
func (s *Store) Issued(ctx context.Context, serial *big.Int) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.issued[key(serial)]
	return ok, nil
}

// Revocation implements ca.Store.
func (s *Store) Revocation(ctx context.Context, serial *big.Int) (ca.RevocationInfo, error) {
	if err := ctx.Err(); err != nil {
		return ca.RevocationInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.revoked[key(serial)]
	if !ok {
		return ca.RevocationInfo{}, nil
	}
	return ca.RevocationInfo{Revoked: true, Reason: r.Reason, RevokedAt: r.RevokedAt}, nil
}

// Revoke implements ca.Store: the first revocation is kept.
func (s *Store) Revoke(ctx context.Context, serial *big.Int, reason int, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkSerial(serial); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(serial)
	if _, ok := s.revoked[k]; ok {
		return nil
	}
	s.revoked[k] = ca.RevokedEntry{Serial: new(big.Int).Set(serial), Reason: reason, RevokedAt: at}
	return nil
}

// ListRevoked implements ca.Store, ordered by revocation time then serial.
func (s *Store) ListRevoked(ctx context.Context) ([]ca.RevokedEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ca.RevokedEntry, 0, len(s.revoked))
	for _, r := range s.revoked {
		r.Serial = new(big.Int).Set(r.Serial)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].RevokedAt.Equal(out[j].RevokedAt) {
			return out[i].RevokedAt.Before(out[j].RevokedAt)
		}
		return out[i].Serial.Cmp(out[j].Serial) < 0
	})
	return out, nil
}

// PublishCRL implements ca.Store: publications are serialised.
func (s *Store) PublishCRL(ctx context.Context, sign func([]ca.RevokedEntry, *big.Int) (ca.CRLRecord, error)) (ca.CRLRecord, error) {
	s.publish.Lock()
	defer s.publish.Unlock()
	revoked, err := s.ListRevoked(ctx)
	if err != nil {
		return ca.CRLRecord{}, err
	}
	s.mu.Lock()
	s.crlNumber.Add(s.crlNumber, big.NewInt(1))
	number := new(big.Int).Set(s.crlNumber)
	s.mu.Unlock()
	rec, err := sign(revoked, number)
	if err != nil {
		return ca.CRLRecord{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crls = append(s.crls, rec)
	return rec, nil
}

// LatestCRL implements ca.Store.
func (s *Store) LatestCRL(ctx context.Context) (ca.CRLRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return ca.CRLRecord{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var best ca.CRLRecord
	for _, r := range s.crls {
		if best.Number == nil || r.Number.Cmp(best.Number) > 0 {
			best = r
		}
	}
	return best, best.Number != nil, nil
}

// CRLs returns every CRL published (for tests), in order of publication.
func (s *Store) CRLs() []ca.CRLRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ca.CRLRecord(nil), s.crls...)
}

// OCSPResponse implements ca.Store.
func (s *Store) OCSPResponse(ctx context.Context, serial *big.Int) (ca.OCSPRecord, bool, bool, error) {
	if err := ctx.Err(); err != nil {
		return ca.OCSPRecord{}, false, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.ocsp[key(serial)]
	_, revoked := s.revoked[key(serial)]
	return r, revoked, ok, nil
}

// PutOCSPResponse implements ca.Store.
func (s *Store) PutOCSPResponse(ctx context.Context, rec ca.OCSPRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkSerial(rec.Serial); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// As the database: a revoked answer replaces a good one, else the newer wins.
	if old, ok := s.ocsp[key(rec.Serial)]; ok &&
		!(rec.Revoked && !old.Revoked) && !(rec.Revoked == old.Revoked && !rec.ThisUpdate.Before(old.ThisUpdate)) {
		return nil
	}
	s.ocsp[key(rec.Serial)] = rec
	return nil
}

// OCSPStale implements ca.Store.
func (s *Store) OCSPStale(ctx context.Context, now, before time.Time, limit int) ([]*big.Int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*big.Int
	for k, c := range s.issued {
		if !c.NotAfter.After(now) {
			continue
		}
		r, ok := s.ocsp[k]
		_, revoked := s.revoked[k]
		if !ok || r.NextUpdate.Before(before) || r.Revoked != revoked {
			out = append(out, new(big.Int).Set(c.Serial))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cmp(out[j]) < 0 })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Intents returns the recorded intents (for tests), by serial.
func (s *Store) Intents() []ca.Intent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ca.Intent, 0, len(s.intents))
	for _, in := range s.intents {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Serial.Cmp(out[j].Serial) < 0 })
	return out
}

// IssuedCertificates returns the recorded certificates (for tests), by serial.
func (s *Store) IssuedCertificates() []ca.Issued {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ca.Issued, 0, len(s.issued))
	for _, c := range s.issued {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Serial.Cmp(out[j].Serial) < 0 })
	return out
}
