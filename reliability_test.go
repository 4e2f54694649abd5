package exh

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the reliability matrix (the failure modes the SDK promises to handle) not covered by
// retry_test.go, errors_test.go and the flow tests.

// Row 11: resty's own logger must never write to stderr.
func TestNothingWrittenToStderr(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	orig := os.Stderr
	os.Stderr = w
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		io.WriteString(w, "<html>not json</html>")
	}, WithRetry(NoRetry()))
	_, callErr := c.Raw.Get(t.Context(), "/x", nil)
	var out map[string]any
	c2, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"a":`) })
	_, decodeErr := c2.Raw.Get(t.Context(), "/x", &out)
	os.Stderr = orig
	w.Close()
	written, _ := io.ReadAll(r)
	assert.ErrorIs(t, callErr, ErrServer)
	var de *DecodeError
	assert.ErrorAs(t, decodeErr, &de)
	assert.Empty(t, string(written))
}

// Row 12: valid JSON is decoded whatever the content type says.
func TestJSONDecodedWhateverContentType(t *testing.T) {
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, `{"id":"u1"}`)
	})
	var out struct{ ID string }
	_, err := c.Raw.Get(t.Context(), "/x", &out)
	require.NoError(t, err)
	assert.Equal(t, "u1", out.ID)
}

// Row 13: huge error bodies are read only up to the cap.
func TestHugeErrorBodyReadUnderCap(t *testing.T) {
	var written atomic.Int64
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range 100 << 20 / len(chunk) { // 100 MiB
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}, WithRetry(NoRetry()))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	runtime.ReadMemStats(&after)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, apiErr.StatusCode)
	assert.LessOrEqual(t, len(apiErr.Snippet), maxSnippet)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "memory stays bounded")
	closeIdle(c)
	assert.Less(t, written.Load(), int64(100<<20), "the client hung up early")
}

// Row 16 and 17: a server that never answers, and cancellation.
func TestNoResponseHeadersEndsAtTimeoutAndCancel(t *testing.T) {
	addr := listener(t, func(conn net.Conn) {
		readRequest(conn)
		buf := make([]byte, 1)
		conn.Read(buf) // wait until the client gives up
	})
	c := newTestClient(t, "http://"+addr, WithTimeout(200*time.Millisecond))
	start := time.Now()
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)

	c2 := newTestClient(t, "http://"+addr)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(300*time.Millisecond, cancel)
	start = time.Now()
	_, err = c2.Raw.Get(ctx, "/x", nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 350*time.Millisecond+300*time.Millisecond)
}

// Row 18: a reset in the middle of a GET response is retried, re-signed.
func TestResetMidResponseRetried(t *testing.T) {
	var count atomic.Int32
	var nonces sync.Map
	addr := listener(t, func(conn net.Conn) {
		req, err := readRequest(conn)
		if err != nil {
			return
		}
		nonces.Store(authParams(req.Header.Get("Authorization"))["oauth_nonce"], true)
		if count.Add(1) == 1 {
			conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"par"))
			conn.(*net.TCPConn).SetLinger(0)
			return
		}
		conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"))
	})
	c := newTestClient(t, "http://"+addr)
	var out map[string]any
	_, err := c.Raw.Get(t.Context(), "/x", &out)
	require.NoError(t, err)
	assert.Equal(t, int32(2), count.Load())
	n := 0
	nonces.Range(func(any, any) bool { n++; return true })
	assert.Equal(t, 2, n, "distinct nonces")
}

// Row 20: an untrusted certificate fails once, without retries.
func TestUntrustedCertificateNotRetried(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake is expected
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			hits.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := newTestClient(t, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1))
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	require.Error(t, err)
	assert.True(t, isCertificateError(err), "%v", err)
	assert.Equal(t, int32(1), hits.Load(), "one handshake, no retry")
}

// Row 27: concurrent logins with the same credentials share one request.
func TestConcurrentLoginsShareOneRequest(t *testing.T) {
	release := make(chan struct{})
	var posts atomic.Int32
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		<-release
		writeJSON(w, 200, tokenJSON)
	})
	var wg sync.WaitGroup
	toks := make([]*Token, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			toks[i], errs[i] = c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
		}()
	}
	time.Sleep(100 * time.Millisecond) // let them all queue behind the first
	close(release)
	wg.Wait()
	assert.Equal(t, int32(1), posts.Load())
	for i := range 50 {
		require.NoError(t, errs[i])
		assert.Equal(t, toks[0].Token, toks[i].Token)
	}
	toks[1].Token = "changed"
	assert.NotEqual(t, "changed", toks[2].Token, "each caller gets its own copy")

	// Different credentials are not merged.
	posts.Store(0)
	_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "other")
	require.NoError(t, err)
	assert.Equal(t, int32(1), posts.Load())
}

// Row 28: each body reaches only its own request, even when half the first
// attempts fail before anything is written and are retried.
func TestBodyIsolationUnderRetries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sum := sha256.Sum256(b)
		writeJSON(w, 200, `{"sha":"`+hex.EncodeToString(sum[:])+`","len":`+fmt.Sprint(len(b))+`}`)
	}))
	t.Cleanup(srv.Close)
	var attempts sync.Map
	failFirst := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		id, _ := r.Context().Value(headerKey{}).(string)
		if _, seen := attempts.LoadOrStore(id, true); !seen && len(id)%2 == 0 {
			if r.Body != nil {
				r.Body.Close()
			}
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("refused before write")}
		}
		return srv.Client().Transport.RoundTrip(r)
	})
	c := newTestClient(t, srv.URL, WithHTTPClient(&http.Client{Transport: failFirst}))
	var wg sync.WaitGroup
	var mismatches atomic.Int32
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				canary := fmt.Sprintf("canary-%d-%d-%s", g, i, strings.Repeat("x", (g+i)%7))
				body := map[string]string{"canary": canary}
				want, _ := json.Marshal(body)
				sum := sha256.Sum256(want)
				var out struct {
					Sha string
					Len int
				}
				_, err := c.Raw.Do(withHeader(t.Context(), canary), "POST", "/echo", body, &out)
				if err != nil || out.Sha != hex.EncodeToString(sum[:]) {
					mismatches.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, mismatches.Load())
}

// Row 30: connections are reused: error bodies are drained.
func TestConnectionReuse(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("fail") {
			writeJSON(w, 404, `{"code":16,"name":"RESOURCE_UNKNOWN_EXCEPTION","message":"x"}`)
			return
		}
		writeJSON(w, 200, `{"ok":true}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL)
	for i := range 1000 {
		path := "/x"
		if i%3 == 0 {
			path = "/x?fail"
		}
		c.Raw.Get(t.Context(), path, nil)
	}
	assert.LessOrEqual(t, conns.Load(), int32(2), "1,000 sequential calls")

	conns.Store(0)
	c2 := newTestClient(t, srv.URL)
	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				c2.Raw.Get(t.Context(), "/x", nil)
			}
		}()
	}
	wg.Wait()
	// Some extra dials race with connections on their way back to the pool
	// (more under -race or a loaded CPU); resty's stock transport, whose pool
	// keeps GOMAXPROCS+1 idle connections, opened 964 here.
	assert.LessOrEqual(t, conns.Load(), int32(128), "64 concurrent callers with the default pool")
}

// Row 34: an SSO consumption that may have arrived is not re-sent.
func TestSSOConsumeDroppedNotResent(t *testing.T) {
	var count atomic.Int32
	addr := listener(t, func(conn net.Conn) {
		if _, err := readRequest(conn); err == nil {
			count.Add(1)
		}
	})
	c := newTestClient(t, "http://"+addr)
	_, err := c.SSO.Consume(t.Context(), "canary-sso")
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.Equal(t, int32(1), count.Load())
	assert.NotContains(t, err.Error(), "canary")
}

// headerKey carries a request's canary to the test transport.
type headerKey struct{}

func withHeader(ctx context.Context, canary string) context.Context {
	return context.WithValue(ctx, headerKey{}, canary)
}
