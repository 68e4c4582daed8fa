package store

import (
	"context"
	"time"
)

// DatabaseTime is the database server's clock now (clock_timestamp, not
// the transaction's start): the time every instance decides by (package
// clock).
func (s *Store) DatabaseTime(ctx context.Context) (time.Time, error) {
	var t time.Time
	if err := s.db.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&t); err != nil {
		return time.Time{}, mapErr(err)
	}
	return t, nil
}
