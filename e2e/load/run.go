package load

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Config of a load run.
type Config struct {
	URL         string  // the server
	Minter      *Minter // makes the holders
	Concurrency int     // holders renewing at once
	Renewals    int     // complete renewals in all
	Options     Options
	// Progress, if set, gets a line every few seconds.
	Progress io.Writer
}

// Report is the outcome of a run.
type Report struct {
	Renewals, Concurrency int
	Elapsed               time.Duration
	Results               []Result // in the order they ended
}

// Run mints the holders first (outside the timing), then keeps
// Concurrency renewals going until Renewals have ended.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	holders := make([]*Holder, cfg.Renewals)
	for i := range holders {
		h, err := cfg.Minter.Holder(i + 1)
		if err != nil {
			return nil, err
		}
		holders[i] = h
	}
	rep := &Report{Renewals: cfg.Renewals, Concurrency: cfg.Concurrency}
	var mu sync.Mutex
	next := make(chan *Holder)
	go func() {
		defer close(next)
		for _, h := range holders {
			select {
			case next <- h:
			case <-ctx.Done():
				return
			}
		}
	}()
	stopProgress := make(chan struct{})
	if cfg.Progress != nil {
		go func() {
			t := time.NewTicker(5 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-stopProgress:
					return
				case <-t.C:
					mu.Lock()
					done, failed := len(rep.Results), rep.Failed()
					mu.Unlock()
					fmt.Fprintf(cfg.Progress, "load: %d/%d ended, %d failed\n", done, cfg.Renewals, failed)
				}
			}
		}()
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range next {
				res := Renew(ctx, cfg.URL, h, cfg.Options)
				mu.Lock()
				rep.Results = append(rep.Results, res)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	close(stopProgress)
	return rep, ctx.Err()
}

// Failed counts the renewals that did not end delivered.
func (r *Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if res.Err != nil {
			n++
		}
	}
	return n + r.Renewals - len(r.Results)
}

// Succeeded counts the renewals that ended delivered.
func (r *Report) Succeeded() int { return r.Renewals - r.Failed() }

// Rate is complete (delivered) renewals per second of the run.
func (r *Report) Rate() float64 { return float64(r.Succeeded()) / r.Elapsed.Seconds() }

// Durations of a step over the successful renewals (all renewals for
// the HTTP calls, which failures make too).
func (r *Report) Durations(step string) []time.Duration {
	var ds []time.Duration
	for _, res := range r.Results {
		for _, t := range res.Timings {
			if t.Step == step {
				ds = append(ds, t.D)
			}
		}
	}
	slices.Sort(ds)
	return ds
}

// CSRToCert is the time from the request to the certificate, of each
// successful renewal, sorted.
func (r *Report) CSRToCert() []time.Duration {
	var ds []time.Duration
	for _, res := range r.Results {
		if res.Err == nil {
			ds = append(ds, res.CSRToCert)
		}
	}
	slices.Sort(ds)
	return ds
}

// Quantile of sorted durations (nearest rank); 0 when there are none.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Failures groups the failed renewals by step and error, most frequent first.
func (r *Report) Failures() []string {
	count := map[string]int{}
	for _, res := range r.Results {
		if res.Err != nil {
			count[res.Step+": "+res.Err.Error()]++
		}
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if count[keys[i]] != count[keys[j]] {
			return count[keys[i]] > count[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%4d× %s", count[k], k)
	}
	return out
}

// WriteSteps prints p50/p99/max and the count of every step.
func (r *Report) WriteSteps(w io.Writer) {
	fmt.Fprintf(w, "%-26s %7s %9s %9s %9s\n", "step", "n", "p50 ms", "p99 ms", "max ms")
	for _, s := range Steps {
		ds := r.Durations(s)
		if len(ds) == 0 {
			continue
		}
		fmt.Fprintf(w, "%-26s %7d %9s %9s %9s\n", s, len(ds), ms(Quantile(ds, 0.5)), ms(Quantile(ds, 0.99)), ms(ds[len(ds)-1]))
	}
	ds := r.CSRToCert()
	if len(ds) > 0 {
		fmt.Fprintf(w, "%-26s %7d %9s %9s %9s\n", "csr->cert", len(ds), ms(Quantile(ds, 0.5)), ms(Quantile(ds, 0.99)), ms(ds[len(ds)-1]))
	}
	var whole []time.Duration
	for _, res := range r.Results {
		if res.Err == nil {
			whole = append(whole, res.Elapsed)
		}
	}
	slices.Sort(whole)
	if len(whole) > 0 {
		fmt.Fprintf(w, "%-26s %7d %9s %9s %9s\n", "whole renewal", len(whole), ms(Quantile(whole, 0.5)), ms(Quantile(whole, 0.99)), ms(whole[len(whole)-1]))
	}
}

// Summary is the last line of make bench-load.
func (r *Report) Summary() string {
	return fmt.Sprintf("load: %d renewals, %d concurrent, %d failed, %.1f renewals/s, csr->cert p99 %s ms",
		r.Renewals, r.Concurrency, r.Failed(), r.Rate(), ms(Quantile(r.CSRToCert(), 0.99)))
}

func ms(d time.Duration) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)), ".0")
}
