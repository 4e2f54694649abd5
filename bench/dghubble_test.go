// Package bench compares the SDK's OAuth1 signer with
// github.com/dghubble/oauth1 v0.7.3, and the SDK's round trips with the
// floor of a signed net/http request and with dghubble's. It is its own
// module so that the SDK never depends on dghubble/oauth1; see README.md and
// run.
package bench

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	dghubble "github.com/dghubble/oauth1"

	"github.com/exhgo/exh/oauth1"
)

// The V3-shaped request of the issue and of oauth1/bench_test.go (docs/protocol.md
// §2.10, V3): an RQL listing signed with a user token.
const (
	v3Method = http.MethodGet
	v3URL    = "https://api.dev.example.extrahorizon.io/auth/v2/oauth1/tokens?select(id,name)&limit(10)&eq(userId,abc)"
	// v3UnixMilli is the fixed clock of the exh benchmarks.
	v3UnixMilli = 1700000000123
	// v3Nonce and v3Sig are V3's nonce and expected signature.
	v3Nonce = "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8cF0hJ"
	v3Sig   = "jZyGocszbmafX1n10WdK4rcxjZk="
)

var v3Creds = oauth1.Credentials{
	ConsumerKey:    "3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c",
	ConsumerSecret: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
	Token:          "fedcba9876543210fedcba9876543210fedcba98",
	TokenSecret:    "0123456789abcdef0123456789abcdef01234567",
}

func v3Clock() time.Time { return time.UnixMilli(v3UnixMilli) }

// nopRoundTripper answers every request with an empty 204 and remembers
// the last Authorization header when keep is set.
type nopRoundTripper struct {
	resp http.Response
	keep bool
	auth string
}

func (n *nopRoundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	if n.keep {
		n.auth = r.Header.Get("Authorization")
	}
	return &n.resp, nil
}

func newNop(keep bool) *nopRoundTripper {
	return &nopRoundTripper{keep: keep, resp: http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody}}
}

// dghubbleTransport returns dghubble's signing RoundTripper over base. Its
// public API has no way to sign without a Transport: Config.Client builds
// one around the base RoundTripper found in the context under
// dghubble.HTTPClient, and its auther (base string, HMAC, header) is not
// exported. Its clock is not settable either, so it signs with time.Now();
// noncer, when nil, is dghubble's default (32 bytes of crypto/rand, base64).
func dghubbleTransport(tb testing.TB, base http.RoundTripper, noncer dghubble.Noncer) http.RoundTripper {
	tb.Helper()
	cfg := dghubble.NewConfig(v3Creds.ConsumerKey, v3Creds.ConsumerSecret)
	cfg.Noncer = noncer
	ctx := context.WithValue(context.Background(), dghubble.HTTPClient, &http.Client{Transport: base})
	hc := cfg.Client(ctx, dghubble.NewToken(v3Creds.Token, v3Creds.TokenSecret))
	t, ok := hc.Transport.(*dghubble.Transport)
	if !ok || t.Base != base {
		tb.Fatalf("dghubble Config.Client did not wrap the no-op base: %T", hc.Transport)
	}
	return t
}

func newV3Request(tb testing.TB) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(v3Method, v3URL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	return req
}

// roundTrip sends req through t and drains the answer, as a caller would.
func roundTrip(t http.RoundTripper, req *http.Request) error {
	resp, err := t.RoundTrip(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// BenchmarkDghubbleSignV3 signs V3 the cheapest way dghubble/oauth1's
// public API allows: Transport.RoundTrip over a no-op base RoundTripper. It
// pays for dghubble's request clone and header-map copy, which every user of
// dghubble pays.
func BenchmarkDghubbleSignV3(b *testing.B) {
	t := dghubbleTransport(b, newNop(false), nil)
	req := newV3Request(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := roundTrip(t, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExhSignV3 is the SDK's oauth1.Signer.Authorization of V3 with a
// fixed clock and the default nonce, as oauth1's BenchmarkSignV3.
func BenchmarkExhSignV3(b *testing.B) {
	u, err := url.Parse(v3URL)
	if err != nil {
		b.Fatal(err)
	}
	s := &oauth1.Signer{Now: v3Clock}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Authorization(v3Method, u, &v3Creds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExhTransportV3 is the like-for-like counterpart of
// BenchmarkDghubbleSignV3: the SDK's oauth1.Transport (clone, header copy,
// signature) over the same no-op base. It is reported, not a target.
func BenchmarkExhTransportV3(b *testing.B) {
	t := &oauth1.Transport{
		Base:        newNop(false),
		Signer:      &oauth1.Signer{Now: v3Clock},
		Credentials: oauth1.StaticCredentials(v3Creds),
	}
	req := newV3Request(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := roundTrip(t, req); err != nil {
			b.Fatal(err)
		}
	}
}

// fixedNoncer makes dghubble sign with a known nonce.
type fixedNoncer string

func (n fixedNoncer) Nonce() string { return string(n) }

// authParams splits an OAuth Authorization header into its parameters,
// values percent-decoded.
func authParams(tb testing.TB, h string) map[string]string {
	tb.Helper()
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		tb.Fatalf("not an OAuth header: %q", h)
	}
	out := map[string]string{}
	for _, item := range strings.Split(rest, ", ") {
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			tb.Fatalf("bad header item %q", item)
		}
		uq, err := strconv.Unquote(v)
		if err != nil {
			tb.Fatalf("bad header value %q", v)
		}
		if out[k], err = url.PathUnescape(uq); err != nil {
			tb.Fatalf("bad escape in %q", v)
		}
	}
	return out
}

// TestSameRequestSigned checks that both benchmarks sign the same thing: the
// SDK signer reproduces V3's signature, and given the nonce and timestamp
// dghubble used (its default nonce, or V3's), it writes exactly dghubble's
// Authorization header, signature included.
func TestSameRequestSigned(t *testing.T) {
	u, err := url.Parse(v3URL)
	if err != nil {
		t.Fatal(err)
	}

	// The SDK signer reproduces V3.
	s := &oauth1.Signer{Now: v3Clock, Nonce: func() string { return v3Nonce }}
	h, err := s.Authorization(v3Method, u, &v3Creds)
	if err != nil {
		t.Fatal(err)
	}
	if got := authParams(t, h)["oauth_signature"]; got != v3Sig {
		t.Fatalf("exh V3 signature = %q, want %q", got, v3Sig)
	}

	// dghubble, with its clock and default nonce: the SDK signer, given the
	// same nonce and timestamp, writes the identical header.
	for _, noncer := range []dghubble.Noncer{nil, fixedNoncer(v3Nonce)} {
		nop := newNop(true)
		if err := roundTrip(dghubbleTransport(t, nop, noncer), newV3Request(t)); err != nil {
			t.Fatal(err)
		}
		p := authParams(t, nop.auth)
		ts, err := strconv.ParseInt(p["oauth_timestamp"], 10, 64)
		if err != nil {
			t.Fatalf("dghubble timestamp %q: %v", p["oauth_timestamp"], err)
		}
		s := &oauth1.Signer{
			Now:   func() time.Time { return time.Unix(ts, 0) },
			Nonce: func() string { return p["oauth_nonce"] },
		}
		want, err := s.Authorization(v3Method, u, &v3Creds)
		if err != nil {
			t.Fatal(err)
		}
		if nop.auth != want {
			t.Fatalf("dghubble and exh disagree:\ndghubble %s\nexh      %s", nop.auth, want)
		}
	}
}
