package exhtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// mfaUser is a signed-in user of a fixture, with helpers for the MFA
// settings endpoints.
type mfaUser struct {
	t    *testing.T
	f    *fixture
	user User
	c    *client // signed with the user's token
}

// newMfaUser adds a user without MFA and signs them in.
func newMfaUser(t *testing.T, f *fixture, email string) *mfaUser {
	u := f.srv.AddUser(User{Email: email, Password: "pw-" + email})
	return &mfaUser{t: t, f: f, user: u, c: f.c.withToken(f.c.login(email, "pw-"+email))}
}

func (u *mfaUser) path(suffix string) string { return "/auth/v2/mfa/users/" + u.user.ID + suffix }

// presence confirms the user's presence and returns the presence token.
func (u *mfaUser) presence() string {
	u.t.Helper()
	res := u.c.do(http.MethodPost, "/auth/v2/confirmPresence", map[string]string{"password": u.user.Password})
	require.Equal(u.t, http.StatusOK, res.Status, "body: %s", res.Body)
	return res.JSON(u.t)["token"].(string)
}

// post sends a change with the given presence token and extra fields.
func (u *mfaUser) post(suffix, presence string, extra ...string) result {
	u.t.Helper()
	body := map[string]string{"presenceToken": presence}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i]] = extra[i+1]
	}
	return u.c.do(http.MethodPost, u.path(suffix), body)
}

// add adds a method and returns the answer's JSON.
func (u *mfaUser) add(presence, typ string) map[string]any {
	u.t.Helper()
	res := u.post("/methods", presence, "type", typ)
	require.Equal(u.t, http.StatusOK, res.Status, "body: %s", res.Body)
	return res.JSON(u.t)
}

func (u *mfaUser) settings() map[string]any {
	u.t.Helper()
	res := u.c.do(http.MethodGet, u.path(""), nil)
	require.Equal(u.t, http.StatusOK, res.Status, "body: %s", res.Body)
	return res.JSON(u.t)
}

// requireAffected checks an OperationResult answer.
func requireAffected(t *testing.T, res result, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	require.JSONEq(t, `{"affectedRecords":1}`, string(res.Body), msgAndArgs...)
}

func TestMfaSettingsCreatedEmpty(t *testing.T) {
	f := newFixture(t)
	u := newMfaUser(t, f, "new@example.com")
	f.srv.Advance(time.Minute)
	require.Equal(t, map[string]any{
		"id": u.user.ID, "enabled": false, "methods": []any{}, "updateTimestamp": "2023-12-05T12:44:20.751Z",
	}, u.settings(), "created by the first GET, with the user's ID as id")
	f.srv.Advance(time.Minute)
	require.Equal(t, "2023-12-05T12:44:20.751Z", u.settings()["updateTimestamp"], "a GET changes nothing")

	requireError(t, f.c.do(http.MethodGet, u.path(""), nil), 401, 104, "USER_NOT_AUTHENTICATED_EXCEPTION")
}

func TestMfaSettingsOfSeededUser(t *testing.T) {
	f, seeded := mfaFixture(t)
	c := f.c.withToken(f.srv.AddToken(seeded.ID, f.app.ConsumerKey))
	res := c.do(http.MethodGet, "/auth/v2/mfa/users/"+seeded.ID, nil)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	require.JSONEq(t, fmt.Sprintf(`{"id":%q,"enabled":true,"updateTimestamp":"2023-12-05T12:43:20.751Z","methods":[
		{"id":%q,"type":"totp","name":"Google Authenticator","tags":["selected"],"verified":true,
		 "creationTimestamp":"2023-12-05T12:43:20.751Z","updateTimestamp":"2023-12-05T12:43:20.751Z"},
		{"id":%q,"type":"recoveryCodes","name":"Recovery Codes","tags":[],"verified":false,
		 "creationTimestamp":"2023-12-05T12:43:20.751Z","updateTimestamp":"2023-12-05T12:43:20.751Z"}]}`,
		seeded.ID, seeded.Mfa[0].ID, seeded.Mfa[1].ID), string(res.Body), "no secret or codes in the listing")
}

func TestMfaAddMethod(t *testing.T) {
	f := newFixture(t)
	u := newMfaUser(t, f, "add@example.com")
	p := u.presence()
	f.srv.Advance(time.Second)

	totp := u.add(p, "totp")
	require.ElementsMatch(t, []string{"id", "type", "name", "tags", "verified", "secret", "creationTimestamp", "updateTimestamp"}, keysOf(totp))
	require.Regexp(t, "^[0-9a-f]{24}$", totp["id"])
	require.Equal(t, "totp", totp["type"])
	require.Equal(t, "Google Authenticator", totp["name"])
	require.Equal(t, []any{}, totp["tags"])
	require.Equal(t, false, totp["verified"])
	require.Regexp(t, "^[0-9a-f]{40}$", totp["secret"], "Hex40, as the OpenAPI types it")
	require.Equal(t, "2023-12-05T12:43:21.751Z", totp["creationTimestamp"])
	require.Equal(t, "2023-12-05T12:43:21.751Z", totp["updateTimestamp"])

	res := u.c.do(http.MethodPost, u.path("/methods"), map[string]any{"presenceToken": p, "type": "recoveryCodes", "name": "Paper", "tags": []string{"backup"}})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	rc := res.JSON(t)
	require.ElementsMatch(t, []string{"id", "type", "name", "tags", "verified", "codes", "creationTimestamp", "updateTimestamp"}, keysOf(rc))
	require.Equal(t, "Paper", rc["name"])
	require.Equal(t, []any{"backup"}, rc["tags"])
	require.Equal(t, false, rc["verified"])
	codes := rc["codes"].([]any)
	require.Len(t, codes, 10)
	for _, c := range codes {
		require.Regexp(t, "^[A-Z2-7]{8}$", c)
	}

	s := u.settings()
	require.Equal(t, "2023-12-05T12:43:21.751Z", s["updateTimestamp"])
	methods := s["methods"].([]any)
	require.Len(t, methods, 2)
	require.Equal(t, totp["id"], methods[0].(map[string]any)["id"])
	require.NotContains(t, methods[0], "secret")
	require.NotContains(t, methods[1], "codes")

	// Body errors come before the presence token is checked.
	requireError(t, u.post("/methods", p, "type", "sms"), 400, 22, "BODY_FORMAT_EXCEPTION")
	requireError(t, u.c.do(http.MethodPost, u.path("/methods"), map[string]any{"presenceToken": p, "type": "totp", "tags": "x"}), 400, 22, "BODY_FORMAT_EXCEPTION")
	requireError(t, u.c.do(http.MethodPost, u.path("/methods"), map[string]any{"presenceToken": p, "type": "totp", "name": 5}), 400, 22, "BODY_FORMAT_EXCEPTION")
	requireError(t, u.c.do(http.MethodPost, u.path("/methods"), map[string]any{"presenceToken": p}), 400, 14, "MISSING_REQUIRED_FIELDS_EXCEPTION")
	requireError(t, u.c.do(http.MethodPost, u.path("/methods"), map[string]any{"type": "totp"}), 400, 14, "MISSING_REQUIRED_FIELDS_EXCEPTION")
	m := requireError(t, u.post("/methods", strings.Repeat("0", 40), "type", "totp"), 400, 132, "INVALID_PRESENCE_TOKEN_EXCEPTION")
	require.Equal(t, "The supplied presence token is not (or no longer) valid", m["message"])
	require.Len(t, u.settings()["methods"], 2, "failed adds add nothing")
}

func TestMfaPresenceToken(t *testing.T) {
	f := newFixture(t)
	u := newMfaUser(t, f, "p@example.com")
	other := newMfaUser(t, f, "other@example.com")

	res := u.c.do(http.MethodPost, "/auth/v2/confirmPresence", map[string]string{"password": u.user.Password})
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, "2023-12-05T12:53:20.751Z", res.JSON(t)["expiryTimestamp"], "10 minutes by default")
	p := res.JSON(t)["token"].(string)

	requireError(t, u.post("/disable", other.presence()), 400, 132, "INVALID_PRESENCE_TOKEN_EXCEPTION")
	requireError(t, other.post("/disable", p), 400, 132, "INVALID_PRESENCE_TOKEN_EXCEPTION")
	f.srv.Advance(10*time.Minute - time.Millisecond)
	requireAffected(t, u.post("/disable", p))
	requireAffected(t, u.post("/disable", p)) // not single use
	f.srv.Advance(time.Millisecond)
	requireError(t, u.post("/disable", p), 400, 132, "INVALID_PRESENCE_TOKEN_EXCEPTION")
	requireError(t, u.post("/methods", p, "type", "totp"), 400, 132, "INVALID_PRESENCE_TOKEN_EXCEPTION")

	// WithPresenceTokenTTL.
	f2 := newFixture(t, WithPresenceTokenTTL(time.Minute))
	u2 := newMfaUser(t, f2, "ttl@example.com")
	p2 := u2.presence()
	f2.srv.Advance(59 * time.Second)
	requireAffected(t, u2.post("/disable", p2))
	f2.srv.Advance(time.Second)
	requireError(t, u2.post("/disable", p2), 400, 132, "INVALID_PRESENCE_TOKEN_EXCEPTION")
	f2.srv.mu.Lock()
	require.Len(t, f2.srv.presence, 1)
	f2.srv.mu.Unlock()
	u2.presence()
	f2.srv.mu.Lock()
	require.Len(t, f2.srv.presence, 1, "expired presence tokens are forgotten")
	f2.srv.mu.Unlock()
}

func TestMfaConfirmMethod(t *testing.T) {
	f := newFixture(t)
	u := newMfaUser(t, f, "confirm@example.com")
	p := u.presence()
	totp := u.add(p, "totp")
	rc := u.add(p, "recoveryCodes")
	secret, id := totp["secret"].(string), totp["id"].(string)

	confirm := func(methodID, code string) result {
		return u.post("/methods/"+methodID+"/verification/confirm", p, "code", code)
	}
	m := requireError(t, confirm(id, wrongTOTP(secret, f.srv.Now())), 400, 130, "INVALID_MFA_CODE_EXCEPTION")
	require.Equal(t, "The supplied MFA code is incorrect", m["message"])
	m = requireError(t, confirm(rc["id"].(string), rc["codes"].([]any)[0].(string)), 400, 26, "ILLEGAL_ARGUMENT_EXCEPTION")
	require.Equal(t, "The supplied argument(s) is not appropriate within this context", m["message"])
	requireError(t, confirm("000000000000000000000000", "123456"), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	requireError(t, confirm(id, TOTP(secret, f.srv.Now())+"0"), 400, 130, "INVALID_MFA_CODE_EXCEPTION")
	requireError(t, u.post("/methods/"+id+"/verification/confirm", p), 400, 14, "MISSING_REQUIRED_FIELDS_EXCEPTION")
	requireError(t, u.post("/methods/"+id+"/verification/confirm", "bad", "code", TOTP(secret, f.srv.Now())), 400, 132, "INVALID_PRESENCE_TOKEN_EXCEPTION")
	require.Equal(t, false, u.settings()["methods"].([]any)[0].(map[string]any)["verified"])

	f.srv.Advance(time.Minute)
	// The code of the previous time step is still accepted.
	requireAffected(t, confirm(id, TOTP(secret, f.srv.Now().Add(-30*time.Second))))
	s := u.settings()
	first := s["methods"].([]any)[0].(map[string]any)
	require.Equal(t, true, first["verified"])
	require.Equal(t, "2023-12-05T12:44:20.751Z", first["updateTimestamp"])
	require.Equal(t, "2023-12-05T12:43:20.751Z", first["creationTimestamp"])
	require.Equal(t, "2023-12-05T12:44:20.751Z", s["updateTimestamp"])
	require.Equal(t, false, s["methods"].([]any)[1].(map[string]any)["verified"], "recovery codes are never verified")
}

func TestMfaEnableLoginDisable(t *testing.T) {
	f := newFixture(t, WithMfaReattemptDelay(0))
	u := newMfaUser(t, f, "enable@example.com")
	p := u.presence()

	m := requireError(t, u.post("/enable", p), 400, 133, "NOT_ENOUGH_MFA_METHODS_EXCEPTION")
	require.Equal(t, "For MFA to be enabled at least one verified MFA method is required", m["message"])
	totp := u.add(p, "totp")
	rc := u.add(p, "recoveryCodes")
	// An unverified TOTP method and recovery codes are not enough.
	requireError(t, u.post("/enable", p), 400, 133, "NOT_ENOUGH_MFA_METHODS_EXCEPTION")
	requireError(t, u.post("/enable", "bad"), 400, 132, "INVALID_PRESENCE_TOKEN_EXCEPTION")
	require.Equal(t, false, u.settings()["enabled"])

	// Not enabled yet: the password grant gives a token.
	login := func() result {
		return f.c.do(http.MethodPost, pathLogin, map[string]string{"email": u.user.Email, "password": u.user.Password})
	}
	require.Equal(t, http.StatusOK, login().Status)

	// A second TOTP method stays unverified: it is not offered at login.
	unverified := u.add(p, "totp")
	requireAffected(t, u.post("/methods/"+totp["id"].(string)+"/verification/confirm", p, "code", TOTP(totp["secret"].(string), f.srv.Now())))
	f.srv.Advance(time.Second)
	requireAffected(t, u.post("/enable", p))
	s := u.settings()
	require.Equal(t, true, s["enabled"])
	require.Equal(t, "2023-12-05T12:43:21.751Z", s["updateTimestamp"])

	mfa := requireError(t, login(), 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")["mfa"].(map[string]any)
	var offered []string
	for _, m := range mfa["methods"].([]any) {
		offered = append(offered, m.(map[string]any)["id"].(string))
	}
	require.Equal(t, []string{totp["id"].(string), rc["id"].(string)}, offered)

	grant := func(methodID, code string) result {
		return f.c.do(http.MethodPost, pathMFA, map[string]string{"token": mfa["token"].(string), "methodId": methodID, "code": code})
	}
	requireError(t, grant(unverified["id"].(string), TOTP(unverified["secret"].(string), f.srv.Now())), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	res := grant(totp["id"].(string), TOTP(totp["secret"].(string), f.srv.Now()))
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)

	// A recovery code confirms a login once, and changes the method.
	mfa = requireError(t, login(), 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")["mfa"].(map[string]any)
	f.srv.Advance(time.Second)
	code := rc["codes"].([]any)[3].(string)
	require.Equal(t, http.StatusOK, grant(rc["id"].(string), code).Status)
	mfa = requireError(t, login(), 403, 129, "MFA_REQUIRED_EXCEPTION", "mfa")["mfa"].(map[string]any)
	requireError(t, grant(rc["id"].(string), code), 400, 130, "INVALID_MFA_CODE_EXCEPTION")
	rcNow := u.settings()["methods"].([]any)[1].(map[string]any)
	require.Equal(t, "2023-12-05T12:43:22.751Z", rcNow["updateTimestamp"])

	requireAffected(t, u.post("/disable", p))
	require.Equal(t, false, u.settings()["enabled"])
	require.Equal(t, http.StatusOK, login().Status, "MFA off: no 129")
}

func TestMfaRemoveMethod(t *testing.T) {
	f := newFixture(t)
	u := newMfaUser(t, f, "remove@example.com")
	p := u.presence()
	totp := u.add(p, "totp")
	rc := u.add(p, "recoveryCodes")
	requireAffected(t, u.post("/methods/"+totp["id"].(string)+"/verification/confirm", p, "code", TOTP(totp["secret"].(string), f.srv.Now())))
	requireAffected(t, u.post("/enable", p))

	requireError(t, u.post("/methods/000000000000000000000000/remove", p), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	requireError(t, u.post("/methods/"+rc["id"].(string)+"/remove", "bad"), 400, 132, "INVALID_PRESENCE_TOKEN_EXCEPTION")
	m := requireError(t, u.post("/methods/"+totp["id"].(string)+"/remove", p), 400, 133, "NOT_ENOUGH_MFA_METHODS_EXCEPTION")
	require.Equal(t, "For MFA to be enabled at least one verified MFA method is required", m["message"])

	f.srv.Advance(time.Second)
	requireAffected(t, u.post("/methods/"+rc["id"].(string)+"/remove", p))
	s := u.settings()
	require.Len(t, s["methods"], 1)
	require.Equal(t, "2023-12-05T12:43:21.751Z", s["updateTimestamp"])
	requireError(t, u.post("/methods/"+rc["id"].(string)+"/remove", p), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")

	requireAffected(t, u.post("/disable", p))
	requireAffected(t, u.post("/methods/"+totp["id"].(string)+"/remove", p), "MFA off: the last method can go")
	require.Equal(t, []any{}, u.settings()["methods"])
}

func TestMfaOtherUserAndRoutes(t *testing.T) {
	f := newFixture(t)
	u := newMfaUser(t, f, "me@example.com")
	other := newMfaUser(t, f, "you@example.com")
	p := u.presence()
	otherMethod := other.add(other.presence(), "totp")["id"].(string)

	// Another user's settings: 401/10 before the body is read; the
	// caller's own presence token does not help.
	for _, r := range []struct {
		method, suffix string
		body           any
	}{
		{http.MethodGet, "", nil},
		{http.MethodPost, "/methods", map[string]string{"presenceToken": p, "type": "totp"}},
		{http.MethodPost, "/methods/" + otherMethod + "/verification/confirm", map[string]string{"presenceToken": p, "code": "123456"}},
		{http.MethodPost, "/enable", map[string]string{"presenceToken": p}},
		{http.MethodPost, "/disable", nil},
		{http.MethodPost, "/methods/" + otherMethod + "/remove", map[string]string{"presenceToken": p}},
	} {
		res := u.c.do(r.method, other.path(r.suffix), r.body)
		m := requireError(t, res, 401, 10, "NO_PERMISSION_EXCEPTION")
		require.Equal(t, "Permission denied", m["message"])
	}
	requireError(t, u.c.do(http.MethodGet, "/auth/v2/mfa/users/000000000000000000000000", nil), 401, 10, "NO_PERMISSION_EXCEPTION")
	require.Len(t, other.settings()["methods"], 1, "nothing changed")
	// Another user's method is unknown for this user.
	requireError(t, u.post("/methods/"+otherMethod+"/remove", p), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")

	// Consumer-only signatures: 401/104.
	requireError(t, f.c.do(http.MethodPost, u.path("/enable"), map[string]string{"presenceToken": p}), 401, 104, "USER_NOT_AUTHENTICATED_EXCEPTION")

	// Paths and methods that are not MFA routes: 404/16 without a signature check.
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, u.path("")},
		{http.MethodGet, u.path("/methods")},
		{http.MethodGet, u.path("/enable")},
		{http.MethodPost, u.path("/methods/x/verification/send")},
		{http.MethodPost, u.path("/methods/x")},
		{http.MethodPost, u.path("/methods//remove")},
		{http.MethodPost, u.path("/enable/")},
		{http.MethodGet, "/auth/v2/mfa/users/"},
		{http.MethodGet, "/auth/v2/mfa/users"},
	} {
		req, err := http.NewRequest(r.method, f.srv.URL+r.path, nil)
		require.NoError(t, err)
		requireError(t, send(t, f.srv.Client(), req), 404, 16, "RESOURCE_UNKNOWN_EXCEPTION")
	}
}

func TestMfaRequestsScrubbed(t *testing.T) {
	f := newFixture(t)
	u := newMfaUser(t, f, "scrub@example.com")
	p := u.presence()
	totp := u.add(p, "totp")
	code := TOTP(totp["secret"].(string), f.srv.Now())
	requireAffected(t, u.post("/methods/"+totp["id"].(string)+"/verification/confirm", p, "code", code))
	reqs := f.srv.Requests()
	last := reqs[len(reqs)-1]
	require.Equal(t, `{"code":"REDACTED","presenceToken":"REDACTED"}`, last.Body)
	for _, r := range reqs {
		require.NotContains(t, fmt.Sprintf("%+v", r), p)
		require.NotContains(t, fmt.Sprintf("%+v", r), totp["secret"].(string))
	}
}
