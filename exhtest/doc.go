// Package exhtest is an in-process fake of the ExtraHorizon auth service for
// tests and examples, shaped like net/http/httptest.
//
// NewServer starts a server on a loopback port. Tests seed it with
// applications, users and tokens, point the SDK (or any HTTP client) at
// Server.URL, and inspect what arrived with Requests:
//
//	srv := exhtest.NewServer(exhtest.WithSeed(42))
//	defer srv.Close()
//	app := srv.AddApplication(exhtest.Application{})
//	user := srv.AddUser(exhtest.User{Email: "john@example.com", Password: "S3cret!"})
//	// sign requests with app.ConsumerKey and app.ConsumerSecret and send
//	// them to srv.URL, e.g. POST /auth/v2/oauth1/tokens with
//	// {"email":"john@example.com","password":"S3cret!"}.
//	for _, r := range srv.Requests() {
//		fmt.Println(r.Method, r.Path, r.Status, r.Code) // bodies are scrubbed of secrets
//	}
//
// The package uses the standard library only, and none of the SDK: its
// OAuth1 verifier is written separately from the SDK's signer, so that one
// cannot hide the other's mistakes.
//
// # Signature checks
//
// Every request to a known route is checked like the real gateway checks
// it, in this order:
//
//   - a missing or malformed Authorization header, a missing oauth
//     parameter, a signature method other than HMAC-SHA1 or an
//     oauth_version other than 1.0 (leaving it out is accepted): 401/109;
//   - an unknown consumer key: 401/107;
//   - an oauth_token that is unknown, revoked, or of another application:
//     401/108;
//   - a signature that does not match: 401/109. It is recomputed over the
//     method, the URL as received (scheme, lower-cased Host without its
//     default port, escaped path) and the parameters: the header's oauth
//     parameters, and the query as qs 6.15.2 parses it with its default
//     options, which is what JS SDK 8.14.1 signs. That includes qs's rules
//     for brackets (a[b]=1, a[]=1, nested and unterminated groups, %5B and
//     %5D), its array limit (more than 20 values, or an index of 20 or
//     more, give an object with index keys), its depth limit (5 bracket
//     groups), its parameter limit (1000 pieces), repeated and conflicting
//     names, and the names of Object.prototype (__proto__, constructor, …),
//     which it drops. testdata/qs_cases.json, written by the real qs
//     (testdata/qsgen), holds the expected results; see docs/protocol.md,
//     Query string parameters;
//   - an oauth_timestamp more than the window (WithTimestampWindow, 5
//     minutes by default) away from the server clock: 401/109;
//   - a (consumer key, nonce, timestamp) seen before: 401/110.
//
// # Endpoints
//
// POST /auth/v2/oauth1/tokens (password grant: 106, 129 with the mfa
// challenge, login rules 211/212/213), POST /auth/v2/oauth1/tokens/mfa (131,
// 16, 134, 130), GET /auth/v2/oauth1/tokens with RQL (eq, ne, in, out, and,
// or, limit, skipCount, select, sort; default limit 20, at most 50; 19 for
// bad RQL), DELETE /auth/v2/oauth1/tokens/{id}, POST
// /auth/v2/oauth1/ssoTokens/generate and …/consume (single use, 404/16 once
// used or expired), GET /users/v1/me, POST /auth/v2/confirmPresence (106
// for a wrong password), GET /auth/v2/health, and the MFA settings
// endpoints described below. Endpoints that need a user answer 401/104 to
// consumer-only signatures. Unknown routes, and known paths with another
// method, answer 404/16 without any signature check. A body that is not a
// JSON object answers 400/22; a missing field 400/14.
//
// Error bodies are exactly {"code":N,"name":"…","message":"…"} (plus "mfa"
// or "remainingDelay" where the service sends them), with Content-Type
// application/json. Timestamps are ISO-8601 strings with milliseconds in
// UTC.
//
// Tokens carry creationTimestamp (when issued; it never changes),
// lastUsedTimestamp (left out until the token is first used; then the time
// of the latest request signed with it that passed the checks above,
// whatever the endpoint answered) and updateTimestamp (when the token record
// last changed: its issue, then every use). See Token.
//
// # MFA settings
//
// Each user has MFA settings: an enabled flag, methods, and an
// updateTimestamp that moves with every change. A user seeded with
// User.Mfa starts with MFA enabled and its TOTP methods verified; other
// users start with none, and GET creates empty ones. The settings
// endpoints, all signed with the user's token and for that user only:
//
//   - GET /auth/v2/mfa/users/{userId}: {"id" (the user's ID), "enabled",
//     "methods", "updateTimestamp"}; each method is {"id", "type", "name",
//     "tags", "verified", "creationTimestamp", "updateTimestamp"}, without
//     its secret or codes.
//   - POST …/methods {presenceToken, type, name?, tags?}: the new method,
//     unverified, with its "secret" (a TOTP method: 40 hex digits, as the
//     OpenAPI types it) or its "codes" (ten 8-character recovery codes).
//     Names default to "Google Authenticator" and "Recovery Codes"; another
//     type answers 400/22.
//   - POST …/methods/{methodId}/verification/confirm {presenceToken, code}:
//     verifies a TOTP method with one of its codes (TOTP computes them from
//     the secret of the answer); 400/130 for a wrong code, 400/26 for a
//     method that is not TOTP, 404/16 for an unknown method.
//   - POST …/enable {presenceToken}: 400/133 without a verified method.
//   - POST …/disable {presenceToken}.
//   - POST …/methods/{methodId}/remove {presenceToken}: 404/16 for an
//     unknown method, 400/133 when MFA is on and no other verified method
//     would remain.
//
// Confirm, enable, disable and remove answer {"affectedRecords":1}. The
// checks run in this order: 401/104 without a user token; 401/10
// NO_PERMISSION_EXCEPTION for another user's ID (the status the
// ExtraHorizon documentation gives for code 10); then, for the five
// changes, 400/22 and 400/14 for the body, 400/132 for a presence token
// that is unknown, expired or another user's, and the checks above.
//
// Presence tokens come from POST /auth/v2/confirmPresence. They belong to
// one user, can be used any number of times, and expire 10 minutes after
// they are issued (WithPresenceTokenTTL) on the server clock.
//
// The service verifies only TOTP methods, so a recovery-codes method is
// never "verified": it does not count for 133, yet it confirms logins. The
// password grant asks for MFA (403/129) when MFA is enabled and a verified
// TOTP method or a recovery-codes method exists; its challenge lists those
// methods, and the MFA grant answers 404/16 for an unverified method, as
// the OpenAPI describes. Each recovery code works once.
//
// After a failed MFA attempt the user must wait before the next attempt is
// checked; until then the MFA grant answers 400/134 with remainingDelay in
// milliseconds. The delay grows with each consecutive failure, as the
// ExtraHorizon MFA documentation describes it: 1, 1.5, 2, 3, 5, 7, 10, 15,
// 20 and 30 s after the 1st … 10th failure, 30 s after any later one. A
// successful MFA grant starts it over; WithMfaReattemptDelay scales it.
//
// # Seeds
//
// IDs are 24-hex ObjectIds, tokens and secrets 40 hex digits, all drawn from
// a seeded generator. WithSeed fixes the seed, so a test sees the same values
// on every run. Without it each server gets a seed of its own (derived from
// how many servers the process created before without WithSeed), so two
// servers never share keys, IDs or secrets.
//
// # Time
//
// The server clock is time.Now unless WithClock replaces it. SetNow freezes
// it at a given time and Advance moves it; both make the timestamp window,
// MFA, SSO and presence token expiry and the login and MFA delays testable
// without sleeping. TOTP computes the codes a user's authenticator would
// show, from a secret in base32 (seeded users) or 40 hex digits (methods
// added through the API).
//
// # Path prefix
//
// WithPathPrefix serves every route under a prefix, as a cluster behind a
// reverse proxy that adds a path: a client whose host is Server.URL +
// "/api" signs and sends /api/auth/v2/oauth1/tokens. Signatures cover the
// full path as received; a request outside the prefix answers 404/16.
// Request.Path and FailNext paths are full paths.
//
// # Faults
//
// FailNext makes the next matching requests fail before they reach the
// handlers: a status and body of your choice (an HTML 502, a 503 with
// Retry-After), a delay, a dropped connection or a connection reset.
//
// # What exhtest does not model
//
// The fake is built from the SDKs, the service's OpenAPI and its
// documentation, not from the service's code. These differences remain:
//
//   - Endpoints: only those listed above. The application management and
//     the OAuth2 endpoints answer 404/16.
//   - Permissions: there are none. A user lists and deletes only their own
//     tokens, and reads and changes only their own MFA settings (10
//     otherwise); the service lets a user with VIEW_AUTHORIZATIONS list
//     anyone's tokens, and VIEW_USER_MFA_SETTINGS and
//     UPDATE_USER_MFA_SETTINGS act on anyone's settings.
//   - MFA settings: the listing leaves out secrets and codes (the service's
//     may include them; they are deprecated there). That the settings' id
//     is the user's ID, that recovery codes stay unverified, that an
//     unverified method is left out of the 129 challenge, that a presence
//     token can be reused, and the 400/22 for a bad type are the fake's
//     reading of the OpenAPI, not documented behaviour. The change answers
//     are {"affectedRecords":1}, also when nothing changed (the JavaScript
//     SDK types the verification's answer as {description}). A TOTP
//     verification code is not checked against the MFA reattempt delay,
//     and the fake does not refuse a code used before.
//   - Gateway: it never sends 101 or 103 (it has no gateway headers to miss).
//     The signed URL is rebuilt from the Host header and the path as this
//     server receives them, over plain HTTP; behind a real gateway the
//     scheme and host are the gateway's.
//   - Query parsing: the fake parses like qs 6.15.2, the version JS SDK
//     8.14.1 signs with; the service's own qs version is not published, and
//     other versions treat brackets and long lists differently.
//   - Raw characters in the query: the fake takes the query's bytes as they
//     arrive, as UTF-8. A Node server reads them as Latin-1, and the WHATWG
//     URL parser then percent-encodes non-ASCII characters (and space, ",
//     ', <, >). So JS SDK 8.14.1 on Node, which signs é as %C3%A9 but sends
//     it as the single byte 0xE9, is refused by the fake (401/109) and
//     probably accepted by the service, while raw UTF-8 bytes from a Go
//     client are accepted by the fake and probably refused by the service.
//     Percent-encode such characters in queries and both agree.
//   - RQL: only the operators listed above; any other answers 400/19, where
//     the service may support it.
//   - Limits of its own choosing: the 5-minute timestamp window, the
//     5-minute SSO token lifetime, the 10-minute presence token lifetime
//     (the service's is not documented) and the 1 MiB read of request
//     bodies. The nonce store forgets nonces once
//     their timestamp has left the window.
//   - Login rules (211, 212, 213) are off until SetLoginRules sets them: the
//     service's own thresholds are not published.
//   - MFA delay: the schedule above follows the documentation's "about 1 s,
//     5 s at the 5th attempt, 30 s at the 10th"; the service's exact values,
//     and whether it counts failures per user (as the fake does) or per MFA
//     token, are not published.
//   - Token timestamps: that lastUsedTimestamp is missing until the first
//     use and that each use moves updateTimestamp are inferred (a grant
//     answer of the service has no lastUsedTimestamp, its OpenAPI lists
//     one), not documented.
//   - Users: /users/v1/me answers fixed values for the fields a test cannot
//     seed (language EN, time zone Europe/Brussels, activated, no roles).
//   - Messages: error codes, names and HTTP statuses follow the service;
//     the message texts may not.
//
// The server writes nothing to stderr.
package exhtest
