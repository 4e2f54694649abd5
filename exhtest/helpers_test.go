package exhtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// creds are the OAuth1 credentials a test client signs with.
type creds struct {
	ConsumerKey, ConsumerSecret, Token, TokenSecret string
}

// nonceCounter makes every test nonce unique within the test binary.
var nonceCounter atomic.Int64

func nextNonce() string {
	return fmt.Sprintf("testnonce%023d", nonceCounter.Add(1))
}

// authorizationHeader signs method + rawURL the way the ExtraHorizon SDKs
// do (OAuth1 HMAC-SHA1), with the given nonce and timestamp, and returns the
// Authorization header value. It uses the verifier's building blocks, which
// the vector tests pin to known signatures.
func authorizationHeader(t testing.TB, method, rawURL string, c creds, nonce string, ts int64) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	params := map[string]string{
		"oauth_consumer_key":     c.ConsumerKey,
		"oauth_nonce":            nonce,
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        strconv.FormatInt(ts, 10),
		"oauth_version":          "1.0",
	}
	if c.Token != "" {
		params["oauth_token"] = c.Token
	}
	baseURL := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.EscapedPath()
	base := signatureBaseString(method, baseURL, u.RawQuery, params)
	params["oauth_signature"] = hmacSHA1Base64(signatureKey(c.ConsumerSecret, c.TokenSecret), base)
	var names []string
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	items := make([]string, len(names))
	for i, k := range names {
		items[i] = k + `="` + percentEncode(params[k]) + `"`
	}
	return "OAuth " + strings.Join(items, ", ")
}

// result is an answer of the fake.
type result struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r result) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

// client sends signed requests to a Server.
type client struct {
	t     testing.TB
	srv   *Server
	creds creds
	// at, when set, gives the oauth_timestamp; otherwise the server clock
	// is used.
	at func() time.Time
}

func newClient(t testing.TB, srv *Server, c creds) *client {
	return &client{t: t, srv: srv, creds: c}
}

// withToken returns a client of the same application signing with tok.
func (c *client) withToken(tok Token) *client {
	cc := *c
	cc.creds.Token, cc.creds.TokenSecret = tok.Token, tok.TokenSecret
	return &cc
}

func (c *client) timestamp() int64 {
	if c.at != nil {
		return c.at().Unix()
	}
	return c.srv.Now().Unix()
}

// request builds a signed request; body is marshalled to JSON unless it is
// nil or a string (sent as is).
func (c *client) request(method, pathAndQuery string, body any) *http.Request {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(c.t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.srv.URL+pathAndQuery, rd)
	require.NoError(c.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", authorizationHeader(c.t, method, req.URL.String(), c.creds, nextNonce(), c.timestamp()))
	return req
}

// do sends a signed request and reads the answer.
func (c *client) do(method, pathAndQuery string, body any) result {
	c.t.Helper()
	return send(c.t, c.srv.Client(), c.request(method, pathAndQuery, body))
}

func send(t testing.TB, hc *http.Client, req *http.Request) result {
	t.Helper()
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return result{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// login runs the password grant and returns the issued token.
func (c *client) login(email, password string) Token {
	c.t.Helper()
	res := c.do(http.MethodPost, "/auth/v2/oauth1/tokens", map[string]string{"email": email, "password": password})
	require.Equal(c.t, http.StatusOK, res.Status, "body: %s", res.Body)
	return tokenFromJSON(c.t, res)
}

func tokenFromJSON(t testing.TB, res result) Token {
	t.Helper()
	m := res.JSON(t)
	tok := Token{
		ID:                m["id"].(string),
		UserID:            m["userId"].(string),
		ApplicationID:     m["applicationId"].(string),
		Token:             m["token"].(string),
		TokenSecret:       m["tokenSecret"].(string),
		CreationTimestamp: parseTimeField(t, m, "creationTimestamp"),
		UpdateTimestamp:   parseTimeField(t, m, "updateTimestamp"),
	}
	if _, ok := m["lastUsedTimestamp"]; ok {
		tok.LastUsedTimestamp = parseTimeField(t, m, "lastUsedTimestamp")
	}
	return tok
}

// parseTimeField reads a timestamp field of a JSON object: an ISO-8601
// string with milliseconds in UTC.
func parseTimeField(t testing.TB, m map[string]any, name string) time.Time {
	t.Helper()
	s, ok := m[name].(string)
	require.True(t, ok, "%s is %v", name, m[name])
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, s)
	ts, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return ts
}

// requireError checks an ExtraHorizon error answer: status, and a body that
// is exactly {"code","name","message"} plus the extra keys listed.
func requireError(t testing.TB, res result, status, code int, name string, extraKeys ...string) map[string]any {
	t.Helper()
	require.Equal(t, status, res.Status, "body: %s", res.Body)
	require.Equal(t, "application/json", res.Header.Get("Content-Type"))
	m := res.JSON(t)
	require.Equal(t, float64(code), m["code"], "body: %s", res.Body)
	require.Equal(t, name, m["name"])
	require.NotEmpty(t, m["message"])
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	want := append([]string{"code", "name", "message"}, extraKeys...)
	require.ElementsMatch(t, want, keys, "body: %s", res.Body)
	return m
}

// fixture is a started server with one application and one user.
type fixture struct {
	srv  *Server
	app  Application
	user User
	c    *client // consumer-signed client of app
}

var fixedNow = time.Date(2023, 12, 5, 12, 43, 20, 751_000_000, time.UTC)

func newFixture(t testing.TB, opts ...Option) *fixture {
	srv := NewServer(opts...)
	t.Cleanup(srv.Close)
	srv.SetNow(fixedNow)
	app := srv.AddApplication(Application{Name: "test app"})
	user := srv.AddUser(User{Email: "john@example.com", Password: "S3cret!", FirstName: "John", LastName: "Doe"})
	return &fixture{
		srv:  srv,
		app:  app,
		user: user,
		c:    newClient(t, srv, creds{ConsumerKey: app.ConsumerKey, ConsumerSecret: app.ConsumerSecret}),
	}
}
