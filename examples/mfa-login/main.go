// Command mfa-login logs a user in interactively: it asks for the email, the
// password (typed without echo), the MFA method and its code, handling wrong
// codes and the server's reattempt delay the way the README describes.
//
//	go run ./examples/mfa-login
//
// With EXH_HOST, EXH_CONSUMER_KEY and EXH_CONSUMER_SECRET set it logs in to
// that cluster. Without them it starts the exhtest fake auth service
// in-process with a demo account, whose fake credentials it prints.
//
// It reads its answers from standard input. On a terminal the password is
// hidden with `stty -echo`; when standard input is not a terminal it is read
// as a plain line. When the input ends it stops with a message instead of
// waiting. Ctrl-C stops it with exit status 130 at any point, prompts
// included, with the terminal's echo back on. Being interactive, it is not
// run by CI; main_test.go drives it through its prompts.
//
// At the end it revokes the token it got, so it leaves nothing behind; a real
// program would persist the session instead (exh.WithOnSessionChange).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/exhgo/exh"
	"github.com/exhgo/exh/examples/internal/prompt"
	"github.com/exhgo/exh/exhtest"
)

const maxAttempts = 3

func main() {
	// Ctrl-C cancels ctx: the prompt waiting for a line, the delay being
	// waited out or the call in flight returns, the terminal's echo is put
	// back on, and the program exits with status 130.
	prompt.Main("mfa-login", func(ctx context.Context) error {
		return run(ctx, prompt.New(os.Stdin, os.Stdout))
	})
}

func run(ctx context.Context, in *prompt.Prompter) error {
	client, hint, closeFn, err := newClient()
	if err != nil {
		return err
	}
	defer closeFn()

	tok, err := login(ctx, client, in, hint)
	if err != nil {
		return err
	}

	// Every call from now on is signed with the installed session.
	var me struct {
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Email     string `json:"email"`
	}
	if _, err := client.Raw.Get(ctx, "/users/v1/me", &me); err != nil {
		return fmt.Errorf("GET /users/v1/me: %w", err)
	}
	fmt.Printf("\n✓ Logged in as %s %s <%s>, user ID %s, token ID %s\n", me.FirstName, me.LastName, me.Email, tok.UserID, tok.ID)
	fmt.Println("  session:", client.Auth.Session()) // secrets print as REDACTED

	if err := client.Auth.RevokeSession(ctx); err != nil {
		return fmt.Errorf("revoking the token: %w", err)
	}
	fmt.Println("✓ Token revoked: this example leaves no session behind")
	return nil
}

// login asks for the email and password until the password grant accepts
// them, then finishes an MFA login when the account asks for one.
func login(ctx context.Context, client *exh.Client, in *prompt.Prompter, hint demoHint) (*exh.Token, error) {
	for attempt := 1; ; attempt++ {
		email, err := in.Ask(ctx, "Email: ")
		if err != nil {
			return nil, err
		}
		password, err := in.AskHidden(ctx, "Password: ")
		if err != nil {
			return nil, err
		}
		tok, err := client.Auth.Authenticate(ctx, email, password)
		var mfa *exh.MfaRequiredError
		var apiErr *exh.APIError
		switch {
		case err == nil:
			return tok, nil // no MFA on this account
		case errors.As(err, &mfa):
			return confirmMfa(ctx, client, in, mfa.Challenge, hint)
		case errors.Is(err, exh.ErrCodeAuthentication) && attempt < maxAttempts:
			fmt.Println("Wrong email or password, try again.")
		case (errors.Is(err, exh.ErrCodeLoginTimeout) || errors.Is(err, exh.ErrCodeLoginFreeze)) &&
			errors.As(err, &apiErr) && apiErr.RemainingDelay > 0:
			return nil, fmt.Errorf("too many login attempts: try again in %s", apiErr.RemainingDelay.Round(time.Second))
		case errors.Is(err, exh.ErrCodeTooManyFailedAttempts):
			return nil, errors.New("the account is locked after too many failed attempts")
		default:
			return nil, fmt.Errorf("password grant: %w", err)
		}
	}
}

// confirmMfa lets the user pick a method and type its code, then runs the
// MFA grant: a wrong code is asked again, a reattempt delay is waited out.
func confirmMfa(ctx context.Context, client *exh.Client, in *prompt.Prompter, ch exh.MfaChallenge, hint demoHint) (*exh.Token, error) {
	if len(ch.Methods) == 0 {
		return nil, errors.New("the account asks for MFA but lists no method")
	}
	fmt.Printf("\nThis account uses multi-factor authentication (the MFA token is valid for %s).\n", ch.ExpiresIn)
	for i, m := range ch.Methods {
		fmt.Printf("  %d. %s (%s)\n", i+1, m.Name, m.Type)
	}
	method := ch.Methods[0]
	if len(ch.Methods) > 1 {
		for {
			answer, err := in.Ask(ctx, fmt.Sprintf("Method [1-%d]: ", len(ch.Methods)))
			if err != nil {
				return nil, err
			}
			if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(ch.Methods) {
				method = ch.Methods[n-1]
				break
			}
		}
	}

	code, err := in.Ask(ctx, "Code from "+method.Name+hint(method)+": ")
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		tok, err := client.Auth.ConfirmMfa(ctx, exh.MfaConfirmation{Token: ch.Token, MethodID: method.ID, Code: code})
		var apiErr *exh.APIError
		switch {
		case err == nil:
			return tok, nil
		case errors.Is(err, exh.ErrCodeMfaReattemptDelay) && errors.As(err, &apiErr) && attempt < 2*maxAttempts:
			// The code was not checked: send it again once the delay is over.
			fmt.Printf("The server asks to wait %s before the next attempt…\n", apiErr.RemainingDelay)
			select {
			case <-time.After(apiErr.RemainingDelay):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		case errors.Is(err, exh.ErrCodeInvalidMfaCode) && attempt < maxAttempts:
			if code, err = in.Ask(ctx, "Wrong code. Code from "+method.Name+hint(method)+": "); err != nil {
				return nil, err
			}
		case errors.Is(err, exh.ErrCodeInvalidMfaToken):
			return nil, errors.New("the MFA token expired: run mfa-login again")
		default:
			return nil, fmt.Errorf("MFA grant: %w", err)
		}
	}
}

// demoHint returns a hint to show after a method's name at the code prompt:
// only the embedded demo has one.
type demoHint func(exh.MfaMethod) string

// newClient returns a client for the cluster in EXH_*, or for an embedded
// fake server with a demo account.
func newClient() (*exh.Client, demoHint, func(), error) {
	host, key, secret := os.Getenv("EXH_HOST"), os.Getenv("EXH_CONSUMER_KEY"), os.Getenv("EXH_CONSUMER_SECRET")
	if host != "" || key != "" || secret != "" {
		if host == "" || key == "" || secret == "" {
			return nil, nil, nil, errors.New("set EXH_HOST, EXH_CONSUMER_KEY and EXH_CONSUMER_SECRET, or none of them for the demo server")
		}
		client, err := exh.NewClient(exh.Config{Host: host, ConsumerKey: key, ConsumerSecret: secret})
		if err != nil {
			return nil, nil, nil, err
		}
		fmt.Println("Logging in to", client.BaseURL())
		return client, func(exh.MfaMethod) string { return "" }, func() {}, nil
	}

	srv := exhtest.NewServer()
	app := srv.AddApplication(exhtest.Application{Name: "mfa-login"})
	user := srv.AddUser(exhtest.User{
		Email: "demo@example.com", Password: "demo-password", FirstName: "Demo", LastName: "User",
		Mfa: []exhtest.MfaMethod{
			{Type: "totp", Name: "Authenticator"},
			{Type: "recoveryCodes", Name: "Recovery codes", Codes: []string{"DEMO1234", "DEMO5678"}},
		},
	})
	client, err := exh.NewClient(exh.Config{Host: srv.URL, ConsumerKey: app.ConsumerKey, ConsumerSecret: app.ConsumerSecret},
		exh.WithHTTPClient(srv.Client()))
	if err != nil {
		srv.Close()
		return nil, nil, nil, err
	}
	fmt.Println("No EXH_HOST: using an embedded exhtest server with a demo account. Its values are fake,")
	fmt.Println("which is the only reason they are printed:")
	fmt.Printf("  email %s, password %s\n", user.Email, user.Password)
	fmt.Println("  MFA: Authenticator (the prompt shows its current code) or recovery code DEMO1234 or DEMO5678")
	fmt.Println()
	hint := func(m exh.MfaMethod) string {
		for _, seeded := range user.Mfa {
			if seeded.ID == m.ID && seeded.Type == "totp" {
				return " (demo: " + exhtest.TOTP(seeded.Secret, srv.Now()) + ")"
			}
		}
		return ""
	}
	return client, hint, srv.Close, nil
}
