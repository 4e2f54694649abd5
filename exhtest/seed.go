package exhtest

import (
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Application is an OAuth1 application (one application version) known to
// the server. Requests signed with its consumer key and secret are
// accepted.
type Application struct {
	ID             string // 24-hex ObjectId
	Name           string
	ConsumerKey    string // Hex40
	ConsumerSecret string // Hex40
}

// MfaMethod is one MFA method of a user.
type MfaMethod struct {
	ID   string // 24-hex ObjectId
	Type string // "totp" or "recoveryCodes"
	Name string
	Tags []string
	// Secret is the TOTP secret; compute codes with TOTP. Only for "totp".
	// AddUser generates it in base32 (RFC 4648, no padding), the form
	// authenticator apps take; methods added through POST
	// /auth/v2/mfa/users/{userId}/methods get 40 hex digits instead, as the
	// service's OpenAPI types it. The fake accepts codes of either form.
	Secret string
	// Codes are the recovery codes; each can be used once. Only for
	// "recoveryCodes".
	Codes []string
}

// User is a user account. A user seeded with Mfa methods has MFA enabled,
// and its TOTP methods are verified: the password grant asks for MFA. The
// MFA settings endpoints change this later.
type User struct {
	ID        string // 24-hex ObjectId
	Email     string // matched case-insensitively by the password grant
	Password  string
	FirstName string
	LastName  string
	Mfa       []MfaMethod
}

// Token is an OAuth1 token (the "token" and "tokenSecret" a user signs
// with) issued to a user for one application.
//
// Its timestamps follow the server clock:
//   - CreationTimestamp is when the token was issued and never changes;
//   - LastUsedTimestamp is zero (and "lastUsedTimestamp" left out of the
//     token's JSON) until a request signed with the token passes the OAuth1
//     checks (signature, timestamp window, nonce); every such request sets
//     it to its arrival time, whatever the endpoint answers then;
//   - UpdateTimestamp is when the token record last changed: the issue,
//     then every use, since each use writes LastUsedTimestamp.
type Token struct {
	ID                string // 24-hex ObjectId
	UserID            string
	ApplicationID     string
	Token             string // Hex40, the oauth_token
	TokenSecret       string // Hex40
	CreationTimestamp time.Time
	UpdateTimestamp   time.Time
	LastUsedTimestamp time.Time
}

// userRecord is a user as stored: the seeded User (without its Mfa, which
// lives in mfa) plus its creation time.
type userRecord struct {
	User
	created time.Time
	mfa     *mfaSettings // nil until seeded or first used
}

// AddApplication registers an OAuth1 application and returns it. Zero
// fields are generated: ID (ObjectId), Name ("app-" and 6 hex digits),
// ConsumerKey and ConsumerSecret (Hex40). Registering a consumer key again
// replaces the earlier application of that key.
func (s *Server) AddApplication(a Application) Application {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.ID == "" {
		a.ID = s.objectID()
	}
	if a.Name == "" {
		a.Name = "app-" + s.randomHex(3)
	}
	if a.ConsumerKey == "" {
		a.ConsumerKey = s.hex40()
	}
	if a.ConsumerSecret == "" {
		a.ConsumerSecret = s.hex40()
	}
	stored := a
	s.appsByKey[a.ConsumerKey] = &stored
	return a
}

// AddUser registers a user and returns it with its zero fields generated:
// ID (ObjectId), Email ("user-" and 8 hex digits "@example.com"), Password
// (16 hex digits), FirstName "Test", LastName "User". For each MFA method:
// ID (ObjectId); Type "recoveryCodes" when Codes are given, else "totp";
// Name "Google Authenticator" or "Recovery Codes"; Tags empty; a TOTP
// Secret (20 random bytes in base32); ten 8-character recovery Codes.
// With methods, the user's MFA is enabled and the TOTP methods verified.
// Emails should be unique; with duplicates the first user added wins.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = s.objectID()
	}
	if u.Email == "" {
		u.Email = "user-" + s.randomHex(4) + "@example.com"
	}
	if u.Password == "" {
		u.Password = s.randomHex(8)
	}
	if u.FirstName == "" {
		u.FirstName = "Test"
	}
	if u.LastName == "" {
		u.LastName = "User"
	}
	now := s.now()
	rec := &userRecord{created: now}
	base32Secret := func() string {
		return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(s.randomBytes(20))
	}
	methods := make([]MfaMethod, len(u.Mfa))
	for i, m := range u.Mfa {
		if m.ID == "" {
			m.ID = s.objectID()
		}
		if m.Type == "" {
			m.Type = typeTOTP
			if len(m.Codes) > 0 {
				m.Type = typeRecoveryCodes
			}
		}
		m.Tags = append([]string{}, m.Tags...)
		s.fillMethod(&m, base32Secret)
		m.Codes = append([]string(nil), m.Codes...)
		methods[i] = m
		if rec.mfa == nil {
			rec.mfa = &mfaSettings{enabled: true, updated: now}
		}
		stored := &mfaMethodRecord{MfaMethod: m, verified: m.Type == typeTOTP, created: now, updated: now}
		stored.Tags, stored.Codes = append([]string{}, m.Tags...), append([]string(nil), m.Codes...)
		rec.mfa.methods = append(rec.mfa.methods, stored)
	}
	u.Mfa = methods
	rec.User = copyUser(u)
	rec.User.Mfa = nil
	s.users = append(s.users, rec)
	return copyUser(u)
}

func copyUser(u User) User {
	methods := make([]MfaMethod, len(u.Mfa))
	for i, m := range u.Mfa {
		m.Tags = append([]string{}, m.Tags...)
		m.Codes = append([]string(nil), m.Codes...)
		methods[i] = m
	}
	if u.Mfa == nil {
		methods = nil
	}
	u.Mfa = methods
	return u
}

// AddToken issues a new OAuth1 token for the user with ID userID and the
// application with consumerKey, as if the user had logged in, and returns
// it. It panics if the user or the consumer key is unknown, since that is
// a mistake in the test.
func (s *Server) AddToken(userID, consumerKey string) Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	app := s.appsByKey[consumerKey]
	if app == nil {
		panic(fmt.Sprintf("exhtest: AddToken: unknown consumer key %q", consumerKey))
	}
	if s.userByID(userID) == nil {
		panic(fmt.Sprintf("exhtest: AddToken: unknown user ID %q", userID))
	}
	return *s.issueToken(userID, app.ID)
}

// Tokens returns a copy of the current (not revoked) tokens in creation
// order.
func (s *Server) Tokens() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Token, len(s.tokens))
	for i, t := range s.tokens {
		out[i] = *t
	}
	return out
}

// issueToken creates and stores a token. The caller holds s.mu.
func (s *Server) issueToken(userID, appID string) *Token {
	now := s.now()
	t := &Token{
		ID:                s.objectID(),
		UserID:            userID,
		ApplicationID:     appID,
		Token:             s.hex40(),
		TokenSecret:       s.hex40(),
		CreationTimestamp: now,
		UpdateTimestamp:   now,
	}
	s.tokens = append(s.tokens, t)
	s.tokensByTok[t.Token] = t
	return t
}

// revokeToken removes t from the store. The caller holds s.mu.
func (s *Server) revokeToken(t *Token) {
	delete(s.tokensByTok, t.Token)
	for i, cur := range s.tokens {
		if cur == t {
			s.tokens = append(s.tokens[:i], s.tokens[i+1:]...)
			break
		}
	}
}

func (s *Server) userByID(id string) *userRecord {
	for _, u := range s.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (s *Server) userByEmail(email string) *userRecord {
	for _, u := range s.users {
		if strings.EqualFold(u.Email, email) {
			return u
		}
	}
	return nil
}

// Random material, all from the seeded source. The caller holds s.mu.

func (s *Server) randomBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(s.rng.Uint32())
	}
	return b
}

func (s *Server) randomHex(nBytes int) string { return hex.EncodeToString(s.randomBytes(nBytes)) }

// objectID is a 24-hex MongoDB-style ObjectId.
func (s *Server) objectID() string { return s.randomHex(12) }

// hex40 is a 40-hex token or secret.
func (s *Server) hex40() string { return s.randomHex(20) }

func (s *Server) recoveryCode() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, 8)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}
