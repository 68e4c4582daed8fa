package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
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

	a, err := s.NextCRLNumber(ctx)
	require.NoError(t, err)
	b, err := s.NextCRLNumber(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, b.Cmp(a))
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
