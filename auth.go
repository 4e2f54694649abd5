package exh

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AuthService logs users in and manages the client's session.
//
// The grants (Authenticate, ConfirmMfa, AuthenticateWithToken,
// AuthenticateWithSSOToken) install the resulting token on the client: every
// later request is signed with it. None of them is ever re-sent once it may
// have reached the server, so a flaky network cannot burn login attempts.
type AuthService service

const (
	passwordGrantPath = "/auth/v2/oauth1/tokens"
	mfaGrantPath      = "/auth/v2/oauth1/tokens/mfa"
	mePath            = "/users/v1/me"
	presencePath      = "/auth/v2/confirmPresence"
)

// Authenticate logs a user in with the password grant (POST
// /auth/v2/oauth1/tokens, signed with the consumer key only) and installs the
// token as the client's session.
//
// For an account with multi-factor authentication it returns a
// *MfaRequiredError: pass its Challenge to ConfirmMfa. Wrong credentials give
// an error matching ErrCodeAuthentication; login throttling gives
// ErrCodeLoginTimeout, ErrCodeLoginFreeze or ErrCodeTooManyFailedAttempts,
// with APIError.RemainingDelay when the server says how long to wait.
//
// It is never retried once sent. Concurrent calls with the same email and
// password share one request; each caller still waits only as long as its
// own ctx allows.
func (s *AuthService) Authenticate(ctx context.Context, email, password string) (*Token, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if email == "" || password == "" {
		return nil, fmt.Errorf("%w: email and password are required", ErrInvalidArgument)
	}
	body := struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}{email, password}
	c := s.client
	login := func(ctx context.Context) (*Token, error) {
		return c.grant(ctx, &call{method: "POST", path: passwordGrantPath, body: body,
			signing: signConsumerOnly, sensitive: true, secrets: []string{password}})
	}
	return c.logins.do(ctx, loginKey(email, password), login, c.installToken)
}

// MfaConfirmation is the second step of an MFA login. Token and Code are
// secrets: String, GoString, Format, LogValue and MarshalJSON redact them.
type MfaConfirmation struct {
	Token    string // MfaRequiredError.Challenge.Token
	MethodID string // the ID of one of MfaRequiredError.Challenge.Methods
	Code     string // the code the method gives (a TOTP code or a recovery code)
}

// ConfirmMfa finishes an MFA login with the MFA grant (POST
// /auth/v2/oauth1/tokens/mfa, signed with the consumer key only) and installs
// the token as the client's session.
//
// A wrong code gives ErrCodeInvalidMfaCode; an expired or unknown MFA token
// ErrCodeInvalidMfaToken; trying again too soon ErrCodeMfaReattemptDelay with
// APIError.RemainingDelay; an unknown method ErrCodeResourceUnknown.
// It is never retried once sent.
func (s *AuthService) ConfirmMfa(ctx context.Context, m MfaConfirmation) (*Token, error) {
	if m.Token == "" || m.MethodID == "" || m.Code == "" {
		return nil, fmt.Errorf("%w: MFA token, method ID and code are required", ErrInvalidArgument)
	}
	body := struct {
		Token    string `json:"token"`
		MethodID string `json:"methodId"`
		Code     string `json:"code"`
	}{m.Token, m.MethodID, m.Code}
	t, err := s.client.grant(ctx, &call{method: "POST", path: mfaGrantPath, body: body,
		signing: signConsumerOnly, sensitive: true, secrets: []string{m.Token, m.Code}})
	if err != nil {
		return nil, err
	}
	s.client.installToken(t)
	return t, nil
}

// AuthenticateWithToken resumes a stored session (the token grant). It checks
// the pair with GET /users/v1/me and installs it only when the check
// succeeds: a failed check leaves the previous session in place. The Token
// it returns holds the pair and the user's ID. To resume without a network
// call, give the pair in Config instead.
func (s *AuthService) AuthenticateWithToken(ctx context.Context, token, tokenSecret string) (*Token, error) {
	if token == "" || tokenSecret == "" {
		return nil, fmt.Errorf("%w: token and token secret are required", ErrInvalidArgument)
	}
	next := s.client.sessions.state(Session{Token: token, TokenSecret: tokenSecret})
	id, err := s.client.me(ctx, next)
	if err != nil {
		return nil, err
	}
	next.UserID = id
	s.client.sessions.install(next)
	return &Token{Token: token, TokenSecret: tokenSecret, UserID: id}, nil
}

// AuthenticateWithSSOToken consumes a single-use SSO token made by another
// application (the SSO token grant, see SSOService.Consume) and installs the
// resulting token as this client's session. It is never re-sent once it may
// have reached the server.
func (s *AuthService) AuthenticateWithSSOToken(ctx context.Context, ssoToken string) (*Token, error) {
	t, err := s.client.consumeSSO(ctx, ssoToken)
	if err != nil {
		return nil, err
	}
	s.client.installToken(t)
	return t, nil
}

// Session returns a copy of the current session; the zero Session when the
// client is logged out.
func (s *AuthService) Session() Session {
	if st := s.client.sessions.load(); st != nil {
		return st.Session
	}
	return Session{}
}

// UserID returns the logged-in user's ID, asking GET /users/v1/me once when
// it is not known yet (a session resumed from Config). Unlike the JavaScript
// SDK it returns errors instead of an empty ID.
func (s *AuthService) UserID(ctx context.Context) (string, error) {
	st, err := s.client.session(ctx)
	if err != nil {
		return "", err
	}
	return s.client.sessionUserID(ctx, st)
}

// Logout forgets the session locally. The token stays valid on the server;
// use RevokeSession to delete it there too.
func (s *AuthService) Logout() {
	s.client.sessions.install(nil)
}

// RevokeSession deletes the current token on the server (DELETE
// /auth/v2/oauth1/tokens/{id}), then forgets it locally — unless another login
// replaced it in the meantime.
func (s *AuthService) RevokeSession(ctx context.Context) error {
	c := s.client
	st, err := c.session(ctx)
	if err != nil {
		return err
	}
	id := st.TokenID
	if id == "" {
		t, err := c.findFirstToken(ctx, st, RQL().Eq("token", st.Token).Build())
		if err != nil {
			return err
		}
		id = t.ID
	}
	if err := c.removeToken(ctx, st, id); err != nil {
		return err
	}
	c.sessions.replace(st, nil)
	return nil
}

// PresenceToken proves that the user just confirmed their password; the MFA
// set-up calls of MfaService need it. Token is a secret: String, GoString,
// Format, LogValue and MarshalJSON redact it.
type PresenceToken struct {
	Token             string
	ExpiryTimestamp   time.Time
	CreationTimestamp time.Time
	UpdateTimestamp   time.Time
}

// ConfirmPresence asks for a presence token with the user's password (POST
// /auth/v2/confirmPresence, signed with the session). It is never retried once
// sent.
func (s *AuthService) ConfirmPresence(ctx context.Context, password string) (*PresenceToken, error) {
	if password == "" {
		return nil, fmt.Errorf("%w: password is required", ErrInvalidArgument)
	}
	var wire struct {
		Token             string    `json:"token"`
		ExpiryTimestamp   timestamp `json:"expiryTimestamp"`
		CreationTimestamp timestamp `json:"creationTimestamp"`
		UpdateTimestamp   timestamp `json:"updateTimestamp"`
	}
	body := struct {
		Password string `json:"password"`
	}{password}
	if _, err := s.client.do(ctx, &call{method: "POST", path: presencePath, body: body, out: &wire,
		sensitive: true, secrets: []string{password}}); err != nil {
		return nil, err
	}
	if wire.Token == "" {
		return nil, &DecodeError{Method: "POST", Path: presencePath, StatusCode: 200, Err: errors.New("no presence token")}
	}
	return &PresenceToken{Token: wire.Token, ExpiryTimestamp: wire.ExpiryTimestamp.Time(),
		CreationTimestamp: wire.CreationTimestamp.Time(), UpdateTimestamp: wire.UpdateTimestamp.Time()}, nil
}

// Health checks that the auth service is up (GET /auth/v2/health): nil on a
// 2xx answer, an error otherwise. It is signed with the session if there is
// one, with the consumer key only otherwise.
func (s *AuthService) Health(ctx context.Context) error {
	_, err := s.client.do(ctx, &call{method: "GET", path: "/auth/v2/health", signing: signAny})
	return err
}

// grant runs a grant call and returns its checked token, not installed.
func (c *Client) grant(ctx context.Context, k *call) (*Token, error) {
	var t Token
	k.out = &t
	if _, err := c.do(ctx, k); err != nil {
		return nil, err
	}
	if t.Token == "" || t.TokenSecret == "" {
		return nil, &DecodeError{Method: k.method, Path: pathOnly(k.path), StatusCode: 200,
			Err: errors.New("no token in the answer")}
	}
	return &t, nil
}

// installToken makes t the client's session.
func (c *Client) installToken(t *Token) {
	c.sessions.install(c.sessions.state(sessionFromToken(t)))
}

// session returns the current session for a call that needs one, after
// checking ctx: both before any I/O.
func (c *Client) session(ctx context.Context) (*sessionState, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if st := c.sessions.load(); st != nil {
		return st, nil
	}
	return nil, ErrNotAuthenticated
}

// sessionUserID returns st's user ID, asking the server once when the
// client has not seen it yet, and records it in the session.
func (c *Client) sessionUserID(ctx context.Context, st *sessionState) (string, error) {
	if st.UserID != "" {
		return st.UserID, nil
	}
	id, err := c.me(ctx, st)
	if err != nil {
		return "", err
	}
	next := *st
	next.UserID = id
	c.sessions.replace(st, &next)
	return id, nil
}

// me asks GET /users/v1/me, signed with st, for the user's ID.
func (c *Client) me(ctx context.Context, st *sessionState) (string, error) {
	var u struct {
		ID string `json:"id"`
	}
	if _, err := c.do(ctx, &call{method: "GET", path: mePath, out: &u, session: st}); err != nil {
		return "", err
	}
	if u.ID == "" {
		return "", &DecodeError{Method: "GET", Path: mePath, StatusCode: 200, Err: errors.New("no user id")}
	}
	return u.ID, nil
}

// checkContext rejects a nil ctx before any I/O.
func checkContext(ctx context.Context) error {
	if ctx == nil {
		return fmt.Errorf("%w: nil context", ErrInvalidArgument)
	}
	return nil
}
