package exh

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/exhgo/exh/oauth1"
)

// Session is the user session a client signs with. Token and TokenSecret are
// secrets: String, GoString, Format, LogValue and MarshalJSON redact them. To
// persist a session, store its fields yourself or use SaveCredentials.
type Session struct {
	Token         string
	TokenSecret   string
	TokenID       string // ID of the token, for revocation; "" when unknown
	UserID        string // the logged-in user; "" until the client has seen it
	ApplicationID string // the application the token belongs to
}

// sessionState is the immutable value the client swaps atomically: the
// session and the credentials that sign with it.
type sessionState struct {
	Session
	creds oauth1.Credentials
}

// sessions holds the client's current session, delivers change
// notifications in the order the sessions were installed, and keeps the
// server-clock anchor that signatures are timed with.
type sessions struct {
	consumer oauth1.Credentials
	current  atomic.Pointer[sessionState]
	clock    atomic.Pointer[clockAnchor]

	mu       sync.Mutex // orders installs with their notifications
	onChange func(Session)
	queue    []Session // notifications not delivered yet, oldest first
	draining bool      // a goroutine is delivering the queue
}

func newSessions(consumer oauth1.Credentials, onChange func(Session)) *sessions {
	return &sessions{consumer: consumer, onChange: onChange}
}

// state builds the state for s, signing with the client's consumer.
func (ss *sessions) state(s Session) *sessionState {
	creds := ss.consumer
	creds.Token, creds.TokenSecret = s.Token, s.TokenSecret
	return &sessionState{Session: s, creds: creds}
}

// load returns the current state, nil when logged out.
func (ss *sessions) load() *sessionState { return ss.current.Load() }

// install makes next (nil to log out) the current session and notifies.
func (ss *sessions) install(next *sessionState) {
	ss.mu.Lock()
	ss.current.Store(next)
	ss.enqueue(next)
}

// replace installs next only if old is still current, so a slow call cannot
// undo a newer login. It reports whether it did.
func (ss *sessions) replace(old, next *sessionState) bool {
	ss.mu.Lock()
	if !ss.current.CompareAndSwap(old, next) {
		ss.mu.Unlock()
		return false
	}
	ss.enqueue(next)
	return true
}

// enqueue queues the notification for st and delivers the queue unless
// another goroutine is already doing so. It is called with mu held and
// releases it. A hook that installs a session itself (say, Logout from the
// hook) queues its notification behind the current one instead of
// deadlocking; a hook that panics leaves the rest of the queue for the next
// install.
func (ss *sessions) enqueue(st *sessionState) {
	if ss.onChange == nil {
		ss.mu.Unlock()
		return
	}
	var s Session
	if st != nil {
		s = st.Session
	}
	ss.queue = append(ss.queue, s)
	if ss.draining {
		ss.mu.Unlock()
		return
	}
	ss.draining = true
	defer func() {
		ss.draining = false
		ss.mu.Unlock()
	}()
	for len(ss.queue) > 0 {
		next := ss.queue[0]
		ss.queue = ss.queue[1:]
		ss.mu.Unlock()
		ss.deliver(next)
		ss.mu.Lock()
	}
}

// deliver calls the hook; if it panics, mu is taken again first so that the
// deferred unlock in enqueue stays balanced.
func (ss *sessions) deliver(s Session) {
	ok := false
	defer func() {
		if !ok {
			ss.mu.Lock()
		}
	}()
	ss.onChange(s)
	ok = true
}

// signing says which credentials a call signs with.
type signing int

const (
	signSession      signing = iota // the user's token; ErrNotAuthenticated without one
	signConsumerOnly                // consumer key only: the password and MFA grants
	signAny                         // the user's token when there is one, else consumer only (Raw, health)
)

// credentials resolves, once per call, what every attempt of the call signs
// with: the call's own session when it has one, else the current session.
func (ss *sessions) credentials(mode signing, own *sessionState) (*oauth1.Credentials, error) {
	if mode == signConsumerOnly {
		return &ss.consumer, nil
	}
	st := own
	if st == nil {
		st = ss.load()
	}
	switch {
	case st != nil:
		return &st.creds, nil
	case mode == signSession:
		return nil, ErrNotAuthenticated
	}
	return &ss.consumer, nil
}

// credentialsKey carries the credentials a call resolved to its transport.
type credentialsKey struct{}

func withCredentials(ctx context.Context, c *oauth1.Credentials) context.Context {
	return context.WithValue(ctx, credentialsKey{}, c)
}

// signingCredentials is the signing transport's Credentials func: the
// credentials the call resolved. Requests to another host are not signed.
func signingCredentials(host string) func(*http.Request) (*oauth1.Credentials, error) {
	return func(r *http.Request) (*oauth1.Credentials, error) {
		if !strings.EqualFold(r.URL.Host, host) {
			return nil, nil
		}
		c, _ := r.Context().Value(credentialsKey{}).(*oauth1.Credentials)
		return c, nil
	}
}

// clockAnchor is the server's time at a local monotonic instant: now adds
// the time elapsed since, so a later jump of the wall clock cannot spoil it.
type clockAnchor struct {
	server time.Time
	local  time.Time // carries a monotonic reading
}

// now is the signer's clock: local time, or the server's once a skew was seen.
func (ss *sessions) now() time.Time { return ss.nowAt(time.Now()) }

// nowAt is what now returned at the local instant t.
func (ss *sessions) nowAt(t time.Time) time.Time {
	if a := ss.clock.Load(); a != nil {
		return a.server.Add(t.Sub(a.local))
	}
	return t
}

// maxClockSkew is the difference between the server's Date and the signing
// clock above which a 109 answer makes the client adopt the server's clock.
const maxClockSkew = 30 * time.Second

// clockSkew returns how far the Date header of an answer received at
// receivedAt is from the signing clock, and false when there is no Date.
func (ss *sessions) clockSkew(h http.Header, receivedAt time.Time) (time.Duration, bool) {
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return 0, false
	}
	return date.Sub(ss.nowAt(receivedAt)), true
}

// adoptClock signs from now on with the server clock: skew ahead of local
// time as it was at receivedAt.
func (ss *sessions) adoptClock(skew time.Duration, receivedAt time.Time) {
	ss.clock.Store(&clockAnchor{server: ss.nowAt(receivedAt).Add(skew), local: receivedAt})
}

func sessionFromToken(t *Token) Session {
	return Session{Token: t.Token, TokenSecret: t.TokenSecret, TokenID: t.ID,
		UserID: t.UserID, ApplicationID: t.ApplicationID}
}
