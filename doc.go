// Package exh is a Go client for ExtraHorizon's OAuth1 authentication: it logs
// users in to an ExtraHorizon cluster and signs every later request with
// OAuth 1.0a HMAC-SHA1, exactly as the ExtraHorizon auth service checks it.
//
// # Logging in
//
// Create one Client per OAuth1 application and share it between goroutines:
//
//	client, err := exh.NewClient(exh.Config{
//		Host:           "dev.example.extrahorizon.io",
//		ConsumerKey:    key,
//		ConsumerSecret: secret,
//	})
//	tok, err := client.Auth.Authenticate(ctx, email, password) // password grant
//	var mfaErr *exh.MfaRequiredError                           // a pointer: the SDK returns *MfaRequiredError
//	if errors.As(err, &mfaErr) {
//		tok, err = client.Auth.ConfirmMfa(ctx, exh.MfaConfirmation{ // MFA grant
//			Token: mfaErr.Challenge.Token, MethodID: mfaErr.Challenge.Methods[0].ID, Code: code})
//	}
//
// A successful grant installs the token as the client's session: every later
// call is signed with it, and every attempt of one call with the same
// credentials. Persist the session (WithOnSessionChange, SaveCredentials) and
// resume it with Config.Token and Config.TokenSecret or
// AuthService.AuthenticateWithToken.
//
// # Services
//
//   - Client.Auth (AuthService): the password, MFA, token and SSO grants, the
//     session, presence confirmation, logout and revocation.
//   - Client.Tokens (TokensService): list (Find, FindFirst, FindByID, All as an
//     iter.Seq2) and revoke (Remove) the user's OAuth1 tokens; RQL (package
//     rql) builds their queries.
//   - Client.SSO (SSOService): single-use SSO tokens that another application
//     consumes (AuthService.AuthenticateWithSSOToken).
//   - Client.Mfa (MfaService): the user's MFA settings and methods — add a TOTP
//     or recovery-codes method, verify it, enable, disable, remove.
//   - Client.Raw (RawService): any other endpoint, signed the same way.
//
// # Errors
//
// Every error answer is an *APIError. Compare its code with errors.Is and the
// ErrCode constants (errors.Is(err, exh.ErrCodeOAuthToken)) or its class with
// ErrUnauthorized, ErrBadRequest, ErrForbidden, ErrNotFound and ErrServer. A
// lookup that finds nothing matches ErrNotFound. A 129 answer is an
// *MfaRequiredError. Network failures are *RequestError (errors.Is(err,
// context.DeadlineExceeded) works), and a call that must not be repeated and
// failed after it may have reached the server is an *OutcomeUnknownError.
//
// # Safety
//
// Secrets (passwords, token secrets, the consumer secret, MFA tokens and
// codes, TOTP secrets, recovery codes, SSO and presence tokens) never appear
// in errors, logs, or the fmt, slog and JSON forms of the SDK's types. Calls
// are retried only when that is safe (see RetryPolicy), every attempt is
// signed anew, redirects are never followed, and response bodies are bounded
// (WithMaxResponseBytes).
//
// # Testing
//
// Package exhtest is an in-process fake of the auth service that verifies
// every signature, for your own tests; httpmock works through
// WithHTTPClient or httpmock.Activate. Package oauth1 is the signer on its
// own, as an http.RoundTripper usable with any http.Client. The wire protocol
// is written down in docs/protocol.md of the repository.
package exh
