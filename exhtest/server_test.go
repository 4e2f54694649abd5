package exhtest

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	pathLogin = "/auth/v2/oauth1/tokens"
	pathMFA   = "/auth/v2/oauth1/tokens/mfa"
)

func TestPasswordGrantThenMe(t *testing.T) {
	f := newFixture(t)
	res := f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "John@Example.com", "password": "S3cret!"})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	require.Equal(t, "application/json", res.Header.Get("Content-Type"))
	m := res.JSON(t)
	require.ElementsMatch(t, []string{"id", "userId", "applicationId", "token", "tokenSecret", "creationTimestamp", "updateTimestamp"}, keysOf(m))
	require.Equal(t, f.user.ID, m["userId"])
	require.Equal(t, f.app.ID, m["applicationId"])
	require.Regexp(t, "^[0-9a-f]{24}$", m["id"])
	require.Regexp(t, "^[0-9a-f]{40}$", m["token"])
	require.Regexp(t, "^[0-9a-f]{40}$", m["tokenSecret"])
	require.Equal(t, "2023-12-05T12:43:20.751Z", m["creationTimestamp"])
	require.Equal(t, "2023-12-05T12:43:20.751Z", m["updateTimestamp"])

	tok := tokenFromJSON(t, res)
	require.Equal(t, []Token{tok}, f.srv.Tokens())

	me := f.c.withToken(tok).do(http.MethodGet, "/users/v1/me", nil)
	require.Equal(t, http.StatusOK, me.Status, "body: %s", me.Body)
	require.JSONEq(t, fmt.Sprintf(`{"id":%q,"email":"john@example.com","firstName":"John","lastName":"Doe",
		"language":"EN","timeZone":"Europe/Brussels","activation":true,"roles":[],
		"creationTimestamp":"2023-12-05T12:43:20.751Z","updateTimestamp":"2023-12-05T12:43:20.751Z"}`, f.user.ID), string(me.Body))

	// An oauth_token on the password grant is verified but otherwise ignored.
	again := f.c.withToken(tok).do(http.MethodPost, pathLogin, map[string]string{"email": "john@example.com", "password": "S3cret!"})
	require.Equal(t, http.StatusOK, again.Status)
	require.Len(t, f.srv.Tokens(), 2)
}

func keysOf(m map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func TestPasswordGrantErrors(t *testing.T) {
	f := newFixture(t)
	requireError(t, f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "john@example.com", "password": "wrong"}),
		401, 106, "AUTHENTICATION_EXCEPTION")
	res := f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "nobody@example.com", "password": "S3cret!"})
	m := requireError(t, res, 401, 106, "AUTHENTICATION_EXCEPTION")
	require.Equal(t, "This password email combination is unknown", m["message"])
	requireError(t, f.c.do(http.MethodPost, pathLogin, `{"email":`), 400, 22, "BODY_FORMAT_EXCEPTION")
	requireError(t, f.c.do(http.MethodPost, pathLogin, `[1,2]`), 400, 22, "BODY_FORMAT_EXCEPTION")
	requireError(t, f.c.do(http.MethodPost, pathLogin, map[string]any{"email": "john@example.com", "password": 5}), 400, 22, "BODY_FORMAT_EXCEPTION")
	requireError(t, f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "john@example.com"}), 400, 14, "MISSING_REQUIRED_FIELDS_EXCEPTION")
	requireError(t, f.c.do(http.MethodPost, pathLogin, nil), 400, 14, "MISSING_REQUIRED_FIELDS_EXCEPTION")
	require.Empty(t, f.srv.Tokens())
}

// mfaFixture adds a user with a TOTP method and a recovery-codes method.
func mfaFixture(t *testing.T, opts ...Option) (*fixture, User) {
	f := newFixture(t, opts...)
	u := f.srv.AddUser(User{
		Email:    "mfa@example.com",
		Password: "pw",
		Mfa: []MfaMethod{
			{Type: "totp", Tags: []string{"selected"}},
			{Type: "recoveryCodes", Codes: []string{"QPF2SBQJ", "VK3DKNGM"}},
		},
	})
	return f, u
}

// wrongTOTP returns a 6-digit code that is not valid around now.
func wrongTOTP(secret string, now time.Time) string {
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		valid[TOTP(secret, now.Add(d))] = true
	}
	for i := 0; ; i++ {
		code := fmt.Sprintf("%06d", i)
		if !valid[code] {
			return code
		}
	}
}

func TestMfaFlowTOTP(t *testing.T) {
	f, u := mfaFixture(t)
	totp := u.Mfa[0]
	require.Equal(t, "totp", totp.Type)
	require.Equal(t, "Google Authenticator", totp.Name)
	require.Regexp(t, "^[A-Z2-7]{32}$", totp.Secret)

	res := f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "mfa@example.com", "password": "pw"})
	m := requireError(t, res, 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")
	require.Equal(t, "Multifactor authentication is required for this user", m["message"])
	mfa := m["mfa"].(map[string]any)
	require.ElementsMatch(t, []string{"token", "tokenExpiresIn", "methods"}, keysOf(mfa))
	require.Regexp(t, "^[0-9a-f]{40}$", mfa["token"])
	require.Equal(t, float64(900000), mfa["tokenExpiresIn"])
	methods := mfa["methods"].([]any)
	require.Len(t, methods, 2)
	first := methods[0].(map[string]any)
	require.ElementsMatch(t, []string{"id", "type", "name", "tags"}, keysOf(first))
	require.Equal(t, map[string]any{"id": totp.ID, "type": "totp", "name": "Google Authenticator", "tags": []any{"selected"}}, first)
	second := methods[1].(map[string]any)
	require.Equal(t, map[string]any{"id": u.Mfa[1].ID, "type": "recoveryCodes", "name": "Recovery Codes", "tags": []any{}}, second)
	require.Empty(t, f.srv.Tokens(), "no token before the MFA grant")

	mfaToken := mfa["token"].(string)
	grant := func(code string) result {
		return f.c.do(http.MethodPost, pathMFA, map[string]string{"token": mfaToken, "methodId": totp.ID, "code": code})
	}
	requireError(t, grant(wrongTOTP(totp.Secret, f.srv.Now())), 400, 130, "INVALID_MFA_CODE_EXCEPTION")

	// Right away, even the right code is refused: the delay after one failure is 1 s.
	f.srv.Advance(400 * time.Millisecond)
	m = requireError(t, grant(TOTP(totp.Secret, f.srv.Now())), 400, 134, "MFA_REATTEMPT_DELAY_EXCEPTION", "remainingDelay")
	require.Equal(t, float64(600), m["remainingDelay"])

	f.srv.Advance(600 * time.Millisecond)
	res = grant(TOTP(totp.Secret, f.srv.Now()))
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	tok := tokenFromJSON(t, res)
	require.Equal(t, u.ID, tok.UserID)
	require.Equal(t, f.app.ID, tok.ApplicationID)

	// The MFA token is used up.
	requireError(t, grant(TOTP(totp.Secret, f.srv.Now())), 400, 131, "INVALID_MFA_TOKEN_EXCEPTION")
}

func TestMfaTOTPWindowAndDelays(t *testing.T) {
	f, u := mfaFixture(t)
	totp := u.Mfa[0]
	challenge := func() string {
		res := f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "mfa@example.com", "password": "pw"})
		return requireError(t, res, 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")["mfa"].(map[string]any)["token"].(string)
	}
	grant := func(tok, code string) result {
		return f.c.do(http.MethodPost, pathMFA, map[string]string{"token": tok, "methodId": totp.ID, "code": code})
	}

	// The previous and next 30 s steps are accepted, two steps away is not.
	for _, d := range []time.Duration{-30 * time.Second, 30 * time.Second} {
		res := grant(challenge(), TOTP(totp.Secret, f.srv.Now().Add(d)))
		require.Equal(t, http.StatusOK, res.Status, "offset %v: %s", d, res.Body)
	}
	tok := challenge()
	requireError(t, grant(tok, TOTP(totp.Secret, f.srv.Now().Add(-90*time.Second))), 400, 130, "INVALID_MFA_CODE_EXCEPTION")

	// The delay after the n-th consecutive failure follows the schedule:
	// about 1 s at first, 5 s at the 5th, 30 s from the 10th on.
	for _, wantDelay := range []int{1500, 2000, 3000, 5000, 7000, 10000, 15000, 20000, 30000, 30000, 30000} {
		wrong := wrongTOTP(totp.Secret, f.srv.Now())
		m := requireError(t, grant(tok, wrong), 400, 134, "MFA_REATTEMPT_DELAY_EXCEPTION", "remainingDelay")
		prev := int(m["remainingDelay"].(float64))
		f.srv.Advance(time.Duration(prev) * time.Millisecond)
		wrong = wrongTOTP(totp.Secret, f.srv.Now())
		requireError(t, grant(tok, wrong), 400, 130, "INVALID_MFA_CODE_EXCEPTION")
		m = requireError(t, grant(tok, wrong), 400, 134, "MFA_REATTEMPT_DELAY_EXCEPTION", "remainingDelay")
		require.Equal(t, float64(wantDelay), m["remainingDelay"])
	}

	// A 0 base disables 134.
	g, u2 := mfaFixture(t, WithMfaReattemptDelay(0))
	res := g.c.do(http.MethodPost, pathLogin, map[string]string{"email": "mfa@example.com", "password": "pw"})
	tok2 := requireError(t, res, 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")["mfa"].(map[string]any)["token"].(string)
	for range 3 {
		res := g.c.do(http.MethodPost, pathMFA, map[string]string{"token": tok2, "methodId": u2.Mfa[0].ID, "code": wrongTOTP(u2.Mfa[0].Secret, g.srv.Now())})
		requireError(t, res, 400, 130, "INVALID_MFA_CODE_EXCEPTION")
	}
}

// TestMfaReattemptSchedule checks the delay schedule scaled down by
// WithMfaReattemptDelay, that it holds at its last step, and that a
// successful MFA grant starts it over.
func TestMfaReattemptSchedule(t *testing.T) {
	f, u := mfaFixture(t, WithMfaReattemptDelay(10*time.Millisecond))
	totp := u.Mfa[0]
	res := f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "mfa@example.com", "password": "pw"})
	tok := requireError(t, res, 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")["mfa"].(map[string]any)["token"].(string)
	grant := func(code string) result {
		return f.c.do(http.MethodPost, pathMFA, map[string]string{"token": tok, "methodId": totp.ID, "code": code})
	}
	// failAndWait fails once and returns the delay that follows, after
	// checking that the right code is refused until it is over.
	failAndWait := func() float64 {
		requireError(t, grant(wrongTOTP(totp.Secret, f.srv.Now())), 400, 130, "INVALID_MFA_CODE_EXCEPTION")
		m := requireError(t, grant(TOTP(totp.Secret, f.srv.Now())), 400, 134, "MFA_REATTEMPT_DELAY_EXCEPTION", "remainingDelay")
		delay := m["remainingDelay"].(float64)
		f.srv.Advance(time.Duration(delay-1) * time.Millisecond)
		m = requireError(t, grant(TOTP(totp.Secret, f.srv.Now())), 400, 134, "MFA_REATTEMPT_DELAY_EXCEPTION", "remainingDelay")
		require.Equal(t, float64(1), m["remainingDelay"])
		f.srv.Advance(time.Millisecond)
		return delay
	}
	var got []float64
	for range 12 {
		got = append(got, failAndWait())
	}
	require.Equal(t, []float64{10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 300, 300}, got)

	res = grant(TOTP(totp.Secret, f.srv.Now()))
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	res = f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "mfa@example.com", "password": "pw"})
	tok = requireError(t, res, 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")["mfa"].(map[string]any)["token"].(string)
	require.Equal(t, float64(10), failAndWait(), "a successful grant starts the schedule over")
}

func TestMfaRecoveryCodeSingleUse(t *testing.T) {
	f, u := mfaFixture(t, WithMfaReattemptDelay(0))
	rc := u.Mfa[1]
	require.Equal(t, "recoveryCodes", rc.Type)
	login := func() string {
		res := f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "mfa@example.com", "password": "pw"})
		return requireError(t, res, 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")["mfa"].(map[string]any)["token"].(string)
	}
	grant := func(tok, code string) result {
		return f.c.do(http.MethodPost, pathMFA, map[string]string{"token": tok, "methodId": rc.ID, "code": code})
	}
	res := grant(login(), "QPF2SBQJ")
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	tok := login()
	requireError(t, grant(tok, "QPF2SBQJ"), 400, 130, "INVALID_MFA_CODE_EXCEPTION")
	// The TOTP code is not a recovery code.
	requireError(t, grant(tok, TOTP(u.Mfa[0].Secret, f.srv.Now())), 400, 130, "INVALID_MFA_CODE_EXCEPTION")
	res = grant(tok, "VK3DKNGM")
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)

	// Generated recovery codes.
	g := f.srv.AddUser(User{Mfa: []MfaMethod{{Type: "recoveryCodes"}}})
	require.Len(t, g.Mfa[0].Codes, 10)
	for _, c := range g.Mfa[0].Codes {
		require.Regexp(t, "^[A-Z2-7]{8}$", c)
	}
}

func TestMfaTokenErrors(t *testing.T) {
	f, u := mfaFixture(t)
	login := func() string {
		res := f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "mfa@example.com", "password": "pw"})
		return requireError(t, res, 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")["mfa"].(map[string]any)["token"].(string)
	}
	code := func() string { return TOTP(u.Mfa[0].Secret, f.srv.Now()) }
	grant := func(c *client, tok, method string) result {
		return c.do(http.MethodPost, pathMFA, map[string]string{"token": tok, "methodId": method, "code": code()})
	}
	requireError(t, grant(f.c, strings.Repeat("ab", 20), u.Mfa[0].ID), 400, 131, "INVALID_MFA_TOKEN_EXCEPTION")
	tok := login()
	requireError(t, grant(f.c, tok, "000000000000000000000000"), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	// Another user's method is unknown for this user.
	other := f.srv.AddUser(User{Mfa: []MfaMethod{{}}})
	requireError(t, grant(f.c, tok, other.Mfa[0].ID), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	// Another application cannot use the MFA token.
	app2 := f.srv.AddApplication(Application{})
	c2 := newClient(t, f.srv, creds{ConsumerKey: app2.ConsumerKey, ConsumerSecret: app2.ConsumerSecret})
	requireError(t, grant(c2, tok, u.Mfa[0].ID), 400, 131, "INVALID_MFA_TOKEN_EXCEPTION")
	// Expired after 15 minutes.
	f.srv.Advance(15 * time.Minute)
	requireError(t, grant(f.c, tok, u.Mfa[0].ID), 400, 131, "INVALID_MFA_TOKEN_EXCEPTION")
	requireError(t, f.c.do(http.MethodPost, pathMFA, map[string]string{"token": tok}), 400, 14, "MISSING_REQUIRED_FIELDS_EXCEPTION")
}

func TestTokenListPaging(t *testing.T) {
	f := newFixture(t)
	var seeded []Token
	for range 120 {
		seeded = append(seeded, f.srv.AddToken(f.user.ID, f.app.ConsumerKey))
		f.srv.Advance(time.Second)
	}
	other := f.srv.AddUser(User{})
	otherTok := f.srv.AddToken(other.ID, f.app.ConsumerKey)
	c := f.c.withToken(seeded[0])

	type page struct {
		Page map[string]any   `json:"page"`
		Data []map[string]any `json:"data"`
	}
	list := func(query string) page {
		t.Helper()
		res := c.do(http.MethodGet, pathLogin+query, nil)
		require.Equal(t, http.StatusOK, res.Status, "query %s: %s", query, res.Body)
		m := res.JSON(t)
		require.ElementsMatch(t, []string{"page", "data"}, keysOf(m))
		var p page
		p.Page = m["page"].(map[string]any)
		for _, d := range m["data"].([]any) {
			p.Data = append(p.Data, d.(map[string]any))
		}
		return p
	}

	p := list("")
	require.Equal(t, map[string]any{"total": float64(120), "offset": float64(0), "limit": float64(20)}, p.Page)
	require.Len(t, p.Data, 20)
	require.Equal(t, seeded[0].ID, p.Data[0]["id"])
	require.Equal(t, seeded[19].ID, p.Data[19]["id"])

	p = list("?limit(50,100)")
	require.Equal(t, map[string]any{"total": float64(120), "offset": float64(100), "limit": float64(50)}, p.Page)
	require.Len(t, p.Data, 20)
	require.Equal(t, seeded[100].ID, p.Data[0]["id"])
	require.Equal(t, seeded[119].ID, p.Data[19]["id"])

	p = list("?limit(100)")
	require.Equal(t, float64(50), p.Page["limit"], "limit is capped at 50")
	require.Len(t, p.Data, 50)

	p = list("?limit(10,115)&skipCount()")
	require.Equal(t, map[string]any{"offset": float64(115), "limit": float64(10)}, p.Page)
	require.Len(t, p.Data, 5)

	// eq with a double-encoded value, as the JS SDK's RQL builder sends it.
	p = list("?eq(id," + seeded[7].ID + ")")
	require.Len(t, p.Data, 1)
	require.Equal(t, seeded[7].Token, p.Data[0]["token"])
	id := seeded[7].ID
	p = list(fmt.Sprintf("?eq(id,%%25%02X%s)", id[0], id[1:]))
	require.Len(t, p.Data, 1, "a double-encoded value is decoded twice")
	require.Equal(t, id, p.Data[0]["id"])
	p = list("?eq(token,%2520" + seeded[7].Token + ")")
	require.Empty(t, p.Data, "the value decodes to a leading space")
	p = list("?eq(userId," + other.ID + ")")
	require.Empty(t, p.Data, "only the caller's own tokens")
	p = list("?eq(token," + otherTok.Token + ")")
	require.Empty(t, p.Data)
	p = list("?or(eq(id," + seeded[3].ID + "),eq(id," + seeded[5].ID + "))&sort(-creationTimestamp)")
	require.Len(t, p.Data, 2)
	require.Equal(t, seeded[5].ID, p.Data[0]["id"])
	require.Equal(t, float64(2), p.Page["total"])

	p = list("?select(token,applicationId)&limit(1)")
	require.Equal(t, map[string]any{"id": seeded[0].ID, "token": seeded[0].Token, "applicationId": f.app.ID}, p.Data[0])

	p = list("?sort(-creationTimestamp)&limit(2)")
	require.Equal(t, seeded[119].ID, p.Data[0]["id"])

	for _, bad := range []string{"?limit(abc)", "?eq(id)", "?nonsense", "?eq(id,x", "?limit(-1)", "?eq(id,%25ZZ)", "?frobnicate(a,b)"} {
		requireError(t, c.do(http.MethodGet, pathLogin+bad, nil), 400, 19, "INVALID_RQL_EXCEPTION")
	}
	requireError(t, f.c.do(http.MethodGet, pathLogin, nil), 401, 104, "USER_NOT_AUTHENTICATED_EXCEPTION")
}

func TestDeleteToken(t *testing.T) {
	f := newFixture(t)
	tok := f.c.login("john@example.com", "S3cret!")
	keep := f.c.login("john@example.com", "S3cret!")
	other := f.srv.AddToken(f.srv.AddUser(User{}).ID, f.app.ConsumerKey)
	c := f.c.withToken(keep)

	requireError(t, c.do(http.MethodDelete, pathLogin+"/"+other.ID, nil), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	requireError(t, c.do(http.MethodDelete, pathLogin+"/656f1ae833190297b20641d0", nil), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	res := c.do(http.MethodDelete, pathLogin+"/"+tok.ID, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	require.JSONEq(t, `{"affectedRecords":1}`, string(res.Body))
	requireError(t, c.do(http.MethodDelete, pathLogin+"/"+tok.ID, nil), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")

	requireError(t, f.c.withToken(tok).do(http.MethodGet, "/users/v1/me", nil), 401, 108, "OAUTH_TOKEN_EXCEPTION")
	keep.LastUsedTimestamp = fixedNow // it signed the deletes
	require.Equal(t, []Token{keep, other}, f.srv.Tokens())
	requireError(t, f.c.do(http.MethodDelete, pathLogin+"/"+keep.ID, nil), 401, 104, "USER_NOT_AUTHENTICATED_EXCEPTION")
}

func TestSSO(t *testing.T) {
	f := newFixture(t, WithSSOTokenTTL(time.Minute))
	tok := f.c.login("john@example.com", "S3cret!")
	app2 := f.srv.AddApplication(Application{})
	c2 := newClient(t, f.srv, creds{ConsumerKey: app2.ConsumerKey, ConsumerSecret: app2.ConsumerSecret})

	res := f.c.withToken(tok).do(http.MethodPost, "/auth/v2/oauth1/ssoTokens/generate", map[string]string{})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	m := res.JSON(t)
	require.ElementsMatch(t, []string{"id", "ssoToken", "userId", "createdByApplicationId", "expiryTimestamp", "creationTimestamp", "updateTimestamp"}, keysOf(m))
	require.Regexp(t, "^[0-9a-f]{40}$", m["ssoToken"])
	require.Equal(t, f.user.ID, m["userId"])
	require.Equal(t, f.app.ID, m["createdByApplicationId"])
	require.Equal(t, "2023-12-05T12:44:20.751Z", m["expiryTimestamp"])
	sso := m["ssoToken"].(string)

	res = c2.do(http.MethodPost, "/auth/v2/oauth1/ssoTokens/consume", map[string]string{"ssoToken": sso})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	tok2 := tokenFromJSON(t, res)
	require.Equal(t, f.user.ID, tok2.UserID)
	require.Equal(t, app2.ID, tok2.ApplicationID)

	me := c2.withToken(tok2).do(http.MethodGet, "/users/v1/me", nil)
	require.Equal(t, http.StatusOK, me.Status)
	require.Equal(t, f.user.ID, me.JSON(t)["id"])
	// The new token belongs to app2 only.
	requireError(t, f.c.withToken(tok2).do(http.MethodGet, "/users/v1/me", nil), 401, 108, "OAUTH_TOKEN_EXCEPTION")

	m = requireError(t, c2.do(http.MethodPost, "/auth/v2/oauth1/ssoTokens/consume", map[string]string{"ssoToken": sso}), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	require.Equal(t, "The specified token is expired", m["message"])

	// Expiry.
	res = f.c.withToken(tok).do(http.MethodPost, "/auth/v2/oauth1/ssoTokens/generate", nil)
	sso = res.JSON(t)["ssoToken"].(string)
	f.srv.Advance(time.Minute)
	requireError(t, c2.do(http.MethodPost, "/auth/v2/oauth1/ssoTokens/consume", map[string]string{"ssoToken": sso}), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	requireError(t, c2.do(http.MethodPost, "/auth/v2/oauth1/ssoTokens/consume", map[string]string{}), 400, 14, "MISSING_REQUIRED_FIELDS_EXCEPTION")
	requireError(t, f.c.do(http.MethodPost, "/auth/v2/oauth1/ssoTokens/generate", nil), 401, 104, "USER_NOT_AUTHENTICATED_EXCEPTION")
}

func TestConfirmPresence(t *testing.T) {
	f := newFixture(t)
	c := f.c.withToken(f.c.login("john@example.com", "S3cret!"))
	res := c.do(http.MethodPost, "/auth/v2/confirmPresence", map[string]string{"password": "S3cret!"})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	m := res.JSON(t)
	require.ElementsMatch(t, []string{"token", "expiryTimestamp", "creationTimestamp"}, keysOf(m))
	require.Regexp(t, "^[0-9a-f]{40}$", m["token"])
	require.Equal(t, "2023-12-05T12:43:20.751Z", m["creationTimestamp"])
	requireError(t, c.do(http.MethodPost, "/auth/v2/confirmPresence", map[string]string{"password": "nope"}), 401, 106, "AUTHENTICATION_EXCEPTION")
	requireError(t, c.do(http.MethodPost, "/auth/v2/confirmPresence", nil), 400, 14, "MISSING_REQUIRED_FIELDS_EXCEPTION")
	requireError(t, f.c.do(http.MethodPost, "/auth/v2/confirmPresence", map[string]string{"password": "S3cret!"}), 401, 104, "USER_NOT_AUTHENTICATED_EXCEPTION")
}

func TestSignatureChecks(t *testing.T) {
	f := newFixture(t)
	tok := f.c.login("john@example.com", "S3cret!")
	app2 := f.srv.AddApplication(Application{})
	user := f.c.withToken(tok)

	t.Run("wrong consumer secret", func(t *testing.T) {
		c := newClient(t, f.srv, creds{ConsumerKey: f.app.ConsumerKey, ConsumerSecret: "wrong"})
		requireError(t, c.do(http.MethodGet, "/auth/v2/health", nil), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
	})
	t.Run("wrong token secret", func(t *testing.T) {
		c := f.c.withToken(Token{Token: tok.Token, TokenSecret: "wrong"})
		requireError(t, c.do(http.MethodGet, "/users/v1/me", nil), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
	})
	t.Run("unknown consumer key", func(t *testing.T) {
		c := newClient(t, f.srv, creds{ConsumerKey: "unknown", ConsumerSecret: f.app.ConsumerSecret})
		m := requireError(t, c.do(http.MethodGet, "/auth/v2/health", nil), 401, 107, "OAUTH_KEY_EXCEPTION")
		require.Equal(t, "The consumer key is unknown", m["message"])
	})
	t.Run("unknown token", func(t *testing.T) {
		c := f.c.withToken(Token{Token: "unknown", TokenSecret: tok.TokenSecret})
		requireError(t, c.do(http.MethodGet, "/users/v1/me", nil), 401, 108, "OAUTH_TOKEN_EXCEPTION")
	})
	t.Run("token of another application", func(t *testing.T) {
		c := newClient(t, f.srv, creds{ConsumerKey: app2.ConsumerKey, ConsumerSecret: app2.ConsumerSecret, Token: tok.Token, TokenSecret: tok.TokenSecret})
		requireError(t, c.do(http.MethodGet, "/users/v1/me", nil), 401, 108, "OAUTH_TOKEN_EXCEPTION")
	})
	t.Run("query not signed as sent", func(t *testing.T) {
		req := user.request(http.MethodGet, pathLogin+"?limit(5)", nil)
		req.URL.RawQuery = "limit(6)"
		requireError(t, send(t, f.srv.Client(), req), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
	})
	t.Run("oauth query parameters are overwritten by the header", func(t *testing.T) {
		req := user.request(http.MethodGet, "/users/v1/me?oauth_nonce=evil", nil)
		require.Equal(t, http.StatusOK, send(t, f.srv.Client(), req).Status)
	})
	t.Run("timestamp 10 minutes off", func(t *testing.T) {
		for _, d := range []time.Duration{-10 * time.Minute, 10 * time.Minute} {
			c := *user
			c.at = func() time.Time { return f.srv.Now().Add(d) }
			requireError(t, c.do(http.MethodGet, "/users/v1/me", nil), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
		}
		c := *user
		c.at = func() time.Time { return f.srv.Now().Add(4 * time.Minute) }
		require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/users/v1/me", nil).Status, "inside the window")
	})
	t.Run("replay", func(t *testing.T) {
		req := user.request(http.MethodGet, "/users/v1/me", nil)
		again := req.Clone(req.Context())
		require.Equal(t, http.StatusOK, send(t, f.srv.Client(), req).Status)
		m := requireError(t, send(t, f.srv.Client(), again), 401, 110, "DUPLICATE_REQUEST_EXCEPTION")
		require.Equal(t, "A request with identical parameters was already received", m["message"])
	})
	t.Run("malformed headers", func(t *testing.T) {
		good := user.request(http.MethodGet, "/users/v1/me", nil).Header.Get("Authorization")
		for _, h := range []string{
			"",
			"Basic Zm9vOmJhcg==",
			strings.Replace(good, `oauth_signature_method="HMAC-SHA1"`, `oauth_signature_method="HMAC-SHA256"`, 1),
			strings.Replace(good, `oauth_version="1.0"`, `oauth_version="2.0"`, 1),
			strings.Replace(good, `oauth_nonce=`, `oauth_nonsense=`, 1),
		} {
			req := user.request(http.MethodGet, "/users/v1/me", nil)
			req.Header.Set("Authorization", h)
			requireError(t, send(t, f.srv.Client(), req), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
		}
	})
	t.Run("window option", func(t *testing.T) {
		g := newFixture(t, WithTimestampWindow(time.Minute))
		c := *g.c
		c.at = func() time.Time { return g.srv.Now().Add(-2 * time.Minute) }
		requireError(t, c.do(http.MethodGet, "/auth/v2/health", nil), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
	})
}

func TestNonceStorePruning(t *testing.T) {
	f := newFixture(t)
	for range noncePruneEvery {
		require.Equal(t, http.StatusOK, f.c.do(http.MethodGet, "/auth/v2/health", nil).Status)
		f.srv.Advance(time.Second)
	}
	f.srv.mu.Lock()
	stored := len(f.srv.nonces)
	f.srv.mu.Unlock()
	// After 1024 requests one second apart only those of the last 5 minutes remain.
	require.LessOrEqual(t, stored, 302)
	require.Greater(t, stored, 0)
}

func TestHealthAndUnknownRoutes(t *testing.T) {
	f := newFixture(t)
	res := f.c.do(http.MethodGet, "/auth/v2/health", nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Empty(t, res.Body)
	tok := f.c.login("john@example.com", "S3cret!")
	require.Equal(t, http.StatusOK, f.c.withToken(tok).do(http.MethodGet, "/auth/v2/health", nil).Status)

	// Unknown routes and wrong methods: 404/16 without a signature check.
	for _, r := range []struct{ method, path string }{
		{http.MethodGet, "/nope"},
		{http.MethodGet, "/auth/v2/oauth1/tokens/"},
		{http.MethodPut, pathLogin},
		{http.MethodGet, pathMFA},
		{http.MethodPost, "/auth/v2/health"},
		{http.MethodDelete, pathLogin + "/a/b"},
	} {
		req, err := http.NewRequest(r.method, f.srv.URL+r.path, nil)
		require.NoError(t, err)
		m := requireError(t, send(t, f.srv.Client(), req), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
		require.Equal(t, "Requested resource is unknown", m["message"])
	}
	// A known route without a signature is 109.
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/auth/v2/health", nil)
	require.NoError(t, err)
	requireError(t, send(t, f.srv.Client(), req), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
}

func TestLoginRules(t *testing.T) {
	f := newFixture(t)
	login := func(password string) result {
		return f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "john@example.com", "password": password})
	}

	f.srv.SetLoginRules(LoginRules{MinInterval: 2 * time.Second})
	require.Equal(t, http.StatusOK, login("S3cret!").Status)
	f.srv.Advance(500 * time.Millisecond)
	m := requireError(t, login("S3cret!"), 401, 211, "LOGIN_TIMEOUT_EXCEPTION", "remainingDelay")
	require.Equal(t, float64(1500), m["remainingDelay"])
	// Another email is not affected.
	requireError(t, f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "x@example.com", "password": "p"}), 401, 106, "AUTHENTICATION_EXCEPTION")
	f.srv.Advance(1500 * time.Millisecond)
	require.Equal(t, http.StatusOK, login("S3cret!").Status)

	f.srv.SetLoginRules(LoginRules{FreezeAfter: 2, FreezeFor: time.Minute, LockAfter: 5})
	requireError(t, login("bad"), 401, 106, "AUTHENTICATION_EXCEPTION")
	requireError(t, login("bad"), 401, 106, "AUTHENTICATION_EXCEPTION")
	f.srv.Advance(20 * time.Second)
	m = requireError(t, login("S3cret!"), 401, 212, "LOGIN_FREEZE_EXCEPTION", "remainingDelay")
	require.Equal(t, float64(40000), m["remainingDelay"])
	f.srv.Advance(40 * time.Second)
	requireError(t, login("bad"), 401, 106, "AUTHENTICATION_EXCEPTION")
	requireError(t, login("bad"), 401, 106, "AUTHENTICATION_EXCEPTION")
	f.srv.Advance(time.Minute)
	requireError(t, login("bad"), 401, 106, "AUTHENTICATION_EXCEPTION")
	m = requireError(t, login("S3cret!"), 401, 213, "TOO_MANY_FAILED_ATTEMPTS_EXCEPTION")
	require.Equal(t, "Account is locked due to too many failed login attempts", m["message"])
	f.srv.Advance(24 * time.Hour)
	requireError(t, login("S3cret!"), 401, 213, "TOO_MANY_FAILED_ATTEMPTS_EXCEPTION")

	// A correct password resets the count.
	f.srv.SetLoginRules(LoginRules{LockAfter: 2})
	requireError(t, login("bad"), 401, 106, "AUTHENTICATION_EXCEPTION")
	require.Equal(t, http.StatusOK, login("S3cret!").Status)
	requireError(t, login("bad"), 401, 106, "AUTHENTICATION_EXCEPTION")
	require.Equal(t, http.StatusOK, login("S3cret!").Status)
}

func TestRequestsRecordedAndScrubbed(t *testing.T) {
	f := newFixture(t)
	const canary = "canary-P4ssw0rd-7f3a"
	u := f.srv.AddUser(User{Email: "canary@example.com", Password: canary, Mfa: []MfaMethod{{}}})
	res := f.c.do(http.MethodPost, pathLogin, map[string]string{"email": "canary@example.com", "password": canary})
	mfaToken := requireError(t, res, 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")["mfa"].(map[string]any)["token"].(string)
	code := TOTP(u.Mfa[0].Secret, f.srv.Now())
	res = f.c.do(http.MethodPost, pathMFA, map[string]string{"token": mfaToken, "methodId": u.Mfa[0].ID, "code": code})
	require.Equal(t, http.StatusOK, res.Status)
	tok := tokenFromJSON(t, res)
	f.c.withToken(tok).do(http.MethodPost, "/auth/v2/confirmPresence", map[string]string{"password": canary})
	f.c.do(http.MethodPost, pathLogin, `{"password":"`+canary+`"`) // not JSON
	f.c.do(http.MethodPost, pathLogin, map[string]any{"nested": map[string]any{"tokenSecret": canary, "list": []any{map[string]string{"ssoToken": canary}}}})
	f.c.withToken(tok).do(http.MethodGet, pathLogin+"?limit(5)", nil)

	reqs := f.srv.Requests()
	require.Len(t, reqs, 6)
	for _, r := range reqs {
		for _, s := range []string{canary, mfaToken, tok.TokenSecret} {
			require.NotContains(t, fmt.Sprintf("%+v", r), s)
		}
		require.NotContains(t, r.Body, code)
	}
	require.Equal(t, Request{
		Method: "POST", Path: pathLogin, Status: 403, Code: 129,
		ConsumerKey: f.app.ConsumerKey, Nonce: reqs[0].Nonce, Timestamp: fixedNow.Unix(),
		Body: `{"email":"canary@example.com","password":"REDACTED"}`,
	}, reqs[0])
	require.Regexp(t, "^testnonce[0-9]{23}$", reqs[0].Nonce)
	require.Equal(t, `{"code":"REDACTED","methodId":"`+u.Mfa[0].ID+`","token":"REDACTED"}`, reqs[1].Body)
	require.Equal(t, 200, reqs[1].Status)
	require.Equal(t, tok.Token, reqs[2].Token)
	require.Equal(t, "REDACTED", reqs[3].Body)
	require.Equal(t, 400, reqs[3].Status)
	require.Equal(t, 22, reqs[3].Code)
	require.Equal(t, `{"nested":{"list":[{"ssoToken":"REDACTED"}],"tokenSecret":"REDACTED"}}`, reqs[4].Body)
	require.Equal(t, "limit(5)", reqs[5].Query)
	require.Equal(t, "", reqs[5].Body)

	f.srv.ResetRequests()
	require.Empty(t, f.srv.Requests())
}

func TestConcurrentSignedRequests(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	app := srv.AddApplication(Application{})
	user := srv.AddUser(User{})
	tok := srv.AddToken(user.ID, app.ConsumerKey)
	c := newClient(t, srv, creds{app.ConsumerKey, app.ConsumerSecret, tok.Token, tok.TokenSecret})
	hc := srv.Client()

	const workers, perWorker = 16, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				path := "/users/v1/me"
				if i%5 == 0 {
					path = pathLogin + "?limit(" + strconv.Itoa(w+1) + ")"
				}
				req := c.request(http.MethodGet, path, nil)
				resp, err := hc.Do(req)
				if err != nil {
					errs <- err
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("worker %d request %d: status %d", w, i, resp.StatusCode)
				}
			}
		}()
	}
	// Seeding and inspection run concurrently with the requests.
	for range 20 {
		srv.AddToken(user.ID, app.ConsumerKey)
		_ = srv.Tokens()
		_ = srv.Requests()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, workers*perWorker)
	nonces := map[string]bool{}
	for _, r := range reqs {
		require.Equal(t, 200, r.Status)
		nonces[r.Nonce] = true
	}
	require.Len(t, nonces, workers*perWorker)
}

func TestSeedDeterminism(t *testing.T) {
	seeded := func(opts ...Option) (Application, User, Token) {
		srv := NewServer(opts...)
		defer srv.Close()
		app := srv.AddApplication(Application{})
		user := srv.AddUser(User{Mfa: []MfaMethod{{}}})
		tok := srv.AddToken(user.ID, app.ConsumerKey)
		tok.CreationTimestamp, tok.UpdateTimestamp = time.Time{}, time.Time{}
		return app, user, tok
	}
	a1, u1, t1 := seeded(WithSeed(7))
	a2, u2, t2 := seeded(WithSeed(7))
	require.Equal(t, a1, a2)
	require.Equal(t, u1, u2)
	require.Equal(t, t1, t2)
	a3, _, _ := seeded(WithSeed(8))
	require.NotEqual(t, a1.ConsumerKey, a3.ConsumerKey)

	// Without WithSeed every server has values of its own, also unlike those
	// of WithSeed(n) for the n its default seed is derived from.
	a4, u4, t4 := seeded()
	n := unseededServers.Load()
	a5, u5, t5 := seeded()
	require.NotEqual(t, a4.ConsumerKey, a5.ConsumerKey)
	require.NotEqual(t, a4.ID, a5.ID)
	require.NotEqual(t, u4.ID, u5.ID)
	require.NotEqual(t, t4.Token, t5.Token)
	a6, _, _ := seeded(WithSeed(n))
	require.NotEqual(t, a4.ConsumerKey, a6.ConsumerKey)

	require.Regexp(t, "^[0-9a-f]{24}$", a1.ID)
	require.Regexp(t, "^[0-9a-f]{40}$", a1.ConsumerKey)
	require.Regexp(t, "^[0-9a-f]{40}$", a1.ConsumerSecret)
	require.Regexp(t, `^user-[0-9a-f]{8}@example\.com$`, u1.Email)
	require.Regexp(t, "^[0-9a-f]{16}$", u1.Password)
	require.Regexp(t, "^[0-9a-f]{40}$", t1.Token)
}

// TestDefaultSeedsDiffer checks that a consumer key of one default server
// is unknown to another, and that a token of one is no token of the other.
func TestDefaultSeedsDiffer(t *testing.T) {
	f1, f2 := newFixture(t), newFixture(t)
	tok := f1.srv.AddToken(f1.user.ID, f1.app.ConsumerKey)
	wrongServer := newClient(t, f2.srv, creds{ConsumerKey: f1.app.ConsumerKey, ConsumerSecret: f1.app.ConsumerSecret})
	requireError(t, wrongServer.do(http.MethodGet, "/auth/v2/health", nil), 401, 107, "OAUTH_KEY_EXCEPTION")
	requireError(t, f2.c.withToken(tok).do(http.MethodGet, "/users/v1/me", nil), 401, 108, "OAUTH_TOKEN_EXCEPTION")
	require.NotEqual(t, f1.user.ID, f2.user.ID)
}

func TestSeedingCopies(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	u := srv.AddUser(User{Mfa: []MfaMethod{{Codes: []string{"AAAA"}}}})
	u.Mfa[0].Codes[0] = "changed"
	srv.mu.Lock()
	stored := srv.users[0].mfa.methods[0].Codes[0]
	srv.mu.Unlock()
	require.Equal(t, "AAAA", stored)
	require.Equal(t, "recoveryCodes", u.Mfa[0].Type)

	require.Panics(t, func() { srv.AddToken(u.ID, "unknown") })
	app := srv.AddApplication(Application{})
	require.Panics(t, func() { srv.AddToken("unknown", app.ConsumerKey) })
}

func TestClock(t *testing.T) {
	base := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	calls := 0
	srv := NewServer(WithClock(func() time.Time { calls++; return base.Add(time.Duration(calls) * time.Second) }))
	defer srv.Close()
	require.Equal(t, base.Add(time.Second), srv.Now())
	srv.Advance(time.Hour)
	require.Equal(t, base.Add(time.Hour+2*time.Second), srv.Now(), "a running clock stays running, shifted")
	srv.SetNow(base)
	require.Equal(t, base, srv.Now())
	require.Equal(t, base, srv.Now(), "a set clock is frozen")
	srv.Advance(-time.Minute)
	require.Equal(t, base.Add(-time.Minute), srv.Now())
	require.Equal(t, 2, calls, "the WithClock function is not consulted once frozen")

	live := NewServer()
	defer live.Close()
	require.WithinDuration(t, time.Now(), live.Now(), time.Minute)
}

func TestServerLogsNothing(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	require.NotNil(t, srv.ts.Config.ErrorLog)
	require.Equal(t, io.Discard, srv.ts.Config.ErrorLog.Writer())
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
}

// TestTokenTimestamps checks when the timestamps of a token move:
// creationTimestamp never, lastUsedTimestamp and updateTimestamp on every
// request that passes the OAuth1 checks with the token, and on no other.
func TestTokenTimestamps(t *testing.T) {
	f := newFixture(t)
	tok := f.c.login("john@example.com", "S3cret!")
	idle := f.c.login("john@example.com", "S3cret!")
	require.Equal(t, fixedNow, tok.CreationTimestamp)
	require.Equal(t, fixedNow, tok.UpdateTimestamp)
	require.True(t, tok.LastUsedTimestamp.IsZero(), "a new token was never used")
	require.Equal(t, []Token{tok, idle}, f.srv.Tokens())

	// Rejected requests are no use: a wrong signature, a stale timestamp,
	// a replay.
	c := f.c.withToken(tok)
	f.srv.Advance(time.Second)
	wrongSecret := f.c.withToken(Token{Token: tok.Token, TokenSecret: "wrong"})
	requireError(t, wrongSecret.do(http.MethodGet, pathMe, nil), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
	stale := *c
	stale.at = func() time.Time { return f.srv.Now().Add(-time.Hour) }
	requireError(t, stale.do(http.MethodGet, pathMe, nil), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
	require.Equal(t, []Token{tok, idle}, f.srv.Tokens())

	req := c.request(http.MethodGet, pathMe, nil)
	replay := req.Clone(req.Context())
	require.Equal(t, http.StatusOK, send(t, f.srv.Client(), req).Status)
	used := fixedNow.Add(time.Second)
	tok.LastUsedTimestamp, tok.UpdateTimestamp = used, used
	require.Equal(t, []Token{tok, idle}, f.srv.Tokens())
	f.srv.Advance(time.Second)
	requireError(t, send(t, f.srv.Client(), replay), 401, 110, "DUPLICATE_REQUEST_EXCEPTION")
	require.Equal(t, []Token{tok, idle}, f.srv.Tokens())

	// An authenticated request counts whatever the endpoint answers.
	requireError(t, c.do(http.MethodPost, pathMFA, "[]"), 400, 22, "BODY_FORMAT_EXCEPTION")
	used = fixedNow.Add(2 * time.Second)
	tok.LastUsedTimestamp, tok.UpdateTimestamp = used, used
	require.Equal(t, []Token{tok, idle}, f.srv.Tokens())

	// The listing, itself a use, shows the fields; a token never used has
	// no lastUsedTimestamp.
	f.srv.Advance(time.Second)
	res := c.do(http.MethodGet, pathLogin, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	data := res.JSON(t)["data"].([]any)
	require.Len(t, data, 2)
	first, second := data[0].(map[string]any), data[1].(map[string]any)
	require.Equal(t, tok.ID, first["id"])
	require.Equal(t, "2023-12-05T12:43:20.751Z", first["creationTimestamp"])
	require.Equal(t, "2023-12-05T12:43:23.751Z", first["updateTimestamp"])
	require.Equal(t, "2023-12-05T12:43:23.751Z", first["lastUsedTimestamp"])
	require.Equal(t, idle.ID, second["id"])
	require.Equal(t, "2023-12-05T12:43:20.751Z", second["updateTimestamp"])
	require.NotContains(t, second, "lastUsedTimestamp")

	// RQL filters and selects on it like on the other fields; the request
	// that lists is already a use.
	f.srv.Advance(time.Second)
	res = c.do(http.MethodGet, pathLogin+"?eq(lastUsedTimestamp,2023-12-05T12:43:24.751Z)&select(lastUsedTimestamp)", nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	require.JSONEq(t, fmt.Sprintf(`{"page":{"total":1,"offset":0,"limit":20},
		"data":[{"id":%q,"lastUsedTimestamp":"2023-12-05T12:43:24.751Z"}]}`, tok.ID), string(res.Body))
}
