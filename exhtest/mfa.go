package exhtest

import (
	"crypto/subtle"
	"encoding/json"
	"strings"
	"time"
)

// pathMfaUsers starts the paths of the MFA settings endpoints,
// /auth/v2/mfa/users/{userId}….
const pathMfaUsers = "/auth/v2/mfa/users/"

// Method types.
const (
	typeTOTP          = "totp"
	typeRecoveryCodes = "recoveryCodes"
)

// mfaSettings are a user's MFA settings as stored.
type mfaSettings struct {
	enabled bool
	methods []*mfaMethodRecord
	updated time.Time
}

// mfaMethodRecord is a method as stored. A TOTP method is verified by
// POST …/verification/confirm (seeded ones start verified); a
// recovery-codes method never is, since the service verifies only TOTP
// methods, yet it confirms logins: see usable.
type mfaMethodRecord struct {
	MfaMethod
	verified         bool
	created, updated time.Time
}

// usable reports whether the method can confirm a login with the MFA grant:
// a verified method, or a recovery-codes method.
func (m *mfaMethodRecord) usable() bool {
	return m.verified || m.Type == typeRecoveryCodes
}

// required reports whether the password grant asks for MFA: MFA is enabled
// and a method can confirm the login. A nil st (no settings yet) is off.
func (st *mfaSettings) required() bool {
	if st == nil || !st.enabled {
		return false
	}
	for _, m := range st.methods {
		if m.usable() {
			return true
		}
	}
	return false
}

// method returns the method with the given ID, or nil.
func (st *mfaSettings) method(id string) *mfaMethodRecord {
	if st == nil {
		return nil
	}
	for _, m := range st.methods {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// hasVerified reports whether a method other than skip is verified.
func (st *mfaSettings) hasVerified(skip *mfaMethodRecord) bool {
	for _, m := range st.methods {
		if m != skip && m.verified {
			return true
		}
	}
	return false
}

// presenceRecord is a stored presence token.
type presenceRecord struct {
	userID  string
	expires time.Time
}

// mfaSettingsJSON is the wire shape of a user's settings. Its id is the
// user's ID.
type mfaSettingsJSON struct {
	ID              string          `json:"id"`
	Enabled         bool            `json:"enabled"`
	Methods         []mfaMethodFull `json:"methods"`
	UpdateTimestamp string          `json:"updateTimestamp"`
}

// mfaMethodFull is the wire shape of a method in the settings and in the
// answer of POST …/methods, the only answer that carries the secret or the
// codes.
type mfaMethodFull struct {
	ID                string   `json:"id"`
	Type              string   `json:"type"`
	Name              string   `json:"name"`
	Tags              []string `json:"tags"`
	Verified          bool     `json:"verified"`
	Secret            string   `json:"secret,omitempty"`
	Codes             []string `json:"codes,omitempty"`
	CreationTimestamp string   `json:"creationTimestamp"`
	UpdateTimestamp   string   `json:"updateTimestamp"`
}

func (m *mfaMethodRecord) toJSON(withSecrets bool) mfaMethodFull {
	j := mfaMethodFull{
		ID: m.ID, Type: m.Type, Name: m.Name, Tags: append([]string{}, m.Tags...), Verified: m.verified,
		CreationTimestamp: formatTime(m.created), UpdateTimestamp: formatTime(m.updated),
	}
	if withSecrets {
		j.Secret, j.Codes = m.Secret, append([]string(nil), m.Codes...)
	}
	return j
}

// affected is the OperationResult answer of the changes.
var affected = map[string]int{"affectedRecords": 1}

// mfaRoutes are the MFA settings endpoints, keyed by method and the path
// segments after {userId}, with "*" for {methodId}.
var mfaRoutes = map[string]handlerFunc{
	"GET":                                 (*Server).mfaGetSettings,
	"POST methods":                        (*Server).mfaAddMethod,
	"POST methods * verification confirm": (*Server).mfaConfirmMethod,
	"POST enable":                         (*Server).mfaEnable,
	"POST disable":                        (*Server).mfaDisable,
	"POST methods * remove":               (*Server).mfaRemoveMethod,
}

// mfaPathIDs splits a path under /auth/v2/mfa/users/ into the user ID, the
// method ID (when the path has one) and the route key of mfaRoutes. ok is
// false when the path is not under it or has an empty segment.
func mfaPathIDs(method, path string) (userID, methodID, key string, ok bool) {
	rest, found := strings.CutPrefix(path, pathMfaUsers)
	if !found {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	for _, p := range parts {
		if p == "" {
			return "", "", "", false
		}
	}
	shape := append([]string{method}, parts[1:]...)
	if len(parts) > 2 && parts[1] == "methods" {
		methodID, shape[2] = parts[2], "*"
	}
	return parts[0], methodID, strings.Join(shape, " "), true
}

// routeMfa finds the handler of an MFA settings endpoint.
func routeMfa(method, path string) (handlerFunc, bool) {
	_, _, key, ok := mfaPathIDs(method, path)
	if !ok {
		return nil, false
	}
	h, ok := mfaRoutes[key]
	return h, ok
}

// mfaTarget checks who may act: the caller must be signed in with a user
// token (401/104) and may act only on their own settings (401/10, the fake
// models no permissions). It returns the user's settings, created empty
// when the user had none, and the method ID of the path.
func (s *Server) mfaTarget(c *call) (*mfaSettings, string, *response) {
	if resp, ok := requireUser(c); !ok {
		return nil, "", &resp
	}
	userID, methodID, _, _ := mfaPathIDs(c.r.Method, c.path)
	if userID != c.user.ID {
		resp := errorResponse(errNoPermission)
		return nil, "", &resp
	}
	if c.user.mfa == nil {
		c.user.mfa = &mfaSettings{updated: c.now}
	}
	return c.user.mfa, methodID, nil
}

// checkPresence answers 400/132 unless token is a presence token of the
// caller that has not expired.
func (s *Server) checkPresence(c *call, token string) *response {
	rec := s.presence[token]
	if rec == nil || rec.userID != c.user.ID || !c.now.Before(rec.expires) {
		resp := errorResponse(errInvalidPresence)
		return &resp
	}
	return nil
}

// mfaChange runs the common part of the four changes: who may act, the
// body's fields (presenceToken and names), and the presence token.
func (s *Server) mfaChange(c *call, names ...string) (*mfaSettings, string, map[string]string, *response) {
	st, methodID, bad := s.mfaTarget(c)
	if bad != nil {
		return nil, "", nil, bad
	}
	f, bad := decodeFields(c.body, append([]string{"presenceToken"}, names...)...)
	if bad != nil {
		return nil, "", nil, bad
	}
	if bad := s.checkPresence(c, f["presenceToken"]); bad != nil {
		return nil, "", nil, bad
	}
	return st, methodID, f, nil
}

// mfaGetSettings is GET /auth/v2/mfa/users/{userId}. The methods are listed
// without their secret or codes.
func (s *Server) mfaGetSettings(c *call) response {
	st, _, bad := s.mfaTarget(c)
	if bad != nil {
		return *bad
	}
	j := mfaSettingsJSON{ID: c.user.ID, Enabled: st.enabled, Methods: []mfaMethodFull{}, UpdateTimestamp: formatTime(st.updated)}
	for _, m := range st.methods {
		j.Methods = append(j.Methods, m.toJSON(false))
	}
	return jsonResponse(j)
}

// mfaAddMethod is POST /auth/v2/mfa/users/{userId}/methods: a new,
// unverified method, answered with its secret (40 hex digits) or its ten
// recovery codes. A type other than totp or recoveryCodes, or a name or
// tags of the wrong JSON type, answer 400/22.
func (s *Server) mfaAddMethod(c *call) response {
	st, _, f, bad := s.mfaChange(c, "type")
	if bad != nil {
		return *bad
	}
	var opt struct {
		Name *string  `json:"name"`
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(c.body, &opt); err != nil || (f["type"] != typeTOTP && f["type"] != typeRecoveryCodes) {
		return errorResponse(errBodyFormat)
	}
	m := &mfaMethodRecord{
		MfaMethod: MfaMethod{ID: s.objectID(), Type: f["type"], Tags: append([]string{}, opt.Tags...)},
		created:   c.now,
		updated:   c.now,
	}
	if opt.Name != nil {
		m.Name = *opt.Name
	}
	s.fillMethod(&m.MfaMethod, s.hex40)
	st.methods = append(st.methods, m)
	st.updated = c.now
	return jsonResponse(m.toJSON(true))
}

// mfaConfirmMethod is POST
// /auth/v2/mfa/users/{userId}/methods/{methodId}/verification/confirm: a
// TOTP method is verified by one of its codes (the current time step or
// the one just before or after). 404/16 for an unknown method, 400/26 for a
// method that is not TOTP, 400/130 for a wrong code.
func (s *Server) mfaConfirmMethod(c *call) response {
	st, methodID, f, bad := s.mfaChange(c, "code")
	if bad != nil {
		return *bad
	}
	m := st.method(methodID)
	switch {
	case m == nil:
		return errorResponse(errResourceUnknown)
	case m.Type != typeTOTP:
		return errorResponse(errIllegalArgument)
	case !totpValid(m.Secret, f["code"], c.now):
		return errorResponse(errInvalidMfaCode)
	}
	m.verified, m.updated, st.updated = true, c.now, c.now
	return jsonResponse(affected)
}

// mfaEnable is POST /auth/v2/mfa/users/{userId}/enable: 400/133 without a
// verified method (recovery codes are never verified, so they do not
// count).
func (s *Server) mfaEnable(c *call) response {
	st, _, _, bad := s.mfaChange(c)
	if bad != nil {
		return *bad
	}
	if !st.hasVerified(nil) {
		return errorResponse(errNotEnoughMethods)
	}
	st.enabled, st.updated = true, c.now
	return jsonResponse(affected)
}

// mfaDisable is POST /auth/v2/mfa/users/{userId}/disable.
func (s *Server) mfaDisable(c *call) response {
	st, _, _, bad := s.mfaChange(c)
	if bad != nil {
		return *bad
	}
	st.enabled, st.updated = false, c.now
	return jsonResponse(affected)
}

// mfaRemoveMethod is POST
// /auth/v2/mfa/users/{userId}/methods/{methodId}/remove: 404/16 for an
// unknown method; 400/133 when MFA is enabled and no other verified method
// would remain.
func (s *Server) mfaRemoveMethod(c *call) response {
	st, methodID, _, bad := s.mfaChange(c)
	if bad != nil {
		return *bad
	}
	m := st.method(methodID)
	if m == nil {
		return errorResponse(errResourceUnknown)
	}
	if st.enabled && !st.hasVerified(m) {
		return errorResponse(errNotEnoughMethods)
	}
	for i, cur := range st.methods {
		if cur == m {
			st.methods = append(st.methods[:i:i], st.methods[i+1:]...)
			break
		}
	}
	st.updated = c.now
	return jsonResponse(affected)
}

// fillMethod fills the zero fields of a method being added: Name by type,
// and the Secret (from newSecret) of a TOTP method or ten Codes of a
// recovery-codes method. The caller holds s.mu.
func (s *Server) fillMethod(m *MfaMethod, newSecret func() string) {
	if m.Name == "" {
		m.Name = "Google Authenticator"
		if m.Type == typeRecoveryCodes {
			m.Name = "Recovery Codes"
		}
	}
	if m.Type == typeTOTP && m.Secret == "" {
		m.Secret = newSecret()
	}
	if m.Type == typeRecoveryCodes && len(m.Codes) == 0 {
		for range 10 {
			m.Codes = append(m.Codes, s.recoveryCode())
		}
	}
}

// useRecoveryCode removes code from m's codes when it is one of them.
func useRecoveryCode(m *mfaMethodRecord, code string) bool {
	for i, c := range m.Codes {
		if subtle.ConstantTimeCompare([]byte(c), []byte(code)) == 1 {
			m.Codes = append(m.Codes[:i:i], m.Codes[i+1:]...)
			return true
		}
	}
	return false
}
