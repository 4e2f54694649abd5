package exh

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Test credentials shared by the white-box tests.
const (
	testKey    = "test-consumer-key"
	testSecret = "test-consumer-secret"
)

// seen is one request as a test server received it.
type seen struct {
	Method, Path, RawQuery, Body string
	Header                       http.Header
}

// recorder collects the requests a test server receives.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

func (r *recorder) add(req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, seen{req.Method, req.URL.Path, req.URL.RawQuery, string(b), req.Header.Clone()})
}

func (r *recorder) all() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

// basePath is the path prefix every test server is mounted under, so that
// the handling of a base URL's path is exercised by every test.
const basePath = "/prefix"

// newServerClient starts handler on loopback under basePath and returns a
// client for it, with retries made instant. Both are closed with the test.
// The handler and the recorder see paths without the prefix; a request that
// arrives without it fails the test.
func newServerClient(t *testing.T, handler http.HandlerFunc, opts ...Option) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := strings.CutPrefix(r.URL.Path, basePath)
		if !ok {
			t.Errorf("request to %s, outside the base path %s", r.URL.Path, basePath)
			http.NotFound(w, r)
			return
		}
		r.URL.Path, r.URL.RawPath = p, ""
		rec.add(r)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL+basePath, opts...)
	return c, rec
}

// newTestClient returns a client for host whose waits between retries
// return at once but are recorded.
func newTestClient(t *testing.T, host string, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(Config{Host: host, ConsumerKey: testKey, ConsumerSecret: testSecret}, opts...)
	require.NoError(t, err)
	c.sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	t.Cleanup(func() { closeIdle(c) })
	return c
}

// closeIdle drops the client's idle connections so goleak sees no leftovers.
func closeIdle(c *Client) {
	c.rest.GetClient().CloseIdleConnections()
}

// writeJSON answers with status and a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// authParams parses an OAuth Authorization header into its parameters
// (values still percent-encoded).
func authParams(h string) map[string]string {
	out := map[string]string{}
	h = strings.TrimPrefix(h, "OAuth ")
	for _, item := range strings.Split(h, ", ") {
		k, v, ok := strings.Cut(item, "=")
		if ok {
			out[k] = strings.Trim(v, `"`)
		}
	}
	return out
}

// wantRequest is what a test expects a call to have sent. token is the
// oauth_token it was signed with; "" means signed with the consumer only.
type wantRequest struct {
	method, path, query, body, token string
}

// assertRequest checks one recorded request against want: method, path,
// query, JSON body and the token that signed it.
func assertRequest(t *testing.T, got seen, want wantRequest, name string) {
	t.Helper()
	assert.Equal(t, want.method, got.Method, name)
	assert.Equal(t, want.path, got.Path, name)
	assert.Equal(t, want.query, got.RawQuery, name)
	if want.body == "" {
		assert.Empty(t, got.Body, name)
	} else {
		assert.JSONEq(t, want.body, got.Body, name)
	}
	assert.Equal(t, want.token, authParams(got.Header.Get("Authorization"))["oauth_token"], "%s: signing token", name)
}
