package sandbox

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"renewal/server/internal/payments"
)

// The notifier: a dispatcher hands due deliveries to a bounded pool of
// deliverers (Config.Deliverers, default 8). Each payment's deliveries
// form a lane that has at most one delivery in flight; within a lane the
// first due delivery in queue order goes next, exactly as when the whole
// sandbox sent one at a time: duplicates follow each other, a held
// "succeeded" waits for a later event of its payment, and a failing
// delivery waits its backoff without holding back the others. Payments
// are delivered concurrently; no order across payments is promised.

// outbox holds the deliveries not yet acknowledged, by payment.
type outbox struct {
	mu    sync.Mutex
	lanes map[string]*lane // by payment ref; a lane goes when it is empty and idle
	due   dueHeap          // idle lanes by when they next have something to send
	n     int              // deliveries in the lanes, those that gave up included
}

// lane is one payment's deliveries.
type lane struct {
	ref  string
	q    []*sbDelivery // in Seq order
	busy bool          // a deliverer has one of them
	gen  int           // bumped on every reschedule; older heap entries are stale
}

type dueEntry struct {
	at  time.Time
	l   *lane
	gen int
}

type dueHeap []dueEntry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueEntry)) }
func (h *dueHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// dueAt is when d may be sent: a held "succeeded" not before its hold ends.
func dueAt(d *sbDelivery) time.Time {
	if d.Held && d.HeldUntil.After(d.NextAt) {
		return d.HeldUntil
	}
	return d.NextAt
}

func newOutbox(ds []*sbDelivery) *outbox {
	o := &outbox{lanes: map[string]*lane{}}
	o.add(ds)
	return o
}

// add queues deliveries, in Seq order, as one change of their payments.
func (o *outbox) add(ds []*sbDelivery) {
	o.mu.Lock()
	defer o.mu.Unlock()
	touched := map[*lane]bool{}
	for _, d := range ds {
		l := o.lanes[d.Ref]
		if l == nil {
			l = &lane{ref: d.Ref}
			o.lanes[d.Ref] = l
		}
		l.q = append(l.q, d)
		o.n++
		touched[l] = true
	}
	for l := range touched {
		o.scheduleLocked(l)
	}
}

// scheduleLocked puts an idle lane on the heap at its earliest due time,
// or drops it if it is empty.
func (o *outbox) scheduleLocked(l *lane) {
	if l.busy {
		return // rescheduled when its delivery ends
	}
	l.gen++
	if len(l.q) == 0 {
		delete(o.lanes, l.ref)
		return
	}
	var at time.Time
	found := false
	for _, d := range l.q {
		if d.Dead {
			continue
		}
		if t := dueAt(d); !found || t.Before(at) {
			at, found = t, true
		}
	}
	if found {
		heap.Push(&o.due, dueEntry{at: at, l: l, gen: l.gen})
	}
}

// next takes the first due delivery of the lane due soonest, marks the
// lane busy and returns a copy; or how long to wait for one (-1: nothing
// scheduled).
func (o *outbox) next(now time.Time) (*sbDelivery, time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(o.due) > 0 {
		top := o.due[0]
		if top.gen != top.l.gen || top.l.busy {
			heap.Pop(&o.due)
			continue
		}
		if top.at.After(now) {
			return nil, top.at.Sub(now)
		}
		heap.Pop(&o.due)
		l := top.l
		for _, d := range l.q {
			if d.Dead || dueAt(d).After(now) {
				continue
			}
			d.Held = false
			l.busy = true
			cp := *d
			return &cp, 0
		}
		o.scheduleLocked(l) // nothing due after all (cannot happen): look again later
	}
	return nil, -1
}

// idle ends a lane's delivery and reschedules the lane.
func (o *outbox) idle(ref string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if l := o.lanes[ref]; l != nil {
		l.busy = false
		o.scheduleLocked(l)
	}
}

// pending counts the deliveries not yet acknowledged.
func (o *outbox) pending() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n
}

// outcome records the result of an attempt at delivery seq of ref and
// returns the journal line that saves it. The lane stays busy until idle.
func (s *sandbox) outcome(ref string, seq int64, err error) (jLine, bool) {
	o := s.out
	o.mu.Lock()
	defer o.mu.Unlock()
	l := o.lanes[ref]
	if l == nil {
		return jLine{}, false
	}
	i := slices.IndexFunc(l.q, func(x *sbDelivery) bool { return x.Seq == seq })
	if i < 0 {
		return jLine{}, false
	}
	cur := l.q[i]
	var line jLine
	if err == nil {
		l.q = slices.Delete(l.q, i, i+1)
		o.n--
		line.Done = []int64{seq}
		line.Queued = releaseHeld(l, cur)
		s.log.Info("sandbox event delivered", "event", cur.EventID, "kind", cur.Kind, "attempts", cur.Attempts+1)
		return line, true
	}
	cur.Attempts++
	cur.LastError = err.Error()
	if cur.Attempts >= s.cfg.MaxAttempts {
		cur.Dead = true
		line.Queued = releaseHeld(l, cur)
		s.log.Warn("sandbox event undeliverable; will retry after a restart", "event", cur.EventID, "attempts", cur.Attempts, "err", err)
	} else {
		cur.NextAt = time.Now().Add(s.backoff(cur.Attempts))
		s.log.Info("sandbox event delivery failed", "event", cur.EventID, "attempt", cur.Attempts, "retry_in", s.backoff(cur.Attempts), "err", err)
	}
	cp := *cur
	line.Queued = append(line.Queued, &cp)
	return line, true
}

// releaseHeld frees the "succeeded" deliveries that Reorder held in lane l,
// once a later event of that payment has been sent (or given up), and
// returns copies of them for the journal.
func releaseHeld(l *lane, d *sbDelivery) []*sbDelivery {
	if d.Kind == payments.EventSucceeded {
		return nil
	}
	var out []*sbDelivery
	now := time.Now()
	for _, x := range l.q {
		if x.Held && x.Seq < d.Seq {
			x.Held, x.NextAt = false, now
			cp := *x
			out = append(out, &cp)
		}
	}
	return out
}

// Start runs the notifier in goroutines until ctx ends or Close is called.
// It returns at once; a second call does nothing.
func (s *sandbox) Start(ctx context.Context) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.done != nil {
		return
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go s.run(ctx)
	s.kick()
}

// kick wakes the dispatcher.
func (s *sandbox) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run is the dispatcher; it returns after its deliverers have.
func (s *sandbox) run(ctx context.Context) {
	defer close(s.done)
	work := make(chan *sbDelivery)
	var wg sync.WaitGroup
	for range s.cfg.Deliverers {
		wg.Go(func() {
			for d := range work {
				s.deliver(ctx, d)
			}
		})
	}
	defer wg.Wait()
	defer close(work)
	for {
		if ctx.Err() != nil {
			return
		}
		d, wait := s.out.next(time.Now())
		if d != nil {
			select {
			case work <- d:
			case <-ctx.Done():
				s.out.idle(d.Ref)
				return
			}
			continue
		}
		var (
			t     *time.Timer
			timer <-chan time.Time
		)
		if wait >= 0 {
			t = time.NewTimer(wait)
			timer = t.C
		}
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-timer:
		}
		if t != nil {
			t.Stop()
		}
	}
}

// backoff is the pause after the n-th failed attempt: Retry·2^(n-1), capped.
func (s *sandbox) backoff(n int) time.Duration {
	limit := max(maxBackoff, s.cfg.Retry)
	d := s.cfg.Retry
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// deliver POSTs one event, signed now, and records the outcome.
func (s *sandbox) deliver(ctx context.Context, d *sbDelivery) {
	defer s.kick()
	defer s.out.idle(d.Ref)
	err := s.post(ctx, d.Body)
	if ctx.Err() != nil {
		return // shutting down: the attempt does not count; it stays queued
	}
	line, ok := s.outcome(d.Ref, d.Seq, err)
	if !ok {
		return
	}
	// A lost acknowledgement means one more delivery after a restart; the
	// receiver takes duplicates anyway.
	if jerr := s.j.append(line); jerr != nil {
		s.log.Error("sandbox state not saved", "err", jerr)
	}
}

func (s *sandbox) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "renewal-sandbox-"+string(s.method))
	if !s.cfg.Unsigned {
		req.Header.Set(payments.SignatureHeader, payments.SignatureHeaderValue(s.cfg.Now(), body, s.cfg.Secret))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// Pending returns how many notifications wait to be delivered (including
// those that gave up), for tests and the dev console.
func (s *sandbox) Pending() int { return s.out.pending() }
