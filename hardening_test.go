package exh

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/exhgo/exh/exhtest"
	"github.com/exhgo/exh/oauth1"
)

// Tests of the hardening fixes: each one failed, or could not be written,
// against the SDK before them.

// verifySignature reports whether r carries a valid HMAC-SHA1 OAuth1
// signature for the secrets. r.URL must be absolute, as a RoundTripper sees it.
func verifySignature(r *http.Request, consumerSecret, tokenSecret string) bool {
	var params []oauth1.Param
	var sig string
	for name, v := range authParams(r.Header.Get("Authorization")) {
		value, err := url.PathUnescape(v)
		if err != nil {
			return false
		}
		if name == "oauth_signature" {
			sig = value
			continue
		}
		params = append(params, oauth1.Param{Name: name, Value: value})
	}
	want := oauth1.Sign(oauth1.BaseString(r.Method, r.URL, params), consumerSecret, tokenSecret)
	return sig != "" && hmac.Equal([]byte(sig), []byte(want))
}

// absoluteURL gives a server-side request its absolute URL, for verifySignature.
func absoluteURL(r *http.Request) *http.Request {
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host = "http", r.Host
	return r2
}

// replaceDefaultTransport swaps http.DefaultTransport for the test.
func replaceDefaultTransport(t *testing.T, rt http.RoundTripper) {
	t.Helper()
	orig := http.DefaultTransport
	http.DefaultTransport = rt
	t.Cleanup(func() { http.DefaultTransport = orig })
}

// fakeTransport answers every request with 200 {} and records the requests.
type fakeTransport struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (f *fakeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	f.mu.Unlock()
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
}

func (f *fakeTransport) all() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.reqs...)
}

// Item 1: a replaced http.DefaultTransport (not a *http.Transport) is used,
// whether it is replaced before or after NewClient, also through an
// http.Client without a Transport.
func TestReplacedDefaultTransportIsUsed(t *testing.T) {
	cases := []struct {
		name        string
		replaceLate bool
		opts        []Option
	}{
		{"replaced before NewClient", false, nil},
		{"replaced after NewClient", true, nil},
		{"http.DefaultClient, replaced before", false, []Option{WithHTTPClient(http.DefaultClient)}},
		{"http.DefaultClient, replaced after", true, []Option{WithHTTPClient(http.DefaultClient)}},
		{"empty http.Client, replaced before", false, []Option{WithHTTPClient(&http.Client{})}},
		{"empty http.Client, replaced after", true, []Option{WithHTTPClient(&http.Client{})}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeTransport{}
			if !tc.replaceLate {
				replaceDefaultTransport(t, fake)
			}
			var c *Client
			require.NotPanics(t, func() {
				var err error
				c, err = NewClient(Config{Host: "example.com", ConsumerKey: testKey, ConsumerSecret: testSecret},
					append(tc.opts, WithRetry(NoRetry()))...)
				require.NoError(t, err)
			})
			if tc.replaceLate {
				replaceDefaultTransport(t, fake)
			}
			require.NoError(t, c.Auth.Health(t.Context()))
			reqs := fake.all()
			require.Len(t, reqs, 1, "the request went through the replacement")
			assert.Equal(t, "https://api.example.com/auth/v2/health", reqs[0].URL.String())
			assert.True(t, verifySignature(reqs[0], testSecret, ""), "the replacement got the signed request")
		})
	}
}

// Item 1, with httpmock: Activate before or after NewClient, or a client of
// our own with a MockTransport; the responders get the signed requests.
func TestHTTPMockSeesSignedRequests(t *testing.T) {
	const tokenSecret = "d7f400000000000000000000000000000000003ed" // as in tokenJSON
	cases := []struct {
		name string
		// setup installs the mock around NewClient (called by newClient) and
		// returns where to register responders.
		setup func(t *testing.T, newClient func(...Option) *Client) (*Client, *httpmock.MockTransport)
	}{
		{"Activate before NewClient", func(t *testing.T, newClient func(...Option) *Client) (*Client, *httpmock.MockTransport) {
			httpmock.Activate(t)
			return newClient(), httpmock.DefaultTransport
		}},
		{"Activate after NewClient", func(t *testing.T, newClient func(...Option) *Client) (*Client, *httpmock.MockTransport) {
			c := newClient()
			httpmock.Activate(t)
			return c, httpmock.DefaultTransport
		}},
		{"own MockTransport", func(t *testing.T, newClient func(...Option) *Client) (*Client, *httpmock.MockTransport) {
			mt := httpmock.NewMockTransport()
			return newClient(WithHTTPClient(&http.Client{Transport: mt})), mt
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newClient := func(opts ...Option) *Client {
				var c *Client
				require.NotPanics(t, func() {
					var err error
					c, err = NewClient(Config{Host: "example.com", ConsumerKey: testKey, ConsumerSecret: testSecret},
						append(opts, WithRetry(NoRetry()))...)
					require.NoError(t, err)
				})
				return c
			}
			c, mt := tc.setup(t, newClient)
			var loginSigned, listSigned atomic.Bool
			mt.RegisterResponder("POST", "https://api.example.com/auth/v2/oauth1/tokens", func(r *http.Request) (*http.Response, error) {
				loginSigned.Store(verifySignature(r, testSecret, ""))
				return httpmock.NewStringResponse(200, tokenJSON), nil
			})
			mt.RegisterResponder("GET", "https://api.example.com/auth/v2/oauth1/tokens", func(r *http.Request) (*http.Response, error) {
				listSigned.Store(verifySignature(r, testSecret, tokenSecret) && strings.Contains(r.Header.Get("Authorization"), "oauth_token="))
				return httpmock.NewStringResponse(200, `{"data":[],"page":{"total":0,"offset":0,"limit":20}}`), nil
			})
			_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
			require.NoError(t, err)
			_, err = c.Tokens.Find(t.Context(), nil)
			require.NoError(t, err)
			assert.Equal(t, 2, mt.GetTotalCallCount())
			assert.True(t, loginSigned.Load(), "the login is signed with the consumer key")
			assert.True(t, listSigned.Load(), "the list is signed with the session")
		})
	}
}

// Item 2: a nil context is refused with ErrInvalidArgument before any I/O,
// by every method that does I/O, and never panics.
func TestNilContextRefusedBeforeIO(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, tokenJSON) })
	// A session without token ID or user ID: UserID and RevokeSession would
	// have to ask the server first.
	sess := Session{Token: "tok", TokenSecret: "sec"}
	c.sessions.install(c.sessions.state(sess))
	var nilCtx context.Context
	ignore := func(_ any, err error) error { return err }
	calls := []struct {
		name string
		call func() error
	}{
		{"Auth.Authenticate", func() error { return ignore(c.Auth.Authenticate(nilCtx, "a@b.c", "pw")) }},
		{"Auth.ConfirmMfa", func() error {
			return ignore(c.Auth.ConfirmMfa(nilCtx, MfaConfirmation{Token: "t", MethodID: "m", Code: "123456"}))
		}},
		{"Auth.AuthenticateWithToken", func() error { return ignore(c.Auth.AuthenticateWithToken(nilCtx, "t", "s")) }},
		{"Auth.AuthenticateWithSSOToken", func() error { return ignore(c.Auth.AuthenticateWithSSOToken(nilCtx, "sso")) }},
		{"Auth.UserID", func() error { return ignore(c.Auth.UserID(nilCtx)) }},
		{"Auth.RevokeSession", func() error { return c.Auth.RevokeSession(nilCtx) }},
		{"Auth.ConfirmPresence", func() error { return ignore(c.Auth.ConfirmPresence(nilCtx, "pw")) }},
		{"Auth.Health", func() error { return c.Auth.Health(nilCtx) }},
		{"Tokens.Find", func() error { return ignore(c.Tokens.Find(nilCtx, nil)) }},
		{"Tokens.FindFirst", func() error { return ignore(c.Tokens.FindFirst(nilCtx, nil)) }},
		{"Tokens.FindByID", func() error { return ignore(c.Tokens.FindByID(nilCtx, "id")) }},
		{"Tokens.Remove", func() error { return c.Tokens.Remove(nilCtx, "id") }},
		{"Tokens.All", func() error {
			for _, err := range c.Tokens.All(nilCtx, nil) {
				return err
			}
			return nil
		}},
		{"SSO.Generate", func() error { return ignore(c.SSO.Generate(nilCtx)) }},
		{"SSO.Consume", func() error { return ignore(c.SSO.Consume(nilCtx, "sso")) }},
		{"Mfa.Settings", func() error { return ignore(c.Mfa.Settings(nilCtx, "")) }},
		{"Mfa.AddMethod", func() error {
			return ignore(c.Mfa.AddMethod(nilCtx, MfaMethodRequest{PresenceToken: "p", Type: MfaTOTP}))
		}},
		{"Mfa.ConfirmMethod", func() error {
			return c.Mfa.ConfirmMethod(nilCtx, MfaMethodConfirmation{MethodID: "m", PresenceToken: "p", Code: "1"})
		}},
		{"Mfa.Enable", func() error { return c.Mfa.Enable(nilCtx, "", "p") }},
		{"Mfa.Disable", func() error { return c.Mfa.Disable(nilCtx, "", "p") }},
		{"Mfa.RemoveMethod", func() error { return c.Mfa.RemoveMethod(nilCtx, "", "m", "p") }},
		{"Raw.Do", func() error { return ignore(c.Raw.Do(nilCtx, "GET", "/x", nil, nil)) }},
		{"Raw.Get", func() error { return ignore(c.Raw.Get(nilCtx, "/x", nil)) }},
		{"Raw.Post", func() error { return ignore(c.Raw.Post(nilCtx, "/x", map[string]int{"a": 1}, nil)) }},
		{"Raw.Put", func() error { return ignore(c.Raw.Put(nilCtx, "/x", map[string]int{"a": 1}, nil)) }},
		{"Raw.Patch", func() error { return ignore(c.Raw.Patch(nilCtx, "/x", map[string]int{"a": 1}, nil)) }},
		{"Raw.Delete", func() error { return ignore(c.Raw.Delete(nilCtx, "/x", nil)) }},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tc.call() })
			assert.ErrorIs(t, err, ErrInvalidArgument)
		})
	}
	assert.Empty(t, rec.all(), "no request was sent")
	assert.Equal(t, sess, c.Auth.Session(), "the session is untouched")
}

// Item 3: an out that cannot receive the result is refused before the
// request is sent, with a message saying what is wrong.
func TestRawOutRefusedBeforeIO(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"a":1}`) })
	var nilBytes *[]byte
	var nilStruct *struct{ A int }
	cases := []struct {
		name string
		out  any
		msg  string
	}{
		{"nil *[]byte", nilBytes, "out is a nil *[]uint8"},
		{"nil *struct", nilStruct, "out is a nil *struct"},
		{"struct value", struct{ A int }{}, "out must be a pointer (or nil), not struct"},
		{"map value", map[string]any{}, "out must be a pointer (or nil), not map"},
		{"[]byte value", []byte(nil), "out must be a pointer (or nil), not []uint8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { _, err = c.Raw.Post(t.Context(), "/x", map[string]int{"a": 1}, tc.out) })
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
	assert.Empty(t, rec.all(), "no POST was sent")
}

// Item 4a: a panicking session hook does not leave the shared login behind:
// the next identical login completes.
func TestLoginAfterPanickingSessionHookCompletes(t *testing.T) {
	var calls atomic.Int32
	hook := func(Session) {
		if calls.Add(1) == 1 {
			panic("hook failure")
		}
	}
	var posts atomic.Int32
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		writeJSON(w, 200, tokenJSON)
	}, WithOnSessionChange(hook))

	func() {
		defer func() { _ = recover() }()
		_, _ = c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
	}()
	require.Equal(t, int32(1), calls.Load(), "the first login reached the hook")

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	tok, err := c.Auth.Authenticate(ctx, "a@b.c", "pw")
	require.NoError(t, err, "the second login must not wait for the first one forever")
	assert.Equal(t, "0be953bf0000000000000000000000000000a062", tok.Token)
	assert.Equal(t, int32(2), posts.Load(), "the second login made its own request")
	assert.Equal(t, int32(2), calls.Load(), "and its session change was notified")
	assert.Equal(t, tok.Token, c.Auth.Session().Token)
}

// waiters returns how many callers wait for the shared login, 0 if none runs.
func waiters(c *Client) int {
	c.logins.mu.Lock()
	defer c.logins.mu.Unlock()
	n := 0
	for _, lc := range c.logins.calls {
		n += lc.waiters
	}
	return n
}

// Item 4b: the shared login outlives the cancellation of the caller that
// started it, as long as another caller still waits.
func TestLoginWaiterOutlivesCancelledFirstCaller(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	var posts atomic.Int32
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		arrived <- struct{}{}
		select {
		case <-release:
			writeJSON(w, 200, tokenJSON)
		case <-r.Context().Done():
		}
	})
	var once sync.Once
	releaseAll := func() { once.Do(func() { close(release) }) }
	t.Cleanup(releaseAll) // before the server closes

	ctxA, cancelA := context.WithCancel(t.Context())
	defer cancelA()
	errA := make(chan error, 1)
	go func() {
		_, err := c.Auth.Authenticate(ctxA, "a@b.c", "pw")
		errA <- err
	}()
	select {
	case <-arrived:
	case <-time.After(2 * time.Second):
		t.Fatal("the login never reached the server")
	}
	type result struct {
		tok *Token
		err error
	}
	resB := make(chan result, 1)
	go func() {
		tok, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
		resB <- result{tok, err}
	}()
	require.Eventually(t, func() bool { return waiters(c) == 2 }, 2*time.Second, time.Millisecond)

	cancelA()
	err := <-errA
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou, "the cancelled caller cannot know whether the login happened")
	assert.ErrorIs(t, err, context.Canceled)

	releaseAll()
	b := <-resB
	require.NoError(t, b.err, "the waiter whose ctx is alive gets the result")
	assert.Equal(t, "0be953bf0000000000000000000000000000a062", b.tok.Token)
	assert.Equal(t, int32(1), posts.Load(), "one shared request")
	assert.Equal(t, b.tok.Token, c.Auth.Session().Token)
}

// loginEchoServer answers a password grant with a token derived from the
// email and password it received; each request waits (up to a second) until
// want requests have arrived, so that concurrent logins overlap.
func loginEchoServer(t *testing.T, want int32) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var posts atomic.Int32
	all := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Email, Password string }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, 400, `{"code":19,"message":"bad body"}`)
			return
		}
		if posts.Add(1) == want {
			close(all)
		}
		select {
		case <-all:
		case <-time.After(time.Second):
		}
		writeJSON(w, 200, fmt.Sprintf(`{"id":"id","token":%q,"tokenSecret":"s"}`, tokenFor(body.Email, body.Password)))
	}))
	t.Cleanup(srv.Close)
	return srv, &posts
}

func tokenFor(email, password string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%q %q", email, password)))
	return hex.EncodeToString(sum[:20])
}

// Item 4c: the shared-login key cannot confuse two credential pairs whose
// concatenations are equal.
func TestLoginKeyIsUnambiguous(t *testing.T) {
	cases := []struct {
		name string
		a, b [2]string // email, password
	}{
		{"NUL in email vs NUL in password", [2]string{"a\x00b", "c"}, [2]string{"a", "b\x00c"}},
		{"plain concatenation", [2]string{"ab", "c"}, [2]string{"a", "bc"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, posts := loginEchoServer(t, 2)
			c := newTestClient(t, srv.URL)
			var wg sync.WaitGroup
			toks := make([]*Token, 2)
			errs := make([]error, 2)
			for i, cred := range [][2]string{tc.a, tc.b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					toks[i], errs[i] = c.Auth.Authenticate(t.Context(), cred[0], cred[1])
				}()
			}
			wg.Wait()
			assert.Equal(t, int32(2), posts.Load(), "two different logins, two requests")
			for i, cred := range [][2]string{tc.a, tc.b} {
				require.NoError(t, errs[i])
				assert.Equal(t, tokenFor(cred[0], cred[1]), toks[i].Token, "login %d got its own token", i)
			}
		})
	}
}

// Item 4: session changes are notified one at a time, in the order they were
// installed, so the last notification is the final session.
func TestSessionNotificationsInInstallOrder(t *testing.T) {
	var (
		mu      sync.Mutex
		got     []Session
		running atomic.Int32
		overlap atomic.Bool
	)
	hook := func(s Session) {
		if running.Add(1) > 1 {
			overlap.Store(true)
		}
		time.Sleep(time.Duration(rand.IntN(400)) * time.Microsecond) // a slow hook
		mu.Lock()
		got = append(got, s)
		mu.Unlock()
		running.Add(-1)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Email, Password string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		writeJSON(w, 200, fmt.Sprintf(`{"id":"id","token":%q,"tokenSecret":"s"}`, tokenFor(body.Email, body.Password)))
	}))
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL, WithOnSessionChange(hook))

	var installs atomic.Int32
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4 {
				_, err := c.Auth.Authenticate(t.Context(), "u@example.com", fmt.Sprintf("pw-%d-%d", g, i))
				if assert.NoError(t, err) {
					installs.Add(1)
				}
				if (g+i)%2 == 0 {
					c.Auth.Logout()
					installs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, int(installs.Load()), "one notification per change")
	assert.False(t, overlap.Load(), "notifications never overlap")
	assert.Equal(t, c.Auth.Session(), got[len(got)-1], "the last notification is the final session")
}

// Item 5: All stops with an error, after two requests, when the server
// ignores the offset and keeps answering the same page.
func TestAllStopsWhenServerIgnoresOffset(t *testing.T) {
	var data []string
	for i := range pageSize {
		data = append(data, fmt.Sprintf(`{"id":"t%d","token":"x"}`, i))
	}
	page := `{"data":[` + strings.Join(data, ",") + `],"page":{"total":1000000,"offset":0,"limit":50}}`
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, page) })
	c.sessions.install(c.sessions.state(Session{Token: "tok", TokenSecret: "sec"}))

	var tokens int
	var errs []error
	for _, err := range c.Tokens.All(t.Context(), nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if tokens++; tokens > 10*pageSize {
			break // the SDK does not stop by itself: fail below rather than loop on
		}
	}
	assert.Equal(t, pageSize, tokens, "each token is yielded once")
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Error(), "ignore the offset")
	assert.Len(t, rec.all(), 2, "a bounded number of requests")
}

// Item 6: WithHeader refuses the headers the SDK sets itself, those that
// change how a request is sent, and the idempotency keys, in any letter case.
func TestWithHeaderRefusesReservedNames(t *testing.T) {
	names := []string{"Idempotency-Key", "X-Idempotency-Key", "Host", "Authorization", "Content-Type",
		"Content-Length", "User-Agent", "X-User-Agent", "Accept", "Connection", "Transfer-Encoding", "TE",
		"Trailer", "Upgrade", "Expect", "Keep-Alive", "Proxy-Connection"}
	mixed := func(s string) string {
		b := []byte(strings.ToLower(s))
		for i := 0; i < len(b); i += 2 {
			b[i] = byte(unicode.ToUpper(rune(b[i])))
		}
		return string(b)
	}
	seen := map[string]bool{}
	for _, name := range names {
		for _, key := range []string{name, strings.ToLower(name), strings.ToUpper(name), mixed(name)} {
			if seen[key] {
				continue
			}
			seen[key] = true
			t.Run(key, func(t *testing.T) {
				_, err := NewClient(Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s"}, WithHeader(key, "v"))
				assert.ErrorIs(t, err, ErrInvalidConfig)
			})
		}
	}

	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) },
		WithHeader("x-forwarded-application", "app-1"))
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	require.NoError(t, err)
	assert.Equal(t, "app-1", rec.all()[0].Header.Get("X-Forwarded-Application"), "other headers are sent")
}

// Item 7: header values with control characters are refused; tab is fine.
func TestHeaderValuesRefuseControlCharacters(t *testing.T) {
	for _, v := range []string{"a\rb", "a\nb", "a\x00b", "a\x1b[31mb", "a\x7fb", "a\x01b"} {
		t.Run(fmt.Sprintf("%q", v), func(t *testing.T) {
			cfg := Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s"}
			_, err := NewClient(cfg, WithUserAgent(v))
			assert.ErrorIs(t, err, ErrInvalidConfig, "WithUserAgent")
			_, err = NewClient(cfg, WithHeader("X-Test", v))
			assert.ErrorIs(t, err, ErrInvalidConfig, "WithHeader")
		})
	}
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) },
		WithUserAgent("my\tapp/1"), WithHeader("X-Test", "a\tb"))
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	require.NoError(t, err)
	h := rec.all()[0].Header
	assert.Equal(t, "my\tapp/1", h.Get("X-User-Agent"))
	assert.Equal(t, "a\tb", h.Get("X-Test"))
}

// Item 7: an error of the caller's own RoundTripper, before anything was
// written, is a plain error: tried once, never an *OutcomeUnknownError.
func TestOwnRoundTripperErrorIsPlainAndTriedOnce(t *testing.T) {
	errRefused := errors.New("refused by the proxy policy")
	cases := []struct {
		name string
		call func(*Client) error
	}{
		{"POST login", func(c *Client) error {
			_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
			return err
		}},
		{"GET", func(c *Client) error {
			_, err := c.Raw.Get(t.Context(), "/x", nil)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				calls.Add(1)
				if r.Body != nil {
					r.Body.Close()
				}
				return nil, errRefused
			})
			c := newTestClient(t, "x.io", WithHTTPClient(&http.Client{Transport: rt}))
			waits := recordWaits(c)
			err := tc.call(c)
			require.ErrorIs(t, err, errRefused)
			var ou *OutcomeUnknownError
			assert.False(t, errors.As(err, &ou), "nothing was sent: the outcome is known")
			var re *RequestError
			assert.ErrorAs(t, err, &re)
			assert.Equal(t, int32(1), calls.Load(), "tried once")
			assert.Empty(t, *waits)
		})
	}
}

// Item 8: IDs that would change the path are refused before any I/O.
func TestPathSegmentArgumentsRefusedBeforeIO(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"affectedRecords":1}`) })
	c.sessions.install(c.sessions.state(Session{Token: "tok", TokenSecret: "sec", UserID: "u1"}))
	ctx := t.Context()
	for _, id := range []string{"..", ".", "", "%2e%2e", "%2E", "%2e", ".%2E", "a/..", "../x", "a/../b", `a\..`,
		"a%2f..", "%2e%2e%2fx", "..%2Fx", "%2e%2e%5cx", "x%2F%2E"} {
		t.Run(fmt.Sprintf("%q", id), func(t *testing.T) {
			assert.ErrorIs(t, c.Tokens.Remove(ctx, id), ErrInvalidArgument, "Tokens.Remove")
			assert.ErrorIs(t, c.Mfa.RemoveMethod(ctx, "", id, "p"), ErrInvalidArgument, "Mfa.RemoveMethod")
			assert.ErrorIs(t, c.Mfa.ConfirmMethod(ctx, MfaMethodConfirmation{MethodID: id, PresenceToken: "p", Code: "1"}),
				ErrInvalidArgument, "Mfa.ConfirmMethod")
			if id != "" { // "" means the session's user
				assert.ErrorIs(t, c.Mfa.Enable(ctx, id, "p"), ErrInvalidArgument, "Mfa.Enable with this user ID")
			}
		})
	}
	assert.Empty(t, rec.all(), "no request was sent")
}

// Item 9: hosts given as IP addresses are used as given, over https; a
// loopback host keeps http; what can never work is refused.
func TestParseHostAddressesAndRefusals(t *testing.T) {
	ok := []struct{ in, want string }{
		{"10.0.0.5:8080", "https://10.0.0.5:8080"},
		{"10.0.0.5", "https://10.0.0.5"},
		{"http://10.0.0.5", "https://10.0.0.5"},
		{"[2001:db8::1]", "https://[2001:db8::1]"},
		{"[2001:DB8::1]:8443/pfx", "https://[2001:db8::1]:8443/pfx"},
		{"https://[2001:db8::1]:443", "https://[2001:db8::1]"},
		{"localhost:8080", "http://localhost:8080"},
		{"127.0.0.1:9", "http://127.0.0.1:9"},
		{"[::1]:8080", "http://[::1]:8080"},
		{"xn--xmple-rqa.com", "https://api.xn--xmple-rqa.com"},
		{"x.io///", "https://api.x.io"},
		{"https://x.io/pfx//", "https://api.x.io/pfx"},
	}
	for _, tc := range ok {
		t.Run(tc.in, func(t *testing.T) {
			u, err := parseHost(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, u.String())
		})
	}
	bad := []struct{ in, msg string }{
		{"ëxample.com", "xn--"},
		{"https://ëxample.com", "xn--"},
		{`"example.com"`, "cannot"},
		{`example.com"`, "cannot"},
		{"exa mple.com", "cannot"},
		{"0.0.0.0", "not an address"},
		{"0.0.0.0:8080", "not an address"},
		{"[::]", "not an address"},
		{"http://[::]:80", "not an address"},
		{"ex..ample.com", "not a valid DNS name"},
		{"[fe80::1%25eth0]:80", "zone"},
		{"http://[::1%25lo]:8080", "zone"},
		{"x.io#", "fragment"},
		{"0//#", "fragment"},
	}
	for _, tc := range bad {
		t.Run(tc.in, func(t *testing.T) {
			_, err := parseHost(tc.in)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

// Item 9: WithBaseURL is used exactly, path prefix included, and requests
// to it are signed.
func TestWithBaseURLUsedExactly(t *testing.T) {
	for in, want := range map[string]string{
		"http://fake.internal:8080/pfx":   "http://fake.internal:8080/pfx",
		"HTTP://Fake.Internal:8080/pfx/":  "http://fake.internal:8080/pfx",
		"https://gw.example.com/exh":      "https://gw.example.com/exh",
		"https://10.0.0.5:8443":           "https://10.0.0.5:8443",
		"http://api.example.com:80/a/b/c": "http://api.example.com/a/b/c",
	} {
		c, err := NewClient(Config{ConsumerKey: "k", ConsumerSecret: "s"}, WithBaseURL(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, c.BaseURL(), in)
	}
	for _, in := range []string{"ftp://x.io", "http://user:pw@x.io", "http://ëx.com", "http://0.0.0.0:80",
		"http://x.io/a/../b", "http://x.io?q=1", "x.io", "/pfx"} {
		_, err := NewClient(Config{ConsumerKey: "k", ConsumerSecret: "s"}, WithBaseURL(in))
		assert.ErrorIs(t, err, ErrInvalidConfig, in)
	}

	var mu sync.Mutex
	var got []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, absoluteURL(r))
		mu.Unlock()
		writeJSON(w, 200, tokenJSON)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(Config{Host: "ignored.example.com", ConsumerKey: testKey, ConsumerSecret: testSecret},
		WithBaseURL(srv.URL+"/pfx"))
	require.NoError(t, err)
	t.Cleanup(func() { closeIdle(c) })
	_, err = c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
	require.NoError(t, err)
	_, err = c.Raw.Get(t.Context(), "/x/y?limit(1)", nil)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2)
	assert.Equal(t, "/pfx/auth/v2/oauth1/tokens", got[0].URL.Path)
	assert.Equal(t, "/pfx/x/y", got[1].URL.Path)
	assert.Equal(t, "limit(1)", got[1].URL.RawQuery)
	assert.True(t, verifySignature(got[0], testSecret, ""), "the login is signed for the prefixed URL")
	assert.True(t, verifySignature(got[1], testSecret, "d7f400000000000000000000000000000000003ed"),
		"the GET is signed with the session for the prefixed URL")
}

// Item 9: parseHost never panics, and what it accepts is an absolute http(s)
// URL without user info, query or fragment, plain http only for loopback,
// which parseHost maps to itself.
func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"dev.example.io", "https://api.dev.example.io:8443/pfx/", "localhost:3000",
		"http://[::1]:9000", "10.0.0.5:8080", "[2001:db8::1]", "ëxample.com", `"x.io"`, "0.0.0.0", "[::]",
		"https://user:pw@x.io", "x.io?q=1#f", "http://x.io/a/../b", "apx.api.x.io", "[fe80::1%25eth0]:80",
		"HTTP://LOCALHOST.", "x.io/%2e%2e/", "x.io:99999", "::1", "127.1", "http://127.0.0.1:0/a%2Fb", "0//#", "x.io///", "x.io/a%2F//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		u, err := parseHost(host)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("parseHost(%q): error %v is not ErrInvalidConfig", host, err)
			}
			return
		}
		s := u.String()
		switch {
		case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
			t.Fatalf("parseHost(%q) = %q: not an absolute http(s) URL", host, s)
		case u.User != nil, u.RawQuery != "", u.Fragment != "", u.ForceQuery:
			t.Fatalf("parseHost(%q) = %q: user info, query or fragment", host, s)
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			t.Fatalf("parseHost(%q) = %q: plain http to a host that is not loopback", host, s)
		case strings.HasSuffix(s, "/"):
			t.Fatalf("parseHost(%q) = %q: trailing slash", host, s)
		}
		again, err := parseHost(s)
		if err != nil {
			t.Fatalf("parseHost(%q) = %q, which parseHost refuses: %v", host, s, err)
		}
		// Like the JavaScript SDK, parseHost strips one "api." and then one
		// "apx."; a name that still starts with "apx." after that (apx.apx.x)
		// keeps it, so its result is not a fixed point. Every other is.
		if again.String() != s && !strings.HasPrefix(u.Hostname(), "api.apx.") {
			t.Fatalf("parseHost(%q) = %q, but parseHost(%q) = %q", host, s, s, again.String())
		}
	})
}

// Item 10: quotes and angle brackets in a Raw query are sent
// percent-encoded, and the server verifies the signature.
func TestRawQueryQuotesEncodedAndSigned(t *testing.T) {
	srv := exhtest.NewServer()
	t.Cleanup(srv.Close)
	app := srv.AddApplication(exhtest.Application{Name: "app"})
	srv.AddUser(exhtest.User{Email: "q@example.com", Password: "pw"})
	c, err := NewClient(Config{Host: srv.URL, ConsumerKey: app.ConsumerKey, ConsumerSecret: app.ConsumerSecret},
		WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = c.Auth.Authenticate(t.Context(), "q@example.com", "pw")
	require.NoError(t, err)

	cases := []struct{ query, sent string }{
		{`eq(applicationId,"a'b<c>")`, `eq(applicationId,%22a%27b%3Cc%3E%22)`},
		{`eq(id,%22x%22)`, `eq(id,%22x%22)`}, // already encoded: sent as written
		{`select(id)&eq(id,'<>')&limit(5)`, `select(id)&eq(id,%27%3C%3E%27)&limit(5)`},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			srv.ResetRequests()
			_, err := c.Raw.Get(t.Context(), "/auth/v2/oauth1/tokens?"+tc.query, nil)
			if err != nil {
				require.ErrorIs(t, err, ErrCodeInvalidRQL, "only a verdict on the RQL is acceptable")
			}
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tc.sent, reqs[0].Query)
			assert.NotEqual(t, 109, reqs[0].Code, "the signature verified")
			assert.Contains(t, []int{200, 400}, reqs[0].Status)
		})
	}
}

// Item 12: an error answer with ill-typed fields still gives its code.
func TestLenientErrorDecodingKeepsCode(t *testing.T) {
	cases := []struct {
		name, body    string
		wantName, msg string
	}{
		{"message a number", `{"code":106,"name":"AUTHENTICATION_EXCEPTION","message":123}`, "AUTHENTICATION_EXCEPTION", "123"},
		{"name an array", `{"code":106,"name":["AUTH","EXCEPTION"],"message":"m"}`, "AUTH; EXCEPTION", "m"},
		{"description an array", `{"code":106,"description":["d1","d2"],"message":"m"}`, "AUTHENTICATION_EXCEPTION", "d1; d2"},
		{"message an object", `{"code":106,"name":"AUTHENTICATION_EXCEPTION","message":{"text":"m"}}`, "AUTHENTICATION_EXCEPTION", ""},
		{"code a string", `{"code":"106","name":null,"message":false}`, "AUTHENTICATION_EXCEPTION", "false"},
		{"remainingDelay a string", `{"code":106,"remainingDelay":"soon"}`, "AUTHENTICATION_EXCEPTION", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 401, tc.body) })
			_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
			require.ErrorIs(t, err, ErrCodeAuthentication)
			assert.ErrorIs(t, err, ErrUnauthorized)
			var e *APIError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.wantName, e.Name)
			assert.Equal(t, tc.msg, e.Message)
			assert.Contains(t, err.Error(), "(106)")
		})
	}
}

// Item 13: a 129 answer with a malformed challenge is still an
// *MfaRequiredError, keeps what was usable, and says what was missing.
func TestMalformedMfaChallengeKeepsType(t *testing.T) {
	const canary = "CanaryMfaToken5e6f"
	cases := []struct {
		name, mfa  string
		token      string
		methodIDs  []string
		missing    []string
		notMissing []string
	}{
		{"mfa a string", `"x"`, "", nil, []string{"the mfa object"}, nil},
		{"mfa null", `null`, "", nil, []string{"the mfa object"}, nil},
		{"token a number", `{"token":123,"methods":[{"id":"m1","type":"totp"}]}`, "", []string{"m1"},
			[]string{"a token"}, []string{"methods"}},
		{"methods an object", `{"token":"` + canary + `","methods":{}}`, canary, nil,
			[]string{"a list of methods"}, []string{"a token"}},
		{"a method without id", `{"token":"` + canary + `","methods":[{"type":"totp"},{"id":"m2","type":"totp"},"m3"]}`,
			canary, []string{"m2"}, []string{"usable methods (2 skipped)"}, []string{"a token"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"code":129,"name":"MFA_REQUIRED_EXCEPTION","message":"MFA is required","mfa":` + tc.mfa + `}`
			c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 403, body) })
			_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
			var mfa *MfaRequiredError
			require.ErrorAs(t, err, &mfa)
			assert.ErrorIs(t, err, ErrCodeMfaRequired)
			assert.Equal(t, tc.token, mfa.Challenge.Token)
			var ids []string
			for _, m := range mfa.Challenge.Methods {
				ids = append(ids, m.ID)
			}
			assert.Equal(t, tc.methodIDs, ids)
			msg := err.Error()
			assert.Contains(t, msg, "the MFA challenge lacks")
			for _, m := range tc.missing {
				assert.Contains(t, msg, m)
			}
			for _, m := range tc.notMissing {
				assert.NotContains(t, msg, m)
			}
			assert.NotContains(t, msg, canary)
		})
	}
	// A well-formed challenge lacks nothing.
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, `{"code":129,"mfa":{"token":"t","tokenExpiresIn":60000,"methods":[{"id":"m1"}]}}`)
	})
	_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
	var mfa *MfaRequiredError
	require.ErrorAs(t, err, &mfa)
	assert.NotContains(t, err.Error(), "lacks")
	assert.Equal(t, time.Minute, mfa.Challenge.ExpiresIn)
}

// Item 14: a login that times out after it was written is an
// *OutcomeUnknownError carrying context.DeadlineExceeded, and is sent once.
func TestLoginTimeoutAfterWriteIsOutcomeUnknown(t *testing.T) {
	cases := []struct {
		name string
		opts []Option
		ctx  func(context.Context) (context.Context, context.CancelFunc)
	}{
		{"client timeout", []Option{WithTimeout(300 * time.Millisecond)}, func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithCancel(ctx)
		}},
		{"caller deadline", nil, func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 150*time.Millisecond)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var count atomic.Int32
			addr := listener(t, func(conn net.Conn) {
				if _, err := readRequest(conn); err == nil {
					count.Add(1)
				}
				_, _ = conn.Read(make([]byte, 1)) // never answer; wait for the client to hang up
			})
			c := newTestClient(t, "http://"+addr, tc.opts...)
			ctx, cancel := tc.ctx(t.Context())
			defer cancel()
			start := time.Now()
			_, err := c.Auth.Authenticate(ctx, "a@b.c", "canary-password")
			var ou *OutcomeUnknownError
			require.ErrorAs(t, err, &ou)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, time.Since(start), 2*time.Second)
			assert.NotContains(t, err.Error(), "canary")
			closeIdle(c)
			require.Eventually(t, func() bool { return waiters(c) == 0 }, time.Second, time.Millisecond)
			assert.Equal(t, int32(1), count.Load(), "sent once")
		})
	}
}

// Item 15: a server that echoes a secret of the request never gets it into
// an error's text, whatever field it echoes it in.
func TestEchoedSecretsNeverInErrors(t *testing.T) {
	const (
		password = "CanaryPassword3c4d"
		mfaToken = "CanaryMfaToken8e9f"
		mfaCode  = "CanaryMfaCode1a2b"
		presence = "CanaryPresence5a6b"
		sso      = "CanarySSOToken7c8d"
	)
	canaries := []string{password, mfaToken, mfaCode, presence, sso}
	// strs collects every string of a decoded JSON body.
	var strs func(v any) []string
	strs = func(v any) []string {
		switch x := v.(type) {
		case string:
			return []string{x}
		case map[string]any:
			var out []string
			for _, e := range x {
				out = append(out, strs(e)...)
			}
			return out
		case []any:
			var out []string
			for _, e := range x {
				out = append(out, strs(e)...)
			}
			return out
		}
		return nil
	}
	answer := func(w http.ResponseWriter, status int, body map[string]any) {
		b, _ := json.Marshal(body)
		writeJSON(w, status, string(b))
	}
	echoes := map[string]func(w http.ResponseWriter, echoed string, list []string){
		"name and message": func(w http.ResponseWriter, e string, _ []string) {
			answer(w, 400, map[string]any{"code": 19, "name": "BAD " + e, "message": "you sent " + e})
		},
		"error and description": func(w http.ResponseWriter, e string, _ []string) {
			answer(w, 400, map[string]any{"error": e, "description": "you sent " + e})
		},
		"arrays": func(w http.ResponseWriter, _ string, list []string) {
			answer(w, 400, map[string]any{"code": 19, "name": list, "description": list})
		},
		"129 answer": func(w http.ResponseWriter, e string, _ []string) {
			answer(w, 403, map[string]any{"code": 129, "message": e, "mfa": "x"})
		},
		"html page": func(w http.ResponseWriter, e string, _ []string) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			io.WriteString(w, "<html>"+e+"</html>")
		},
	}
	calls := []struct {
		name string
		call func(c *Client) error
	}{
		{"Authenticate", func(c *Client) error {
			_, err := c.Auth.Authenticate(t.Context(), "a@b.c", password)
			return err
		}},
		{"ConfirmMfa", func(c *Client) error {
			_, err := c.Auth.ConfirmMfa(t.Context(), MfaConfirmation{Token: mfaToken, MethodID: "m1", Code: mfaCode})
			return err
		}},
		{"ConfirmPresence", func(c *Client) error {
			_, err := c.Auth.ConfirmPresence(t.Context(), password)
			return err
		}},
		{"SSO.Consume", func(c *Client) error {
			_, err := c.SSO.Consume(t.Context(), sso)
			return err
		}},
		{"AuthenticateWithSSOToken", func(c *Client) error {
			_, err := c.Auth.AuthenticateWithSSOToken(t.Context(), sso)
			return err
		}},
		{"Mfa.AddMethod", func(c *Client) error {
			_, err := c.Mfa.AddMethod(t.Context(), MfaMethodRequest{PresenceToken: presence, Type: MfaTOTP})
			return err
		}},
		{"Mfa.ConfirmMethod", func(c *Client) error {
			return c.Mfa.ConfirmMethod(t.Context(), MfaMethodConfirmation{MethodID: "m1", PresenceToken: presence, Code: mfaCode})
		}},
		{"Mfa.Enable", func(c *Client) error { return c.Mfa.Enable(t.Context(), "", presence) }},
		{"Mfa.Disable", func(c *Client) error { return c.Mfa.Disable(t.Context(), "", presence) }},
		{"Mfa.RemoveMethod", func(c *Client) error { return c.Mfa.RemoveMethod(t.Context(), "", "m1", presence) }},
	}
	for echoName, echo := range echoes {
		for _, tc := range calls {
			t.Run(echoName+"/"+tc.name, func(t *testing.T) {
				var echoedSomething atomic.Bool
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					var v any
					_ = json.NewDecoder(r.Body).Decode(&v)
					list := strs(v)
					for _, s := range list {
						for _, canary := range canaries {
							if s == canary {
								echoedSomething.Store(true)
							}
						}
					}
					echo(w, strings.Join(list, " "), list)
				}))
				t.Cleanup(srv.Close)
				c := newTestClient(t, srv.URL, WithRetry(NoRetry()))
				c.sessions.install(c.sessions.state(Session{Token: "tok", TokenSecret: "sec", UserID: "u1"}))
				err := tc.call(c)
				require.Error(t, err)
				require.True(t, echoedSomething.Load(), "the call sent a canary for the server to echo")
				wrapped := fmt.Errorf("wrapped: %w", err)
				for _, e := range []error{err, wrapped} {
					texts := []string{e.Error()}
					for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
						texts = append(texts, fmt.Sprintf(verb, e))
					}
					for _, text := range texts {
						for i, canary := range canaries {
							if strings.Contains(text, canary) {
								t.Errorf("canary #%d leaked into the error text", i) // never print the canary
							}
						}
					}
				}
			})
		}
	}
}

// nasty is server text with every kind of invisible or line-breaking
// character a terminal or log viewer might act on.
const nasty = "a\x1b[31mred\x1b[0m b\vc\u0085d\u2028e\u2029f\u202eg\u2066h\u2069i\u200bj\r\nForged: line\x00\x7f\tk"

// assertPrintableLine checks that s is one line of printable runes.
func assertPrintableLine(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("not valid UTF-8: %q", s)
	}
	for _, r := range s {
		if r != ' ' && !unicode.IsPrint(r) {
			t.Errorf("%U in %q", r, s)
			return
		}
	}
}

// rawResponse serves every connection one raw HTTP response and closes it.
func rawResponse(t *testing.T, resp string) string {
	return "http://" + listener(t, func(conn net.Conn) {
		if _, err := readRequest(conn); err == nil {
			_, _ = io.WriteString(conn, resp)
		}
	})
}

// Item 16: control characters and invisible formatting from the server never
// reach Error(): every error is one line of printable runes.
func TestServerTextNeverBreaksErrorLines(t *testing.T) {
	quoted, _ := json.Marshal(nasty)
	q := string(quoted)
	jsonServer := func(status int, body string, header ...string) func(t *testing.T) *Client {
		return func(t *testing.T) *Client {
			c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
				for i := 0; i+1 < len(header); i += 2 {
					w.Header().Set(header[i], header[i+1])
				}
				writeJSON(w, status, body)
			})
			return c
		}
	}
	raw := func(resp string) func(t *testing.T) *Client {
		return func(t *testing.T) *Client { return newTestClient(t, rawResponse(t, resp), WithRetry(NoRetry())) }
	}
	get := func(c *Client) error {
		var out struct{ A int }
		_, err := c.Raw.Get(t.Context(), "/x", &out)
		return err
	}
	login := func(c *Client) error {
		_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
		return err
	}
	cases := []struct {
		name   string
		client func(t *testing.T) *Client
		call   func(*Client) error
		check  func(t *testing.T, err error)
	}{
		{"name and message", jsonServer(400, `{"code":19,"name":`+q+`,"message":`+q+`}`), get, nil},
		{"error and description", jsonServer(400, `{"error":`+q+`,"description":`+q+`}`), get, nil},
		{"unknown code", jsonServer(418, `{"code":99999,"name":`+q+`,"message":`+q+`}`), get, nil},
		{"not JSON", jsonServer(500, nasty), get, nil},
		{"129 answer", jsonServer(403, `{"code":129,"name":`+q+`,"message":`+q+`,"mfa":{"token":"t","methods":[{"id":"m"}]}}`), login,
			func(t *testing.T, err error) {
				var mfa *MfaRequiredError
				assert.ErrorAs(t, err, &mfa)
			}},
		{"129 answer, malformed", jsonServer(403, `{"code":129,"message":`+q+`,"mfa":`+q+`}`), login, nil},
		{"429 answer", jsonServer(429, `{"code":19,"name":`+q+`,"message":`+q+`}`, "Retry-After", "3600"), get,
			func(t *testing.T, err error) {
				var ra *RetryAfterError
				assert.ErrorAs(t, err, &ra)
			}},
		{"429 answer with delay", jsonServer(429, `{"code":211,"message":`+q+`,"remainingDelay":1500}`), login, nil},
		{"Content-Type with ESC, refused by net/http", raw("HTTP/1.1 200 OK\r\nContent-Type: " + "text/x\x1b[2J\x0b\u0085\u2028\u202e" +
			"\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{{{"), get, nil},
		{"Content-Type of a DecodeError", raw("HTTP/1.1 200 OK\r\nContent-Type: " + "text/x\u0085\u2028\u2029\u202e\u2066" +
			"\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{{{"), get,
			func(t *testing.T, err error) {
				var de *DecodeError
				require.ErrorAs(t, err, &de)
				assert.Contains(t, de.ContentType, "\u2028", "the header arrived as sent, and must be cleaned in Error")
			}},
		{"Location host of a RedirectError", raw("HTTP/1.1 302 Found\r\nLocation: http://evil\u2028\u202e.example/x" +
			"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), get, nil},
		{"Location host of a RedirectError, encoded", raw("HTTP/1.1 302 Found\r\nLocation: http://evil%C2%85%E2%80%A8%E2%80%AE.example/x" +
			"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), get,
			func(t *testing.T, err error) {
				var re *RedirectError
				require.ErrorAs(t, err, &re)
				assert.NotEmpty(t, re.Host, "the host was decoded, and must be cleaned in Error")
			}},
		{"transport error text", func(t *testing.T) *Client {
			rt := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errors.New(nasty) })
			return newTestClient(t, "x.io", WithHTTPClient(&http.Client{Transport: rt}))
		}, get, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(tc.client(t))
			require.Error(t, err)
			if tc.check != nil {
				tc.check(t, err)
			}
			assertPrintableLine(t, err.Error())
		})
	}

	// What net/http refuses to deliver (an ESC in a header) is cleaned all the same.
	api := &APIError{StatusCode: 400, Method: "GET", Path: "/x", Name: nasty, Message: nasty, Snippet: nasty}
	for _, err := range []error{
		api,
		&MfaRequiredError{APIError: api, missing: []string{"a token"}},
		&RetryAfterError{RetryAfter: time.Hour, Err: api},
		&DecodeError{Method: "GET", Path: "/x", StatusCode: 200, ContentType: nasty, Err: errors.New(nasty)},
		&RedirectError{Method: "GET", Path: "/x", StatusCode: 302, Host: nasty},
		&RequestError{Method: "GET", Path: "/x", Err: errors.New(nasty)},
		&OutcomeUnknownError{Method: "POST", Path: "/x", Err: errors.New(nasty)},
	} {
		assertPrintableLine(t, err.Error())
	}
}

// Item 17: a Retry-After too large to represent is a wait longer than any
// policy allows: a *RetryAfterError at once, without sleeping.
func TestRetryAfterOverflowIsTooLong(t *testing.T) {
	for _, header := range []string{
		"99999999999999999999",
		"9223372036854775807",  // 2^63-1
		"9223372036854775808",  // 2^63
		"18446744073709551616", // 2^64
		strings.Repeat("9", 300),
		"Fri, 31 Dec 9999 23:59:59 GMT",
	} {
		t.Run(header[:min(len(header), 30)], func(t *testing.T) {
			c, rec := newServerClient(t, statusSequence(header, 503, 200))
			waits := recordWaits(c)
			_, err := c.Raw.Get(t.Context(), "/x", nil)
			var ra *RetryAfterError
			require.ErrorAs(t, err, &ra)
			assert.Equal(t, maxDelay, ra.RetryAfter)
			assert.ErrorIs(t, err, ErrServer)
			assert.Empty(t, *waits, "no sleep")
			assert.Len(t, rec.all(), 1)
		})
	}
}

// Item 18: a final 101 Switching Protocols is an error, not a success.
func TestFinalSwitchingProtocolsIsAnError(t *testing.T) {
	cases := []struct {
		name   string
		client func(t *testing.T) *Client
	}{
		{"bare 101", func(t *testing.T) *Client {
			return newTestClient(t, rawResponse(t, "HTTP/1.1 101 Switching Protocols\r\n\r\n"), WithTimeout(2*time.Second))
		}},
		{"101 switching to another protocol, connection kept open", func(t *testing.T) *Client {
			hold := make(chan struct{})
			addr := listener(t, func(conn net.Conn) {
				if _, err := readRequest(conn); err != nil {
					return
				}
				_, _ = io.WriteString(conn, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
				go func() {
					<-hold
					conn.Close()
				}()
				_, _ = conn.Read(make([]byte, 1)) // until the client hangs up
			})
			t.Cleanup(func() { close(hold) }) // runs before the listener's cleanup
			return newTestClient(t, "http://"+addr, WithTimeout(2*time.Second))
		}},
		{"httpmock 101", func(t *testing.T) *Client {
			mt := httpmock.NewMockTransport()
			mt.RegisterNoResponder(httpmock.NewStringResponder(101, ""))
			return newTestClient(t, "x.io", WithHTTPClient(&http.Client{Transport: mt}))
		}},
	}
	for _, tc := range cases {
		for _, method := range []string{"GET", "POST"} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				c := tc.client(t)
				var out struct{}
				start := time.Now()
				var err error
				if method == "GET" {
					_, err = c.Raw.Get(t.Context(), "/x", &out)
				} else {
					_, err = c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
				}
				var e *APIError
				require.ErrorAs(t, err, &e)
				assert.Equal(t, 101, e.StatusCode)
				assert.Less(t, time.Since(start), time.Second, "promptly")
				assert.Equal(t, Session{}, c.Auth.Session())
			})
		}
	}
}

// Item 7, the other way round: a RoundTripper that is not net/http's cannot
// show whether it wrote the request, so a network error from it (other than a
// dial error) means the request may have been sent: a login is not re-sent,
// a GET is retried.
func TestOwnRoundTripperNetworkErrorMayHaveSent(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	login := func(c *Client) error {
		_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
		return err
	}
	get := func(c *Client) error {
		_, err := c.Raw.Get(t.Context(), "/x", nil)
		return err
	}
	cases := []struct {
		name           string
		err            error
		call           func(*Client) error
		calls          int32
		outcomeUnknown bool
	}{
		{"reset, POST login", reset, login, 1, true},
		{"EOF, POST login", io.ErrUnexpectedEOF, login, 1, true},
		{"reset, GET", reset, get, 5, false},
		{"dial error, POST login", dial, login, 5, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				calls.Add(1)
				if r.Body != nil {
					r.Body.Close()
				}
				return nil, tc.err
			})
			c := newTestClient(t, "x.io", WithHTTPClient(&http.Client{Transport: rt}))
			err := tc.call(c)
			require.ErrorIs(t, err, tc.err)
			var ou *OutcomeUnknownError
			assert.Equal(t, tc.outcomeUnknown, errors.As(err, &ou), "%v", err)
			assert.Equal(t, tc.calls, calls.Load())
		})
	}
}
