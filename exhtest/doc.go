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
// # Behaviour
//
// Every request to a known route is checked like the real gateway does
// (spec/protocol.md §1.9), with the fake's own OAuth1 verifier, which is
// deliberately independent of the SDK's signer:
//
//   - a missing or malformed Authorization header, a missing oauth
//     parameter, a signature method other than HMAC-SHA1 or an
//     oauth_version other than 1.0 (leaving it out is accepted): 401/109;
//   - an unknown consumer key: 401/107;
//   - an oauth_token that is unknown, revoked, or of another application:
//     401/108;
//   - a signature that does not match, recomputed over the method, the URL
//     as received (scheme, lower-cased Host without default port, escaped
//     path, query parsed like qs ≥ 6.14.2 with default options, as JS SDK
//     8.14.1 does) and the header parameters: 401/109;
//   - an oauth_timestamp more than the window (WithTimestampWindow, 5
//     minutes by default) away from the server clock: 401/109;
//   - a (consumer key, nonce, timestamp) seen before: 401/110.
//
// Endpoints, with the bodies and codes of spec/protocol.md §2 and §3:
// POST /auth/v2/oauth1/tokens (password grant, 106, 129 with the mfa
// challenge, login rules 211/212/213), POST /auth/v2/oauth1/tokens/mfa (131,
// 16, 134, 130), GET /auth/v2/oauth1/tokens with RQL (eq, ne, in, out, and,
// or, limit, skipCount, select, sort; default limit 20, at most 50; 19 for
// bad RQL), DELETE /auth/v2/oauth1/tokens/{id}, POST
// /auth/v2/oauth1/ssoTokens/generate and …/consume (single use, 404/16 once
// used or expired), GET /users/v1/me, POST /auth/v2/confirmPresence and GET
// /auth/v2/health. Endpoints that need a user answer 401/104 to
// consumer-only signatures. Unknown routes, and known paths with another
// method, answer 404/16 without any signature check. A body that is not a
// JSON object answers 400/22; a missing field 400/14.
//
// Error bodies are exactly {"code":N,"name":"…","message":"…"} (plus "mfa"
// or "remainingDelay" where the service sends them), with Content-Type
// application/json. Timestamps are ISO-8601 strings with milliseconds in
// UTC. IDs are 24-hex ObjectIds, tokens and secrets 40 hex digits, all drawn
// from a seeded generator (WithSeed), so a test sees the same values on
// every run.
//
// # Time
//
// The server clock is time.Now unless WithClock replaces it. SetNow freezes
// it at a given time and Advance moves it; both make the timestamp window,
// MFA and SSO expiry and the login and MFA delays testable without
// sleeping. TOTP computes the codes a user's authenticator would show.
//
// # Faults
//
// FailNext makes the next matching requests fail before they reach the
// handlers: a status and body of your choice (an HTML 502, a 503 with
// Retry-After), a delay, a dropped connection or a connection reset.
//
// # Limits
//
// The fake serves only the endpoints listed above; the MFA settings, the
// application management and the OAuth2 endpoints answer 404/16. It has no
// permissions: a user lists and deletes only their own tokens. It never
// sends 101 or 103 (it has no gateway headers to miss). Presence tokens are
// issued but not stored. Request bodies are read up to 1 MiB. The server
// writes nothing to stderr.
package exhtest
