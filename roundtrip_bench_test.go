//go:build unix

package exh

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

// The round-trip benchmarks compare a signed client.Raw.Get (JSON decode
// included) with a bare net/http GET plus json.Unmarshal, against the same
// loopback server answering the same small token page. The server runs in
// the benchmark's own process, so its CPU time and allocations are part of
// every number; they are the same on both sides, except for the parsing of
// the headers the SDK adds (Authorization, Accept, User-Agent, X-User-Agent).
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

// newRoundTripServer starts the loopback server of the round-trip
// benchmarks. It answers every request with roundTripBody and does nothing
// else: it neither checks nor parses the signature.
func newRoundTripServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json; charset=utf-8"}
		w.Write(roundTripBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// checkTokenPage fails the benchmark unless the request succeeded and page
// is the decoded roundTripBody.
func checkTokenPage(b *testing.B, page *TokenPage, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	if len(page.Data) != 2 || page.Page.Total != 2 || page.Data[1].LastUsedTimestamp.IsZero() {
		b.Fatalf("unexpected token page: %+v", page)
	}
}

// BenchmarkRoundTripNetHTTP is the baseline: http.Client.Do over a tuned
// *http.Transport (MaxIdleConnsPerHost 64), io.ReadAll and json.Unmarshal.
func BenchmarkRoundTripNetHTTP(b *testing.B) {
	srv := newRoundTripServer(b)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 128
	tr.MaxIdleConnsPerHost = 64
	b.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	target := srv.URL + roundTripPath

	get := func(page *TokenPage) error {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, target, nil)
		if err != nil {
			return err
		}
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
		*page = TokenPage{}
		return json.Unmarshal(body, page)
	}
	runRoundTrip(b, get)
}

// BenchmarkRoundTripExh is client.Raw.Get with the SDK's default transport
// (NewClient, Host = server URL, no retries): a signed request, the body read
// within the size limit and decoded into a TokenPage.
func BenchmarkRoundTripExh(b *testing.B) {
	srv := newRoundTripServer(b)
	c, err := NewClient(Config{
		Host:           srv.URL,
		ConsumerKey:    "3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c",
		ConsumerSecret: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
		Token:          "fedcba9876543210fedcba9876543210fedcba98",
		TokenSecret:    "0123456789abcdef0123456789abcdef01234567",
	}, WithRetry(NoRetry()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { closeIdle(c) })
	ctx := context.Background()

	get := func(page *TokenPage) error {
		*page = TokenPage{}
		_, err := c.Raw.Get(ctx, roundTripPath, page)
		return err
	}
	runRoundTrip(b, get)
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
func runRoundTrip(b *testing.B, get func(*TokenPage) error) {
	b.Run("seq", func(b *testing.B) {
		var page TokenPage
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
		var page TokenPage
		checkTokenPage(b, &page, get(&page))
		b.ReportAllocs()
		b.SetParallelism(roundTripConcurrency)
		start := cpuTime(b)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			var page TokenPage
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
