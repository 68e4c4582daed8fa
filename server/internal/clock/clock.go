// Package clock is the time the server decides by: the database's clock,
// not the host's.
//
// Every instance of the service reads the time of one PostgreSQL server
// at start and then every Refresh, and carries it between readings with
// the monotonic clock. The host's wall clock is never used for a
// decision, so an instance whose clock is minutes off (or is stepped
// while it runs) issues certificates valid from the right moment, and a
// one-time code or a challenge made by one instance expires at the same
// moment on every other: validity, code and challenge lifetimes depend on
// one clock shared by all of them, the database's (kept right by NTP
// where the records are).
//
// The start fails when the database's time cannot be read: an instance
// never falls back to its own clock. A large offset is logged (the host's
// clock needs fixing, for the logs' sake) but not refused: it is
// corrected, and refusing would take down a working instance for a
// reason that no longer matters to what it decides.
package clock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

const (
	// Refresh is how often the database's time is read again.
	Refresh = 30 * time.Second
	// WarnOffset is the host-to-database offset above which the host's
	// clock is reported as wrong.
	WarnOffset = 2 * time.Second
	// maxRoundTrip: a reading that took longer is too uncertain to use.
	maxRoundTrip = time.Second
	readings     = 3
)

// Trusted is the database's time, carried by the monotonic clock.
type Trusted struct {
	read  func(context.Context) (time.Time, error)
	local func() time.Time // the host's wall clock, only to report the offset
	log   *slog.Logger

	mu     sync.Mutex
	anchor time.Time     // the database's time at the best reading
	at     time.Time     // time.Now() then: its monotonic reading carries anchor
	offset time.Duration // database minus host wall clock
}

// New reads the database's time (read, e.g. SELECT clock_timestamp()).
// local is the host's wall clock (time.Now; a skewed one in tests), used
// only to report how far off it is.
func New(ctx context.Context, read func(context.Context) (time.Time, error), local func() time.Time, log *slog.Logger) (*Trusted, error) {
	if local == nil {
		local = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	c := &Trusted{read: read, local: local, log: log}
	if err := c.sync(ctx); err != nil {
		return nil, fmt.Errorf("trusted time: %w", err)
	}
	return c, nil
}

// Now is the trusted time.
func (c *Trusted) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.anchor.Add(time.Since(c.at))
}

// Offset is the database's clock minus the host's, at the last reading.
func (c *Trusted) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// Run reads the database's time every Refresh until ctx ends; a failed
// reading keeps the last one (the monotonic clock carries it).
func (c *Trusted) Run(ctx context.Context) {
	t := time.NewTicker(Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.sync(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("clock: reading the database's time failed; carrying the last reading", "err", err)
			}
		}
	}
}

// sync takes the best of a few readings: the one with the shortest round
// trip, its database time placed at the middle of that trip.
func (c *Trusted) sync(ctx context.Context) error {
	var best time.Duration = -1
	var anchor, at time.Time
	var offset time.Duration
	var lastErr error
	for range readings {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		t0, l0 := time.Now(), c.local()
		db, err := c.read(rctx)
		rtt := time.Since(t0)
		cancel()
		if err != nil {
			lastErr = err
			continue
		}
		if best < 0 || rtt < best {
			best, anchor, at = rtt, db, t0.Add(rtt/2)
			offset = db.Sub(l0.Add(rtt / 2))
		}
	}
	switch {
	case best < 0:
		return lastErr
	case best > maxRoundTrip:
		return fmt.Errorf("the database answered in %s: too slow to read its time", best.Round(time.Millisecond))
	case anchor.IsZero():
		return errors.New("the database gave no time")
	}
	c.mu.Lock()
	c.anchor, c.at, c.offset = anchor, at, offset
	c.mu.Unlock()
	if offset > WarnOffset || offset < -WarnOffset {
		c.log.Warn("clock: this host's clock is off; deciding by the database's", "offset", offset.Round(time.Millisecond))
	}
	return nil
}
