// Command quickstart is the shortest tour of exh: a password login with MFA,
// the token list, an SSO hand-off to a second application and the logout,
// against exhtest, the SDK's in-process fake auth service, so no account is
// needed. examples/tour checks the same flow step by step, also on a real cluster.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/exhgo/exh"
	"github.com/exhgo/exh/exhtest"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	// A fake cluster: two applications, and a user with an authenticator app.
	srv := exhtest.NewServer()
	defer srv.Close()
	portalApp := srv.AddApplication(exhtest.Application{Name: "portal"})
	boardApp := srv.AddApplication(exhtest.Application{Name: "dashboard"})
	user := srv.AddUser(exhtest.User{Email: "john@example.com", Password: "S3cret!",
		Mfa: []exhtest.MfaMethod{{Type: exh.MfaTOTP, Name: "Authenticator"}}})

	// One client per application; for a real cluster: its Host, your keys, no WithHTTPClient.
	config := func(app exhtest.Application) exh.Config {
		return exh.Config{Host: srv.URL, ConsumerKey: app.ConsumerKey, ConsumerSecret: app.ConsumerSecret}
	}
	portal, err1 := exh.NewClient(config(portalApp), exh.WithHTTPClient(srv.Client()))
	board, err2 := exh.NewClient(config(boardApp), exh.WithHTTPClient(srv.Client()))
	if err := errors.Join(err1, err2); err != nil {
		return err
	}

	// 1. The password grant. The user has MFA, so it answers with a challenge.
	_, err := portal.Auth.Authenticate(ctx, user.Email, user.Password)
	var mfa *exh.MfaRequiredError
	if !errors.As(err, &mfa) || len(mfa.Challenge.Methods) == 0 {
		return fmt.Errorf("password grant: want an MFA challenge, got %v", err)
	}

	// 2. The MFA grant, with the code the user's app shows now (the fake computes it on its clock).
	code := exhtest.TOTP(user.Mfa[0].Secret, srv.Now())
	tok, err := portal.Auth.ConfirmMfa(ctx, exh.MfaConfirmation{
		Token: mfa.Challenge.Token, MethodID: mfa.Challenge.Methods[0].ID, Code: code})
	if err != nil {
		return fmt.Errorf("MFA grant: %w", err)
	}
	fmt.Println("portal: logged in as user", tok.UserID, "with token ID", tok.ID)

	// 3. Every later call is signed with the token the grant installed.
	for t, err := range portal.Tokens.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("listing tokens: %w", err)
		}
		fmt.Println("portal: the user has token ID", t.ID)
	}

	// 4. SSO hand-off: the dashboard consumes the portal's single-use SSO token.
	sso, err := portal.SSO.Generate(ctx)
	if err != nil {
		return fmt.Errorf("generating an SSO token: %w", err)
	}
	fmt.Println("portal: generated SSO token ID", sso.ID)
	boardTok, err := board.Auth.AuthenticateWithSSOToken(ctx, sso.SSOToken)
	if err != nil {
		return fmt.Errorf("consuming the SSO token: %w", err)
	}
	fmt.Println("dashboard: logged in as user", boardTok.UserID, "with token ID", boardTok.ID)

	// 5. Log out of both: each token is deleted on the server and forgotten.
	if err := errors.Join(board.Auth.RevokeSession(ctx), portal.Auth.RevokeSession(ctx)); err != nil {
		return fmt.Errorf("revoking the tokens: %w", err)
	}
	fmt.Println("both tokens revoked")
	return nil
}
