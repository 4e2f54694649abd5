package exhtest

import (
	"encoding/binary"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the options.
const (
	defaultTimestampWindow = 5 * time.Minute
	defaultSSOTokenTTL     = 5 * time.Minute
	defaultMfaDelayBase    = time.Second
	mfaTokenTTL            = 15 * time.Minute // tokenExpiresIn 900000 ms
	defaultPresenceTTL     = 10 * time.Minute
	maxBodyBytes           = 1 << 20
)

// Server is a running fake of the ExtraHorizon auth service. It verifies
// OAuth1 signatures like the real gateway and serves the OAuth1 endpoints
// of the auth service from in-memory state that tests seed with
// AddApplication, AddUser and AddToken.
//
// All methods are safe for concurrent use, also while requests are being
// served.
type Server struct {
	// URL is the base URL of the server, "http://127.0.0.1:port", without a
	// trailing slash. Use it as the SDK's host.
	URL string

	ts        *httptest.Server
	closing   chan struct{}
	closeOnce sync.Once

	mu sync.Mutex // guards everything below

	rng *rand.Rand

	clock      func() time.Time
	fixed      bool      // clock frozen at fixedTime (SetNow was called)
	fixedTime  time.Time // valid when fixed
	clockShift time.Duration

	window       time.Duration
	ssoTTL       time.Duration
	presenceTTL  time.Duration
	mfaDelayBase time.Duration
	pathPrefix   string // "" or "/…" without a trailing slash; never changes after NewServer

	appsByKey    map[string]*Application
	users        []*userRecord
	tokens       []*Token // live tokens in creation order
	tokensByTok  map[string]*Token
	nonces       map[nonceKey]bool
	noncePruneAt int
	mfaTokens    map[string]*mfaTokenRecord
	ssoTokens    map[string]*ssoTokenRecord
	presence     map[string]*presenceRecord
	loginRules   LoginRules
	loginStates  map[string]*loginState
	faults       []*faultEntry
	requests     []Request
	mfaFailures  map[string]*mfaFailureState
}

// Option configures a Server in NewServer.
type Option func(*Server)

// WithSeed makes the server generate IDs, tokens, secrets and MFA material
// from a math/rand/v2 ChaCha8 source seeded with seed. The same seed and
// the same sequence of calls give the same values, whatever else the
// process does.
//
// Without this option the n-th server of the process that has no WithSeed
// gets a seed of its own, derived from n: two servers never share IDs, keys
// or secrets (a key of one server is unknown to the other), and a test
// binary that creates its servers in a fixed order still sees the same
// values on every run. Tests that run in parallel, or that must not depend
// on the servers created before, should pass WithSeed.
func WithSeed(seed uint64) Option {
	return func(s *Server) { s.rng = newRand(seed, "exhtest deterministic ids") }
}

// unseededServers counts the servers created without WithSeed.
var unseededServers atomic.Uint64

// WithClock sets the server clock; the default is time.Now. SetNow and
// Advance adjust the clock later. The server calls now while holding its
// lock, so now must not call methods of the Server.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.clock = now }
}

// WithTimestampWindow sets how far oauth_timestamp may be from the server
// clock, in either direction, before a request is rejected with 401/109.
// The default is 5 minutes.
func WithTimestampWindow(d time.Duration) Option {
	return func(s *Server) { s.window = d }
}

// WithSSOTokenTTL sets how long a generated SSO token can be consumed. The
// default is 5 minutes.
func WithSSOTokenTTL(d time.Duration) Option {
	return func(s *Server) { s.ssoTTL = d }
}

// WithPresenceTokenTTL sets how long a presence token from POST
// /auth/v2/confirmPresence is accepted by the MFA settings endpoints. The
// default is 10 minutes; the service does not document its own lifetime.
func WithPresenceTokenTTL(d time.Duration) Option {
	return func(s *Server) { s.presenceTTL = d }
}

// WithPathPrefix makes the server serve every route under prefix, as a
// cluster behind a reverse proxy that adds a path does: with prefix "/api"
// the password grant is POST /api/auth/v2/oauth1/tokens. Point the client
// at Server.URL + prefix. Signatures are verified over the full path as
// received, prefix included, which is what such a client signs. Requests
// outside the prefix answer 404/16 without a signature check.
//
// A missing leading slash is added and trailing slashes are removed; ""
// and "/" mean no prefix. Request.Path and the paths given to FailNext are
// full paths as received, prefix included.
func WithPathPrefix(prefix string) Option {
	return func(s *Server) {
		prefix = strings.TrimRight(prefix, "/")
		if prefix != "" && !strings.HasPrefix(prefix, "/") {
			prefix = "/" + prefix
		}
		s.pathPrefix = prefix
	}
}

// WithMfaReattemptDelay scales the delay a user must wait after a failed
// MFA attempt before the next one is checked (until then the MFA grant
// answers 400/134 with remainingDelay in milliseconds). At the default base
// of 1 s the delay after the n-th consecutive failure is, for n = 1 … 10,
// 1, 1.5, 2, 3, 5, 7, 10, 15, 20 and 30 s, and 30 s after any later one;
// another base multiplies each step by base / 1 s, so 10 ms gives 10 ms …
// 300 ms for fast tests. A base of 0 disables 134. A successful MFA grant
// starts the schedule over.
func WithMfaReattemptDelay(base time.Duration) Option {
	return func(s *Server) { s.mfaDelayBase = base }
}

// newRand is a ChaCha8 source keyed by seed and a label, so that the
// default seeds (one label) never give the values of a WithSeed seed
// (another label).
func newRand(seed uint64, label string) *rand.Rand {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:8], seed)
	copy(key[8:], label)
	return rand.New(rand.NewChaCha8(key))
}

// NewServer starts a fake auth service on a loopback port and returns it.
// The caller must call Close when done. NewServer panics only if it cannot
// listen, as httptest.NewServer does. The server logs nothing.
func NewServer(opts ...Option) *Server {
	s := &Server{
		closing:      make(chan struct{}),
		clock:        time.Now,
		window:       defaultTimestampWindow,
		ssoTTL:       defaultSSOTokenTTL,
		presenceTTL:  defaultPresenceTTL,
		mfaDelayBase: defaultMfaDelayBase,
		appsByKey:    map[string]*Application{},
		tokensByTok:  map[string]*Token{},
		nonces:       map[nonceKey]bool{},
		noncePruneAt: noncePruneEvery,
		mfaTokens:    map[string]*mfaTokenRecord{},
		ssoTokens:    map[string]*ssoTokenRecord{},
		presence:     map[string]*presenceRecord{},
		loginStates:  map[string]*loginState{},
		mfaFailures:  map[string]*mfaFailureState{},
	}
	for _, opt := range opts {
		opt(s)
	}
	if s.rng == nil {
		s.rng = newRand(unseededServers.Add(1), "exhtest nth unseeded server")
	}
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.ts.Start()
	s.URL = s.ts.URL
	return s
}

// Close shuts the server down. It cancels pending Fault delays, then waits
// for requests in flight, like httptest.Server.Close. Close may be called
// more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.ts.Close()
}

// Client returns an HTTP client configured for the server (httptest's). Its
// idle connections are closed by Close.
func (s *Server) Client() *http.Client {
	return s.ts.Client()
}

// Now returns the server clock: the time set by SetNow plus any Advance
// since, or else the WithClock function (time.Now by default) plus the sum
// of all Advance calls.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// SetNow freezes the server clock at t: Now returns t until the next SetNow
// or Advance. The WithClock function is no longer consulted.
func (s *Server) SetNow(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fixed, s.fixedTime, s.clockShift = true, t, 0
}

// Advance moves the server clock forward by d (backward when d is
// negative). A frozen clock (after SetNow) stays frozen at the new time; a
// running clock keeps running, shifted by d.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fixed {
		s.fixedTime = s.fixedTime.Add(d)
	} else {
		s.clockShift += d
	}
}

// now is Now for callers that hold s.mu.
func (s *Server) now() time.Time {
	if s.fixed {
		return s.fixedTime
	}
	return s.clock().Add(s.clockShift)
}

// Request is one request as the server received it, recorded by Requests.
// Secrets are scrubbed: Body holds the JSON body with the values of secret
// fields (password, code, token, ssoToken, tokenSecret, presenceToken and
// any other field whose name contains "password", "secret" or "token")
// replaced by "REDACTED"; a body that is not JSON is recorded as
// "REDACTED". The Authorization header is not kept, only the parameters
// listed here.
type Request struct {
	Method string
	Path   string // as received, with the WithPathPrefix prefix if any
	Query  string // raw query, without '?'
	// Status is the HTTP status answered, 0 when a Fault dropped or reset
	// the connection or the client went away during a Fault delay.
	Status int
	// Code is the ExtraHorizon error code answered, 0 for none.
	Code int
	// ConsumerKey, Token, Nonce and Timestamp are the oauth parameters of
	// the Authorization header as received (decoded), "" or 0 if absent.
	ConsumerKey string
	Token       string
	Nonce       string
	Timestamp   int64
	Body        string
}

// Requests returns a copy of the recorded requests in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// serveHTTP is the handler of the underlying httptest server.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	_, _ = io.Copy(io.Discard, r.Body)

	rec := Request{
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.RawQuery,
		Body:   scrubBody(body),
	}
	if params, err := parseAuthorization(r.Header.Get("Authorization")); err == nil {
		rec.ConsumerKey = params["oauth_consumer_key"]
		rec.Token = params["oauth_token"]
		rec.Nonce = params["oauth_nonce"]
		rec.Timestamp, _ = parseTimestamp(params["oauth_timestamp"])
	}

	// Date tells the server's clock, as a real gateway's does; a client
	// can correct its own clock from it after a 109.
	w.Header().Set("Date", s.Now().UTC().Format(http.TimeFormat))

	if f := s.takeFault(r.Method, r.URL.Path); f != nil {
		if handled := s.applyFault(w, r, f, rec); handled {
			return
		}
	}

	s.mu.Lock()
	resp := s.handle(r, body)
	rec.Status, rec.Code = resp.status, resp.code
	s.requests = append(s.requests, rec)
	s.mu.Unlock()

	// The request is recorded before the client can see the answer, so a
	// test may call Requests as soon as its call returns.
	if resp.contentType != "" {
		w.Header().Set("Content-Type", resp.contentType)
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}
