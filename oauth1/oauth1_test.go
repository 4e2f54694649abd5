package oauth1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// baseURLOf returns the decoded base URL part of a base string.
func baseURLOf(t testing.TB, base string) string {
	t.Helper()
	parts := strings.SplitN(base, "&", 3)
	require.Len(t, parts, 3)
	decoded, err := url.PathUnescape(parts[1])
	require.NoError(t, err)
	return decoded
}

// TestBaseURLNormalization covers the table of docs/protocol.md §2.3.
func TestBaseURLNormalization(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HTTPS://API.Example.COM/x", "https://api.example.com/x"},
		{"https://h:443/x", "https://h/x"},
		{"https://h:0443/x", "https://h/x"},
		{"https://h:/x", "https://h/x"},
		{"https://h:8443/x", "https://h:8443/x"},
		{"https://h:80/x", "https://h:80/x"},
		{"http://h:80/x", "http://h/x"},
		{"http://h:443/x", "http://h:443/x"},
		{"http://localhost:8080/a", "http://localhost:8080/a"},
		{"http://localhost:08080/a", "http://localhost:8080/a"},
		{"https://[::1]:443/a", "https://[::1]/a"},
		{"https://[::1]/a", "https://[::1]/a"},
		{"https://h", "https://h/"},
		{"https://h?a=1", "https://h/"},
		{"https://h/a/./b/../c", "https://h/a/c"},
		{"https://h/a/b/..", "https://h/a/"},
		{"https://h/a/.", "https://h/a/"},
		{"https://h/..", "https://h/"},
		{"https://h/a/%2e/b/%2E%2e/c", "https://h/a/c"},
		{"https://h/a/.hidden/..b", "https://h/a/.hidden/..b"},
		{"https://h//a//", "https://h//a//"},
		{"https://h/A/Path", "https://h/A/Path"},
		{"https://h/a%2fb/c", "https://h/a%2fb/c"},
		{"https://h/a%2Fb/c%20d", "https://h/a%2Fb/c%20d"},
		{"https://h/a b/é", "https://h/a%20b/%C3%A9"},
		{"https://user:pass@h/x", "https://h/x"},
		{"https://h/x#frag", "https://h/x"},
		{"https://h/x?q=1#frag", "https://h/x"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			base := BaseString("GET", mustParse(t, tt.in), nil)
			require.Equal(t, tt.want, baseURLOf(t, base))
		})
	}
}

// TestBaseURLEncoded checks that the base URL is encoded as a whole, so a
// '%' of the path is signed as %25 (docs/protocol.md §2.3).
func TestBaseURLEncoded(t *testing.T) {
	base := BaseString("get", mustParse(t, "https://h/a%2fb"), nil)
	require.Equal(t, "GET&https%3A%2F%2Fh%2Fa%252fb&", base)
}

func TestFragmentAndBodyNotSigned(t *testing.T) {
	s := fixedSigner(1700000000123, "n")
	h1, err := s.Authorization("POST", mustParse(t, "https://h/x?a=1"), &vUser)
	require.NoError(t, err)
	h2, err := s.Authorization("POST", mustParse(t, "https://h/x?a=1#other"), &vUser)
	require.NoError(t, err)
	require.Equal(t, h1, h2)
}

func TestPercentEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"AZaz09-._~", "AZaz09-._~"},
		{"a b", "a%20b"},
		{"!*'()", "%21%2A%27%28%29"},
		{"+/=&%", "%2B%2F%3D%26%25"},
		{"ü", "%C3%BC"},
		{"☃", "%E2%98%83"},
		{"\x00\xff", "%00%FF"},
		{"Hello Ladies + Gentlemen, a signed OAuth request!", "Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, PercentEncode(tt.in))
		require.Equal(t, "x"+tt.want, string(AppendPercentEncode([]byte("x"), tt.in)))
	}
}

func TestAuthorizationErrors(t *testing.T) {
	var s Signer
	good := mustParse(t, "https://h/")
	tests := []struct {
		name string
		u    *url.URL
		c    *Credentials
		err  error
	}{
		{"nil URL", nil, &vUser, errNilURL},
		{"nil credentials", good, nil, errNilCreds},
		{"empty consumer key", good, &Credentials{ConsumerSecret: "s"}, errConsumerKey},
		{"ftp scheme", mustParse(t, "ftp://h/"), &vUser, errScheme},
		{"no scheme", mustParse(t, "/relative"), &vUser, errScheme},
		{"opaque", &url.URL{Scheme: "https", Opaque: "//h/x"}, &vUser, errOpaque},
		{"no host", mustParse(t, "https:///x"), &vUser, errNoHost},
		{"non-ASCII host", mustParse(t, "https://bücher.example/"), &vUser, errHostASCII},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := s.Authorization("GET", tt.u, tt.c)
			require.ErrorIs(t, err, tt.err)
			require.Empty(t, h)
		})
	}
}

// TestZeroSigner checks the defaults: time.Now and a fresh random nonce.
func TestZeroSigner(t *testing.T) {
	var s Signer
	before := time.Now().Unix()
	h1, err := s.Authorization("GET", mustParse(t, "https://h/"), &vUser)
	require.NoError(t, err)
	h2, err := (*Signer)(nil).Authorization("GET", mustParse(t, "https://h/"), &vUser)
	require.NoError(t, err)
	p1, err := parseHeader(h1)
	require.NoError(t, err)
	p2, err := parseHeader(h2)
	require.NoError(t, err)
	require.Regexp(t, `^[A-Za-z0-9]{32}$`, p1["oauth_nonce"])
	require.NotEqual(t, p1["oauth_nonce"], p2["oauth_nonce"])
	ts := p1["oauth_timestamp"]
	require.GreaterOrEqual(t, ts, fmt.Sprint(before))
	require.LessOrEqual(t, ts, fmt.Sprint(time.Now().Unix()))
	require.NoError(t, verifyRequest("GET", mustParse(t, "https://h/"), h1, vUser))
}

// TestCustomNonceEncoded checks that a nonce from Signer.Nonce is encoded
// in the header and the base string.
func TestCustomNonceEncoded(t *testing.T) {
	s := fixedSigner(1700000000123, "a b/+")
	h, err := s.Authorization("GET", mustParse(t, "https://h/"), &vUser)
	require.NoError(t, err)
	require.Contains(t, h, `oauth_nonce="a%20b%2F%2B"`)
	require.NoError(t, verifyRequest("GET", mustParse(t, "https://h/"), h, vUser))
}

// TestKeyCache signs with alternating credentials through the same pooled
// state, so a stale cached key would show.
func TestKeyCache(t *testing.T) {
	creds := []Credentials{
		vUser, vConsumer, vLocal,
		{ConsumerKey: "k", ConsumerSecret: strings.Repeat("x", 100)},
		{ConsumerKey: "k", ConsumerSecret: "a", TokenSecret: "b&c"},
		{ConsumerKey: "k", ConsumerSecret: "a&b", TokenSecret: "c"},
	}
	for i := range 50 {
		c := creds[i%len(creds)]
		base := BaseString("GET", mustParse(t, "https://h/"), nil)
		require.Equal(t, refSign(base, c.ConsumerSecret, c.TokenSecret), Sign(base, c.ConsumerSecret, c.TokenSecret))
	}
}

func TestConcurrentSigning(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				v := vectors[(g+i)%len(vectors)]
				u, err := url.Parse(v.url)
				if err != nil {
					t.Error(err)
					return
				}
				h, err := fixedSigner(v.unixMilli, v.nonce).Authorization(v.method, u, &v.creds)
				if err != nil || !strings.Contains(h, PercentEncode(v.sig)) {
					t.Errorf("%s: got %q, %v", v.name, h, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestCredentialsRedacted(t *testing.T) {
	c := Credentials{ConsumerKey: "abc", ConsumerSecret: "csecret", Token: "tok", TokenSecret: "tsecret"}
	want := `Credentials{ConsumerKey:"abc", ConsumerSecret:REDACTED, Token:REDACTED, TokenSecret:REDACTED}`
	require.Equal(t, want, c.String())
	require.Equal(t, "oauth1."+want, c.GoString())
	for _, format := range []string{"%v", "%+v", "%s", "%#v", "%q", "%x", "%d", "%10v"} {
		for _, arg := range []any{c, &c, []Credentials{c}, struct{ C Credentials }{c}} {
			out := fmt.Sprintf(format, arg)
			require.NotContains(t, out, "csecret", "format %s of %T: %s", format, arg, out)
			require.NotContains(t, out, "tsecret", "format %s of %T: %s", format, arg, out)
			require.Contains(t, out, "REDACTED", "format %s of %T: %s", format, arg, out)
		}
	}
	require.Equal(t, `oauth1.Credentials{ConsumerKey:"abc", ConsumerSecret:REDACTED, Token:REDACTED, TokenSecret:REDACTED}`, fmt.Sprintf("%#v", c))
	require.Equal(t, `Credentials{ConsumerKey:"k", ConsumerSecret:"", Token:"", TokenSecret:""}`, Credentials{ConsumerKey: "k"}.String())

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("login", "creds", c)
	require.NotContains(t, buf.String(), "csecret")
	require.NotContains(t, buf.String(), "tsecret")
	require.Contains(t, buf.String(), `"consumer_key":"abc"`)
	require.Contains(t, buf.String(), `"consumer_secret":"REDACTED"`)

	// json.Marshal redacts too, also inside slices.
	data, err := json.Marshal([]Credentials{c})
	require.NoError(t, err)
	require.Equal(t, `[{"ConsumerKey":"abc","ConsumerSecret":"REDACTED","Token":"REDACTED","TokenSecret":"REDACTED"}]`, string(data))
	require.NotContains(t, string(data), "tok\"")
}
