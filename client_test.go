package exh

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseHost(t *testing.T) {
	cases := []struct{ in, want string }{
		{"dev.example.io", "https://api.dev.example.io"},
		{"https://dev.example.io", "https://api.dev.example.io"},
		{"http://api.dev.example.io/", "https://api.dev.example.io"},
		{"apx.dev.example.io", "https://api.dev.example.io"},
		{"api.apx.x.io", "https://api.x.io"},
		{"HTTPS://Api.Dev.Example.IO", "https://api.dev.example.io"},
		{"HTTP://dev.example.io", "https://api.dev.example.io"},
		{"https://dev.example.io:443", "https://api.dev.example.io"},
		{"https://dev.example.io:8443/prefix", "https://api.dev.example.io:8443/prefix"},
		{"dev.example.io/base/", "https://api.dev.example.io/base"},
		{"http://localhost:3000/", "http://localhost:3000"},
		{"localhost:3000", "http://localhost:3000"},
		{"LOCALHOST:3000", "http://localhost:3000"},
		{"https://localhost:8443", "https://localhost:8443"},
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.1.2.3", "http://127.1.2.3"},
		{"http://[::1]:9000", "http://[::1]:9000"},
		{"http://localhost:80", "http://localhost"},
		// Not loopback: never plain http, whatever it looks like.
		{"http://localhost.evil.com", "https://api.localhost.evil.com"},
		{"http://mylocalhost:3000", "https://api.mylocalhost:3000"},
		{"http://10.0.0.1:8080", "https://10.0.0.1:8080"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			u, err := parseHost(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, u.String())
		})
	}
}

func TestParseHostErrors(t *testing.T) {
	for _, in := range []string{"", "   ", "ftp://x.io", "https://user:pw@x.io", "x.io?q=1", "x.io/#frag",
		"http://", "https://x.io/a/../b", "://x"} {
		t.Run(in, func(t *testing.T) {
			_, err := parseHost(in)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.NotContains(t, err.Error(), "pw")
		})
	}
}

func TestNewClientValidation(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		opts []Option
		want string
	}{
		{"no key", Config{Host: "x.io", ConsumerSecret: "s"}, nil, "ConsumerKey"},
		{"no secret", Config{Host: "x.io", ConsumerKey: "k"}, nil, "ConsumerSecret"},
		{"half token", Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s", Token: "t"}, nil, "Token"},
		{"half secret", Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s", TokenSecret: "t"}, nil, "Token"},
		{"no host", Config{ConsumerKey: "k", ConsumerSecret: "s"}, nil, "Host"},
		{"nil http client", Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s"}, []Option{WithHTTPClient(nil)}, "WithHTTPClient"},
		{"negative timeout", Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s"}, []Option{WithTimeout(-1)}, "timeout"},
		{"authorization header", Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s"}, []Option{WithHeader("authorization", "x")}, "Authorization"},
		{"header injection", Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s"}, []Option{WithHeader("X-A", "a\r\nB: c")}, "header"},
		{"negative retry", Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s"}, []Option{WithRetry(RetryPolicy{MaxAttempts: -1})}, "RetryPolicy"},
		{"zero max bytes", Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s"}, []Option{WithMaxResponseBytes(0)}, "max response"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(tc.cfg, tc.opts...)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestNewClientResumesSession(t *testing.T) {
	c, err := NewClient(Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s", Token: "tok", TokenSecret: "sec"})
	require.NoError(t, err)
	s := c.Auth.Session()
	assert.Equal(t, "tok", s.Token)
	assert.Equal(t, "sec", s.TokenSecret)
	assert.Equal(t, "https://api.x.io", c.BaseURL())
}

func TestDefaultHeaders(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) },
		WithHeader("X-Forwarded-Application", "app-1"))
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	require.NoError(t, err)
	h := rec.all()[0].Header
	assert.Equal(t, "Go/"+runtime.Version()+" OS/"+runtime.GOOS+"-"+runtime.GOARCH+" exh/"+Version, h.Get("X-User-Agent"))
	assert.Equal(t, "app-1", h.Get("X-Forwarded-Application"))
	assert.True(t, strings.HasPrefix(h.Get("Authorization"), "OAuth "), h.Get("Authorization"))
	assert.Empty(t, h.Get("Content-Type"), "no body, no content type")

	c2, rec2 := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) },
		WithUserAgent("my-app/1.2"))
	_, err = c2.Raw.Post(t.Context(), "/x", map[string]int{"a": 1}, nil)
	require.NoError(t, err)
	got := rec2.all()[0]
	assert.Equal(t, "my-app/1.2", got.Header.Get("X-User-Agent"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"a":1}`, got.Body)
}

func TestWithHTTPClientTransportIsWrapped(t *testing.T) {
	var called bool
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		called = true
		assert.NotEmpty(t, r.Header.Get("Authorization"), "the signer runs before the user's transport")
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	})
	c, err := NewClient(Config{Host: "x.io", ConsumerKey: "k", ConsumerSecret: "s"},
		WithHTTPClient(&http.Client{Transport: rt, Timeout: time.Second}))
	require.NoError(t, err)
	_, err = c.Raw.Get(t.Context(), "/ping", nil)
	require.NoError(t, err)
	assert.True(t, called)
}

func TestClientAndConfigStringsHideSecrets(t *testing.T) {
	cfg := Config{Host: "x.io", ConsumerKey: "key-1", ConsumerSecret: "canary-consumer-secret",
		Token: "canary-token", TokenSecret: "canary-token-secret"}
	c, err := NewClient(cfg)
	require.NoError(t, err)
	for _, s := range []string{c.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprintf("%s", cfg), fmt.Sprintf("%q", cfg), fmt.Sprintf("%v", c.Auth.Session()), fmt.Sprintf("%#v", c.Auth.Session())} {
		assert.NotContains(t, s, "canary")
	}
	assert.Contains(t, fmt.Sprint(cfg), "key-1")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
