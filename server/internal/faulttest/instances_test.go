package faulttest_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
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
	s.verifyAudit()
}

// TestConcurrentRenewalsOfOneCertificate (SECURITY-CASES 42): two
// browsers, at two instances on one database, open an application each
// for the same current certificate and prove it at the same moment.
// One proof succeeds; the other is refused as a conflict
// (open_application: the unique constraint on the open application of a
// certificate), and its application stays unproven. Five rounds, a new
// certificate each.
func TestConcurrentRenewalsOfOneCertificate(t *testing.T) {
	s := newSite(t, "")
	a := s.start("")
	b := s.start("")
	ctx := ctxFor(t, 2*time.Minute)
	m := s.minter()
	for round := range 5 {
		h, err := m.Holder(100 + round)
		require.NoError(t, err)
		other := *h
		other.Phone, other.Email, other.IP = h.Phone[:len(h.Phone)-1]+"9", "other."+h.Email, "198.19.9."+strconv.Itoa(round+1)
		browsers := []*load.Renewal{
			load.NewRenewal(a.URL, h, load.Options{}),
			load.NewRenewal(b.URL, &other, load.Options{}),
		}
		challenges := make([]wire.Challenge, 2)
		for i, r := range browsers {
			require.NoError(t, r.Open(ctx))
			require.NoError(t, r.VerifyContacts(ctx))
			challenges[i], err = r.Challenge(ctx)
			require.NoError(t, err)
		}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, r := range browsers {
			wg.Add(1)
			go func() { defer wg.Done(); <-start; errs[i] = r.Prove(ctx, challenges[i]) }()
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range errs {
			if err == nil {
				won++
				continue
			}
			var he *load.HTTPError
			if assert.True(t, errors.As(err, &he), "round %d: %v", round, err) {
				assert.Equal(t, http.StatusConflict, he.Status)
				assert.Equal(t, "open_application", he.Code)
			}
			require.NoError(t, browsers[i].Refresh(ctx))
			assert.Equal(t, "contacts_verified", browsers[i].State(), "the refused application is not proven")
		}
		assert.Equal(t, 1, won, "round %d: exactly one proof succeeds", round)
		assert.Equal(t, 1, s.count(`SELECT count(*) FROM application WHERE cert_sha256 = sha256($1)`, h.Cert.Raw),
			"one application holds the certificate")
	}
}
