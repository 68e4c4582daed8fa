package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
)

func randomSerial(t *testing.T) *big.Int {
	b := make([]byte, 16)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return new(big.Int).SetBytes(b)
}

func intent(t *testing.T, token string, spki [32]byte) ca.Intent {
	return ca.Intent{
		Serial: randomSerial(t), TBSSHA256: sha256.Sum256([]byte(token)), SPKISHA256: spki,
		ApplicationID: "app-1", Token: token, Profile: "ru-owner", CreatedAt: time.Now(),
	}
}

func TestCAIntentOnce(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t).CA()
	keyA, keyB := sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))

	seen, err := s.KeySeen(ctx, keyA)
	require.NoError(t, err)
	assert.False(t, seen)

	require.NoError(t, s.RecordIntent(ctx, intent(t, "tok-1", keyA)))
	seen, err = s.KeySeen(ctx, keyA)
	require.NoError(t, err)
	assert.True(t, seen, "an intent alone marks the key as seen")

	err = s.RecordIntent(ctx, intent(t, "tok-1", keyB))
	assert.ErrorIs(t, err, ca.ErrTokenUsed)
	err = s.RecordIntent(ctx, intent(t, "tok-2", keyA))
	assert.ErrorIs(t, err, ca.ErrKeyReused)
}

func TestCAIntentRace(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t).CA()
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := sha256.Sum256([]byte{byte(i)})
			err := s.RecordIntent(ctx, intent(t, "same-token", key))
			if err == nil {
				wins.Add(1)
			} else {
				assert.ErrorIs(t, err, ca.ErrTokenUsed)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), wins.Load(), "a token is redeemed exactly once")
}

func TestCAIssuedAndRevoked(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	s := st.CA()
	serial, old := randomSerial(t), randomSerial(t)
	now := time.Now().UTC().Truncate(time.Second)
	key := sha256.Sum256([]byte("k"))

	ok, err := s.Issued(ctx, serial)
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, s.RecordIssued(ctx, ca.Issued{
		Serial: serial, DER: []byte{0x30}, SPKISHA256: key, NotBefore: now, NotAfter: now.Add(time.Hour),
		ApplicationID: "app-1", Profile: "ru-owner", Tariff: "base", Replaces: old,
	}))
	ok, err = s.Issued(ctx, serial)
	require.NoError(t, err)
	assert.True(t, ok)
	seen, err := s.KeySeen(ctx, key)
	require.NoError(t, err)
	assert.True(t, seen)
	c, err := st.CertificateGet(ctx, serial)
	require.NoError(t, err)
	assert.Equal(t, SerialText(old), c.Replaces, "lineage kept")
	assert.Equal(t, "app-1", c.ApplicationID)

	err = s.RecordIssued(ctx, ca.Issued{Serial: randomSerial(t), DER: []byte{0x30}, SPKISHA256: key, NotBefore: now, NotAfter: now.Add(time.Hour), Profile: "ru-owner"})
	assert.ErrorIs(t, err, ca.ErrKeyReused)

	info, err := s.Revocation(ctx, serial)
	require.NoError(t, err)
	assert.False(t, info.Revoked)
	require.NoError(t, s.Revoke(ctx, serial, ca.ReasonKeyCompromise, now))
	require.NoError(t, s.Revoke(ctx, serial, ca.ReasonSuperseded, now.Add(time.Hour)), "revoking twice is not an error")
	info, err = s.Revocation(ctx, serial)
	require.NoError(t, err)
	assert.True(t, info.Revoked)
	assert.Equal(t, ca.ReasonKeyCompromise, info.Reason, "the first record is kept")
	assert.True(t, info.RevokedAt.Equal(now))

	list, err := s.ListRevoked(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, 0, list[0].Serial.Cmp(serial))

}

// fakeCRL stands in for the authority's signature in store tests.
func fakeCRL(now time.Time, listed *[]ca.RevokedEntry) func([]ca.RevokedEntry, *big.Int) (ca.CRLRecord, error) {
	return func(revoked []ca.RevokedEntry, number *big.Int) (ca.CRLRecord, error) {
		if listed != nil {
			*listed = revoked
		}
		return ca.CRLRecord{Number: number, ThisUpdate: now, NextUpdate: now.Add(24 * time.Hour),
			DER: []byte("crl " + number.String()), RevokedSHA256: sha256.Sum256(number.Bytes())}, nil
	}
}

// CRLs are stored with increasing numbers; the latest is served.
func TestCAPublishCRL(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t).CA()
	_, ok, err := s.LatestCRL(ctx)
	require.NoError(t, err)
	assert.False(t, ok, "none on a fresh database")
	now := time.Now().UTC().Truncate(time.Second)
	a, err := s.PublishCRL(ctx, fakeCRL(now, nil))
	require.NoError(t, err)
	b, err := s.PublishCRL(ctx, fakeCRL(now, nil))
	require.NoError(t, err)
	assert.Equal(t, 1, b.Number.Cmp(a.Number))
	latest, ok, err := s.LatestCRL(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, b.DER, latest.DER)
	assert.Equal(t, b.RevokedSHA256, latest.RevokedSHA256)
	assert.True(t, latest.ThisUpdate.Equal(now))
	assert.True(t, latest.NextUpdate.Equal(now.Add(24*time.Hour)))

	_, err = s.PublishCRL(ctx, func([]ca.RevokedEntry, *big.Int) (ca.CRLRecord, error) {
		return ca.CRLRecord{}, errors.New("token gone")
	})
	require.Error(t, err)
	again, _, err := s.LatestCRL(ctx)
	require.NoError(t, err)
	assert.Equal(t, b.Number, again.Number, "a failed signature stores nothing")
}

// A CRL published while a revocation's transaction (which published its
// own) is open waits for it to commit, and lists it: without the lock it
// would be stored with a higher number and without the revocation.
func TestCAPublishCRLWaitsForRevocation(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	now := time.Now().UTC().Truncate(time.Second)
	serial := randomSerial(t)
	done := make(chan []ca.RevokedEntry, 1)
	err := st.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		if err := tx.CA().Revoke(ctx, serial, ca.ReasonSuperseded, now); err != nil {
			return err
		}
		if _, err := tx.CA().PublishCRL(ctx, fakeCRL(now, nil)); err != nil {
			return err
		}
		go func() {
			var listed []ca.RevokedEntry
			_, err := st.CA().PublishCRL(context.Background(), fakeCRL(now, &listed))
			assert.NoError(t, err)
			done <- listed
		}()
		time.Sleep(300 * time.Millisecond) // the other publication reaches the lock
		return nil
	})
	require.NoError(t, err)
	listed := <-done
	require.Len(t, listed, 1, "the publication that waited lists the committed revocation")
	assert.Equal(t, 0, listed[0].Serial.Cmp(serial))
}

// Stored OCSP responses: the revocation status of now beside them; a
// revoked answer replaces a good one and never the reverse; stale ones
// are listed for the refresh job.
func TestCAOCSPResponses(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t).CA()
	now := time.Now().UTC().Truncate(time.Second)
	issue := func(notAfter time.Time) *big.Int {
		serial := randomSerial(t)
		require.NoError(t, s.RecordIssued(ctx, ca.Issued{Serial: serial, DER: []byte{0x30}, SPKISHA256: sha256.Sum256(serial.Bytes()),
			NotBefore: now.Add(-time.Hour), NotAfter: notAfter, Profile: "ru-owner"}))
		return serial
	}
	rec := func(serial *big.Int, at time.Time, revoked bool, der string) ca.OCSPRecord {
		return ca.OCSPRecord{Serial: serial, DER: []byte(der), ThisUpdate: at, NextUpdate: at.Add(4 * time.Hour), Revoked: revoked}
	}
	fresh, missing, ageing, revokedSince, expired := issue(now.Add(time.Hour)), issue(now.Add(time.Hour)),
		issue(now.Add(time.Hour)), issue(now.Add(time.Hour)), issue(now.Add(-time.Minute))
	_, _, ok, err := s.OCSPResponse(ctx, missing)
	require.NoError(t, err)
	assert.False(t, ok)

	require.NoError(t, s.PutOCSPResponse(ctx, rec(fresh, now, false, "good@now")))
	require.NoError(t, s.PutOCSPResponse(ctx, rec(fresh, now.Add(-time.Minute), false, "good@older")))
	got, revokedNow, ok, err := s.OCSPResponse(ctx, fresh)
	require.NoError(t, err)
	require.True(t, ok)
	assert.False(t, revokedNow)
	assert.Equal(t, "good@now", string(got.DER), "an older answer does not replace a newer one")
	assert.True(t, got.NextUpdate.Equal(now.Add(4*time.Hour)))

	require.NoError(t, s.PutOCSPResponse(ctx, rec(ageing, now.Add(-3*time.Hour), false, "old")))
	require.NoError(t, s.PutOCSPResponse(ctx, rec(revokedSince, now, false, "good")))
	require.NoError(t, s.PutOCSPResponse(ctx, rec(expired, now.Add(-3*time.Hour), false, "old")))
	require.NoError(t, s.Revoke(ctx, revokedSince, ca.ReasonKeyCompromise, now))
	_, revokedNow, _, err = s.OCSPResponse(ctx, revokedSince)
	require.NoError(t, err)
	assert.True(t, revokedNow, "the stored answer says good, the revocation is reported beside it")

	stale, err := s.OCSPStale(ctx, now, now.Add(2*time.Hour), 100)
	require.NoError(t, err)
	text := map[string]bool{}
	for _, x := range stale {
		text[SerialText(x)] = true
	}
	assert.Equal(t, map[string]bool{SerialText(missing): true, SerialText(ageing): true, SerialText(revokedSince): true}, text,
		"missing, ageing and revoked-since; not the fresh one nor the expired certificate")
	one, err := s.OCSPStale(ctx, now, now.Add(2*time.Hour), 1)
	require.NoError(t, err)
	assert.Len(t, one, 1)

	require.NoError(t, s.PutOCSPResponse(ctx, rec(revokedSince, now.Add(-time.Minute), true, "revoked")))
	require.NoError(t, s.PutOCSPResponse(ctx, rec(revokedSince, now.Add(time.Minute), false, "good@later")))
	got, _, _, err = s.OCSPResponse(ctx, revokedSince)
	require.NoError(t, err)
	assert.Equal(t, "revoked", string(got.DER), "a revoked answer replaces a newer good one, and is never replaced by a good one")
}

// A lineage is walked back through replaces; only renewals that began in
// the period count (the memstore twin answers the same).
func TestCALineageRenewals(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t).CA()
	now := time.Now().UTC().Truncate(time.Second)
	record := func(notBefore time.Time, replaces *big.Int) *big.Int {
		serial := randomSerial(t)
		spki := sha256.Sum256(serial.Bytes())
		require.NoError(t, s.RecordIssued(ctx, ca.Issued{Serial: serial, DER: []byte{0x30, 0}, SPKISHA256: spki,
			NotBefore: notBefore, NotAfter: notBefore.AddDate(1, 0, 0), Profile: "by-individual", Replaces: replaces}))
		return serial
	}
	first := record(now.AddDate(-3, 0, 0), nil) // issued in person
	a := record(now.AddDate(-2, 0, 0), first)   // a renewal, long ago
	b := record(now.AddDate(0, -10, 0), a)      // in the year
	c := record(now.AddDate(0, -1, 0), b)       // in the year
	since := now.AddDate(-1, 0, 0)
	for _, tc := range []struct {
		serial *big.Int
		want   int
	}{{first, 0}, {a, 0}, {b, 1}, {c, 2}, {randomSerial(t), 0}} {
		n, err := s.LineageRenewals(ctx, tc.serial, since)
		require.NoError(t, err)
		assert.Equal(t, tc.want, n, "serial %x", tc.serial)
	}
}
