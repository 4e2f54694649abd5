package exh_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/jarcoal/httpmock"

	"github.com/exhgo/exh"
	"github.com/exhgo/exh/exhtest"
)

// This example logs a user in with the password grant against the exhtest
// fake server. The grant installs the token on the client, so every later
// call is signed with it.
func Example_passwordLogin() {
	ctx := context.Background()
	srv := exhtest.NewServer()
	defer srv.Close()
	app := srv.AddApplication(exhtest.Application{Name: "portal"})
	user := srv.AddUser(exhtest.User{Email: "john@example.com", Password: "S3cret!"})

	client, err := exh.NewClient(exh.Config{
		Host:           srv.URL, // a real cluster: "dev.example.extrahorizon.io"
		ConsumerKey:    app.ConsumerKey,
		ConsumerSecret: app.ConsumerSecret,
	}, exh.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.Auth.Authenticate(ctx, "john@example.com", "wrong")
	fmt.Println("wrong password is error 106:", errors.Is(err, exh.ErrCodeAuthentication))

	tok, err := client.Auth.Authenticate(ctx, "john@example.com", "S3cret!")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged in as the user:", tok.UserID == user.ID)
	fmt.Println("token installed as the session:", client.Auth.Session().TokenID == tok.ID)

	// Secrets never print: fmt and slog show REDACTED instead.
	fmt.Println("token value printed:", strings.Contains(fmt.Sprintf("%+v", tok), tok.Token))
	// Output:
	// wrong password is error 106: true
	// logged in as the user: true
	// token installed as the session: true
	// token value printed: false
}

// This example finishes a login for an account with multi-factor
// authentication: the password grant answers with an *exh.MfaRequiredError
// whose challenge lists the user's methods, and ConfirmMfa sends the code.
func ExampleAuthService_ConfirmMfa() {
	ctx := context.Background()
	srv := exhtest.NewServer()
	defer srv.Close()
	app := srv.AddApplication(exhtest.Application{Name: "portal"})
	user := srv.AddUser(exhtest.User{
		Email:    "john@example.com",
		Password: "S3cret!",
		Mfa:      []exhtest.MfaMethod{{Type: "totp", Name: "Authenticator"}},
	})
	client, err := exh.NewClient(exh.Config{Host: srv.URL, ConsumerKey: app.ConsumerKey,
		ConsumerSecret: app.ConsumerSecret}, exh.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.Auth.Authenticate(ctx, "john@example.com", "S3cret!")
	var mfa *exh.MfaRequiredError
	if !errors.As(err, &mfa) {
		log.Fatalf("want an MFA challenge, got %v", err)
	}
	fmt.Println("MFA required, code", int(mfa.Code), "- token valid for", mfa.Challenge.ExpiresIn)
	for _, m := range mfa.Challenge.Methods {
		fmt.Printf("method %q (%s)\n", m.Name, m.Type)
	}

	// The code the user's authenticator app shows; on a real cluster, ask the user.
	code := exhtest.TOTP(user.Mfa[0].Secret, srv.Now())
	tok, err := client.Auth.ConfirmMfa(ctx, exh.MfaConfirmation{
		Token:    mfa.Challenge.Token,
		MethodID: mfa.Challenge.Methods[0].ID,
		Code:     code,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged in as the user:", tok.UserID == user.ID)
	// Output:
	// MFA required, code 129 - token valid for 15m0s
	// method "Authenticator" (totp)
	// logged in as the user: true
}

// This example walks over every token of the user. All fetches 50 tokens
// per request, lazily, as the loop goes.
func ExampleTokensService_All() {
	ctx := context.Background()
	srv := exhtest.NewServer()
	defer srv.Close()
	app := srv.AddApplication(exhtest.Application{Name: "portal"})
	user := srv.AddUser(exhtest.User{Email: "john@example.com", Password: "S3cret!"})
	for range 60 { // sessions on other devices
		srv.AddToken(user.ID, app.ConsumerKey)
	}
	client, err := exh.NewClient(exh.Config{Host: srv.URL, ConsumerKey: app.ConsumerKey,
		ConsumerSecret: app.ConsumerSecret}, exh.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Auth.Authenticate(ctx, "john@example.com", "S3cret!"); err != nil {
		log.Fatal(err)
	}
	srv.ResetRequests()

	count := 0
	for t, err := range client.Tokens.All(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		if t.UserID == user.ID {
			count++
		}
	}
	fmt.Println(count, "tokens in", len(srv.Requests()), "requests")
	// Output:
	// 61 tokens in 2 requests
}

// This example hands a session from one application to another: the portal
// generates a single-use SSO token and the dashboard logs in with it.
func ExampleSSOService_Generate() {
	ctx := context.Background()
	srv := exhtest.NewServer()
	defer srv.Close()
	portalApp := srv.AddApplication(exhtest.Application{Name: "portal"})
	boardApp := srv.AddApplication(exhtest.Application{Name: "dashboard"})
	user := srv.AddUser(exhtest.User{Email: "john@example.com", Password: "S3cret!"})
	newClient := func(app exhtest.Application) *exh.Client {
		c, err := exh.NewClient(exh.Config{Host: srv.URL, ConsumerKey: app.ConsumerKey,
			ConsumerSecret: app.ConsumerSecret}, exh.WithHTTPClient(srv.Client()))
		if err != nil {
			log.Fatal(err)
		}
		return c
	}
	portal, board := newClient(portalApp), newClient(boardApp)
	if _, err := portal.Auth.Authenticate(ctx, "john@example.com", "S3cret!"); err != nil {
		log.Fatal(err)
	}

	sso, err := portal.SSO.Generate(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("SSO token valid for", sso.ExpiryTimestamp.Sub(sso.CreationTimestamp))

	tok, err := board.Auth.AuthenticateWithSSOToken(ctx, sso.SSOToken)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("dashboard logged in as the user:", tok.UserID == user.ID)
	fmt.Println("with a token of its own application:", tok.ApplicationID == boardApp.ID)

	_, err = board.Auth.AuthenticateWithSSOToken(ctx, sso.SSOToken)
	fmt.Println("second use is error 16:", errors.Is(err, exh.ErrCodeResourceUnknown))
	// Output:
	// SSO token valid for 5m0s
	// dashboard logged in as the user: true
	// with a token of its own application: true
	// second use is error 16: true
}

// This example calls endpoints without a typed method through Raw: the
// calls are signed with the session and their errors are typed like the
// others.
func ExampleRawService_Get() {
	ctx := context.Background()
	srv := exhtest.NewServer()
	defer srv.Close()
	app := srv.AddApplication(exhtest.Application{Name: "portal"})
	srv.AddUser(exhtest.User{Email: "john@example.com", Password: "S3cret!", FirstName: "John"})
	client, err := exh.NewClient(exh.Config{Host: srv.URL, ConsumerKey: app.ConsumerKey,
		ConsumerSecret: app.ConsumerSecret}, exh.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Auth.Authenticate(ctx, "john@example.com", "S3cret!"); err != nil {
		log.Fatal(err)
	}

	var me struct {
		FirstName string `json:"firstName"`
		Email     string `json:"email"`
	}
	resp, err := client.Raw.Get(ctx, "/users/v1/me", &me)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, me.FirstName, me.Email)

	var page exh.TokenPage
	if _, err := client.Raw.Get(ctx, "/auth/v2/oauth1/tokens?limit(10)", &page); err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Page.Total, "token, limit", page.Page.Limit)

	_, err = client.Raw.Get(ctx, "/auth/v2/unknown", nil)
	var apiErr *exh.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code == exh.ErrCodeResourceUnknown)
	}
	// Output:
	// 200 John john@example.com
	// 1 token, limit 10
	// 404 true
}

// This example mocks the API with httpmock, the two ways that work: a mock
// transport given with WithHTTPClient, or httpmock.Activate (which replaces
// http.DefaultTransport, before or after NewClient). Retries are off, so a
// request without a responder fails at once.
func ExampleWithHTTPClient_httpmock() {
	ctx := context.Background()
	cfg := exh.Config{Host: "dev.example.io", ConsumerKey: "key", ConsumerSecret: "secret",
		Token: "token", TokenSecret: "token-secret"}
	const tokens = "https://api.dev.example.io/auth/v2/oauth1/tokens"
	page := httpmock.NewStringResponder(200, `{"data":[{"id":"t1"}],"page":{"total":1,"offset":0,"limit":20}}`)

	// 1. A mock transport of your own.
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("GET", tokens, page)
	client, err := exh.NewClient(cfg, exh.WithHTTPClient(&http.Client{Transport: mock}), exh.WithRetry(exh.NoRetry()))
	if err != nil {
		log.Fatal(err)
	}
	p, err := client.Tokens.Find(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("mock transport:", p.Data[0].ID)
	_, err = client.Raw.Get(ctx, "/users/v1/me", nil)
	fmt.Println("no responder, an error at once:", err != nil)

	// 2. httpmock.Activate after NewClient: the client sees the replaced
	// http.DefaultTransport at its next request.
	client, err = exh.NewClient(cfg, exh.WithRetry(exh.NoRetry()))
	if err != nil {
		log.Fatal(err)
	}
	httpmock.Activate()
	defer httpmock.DeactivateAndReset()
	httpmock.RegisterResponder("GET", tokens, func(r *http.Request) (*http.Response, error) {
		fmt.Println("signed:", strings.HasPrefix(r.Header.Get("Authorization"), "OAuth "))
		return page(r)
	})
	p, err = client.Tokens.Find(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("activated:", p.Data[0].ID)
	// Output:
	// mock transport: t1
	// no responder, an error at once: true
	// signed: true
	// activated: t1
}
