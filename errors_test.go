package exh

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mockClient returns a client whose requests go to an httpmock transport
// (under the signer), with retries off.
func mockClient(t *testing.T) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	c, err := NewClient(Config{Host: "dev.example.io", ConsumerKey: testKey, ConsumerSecret: testSecret},
		WithHTTPClient(&http.Client{Transport: mt}), WithRetry(NoRetry()))
	require.NoError(t, err)
	return c, mt
}

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
		code        ErrorCode
		errName     string
		is          []error
		delay       time.Duration
		snippet     string
	}{
		{"109 signature", 401, "application/json", `{"code":109,"name":"OAUTH_SIGNATURE_EXCEPTION","message":"bad signature"}`,
			109, "OAUTH_SIGNATURE_EXCEPTION", []error{ErrCodeOAuthSignature, ErrUnauthorized}, 0, ""},
		{"16 unknown", 404, "application/json", `{"code":16,"name":"RESOURCE_UNKNOWN_EXCEPTION","message":"nope"}`,
			16, "RESOURCE_UNKNOWN_EXCEPTION", []error{ErrCodeResourceUnknown, ErrNotFound}, 0, ""},
		{"108 token", 401, "application/json", `{"code":108,"name":"OAUTH_TOKEN_EXCEPTION","message":"x"}`,
			108, "OAUTH_TOKEN_EXCEPTION", []error{ErrCodeOAuthToken, ErrUnauthorized}, 0, ""},
		{"code as string", 401, "application/json", `{"code":"106","message":"x"}`,
			106, "AUTHENTICATION_EXCEPTION", []error{ErrCodeAuthentication, ErrUnauthorized}, 0, ""},
		{"code as float", 400, "application/json", `{"code":130.0,"name":"INVALID_MFA_CODE_EXCEPTION"}`,
			130, "INVALID_MFA_CODE_EXCEPTION", []error{ErrCodeInvalidMfaCode, ErrBadRequest}, 0, ""},
		{"134 delay", 400, "application/json", `{"code":134,"name":"MFA_REATTEMPT_DELAY_EXCEPTION","remainingDelay":1500}`,
			134, "MFA_REATTEMPT_DELAY_EXCEPTION", []error{ErrCodeMfaReattemptDelay, ErrBadRequest}, 1500 * time.Millisecond, ""},
		{"211 delay as string", 401, "application/json", `{"code":211,"remainingDelay":"2000"}`,
			211, "LOGIN_TIMEOUT_EXCEPTION", []error{ErrCodeLoginTimeout, ErrUnauthorized}, 2 * time.Second, ""},
		{"212 negative delay", 401, "application/json", `{"code":212,"remainingDelay":-5}`,
			212, "LOGIN_FREEZE_EXCEPTION", []error{ErrCodeLoginFreeze, ErrUnauthorized}, 0, ""},
		{"213 huge delay", 401, "application/json", `{"code":213,"remainingDelay":1e15}`,
			213, "TOO_MANY_FAILED_ATTEMPTS_EXCEPTION", []error{ErrCodeTooManyFailedAttempts, ErrUnauthorized}, 24 * time.Hour, ""},
		{"unknown code, status decides", 404, "application/json", `{"code":999,"name":"NEW_EXCEPTION","message":"m"}`,
			999, "NEW_EXCEPTION", []error{ErrNotFound}, 0, ""},
		{"15 is a server error as in JS", 400, "application/json", `{"code":15}`,
			15, "FIELD_FORMAT_EXCEPTION", []error{ErrServer}, 0, ""},
		{"103 is a bad request as in JS", 401, "application/json", `{"code":103}`,
			103, "APPLICATION_UNKOWN_EXCEPTION", []error{ErrBadRequest}, 0, ""},
		{"HTML 502", 502, "text/html", `<html><body><h1>502 Bad Gateway</h1></body></html>`,
			0, "", []error{ErrServer}, 0, "<html><body><h1>502 Bad Gateway</h1></body></html>"},
		{"empty 500", 500, "", ``, 0, "", []error{ErrServer}, 0, ""},
		{"JSON header, HTML body", 500, "application/json", `<html>oops</html>`, 0, "", []error{ErrServer}, 0, "<html>oops</html>"},
		{"truncated JSON", 400, "application/json", `{"code":13`, 0, "", []error{ErrBadRequest}, 0, `{"code":13`},
		{"OAuth2 style", 400, "application/json", `{"error":"invalid_grant","description":"bad grant"}`,
			0, "invalid_grant", []error{ErrBadRequest}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := mockClient(t)
			mt.RegisterResponder("GET", "https://api.dev.example.io/thing", func(r *http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(tc.status, tc.body)
				if tc.contentType != "" {
					resp.Header.Set("Content-Type", tc.contentType)
				}
				return resp, nil
			})
			_, err := c.Raw.Get(t.Context(), "/thing?eq(email,secret@example.com)", nil)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Equal(t, tc.errName, apiErr.Name)
			assert.Equal(t, tc.delay, apiErr.RemainingDelay)
			assert.Equal(t, tc.snippet, apiErr.Snippet)
			assert.Equal(t, "GET", apiErr.Method)
			assert.Equal(t, "/thing", apiErr.Path)
			for _, target := range tc.is {
				assert.ErrorIs(t, err, target)
			}
			for _, other := range []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrServer} {
				if !containsErr(tc.is, other) {
					assert.NotErrorIs(t, err, other)
				}
			}
			msg := err.Error()
			assert.NotContains(t, msg, "\n")
			assert.NotContains(t, msg, "secret@example.com", "the query string stays out of errors")
			assert.Contains(t, msg, fmt.Sprint(tc.status))
		})
	}
}

func containsErr(list []error, e error) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

func TestMfaRequiredError(t *testing.T) {
	for _, spelling := range []string{"tokenExpiresIn", "tokenExipresIn"} {
		t.Run(spelling, func(t *testing.T) {
			c, mt := mockClient(t)
			body := `{"code":129,"name":"MFA_REQUIRED_EXCEPTION","message":"Multifactor authentication is required for this user",
				"mfa":{"token":"canary-mfa-token-0123456789","` + spelling + `":900000,
				"methods":[{"id":"656f1ae851c0f5307421eb96","type":"totp","name":"Google Authenticator","tags":["selected"]}]}}`
			mt.RegisterResponder("POST", "https://api.dev.example.io/auth/v2/oauth1/tokens",
				httpmock.NewStringResponder(403, body).HeaderSet(http.Header{"Content-Type": {"application/json"}}))
			_, err := c.Auth.Authenticate(t.Context(), "john@example.com", "canary-password")
			var mfa *MfaRequiredError
			require.ErrorAs(t, err, &mfa)
			assert.ErrorIs(t, err, ErrCodeMfaRequired)
			assert.ErrorIs(t, err, ErrForbidden, "no JS category: the 403 status decides")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 403, apiErr.StatusCode)
			assert.Equal(t, "canary-mfa-token-0123456789", mfa.Challenge.Token)
			assert.Equal(t, 15*time.Minute, mfa.Challenge.ExpiresIn)
			require.Len(t, mfa.Challenge.Methods, 1)
			assert.Equal(t, MfaMethod{ID: "656f1ae851c0f5307421eb96", Type: "totp", Name: "Google Authenticator", Tags: []string{"selected"}}, mfa.Challenge.Methods[0])
			for _, s := range []string{err.Error(), fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err),
				fmt.Sprintf("%v", mfa.Challenge), fmt.Sprintf("%#v", mfa.Challenge), fmt.Sprintf("%+v", mfa)} {
				assert.NotContains(t, s, "canary")
			}
			assert.Equal(t, Session{}, c.Auth.Session(), "no session after a 129")
		})
	}
}

func TestErrorCodeIsError(t *testing.T) {
	assert.Equal(t, "exh: error 106 AUTHENTICATION_EXCEPTION", ErrCodeAuthentication.Error())
	assert.Equal(t, "exh: error 4242", ErrorCode(4242).Error())
	wrapped := fmt.Errorf("login: %w", &APIError{StatusCode: 401, Code: 106})
	assert.ErrorIs(t, wrapped, ErrCodeAuthentication)
	assert.NotErrorIs(t, wrapped, ErrCodeOAuthToken)
	assert.False(t, errors.Is(&APIError{StatusCode: 500}, ErrorCode(0)), "no code never matches")
}

func TestAPIErrorMessageIsOneLineAndBounded(t *testing.T) {
	e := &APIError{StatusCode: 400, Code: 26, Name: "ILLEGAL\nARGUMENT", Message: strings.Repeat("é", 500) + "\r\nnext", Method: "GET", Path: "/x"}
	msg := e.Error()
	assert.NotContains(t, msg, "\n")
	assert.NotContains(t, msg, "\r")
	assert.Less(t, len(msg), 400)
	assert.True(t, strings.HasPrefix(msg, "exh: GET /x: 400 ILLEGAL ARGUMENT (26): "), msg)
}

func TestSnippetBoundedAndValidUTF8(t *testing.T) {
	c, mt := mockClient(t)
	big := strings.Repeat("ü", 600) // 1200 bytes
	mt.RegisterResponder("GET", "https://api.dev.example.io/x", httpmock.NewStringResponder(503, big))
	_, err := c.Raw.Get(t.Context(), "/x", nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Snippet), maxSnippet)
	assert.True(t, strings.HasPrefix(big, strings.TrimSuffix(apiErr.Snippet, "\uFFFD")))
}

func TestSensitiveCallsKeepNoSnippet(t *testing.T) {
	c, mt := mockClient(t)
	mt.RegisterResponder("POST", "https://api.dev.example.io/auth/v2/oauth1/tokens",
		httpmock.NewStringResponder(502, `<html>echo: canary-password</html>`))
	_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "canary-password")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Empty(t, apiErr.Snippet)
	assert.NotContains(t, fmt.Sprintf("%+v", err), "canary")
}

// TestErrorsSayWhatToDo: a delay from the server and an expired presence
// token are spelled out in Error().
func TestErrorsSayWhatToDo(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"code":134,"name":"MFA_REATTEMPT_DELAY_EXCEPTION","message":"wait","remainingDelay":1000}`, "(retry in 1s)"},
		{`{"code":134,"name":"MFA_REATTEMPT_DELAY_EXCEPTION","message":"wait","remainingDelay":4100}`, "(retry in 5s)"},
		{`{"code":211,"name":"LOGIN_TIMEOUT_EXCEPTION","message":"slow down","remainingDelay":"250"}`, "(retry in 1s)"},
		{`{"code":132,"name":"INVALID_PRESENCE_TOKEN_EXCEPTION","message":"expired"}`, "(confirm presence again with AuthService.ConfirmPresence)"},
	} {
		err := newAPIError("POST", "/p", 400, []byte(tc.body), true)
		assert.True(t, strings.HasSuffix(err.Error(), tc.want), "%s: %s", tc.body, err)
	}
	err := newAPIError("POST", "/p", 400, []byte(`{"code":130,"message":"wrong"}`), true)
	assert.True(t, strings.HasSuffix(err.Error(), ": wrong"), "no hint without one to give: %s", err)
}
