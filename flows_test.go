package exh_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/exhgo/exh"
	"github.com/exhgo/exh/exhtest"
	"github.com/exhgo/exh/rql"
)

// fake is the black-box test harness: an exhtest server, one application on
// it and that application's client.
type fake struct {
	srv    *exhtest.Server
	app    exhtest.Application
	client *exh.Client
}

// fakePrefix is the path the fake is mounted under: every flow test then
// also checks that the client keeps a base URL's path prefix, and signs it.
const fakePrefix = "/exh"

// setup starts the fake under fakePrefix, closed with the test, and returns
// it with a client whose retries wait at most a few milliseconds.
func setup(t *testing.T, opts ...exhtest.Option) *fake {
	t.Helper()
	srv := exhtest.NewServer(append([]exhtest.Option{exhtest.WithPathPrefix(fakePrefix)}, opts...)...)
	t.Cleanup(srv.Close)
	f := &fake{srv: srv, app: srv.AddApplication(exhtest.Application{Name: "app-a"})}
	f.client = f.newClient(t, f.app)
	return f
}

// newClient returns a client of app on the fake, with instant retries.
func (f *fake) newClient(t *testing.T, app exhtest.Application, opts ...exh.Option) *exh.Client {
	t.Helper()
	opts = append([]exh.Option{exh.WithRetry(exh.RetryPolicy{InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})}, opts...)
	c, err := exh.NewClient(exh.Config{Host: f.srv.URL + fakePrefix, ConsumerKey: app.ConsumerKey, ConsumerSecret: app.ConsumerSecret}, opts...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// path is p as the fake receives and records it: under the prefix.
func path(p string) string { return fakePrefix + p }

func TestFlowPasswordThenUse(t *testing.T) {
	f := setup(t)
	user := f.srv.AddUser(exhtest.User{Email: "john@example.com", Password: "S3cret!"})
	ctx := t.Context()

	_, err := f.client.Auth.Authenticate(ctx, "john@example.com", "wrong")
	require.ErrorIs(t, err, exh.ErrCodeAuthentication)

	tok, err := f.client.Auth.Authenticate(ctx, "john@example.com", "S3cret!")
	require.NoError(t, err)
	assert.Equal(t, user.ID, tok.UserID)
	assert.False(t, tok.CreationTimestamp.IsZero())
	id, err := f.client.Auth.UserID(ctx)
	require.NoError(t, err)
	assert.Equal(t, user.ID, id)
	page, err := f.client.Tokens.Find(ctx, nil)
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	assert.Equal(t, tok.ID, page.Data[0].ID)
	require.NoError(t, f.client.Auth.Health(ctx))

	for _, r := range f.srv.Requests() {
		assert.NotEqual(t, 109, r.Code, "every signature verified: %+v", r)
	}
}

func TestFlowMfa(t *testing.T) {
	f := setup(t)
	user := f.srv.AddUser(exhtest.User{Email: "mfa@example.com", Password: "pw-123",
		Mfa: []exhtest.MfaMethod{{Type: "totp", Name: "Authenticator"}}})
	method := user.Mfa[0]
	ctx := t.Context()

	_, err := f.client.Auth.Authenticate(ctx, "mfa@example.com", "pw-123")
	var mfa *exh.MfaRequiredError
	require.ErrorAs(t, err, &mfa)
	require.Len(t, mfa.Challenge.Methods, 1)
	assert.Equal(t, method.ID, mfa.Challenge.Methods[0].ID)
	assert.Equal(t, "totp", mfa.Challenge.Methods[0].Type)
	assert.Positive(t, mfa.Challenge.ExpiresIn)
	assert.Equal(t, exh.Session{}, f.client.Auth.Session())

	confirm := exh.MfaConfirmation{Token: mfa.Challenge.Token, MethodID: method.ID, Code: "000000"}
	if confirm.Code == exhtest.TOTP(method.Secret, f.srv.Now()) {
		confirm.Code = "111111"
	}
	_, err = f.client.Auth.ConfirmMfa(ctx, confirm)
	require.ErrorIs(t, err, exh.ErrCodeInvalidMfaCode)

	confirm.Code = exhtest.TOTP(method.Secret, f.srv.Now())
	_, err = f.client.Auth.ConfirmMfa(ctx, confirm)
	require.ErrorIs(t, err, exh.ErrCodeMfaReattemptDelay, "too soon after a failure")
	var apiErr *exh.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Positive(t, apiErr.RemainingDelay)

	f.srv.Advance(apiErr.RemainingDelay + time.Second)
	confirm.Code = exhtest.TOTP(method.Secret, f.srv.Now())
	tok, err := f.client.Auth.ConfirmMfa(ctx, confirm)
	require.NoError(t, err)
	assert.Equal(t, user.ID, tok.UserID)
	assert.Equal(t, tok.Token, f.client.Auth.Session().Token)
	_, err = f.client.Tokens.Find(ctx, nil)
	require.NoError(t, err, "the MFA token signs later calls")

	_, err = f.client.Auth.ConfirmMfa(ctx, exh.MfaConfirmation{Token: "0000000000000000000000000000000000000000", MethodID: method.ID, Code: "123456"})
	assert.ErrorIs(t, err, exh.ErrCodeInvalidMfaToken)
}

func TestFlowTokenGrantAndRollback(t *testing.T) {
	f := setup(t)
	user := f.srv.AddUser(exhtest.User{Email: "t@example.com", Password: "pw"})
	stored := f.srv.AddToken(user.ID, f.app.ConsumerKey)
	ctx := t.Context()

	s, err := f.client.Auth.AuthenticateWithToken(ctx, stored.Token, stored.TokenSecret)
	require.NoError(t, err)
	assert.Equal(t, user.ID, s.UserID)

	_, err = f.client.Auth.AuthenticateWithToken(ctx, stored.Token, "wrong-secret")
	assert.ErrorIs(t, err, exh.ErrCodeOAuthSignature)
	assert.Equal(t, stored.Token, f.client.Auth.Session().Token, "rolled back to the good pair")
	_, err = f.client.Tokens.Find(ctx, nil)
	require.NoError(t, err)
}

func TestFlowSSO(t *testing.T) {
	f := setup(t)
	appB := f.srv.AddApplication(exhtest.Application{Name: "app-b"})
	clientB := f.newClient(t, appB)
	user := f.srv.AddUser(exhtest.User{Email: "sso@example.com", Password: "pw"})
	ctx := t.Context()

	_, err := f.client.SSO.Generate(ctx)
	require.ErrorIs(t, err, exh.ErrNotAuthenticated)
	_, err = f.client.Auth.Authenticate(ctx, "sso@example.com", "pw")
	require.NoError(t, err)
	sso, err := f.client.SSO.Generate(ctx)
	require.NoError(t, err)
	assert.Equal(t, user.ID, sso.UserID)
	assert.True(t, sso.ExpiryTimestamp.After(sso.CreationTimestamp))

	tok, err := clientB.Auth.AuthenticateWithSSOToken(ctx, sso.SSOToken)
	require.NoError(t, err)
	assert.Equal(t, user.ID, tok.UserID)
	assert.Equal(t, tok.Token, clientB.Auth.Session().Token)
	assert.NotEqual(t, f.client.Auth.Session().Token, tok.Token, "app B has its own token")
	_, err = clientB.Tokens.Find(ctx, nil)
	require.NoError(t, err)

	_, err = clientB.SSO.Consume(ctx, sso.SSOToken)
	assert.ErrorIs(t, err, exh.ErrCodeResourceUnknown, "single use")
	assert.ErrorIs(t, err, exh.ErrNotFound)
}

func TestFlowPagingWithAll(t *testing.T) {
	f := setup(t)
	user := f.srv.AddUser(exhtest.User{Email: "many@example.com", Password: "pw"})
	for range 119 {
		f.srv.AddToken(user.ID, f.app.ConsumerKey)
	}
	ctx := t.Context()
	_, err := f.client.Auth.Authenticate(ctx, "many@example.com", "pw") // the 120th
	require.NoError(t, err)
	f.srv.ResetRequests()

	seen := map[string]bool{}
	for tok, err := range f.client.Tokens.All(ctx, nil) {
		require.NoError(t, err)
		assert.False(t, seen[tok.ID], "no token twice")
		seen[tok.ID] = true
	}
	assert.Len(t, seen, 120)
	var queries []string
	for _, r := range f.srv.Requests() {
		queries = append(queries, r.Query)
	}
	assert.Equal(t, []string{"limit(50)", "limit(50,50)", "limit(50,100)"}, queries)

	// Breaking out stops the paging.
	f.srv.ResetRequests()
	n := 0
	for _, err := range f.client.Tokens.All(ctx, exh.RQL().Eq("userId", user.ID)) {
		require.NoError(t, err)
		if n++; n == 10 {
			break
		}
	}
	assert.Len(t, f.srv.Requests(), 1)

	// limit() and skipCount() are refused before any I/O.
	for _, q := range []*rql.Builder{exh.RQL().Limit(5), exh.RQL().SkipCount()} {
		f.srv.ResetRequests()
		var errs []error
		for _, err := range f.client.Tokens.All(ctx, q) {
			errs = append(errs, err)
		}
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], exh.ErrInvalidArgument)
		assert.Empty(t, f.srv.Requests())
	}
}

func TestFlowAllYieldsErrorOnce(t *testing.T) {
	f := setup(t)
	f.srv.AddUser(exhtest.User{Email: "e@example.com", Password: "pw"})
	_, err := f.client.Auth.Authenticate(t.Context(), "e@example.com", "pw")
	require.NoError(t, err)
	f.srv.FailNext("GET", path("/auth/v2/oauth1/tokens"), exhtest.Fault{Status: 400, Body: `{"code":19,"name":"INVALID_RQL_EXCEPTION","message":"bad"}`})
	var errs []error
	for _, err := range f.client.Tokens.All(t.Context(), nil) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], exh.ErrCodeInvalidRQL)
}

func TestFlowRevokeThen108(t *testing.T) {
	f := setup(t)
	f.srv.AddUser(exhtest.User{Email: "r@example.com", Password: "pw"})
	ctx := t.Context()
	_, err := f.client.Auth.Authenticate(ctx, "r@example.com", "pw")
	require.NoError(t, err)
	s := f.client.Auth.Session()
	other := f.newClient(t, f.app)
	_, err = other.Auth.AuthenticateWithToken(ctx, s.Token, s.TokenSecret)
	require.NoError(t, err)

	require.NoError(t, f.client.Auth.RevokeSession(ctx))
	assert.Equal(t, exh.Session{}, f.client.Auth.Session())
	_, err = other.Tokens.Find(ctx, nil)
	assert.ErrorIs(t, err, exh.ErrCodeOAuthToken)
	assert.ErrorIs(t, err, exh.ErrUnauthorized)
}

func TestFlowServerRejections(t *testing.T) {
	f := setup(t)
	f.srv.AddUser(exhtest.User{Email: "x@example.com", Password: "pw"})
	ctx := t.Context()

	wrongSecret := f.newClient(t, exhtest.Application{ConsumerKey: f.app.ConsumerKey, ConsumerSecret: "not-the-secret"})
	_, err := wrongSecret.Auth.Authenticate(ctx, "x@example.com", "pw")
	assert.ErrorIs(t, err, exh.ErrCodeOAuthSignature)

	unknownKey := f.newClient(t, exhtest.Application{ConsumerKey: "unknown", ConsumerSecret: "s"})
	_, err = unknownKey.Auth.Authenticate(ctx, "x@example.com", "pw")
	assert.ErrorIs(t, err, exh.ErrCodeOAuthKey)

	// A replayed request: the same signed request sent twice.
	var replay *http.Request
	capture := exh.WithHTTPClient(&http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		replay = r.Clone(context.Background())
		return f.srv.Client().Transport.RoundTrip(r)
	})})
	c := f.newClient(t, f.app, capture)
	require.NoError(t, c.Auth.Health(ctx))
	resp, err := f.srv.Client().Do(replay)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
	last := f.srv.Requests()[len(f.srv.Requests())-1]
	assert.Equal(t, 110, last.Code)

	// A user call with no session.
	_, err = f.client.Tokens.Find(ctx, nil)
	assert.ErrorIs(t, err, exh.ErrCodeUserNotAuthenticated)
}

func TestFlowRetriesAreResignedAndVerified(t *testing.T) {
	f := setup(t)
	f.srv.AddUser(exhtest.User{Email: "r@example.com", Password: "pw"})
	ctx := t.Context()
	_, err := f.client.Auth.Authenticate(ctx, "r@example.com", "pw")
	require.NoError(t, err)
	f.srv.ResetRequests()
	f.srv.FailNext("GET", path("/auth/v2/oauth1/tokens"), exhtest.Fault{Status: 503, Body: "<html>busy</html>", Times: 2})
	_, err = f.client.Tokens.Find(ctx, nil)
	require.NoError(t, err)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 3)
	nonces := map[string]bool{}
	for _, r := range reqs {
		nonces[r.Nonce] = true
	}
	assert.Len(t, nonces, 3)
	assert.Equal(t, 200, reqs[2].Status, "the re-signed retry verified")

	// The password grant is not retried on a 503.
	f.srv.ResetRequests()
	f.srv.FailNext("POST", path("/auth/v2/oauth1/tokens"), exhtest.Fault{Status: 503, Body: "<html>busy</html>"})
	_, err = f.client.Auth.Authenticate(ctx, "r@example.com", "pw")
	assert.ErrorIs(t, err, exh.ErrServer)
	assert.Len(t, f.srv.Requests(), 1)
}

func TestFlowClockSkewAgainstFake(t *testing.T) {
	f := setup(t)
	f.srv.AddUser(exhtest.User{Email: "c@example.com", Password: "pw"})
	f.srv.SetNow(time.Now().Add(20 * time.Minute))
	ctx := t.Context()
	// The fake answers 109 with its own clock in Date; the client adopts it
	// and retries once, re-signed.
	_, err := f.client.Auth.Authenticate(ctx, "c@example.com", "pw")
	require.NoError(t, err)
	reqs := f.srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, 109, reqs[0].Code)
	assert.Equal(t, 200, reqs[1].Status)
	_, err = f.client.Tokens.Find(ctx, nil)
	require.NoError(t, err, "later calls are signed with the server's clock")
	assert.Len(t, f.srv.Requests(), 3)
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Rows 31 and 32 of the reliability matrix: throttled logins come back typed,
// with their delay, and nothing re-sends a password on its own.
func TestFlowLoginThrottlingNeverResends(t *testing.T) {
	f := setup(t)
	f.srv.AddUser(exhtest.User{Email: "l@example.com", Password: "pw"})
	f.srv.SetLoginRules(exhtest.LoginRules{MinInterval: time.Second, FreezeAfter: 2, FreezeFor: time.Minute, LockAfter: 4})
	ctx := t.Context()
	posts := func() int {
		n := 0
		for _, r := range f.srv.Requests() {
			if r.Method == "POST" && r.Path == path("/auth/v2/oauth1/tokens") {
				n++
			}
		}
		return n
	}

	_, err := f.client.Auth.Authenticate(ctx, "l@example.com", "wrong")
	require.ErrorIs(t, err, exh.ErrCodeAuthentication)
	_, err = f.client.Auth.Authenticate(ctx, "l@example.com", "wrong")
	require.ErrorIs(t, err, exh.ErrCodeLoginTimeout, "too fast")
	var apiErr *exh.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Positive(t, apiErr.RemainingDelay)
	assert.Equal(t, 2, posts(), "one request per call")

	f.srv.Advance(2 * time.Second)
	_, err = f.client.Auth.Authenticate(ctx, "l@example.com", "wrong") // second failure: freeze from now on
	require.ErrorIs(t, err, exh.ErrCodeAuthentication)
	f.srv.Advance(2 * time.Second)
	_, err = f.client.Auth.Authenticate(ctx, "l@example.com", "pw")
	require.ErrorIs(t, err, exh.ErrCodeLoginFreeze)
	assert.ErrorIs(t, err, exh.ErrUnauthorized)
	assert.Equal(t, 4, posts(), "a 401 never triggers a silent re-login")
	assert.Equal(t, exh.Session{}, f.client.Auth.Session())
}
