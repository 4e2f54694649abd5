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
//	var mfa *exh.MfaRequiredError
//	if errors.As(err, &mfa) {
//		tok, err = client.Auth.ConfirmMfa(ctx, exh.MfaConfirmation{ // MFA grant
//			Token: mfa.Mfa.Token, MethodID: mfa.Mfa.Methods[0].ID, Code: code})
//	}
//
// A successful grant installs the token as the client's session: every later
// call is signed with it. Persist the Session (WithOnSessionChange) and resume
// it with Config.Token and Config.TokenSecret or AuthService.AuthenticateWithToken.
//
// # Tokens, SSO and other endpoints
//
// TokensService lists (Find, All as an iter.Seq2) and revokes (Remove) the
// user's OAuth1 tokens; RQL builds their queries. SSOService generates
// single-use SSO tokens that another application consumes
// (AuthService.AuthenticateWithSsoToken). RawService reaches any other
// endpoint, signed the same way.
//
// # Errors
//
// Every error answer is an *APIError. Compare its code with errors.Is and the
// ErrCode constants (errors.Is(err, exh.ErrCodeOAuthToken)) or its class with
// ErrUnauthorized, ErrBadRequest, ErrForbidden, ErrNotFound and ErrServer.
// A 129 answer is an *MfaRequiredError. Network failures are *RequestError
// (errors.Is(err, context.DeadlineExceeded) works), and a non-repeatable call
// that failed after it may have reached the server is an *OutcomeUnknownError.
//
// # Safety
//
// Secrets (passwords, token secrets, the consumer secret, MFA tokens and
// codes, SSO and presence tokens) never appear in errors, logs or fmt/slog
// output of the SDK's types; json.Marshal still writes them, for persistence.
// Calls are retried only when that is safe (see RetryPolicy), every attempt
// is signed anew, redirects are never followed, and response bodies are
// bounded (WithMaxResponseBytes).
//
// # Testing
//
// Package exhtest is an in-process fake of the auth service that verifies
// every signature, for your own tests. Package oauth1 is the signer on its
// own, as an http.RoundTripper usable with any http.Client.
package exh
