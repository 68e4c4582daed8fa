package sandbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"renewal/server/internal/payments"
)

// Many holders paying at once: every payment gets its notifications, each
// duplicate carrying the same event.
func TestCardSandboxManyConcurrentPayments(t *testing.T) {
	const n = 200
	rc := newReceiver(t, 0)
	st := newSite(t)
	cfg := testConfig(t, st.srv.URL, rc)
	cfg.Duplicates = 2
	c := startCard(t, st, cfg)

	refs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			cr, err := c.Create(context.Background(), cardRequest(fmt.Sprintf("many-%d", i)))
			if !assert.NoError(t, err) {
				return
			}
			refs[i] = cr.ProviderRef
			resp, err := browser.PostForm(cr.RedirectURL, cardForm(TestCardSuccess))
			if assert.NoError(t, err) {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			}
		})
	}
	wg.Wait()

	byRef := map[string][]payments.Event{}
	deadline := time.After(20 * time.Second) // generous: the machine is shared
	for got := 0; got < n*cfg.Duplicates; got++ {
		select {
		case r := <-rc.ch:
			require.NoError(t, r.err)
			byRef[r.ev.ProviderRef] = append(byRef[r.ev.ProviderRef], r.ev)
		case <-deadline:
			require.FailNowf(t, "timeout", "got %d of %d notifications", got, n*cfg.Duplicates)
		}
	}
	for i, ref := range refs {
		evs := byRef[ref]
		require.Len(t, evs, cfg.Duplicates, "payment %d", i)
		assert.Equal(t, payments.EventSucceeded, evs[0].Kind)
		assert.Equal(t, fmt.Sprintf("many-%d", i), evs[0].PaymentID)
		assert.Equal(t, evs[0], evs[1], "a duplicate is the same event")
	}
	rc.quiet(t, 100*time.Millisecond)
	assert.Zero(t, c.Pending())
}

// BenchmarkCardCreatePay is holders paying by card at once: each operation
// is a Create and the success card posted to the hosted page; the clock
// stops when every notification has been acknowledged by a receiver that
// takes 2 ms per notification, as the server's webhook transaction does.
// The parallelism stands for 64 holders on two cores. It also reports
// the median time from a payment to its notification's acknowledgement.
// (Duplicates is 1, so each payment has one notification.)
func BenchmarkCardCreatePay(b *testing.B) {
	var (
		acked  atomic.Int64
		paidAt sync.Map // PaymentID → time.Time
		latMu  sync.Mutex
		lat    []time.Duration
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		time.Sleep(2 * time.Millisecond)
		if ev, err := payments.ParseEvent(body); err == nil {
			if t, ok := paidAt.Load(ev.PaymentID); ok {
				latMu.Lock()
				lat = append(lat, time.Since(t.(time.Time)))
				latMu.Unlock()
			}
		}
		acked.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hook.Close()
	c, err := NewCard(Config{
		BaseURL: "http://sandbox.test", WebhookURL: hook.URL, Secret: testSecret, Dir: b.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); _ = c.Close() }()
	c.Start(ctx)
	form := cardForm(TestCardSuccess).Encode()
	var paid atomic.Int64

	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("bench-%d", paid.Add(1))
			cr, err := c.Create(ctx, cardRequest(id))
			if err != nil {
				b.Error(err)
				return
			}
			req := httptest.NewRequest(http.MethodPost, "/sandbox/pay/"+cr.ProviderRef, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			paidAt.Store(id, time.Now())
			c.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Errorf("pay: %d", w.Code)
				return
			}
		}
	})
	for deadline := time.Now().Add(5 * time.Minute); acked.Load() < paid.Load(); {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d notifications acknowledged", acked.Load(), paid.Load())
		}
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2])/float64(time.Millisecond), "ms-paid-to-webhook-p50")
	}
}
