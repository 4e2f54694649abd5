package exhtest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWithPathPrefix(t *testing.T) {
	f := newFixture(t, WithPathPrefix("/api"))
	res := f.c.do(http.MethodPost, "/api"+pathLogin, map[string]string{"email": "john@example.com", "password": "S3cret!"})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	tok := tokenFromJSON(t, res)
	c := f.c.withToken(tok)

	// Every route is served under the prefix, the ones with IDs included.
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/users/v1/me", nil).Status)
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api"+pathLogin+"?limit(5)", nil).Status)
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/auth/v2/mfa/users/"+f.user.ID, nil).Status)
	other := f.srv.AddToken(f.user.ID, f.app.ConsumerKey)
	require.Equal(t, http.StatusOK, c.do(http.MethodDelete, "/api"+pathTokenPrefix+other.ID, nil).Status)
	require.Len(t, f.srv.Tokens(), 1)

	// Outside the prefix: 404/16, even when correctly signed.
	for _, path := range []string{pathLogin, "/apix" + pathLogin, "/api", "/", "/other/api" + pathLogin} {
		requireError(t, c.do(http.MethodGet, path, nil), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	}

	// The signature covers the full path: one made over the path without
	// the prefix is refused.
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/api/users/v1/me", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", authorizationHeader(t, http.MethodGet, f.srv.URL+"/users/v1/me", c.creds, nextNonce(), f.srv.Now().Unix()))
	requireError(t, send(t, f.srv.Client(), req), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")

	// Requests and faults use the full path as received.
	reqs := f.srv.Requests()
	require.Equal(t, "/api"+pathLogin, reqs[0].Path)
	require.Equal(t, "/apix"+pathLogin, reqs[len(reqs)-5].Path)
	f.srv.FailNext(http.MethodGet, "/api/users/v1/me", Fault{Status: 503, Body: "down"})
	require.Equal(t, 503, c.do(http.MethodGet, "/api/users/v1/me", nil).Status)
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/users/v1/me", nil).Status)
}

func TestWithPathPrefixForms(t *testing.T) {
	for _, prefix := range []string{"api/v1", "/api/v1/", "/api/v1//"} {
		srv := NewServer(WithPathPrefix(prefix))
		require.Equal(t, "/api/v1", srv.pathPrefix, "%q", prefix)
		srv.Close()
	}
	for _, prefix := range []string{"", "/", "//"} {
		srv := NewServer(WithPathPrefix(prefix))
		require.Empty(t, srv.pathPrefix, "%q", prefix)
		srv.Close()
	}

	// A nested prefix with characters that are escaped in the URL: the
	// signed path is the escaped one.
	f := newFixture(t, WithPathPrefix("/a b/v1"))
	res := f.c.do(http.MethodPost, "/a%20b/v1"+pathLogin, map[string]string{"email": "john@example.com", "password": "S3cret!"})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	require.True(t, strings.HasPrefix(f.srv.Requests()[0].Path, "/a b/v1/"))
}
