package memstore_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/ca"
	"renewal/ca/memstore"
)

func intent(serial int64, token string) ca.Intent {
	return ca.Intent{Serial: big.NewInt(serial), Token: token, ApplicationID: "app",
		SPKISHA256: sha256.Sum256([]byte(fmt.Sprint("key", serial)))}
}

func TestRecordIntent(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		first ca.Intent
		next  ca.Intent
		want  error // nil: accepted
	}{
		{name: "ok/distinct", first: intent(1, "a"), next: intent(2, "b")},
		{name: "fail/token-used", first: intent(1, "a"), next: intent(2, "a"), want: ca.ErrTokenUsed},
		{name: "fail/key-reused", first: intent(1, "a"), next: func() ca.Intent { i := intent(2, "b"); i.SPKISHA256 = intent(1, "").SPKISHA256; return i }(), want: ca.ErrKeyReused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := memstore.New()
			require.NoError(t, s.RecordIntent(ctx, tt.first))
			err := s.RecordIntent(ctx, tt.next)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			assert.Len(t, s.Intents(), 1)
		})
	}
	t.Run("fail/duplicate-serial", func(t *testing.T) {
		s := memstore.New()
		require.NoError(t, s.RecordIntent(ctx, intent(1, "a")))
		i := intent(1, "b")
		i.SPKISHA256 = sha256.Sum256([]byte("other"))
		require.Error(t, s.RecordIntent(ctx, i))
	})
	t.Run("fail/zero-serial", func(t *testing.T) {
		require.Error(t, memstore.New().RecordIntent(ctx, intent(0, "a")))
	})
}

func TestIssuedRevokedCRLNumber(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	in := intent(7, "t")
	require.NoError(t, s.RecordIntent(ctx, in))
	seen, err := s.KeySeen(ctx, in.SPKISHA256)
	require.NoError(t, err)
	assert.True(t, seen, "an intent reserves the key")
	require.NoError(t, s.RecordIssued(ctx, ca.Issued{Serial: big.NewInt(7), SPKISHA256: in.SPKISHA256, DER: []byte{1}}))
	require.Error(t, s.RecordIssued(ctx, ca.Issued{Serial: big.NewInt(7), SPKISHA256: in.SPKISHA256}), "duplicate serial")
	ok, err := s.Issued(ctx, big.NewInt(7))
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.Issued(ctx, big.NewInt(8))
	require.NoError(t, err)
	assert.False(t, ok)

	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	require.NoError(t, s.Revoke(ctx, big.NewInt(7), ca.ReasonKeyCompromise, at))
	require.NoError(t, s.Revoke(ctx, big.NewInt(7), ca.ReasonSuperseded, at.Add(time.Hour)))
	info, err := s.Revocation(ctx, big.NewInt(7))
	require.NoError(t, err)
	assert.Equal(t, ca.RevocationInfo{Revoked: true, Reason: ca.ReasonKeyCompromise, RevokedAt: at}, info)
	list, err := s.ListRevoked(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)

	sign := func(revoked []ca.RevokedEntry, n *big.Int) (ca.CRLRecord, error) {
		return ca.CRLRecord{Number: n, DER: []byte(n.String())}, nil
	}
	c1, err := s.PublishCRL(ctx, sign)
	require.NoError(t, err)
	c2, err := s.PublishCRL(ctx, sign)
	require.NoError(t, err)
	assert.Equal(t, 1, c2.Number.Cmp(c1.Number))
	latest, ok, err := s.LatestCRL(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, c2.DER, latest.DER)
}

func TestConcurrentTokens(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	var wg sync.WaitGroup
	var mu sync.Mutex
	okCount := 0
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.RecordIntent(ctx, intent(int64(i+1), "same")) == nil {
				mu.Lock()
				okCount++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, okCount)
}
