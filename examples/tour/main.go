// Command tour walks through the whole exh flow and checks every step:
//
//	password grant → *exh.MfaRequiredError → MFA grant with a TOTP code →
//	token listing → SSO token generated in one application and consumed in
//	another → revocation and the 108 error on reuse → logout.
//
// Run it from the module root:
//
//	go run ./examples/tour
//
// With no environment it starts the exhtest fake auth service in-process and
// seeds two applications ("portal" and "dashboard") and a user with MFA, so
// no account is needed. With EXH_HOST, EXH_CONSUMER_KEY, EXH_CONSUMER_SECRET,
// EXH_EMAIL and EXH_PASSWORD set it runs against that cluster instead and
// asks for the MFA code on the terminal; there a second client of the same
// application plays the second one. It revokes the two tokens it creates, so
// it leaves nothing behind. examples/quickstart is the same flow in short.
//
// It exits with status 0 only if every step behaved as expected, and with
// status 130 on Ctrl-C, also while it waits at a prompt. It never prints a
// password, a token, a secret or an MFA code: only IDs.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/exhgo/exh"
	"github.com/exhgo/exh/examples/internal/prompt"
	"github.com/exhgo/exh/exhtest"
)

func main() {
	// Ctrl-C cancels ctx: the prompts and the calls in flight return, and
	// the deferred clean-ups run before the exit with status 130.
	prompt.Main("tour", func(ctx context.Context) error {
		err := run(ctx)
		if err != nil && ctx.Err() == nil { // a step failed, under its title
			fmt.Fprintf(os.Stderr, "   ✗ %v\ntour failed\n", err)
			return prompt.ErrReported
		}
		return err
	})
}

// target is where the quickstart runs: the embedded fake or a real cluster.
type target struct {
	where           string
	portal, board   exh.Config   // the two applications
	email, password string       // the user's credentials
	httpClient      *http.Client // nil for a real cluster
	// mfaCode gives the code of one of the user's MFA methods: from the fake's
	// authenticator, or typed on the terminal.
	mfaCode func(exh.MfaMethod) (string, error)
	// chooseMethod picks the MFA method to confirm with.
	chooseMethod func([]exh.MfaMethod) (exh.MfaMethod, error)
	embedded     bool
}

func run(ctx context.Context) error {
	t, closeTarget, err := newTarget(ctx)
	if err != nil {
		return err
	}
	defer closeTarget()
	fmt.Println("exh tour:", t.where)

	var opts []exh.Option
	if t.httpClient != nil {
		opts = append(opts, exh.WithHTTPClient(t.httpClient))
	}
	portal, err := exh.NewClient(t.portal, opts...)
	if err != nil {
		return err
	}

	// 1. The password grant. An account with MFA answers with a challenge.
	step(1, "Password grant for "+t.email)
	tok, err := portal.Auth.Authenticate(ctx, t.email, t.password)
	var mfa *exh.MfaRequiredError
	switch {
	case errors.As(err, &mfa):
		ok("MFA required: *exh.MfaRequiredError, code %d; MFA token valid for %s; methods:",
			int(mfa.Code), mfa.Challenge.ExpiresIn)
		for i, m := range mfa.Challenge.Methods {
			fmt.Printf("       %d. %s (%s)\n", i+1, m.Name, m.Type)
		}
		if len(mfa.Challenge.Methods) == 0 {
			return errors.New("the MFA challenge lists no methods")
		}
	case err != nil:
		return fmt.Errorf("password grant: %w", err)
	case t.embedded:
		return errors.New("the password grant logged in without MFA, but the seeded user has MFA")
	default:
		ok("logged in without MFA (this account has none)")
	}

	// 2. The MFA grant finishes the login and installs the token.
	if mfa != nil {
		step(2, "MFA grant")
		method, err := t.chooseMethod(mfa.Challenge.Methods)
		if err != nil {
			return err
		}
		if tok, err = confirmMfa(ctx, portal, t, mfa.Challenge.Token, method); err != nil {
			return err
		}
		ok("the code from %s was accepted", method.Name)
	} else {
		step(2, "MFA grant: skipped, no MFA on this account")
	}
	if tok.UserID == "" || portal.Auth.Session().TokenID != tok.ID {
		return errors.New("the grant did not install a session with a user")
	}
	ok("logged in as user %s; the session signs with token ID %s", tok.UserID, tok.ID)

	// 3. Every later call is signed with the session.
	step(3, "List the user's tokens (Tokens.All)")
	count, listed := 0, false
	for each, err := range portal.Tokens.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("listing tokens: %w", err)
		}
		count++
		mark := ""
		if each.ID == tok.ID {
			listed, mark = true, "  ← this session"
		}
		if count <= 5 {
			fmt.Printf("       token ID %s  created %s%s\n", each.ID, each.CreationTimestamp.Local().Format(time.DateTime), mark)
		}
	}
	if count > 5 {
		fmt.Printf("       … and %d more\n", count-5)
	}
	if !listed {
		return errors.New("the current token is not in the list")
	}
	ok("%d token(s), the current one among them", count)

	// 4. A single-use SSO token hands the session to another application.
	step(4, "Generate an SSO token in the portal")
	sso, err := portal.SSO.Generate(ctx)
	if err != nil {
		return fmt.Errorf("generating an SSO token: %w", err)
	}
	if sso.UserID != tok.UserID {
		return fmt.Errorf("the SSO token is for user %s, want %s", sso.UserID, tok.UserID)
	}
	ok("SSO token ID %s for user %s, valid for %s", sso.ID, sso.UserID,
		sso.ExpiryTimestamp.Sub(sso.CreationTimestamp).Round(time.Second))

	// 5. The second application consumes it and is logged in as the same user.
	step(5, "The dashboard consumes the SSO token")
	board, err := exh.NewClient(t.board, opts...)
	if err != nil {
		return err
	}
	tokB, err := board.Auth.AuthenticateWithSSOToken(ctx, sso.SSOToken)
	if err != nil {
		return fmt.Errorf("consuming the SSO token: %w", err)
	}
	var me struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	}
	if _, err := board.Raw.Get(ctx, "/users/v1/me", &me); err != nil {
		return fmt.Errorf("GET /users/v1/me as the dashboard: %w", err)
	}
	if tokB.UserID != tok.UserID || me.ID != tok.UserID {
		return fmt.Errorf("the dashboard is logged in as user %s, want %s", me.ID, tok.UserID)
	}
	ok("the dashboard is logged in as %s with its own token, ID %s", me.Email, tokB.ID)
	_, err = board.SSO.Consume(ctx, sso.SSOToken)
	if !errors.Is(err, exh.ErrCodeResourceUnknown) {
		return fmt.Errorf("a second use of the SSO token: got %v, want error 16", err)
	}
	ok("a second use of the SSO token fails: %v", err)

	// 6. Revocation: the stored token no longer signs anything.
	step(6, "The dashboard revokes its token; reusing it gives 108")
	stored := board.Auth.Session() // what an app would have persisted
	if err := board.Auth.RevokeSession(ctx); err != nil {
		return fmt.Errorf("revoking the dashboard's token: %w", err)
	}
	if board.Auth.Session() != (exh.Session{}) {
		return errors.New("RevokeSession left a session on the client")
	}
	ok("token ID %s deleted on the server and forgotten by the client", stored.TokenID)
	resumed := t.board
	resumed.Token, resumed.TokenSecret = stored.Token, stored.TokenSecret
	stale, err := exh.NewClient(resumed, opts...)
	if err != nil {
		return err
	}
	_, err = stale.Tokens.Find(ctx, exh.RQL().Limit(1))
	if !errors.Is(err, exh.ErrCodeOAuthToken) {
		return fmt.Errorf("a call with the revoked token: got %v, want error 108", err)
	}
	ok("a client resumed with the revoked token gets: %v", err)
	if own, err := portal.Tokens.FindByID(ctx, tok.ID); err != nil || own == nil {
		return fmt.Errorf("the portal's session should be unaffected: token ID %s: %v", tok.ID, err)
	}
	ok("the portal's session still works")

	// 7. Logout. RevokeSession deletes the token on the server and forgets it
	// locally; Logout alone would only forget it locally.
	step(7, "Log out of the portal")
	if err := portal.Auth.RevokeSession(ctx); err != nil {
		return fmt.Errorf("logging out: %w", err)
	}
	_, err = portal.Tokens.Find(ctx, nil)
	if !errors.Is(err, exh.ErrUnauthorized) {
		return fmt.Errorf("a user call after logout: got %v, want an unauthorized error", err)
	}
	ok("logged out; a user call now fails: %v", err)

	fmt.Println("\nAll 7 steps behaved.")
	return nil
}

// confirmMfa runs the MFA grant. On a terminal a wrong code may be typed
// again, up to three attempts, waiting when the server asks for a delay.
func confirmMfa(ctx context.Context, c *exh.Client, t *target, mfaToken string, method exh.MfaMethod) (*exh.Token, error) {
	code, err := t.mfaCode(method)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		tok, err := c.Auth.ConfirmMfa(ctx, exh.MfaConfirmation{Token: mfaToken, MethodID: method.ID, Code: code})
		if err == nil {
			return tok, nil
		}
		var apiErr *exh.APIError
		switch {
		case attempt == 3 || t.embedded:
			return nil, fmt.Errorf("MFA grant: %w", err)
		case errors.Is(err, exh.ErrCodeMfaReattemptDelay) && errors.As(err, &apiErr):
			fmt.Printf("     the server asks to wait %s before the next attempt\n", apiErr.RemainingDelay)
			select {
			case <-time.After(apiErr.RemainingDelay):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		case errors.Is(err, exh.ErrCodeInvalidMfaCode):
			fmt.Println("     wrong code, try again")
			if code, err = t.mfaCode(method); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("MFA grant: %w", err)
		}
	}
}

// newTarget picks the embedded fake server or, when EXH_* is set, a real
// cluster. The returned function releases it. The prompts of a real cluster
// return ctx's error when ctx ends (Ctrl-C).
func newTarget(ctx context.Context) (*target, func(), error) {
	names := []string{"EXH_HOST", "EXH_CONSUMER_KEY", "EXH_CONSUMER_SECRET", "EXH_EMAIL", "EXH_PASSWORD"}
	var set, missing []string
	for _, n := range names {
		if os.Getenv(n) != "" {
			set = append(set, n)
		} else {
			missing = append(missing, n)
		}
	}
	switch {
	case len(set) == 0:
		t, closeFn := embeddedTarget()
		return t, closeFn, nil
	case len(missing) > 0:
		return nil, nil, fmt.Errorf("%s set but %s missing: set all five to use a real cluster, or none for the embedded server",
			strings.Join(set, ", "), strings.Join(missing, ", "))
	}
	cfg := exh.Config{
		Host:           os.Getenv("EXH_HOST"),
		ConsumerKey:    os.Getenv("EXH_CONSUMER_KEY"),
		ConsumerSecret: os.Getenv("EXH_CONSUMER_SECRET"),
	}
	in := prompt.New(os.Stdin, os.Stdout)
	return &target{
		where:    "cluster " + cfg.Host + " (a second client of the same application plays the dashboard)",
		portal:   cfg,
		board:    cfg,
		email:    os.Getenv("EXH_EMAIL"),
		password: os.Getenv("EXH_PASSWORD"),
		chooseMethod: func(methods []exh.MfaMethod) (exh.MfaMethod, error) {
			if len(methods) == 1 {
				return methods[0], nil
			}
			for {
				answer, err := in.Ask(ctx, fmt.Sprintf("   Which method? [1-%d]: ", len(methods)))
				if err != nil {
					return exh.MfaMethod{}, err
				}
				if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(methods) {
					return methods[n-1], nil
				}
			}
		},
		mfaCode: func(m exh.MfaMethod) (string, error) {
			return in.Ask(ctx, "   Code from "+m.Name+": ")
		},
	}, func() {}, nil
}

// embeddedTarget starts the exhtest fake and seeds it: two applications and
// a user with an authenticator (TOTP) and recovery codes.
func embeddedTarget() (*target, func()) {
	srv := exhtest.NewServer()
	portal := srv.AddApplication(exhtest.Application{Name: "portal"})
	board := srv.AddApplication(exhtest.Application{Name: "dashboard"})
	user := srv.AddUser(exhtest.User{
		Email:     "john@example.com",
		Password:  "S3cret!",
		FirstName: "John",
		LastName:  "Doe",
		Mfa: []exhtest.MfaMethod{
			{Type: "totp", Name: "Authenticator"}, // the secret is generated
			{Type: "recoveryCodes", Name: "Recovery codes"},
		},
	})
	config := func(app exhtest.Application) exh.Config {
		return exh.Config{Host: srv.URL, ConsumerKey: app.ConsumerKey, ConsumerSecret: app.ConsumerSecret}
	}
	return &target{
		where:      "embedded exhtest server at " + srv.URL + " (set EXH_HOST and friends for a real cluster)",
		portal:     config(portal),
		board:      config(board),
		email:      user.Email,
		password:   user.Password,
		httpClient: srv.Client(),
		embedded:   true,
		chooseMethod: func(methods []exh.MfaMethod) (exh.MfaMethod, error) {
			for _, m := range methods {
				if m.Type == "totp" {
					return m, nil
				}
			}
			return exh.MfaMethod{}, errors.New("the MFA challenge has no totp method")
		},
		// The user's authenticator app: the current code of the seeded secret.
		mfaCode: func(m exh.MfaMethod) (string, error) {
			for _, seeded := range user.Mfa {
				if seeded.ID == m.ID && seeded.Type == "totp" {
					return exhtest.TOTP(seeded.Secret, srv.Now()), nil
				}
			}
			return "", fmt.Errorf("no authenticator for method %q", m.Name)
		},
	}, srv.Close
}

func step(n int, title string) { fmt.Printf("\n%d. %s\n", n, title) }

func ok(format string, args ...any) { fmt.Printf("   ✓ "+format+"\n", args...) }
