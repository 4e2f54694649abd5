package oauth1

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// captureRT is a base RoundTripper that records the requests it is given.
type captureRT struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (c *captureRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, r)
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
}

// trackingBody records whether it was closed.
type trackingBody struct {
	io.Reader
	closed bool
}

func (b *trackingBody) Close() error {
	b.closed = true
	return nil
}

// verifyingServer is an httptest server that checks every request's
// signature with the reference implementation and rejects reused nonces.
type verifyingServer struct {
	*httptest.Server
	creds Credentials

	mu     sync.Mutex
	nonces map[string]bool
	seen   []string // the Authorization headers received
}

func newVerifyingServer(t *testing.T, c Credentials, next http.HandlerFunc) *verifyingServer {
	s := &verifyingServer{creds: c, nonces: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
		if err := verifyRequest(r.Method, u, header, s.creds); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		params, _ := parseHeader(header)
		s.mu.Lock()
		reused := s.nonces[params["oauth_nonce"]]
		s.nonces[params["oauth_nonce"]] = true
		s.seen = append(s.seen, header)
		s.mu.Unlock()
		if reused {
			http.Error(w, "duplicate request", http.StatusUnauthorized)
			return
		}
		if next != nil {
			next(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *verifyingServer) client() *http.Client {
	return &http.Client{Transport: &Transport{Base: s.Client().Transport, Credentials: StaticCredentials(s.creds)}}
}

func TestTransportSignsEveryQueryForm(t *testing.T) {
	srv := newVerifyingServer(t, vUser, nil)
	client := srv.client()
	queries := []string{
		"",
		"?select(id,name)&limit(10)&eq(userId,abc)",
		"?eq(name,Hypertension%2520%252D%2520STAGE%25201)&limit(5,10)",
		"?r=2&r=1&r=1",
		"?flag&a=1&&b=2",
		"?sort(+name)&q=a+b%20c",
		"?a=%41%ZZ&b=%C3&c=%ED%A0%80&d=%c3%a9",
		"?name=J%C3%BCrgen&city=%E2%82%AC",
		"?k=v=w&a=1;b=2&=x",
		"?oauth_nonce=evil&oauth_token=evil",
		"?toString=1&constructor&x=1",
		"?" + repeatQuery("r=#", 20),
	}
	for _, q := range queries {
		for _, method := range []string{http.MethodGet, http.MethodDelete} {
			resp, err := client.Do(mustRequest(t, method, srv.URL+"/users/v1/me"+q, nil))
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s: %s", method, q, body)
		}
	}
	resp, err := client.Post(srv.URL+"/auth/v2/oauth1/tokens", "application/json", strings.NewReader(`{"password":"p"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func mustRequest(t *testing.T, method, rawURL string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	require.NoError(t, err)
	return req
}

// TestTransportFreshNoncePerAttempt sends the same request twice, as a retry
// does, and follows a redirect: every attempt gets its own nonce.
func TestTransportFreshNoncePerAttempt(t *testing.T) {
	srv := newVerifyingServer(t, vUser, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/new?limit(10)", http.StatusFound)
		}
	})
	tr := &Transport{Base: srv.Client().Transport, Credentials: StaticCredentials(vUser)}
	req := mustRequest(t, http.MethodGet, srv.URL+"/x?a=1", nil)
	for range 2 {
		resp, err := tr.RoundTrip(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL + "/old")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "/new", resp.Request.URL.Path)

	require.Len(t, srv.seen, 4)
	nonces := map[string]bool{}
	for _, h := range srv.seen {
		p, err := parseHeader(h)
		require.NoError(t, err)
		nonces[p["oauth_nonce"]] = true
	}
	require.Len(t, nonces, 4)
}

func TestTransportLeavesRequestAlone(t *testing.T) {
	base := &captureRT{}
	tr := &Transport{Base: base, Credentials: StaticCredentials(vUser)}
	req := mustRequest(t, http.MethodGet, "https://API.Example.com:443/a/./b/../c?limit(10)", nil)
	req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	req.Header["authorization"] = []string{"lower-case duplicate"}
	req.Header.Set("Accept", "application/json")
	origHeader := req.Header.Clone()
	origURL := *req.URL
	require.Equal(t, "API.Example.com:443", req.Host) // set by http.NewRequest

	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()

	require.Equal(t, origHeader, req.Header)
	require.Equal(t, origURL, *req.URL)
	require.Equal(t, "API.Example.com:443", req.Host)

	require.Len(t, base.reqs, 1)
	sent := base.reqs[0]
	require.NotSame(t, req, sent)
	require.Equal(t, "api.example.com", sent.URL.Host)
	require.Equal(t, "api.example.com", sent.Host)
	require.Equal(t, "/a/c", sent.URL.EscapedPath())
	require.Equal(t, "/a/c?limit(10)", sent.URL.RequestURI())
	require.Equal(t, "application/json", sent.Header.Get("Accept"))
	require.Len(t, sent.Header.Values("Authorization"), 1)
	require.NotContains(t, sent.Header, "authorization")
	require.True(t, strings.HasPrefix(sent.Header.Get("Authorization"), "OAuth "))
	require.NoError(t, verifyRequest(sent.Method, sent.URL, sent.Header.Get("Authorization"), vUser))
}

// TestTransportNormalizesHost checks that what is signed is what goes on
// the wire: URL.Host and Request.Host without default port, lower case.
func TestTransportNormalizesHost(t *testing.T) {
	tests := []struct {
		url, host         string
		wantURL, wantHost string
	}{
		{"https://api.example.com:443/x", "", "api.example.com", ""},
		{"http://api.example.com:80/x", "", "api.example.com", ""},
		{"http://api.example.com:8080/x", "", "api.example.com:8080", ""},
		{"https://127.0.0.1:8443/x", "API.example.com:443", "127.0.0.1:8443", "api.example.com"},
		{"http://127.0.0.1:8080/x", "Other.Example:80", "127.0.0.1:8080", "other.example"},
	}
	for _, tt := range tests {
		t.Run(tt.url+" "+tt.host, func(t *testing.T) {
			base := &captureRT{}
			tr := &Transport{Base: base, Credentials: StaticCredentials(vUser)}
			req := mustRequest(t, http.MethodGet, tt.url, nil)
			req.Host = tt.host
			resp, err := tr.RoundTrip(req)
			require.NoError(t, err)
			resp.Body.Close()

			sent := base.reqs[0]
			require.Equal(t, tt.wantURL, sent.URL.Host)
			require.Equal(t, tt.wantHost, sent.Host)
			wire := *sent.URL
			if sent.Host != "" {
				wire.Host = sent.Host // the Host header is what the server sees
			}
			require.NoError(t, verifyRequest(sent.Method, &wire, sent.Header.Get("Authorization"), vUser))
		})
	}
}

func TestTransportNilCredentialsSendsUnsigned(t *testing.T) {
	base := &captureRT{}
	tr := &Transport{Base: base, Credentials: func(*http.Request) (*Credentials, error) { return nil, nil }}
	req := mustRequest(t, http.MethodGet, "https://h/x", nil)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Same(t, req, base.reqs[0])
	require.Empty(t, base.reqs[0].Header.Get("Authorization"))
}

func TestTransportErrorsCloseBody(t *testing.T) {
	errNoSession := errors.New("no session")
	tests := []struct {
		name  string
		url   string
		creds func(*http.Request) (*Credentials, error)
		err   error
	}{
		{"credentials error", "https://h/x", func(*http.Request) (*Credentials, error) { return nil, errNoSession }, errNoSession},
		{"no credentials func", "https://h/x", nil, errNoCredentialsFunc},
		{"empty consumer key", "https://h/x", StaticCredentials(Credentials{ConsumerSecret: "s"}), errConsumerKey},
		{"unsupported scheme", "ftp://h/x", StaticCredentials(vUser), errScheme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := &captureRT{}
			tr := &Transport{Base: base, Credentials: tt.creds}
			body := &trackingBody{Reader: strings.NewReader("payload")}
			req := mustRequest(t, http.MethodPost, tt.url, body)
			resp, err := tr.RoundTrip(req)
			require.ErrorIs(t, err, tt.err)
			require.Nil(t, resp)
			require.True(t, body.closed, "body not closed")
			require.Empty(t, base.reqs)
		})
	}
}

func TestTransportDefaults(t *testing.T) {
	srv := newVerifyingServer(t, vConsumer, nil)
	t.Cleanup(http.DefaultTransport.(*http.Transport).CloseIdleConnections)
	client := &http.Client{Transport: &Transport{Credentials: StaticCredentials(vConsumer)}}
	resp, err := client.Get(srv.URL + "/x?limit(10)")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestStaticCredentialsCopies(t *testing.T) {
	c := vUser
	get := StaticCredentials(c)
	c1, err := get(nil)
	require.NoError(t, err)
	c1.Token = "changed"
	c2, err := get(nil)
	require.NoError(t, err)
	require.Equal(t, vUser, *c2)
	require.NotSame(t, c1, c2)
}
