package authority

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"renewal/ca"
)

// RefreshArgs is the periodic job that keeps what the authority
// publishes fresh: a new CRL when the revocations changed or the latest
// is past half its validity, and new OCSP responses for certificates
// whose stored one is missing, ageing or out of date. Requests only read
// what it stores.
type RefreshArgs struct{}

// Kind implements river.JobArgs.
func (RefreshArgs) Kind() string { return "ca_refresh" }

// refreshInterval is how often the job runs; refreshBatch bounds the OCSP
// responses one run signs (the rest wait a minute).
const (
	refreshInterval = time.Minute
	refreshBatch    = 2000
)

type refreshWorker struct {
	river.WorkerDefaults[RefreshArgs]
	a *ca.Authority
}

func (w *refreshWorker) Work(ctx context.Context, _ *river.Job[RefreshArgs]) error {
	if _, err := w.a.RefreshCRL(ctx); err != nil {
		return err
	}
	_, err := w.a.RefreshOCSP(ctx, refreshBatch)
	return err
}

// Timeout: a full batch signs in well under a second; the CRL may wait
// for a token.
func (w *refreshWorker) Timeout(*river.Job[RefreshArgs]) time.Duration { return 5 * time.Minute }

// Workers registers the refresh job, persisting through st (the store on
// River's pool).
func (l *Loaded) Workers(w *river.Workers, st ca.Store) {
	river.AddWorker(w, &refreshWorker{a: l.Authority.WithStore(st)})
}

// RefreshJob runs the refresh every minute and at start (River's leader
// inserts it, so one instance of many does the work).
func RefreshJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(refreshInterval),
		func() (river.JobArgs, *river.InsertOpts) {
			// One attempt: the next minute's run is the retry.
			return RefreshArgs{}, &river.InsertOpts{MaxAttempts: 1}
		}, &river.PeriodicJobOpts{RunOnStart: true})
}
