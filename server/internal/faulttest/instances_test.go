package faulttest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/e2e/load"
)

// TestTwoInstancesOneDatabase: two servers on one database serve the
// same 12 holders, each holder's calls alternating between them within
// one renewal (the session, its codes and its challenge made by one and
// used at the other), and both work the one job queue. Every renewal
// ends delivered with exactly one certificate, and both instances ran
// jobs.
func TestTwoInstancesOneDatabase(t *testing.T) {
	s := newSite(t, "")
	a := s.start("")
	b := s.start("")
	const holders = 12
	ctx := ctxFor(t, 3*time.Minute)
	rep, err := load.Run(ctx, load.Config{URL: a.URL, Minter: s.minter(), Concurrency: holders, Renewals: holders,
		Options: load.Options{Poll: 50 * time.Millisecond, Wait: 60 * time.Second, Alternate: []string{a.URL, b.URL}}})
	require.NoError(t, err)
	require.Len(t, rep.Results, holders)
	assert.Zero(t, rep.Failed(), "failed renewals:\n%s", strings.Join(rep.Failures(), "\n"))
	for _, res := range rep.Results {
		if res.ApplicationID != "" {
			s.assertIssuedOnce(res.ApplicationID)
		}
	}
	assert.Zero(t, s.count(`SELECT count(*) FROM (SELECT application_id FROM certificate WHERE application_id IS NOT NULL
		GROUP BY application_id HAVING count(*) > 1) d`), "no application with two certificates")
	assert.Equal(t, 2, s.count(`SELECT count(DISTINCT attempted_by[cardinality(attempted_by)]) FROM river_job
		WHERE state = 'completed' AND cardinality(attempted_by) > 0`), "both instances worked the queue")
}
