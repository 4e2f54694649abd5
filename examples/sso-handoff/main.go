// Command sso-handoff hands a logged-in user from one application to another
// with a single-use SSO token, so the user does not log in twice:
//
//	go run ./examples/sso-handoff
//
// Two clients play two OAuth1 applications, a "portal" and a "dashboard",
// against the exhtest fake auth service started in-process. The portal logs
// the user in and generates the SSO token; the dashboard consumes it and gets
// its own token for the same user. The program checks each step and exits
// with status 0 only if all of them behaved.
//
// Against a real cluster, replace the fake server with your host and the two
// applications' consumer keys and secrets, and drop exh.WithHTTPClient.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/exhgo/exh"
	"github.com/exhgo/exh/exhtest"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintf(os.Stderr, "   ✗ %v\nsso-handoff failed\n", err)
		os.Exit(1)
	}
	fmt.Println("\nThe handoff behaved.")
}

func run(ctx context.Context) error {
	// The fake cluster: two applications and one user without MFA.
	srv := exhtest.NewServer()
	defer srv.Close()
	portalApp := srv.AddApplication(exhtest.Application{Name: "portal"})
	boardApp := srv.AddApplication(exhtest.Application{Name: "dashboard"})
	user := srv.AddUser(exhtest.User{Email: "jane@example.com", Password: "S3cret!"})
	fmt.Println("sso-handoff: embedded exhtest server at", srv.URL)

	// One client per application.
	portal, err := exh.NewClient(exh.Config{
		Host:           srv.URL,
		ConsumerKey:    portalApp.ConsumerKey,
		ConsumerSecret: portalApp.ConsumerSecret,
	}, exh.WithHTTPClient(srv.Client()))
	if err != nil {
		return err
	}
	board, err := exh.NewClient(exh.Config{
		Host:           srv.URL,
		ConsumerKey:    boardApp.ConsumerKey,
		ConsumerSecret: boardApp.ConsumerSecret,
	}, exh.WithHTTPClient(srv.Client()))
	if err != nil {
		return err
	}

	step(1, "The portal logs the user in (password grant)")
	portalTok, err := portal.Auth.Authenticate(ctx, user.Email, user.Password)
	if err != nil {
		return fmt.Errorf("password grant: %w", err)
	}
	ok("user %s, portal token ID %s", portalTok.UserID, portalTok.ID)

	step(2, "The portal generates a single-use SSO token")
	sso, err := portal.SSO.Generate(ctx)
	if err != nil {
		return fmt.Errorf("generating the SSO token: %w", err)
	}
	ok("SSO token ID %s for user %s, valid for %s", sso.ID, sso.UserID,
		sso.ExpiryTimestamp.Sub(sso.CreationTimestamp).Round(time.Second))
	// A web portal would now redirect to the dashboard with sso.SSOToken in
	// the URL. It is a bearer secret: never log it.
	handedOver := sso.SSOToken

	step(3, "The dashboard consumes it and is logged in")
	boardTok, err := board.Auth.AuthenticateWithSSOToken(ctx, handedOver)
	if err != nil {
		return fmt.Errorf("consuming the SSO token: %w", err)
	}
	switch {
	case boardTok.UserID != portalTok.UserID:
		return fmt.Errorf("the dashboard is logged in as user %s, want %s", boardTok.UserID, portalTok.UserID)
	case boardTok.ApplicationID == portalTok.ApplicationID:
		return errors.New("the dashboard's token belongs to the portal's application")
	case board.Auth.Session().TokenID != boardTok.ID:
		return errors.New("the dashboard's client did not install the token")
	}
	ok("same user %s; the dashboard signs with its own token, ID %s", boardTok.UserID, boardTok.ID)

	step(4, "The dashboard makes a signed call as the user")
	page, err := board.Tokens.Find(ctx, exh.RQL().Eq("userId", boardTok.UserID))
	if err != nil {
		return fmt.Errorf("listing tokens as the dashboard: %w", err)
	}
	if page.Page.Total != 2 {
		return fmt.Errorf("the user has %d tokens, want 2 (one per application)", page.Page.Total)
	}
	ok("the user has %d tokens, one per application", page.Page.Total)

	step(5, "The SSO token is single use")
	_, err = board.Auth.AuthenticateWithSSOToken(ctx, handedOver)
	if !errors.Is(err, exh.ErrCodeResourceUnknown) {
		return fmt.Errorf("a second use: got %v, want error 16", err)
	}
	if board.Auth.Session().TokenID != boardTok.ID {
		return errors.New("the failed grant changed the dashboard's session")
	}
	ok("a second use fails with 16 and keeps the session: %v", err)

	step(6, "The sessions are independent: the dashboard logs out, the portal stays in")
	if err := board.Auth.RevokeSession(ctx); err != nil {
		return fmt.Errorf("revoking the dashboard's token: %w", err)
	}
	page, err = portal.Tokens.Find(ctx, nil)
	if err != nil {
		return fmt.Errorf("the portal after the dashboard's logout: %w", err)
	}
	if page.Page.Total != 1 || page.Data[0].ID != portalTok.ID {
		return fmt.Errorf("the portal sees %d tokens, want only its own", page.Page.Total)
	}
	ok("the dashboard's token is revoked; the portal still works and sees 1 token")
	if err := portal.Auth.RevokeSession(ctx); err != nil {
		return fmt.Errorf("revoking the portal's token: %w", err)
	}
	if n := len(srv.Tokens()); n != 0 {
		return fmt.Errorf("the server still holds %d tokens", n)
	}
	ok("the portal logs out too; the server holds no tokens")
	return nil
}

func step(n int, title string) { fmt.Printf("\n%d. %s\n", n, title) }

func ok(format string, args ...any) { fmt.Printf("   ✓ "+format+"\n", args...) }
