package exhtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// freshClient has its own transport, so that no connection is reused and
// net/http never silently re-sends a request.
func freshClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestFaultStatusBodyHeader(t *testing.T) {
	f := newFixture(t)
	f.srv.FailNext(http.MethodGet, "/auth/v2/health", Fault{
		Status: http.StatusServiceUnavailable,
		Body:   `{"code":1,"name":"SERVER_EXCEPTION","message":"down"}`,
		Header: http.Header{"Retry-After": {"2"}},
		Times:  2,
	})
	for range 2 {
		res := f.c.do(http.MethodGet, "/auth/v2/health", nil)
		require.Equal(t, http.StatusServiceUnavailable, res.Status)
		require.Equal(t, "2", res.Header.Get("Retry-After"))
		require.Equal(t, "application/json", res.Header.Get("Content-Type"))
		require.JSONEq(t, `{"code":1,"name":"SERVER_EXCEPTION","message":"down"}`, string(res.Body))
	}
	require.Equal(t, http.StatusOK, f.c.do(http.MethodGet, "/auth/v2/health", nil).Status, "Times is used up")

	f.srv.FailNext("", "", Fault{Status: http.StatusBadGateway, Body: "<html>Bad gateway</html>"})
	res := f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "john@example.com", "password": "S3cret!"})
	require.Equal(t, http.StatusBadGateway, res.Status)
	require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, "<html>Bad gateway</html>", string(res.Body))
	require.Empty(t, f.srv.Tokens(), "a fault is answered before the handler runs")

	f.srv.FailNext("", "", Fault{Status: http.StatusOK, Body: "{}", ContentType: "text/plain"})
	res = f.c.do(http.MethodGet, "/auth/v2/health", nil)
	require.Equal(t, "text/plain", res.Header.Get("Content-Type"))

	reqs := f.srv.Requests()
	require.Equal(t, 503, reqs[0].Status)
	require.Equal(t, 1, reqs[0].Code)
	require.Equal(t, 502, reqs[3].Status)
	require.Equal(t, 0, reqs[3].Code)
}

func TestFaultMatching(t *testing.T) {
	f := newFixture(t)
	f.srv.FailNext(http.MethodPost, "/auth/v2/health", Fault{Status: 500})
	f.srv.FailNext(http.MethodGet, "/users/v1/me", Fault{Status: 501})
	require.Equal(t, http.StatusOK, f.c.do(http.MethodGet, "/auth/v2/health", nil).Status, "method differs")
	require.Equal(t, 501, f.c.do(http.MethodGet, "/users/v1/me", nil).Status)
	require.Equal(t, 500, f.c.do(http.MethodPost, "/auth/v2/health", nil).Status, "faults apply even to unknown routes")
}

func TestFaultHeaderOnly(t *testing.T) {
	f := newFixture(t)
	date := "Tue, 05 Dec 2023 12:53:20 GMT"
	f.srv.FailNext("", "/auth/v2/health", Fault{Header: http.Header{"Date": {date}}})
	res := f.c.do(http.MethodGet, "/auth/v2/health", nil)
	require.Equal(t, http.StatusOK, res.Status, "the normal answer")
	require.Equal(t, date, res.Header.Get("Date"))
}

func TestFaultDelay(t *testing.T) {
	f := newFixture(t)
	f.srv.FailNext("", "/auth/v2/health", Fault{Delay: 150 * time.Millisecond})
	start := time.Now()
	res := f.c.do(http.MethodGet, "/auth/v2/health", nil)
	require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	require.Equal(t, http.StatusOK, res.Status, "Status 0 keeps the normal answer")

	// The delay ends when the client gives up.
	f.srv.ResetRequests()
	f.srv.FailNext("", "/auth/v2/health", Fault{Delay: time.Minute, Status: 200})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req := f.c.request(http.MethodGet, "/auth/v2/health", nil).WithContext(ctx)
	start = time.Now()
	_, err := freshClient(t).Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Eventually(t, func() bool { return len(f.srv.Requests()) == 1 }, 5*time.Second, 10*time.Millisecond)
	require.Less(t, time.Since(start), 10*time.Second)
	require.Equal(t, 0, f.srv.Requests()[0].Status)
}

func TestFaultDelayEndsOnClose(t *testing.T) {
	srv := NewServer()
	app := srv.AddApplication(Application{})
	c := newClient(t, srv, creds{ConsumerKey: app.ConsumerKey, ConsumerSecret: app.ConsumerSecret})
	srv.FailNext("", "", Fault{Delay: time.Minute, Status: 200})
	req := c.request(http.MethodGet, "/auth/v2/health", nil)
	hc := freshClient(t)
	done := make(chan error, 1)
	go func() {
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	// The fault is taken when the request arrives.
	require.Eventually(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return len(srv.faults) == 0
	}, 5*time.Second, 5*time.Millisecond)
	start := time.Now()
	srv.Close()
	require.Less(t, time.Since(start), 5*time.Second)
	require.Error(t, <-done, "the connection is closed without an answer")
	require.Equal(t, 0, srv.Requests()[0].Status)
	srv.Close() // a second Close is harmless
}

func TestFaultDrop(t *testing.T) {
	f := newFixture(t)
	f.srv.FailNext(http.MethodPost, pathLogin, Fault{Drop: true})
	req := f.c.request(http.MethodPost, pathLogin, map[string]string{"email": "john@example.com", "password": "S3cret!"})
	_, err := freshClient(t).Do(req)
	require.Error(t, err)
	require.ErrorIs(t, err, io.EOF)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, 0, reqs[0].Status)
	require.Equal(t, `{"email":"john@example.com","password":"REDACTED"}`, reqs[0].Body, "the request was read")
	require.Empty(t, f.srv.Tokens())
	// The fault was used up; the same signed request would now be accepted.
	require.Equal(t, http.StatusOK, f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "john@example.com", "password": "S3cret!"}).Status)
}

func TestFaultReset(t *testing.T) {
	f := newFixture(t)
	f.srv.FailNext(http.MethodGet, "", Fault{Reset: true, Times: 2})
	for range 2 {
		_, err := freshClient(t).Do(f.c.request(http.MethodGet, "/users/v1/me", nil))
		require.Error(t, err)
		require.True(t, errors.Is(err, syscall.ECONNRESET), "want a connection reset, got %v", err)
	}
	require.Equal(t, http.StatusOK, f.c.do(http.MethodGet, "/auth/v2/health", nil).Status)
}
