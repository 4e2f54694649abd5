package exh

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// SSOService hands a session from one application to another with
// single-use SSO tokens: one client generates a token for its user, another
// application's client consumes it and gets its own OAuth1 token for the same
// user.
type SSOService service

// SSOToken is a single-use token to log the same user in to another
// application. SSOToken is a bearer secret: String, GoString, Format,
// LogValue and MarshalJSON redact it. ID only names it.
type SSOToken struct {
	ID                     string
	SSOToken               string
	UserID                 string
	CreatedByApplicationID string
	ExpiryTimestamp        time.Time
	CreationTimestamp      time.Time
	UpdateTimestamp        time.Time
}

// UnmarshalJSON decodes an SSO token as the API writes it, with timestamps
// given as ISO-8601 strings or epoch milliseconds.
func (t *SSOToken) UnmarshalJSON(b []byte) error {
	var wire struct {
		ID                     string    `json:"id"`
		SSOToken               string    `json:"ssoToken"`
		UserID                 string    `json:"userId"`
		CreatedByApplicationID string    `json:"createdByApplicationId"`
		ExpiryTimestamp        timestamp `json:"expiryTimestamp"`
		CreationTimestamp      timestamp `json:"creationTimestamp"`
		UpdateTimestamp        timestamp `json:"updateTimestamp"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		return err
	}
	*t = SSOToken{ID: wire.ID, SSOToken: wire.SSOToken, UserID: wire.UserID,
		CreatedByApplicationID: wire.CreatedByApplicationID, ExpiryTimestamp: wire.ExpiryTimestamp.Time(),
		CreationTimestamp: wire.CreationTimestamp.Time(), UpdateTimestamp: wire.UpdateTimestamp.Time()}
	return nil
}

const (
	ssoGeneratePath = "/auth/v2/oauth1/ssoTokens/generate"
	ssoConsumePath  = "/auth/v2/oauth1/ssoTokens/consume"
)

// Generate creates a single-use SSO token for the session's user (POST
// /auth/v2/oauth1/ssoTokens/generate, signed with the session). It is not
// retried once sent.
func (s *SSOService) Generate(ctx context.Context) (*SSOToken, error) {
	var t SSOToken
	if _, err := s.client.do(ctx, &call{method: "POST", path: ssoGeneratePath, body: struct{}{}, out: &t,
		sensitive: true}); err != nil {
		return nil, err
	}
	if t.SSOToken == "" {
		return nil, &DecodeError{Method: "POST", Path: ssoGeneratePath, StatusCode: 200,
			Err: errors.New("no SSO token in the answer")}
	}
	return &t, nil
}

// Consume exchanges an SSO token made by another application for an OAuth1
// token of this client's application (POST /auth/v2/oauth1/ssoTokens/consume).
// It does not change this client's session: use
// AuthService.AuthenticateWithSSOToken to log in with it. SSO tokens are
// single use, so Consume is never re-sent once it may have reached the server;
// an expired or used token gives ErrCodeResourceUnknown.
func (s *SSOService) Consume(ctx context.Context, ssoToken string) (*Token, error) {
	return s.client.consumeSSO(ctx, ssoToken)
}

// consumeSSO is the SSO token grant, signed like any other call (with the
// session if there is one, the consumer key only otherwise).
func (c *Client) consumeSSO(ctx context.Context, ssoToken string) (*Token, error) {
	if ssoToken == "" {
		return nil, fmt.Errorf("%w: SSO token is required", ErrInvalidArgument)
	}
	body := struct {
		SSOToken string `json:"ssoToken"`
	}{ssoToken}
	return c.grant(ctx, &call{method: "POST", path: ssoConsumePath, body: body, signing: signAny,
		sensitive: true, secrets: []string{ssoToken}})
}
