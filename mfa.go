package exh

import (
	"context"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// MfaService lets the logged-in user set up multi-factor authentication:
// read the settings, add a TOTP or recovery-codes method, verify it, enable
// or disable MFA, and remove a method (/auth/v2/mfa/users/{userId}).
//
// Every call is signed with the session. A userID of "" means the session's
// user. The changes need a presence token from AuthService.ConfirmPresence;
// presence tokens expire quickly, and an expired one gives an error matching
// ErrCodeInvalidPresenceToken: confirm presence again and retry. Only
// Settings is retried after it may have reached the server.
type MfaService service

// MFA method types.
const (
	MfaTOTP          = "totp"          // a time-based one-time password app (RFC 6238)
	MfaRecoveryCodes = "recoveryCodes" // single-use recovery codes
)

// MfaSettings are a user's MFA settings.
type MfaSettings struct {
	UserID          string
	Enabled         bool
	Methods         []MfaMethod
	UpdateTimestamp time.Time
}

// MfaMethod is one of a user's MFA methods. Secret (a TOTP method's key, as
// the server gives it: 40 hex digits) and Codes (a recovery-codes method's
// codes) come only in AddMethod's answer; both are secrets: String,
// GoString, Format, LogValue and MarshalJSON redact them.
type MfaMethod struct {
	ID                string
	Type              string // MfaTOTP or MfaRecoveryCodes
	Name              string
	Tags              []string
	Verified          bool
	Secret            string
	Codes             []string
	CreationTimestamp time.Time
	UpdateTimestamp   time.Time
}

// UnmarshalJSON decodes a method as the API writes it.
func (m *MfaMethod) UnmarshalJSON(b []byte) error {
	var wire struct {
		ID                string    `json:"id"`
		Type              string    `json:"type"`
		Name              string    `json:"name"`
		Tags              []string  `json:"tags"`
		Verified          bool      `json:"verified"`
		Secret            string    `json:"secret"`
		Codes             []string  `json:"codes"`
		CreationTimestamp timestamp `json:"creationTimestamp"`
		UpdateTimestamp   timestamp `json:"updateTimestamp"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		return err
	}
	*m = MfaMethod{ID: wire.ID, Type: wire.Type, Name: wire.Name, Tags: wire.Tags, Verified: wire.Verified,
		Secret: wire.Secret, Codes: wire.Codes,
		CreationTimestamp: wire.CreationTimestamp.Time(), UpdateTimestamp: wire.UpdateTimestamp.Time()}
	return nil
}

// MfaMethodRequest adds a method. PresenceToken is a secret: String,
// GoString, Format, LogValue and MarshalJSON redact it.
type MfaMethodRequest struct {
	UserID        string // "" for the session's user
	PresenceToken string
	Type          string // MfaTOTP or MfaRecoveryCodes
	Name          string
	Tags          []string
}

// MfaMethodConfirmation verifies a method with a code it produced.
// PresenceToken and Code are secrets: String, GoString, Format, LogValue and
// MarshalJSON redact them.
type MfaMethodConfirmation struct {
	UserID        string // "" for the session's user
	MethodID      string
	PresenceToken string
	Code          string // the code the authenticator app shows now
}

// Settings returns the user's MFA settings (GET /auth/v2/mfa/users/{userId}).
func (s *MfaService) Settings(ctx context.Context, userID string) (*MfaSettings, error) {
	var wire struct {
		ID              string      `json:"id"`
		Enabled         bool        `json:"enabled"`
		Methods         []MfaMethod `json:"methods"`
		UpdateTimestamp timestamp   `json:"updateTimestamp"`
	}
	if err := s.call(ctx, "GET", userID, "", nil, &wire); err != nil {
		return nil, err
	}
	return &MfaSettings{UserID: wire.ID, Enabled: wire.Enabled, Methods: wire.Methods,
		UpdateTimestamp: wire.UpdateTimestamp.Time()}, nil
}

// AddMethod adds an MFA method (POST /auth/v2/mfa/users/{userId}/methods) and
// returns it with its Secret (TOTP) or Codes (recovery codes). A TOTP method
// must then be verified with ConfirmMethod before MFA can be enabled; show
// the user its OTPAuthURL (as a QR code) to set up their app.
func (s *MfaService) AddMethod(ctx context.Context, r MfaMethodRequest) (*MfaMethod, error) {
	if r.Type != MfaTOTP && r.Type != MfaRecoveryCodes {
		return nil, fmt.Errorf("%w: MFA method type must be %q or %q", ErrInvalidArgument, MfaTOTP, MfaRecoveryCodes)
	}
	if r.PresenceToken == "" {
		return nil, fmt.Errorf("%w: presence token is required", ErrInvalidArgument)
	}
	body := struct {
		PresenceToken string   `json:"presenceToken"`
		Type          string   `json:"type"`
		Name          string   `json:"name,omitempty"`
		Tags          []string `json:"tags,omitempty"`
	}{r.PresenceToken, r.Type, r.Name, r.Tags}
	var m MfaMethod
	if err := s.call(ctx, "POST", r.UserID, "/methods", body, &m, r.PresenceToken); err != nil {
		return nil, err
	}
	if m.ID == "" {
		return nil, &DecodeError{Method: "POST", Path: mfaPath + "/{userId}/methods", StatusCode: 200,
			Err: errors.New("no method id in the answer")}
	}
	return &m, nil
}

// ConfirmMethod verifies a method with a code it produced (POST
// …/methods/{methodId}/verification/confirm). A wrong code gives
// ErrCodeInvalidMfaCode; a method that cannot be verified (only TOTP methods
// can) ErrCodeIllegalArgument; an unknown method ErrCodeResourceUnknown.
func (s *MfaService) ConfirmMethod(ctx context.Context, c MfaMethodConfirmation) error {
	if err := checkSegment("MFA method ID", c.MethodID); err != nil {
		return err
	}
	if c.PresenceToken == "" || c.Code == "" {
		return fmt.Errorf("%w: presence token and code are required", ErrInvalidArgument)
	}
	body := struct {
		PresenceToken string `json:"presenceToken"`
		Code          string `json:"code"`
	}{c.PresenceToken, c.Code}
	return s.call(ctx, "POST", c.UserID, "/methods/"+url.PathEscape(c.MethodID)+"/verification/confirm",
		body, nil, c.PresenceToken, c.Code)
}

// Enable turns MFA on (POST …/enable). Without a verified method it fails
// with ErrCodeNotEnoughMfaMethods.
func (s *MfaService) Enable(ctx context.Context, userID, presenceToken string) error {
	return s.presenceCall(ctx, userID, "/enable", presenceToken)
}

// Disable turns MFA off (POST …/disable).
func (s *MfaService) Disable(ctx context.Context, userID, presenceToken string) error {
	return s.presenceCall(ctx, userID, "/disable", presenceToken)
}

// RemoveMethod removes a method (POST …/methods/{methodId}/remove). An
// unknown method gives ErrCodeResourceUnknown.
func (s *MfaService) RemoveMethod(ctx context.Context, userID, methodID, presenceToken string) error {
	if err := checkSegment("MFA method ID", methodID); err != nil {
		return err
	}
	return s.presenceCall(ctx, userID, "/methods/"+url.PathEscape(methodID)+"/remove", presenceToken)
}

const mfaPath = "/auth/v2/mfa/users"

// presenceCall posts {presenceToken} to the user's MFA path plus suffix.
func (s *MfaService) presenceCall(ctx context.Context, userID, suffix, presenceToken string) error {
	if presenceToken == "" {
		return fmt.Errorf("%w: presence token is required", ErrInvalidArgument)
	}
	body := struct {
		PresenceToken string `json:"presenceToken"`
	}{presenceToken}
	return s.call(ctx, "POST", userID, suffix, body, nil, presenceToken)
}

// call sends one MFA call for userID ("" for the session's user), signed
// with the session that the user ID was taken from.
func (s *MfaService) call(ctx context.Context, method, userID, suffix string, body, out any, secrets ...string) error {
	c := s.client
	st, err := c.session(ctx)
	if err != nil {
		return err
	}
	if userID == "" {
		id, err := c.sessionUserID(ctx, st)
		if err != nil {
			return err
		}
		userID = id
	}
	if err := checkSegment("user ID", userID); err != nil {
		return err
	}
	_, err = c.do(ctx, &call{method: method, path: mfaPath + "/" + url.PathEscape(userID) + suffix,
		body: body, out: out, session: st, sensitive: true, secrets: secrets})
	return err
}

// OTPAuthURL returns the otpauth:// URL that authenticator apps read (most
// often from a QR code) to set up a TOTP method: SHA1, 6 digits, 30 seconds,
// the secret in base32 without padding, and the label "issuer:account".
// The secret may be given as the server does (40 hex digits) or in base32.
func (m *MfaMethod) OTPAuthURL(issuer, account string) (string, error) {
	if m.Type != MfaTOTP {
		return "", fmt.Errorf("%w: only a TOTP method has an otpauth URL", ErrInvalidArgument)
	}
	if account == "" || strings.Contains(issuer, ":") || strings.Contains(account, ":") {
		return "", fmt.Errorf("%w: account is required, and neither issuer nor account may contain ':'", ErrInvalidArgument)
	}
	key, err := totpKey(m.Secret)
	if err != nil {
		return "", err
	}
	label := url.PathEscape(account)
	if issuer != "" {
		label = url.PathEscape(issuer) + ":" + label
	}
	q := "secret=" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key)
	if issuer != "" {
		q += "&issuer=" + url.QueryEscape(issuer)
	}
	return "otpauth://totp/" + label + "?" + q + "&algorithm=SHA1&digits=6&period=30", nil
}

// totpKey decodes a TOTP secret: exactly 40 hex digits (the API's form), or
// base32 with or without padding, spaces and case ignored.
func totpKey(secret string) ([]byte, error) {
	if len(secret) == 40 {
		if k, err := hex.DecodeString(secret); err == nil {
			return k, nil
		}
	}
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	k, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(k) == 0 {
		return nil, fmt.Errorf("%w: the TOTP secret is neither 40 hex digits nor base32", ErrInvalidArgument)
	}
	return k, nil
}
