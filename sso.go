package exh

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// SSOService hands a session from one application to another with
// single-use SSO tokens: one client generates a token for its user, another
// application's client consumes it and gets its own OAuth1 token for the same
// user.
type SSOService service

// SSOToken is a single-use token to log the same user in to another
// application. SSOToken is a bearer secret: String, GoString, Format and
// LogValue redact it; json.Marshal writes it.
type SSOToken struct {
	ID                     string    `json:"id"`
	SSOToken               string    `json:"ssoToken"`
	UserID                 string    `json:"userId"`
	CreatedByApplicationID string    `json:"createdByApplicationId"`
	ExpiryTimestamp        time.Time `json:"expiryTimestamp"`
	CreationTimestamp      time.Time `json:"creationTimestamp"`
	UpdateTimestamp        time.Time `json:"updateTimestamp"`
}

// UnmarshalJSON decodes an SSO token, with timestamps given as ISO-8601
// strings or epoch milliseconds.
func (t *SSOToken) UnmarshalJSON(b []byte) error {
	type plain SSOToken
	var wire struct {
		plain
		ExpiryTimestamp   timestamp `json:"expiryTimestamp"`
		CreationTimestamp timestamp `json:"creationTimestamp"`
		UpdateTimestamp   timestamp `json:"updateTimestamp"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		return err
	}
	*t = SSOToken(wire.plain)
	t.ExpiryTimestamp = wire.ExpiryTimestamp.Time()
	t.CreationTimestamp = wire.CreationTimestamp.Time()
	t.UpdateTimestamp = wire.UpdateTimestamp.Time()
	return nil
}

// Generate creates a single-use SSO token for the session's user (POST
// /auth/v2/oauth1/ssoTokens/generate, signed with the session). It is not
// retried once sent.
func (s *SSOService) Generate(ctx context.Context) (*SSOToken, error) {
	if !s.client.hasSession(ctx) {
		return nil, ErrNotAuthenticated
	}
	var t SSOToken
	const path = "/auth/v2/oauth1/ssoTokens/generate"
	if _, err := s.client.do(ctx, &call{method: "POST", path: path, body: struct{}{}, out: &t, sensitive: true}); err != nil {
		return nil, err
	}
	if t.SSOToken == "" {
		return nil, &DecodeError{Method: "POST", Path: path, StatusCode: 200, Err: fmt.Errorf("no SSO token in the answer")}
	}
	return &t, nil
}

// Consume exchanges an SSO token made by another application for an OAuth1
// token of this client's application (POST /auth/v2/oauth1/ssoTokens/consume).
// It does not change this client's session: use
// AuthService.AuthenticateWithSsoToken to log in with it. SSO tokens are
// single use, so Consume is never re-sent once it may have reached the server;
// an expired or used token gives ErrCodeResourceUnknown.
func (s *SSOService) Consume(ctx context.Context, ssoToken string) (*Token, error) {
	if ssoToken == "" {
		return nil, fmt.Errorf("%w: SSO token is required", ErrInvalidArgument)
	}
	body := struct {
		SSOToken string `json:"ssoToken"`
	}{ssoToken}
	const path = "/auth/v2/oauth1/ssoTokens/consume"
	var t Token
	if _, err := s.client.do(ctx, &call{method: "POST", path: path, body: body, out: &t, sensitive: true}); err != nil {
		return nil, err
	}
	if err := t.check("POST", path); err != nil {
		return nil, err
	}
	return &t, nil
}

func (t SSOToken) fields() []field {
	return []field{
		{"ID", t.ID, false},
		{"SSOToken", t.SSOToken, true},
		{"UserID", t.UserID, false},
		{"CreatedByApplicationID", t.CreatedByApplicationID, false},
		{"ExpiryTimestamp", t.ExpiryTimestamp.Format(time.RFC3339), false},
	}
}

// String prints the SSO token redacted.
func (t SSOToken) String() string { return redactedString("SSOToken", t.fields()) }

// GoString prints the SSO token redacted.
func (t SSOToken) GoString() string { return redactedString("exh.SSOToken", t.fields()) }

// Format makes every fmt verb print the redacted form.
func (t SSOToken) Format(f fmt.State, verb rune) { formatRedacted(f, verb, t.String(), t.GoString()) }

// LogValue makes slog print the redacted form.
func (t SSOToken) LogValue() slog.Value { return logGroup(t.fields()) }
