package store

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// eventsChannel is the NOTIFY channel of ApplicationNotify.
const eventsChannel = "renewal_events"

// ApplicationNotify tells every server process that the application's
// view changed (delivered at the commit when q is a transaction's).
func (q Queries) ApplicationNotify(ctx context.Context, id string) error {
	return mapErr(q.db.ApplicationNotify(ctx, id))
}

// listener is the process's one LISTEN connection, outside both pools (a
// stream waiting for news holds no pool connection), fanning each
// notification out to the subscribers of its application.
type listener struct {
	cfg *pgx.ConnConfig
	log *slog.Logger

	mu   sync.Mutex
	subs map[string]map[*Subscription]struct{}

	connects atomic.Int64 // successful LISTENs, for tests and metrics
	stop     context.CancelFunc
	done     chan struct{}
}

// Subscription receives a signal on C whenever its application may have
// changed. Signals coalesce (C holds one): the receiver reads the current
// view, which is what the signals were about.
type Subscription struct {
	C   <-chan struct{}
	c   chan struct{}
	key string
	l   *listener
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if m := s.l.subs[s.key]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(s.l.subs, s.key)
		}
	}
}

// Subscribe follows an application's changes, as notified by any server
// process on this database. The listening connection is opened at the
// first subscription and kept until Close.
func (s *Store) Subscribe(applicationID string, log *slog.Logger) *Subscription {
	l := s.shared.startListener(log)
	c := make(chan struct{}, 1)
	sub := &Subscription{C: c, c: c, key: applicationID, l: l}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs[applicationID] == nil {
		l.subs[applicationID] = map[*Subscription]struct{}{}
	}
	l.subs[applicationID][sub] = struct{}{}
	return sub
}

// ListenerConnects is how many times the listening connection was
// established (1 after the first subscription, more after a reconnect).
func (s *Store) ListenerConnects() int64 {
	s.shared.listenMu.Lock()
	l := s.shared.listener
	s.shared.listenMu.Unlock()
	if l == nil {
		return 0
	}
	return l.connects.Load()
}

func (sh *shared) startListener(log *slog.Logger) *listener {
	sh.listenMu.Lock()
	defer sh.listenMu.Unlock()
	if sh.listener != nil {
		return sh.listener
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{
		cfg: sh.requests.p.Config().ConnConfig.Copy(), log: log,
		subs: map[string]map[*Subscription]struct{}{}, stop: cancel, done: make(chan struct{}),
	}
	sh.listener = l
	go l.run(ctx)
	return l
}

func (sh *shared) stopListener() {
	sh.listenMu.Lock()
	l := sh.listener
	sh.listenMu.Unlock()
	if l != nil {
		l.stop()
		<-l.done
	}
}

// run listens until ctx ends, reconnecting with backoff when the
// connection is lost (a PostgreSQL restart or failover).
func (l *listener) run(ctx context.Context) {
	defer close(l.done)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := l.listen(ctx, func() { backoff = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return
		}
		l.log.Warn("store: events listener lost its connection", "err", oneLine(err), "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen holds one connection; it returns when that connection fails.
func (l *listener) listen(ctx context.Context, connected func()) error {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.ConnectConfig(cctx, l.cfg.Copy())
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx)) //nolint:errcheck // the connection is being dropped
	if _, err := conn.Exec(ctx, "LISTEN "+eventsChannel); err != nil {
		return err
	}
	connected()
	// Whatever was notified while no one listened (before the first
	// LISTEN, during an outage) is lost: everyone reads their view again.
	if l.connects.Add(1) > 1 {
		l.log.Info("store: events listener reconnected")
	}
	l.wakeAll()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		l.wake(n.Payload)
	}
}

func (l *listener) wake(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.subs[key] {
		signal(s.c)
	}
}

func (l *listener) wakeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.subs {
		for s := range m {
			signal(s.c)
		}
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default: // a signal is pending already
	}
}
