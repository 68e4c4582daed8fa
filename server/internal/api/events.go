package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"renewal/app/wire"
	"renewal/server/internal/apierr"
	"renewal/server/internal/renewal"
	"renewal/server/internal/store"
)

// The events stream's limits: a wizard needs one stream (two while a page
// reloads); a person with a few tabs stays under the first, and a client
// address that is an office behind one NAT under the second.
const (
	streamsPerApplication = 4
	streamsPerClient      = 32
	// heartbeat keeps proxies from closing an idle stream and finds a
	// client that is gone.
	heartbeat = 15 * time.Second
	// streamWrite bounds one write of the stream (the server's own
	// WriteTimeout would end every stream a minute after it opened).
	streamWrite = 30 * time.Second
	// streamRetry is the pause before a view that could not be read
	// (every connection busy, the database restarting) is read again.
	streamRetry = 250 * time.Millisecond
)

var errTooManyStreams = apierr.New(apierr.KindTooManyRequests, "too_many_streams",
	"Открыто слишком много потоков событий для этого заявления или с вашего адреса. Закройте лишние вкладки и повторите.",
	"Too many event streams are open for this application or from your address. Close the extra tabs and try again.")

// streams counts the open streams per application and per client address.
type streams struct {
	mu      sync.Mutex
	perApp  map[string]int
	perAddr map[string]int
}

func newStreams() *streams {
	return &streams{perApp: map[string]int{}, perAddr: map[string]int{}}
}

// open takes a place for a stream, or refuses; release gives it back.
func (st *streams) open(app, addr string) (release func(), ok bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.perApp[app] >= streamsPerApplication || st.perAddr[addr] >= streamsPerClient {
		return nil, false
	}
	st.perApp[app]++
	st.perAddr[addr]++
	return func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.perApp[app]--; st.perApp[app] <= 0 {
			delete(st.perApp, app)
		}
		if st.perAddr[addr]--; st.perAddr[addr] <= 0 {
			delete(st.perAddr, addr)
		}
	}, true
}

// events is GET /api/v1/renewal/events: a server-sent-events stream of
// the session's application. Each event's data is the view GET
// /api/v1/renewal returns, sent at once and then whenever it changes
// (a state change or a registry step, on any server process: the store
// listens to PostgreSQL's NOTIFY). The stream ends at a terminal state,
// when the session ends, or when the client goes away. While it waits it
// holds no database connection.
func (s *server) events(c *fiber.Ctx) error {
	sess := session(c)
	release, ok := s.streams.open(sess.ApplicationID, ClientIP(c))
	if !ok {
		return errTooManyStreams
	}
	// Subscribe before the first read: a change between them is not lost.
	sub := s.Renewal.Store.Subscribe(sess.ApplicationID, s.Log)
	first, err := s.Renewal.View(c.UserContext(), sess)
	if err != nil {
		sub.Close()
		release()
		return err
	}
	cookie := c.Cookies(s.cookieName(c))
	conn := c.Context().Conn()
	shutdown := c.Context().Done()

	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderConnection, "keep-alive")
	c.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer release()
		defer sub.Close()
		send := func(b []byte) bool {
			_ = conn.SetWriteDeadline(time.Now().Add(streamWrite))
			if _, err := w.Write(b); err != nil {
				return false
			}
			return w.Flush() == nil
		}
		// A client that reconnects waits a second, not the browser's 3 s.
		last, err := json.Marshal(first)
		if err != nil || !send(fmt.Appendf(nil, "retry: 1000\ndata: %s\n\n", last)) || wire.State(first.State).Terminal() {
			return
		}
		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		var again <-chan time.Time // a read to repeat (the database was busy)
		for {
			select {
			case <-shutdown:
				return
			case <-tick.C:
				if !send([]byte(": heartbeat\n\n")) {
					return
				}
				continue
			case <-sub.C:
			case <-again:
			}
			again = nil
			v, err := s.currentView(cookie)
			if errors.Is(err, renewal.ErrNoSession) || errors.Is(err, store.ErrNotFound) {
				// The session ended or changed (the proof gives a new
				// cookie): a reconnecting client reads with its new one.
				s.Log.Info("events: stream ends", "application", sess.ApplicationID, "err", err)
				return
			}
			if err != nil {
				// Busy or unavailable now: the change is still to be told.
				s.Log.Warn("events: reading the view", "application", sess.ApplicationID, "err", err)
				again = time.After(streamRetry)
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				return
			}
			if bytes.Equal(b, last) {
				continue // a notification that changed nothing the holder sees
			}
			last = b
			if !send(fmt.Appendf(nil, "data: %s\n\n", b)) || wire.State(v.State).Terminal() {
				return
			}
		}
	})
	return nil
}

// currentView reads the session again (it may have ended) and its view,
// as GET /api/v1/renewal would answer now.
func (s *server) currentView(cookie string) (*wire.Renewal, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, err := s.Renewal.Session(ctx, cookie)
	if err != nil {
		return nil, err
	}
	return s.Renewal.View(ctx, sess)
}
