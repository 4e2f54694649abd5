//go:build unix

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	dghubble "github.com/dghubble/oauth1"

	"github.com/exhgo/exh"
)

// The round-trip benchmarks send the same GET, decoded into an
// exh.TokenPage, to a loopback server answering the same small token page,
// with four clients:
//
//   - Exh: the SDK, client.Raw.Get with its default transport;
//   - Floor: net/http sending the headers the SDK sends (Accept, User-Agent,
//     X-User-Agent and an Authorization header of the SDK's length, captured
//     once from the SDK and reused), decoding the same JSON: what a signed
//     request costs with no SDK work at all;
//   - Dghubble: the peer, github.com/dghubble/oauth1 signing through
//     net/http, with the same other headers;
//   - NetHTTP: bare net/http, no Authorization and no SDK headers, kept for
//     context only (what the server pays to parse the extra headers).
//
// The server runs in the benchmark's own process, so its CPU time and
// allocations are part of every number, the same for all four but for the
// headers the bare client does not send.
//
// Each benchmark has a sequential variant (seq) and a parallel one (c32):
// 32 goroutines on GOMAXPROCS=2 via b.SetParallelism(16). Their ns/op is
// wall time per request, i.e. inverse throughput. bench/run runs them and
// checks the ratios of the targets.
//
// Each also reports cpu-ns/op, the process's CPU time (user and system,
// server included) per request. It moves much less than ns/op when other
// processes compete for the cores, so it helps tell a slower client from a
// busy machine; at c32, cpu-ns/op ÷ ns/op is the number of cores the run
// actually got. getrusage is why this file is unix-only.

// roundTripPath is the V3-shaped request of the signing benchmarks.
const roundTripPath = "/auth/v2/oauth1/tokens?select(id,name)&limit(10)&eq(userId,abc)"

// roundTripBody is a token page of two small tokens, as the token list
// answers it.
var roundTripBody = []byte(`{"data":[` +
	`{"id":"65a1f0c2e4b0a1b2c3d4e5f6","userId":"64f0a1b2c3d4e5f60718293a","applicationId":"64f0a1b2c3d4e5f60718293b",` +
	`"token":"fedcba9876543210fedcba9876543210fedcba98",` +
	`"creationTimestamp":"2024-01-15T10:20:30.000Z","updateTimestamp":"2024-01-15T10:20:30.000Z","lastUsedTimestamp":"2024-03-01T08:00:00.000Z"},` +
	`{"id":"65a1f0c2e4b0a1b2c3d4e5f7","userId":"64f0a1b2c3d4e5f60718293a","applicationId":"64f0a1b2c3d4e5f60718293b",` +
	`"token":"0123456789abcdef0123456789abcdef01234567",` +
	`"creationTimestamp":1705314030000,"updateTimestamp":1705314030000,"lastUsedTimestamp":1709280000000}],` +
	`"page":{"total":2,"offset":0,"limit":10}}`)

// roundTripConcurrency is the goroutine multiplier of the c32 variants:
// RunParallel starts SetParallelism·GOMAXPROCS goroutines, 32 on two cores.
const roundTripConcurrency = 16

// getFunc makes one round trip and decodes the answer into page.
type getFunc func(page *exh.TokenPage) error

// newRoundTripServer starts the loopback server of the round-trip
// benchmarks. It answers every request with roundTripBody and does nothing
// else: it neither checks nor parses the signature. When seen is not nil,
// it gets every request's headers.
func newRoundTripServer(tb testing.TB, seen func(http.Header)) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen != nil {
			seen(r.Header.Clone())
		}
		h := w.Header()
		h["Content-Type"] = []string{"application/json; charset=utf-8"}
		w.Write(roundTripBody)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// newTunedTransport is the *http.Transport of the net/http clients: the
// SDK's default one, a clone of http.DefaultTransport with MaxIdleConns 128
// and MaxIdleConnsPerHost 64.
func newTunedTransport(tb testing.TB) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 128
	tr.MaxIdleConnsPerHost = 64
	tb.Cleanup(tr.CloseIdleConnections)
	return tr
}

// checkTokenPage fails unless the request succeeded and page is the decoded
// roundTripBody.
func checkTokenPage(tb testing.TB, page *exh.TokenPage, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
	if len(page.Data) != 2 || page.Page.Total != 2 || page.Data[1].LastUsedTimestamp.IsZero() {
		tb.Fatalf("unexpected token page: %+v", page)
	}
}

// doJSON sends req with hc, reads the whole body and decodes it into page,
// as a plain net/http caller would.
func doJSON(hc *http.Client, req *http.Request, page *exh.TokenPage) error {
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	*page = exh.TokenPage{}
	return json.Unmarshal(body, page)
}

// newExhGet is client.Raw.Get with the SDK's default transport (NewClient,
// Host = server URL, no retries): a signed request, the body read within the
// size limit and decoded into a TokenPage.
func newExhGet(tb testing.TB, serverURL string) getFunc {
	tb.Helper()
	c, err := exh.NewClient(exh.Config{
		Host:           serverURL,
		ConsumerKey:    v3Creds.ConsumerKey,
		ConsumerSecret: v3Creds.ConsumerSecret,
		Token:          v3Creds.Token,
		TokenSecret:    v3Creds.TokenSecret,
	}, exh.WithRetry(exh.NoRetry()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	return func(page *exh.TokenPage) error {
		*page = exh.TokenPage{}
		_, err := c.Raw.Get(ctx, roundTripPath, page)
		return err
	}
}

// sdkHeaders returns the headers the SDK sends for the round-trip request,
// Authorization included, as a server receives them, less Accept-Encoding,
// which every *http.Transport adds by itself.
func sdkHeaders(tb testing.TB) http.Header {
	tb.Helper()
	var (
		mu  sync.Mutex
		got http.Header
	)
	srv := newRoundTripServer(tb, func(h http.Header) {
		mu.Lock()
		defer mu.Unlock()
		got = h
	})
	var page exh.TokenPage
	checkTokenPage(tb, &page, newExhGet(tb, srv.URL)(&page))
	srv.Close()
	mu.Lock()
	defer mu.Unlock()
	delete(got, "Accept-Encoding")
	return got
}

// newFloorGet is the floor of a signed request: net/http sending the SDK's
// headers, its Authorization header pre-computed (captured from one SDK
// request, so exactly the length of a real one), then io.ReadAll and
// json.Unmarshal. It does no work the SDK could avoid: the header values
// are shared, read-only slices put into the map http.NewRequest made.
func newFloorGet(tb testing.TB, serverURL string) getFunc {
	tb.Helper()
	want := sdkHeaders(tb)
	if !slices.Equal(sortedKeys(want), []string{"Accept", "Authorization", "User-Agent", "X-User-Agent"}) {
		tb.Fatalf("SDK headers: want Accept, Authorization, User-Agent and X-User-Agent, got %d: %q",
			len(want), sortedKeys(want))
	}
	acc, auth, ua, xua := want["Accept"], want["Authorization"], want["User-Agent"], want["X-User-Agent"]
	hc := &http.Client{Transport: newTunedTransport(tb)}
	target := serverURL + roundTripPath
	return func(page *exh.TokenPage) error {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, target, nil)
		if err != nil {
			return err
		}
		h := req.Header
		h["Accept"], h["Authorization"], h["User-Agent"], h["X-User-Agent"] = acc, auth, ua, xua
		return doJSON(hc, req, page)
	}
}

// newDghubbleGet is the peer: dghubble/oauth1 v0.7.3 signing through
// net/http (its Config.Client over the tuned transport), with the SDK's
// Accept, User-Agent and X-User-Agent values, decoding the same JSON.
func newDghubbleGet(tb testing.TB, serverURL string) getFunc {
	tb.Helper()
	other := sdkHeaders(tb)
	delete(other, "Authorization")
	cfg := dghubble.NewConfig(v3Creds.ConsumerKey, v3Creds.ConsumerSecret)
	ctx := context.WithValue(context.Background(), dghubble.HTTPClient,
		&http.Client{Transport: newTunedTransport(tb)})
	hc := cfg.Client(ctx, dghubble.NewToken(v3Creds.Token, v3Creds.TokenSecret))
	target := serverURL + roundTripPath
	return func(page *exh.TokenPage) error {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, target, nil)
		if err != nil {
			return err
		}
		for k, v := range other {
			req.Header[k] = v
		}
		return doJSON(hc, req, page)
	}
}

// newNetHTTPGet is bare net/http: no Authorization, no SDK headers.
func newNetHTTPGet(tb testing.TB, serverURL string) getFunc {
	tb.Helper()
	hc := &http.Client{Transport: newTunedTransport(tb)}
	target := serverURL + roundTripPath
	return func(page *exh.TokenPage) error {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, target, nil)
		if err != nil {
			return err
		}
		return doJSON(hc, req, page)
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// BenchmarkRoundTripExh is the SDK: client.Raw.Get (see newExhGet).
func BenchmarkRoundTripExh(b *testing.B) {
	runRoundTrip(b, newExhGet(b, newRoundTripServer(b, nil).URL))
}

// BenchmarkRoundTripFloor is net/http with the SDK's headers and a
// pre-computed Authorization header (see newFloorGet).
func BenchmarkRoundTripFloor(b *testing.B) {
	runRoundTrip(b, newFloorGet(b, newRoundTripServer(b, nil).URL))
}

// BenchmarkRoundTripDghubble is dghubble/oauth1 through net/http (see
// newDghubbleGet).
func BenchmarkRoundTripDghubble(b *testing.B) {
	runRoundTrip(b, newDghubbleGet(b, newRoundTripServer(b, nil).URL))
}

// BenchmarkRoundTripNetHTTP is bare net/http (see newNetHTTPGet), for
// context.
func BenchmarkRoundTripNetHTTP(b *testing.B) {
	runRoundTrip(b, newNetHTTPGet(b, newRoundTripServer(b, nil).URL))
}

// cpuTime is the CPU time the process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
	}
}

// runRoundTrip runs get as the seq and c32 sub-benchmarks.
func runRoundTrip(b *testing.B, get getFunc) {
	b.Run("seq", func(b *testing.B) {
		var page exh.TokenPage
		checkTokenPage(b, &page, get(&page)) // warms a connection up
		b.ReportAllocs()
		start := cpuTime(b)
		for b.Loop() {
			if err := get(&page); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run("c32", func(b *testing.B) {
		var page exh.TokenPage
		checkTokenPage(b, &page, get(&page))
		b.ReportAllocs()
		b.SetParallelism(roundTripConcurrency)
		start := cpuTime(b)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			var page exh.TokenPage
			for pb.Next() {
				if err := get(&page); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportCPU(b, start)
	})
}

// TestRoundTripsSendSameHeaders checks that the round-trip benchmarks
// compare like with like: every client decodes the page, and the floor and
// the peer send the header names and non-secret values the SDK sends, with
// an OAuth Authorization header of the same shape (same parameters, same
// fixed values, nonce and timestamp of the same length, a signature of the
// same decoded length).
func TestRoundTripsSendSameHeaders(t *testing.T) {
	var (
		mu   sync.Mutex
		last http.Header
	)
	srv := newRoundTripServer(t, func(h http.Header) {
		mu.Lock()
		defer mu.Unlock()
		last = h
	})
	sent := func(get getFunc) http.Header {
		t.Helper()
		var page exh.TokenPage
		checkTokenPage(t, &page, get(&page))
		mu.Lock()
		defer mu.Unlock()
		return last
	}
	sdk := sent(newExhGet(t, srv.URL))
	if got := sent(newNetHTTPGet(t, srv.URL)); got.Get("Authorization") != "" || got.Get("X-User-Agent") != "" {
		t.Fatalf("bare net/http sent SDK headers: %q", sortedKeys(got))
	}
	sdkAuth := authParams(t, sdk.Get("Authorization"))
	for name, get := range map[string]getFunc{
		"floor":    newFloorGet(t, srv.URL),
		"dghubble": newDghubbleGet(t, srv.URL),
	} {
		got := sent(get)
		if !slices.Equal(sortedKeys(got), sortedKeys(sdk)) {
			t.Errorf("%s sent headers %q, the SDK %q", name, sortedKeys(got), sortedKeys(sdk))
		}
		for _, k := range []string{"Accept", "Accept-Encoding", "User-Agent", "X-User-Agent"} {
			if !slices.Equal(got[k], sdk[k]) {
				t.Errorf("%s sent %s %q, the SDK %q", name, k, got[k], sdk[k])
			}
		}
		auth := authParams(t, got.Get("Authorization"))
		if !slices.Equal(sortedKeys(auth), sortedKeys(sdkAuth)) {
			t.Errorf("%s signed with other oauth_ parameters than the SDK", name)
		}
		for k, v := range sdkAuth {
			switch k {
			case "oauth_nonce":
				// dghubble's default nonce is 32 random bytes in base64 (44
				// characters), the SDK's 32 alphanumerics: the peer's header is
				// a dozen bytes longer, as its users send it.
				if auth[k] == "" || name == "floor" && len(auth[k]) != len(v) {
					t.Errorf("%s: %s is %d bytes, the SDK's %d", name, k, len(auth[k]), len(v))
				}
			case "oauth_timestamp", "oauth_signature":
				if len(auth[k]) != len(v) {
					t.Errorf("%s: %s has %d bytes, the SDK's %d", name, k, len(auth[k]), len(v))
				}
			default:
				if auth[k] != v {
					t.Errorf("%s: %s differs from the SDK's", name, k)
				}
			}
		}
	}
}
