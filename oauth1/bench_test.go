package oauth1

import (
	"crypto/hmac"
	"crypto/sha1"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// v3 is the V3-shaped request of docs/protocol.md §2.10: RQL query and a token.
var v3 = vectors[2]

func mustParse(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// BenchmarkHMACFloor is the floor the signer is measured against: HMAC-SHA1
// of the precomputed V3 base string with the V3 key, with a pre-built hmac
// that is Reset each iteration.
func BenchmarkHMACFloor(b *testing.B) {
	key := []byte(PercentEncode(v3.creds.ConsumerSecret) + "&" + PercentEncode(v3.creds.TokenSecret))
	base := []byte(v3.base)
	mac := hmac.New(sha1.New, key)
	sum := make([]byte, 0, sha1.Size)
	b.ReportAllocs()
	for b.Loop() {
		mac.Reset()
		mac.Write(base)
		sum = mac.Sum(sum[:0])
	}
}

// BenchmarkSignV3 is Signer.Authorization for V3 with a fixed clock and the
// default nonce.
func BenchmarkSignV3(b *testing.B) {
	u := mustParse(b, v3.url)
	s := &Signer{Now: func() time.Time { return time.UnixMilli(v3.unixMilli) }}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Authorization(v3.method, u, &v3.creds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignV5 signs the qs edge cases of V5, which take the slow path.
func BenchmarkSignV5(b *testing.B) {
	v5 := vectors[4]
	u := mustParse(b, v5.url)
	s := &Signer{Now: func() time.Time { return time.UnixMilli(v5.unixMilli) }}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Authorization(v5.method, u, &v5.creds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignParams signs a query of n plain parameters.
func BenchmarkSignParams(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			parts := make([]string, n)
			for i := range parts {
				parts[i] = "param" + strconv.Itoa(i) + "=value%20" + strconv.Itoa(i)
			}
			u := mustParse(b, "https://api.example.com/data/v1/items?"+strings.Join(parts, "&"))
			s := &Signer{Now: func() time.Time { return time.UnixMilli(v3.unixMilli) }}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Authorization("GET", u, &v3.creds); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// nopRoundTripper answers every request with an empty 204 response.
type nopRoundTripper struct{ resp http.Response }

func (n *nopRoundTripper) RoundTrip(*http.Request) (*http.Response, error) {
	return &n.resp, nil
}

// BenchmarkTransport is a RoundTrip of the V3 request over a no-op base.
func BenchmarkTransport(b *testing.B) {
	t := &Transport{
		Base:        &nopRoundTripper{resp: http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody}},
		Credentials: StaticCredentials(v3.creds),
	}
	req, err := http.NewRequest(v3.method, v3.url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	b.ReportAllocs()
	for b.Loop() {
		resp, err := t.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
	}
}
