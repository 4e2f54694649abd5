// Command raw lists tokens, generates an SSO token and revokes a token with
// client.Raw, the signed escape hatch for endpoints without a typed method:
//
//	go run ./examples/raw
//
// It runs against the exhtest fake auth service started in-process, checks
// each step, and exits with status 0 only if all of them behaved. Raw calls
// are signed with the client's session and retried, bounded and mapped to
// errors exactly like the typed ones.
//
// Against a real cluster, replace the fake server with your host, consumer
// key and secret, and drop exh.WithHTTPClient.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/exhgo/exh"
	"github.com/exhgo/exh/exhtest"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintf(os.Stderr, "   ✗ %v\nraw failed\n", err)
		os.Exit(1)
	}
	fmt.Println("\nEvery Raw call behaved.")
}

func run(ctx context.Context) error {
	// The fake cluster: one application and one user who is also logged in
	// on another device (an older token).
	srv := exhtest.NewServer()
	defer srv.Close()
	app := srv.AddApplication(exhtest.Application{Name: "portal"})
	user := srv.AddUser(exhtest.User{Email: "john@example.com", Password: "S3cret!"})
	older := srv.AddToken(user.ID, app.ConsumerKey)
	fmt.Println("raw: embedded exhtest server at", srv.URL)

	client, err := exh.NewClient(exh.Config{
		Host:           srv.URL,
		ConsumerKey:    app.ConsumerKey,
		ConsumerSecret: app.ConsumerSecret,
	}, exh.WithHTTPClient(srv.Client()))
	if err != nil {
		return err
	}

	step(1, "Log in (typed): the Raw calls below are signed with this session")
	tok, err := client.Auth.Authenticate(ctx, user.Email, user.Password)
	if err != nil {
		return fmt.Errorf("password grant: %w", err)
	}
	ok("token ID %s", tok.ID)

	step(2, "GET /auth/v2/oauth1/tokens into an exh.TokenPage")
	var page exh.TokenPage
	resp, err := client.Raw.Get(ctx, "/auth/v2/oauth1/tokens", &page)
	if err != nil {
		return fmt.Errorf("listing tokens: %w", err)
	}
	if page.Page.Total != 2 {
		return fmt.Errorf("%d tokens listed, want 2", page.Page.Total)
	}
	ok("HTTP %d, %d tokens (page offset %d, limit %d)", resp.StatusCode, page.Page.Total, page.Page.Offset, page.Page.Limit)

	step(3, "The same with an RQL query: every token but the current one")
	page = exh.TokenPage{}
	query := exh.RQL().Ne("id", tok.ID).Select("id", "creationTimestamp").Build()
	if _, err := client.Raw.Get(ctx, "/auth/v2/oauth1/tokens"+query, &page); err != nil {
		return fmt.Errorf("listing tokens with %s: %w", query, err)
	}
	if len(page.Data) != 1 || page.Data[0].ID != older.ID {
		return fmt.Errorf("the query matched %d tokens, want only the older one", len(page.Data))
	}
	ok("%s matched the older token, ID %s", query, page.Data[0].ID)

	step(4, "POST /auth/v2/oauth1/ssoTokens/generate")
	var sso struct {
		ID       string `json:"id"`
		SSOToken string `json:"ssoToken"`
	}
	if _, err := client.Raw.Post(ctx, "/auth/v2/oauth1/ssoTokens/generate", nil, &sso); err != nil {
		return fmt.Errorf("generating an SSO token: %w", err)
	}
	if sso.SSOToken == "" {
		return errors.New("the answer holds no SSO token")
	}
	ok("SSO token ID %s generated (the token itself is a secret and stays unprinted)", sso.ID)

	step(5, "DELETE /auth/v2/oauth1/tokens/{id}: revoke the older token")
	var res struct {
		AffectedRecords int `json:"affectedRecords"`
	}
	if _, err := client.Raw.Delete(ctx, "/auth/v2/oauth1/tokens/"+older.ID, &res); err != nil {
		return fmt.Errorf("revoking token ID %s: %w", older.ID, err)
	}
	if res.AffectedRecords != 1 {
		return fmt.Errorf("affectedRecords %d, want 1", res.AffectedRecords)
	}
	ok("affectedRecords %d", res.AffectedRecords)

	step(6, "Errors are typed like everywhere else: the same DELETE again")
	_, err = client.Raw.Delete(ctx, "/auth/v2/oauth1/tokens/"+older.ID, &res)
	var apiErr *exh.APIError
	if !errors.Is(err, exh.ErrCodeResourceUnknown) || !errors.As(err, &apiErr) {
		return fmt.Errorf("revoking it twice: got %v, want error 16", err)
	}
	ok("HTTP %d, code %d, errors.Is(err, exh.ErrNotFound) = %t", apiErr.StatusCode, int(apiErr.Code),
		errors.Is(err, exh.ErrNotFound))

	step(7, "GET /users/v1/me into a *[]byte: the body as received")
	var body []byte
	resp, err = client.Raw.Get(ctx, "/users/v1/me", &body)
	if err != nil {
		return fmt.Errorf("GET /users/v1/me: %w", err)
	}
	var me struct {
		Email string `json:"email"`
	}
	if err := json.Unmarshal(body, &me); err != nil || me.Email != user.Email {
		return fmt.Errorf("the body is not the user (%v)", err)
	}
	ok("HTTP %d, %s, %d bytes, email %s", resp.StatusCode, resp.Header.Get("Content-Type"), len(body), me.Email)

	step(8, "Paths that could leave the host are refused before any I/O")
	before := len(srv.Requests())
	for _, path := range []string{"https://elsewhere.example.com/steal", "/auth/v2/../../admin"} {
		_, err := client.Raw.Get(ctx, path, nil)
		if !errors.Is(err, exh.ErrInvalidPath) {
			return fmt.Errorf("Raw.Get(%q): got %v, want exh.ErrInvalidPath", path, err)
		}
		ok("%q: %v", path, err)
	}
	if after := len(srv.Requests()); after != before {
		return fmt.Errorf("%d requests reached the server", after-before)
	}

	// Log out: revoke the current token too.
	if err := client.Auth.RevokeSession(ctx); err != nil {
		return fmt.Errorf("logging out: %w", err)
	}
	return nil
}

func step(n int, title string) { fmt.Printf("\n%d. %s\n", n, title) }

func ok(format string, args ...any) { fmt.Printf("   ✓ "+format+"\n", args...) }
