package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/server/internal/store"
)

// With every request connection held, a request waits the bounded time
// and is refused whole (503 busy, Retry-After: 1, no row written); when
// the load falls the same request succeeds, with no restart.
func TestOverloadRefusesAndRecovers(t *testing.T) {
	f := newFlow(t) // 2 request connections, 1 s wait
	ctx := context.Background()
	countApps := func() int {
		var n int
		require.NoError(t, f.st.Pool().QueryRow(ctx, "SELECT count(*) FROM application").Scan(&n))
		return n
	}
	start := func() (int, string, wire.Error) {
		body, _ := json.Marshal(wire.RenewalStart{Service: "ru-owner", Phone: "+79160003301", Email: "busy@example.ru"})
		req := httptest.NewRequest("POST", "/api/v1/renewal", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "198.51.100.33")
		resp, err := f.send(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var e wire.Error
		if resp.StatusCode >= 300 {
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
		}
		return resp.StatusCode, resp.Header.Get("Retry-After"), e
	}
	before := countApps()

	hold := make(chan struct{})
	held := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = f.st.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				held <- struct{}{}
				<-hold
				return nil
			})
		}()
	}
	<-held
	<-held
	t0 := time.Now()
	status, retry, e := start()
	waited := time.Since(t0)
	assert.Equal(t, 503, status)
	assert.Equal(t, "busy", e.Code)
	assert.Equal(t, "1", retry)
	assert.NotEmpty(t, e.MessageRU)
	assert.NotEmpty(t, e.MessageEN)
	assert.Less(t, waited, 5*time.Second, "refused after the bounded wait, not hung")

	close(hold)
	wg.Wait()
	assert.Equal(t, before, countApps(), "nothing half-written")
	status, _, e = start()
	assert.Equal(t, 201, status, "%+v", e)
	assert.Equal(t, before+1, countApps())
}
