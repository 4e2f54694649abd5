package exh

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tokenJSON = `{"id":"656f1ae833190297b20641d0","userId":"656f1ae851c0f5307421eb96","applicationId":"58074811b2148f3b28ad75bd",
	"token":"0be953bf0000000000000000000000000000a062","tokenSecret":"d7f400000000000000000000000000000000003ed",
	"creationTimestamp":"2023-12-05T12:43:20.751Z","updateTimestamp":1701780200751}`

// TestEndpointRequests pins each typed call's request: method, path, body
// and whether oauth_token was signed.
func TestEndpointRequests(t *testing.T) {
	answers := map[string]string{
		"/auth/v2/oauth1/tokens":             tokenJSON,
		"/auth/v2/oauth1/tokens/mfa":         tokenJSON,
		"/auth/v2/oauth1/ssoTokens/generate": `{"id":"i","ssoToken":"s50000000000000000000000000000000000000","userId":"u","expiryTimestamp":"2030-01-01T00:00:00.000Z"}`,
		"/auth/v2/oauth1/ssoTokens/consume":  tokenJSON,
		"/auth/v2/confirmPresence":           `{"token":"p1","expiryTimestamp":"2030-01-01T00:00:00Z"}`,
		"/auth/v2/health":                    ``,
		"/users/v1/me":                       `{"id":"656f1ae851c0f5307421eb96"}`,
		"/auth/v2/oauth1/tokens/abc":         `{"affectedRecords":1}`,
	}
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" && r.URL.Path == "/auth/v2/oauth1/tokens" {
			writeJSON(w, 200, `{"data":[`+tokenJSON+`],"page":{"total":1,"offset":0,"limit":20}}`)
			return
		}
		writeJSON(w, 200, answers[r.URL.Path])
	})
	ctx := t.Context()
	const tok = "0be953bf0000000000000000000000000000a062" // installed by the password grant
	steps := []struct {
		name string
		run  func() error
		want wantRequest
	}{
		{"password grant", func() error { _, err := c.Auth.Authenticate(ctx, "john@example.com", "S3cret!"); return err },
			wantRequest{"POST", "/auth/v2/oauth1/tokens", "", `{"email":"john@example.com","password":"S3cret!"}`, ""}},
		{"password grant with a session is still consumer-only", func() error { _, err := c.Auth.Authenticate(ctx, "a@b.c", "x"); return err },
			wantRequest{"POST", "/auth/v2/oauth1/tokens", "", `{"email":"a@b.c","password":"x"}`, ""}},
		{"MFA grant", func() error {
			_, err := c.Auth.ConfirmMfa(ctx, MfaConfirmation{Token: "m", MethodID: "id1", Code: "123456"})
			return err
		}, wantRequest{"POST", "/auth/v2/oauth1/tokens/mfa", "", `{"token":"m","methodId":"id1","code":"123456"}`, ""}},
		{"list", func() error { _, err := c.Tokens.Find(ctx, RQL().Eq("userId", "u1").Limit(10)); return err },
			wantRequest{"GET", "/auth/v2/oauth1/tokens", "eq(userId,u1)&limit(10)", "", tok}},
		{"find by id", func() error { _, err := c.Tokens.FindByID(ctx, "abc"); return err },
			wantRequest{"GET", "/auth/v2/oauth1/tokens", "eq(id,abc)", "", tok}},
		{"remove", func() error { return c.Tokens.Remove(ctx, "abc") },
			wantRequest{"DELETE", "/auth/v2/oauth1/tokens/abc", "", "", tok}},
		{"sso generate", func() error { _, err := c.SSO.Generate(ctx); return err },
			wantRequest{"POST", "/auth/v2/oauth1/ssoTokens/generate", "", `{}`, tok}},
		{"sso consume", func() error { _, err := c.SSO.Consume(ctx, "sso1"); return err },
			wantRequest{"POST", "/auth/v2/oauth1/ssoTokens/consume", "", `{"ssoToken":"sso1"}`, tok}},
		{"presence", func() error { _, err := c.Auth.ConfirmPresence(ctx, "pw"); return err },
			wantRequest{"POST", "/auth/v2/confirmPresence", "", `{"password":"pw"}`, tok}},
		{"health", func() error { return c.Auth.Health(ctx) },
			wantRequest{"GET", "/auth/v2/health", "", "", tok}},
		{"token check", func() error {
			_, err := c.Auth.AuthenticateWithToken(ctx, "tok2", "sec2")
			return err
		}, wantRequest{"GET", "/users/v1/me", "", "", "tok2"}}, // signed with the pair it checks
	}
	for i, st := range steps {
		require.NoError(t, st.run(), st.name)
		assertRequest(t, rec.all()[i], st.want, st.name)
	}
}

func TestGrantInstallsSessionAndDecodesTimestamps(t *testing.T) {
	var changes []Session
	var mu sync.Mutex
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, tokenJSON) },
		WithOnSessionChange(func(s Session) { mu.Lock(); changes = append(changes, s); mu.Unlock() }))
	tok, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2023, 12, 5, 12, 43, 20, 751e6, time.UTC), tok.CreationTimestamp)
	assert.Equal(t, time.UnixMilli(1701780200751).UTC(), tok.UpdateTimestamp)
	s := c.Auth.Session()
	assert.Equal(t, Session{Token: tok.Token, TokenSecret: tok.TokenSecret, TokenID: tok.ID, UserID: tok.UserID,
		ApplicationID: tok.ApplicationID}, s)
	c.Auth.Logout()
	assert.Equal(t, Session{}, c.Auth.Session())
	require.Len(t, changes, 2)
	assert.Equal(t, s, changes[0])
	assert.Equal(t, Session{}, changes[1])
}

func TestGrantDecodeFailureKeepsSession(t *testing.T) {
	for _, body := range []string{``, `{"token":`, `{}`, `<html>`} {
		c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) })
		c.sessions.install(c.sessions.state(Session{Token: "old", TokenSecret: "old-secret"}))
		_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "pw")
		var de *DecodeError
		require.ErrorAs(t, err, &de, body)
		assert.Equal(t, "old", c.Auth.Session().Token, body)
	}
}

func TestTokenGrantRollsBack(t *testing.T) {
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		if authParams(r.Header.Get("Authorization"))["oauth_token"] == "bad" {
			writeJSON(w, 401, `{"code":108,"name":"OAUTH_TOKEN_EXCEPTION","message":"unknown token"}`)
			return
		}
		writeJSON(w, 200, `{"id":"user-1"}`)
	})
	s, err := c.Auth.AuthenticateWithToken(t.Context(), "good", "good-secret")
	require.NoError(t, err)
	assert.Equal(t, "user-1", s.UserID)
	_, err = c.Auth.AuthenticateWithToken(t.Context(), "bad", "bad-secret")
	assert.ErrorIs(t, err, ErrCodeOAuthToken)
	assert.Equal(t, "good", c.Auth.Session().Token, "the previous session is kept")
	id, err := c.Auth.UserID(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "user-1", id)

	c2, err := NewClient(Config{Host: c.BaseURL(), ConsumerKey: testKey, ConsumerSecret: testSecret,
		Token: "bad", TokenSecret: "bad-secret"}, WithRetry(NoRetry()))
	require.NoError(t, err)
	t.Cleanup(c2.CloseIdleConnections)
	_, err = c2.Auth.UserID(t.Context())
	assert.ErrorIs(t, err, ErrCodeOAuthToken, "UserID returns the error instead of an empty id")
}

func TestUserIDFetchesOnce(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"id":"u9"}`) })
	_, err := c.Auth.UserID(t.Context())
	assert.ErrorIs(t, err, ErrNotAuthenticated)
	c.sessions.install(c.sessions.state(Session{Token: "t", TokenSecret: "s"}))
	for range 3 {
		id, err := c.Auth.UserID(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "u9", id)
	}
	assert.Len(t, rec.all(), 1)
}

func TestRevokeSession(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "GET":
			writeJSON(w, 200, `{"page":{"total":1,"offset":0,"limit":20},"data":[{"id":"tid-1","token":"t"}]}`)
		case "DELETE":
			writeJSON(w, 200, `{"affectedRecords":1}`)
		}
	})
	assert.ErrorIs(t, c.Auth.RevokeSession(t.Context()), ErrNotAuthenticated)
	c.sessions.install(c.sessions.state(Session{Token: "t", TokenSecret: "s"}))
	require.NoError(t, c.Auth.RevokeSession(t.Context()))
	reqs := rec.all()
	require.Len(t, reqs, 2, "looks the token id up, then deletes it")
	assert.Equal(t, "eq(token,t)", reqs[0].RawQuery)
	assert.Equal(t, "/auth/v2/oauth1/tokens/tid-1", reqs[1].Path)
	assert.Equal(t, Session{}, c.Auth.Session())
}

func TestRevokeDoesNotWipeNewerLogin(t *testing.T) {
	var c *Client
	c, _ = newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		// A new login lands while the revocation is in flight.
		c.sessions.install(c.sessions.state(Session{Token: "newer", TokenSecret: "s2"}))
		writeJSON(w, 200, `{"affectedRecords":1}`)
	})
	c.sessions.install(c.sessions.state(Session{Token: "old", TokenSecret: "s", TokenID: "id-old"}))
	require.NoError(t, c.Auth.RevokeSession(t.Context()))
	assert.Equal(t, "newer", c.Auth.Session().Token)
}

// removeServer answers the first DELETE with first (nil: the token is
// deleted and the connection dropped before any answer) and later ones with
// 404/16.
func removeServer(t *testing.T, first http.HandlerFunc) (*Client, *recorder) {
	var n int
	var mu sync.Mutex
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		isFirst := n == 1
		mu.Unlock()
		if isFirst {
			first(w, r)
			return
		}
		writeJSON(w, 404, `{"code":16,"name":"RESOURCE_UNKNOWN_EXCEPTION","message":"gone"}`)
	})
	c.sessions.install(c.sessions.state(Session{Token: "t", TokenSecret: "s"}))
	return c, rec
}

func dropConnection(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestRemoveLostAnswerCountsAsRemoved(t *testing.T) {
	c, rec := removeServer(t, dropConnection)
	require.NoError(t, c.Tokens.Remove(t.Context(), "id1"), "the lost first attempt removed it")
	assert.Len(t, rec.all(), 2)
}

func TestRemoveNeverGuessesOverADefiniteAnswer(t *testing.T) {
	c, rec := removeServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 503, `{}`) })
	err := c.Tokens.Remove(t.Context(), "id1")
	assert.ErrorIs(t, err, ErrCodeResourceUnknown, "a 503 is an answer: the later 404 is reported")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Len(t, rec.all(), 2)

	c2, rec2 := removeServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"code":16,"name":"RESOURCE_UNKNOWN_EXCEPTION","message":"gone"}`)
	})
	assert.ErrorIs(t, c2.Tokens.Remove(t.Context(), "id1"), ErrCodeResourceUnknown, "a first-attempt 404 is a real not-found")
	assert.Len(t, rec2.all(), 1)
}

func TestRemoveNothingAffectedIsNotFound(t *testing.T) {
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"affectedRecords":0}`) })
	c.sessions.install(c.sessions.state(Session{Token: "t", TokenSecret: "s"}))
	assert.ErrorIs(t, c.Tokens.Remove(t.Context(), "id1"), ErrNotFound)
}

func TestFindFirstAndFindByIDNotFound(t *testing.T) {
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":[],"page":{"total":0,"offset":0,"limit":20}}`)
	})
	c.sessions.install(c.sessions.state(Session{Token: "t", TokenSecret: "s"}))
	tok, err := c.Tokens.FindByID(t.Context(), "nope")
	assert.Nil(t, tok)
	assert.ErrorIs(t, err, ErrNotFound)
	tok, err = c.Tokens.FindFirst(t.Context(), RQL().Eq("token", "x"))
	assert.Nil(t, tok)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestInvalidArguments(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	ctx := t.Context()
	_, err := c.Auth.Authenticate(ctx, "", "pw")
	assert.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Auth.ConfirmMfa(ctx, MfaConfirmation{Token: "t"})
	assert.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Auth.AuthenticateWithToken(ctx, "t", "")
	assert.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.SSO.Consume(ctx, "")
	assert.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.SSO.Generate(ctx)
	assert.ErrorIs(t, err, ErrNotAuthenticated)
	_, err = c.Auth.ConfirmPresence(ctx, "pw")
	assert.ErrorIs(t, err, ErrNotAuthenticated)
	assert.ErrorIs(t, c.Tokens.Remove(ctx, ""), ErrInvalidArgument)
	_, err = c.Tokens.FindByID(ctx, "")
	assert.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Tokens.Find(ctx, nil)
	assert.ErrorIs(t, err, ErrNotAuthenticated)
	assert.ErrorIs(t, err, ErrCodeUserNotAuthenticated, "the local twin of 104")
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.ErrorIs(t, c.Tokens.Remove(ctx, "id"), ErrNotAuthenticated)
	//lint:ignore SA1012 a nil context must be refused, not crash
	_, err = c.Raw.Get(nil, "/x", nil)
	assert.ErrorIs(t, err, ErrInvalidArgument)
	assert.Empty(t, rec.all())
}
