package exh

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/exhgo/exh/oauth1"
)

// AuthService logs users in and manages the client's session.
//
// The grants (Authenticate, ConfirmMfa, AuthenticateWithToken,
// AuthenticateWithSsoToken) install the resulting token on the client: every
// later request is signed with it. None of them is ever re-sent once it may
// have reached the server, so a flaky network cannot burn login attempts.
type AuthService service

// Session is the user session a client signs with. Token and TokenSecret are
// secrets: String, GoString, Format and LogValue redact them; json.Marshal
// writes them, so a Session can be persisted as JSON.
type Session struct {
	Token         string `json:"token"`
	TokenSecret   string `json:"tokenSecret"`
	TokenID       string `json:"tokenId,omitempty"`       // id of the token, for revocation
	UserID        string `json:"userId,omitempty"`        // the logged-in user
	ApplicationID string `json:"applicationId,omitempty"` // the application the token belongs to
}

// sessionState is the immutable value the client swaps atomically: the
// session and the credentials the signer reads from it.
type sessionState struct {
	Session
	creds oauth1.Credentials
}

func (c *Client) newSessionState(s Session) *sessionState {
	creds := c.consumer
	creds.Token, creds.TokenSecret = s.Token, s.TokenSecret
	return &sessionState{Session: s, creds: creds}
}

func sessionFromToken(t *Token) Session {
	return Session{Token: t.Token, TokenSecret: t.TokenSecret, TokenID: t.ID,
		UserID: t.UserID, ApplicationID: t.ApplicationID}
}

// setSession installs next (nil to log out) and tells the OnSessionChange hook.
func (c *Client) setSession(next *sessionState) {
	c.session.Store(next)
	c.notifySession(next)
}

// replaceSession installs next only if old is still current, so that a slow
// call cannot undo a newer login. It reports whether it did.
func (c *Client) replaceSession(old, next *sessionState) bool {
	if !c.session.CompareAndSwap(old, next) {
		return false
	}
	c.notifySession(next)
	return true
}

func (c *Client) notifySession(s *sessionState) {
	if c.opts.onSessionChange == nil {
		return
	}
	if s == nil {
		c.opts.onSessionChange(Session{})
		return
	}
	c.opts.onSessionChange(s.Session)
}

// Authenticate logs a user in with the password grant (POST
// /auth/v2/oauth1/tokens, signed with the consumer key only) and installs the
// token as the client's session.
//
// For an account with multi-factor authentication it returns a
// *MfaRequiredError: pass its challenge to ConfirmMfa. Wrong credentials give
// an error matching ErrCodeAuthentication; login throttling gives
// ErrCodeLoginTimeout, ErrCodeLoginFreeze or ErrCodeTooManyFailedAttempts,
// with APIError.RemainingDelay when the server says how long to wait.
// It is never retried once sent, and concurrent calls with the same email and
// password share one request.
func (s *AuthService) Authenticate(ctx context.Context, email, password string) (*Token, error) {
	if email == "" || password == "" {
		return nil, fmt.Errorf("%w: email and password are required", ErrInvalidArgument)
	}
	body := struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}{email, password}
	key := sha256.Sum256([]byte(email + "\x00" + password))
	return s.client.logins.do(ctx, key, func() (*Token, error) {
		return s.grant(ctx, "/auth/v2/oauth1/tokens", body)
	})
}

// loginGroup lets concurrent password grants with the same credentials
// share one request, so that goroutines racing to log in cannot trip the
// server's login throttling (211) or count as several attempts.
type loginGroup struct {
	mu    sync.Mutex
	calls map[[32]byte]*loginCall
}

type loginCall struct {
	done chan struct{}
	tok  *Token
	err  error
}

// do runs fn once for all callers with the same key at the same time. A
// waiting caller whose ctx ends stops waiting with ctx's error.
func (g *loginGroup) do(ctx context.Context, key [32]byte, fn func() (*Token, error)) (*Token, error) {
	g.mu.Lock()
	if c, ok := g.calls[key]; ok {
		g.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if c.err != nil {
			return nil, c.err
		}
		t := *c.tok
		return &t, nil
	}
	if g.calls == nil {
		g.calls = map[[32]byte]*loginCall{}
	}
	c := &loginCall{done: make(chan struct{})}
	g.calls[key] = c
	g.mu.Unlock()

	c.tok, c.err = fn()
	g.mu.Lock()
	delete(g.calls, key)
	g.mu.Unlock()
	close(c.done)
	if c.err != nil {
		return nil, c.err
	}
	t := *c.tok
	return &t, nil
}

// MfaConfirmation is the second step of an MFA login. Token and Code are
// secrets: String, GoString, Format and LogValue redact them.
type MfaConfirmation struct {
	Token    string `json:"token"`    // MfaRequiredError.Mfa.Token
	MethodID string `json:"methodId"` // the ID of one of MfaRequiredError.Mfa.Methods
	Code     string `json:"code"`     // the code the method gives (a TOTP code or a recovery code)
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
	return s.grant(ctx, "/auth/v2/oauth1/tokens/mfa", m)
}

// grant runs a consumer-signed grant and installs the token it returns.
func (s *AuthService) grant(ctx context.Context, path string, body any) (*Token, error) {
	var t Token
	_, err := s.client.do(ctx, &call{method: "POST", path: path, body: body, out: &t,
		consumerOnly: true, sensitive: true})
	if err != nil {
		return nil, err
	}
	if err := t.check("POST", path); err != nil {
		return nil, err
	}
	s.client.setSession(s.client.newSessionState(sessionFromToken(&t)))
	return &t, nil
}

// TokenOption changes how AuthenticateWithToken works.
type TokenOption func(*tokenOptions)

type tokenOptions struct{ skipCheck bool }

// SkipTokenCheck installs the token without checking it against the server
// (saving one round trip); the user ID stays unknown until UserID is called.
func SkipTokenCheck() TokenOption { return func(o *tokenOptions) { o.skipCheck = true } }

// AuthenticateWithToken resumes a stored session (the token grant). It checks
// the pair with GET /users/v1/me, recording the user ID, and installs it only
// when the check succeeds: a failed check leaves the previous session in place.
func (s *AuthService) AuthenticateWithToken(ctx context.Context, token, tokenSecret string, opts ...TokenOption) (Session, error) {
	if token == "" || tokenSecret == "" {
		return Session{}, fmt.Errorf("%w: token and token secret are required", ErrInvalidArgument)
	}
	var o tokenOptions
	for _, opt := range opts {
		opt(&o)
	}
	next := s.client.newSessionState(Session{Token: token, TokenSecret: tokenSecret})
	if !o.skipCheck {
		me, err := s.me(withSession(ctx, next))
		if err != nil {
			return Session{}, err
		}
		next.UserID = me.ID
	}
	s.client.setSession(next)
	return next.Session, nil
}

// AuthenticateWithSsoToken consumes a single-use SSO token made by another
// application (the SSO token grant, see SSOService.Consume) and installs the
// resulting token as this client's session.
func (s *AuthService) AuthenticateWithSsoToken(ctx context.Context, ssoToken string) (*Token, error) {
	t, err := (*SSOService)(s).Consume(ctx, ssoToken)
	if err != nil {
		return nil, err
	}
	s.client.setSession(s.client.newSessionState(sessionFromToken(t)))
	return t, nil
}

// Session returns a copy of the current session; the zero Session when the
// client is logged out.
func (s *AuthService) Session() Session {
	if st := s.client.session.Load(); st != nil {
		return st.Session
	}
	return Session{}
}

// UserID returns the logged-in user's ID, asking GET /users/v1/me once when
// it is not known yet. Unlike the JavaScript SDK it returns errors instead of
// an empty ID.
func (s *AuthService) UserID(ctx context.Context) (string, error) {
	st := s.client.session.Load()
	if st == nil {
		return "", ErrNotAuthenticated
	}
	if st.UserID != "" {
		return st.UserID, nil
	}
	me, err := s.me(withSession(ctx, st))
	if err != nil {
		return "", err
	}
	next := *st
	next.UserID = me.ID
	s.client.replaceSession(st, &next)
	return me.ID, nil
}

// user is the part of GET /users/v1/me the SDK reads.
type user struct {
	ID string `json:"id"`
}

func (s *AuthService) me(ctx context.Context) (*user, error) {
	var u user
	if _, err := s.client.do(ctx, &call{method: "GET", path: "/users/v1/me", out: &u}); err != nil {
		return nil, err
	}
	if u.ID == "" {
		return nil, &DecodeError{Method: "GET", Path: "/users/v1/me", StatusCode: 200, Err: errors.New("no user id")}
	}
	return &u, nil
}

// Logout forgets the session locally. The token stays valid on the server;
// use RevokeSession to delete it there too.
func (s *AuthService) Logout() {
	s.client.setSession(nil)
}

// RevokeSession deletes the current token on the server (DELETE
// /auth/v2/oauth1/tokens/{id}), then forgets it locally — unless another login
// replaced it in the meantime.
func (s *AuthService) RevokeSession(ctx context.Context) error {
	st := s.client.session.Load()
	if st == nil {
		return ErrNotAuthenticated
	}
	id := st.TokenID
	if id == "" {
		t, err := (*TokensService)(s).FindFirst(withSession(ctx, st), RQL().Eq("token", st.Token))
		if err != nil {
			return err
		}
		if t == nil {
			return fmt.Errorf("%w: the current token is not listed by the server", ErrNotFound)
		}
		id = t.ID
	}
	if _, err := (*TokensService)(s).Remove(withSession(ctx, st), id); err != nil {
		return err
	}
	s.client.replaceSession(st, nil)
	return nil
}

// PresenceToken proves that the user just confirmed their password (needed to
// change MFA settings). Token is a secret: String, GoString, Format and
// LogValue redact it; json.Marshal writes it.
type PresenceToken struct {
	Token             string
	ExpiryTimestamp   time.Time
	CreationTimestamp time.Time
	UpdateTimestamp   time.Time
}

// ConfirmPresence asks for a presence token with the user's password (POST
// /auth/v2/confirmPresence, signed with the session). It is never retried once sent.
func (s *AuthService) ConfirmPresence(ctx context.Context, password string) (*PresenceToken, error) {
	if password == "" {
		return nil, fmt.Errorf("%w: password is required", ErrInvalidArgument)
	}
	if !s.client.hasSession(ctx) {
		return nil, ErrNotAuthenticated
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
	const path = "/auth/v2/confirmPresence"
	if _, err := s.client.do(ctx, &call{method: "POST", path: path, body: body, out: &wire, sensitive: true}); err != nil {
		return nil, err
	}
	if wire.Token == "" {
		return nil, &DecodeError{Method: "POST", Path: path, StatusCode: 200, Err: errors.New("no presence token")}
	}
	return &PresenceToken{Token: wire.Token, ExpiryTimestamp: wire.ExpiryTimestamp.Time(),
		CreationTimestamp: wire.CreationTimestamp.Time(), UpdateTimestamp: wire.UpdateTimestamp.Time()}, nil
}

// Health checks that the auth service is up (GET /auth/v2/health): nil on a
// 2xx answer, an error otherwise.
func (s *AuthService) Health(ctx context.Context) error {
	_, err := s.client.do(ctx, &call{method: "GET", path: "/auth/v2/health"})
	return err
}

// sessionKey carries an explicit session for one call: the token check of a
// pair that is not installed yet, or calls that must use the session they
// started with.
type sessionKey struct{}

func withSession(ctx context.Context, st *sessionState) context.Context {
	return context.WithValue(ctx, sessionKey{}, st)
}

func sessionFrom(ctx context.Context) *sessionState {
	st, _ := ctx.Value(sessionKey{}).(*sessionState)
	return st
}

// hasSession reports whether a call made with ctx will be signed with a user
// token: the call's own session or the client's.
func (c *Client) hasSession(ctx context.Context) bool {
	return sessionFrom(ctx) != nil || c.session.Load() != nil
}

func (s Session) fields() []field {
	return []field{
		{"Token", s.Token, true},
		{"TokenSecret", s.TokenSecret, true},
		{"TokenID", s.TokenID, false},
		{"UserID", s.UserID, false},
		{"ApplicationID", s.ApplicationID, false},
	}
}

// String prints the session with its token and secret redacted.
func (s Session) String() string { return redactedString("Session", s.fields()) }

// GoString prints the session with its token and secret redacted.
func (s Session) GoString() string { return redactedString("exh.Session", s.fields()) }

// Format makes every fmt verb print the redacted form.
func (s Session) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s.String(), s.GoString()) }

// LogValue makes slog print the redacted form.
func (s Session) LogValue() slog.Value { return logGroup(s.fields()) }

func (m MfaConfirmation) fields() []field {
	return []field{{"Token", m.Token, true}, {"MethodID", m.MethodID, false}, {"Code", m.Code, true}}
}

// String prints the confirmation with its token and code redacted.
func (m MfaConfirmation) String() string { return redactedString("MfaConfirmation", m.fields()) }

// GoString prints the confirmation with its token and code redacted.
func (m MfaConfirmation) GoString() string { return redactedString("exh.MfaConfirmation", m.fields()) }

// Format makes every fmt verb print the redacted form.
func (m MfaConfirmation) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, m.String(), m.GoString())
}

// LogValue makes slog print the redacted form.
func (m MfaConfirmation) LogValue() slog.Value { return logGroup(m.fields()) }

func (p PresenceToken) fields() []field {
	return []field{
		{"Token", p.Token, true},
		{"ExpiryTimestamp", p.ExpiryTimestamp.Format(time.RFC3339), false},
	}
}

// String prints the presence token redacted.
func (p PresenceToken) String() string { return redactedString("PresenceToken", p.fields()) }

// GoString prints the presence token redacted.
func (p PresenceToken) GoString() string { return redactedString("exh.PresenceToken", p.fields()) }

// Format makes every fmt verb print the redacted form.
func (p PresenceToken) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, p.String(), p.GoString())
}

// LogValue makes slog print the redacted form.
func (p PresenceToken) LogValue() slog.Value { return logGroup(p.fields()) }
