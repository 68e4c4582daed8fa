package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"renewal/app/wire"
	"renewal/server/internal/renewal"
	"renewal/server/internal/store"
)

// eventStream is an open GET /api/v1/renewal/events, read as a browser's
// EventSource reads it.
type eventStream struct {
	resp  *http.Response
	views chan wire.Renewal
	ended chan error // the stream's end (io.EOF: the server closed it)
}

// openEvents opens the holder's stream on the listening app at addr.
func (h *holder) openEvents(addr string) (*http.Response, *eventStream) {
	h.f.t.Helper()
	req, err := http.NewRequest("GET", "http://"+addr+"/api/v1/renewal/events", nil)
	require.NoError(h.f.t, err)
	if h.cookie != "" {
		req.Header.Set("Cookie", "rnw_session="+h.cookie)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("X-Forwarded-For", h.ip)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(h.f.t, err)
	if resp.StatusCode != 200 {
		return resp, nil
	}
	s := &eventStream{resp: resp, views: make(chan wire.Renewal, 100), ended: make(chan error, 1)}
	h.f.t.Cleanup(func() { resp.Body.Close() })
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var data strings.Builder
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "data: "):
				data.WriteString(strings.TrimPrefix(line, "data: "))
			case line == "" && data.Len() > 0:
				var v wire.Renewal
				if err := json.Unmarshal([]byte(data.String()), &v); err != nil {
					s.ended <- err
					return
				}
				data.Reset()
				s.views <- v
			}
		}
		err := sc.Err()
		if err == nil {
			err = io.EOF
		}
		s.ended <- err
	}()
	return resp, s
}

// next is the next view the stream sends.
func (s *eventStream) next(t *testing.T) wire.Renewal {
	t.Helper()
	select {
	case v := <-s.views:
		return v
	case err := <-s.ended:
		// The reader sends every view before the end: one still queued
		// comes first (select alone would pick either at random).
		select {
		case v := <-s.views:
			s.ended <- err
			return v
		default:
		}
		t.Fatalf("the stream ended: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("no event in 15 s")
	}
	return wire.Renewal{}
}

// until reads views until one is in state, returning all it read.
func (s *eventStream) until(t *testing.T, state string) []wire.Renewal {
	t.Helper()
	var seen []wire.Renewal
	for {
		v := s.next(t)
		seen = append(seen, v)
		if v.State == state {
			return seen
		}
	}
}

// TestEventsFollowRenewal: the holder's stream sends the current view at
// once, then one event for each state change and each registry step as
// it happens, in order, each the view GET /api/v1/renewal gives, and
// ends when the application reaches a terminal state. While the stream
// waits it holds no database connection.
func TestEventsFollowRenewal(t *testing.T) {
	// The registry's steps half a second apart, so each is an event of its own.
	f := newFlowWith(t, flowOptions{RegistryDelay: time.Second})
	addr := listen(t, f.app)
	h := f.holder("ru-owner", "+7 900 000-02-71", "events@example.ru")
	h.start("ru-owner")
	status, e := h.prove()
	require.Less(t, status, 300, e.MessageEN)

	_, s := h.openEvents(addr)
	require.NotNil(t, s)
	assert.Equal(t, "text/event-stream; charset=utf-8", s.resp.Header.Get("Content-Type"))
	first := s.next(t)
	var polled wire.Renewal
	h.must("GET", "/api/v1/renewal", nil, &polled)
	assert.Equal(t, polled, first, "the first event is the view GET /api/v1/renewal gives")
	assert.Equal(t, "certificate_proven", first.State)
	// Jobs of the flow may hold a request connection a moment; the stream
	// must not hold one for good.
	assert.Eventually(t, func() bool { return f.st.Pool().Stat().AcquiredConns() == 0 }, 2*time.Second, 20*time.Millisecond,
		"an idle stream holds no connection")

	h.acceptTerms() // the tariff, then the terms: two events
	s.until(t, "terms_accepted")

	h.must("POST", "/api/v1/renewal/personal-data", wire.PersonalData{
		PassportSeries: "4510", PassportNumber: "123456", PassportIssued: "2015-06-01",
		SNILS: "693-849-373 75", INN: "771952685970",
	}, nil)
	seen := s.until(t, "verified")
	passed := map[int]bool{} // steps passed, as each event showed them
	for _, v := range seen {
		if v.State != "verifying" || v.Check == nil {
			continue
		}
		n := 0
		for _, st := range v.Check.Steps {
			if st.Status == "passed" {
				n++
			}
		}
		passed[n] = true
	}
	last := seen[len(seen)-1]
	require.NotNil(t, last.Check)
	steps := len(last.Check.Steps)
	require.GreaterOrEqual(t, steps, 2)
	for n := 0; n < steps; n++ {
		assert.True(t, passed[n], "an event while %d of %d registry steps had passed", n, steps)
	}
	for i := 1; i < len(seen); i++ {
		assert.NotEqual(t, seen[i-1], seen[i], "each event is a change")
	}

	h.signApplication()
	s.until(t, "awaiting_payment")
	h.must("POST", "/api/v1/renewal/cancel", nil, nil)
	assert.Equal(t, "cancelled", s.next(t).State)
	select {
	case err := <-s.ended:
		assert.ErrorIs(t, err, io.EOF, "the server ends the stream at the terminal state")
	case v := <-s.views:
		t.Fatalf("an event after the terminal state: %s", v.State)
	case <-time.After(5 * time.Second):
		t.Fatal("the stream stays open after the terminal state")
	}
}

// TestEventsOtherSession: a stream needs the holder's session; another
// holder's stream hears nothing of this application.
func TestEventsOtherSession(t *testing.T) {
	f := newFlow(t)
	addr := listen(t, f.app)
	h := f.holder("by-individual", "+375290002011", "mine@example.by")
	h.start("by-6.0.00")
	other := f.holder("by-individual", "+375290002012", "other@example.by")
	other.start("by-6.0.00")

	for name, cookie := range map[string]string{"fail/no-cookie": "", "fail/forged-cookie": strings.Repeat("A", 43)} {
		t.Run(name, func(t *testing.T) {
			stranger := &holder{f: f, ip: "198.51.100.250", cookie: cookie}
			resp, s := stranger.openEvents(addr)
			defer resp.Body.Close()
			assert.Nil(t, s)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		})
	}

	_, s := other.openEvents(addr)
	require.NotNil(t, s)
	v := s.next(t)
	assert.Equal(t, other.id, v.ID)
	status, e := h.prove()
	require.Less(t, status, 300, e.MessageEN)
	h.acceptTerms()
	select {
	case v := <-s.views:
		t.Fatalf("another holder's stream got an event: %s %s", v.ID, v.State)
	case <-time.After(time.Second):
	}
}

// TestEventsLimited: a session opens at most four streams at once; the
// fifth is refused with 429 and its message, and a closed stream gives
// its place back.
func TestEventsLimited(t *testing.T) {
	f := newFlow(t)
	addr := listen(t, f.app)
	h := f.holder("by-individual", "+375290002021", "many@example.by")
	h.start("by-6.0.00")
	var open []*eventStream
	var first wire.Renewal
	for range streamsPerApplication {
		_, s := h.openEvents(addr)
		require.NotNil(t, s)
		first = s.next(t)
		open = append(open, s)
	}
	assert.Equal(t, first.State, h.state(), "four idle streams leave the two connections of the pool free")

	resp, s := h.openEvents(addr)
	require.Nil(t, s)
	var body wire.Error
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	resp.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "too_many_streams", body.Code)
	assert.NotEmpty(t, body.MessageRU)

	open[0].resp.Body.Close()
	// The server notices the closed stream at its next write: a change.
	status, e := h.prove()
	require.Less(t, status, 300, e.MessageEN)
	require.Eventually(t, func() bool {
		resp, s := h.openEvents(addr)
		if s == nil {
			resp.Body.Close()
			return false
		}
		return true
	}, 20*time.Second, 100*time.Millisecond, "a closed stream's place is given back")
}

// TestStreamLimits: the limits count per application and per client
// address, and a released place can be taken again.
func TestStreamLimits(t *testing.T) {
	st := newStreams()
	var releases []func()
	for i := range streamsPerClient {
		release, ok := st.open(fmt.Sprintf("app-%d", i), "203.0.113.1")
		require.True(t, ok, "stream %d", i)
		releases = append(releases, release)
	}
	_, ok := st.open("app-new", "203.0.113.1")
	assert.False(t, ok, "the 33rd stream of one address")
	_, ok = st.open("app-new", "203.0.113.2")
	assert.True(t, ok, "another address")
	releases[0]()
	_, ok = st.open("app-new", "203.0.113.1")
	assert.True(t, ok, "a released place")

	for i := range streamsPerApplication {
		_, ok := st.open("app-one", fmt.Sprintf("198.51.100.%d", i))
		require.True(t, ok)
	}
	_, ok = st.open("app-one", "198.51.100.99")
	assert.False(t, ok, "the fifth stream of one application, from anywhere")
}

// TestEventsFromAnotherInstance: the stream is served by a second
// instance (its own store and pools on the same database) while the
// holder's calls go to the first: each change still arrives, through
// PostgreSQL's NOTIFY, the first instance never listening at all.
func TestEventsFromAnotherInstance(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	st2, err := store.Open(ctx, f.st.Pool().Config().ConnString(), store.Options{MaxConns: 2, Wait: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(st2.Close)
	cfg := f.svc.Config
	cfg.Store = st2
	svc2, err := renewal.New(cfg)
	require.NoError(t, err)
	addr2 := listen(t, New(Deps{Log: cfg.Log, Services: st2, Ready: st2, Renewal: svc2, TrustedProxies: []string{"0.0.0.0"}}))

	h := f.holder("by-individual", "+375290002031", "second@example.by")
	h.start("by-6.0.00")
	status, e := h.prove()
	require.Less(t, status, 300, e.MessageEN)
	_, s := h.openEvents(addr2)
	require.NotNil(t, s)
	assert.Equal(t, "certificate_proven", s.next(t).State)
	h.acceptTerms() // on the first instance
	s.until(t, "terms_accepted")
	h.must("POST", "/api/v1/renewal/cancel", nil, nil)
	s.until(t, "cancelled")
	assert.Zero(t, f.st.ListenerConnects(), "the first instance never listened: the news crossed through PostgreSQL")
	assert.Positive(t, st2.ListenerConnects())
}
