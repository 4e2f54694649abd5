package exh

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordWaits replaces the client's sleep with one that records the waits
// and returns at once.
func recordWaits(c *Client) *[]time.Duration {
	var mu sync.Mutex
	waits := &[]time.Duration{}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*waits = append(*waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return waits
}

// statusSequence answers the n-th request with statuses[n] (the last one
// repeats), with an optional Retry-After.
func statusSequence(retryAfter string, statuses ...int) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		st := statuses[min(i, len(statuses)-1)]
		if st != 200 && retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		writeJSON(w, st, `{}`)
	}
}

func nonces(reqs []seen) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, authParams(r.Header.Get("Authorization"))["oauth_nonce"])
	}
	return out
}

func TestRetryIdempotentOn5xxWithFreshSignatures(t *testing.T) {
	c, rec := newServerClient(t, statusSequence("", 503, 502, 500, 200))
	waits := recordWaits(c)
	_, err := c.Raw.Get(t.Context(), "/auth/v2/oauth1/tokens", nil)
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 4)
	ns := nonces(reqs)
	assert.Len(t, uniq(ns), 4, "every attempt carries a fresh nonce")
	sigs := map[string]bool{}
	for _, r := range reqs {
		sigs[authParams(r.Header.Get("Authorization"))["oauth_signature"]] = true
	}
	assert.Len(t, sigs, 4)
	require.Len(t, *waits, 3)
	for i, w := range *waits {
		step := 300 * time.Millisecond << i
		assert.GreaterOrEqual(t, w, step/2, "wait %d", i)
		assert.LessOrEqual(t, w, step, "wait %d", i)
	}
}

func uniq(s []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}

func TestRetryGivesUpAfterMaxAttempts(t *testing.T) {
	c, rec := newServerClient(t, statusSequence("", 503))
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	assert.ErrorIs(t, err, ErrServer)
	assert.Len(t, rec.all(), 5, "5 attempts in all, as the JS SDK")
}

func TestNoRetryPolicy(t *testing.T) {
	c, rec := newServerClient(t, statusSequence("", 503), WithRetry(NoRetry()))
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	assert.ErrorIs(t, err, ErrServer)
	assert.Len(t, rec.all(), 1)
}

func TestPostIsNotRetriedOnStatus(t *testing.T) {
	for _, st := range []int{500, 502, 503, 504, 429} {
		c, rec := newServerClient(t, statusSequence("", st, 200))
		_, err := c.Raw.Post(t.Context(), "/x", map[string]int{"a": 1}, nil)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, st, apiErr.StatusCode)
		assert.Len(t, rec.all(), 1, "status %d", st)
	}
}

func TestNotRetriedOn4xx(t *testing.T) {
	c, rec := newServerClient(t, statusSequence("", 400, 200))
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	assert.ErrorIs(t, err, ErrBadRequest)
	assert.Len(t, rec.all(), 1)
}

func TestRetryAfter(t *testing.T) {
	cases := []struct {
		header   string
		wantWait time.Duration // 0: backoff applies
		tooLong  bool
	}{
		{"2", 2 * time.Second, false},
		{time.Now().Add(4 * time.Second).UTC().Format(http.TimeFormat), 3 * time.Second, false}, // about 4s
		{"3600", 0, true},
		{"-1", 0, false},
		{"abc", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.header, func(t *testing.T) {
			c, rec := newServerClient(t, statusSequence(tc.header, 429, 200))
			waits := recordWaits(c)
			_, err := c.Raw.Get(t.Context(), "/x", nil)
			if tc.tooLong {
				var ra *RetryAfterError
				require.ErrorAs(t, err, &ra)
				assert.Equal(t, time.Hour, ra.RetryAfter)
				assert.ErrorIs(t, err, ErrBadRequest) // 429 classes as a 4xx
				assert.Empty(t, *waits, "no sleep when the server asks for too long")
				assert.Len(t, rec.all(), 1)
				return
			}
			require.NoError(t, err)
			require.Len(t, *waits, 1)
			if tc.wantWait > 0 {
				assert.GreaterOrEqual(t, (*waits)[0], tc.wantWait)
				assert.LessOrEqual(t, (*waits)[0], tc.wantWait+2*time.Second)
			} else {
				assert.LessOrEqual(t, (*waits)[0], 300*time.Millisecond)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		d  time.Duration
		ok bool
	}{
		"":                              {0, false},
		"0":                             {0, true},
		"7":                             {7 * time.Second, true},
		" 7 ":                           {7 * time.Second, true},
		"-3":                            {0, false},
		"1e3":                           {0, false},
		"99999999999999999999":          {24 * time.Hour, true},
		"999999999":                     {24 * time.Hour, true},
		"9223372036854775807":           {24 * time.Hour, true}, // 2^63-1
		"9223372036854775808":           {24 * time.Hour, true}, // 2^63
		"18446744073709551616":          {24 * time.Hour, true}, // 2^64
		strings.Repeat("9", 300):        {24 * time.Hour, true},
		"-99999999999999999999":         {0, false},
		"Fri, 31 Dec 9999 23:59:59 GMT": {24 * time.Hour, true},
		"Thu, 01 Jan 2026 00:00:10 GMT": {10 * time.Second, true},
		"Wed, 31 Dec 2025 23:00:00 GMT": {0, true},
	}
	for in, want := range cases {
		d, ok := parseRetryAfter(in, now)
		assert.Equal(t, want.ok, ok, in)
		assert.Equal(t, want.d, d, in)
	}
}

// listener runs handle on every accepted connection of a loopback listener.
func listener(t *testing.T, handle func(net.Conn)) (addr string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				handle(conn)
			}()
		}
	}()
	return l.Addr().String()
}

// readRequest reads one HTTP request from conn.
func readRequest(conn net.Conn) (*http.Request, error) {
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err == nil {
		_, _ = req.Body.Read(make([]byte, 1<<16))
	}
	return req, err
}

func TestLoginDroppedAfterReadIsNotResent(t *testing.T) {
	var count atomic.Int32
	addr := listener(t, func(conn net.Conn) {
		if _, err := readRequest(conn); err == nil {
			count.Add(1)
		}
		// close without answering
	})
	c := newTestClient(t, "http://"+addr)
	_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "canary-password")
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.Equal(t, int32(1), count.Load(), "a login is sent once")
	assert.NotContains(t, err.Error(), "canary")
	assert.Equal(t, Session{}, c.Auth.Session())
}

func TestGetDroppedAfterReadIsRetried(t *testing.T) {
	var count atomic.Int32
	addr := listener(t, func(conn net.Conn) {
		if _, err := readRequest(conn); err != nil {
			return
		}
		if count.Add(1) == 1 {
			return // drop the first
		}
		conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"))
	})
	c := newTestClient(t, "http://"+addr)
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	require.NoError(t, err)
	assert.Equal(t, int32(2), count.Load())
}

func TestDialFailureIsRetriedEvenForLogin(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close() // a dead port: connection refused
	c := newTestClient(t, "http://"+addr)
	waits := recordWaits(c)
	_, err = c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.True(t, isNetworkError(err), "%v", err)
	assert.Len(t, *waits, 4, "nothing was sent, so all 5 attempts are made")
}

func TestDuplicateRequestRetriedOnceForGet(t *testing.T) {
	dup := `{"code":110,"name":"DUPLICATE_REQUEST_EXCEPTION","message":"dup"}`
	var n atomic.Int32
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, 401, dup)
			return
		}
		writeJSON(w, 200, `{}`)
	})
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	require.NoError(t, err)
	assert.Len(t, uniq(nonces(rec.all())), 2)

	c2, rec2 := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 401, dup) })
	_, err = c2.Raw.Get(t.Context(), "/x", nil)
	assert.ErrorIs(t, err, ErrCodeDuplicateRequest)
	assert.Len(t, rec2.all(), 2, "retried once, not more")

	c3, rec3 := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 401, dup) })
	_, err = c3.Raw.Post(t.Context(), "/x", nil, nil)
	assert.ErrorIs(t, err, ErrCodeDuplicateRequest)
	assert.Len(t, rec3.all(), 1, "a POST is not re-sent")
}

func TestClockSkewIsAdoptedOnce(t *testing.T) {
	serverNow := time.Now().Add(10 * time.Minute)
	sig := `{"code":109,"name":"OAUTH_SIGNATURE_EXCEPTION","message":"timestamp too far"}`
	var calls atomic.Int32
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Date", serverNow.UTC().Format(http.TimeFormat))
		ts := authParams(r.Header.Get("Authorization"))["oauth_timestamp"]
		var sec int64
		for _, ch := range ts {
			sec = sec*10 + int64(ch-'0')
		}
		if d := time.Unix(sec, 0).Sub(serverNow); d < -5*time.Minute || d > 5*time.Minute {
			writeJSON(w, 401, sig)
			return
		}
		writeJSON(w, 200, `{}`)
	})
	_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
	// The grant answer {} has no token: a decode error, but the request went through.
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Len(t, rec.all(), 2, "one 109, then one re-signed retry")
	_, err = c.Raw.Get(t.Context(), "/x", nil)
	require.NoError(t, err)
	assert.Len(t, rec.all(), 3, "later calls use the server's clock at once")
	assert.InDelta(t, serverNow.Unix(), c.sessions.now().Unix(), 3)
	// Row 9: the anchor keeps a monotonic reading, so time.Since — and the
	// server time derived from it — ignores later jumps of the wall clock.
	assert.Contains(t, c.sessions.clock.Load().local.String(), "m=", "the local anchor must carry a monotonic reading")
}

func TestClockSkewNoLoop(t *testing.T) {
	sig := `{"code":109,"name":"OAUTH_SIGNATURE_EXCEPTION","message":"bad"}`
	for _, tc := range []struct {
		name, date string
		want       int
	}{
		{"always 109 with skewed date", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), 2},
		{"small skew", time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat), 1},
		{"no date", "", 1},
		{"garbage date", "yesterday", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.date != "" {
					w.Header()["Date"] = []string{tc.date}
				} else {
					w.Header()["Date"] = nil
				}
				writeJSON(w, 401, sig)
			})
			_, err := c.Raw.Get(t.Context(), "/x", nil)
			assert.ErrorIs(t, err, ErrCodeOAuthSignature)
			assert.Len(t, rec.all(), tc.want)
		})
	}
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	c, _ := newServerClient(t, statusSequence("", 503))
	c.sleep = sleepCtx
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Raw.Get(ctx, "/x", nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestSlowDripEndsAtTimeout(t *testing.T) {
	addr := listener(t, func(conn net.Conn) {
		if _, err := readRequest(conn); err != nil {
			return
		}
		conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"))
		for i := 0; i < 100; i++ {
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	c := newTestClient(t, "http://"+addr, WithTimeout(300*time.Millisecond))
	start := time.Now()
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestRequestErrorHidesQuery(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	c := newTestClient(t, "http://"+addr, WithRetry(NoRetry()))
	_, err = c.Raw.Get(t.Context(), "/x?eq(email,private@example.com)", nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "private@example.com")
	assert.True(t, strings.HasPrefix(err.Error(), "exh: GET /x: "), err.Error())
	assert.False(t, errors.Is(err, context.Canceled))
}

// nonceServer answers 401/110 to a nonce it has seen, like the gateway, and
// drops the connection instead of answering the second request of the first
// connection.
func nonceServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var mu sync.Mutex
	seenNonces := map[string]bool{}
	var requests atomic.Int32
	var dropped atomic.Bool
	type connKey struct{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		nonce := authParams(r.Header.Get("Authorization"))["oauth_nonce"]
		mu.Lock()
		dup := seenNonces[nonce]
		seenNonces[nonce] = true
		mu.Unlock()
		n := r.Context().Value(connKey{}).(*atomic.Int32).Add(1)
		if n == 2 && dropped.CompareAndSwap(false, true) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // read, then hang up without an answer
			}
			return
		}
		if dup {
			writeJSON(w, 401, `{"code":110,"name":"DUPLICATE_REQUEST_EXCEPTION","message":"A request with identical parameters was already received"}`)
			return
		}
		writeJSON(w, 200, `{}`)
	}))
	srv.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, &atomic.Int32{})
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &requests
}

// Row 5: Go's transport re-sends a GET (same signature) after a reused
// connection dies; the server answers 110; the client re-signs once.
func TestTransportReplayOfGetIsRepaired(t *testing.T) {
	srv, requests := nonceServer(t)
	c := newTestClient(t, srv.URL)
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	require.NoError(t, err)
	_, err = c.Raw.Get(t.Context(), "/x", nil)
	require.NoError(t, err)
	assert.Equal(t, int32(4), requests.Load(), "1 + dropped + transport replay (110) + re-signed retry")
}

func TestDroppedPostOnReusedConnectionIsOutcomeUnknown(t *testing.T) {
	srv, requests := nonceServer(t)
	c := newTestClient(t, srv.URL)
	_, err := c.Raw.Post(t.Context(), "/x", map[string]int{"a": 1}, nil)
	require.NoError(t, err)
	_, err = c.Raw.Post(t.Context(), "/x", map[string]int{"a": 2}, nil)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.Equal(t, int32(2), requests.Load(), "the POST reached the server once and was not re-sent")
}

// TestDecide is the retry policy as a table: method, what earlier attempts
// left, this attempt's outcome → retry after a wait, or the final error.
func TestDecide(t *testing.T) {
	p := RetryPolicy{}.withDefaults()
	noJitter := func(d time.Duration) time.Duration { return d }
	apiErr := func(status int, code ErrorCode) error {
		return &APIError{StatusCode: status, Code: code, Method: "GET", Path: "/p"}
	}
	reset := &RequestError{Method: "POST", Path: "/p", Err: syscall.ECONNRESET}
	dial := &RequestError{Method: "POST", Path: "/p", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}
	local := &RequestError{Method: "POST", Path: "/p", Err: errors.New("net/http: invalid header field value")}
	timeout := &RequestError{Method: "POST", Path: "/p", Err: context.DeadlineExceeded}
	tooLarge := &ResponseTooLargeError{Method: "GET", Path: "/p", StatusCode: 200, Limit: 1}
	for _, tc := range []struct {
		name    string
		method  string
		st      retryState
		o       outcome
		retry   bool
		wait    time.Duration
		adopt   bool
		errType any // the final error's type, when not retried
		next    retryState
	}{
		{"2xx is final", "GET", retryState{}, outcome{status: 200}, false, 0, false, nil, retryState{}},
		{"503 GET backs off", "GET", retryState{}, outcome{status: 503, err: apiErr(503, 0)}, true, 300 * time.Millisecond, false, nil, retryState{retries: 1}},
		{"third retry waits 1.2s", "DELETE", retryState{retries: 2}, outcome{status: 502, err: apiErr(502, 0)}, true, 1200 * time.Millisecond, false, nil, retryState{retries: 3}},
		{"attempts exhausted", "GET", retryState{retries: 4}, outcome{status: 503, err: apiErr(503, 0)}, false, 0, false, &APIError{}, retryState{retries: 4}},
		{"Retry-After lengthens the wait", "GET", retryState{}, outcome{status: 429, err: apiErr(429, 0), retryAfter: "3"}, true, 3 * time.Second, false, nil, retryState{retries: 1}},
		{"Retry-After over the cap is final", "GET", retryState{}, outcome{status: 503, err: apiErr(503, 0), retryAfter: "3600"}, false, 0, false, &RetryAfterError{}, retryState{}},
		{"503 POST is final", "POST", retryState{}, outcome{status: 503, err: apiErr(503, 0)}, false, 0, false, &APIError{}, retryState{}},
		{"404 GET is final", "GET", retryState{}, outcome{status: 404, err: apiErr(404, 16), code: 16}, false, 0, false, &APIError{}, retryState{}},
		{"109 with a skewed Date adopts the clock", "POST", retryState{}, outcome{status: 401, err: apiErr(401, 109), code: 109, skew: time.Hour, hasDate: true}, true, 0, true, nil, retryState{clockAdopted: true}},
		{"109 twice is final", "POST", retryState{clockAdopted: true}, outcome{status: 401, err: apiErr(401, 109), code: 109, skew: time.Hour, hasDate: true}, false, 0, false, &APIError{}, retryState{clockAdopted: true}},
		{"109 with a small skew is final", "GET", retryState{}, outcome{status: 401, err: apiErr(401, 109), code: 109, skew: 10 * time.Second, hasDate: true}, false, 0, false, &APIError{}, retryState{}},
		{"110 GET once", "GET", retryState{}, outcome{status: 401, err: apiErr(401, 110), code: 110}, true, 0, false, nil, retryState{duplicateRetried: true}},
		{"110 GET twice is final", "GET", retryState{duplicateRetried: true}, outcome{status: 401, err: apiErr(401, 110), code: 110}, false, 0, false, &APIError{}, retryState{duplicateRetried: true}},
		{"110 POST is final", "POST", retryState{}, outcome{status: 401, err: apiErr(401, 110), code: 110}, false, 0, false, &APIError{}, retryState{}},
		{"dial failure, any method, retried", "POST", retryState{}, outcome{err: dial}, true, 300 * time.Millisecond, false, nil, retryState{retries: 1}},
		{"written POST lost: outcome unknown", "POST", retryState{}, outcome{err: reset, written: true}, false, 0, false, &OutcomeUnknownError{}, retryState{}},
		{"written POST timed out: outcome unknown", "POST", retryState{}, outcome{err: timeout, written: true, ctxDone: true}, false, 0, false, &OutcomeUnknownError{}, retryState{}},
		{"written GET lost: retried, answer lost", "GET", retryState{}, outcome{err: reset, written: true}, true, 300 * time.Millisecond, false, nil, retryState{retries: 1, answerLost: true}},
		{"GET after ctx ended is final", "GET", retryState{}, outcome{err: timeout, written: true, ctxDone: true}, false, 0, false, &RequestError{}, retryState{}},
		{"local failure is tried once", "POST", retryState{}, outcome{err: local}, false, 0, false, &RequestError{}, retryState{}},
		{"local failure of a GET is tried once", "GET", retryState{}, outcome{err: local}, false, 0, false, &RequestError{}, retryState{}},
		{"too large is final", "GET", retryState{}, outcome{err: tooLarge, written: true}, false, 0, false, &ResponseTooLargeError{}, retryState{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, next := p.decide(tc.method, tc.st, tc.o, noJitter)
			assert.Equal(t, tc.retry, d.retry, "retry")
			assert.Equal(t, tc.wait, d.wait, "wait")
			assert.Equal(t, tc.adopt, d.adoptClock, "adoptClock")
			assert.Equal(t, tc.next, next, "state")
			if tc.errType == nil {
				assert.NoError(t, d.err)
			} else {
				require.Error(t, d.err)
				assert.IsType(t, tc.errType, d.err)
			}
		})
	}
}
