package clock

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// The database's clock is an hour ahead of this host's; the host's is
// given 10 minutes behind: the trusted time is the database's, and the
// offset is reported.
func TestTrustedIsTheDatabasesTime(t *testing.T) {
	dbOffset := time.Hour
	db := func(context.Context) (time.Time, error) { return time.Now().Add(dbOffset), nil }
	local := func() time.Time { return time.Now().Add(-10 * time.Minute) }
	c, err := New(context.Background(), db, local, quiet)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(dbOffset), c.Now(), 50*time.Millisecond)
	assert.InDelta(t, float64(dbOffset+10*time.Minute), float64(c.Offset()), float64(50*time.Millisecond))
	time.Sleep(20 * time.Millisecond)
	assert.WithinDuration(t, time.Now().Add(dbOffset), c.Now(), 50*time.Millisecond, "carried by the monotonic clock")
}

func TestNoDatabaseTimeNoStart(t *testing.T) {
	_, err := New(context.Background(), func(context.Context) (time.Time, error) { return time.Time{}, errors.New("down") }, nil, quiet)
	assert.ErrorContains(t, err, "down")
	_, err = New(context.Background(), func(context.Context) (time.Time, error) {
		time.Sleep(1100 * time.Millisecond)
		return time.Now(), nil
	}, nil, quiet)
	assert.ErrorContains(t, err, "too slow")
}

// A failed refresh keeps the last reading.
func TestFailedRefreshKeepsTheReading(t *testing.T) {
	fail := false
	c, err := New(context.Background(), func(context.Context) (time.Time, error) {
		if fail {
			return time.Time{}, errors.New("down")
		}
		return time.Now().Add(time.Minute), nil
	}, nil, quiet)
	require.NoError(t, err)
	fail = true
	require.Error(t, c.sync(context.Background()))
	assert.WithinDuration(t, time.Now().Add(time.Minute), c.Now(), 50*time.Millisecond)
}
