package exhtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Paths of the endpoints the fake serves.
const (
	pathTokens          = "/auth/v2/oauth1/tokens"
	pathTokensMfa       = "/auth/v2/oauth1/tokens/mfa"
	pathTokenPrefix     = "/auth/v2/oauth1/tokens/"
	pathSSOGenerate     = "/auth/v2/oauth1/ssoTokens/generate"
	pathSSOConsume      = "/auth/v2/oauth1/ssoTokens/consume"
	pathMe              = "/users/v1/me"
	pathConfirmPresence = "/auth/v2/confirmPresence"
	pathHealth          = "/auth/v2/health"
)

// call is one authenticated request on its way through a handler.
type call struct {
	r     *http.Request
	path  string // the route's path: r.URL.Path without the WithPathPrefix prefix
	body  []byte
	now   time.Time
	app   *Application // the signing application
	token *Token       // the signing token, nil when consumer-signed only
	user  *userRecord  // the token's user, nil when token is nil
}

type handlerFunc func(s *Server, c *call) response

type routeKey struct{ method, path string }

// routes are the endpoints with a fixed path.
var routes = map[routeKey]handlerFunc{
	{http.MethodPost, pathTokens}:          (*Server).passwordGrant,
	{http.MethodGet, pathTokens}:           (*Server).listTokens,
	{http.MethodPost, pathTokensMfa}:       (*Server).mfaGrant,
	{http.MethodPost, pathSSOGenerate}:     (*Server).generateSSOToken,
	{http.MethodPost, pathSSOConsume}:      (*Server).consumeSSOToken,
	{http.MethodGet, pathMe}:               (*Server).me,
	{http.MethodPost, pathConfirmPresence}: (*Server).confirmPresence,
	{http.MethodGet, pathHealth}:           (*Server).health,
}

// route finds the handler of a method and path. Unknown paths and known
// paths with another method have none.
func route(method, path string) (handlerFunc, bool) {
	if h, ok := routes[routeKey{method, path}]; ok {
		return h, true
	}
	if id, ok := strings.CutPrefix(path, pathTokenPrefix); ok && method == http.MethodDelete &&
		id != "" && !strings.Contains(id, "/") {
		return (*Server).deleteToken, true
	}
	return routeMfa(method, path)
}

// routePath is the route's path of a request's URL path: the path without
// the WithPathPrefix prefix. ok is false for a path outside the prefix.
func (s *Server) routePath(path string) (string, bool) {
	if s.pathPrefix == "" {
		return path, true
	}
	rest, ok := strings.CutPrefix(path, s.pathPrefix)
	if !ok || !strings.HasPrefix(rest, "/") {
		return "", false
	}
	return rest, true
}

// handle answers one request. The caller holds s.mu.
func (s *Server) handle(r *http.Request, body []byte) response {
	path, ok := s.routePath(r.URL.Path)
	if !ok {
		return errorResponse(errResourceUnknown)
	}
	h, ok := route(r.Method, path)
	if !ok {
		return errorResponse(errResourceUnknown)
	}
	c := &call{r: r, path: path, body: body, now: s.now()}
	if resp, ok := s.authenticate(c); !ok {
		return resp
	}
	return h(s, c)
}

// nonceKey identifies a request for replay detection (401/110).
type nonceKey struct {
	consumerKey, nonce string
	timestamp          int64
}

// noncePruneEvery is how many new nonces are stored between two prunes of
// the nonce store.
const noncePruneEvery = 1024

// authenticate is the gateway's OAuth1 check, in this order:
// header and protocol parameters (109), consumer key (107), token (108),
// signature (109), timestamp window (109), replay (110). On success it
// fills c.app, c.token and c.user and remembers the nonce.
func (s *Server) authenticate(c *call) (response, bool) {
	header, err := parseAuthorization(c.r.Header.Get("Authorization"))
	if err != nil {
		return errorResponse(errOAuthSignature), false
	}
	timestamp, ok := checkProtocolParams(header)
	if !ok {
		return errorResponse(errOAuthSignature), false
	}
	app := s.appsByKey[header["oauth_consumer_key"]]
	if app == nil {
		return errorResponse(errOAuthKey), false
	}
	tokenSecret := ""
	if tok := header["oauth_token"]; tok != "" {
		t := s.tokensByTok[tok]
		if t == nil || t.ApplicationID != app.ID {
			return errorResponse(errOAuthToken), false
		}
		c.token, c.user, tokenSecret = t, s.userByID(t.UserID), t.TokenSecret
	}

	base := signatureBaseString(c.r.Method, requestBaseURL(c.r), c.r.URL.RawQuery, signedParams(header))
	want := hmacSHA1Base64(signatureKey(app.ConsumerSecret, tokenSecret), base)
	if !hmac.Equal([]byte(want), []byte(header["oauth_signature"])) {
		return errorResponse(errOAuthSignature), false
	}

	skew := time.Unix(timestamp, 0).Sub(c.now)
	if skew > s.window || skew < -s.window {
		return errorResponse(errOAuthSignature), false
	}

	key := nonceKey{app.ConsumerKey, header["oauth_nonce"], timestamp}
	if s.nonces[key] {
		return errorResponse(errDuplicateRequest), false
	}
	s.nonces[key] = true
	if len(s.nonces) >= s.noncePruneAt {
		s.pruneNonces(c.now)
		s.noncePruneAt = len(s.nonces) + noncePruneEvery
	}
	c.app = app
	if c.token != nil {
		c.token.LastUsedTimestamp, c.token.UpdateTimestamp = c.now, c.now
	}
	return response{}, true
}

// pruneNonces forgets nonces whose timestamp is already outside the
// window: such requests are rejected with 109 before the store is asked.
func (s *Server) pruneNonces(now time.Time) {
	oldest := now.Add(-s.window).Unix()
	for k := range s.nonces {
		if k.timestamp < oldest {
			delete(s.nonces, k)
		}
	}
}

// --- JSON shapes ---

// timeFormat is the service's ISO-8601 format with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

type tokenJSON struct {
	ID                string `json:"id"`
	UserID            string `json:"userId"`
	ApplicationID     string `json:"applicationId"`
	Token             string `json:"token"`
	TokenSecret       string `json:"tokenSecret"`
	CreationTimestamp string `json:"creationTimestamp"`
	UpdateTimestamp   string `json:"updateTimestamp"`
	LastUsedTimestamp string `json:"lastUsedTimestamp,omitempty"`
}

func tokenToJSON(t *Token) tokenJSON {
	j := tokenJSON{
		ID: t.ID, UserID: t.UserID, ApplicationID: t.ApplicationID, Token: t.Token, TokenSecret: t.TokenSecret,
		CreationTimestamp: formatTime(t.CreationTimestamp), UpdateTimestamp: formatTime(t.UpdateTimestamp),
	}
	if !t.LastUsedTimestamp.IsZero() {
		j.LastUsedTimestamp = formatTime(t.LastUsedTimestamp)
	}
	return j
}

// asMap is the token as a JSON object keyed by wire name, for the RQL
// operators; a field the JSON leaves out is missing.
func (j tokenJSON) asMap() map[string]string {
	m := map[string]string{
		"id": j.ID, "userId": j.UserID, "applicationId": j.ApplicationID, "token": j.Token,
		"tokenSecret": j.TokenSecret, "creationTimestamp": j.CreationTimestamp, "updateTimestamp": j.UpdateTimestamp,
	}
	if j.LastUsedTimestamp != "" {
		m["lastUsedTimestamp"] = j.LastUsedTimestamp
	}
	return m
}

type pageInfo struct {
	Total  *int `json:"total,omitempty"`
	Offset int  `json:"offset"`
	Limit  int  `json:"limit"`
}

type pageJSON struct {
	Page pageInfo `json:"page"`
	Data []any    `json:"data"`
}

type ssoTokenJSON struct {
	ID                     string `json:"id"`
	SSOToken               string `json:"ssoToken"`
	UserID                 string `json:"userId"`
	CreatedByApplicationID string `json:"createdByApplicationId"`
	ExpiryTimestamp        string `json:"expiryTimestamp"`
	CreationTimestamp      string `json:"creationTimestamp"`
	UpdateTimestamp        string `json:"updateTimestamp"`
}

type userJSON struct {
	ID                string   `json:"id"`
	Email             string   `json:"email"`
	FirstName         string   `json:"firstName"`
	LastName          string   `json:"lastName"`
	Language          string   `json:"language"`
	TimeZone          string   `json:"timeZone"`
	Activation        bool     `json:"activation"`
	Roles             []string `json:"roles"`
	CreationTimestamp string   `json:"creationTimestamp"`
	UpdateTimestamp   string   `json:"updateTimestamp"`
}

type presenceJSON struct {
	Token             string `json:"token"`
	ExpiryTimestamp   string `json:"expiryTimestamp"`
	CreationTimestamp string `json:"creationTimestamp"`
}

// decodeFields reads a JSON object body and returns the named string
// fields: 400/22 when the body is not a JSON object or a field is not a
// string, 400/14 when a field is missing or null. An empty body counts as
// an object without fields.
func decodeFields(body []byte, names ...string) (map[string]string, *response) {
	var m map[string]any
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &m); err != nil {
			resp := errorResponse(errBodyFormat)
			return nil, &resp
		}
	}
	out := map[string]string{}
	for _, name := range names {
		v, present := m[name]
		if !present || v == nil {
			resp := errorResponse(errMissingFields)
			return nil, &resp
		}
		str, ok := v.(string)
		if !ok {
			resp := errorResponse(errBodyFormat)
			return nil, &resp
		}
		out[name] = str
	}
	return out, nil
}

// ceilMillis is d in whole milliseconds, rounded up, so that a delay that
// is still running is never reported as 0.
func ceilMillis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// --- password grant and login rules ---

// LoginRules are the login rate rules of the password grant, counted per
// email address (case-insensitive). Zero fields disable their rule; the
// zero LoginRules (the default) disables all of them.
type LoginRules struct {
	// MinInterval: an attempt that comes less than MinInterval after the
	// previous counted attempt for the same email is answered 401/211 with
	// remainingDelay (ms) and is not counted.
	MinInterval time.Duration
	// FreezeAfter, FreezeFor: every FreezeAfter-th consecutive wrong
	// password (answered 106 as usual) freezes the email for FreezeFor;
	// attempts during the freeze are answered 401/212 with remainingDelay
	// (ms).
	FreezeAfter int
	FreezeFor   time.Duration
	// LockAfter: after LockAfter consecutive wrong passwords (the last one
	// still answered 106) the email is locked for good: 401/213.
	LockAfter int
}

type loginState struct {
	attempted   bool
	lastAttempt time.Time
	failures    int
	frozenUntil time.Time
	locked      bool
}

// SetLoginRules replaces the login rules and forgets all earlier attempts.
// A correct password resets the count of consecutive failures.
func (s *Server) SetLoginRules(r LoginRules) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loginRules = r
	s.loginStates = map[string]*loginState{}
}

// checkLoginRules answers 213, 212 or 211 when the attempt is refused, and
// otherwise counts it.
func (s *Server) checkLoginRules(email string, now time.Time) (response, bool) {
	key := strings.ToLower(email)
	st := s.loginStates[key]
	if st == nil {
		st = &loginState{}
		s.loginStates[key] = st
	}
	switch {
	case st.locked:
		return errorResponse(errTooManyFailedLogins), true
	case now.Before(st.frozenUntil):
		return delayResponse(errLoginFreeze, ceilMillis(st.frozenUntil.Sub(now))), true
	case s.loginRules.MinInterval > 0 && st.attempted && now.Sub(st.lastAttempt) < s.loginRules.MinInterval:
		return delayResponse(errLoginTimeout, ceilMillis(s.loginRules.MinInterval-now.Sub(st.lastAttempt))), true
	}
	st.attempted, st.lastAttempt = true, now
	return response{}, false
}

func (s *Server) loginFailed(email string, now time.Time) {
	st := s.loginStates[strings.ToLower(email)]
	st.failures++
	rules := s.loginRules
	if rules.LockAfter > 0 && st.failures >= rules.LockAfter {
		st.locked = true
	} else if rules.FreezeAfter > 0 && rules.FreezeFor > 0 && st.failures%rules.FreezeAfter == 0 {
		st.frozenUntil = now.Add(rules.FreezeFor)
	}
}

// passwordGrant is POST /auth/v2/oauth1/tokens, the password grant.
func (s *Server) passwordGrant(c *call) response {
	f, bad := decodeFields(c.body, "email", "password")
	if bad != nil {
		return *bad
	}
	if resp, refused := s.checkLoginRules(f["email"], c.now); refused {
		return resp
	}
	u := s.userByEmail(f["email"])
	if u == nil || subtle.ConstantTimeCompare([]byte(u.Password), []byte(f["password"])) != 1 {
		s.loginFailed(f["email"], c.now)
		return errorResponse(errAuthentication)
	}
	s.loginStates[strings.ToLower(f["email"])].failures = 0
	if u.mfa.required() {
		return s.mfaChallenge(u, c)
	}
	return jsonResponse(tokenToJSON(s.issueToken(u.ID, c.app.ID)))
}

// --- MFA ---

type mfaTokenRecord struct {
	userID, appID string
	expires       time.Time
}

type mfaFailureState struct {
	count      int
	lastFailed time.Time
}

// mfaChallenge answers 403/129 with a new MFA token for u, listing the
// methods that can confirm the login.
func (s *Server) mfaChallenge(u *userRecord, c *call) response {
	tok := s.hex40()
	s.mfaTokens[tok] = &mfaTokenRecord{userID: u.ID, appID: c.app.ID, expires: c.now.Add(mfaTokenTTL)}
	methods := []mfaMethodJSON{}
	for _, m := range u.mfa.methods {
		if m.usable() {
			methods = append(methods, mfaMethodJSON{ID: m.ID, Type: m.Type, Name: m.Name, Tags: append([]string{}, m.Tags...)})
		}
	}
	return errorResponseWith(errMfaRequired, errorBody{Mfa: &mfaChallenge{
		Token:          tok,
		TokenExpiresIn: mfaTokenTTL.Milliseconds(),
		Methods:        methods,
	}})
}

// mfaReattemptDelays is the MFA reattempt delay schedule, at the default
// base of 1 s: entry n−1 is how long a user must wait after their n-th
// consecutive failed MFA attempt, and the last entry holds from the 10th
// failure on. It grows exponentially (×1.46 a step, rounded), as the
// ExtraHorizon MFA documentation describes the service's delay: about 1 s
// after the first failure, 5 s after the 5th and 30 s after the 10th.
// WithMfaReattemptDelay scales it; a successful MFA grant starts it over.
var mfaReattemptDelays = [...]time.Duration{
	1 * time.Second,
	1500 * time.Millisecond,
	2 * time.Second,
	3 * time.Second,
	5 * time.Second,
	7 * time.Second,
	10 * time.Second,
	15 * time.Second,
	20 * time.Second,
	30 * time.Second,
}

// mfaDelay is the wait required after the n-th (n ≥ 1) consecutive failure:
// the schedule's entry scaled by mfaDelayBase / 1 s.
func (s *Server) mfaDelay(n int) time.Duration {
	d := mfaReattemptDelays[min(n, len(mfaReattemptDelays))-1]
	return time.Duration(float64(d) * (float64(s.mfaDelayBase) / float64(time.Second)))
}

// mfaGrant is POST /auth/v2/oauth1/tokens/mfa, the MFA grant.
func (s *Server) mfaGrant(c *call) response {
	f, bad := decodeFields(c.body, "token", "methodId", "code")
	if bad != nil {
		return *bad
	}
	rec := s.mfaTokens[f["token"]]
	if rec == nil || !c.now.Before(rec.expires) || rec.appID != c.app.ID {
		return errorResponse(errInvalidMfaToken)
	}
	u := s.userByID(rec.userID)
	method := u.mfa.method(f["methodId"])
	if method == nil || !method.usable() {
		// The service answers 16 also for a method that is not verified.
		return errorResponse(errResourceUnknown)
	}
	if fail := s.mfaFailures[u.ID]; fail != nil && s.mfaDelayBase > 0 {
		if wait := fail.lastFailed.Add(s.mfaDelay(fail.count)).Sub(c.now); wait > 0 {
			return delayResponse(errMfaReattemptDelay, ceilMillis(wait))
		}
	}
	ok := false
	switch method.Type {
	case typeTOTP:
		ok = totpValid(method.Secret, f["code"], c.now)
	case typeRecoveryCodes:
		if ok = useRecoveryCode(method, f["code"]); ok {
			method.updated, u.mfa.updated = c.now, c.now
		}
	}
	if !ok {
		fail := s.mfaFailures[u.ID]
		if fail == nil {
			fail = &mfaFailureState{}
			s.mfaFailures[u.ID] = fail
		}
		fail.count++
		fail.lastFailed = c.now
		return errorResponse(errInvalidMfaCode)
	}
	delete(s.mfaTokens, f["token"])
	delete(s.mfaFailures, u.ID)
	return jsonResponse(tokenToJSON(s.issueToken(u.ID, c.app.ID)))
}

// --- tokens ---

// requireUser answers 401/104 when the request was not signed with a user
// token.
func requireUser(c *call) (response, bool) {
	if c.token == nil || c.user == nil {
		return errorResponse(errUserNotAuthenticated), false
	}
	return response{}, true
}

// listTokens is GET /auth/v2/oauth1/tokens{RQL}: the caller's
// own tokens, in creation order unless sorted.
func (s *Server) listTokens(c *call) response {
	if resp, ok := requireUser(c); !ok {
		return resp
	}
	q, err := parseRQL(c.r.URL.RawQuery)
	if err != nil {
		return errorResponse(errInvalidRQL)
	}
	var matched []tokenJSON
	for _, t := range s.tokens {
		if t.UserID != c.user.ID {
			continue
		}
		j := tokenToJSON(t)
		fields := j.asMap()
		delete(fields, "tokenSecret") // not a filter field
		lookup := func(name string) (string, bool) { v, ok := fields[name]; return v, ok }
		keep := true
		for _, cond := range q.conditions {
			if !cond.matches(lookup) {
				keep = false
			}
		}
		if keep {
			matched = append(matched, j)
		}
	}
	if len(q.sortKeys) > 0 {
		sort.SliceStable(matched, func(a, b int) bool {
			ma, mb := matched[a].asMap(), matched[b].asMap()
			for _, key := range q.sortKeys {
				va, vb := ma[key[1:]], mb[key[1:]]
				if va != vb {
					return (va < vb) == (key[0] == '+')
				}
			}
			return false
		})
	}

	total := len(matched)
	start := min(q.offset, total)
	end := min(start+q.limit, total)
	data := []any{}
	for _, j := range matched[start:end] {
		if len(q.selectKeys) == 0 {
			data = append(data, j)
			continue
		}
		all := j.asMap()
		picked := map[string]string{"id": j.ID}
		for _, k := range q.selectKeys {
			if v, ok := all[k]; ok {
				picked[k] = v
			}
		}
		data = append(data, picked)
	}
	page := pageInfo{Offset: q.offset, Limit: q.limit}
	if !q.skipCount {
		page.Total = &total
	}
	return jsonResponse(pageJSON{Page: page, Data: data})
}

// deleteToken is DELETE /auth/v2/oauth1/tokens/{id}: the token
// is revoked; an id that is not one of the caller's tokens is 404/16.
func (s *Server) deleteToken(c *call) response {
	if resp, ok := requireUser(c); !ok {
		return resp
	}
	id := strings.TrimPrefix(c.path, pathTokenPrefix)
	for _, t := range s.tokens {
		if t.ID == id && t.UserID == c.user.ID {
			s.revokeToken(t)
			return jsonResponse(map[string]int{"affectedRecords": 1})
		}
	}
	return errorResponse(errResourceUnknown)
}

// --- SSO ---

type ssoTokenRecord struct {
	id, userID, appID string
	created, expires  time.Time
}

// generateSSOToken is POST /auth/v2/oauth1/ssoTokens/generate.
// The body is ignored.
func (s *Server) generateSSOToken(c *call) response {
	if resp, ok := requireUser(c); !ok {
		return resp
	}
	rec := &ssoTokenRecord{id: s.objectID(), userID: c.user.ID, appID: c.app.ID, created: c.now, expires: c.now.Add(s.ssoTTL)}
	tok := s.hex40()
	s.ssoTokens[tok] = rec
	return jsonResponse(ssoTokenJSON{
		ID:                     rec.id,
		SSOToken:               tok,
		UserID:                 rec.userID,
		CreatedByApplicationID: rec.appID,
		ExpiryTimestamp:        formatTime(rec.expires),
		CreationTimestamp:      formatTime(rec.created),
		UpdateTimestamp:        formatTime(rec.created),
	})
}

// consumeSSOToken is POST /auth/v2/oauth1/ssoTokens/consume:
// a new token of the SSO token's user for the consuming application. Each
// SSO token works once.
func (s *Server) consumeSSOToken(c *call) response {
	f, bad := decodeFields(c.body, "ssoToken")
	if bad != nil {
		return *bad
	}
	rec := s.ssoTokens[f["ssoToken"]]
	if rec == nil || !c.now.Before(rec.expires) {
		return errorResponse(errSSOTokenExpired)
	}
	delete(s.ssoTokens, f["ssoToken"])
	return jsonResponse(tokenToJSON(s.issueToken(rec.userID, c.app.ID)))
}

// --- users, presence, health ---

// me is GET /users/v1/me, the current user.
func (s *Server) me(c *call) response {
	if resp, ok := requireUser(c); !ok {
		return resp
	}
	u := c.user
	return jsonResponse(userJSON{
		ID:                u.ID,
		Email:             u.Email,
		FirstName:         u.FirstName,
		LastName:          u.LastName,
		Language:          "EN",
		TimeZone:          "Europe/Brussels",
		Activation:        true,
		Roles:             []string{},
		CreationTimestamp: formatTime(u.created),
		UpdateTimestamp:   formatTime(u.created),
	})
}

// confirmPresence is POST /auth/v2/confirmPresence. The presence token
// belongs to the user and is accepted by the MFA settings endpoints until
// it expires (WithPresenceTokenTTL); it can be used more than once.
func (s *Server) confirmPresence(c *call) response {
	if resp, ok := requireUser(c); !ok {
		return resp
	}
	f, bad := decodeFields(c.body, "password")
	if bad != nil {
		return *bad
	}
	if subtle.ConstantTimeCompare([]byte(c.user.Password), []byte(f["password"])) != 1 {
		return errorResponse(errAuthentication)
	}
	for tok, rec := range s.presence {
		if !c.now.Before(rec.expires) {
			delete(s.presence, tok)
		}
	}
	rec := &presenceRecord{userID: c.user.ID, expires: c.now.Add(s.presenceTTL)}
	tok := s.hex40()
	s.presence[tok] = rec
	return jsonResponse(presenceJSON{
		Token:             tok,
		ExpiryTimestamp:   formatTime(rec.expires),
		CreationTimestamp: formatTime(c.now),
	})
}

// health is GET /auth/v2/health: 200 with an empty body.
func (s *Server) health(*call) response {
	return response{status: http.StatusOK}
}
