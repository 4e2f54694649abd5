// Command mfa-setup sets up multi-factor authentication for an account, logs
// in with it, and takes it away again:
//
//	log in → confirm presence → add a TOTP method (print its otpauth URL) →
//	verify it with a code → add recovery codes → enable MFA → log out →
//	log in again (MfaRequiredError, then ConfirmMfa) → disable MFA
//
// Run it from the module root:
//
//	go run ./examples/mfa-setup
//
// With no environment it runs against an embedded exhtest server, without
// asking anything: it computes the codes an authenticator app would show, and
// prints the fake secret. With EXH_HOST, EXH_CONSUMER_KEY,
// EXH_CONSUMER_SECRET, EXH_EMAIL and EXH_PASSWORD set it uses that account,
// which must not have MFA yet, and asks for the codes of your app. There it
// prints the otpauth URL, which holds the new secret (your app needs it),
// and nothing else secret. At the end it disables MFA, removes both methods
// and revokes its tokens. If it stops in between (Ctrl-C exits with status
// 130), MFA may stay enabled on the account: log in with a code from the app
// (examples/mfa-login shows how) and call MfaService.Disable.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/exhgo/exh"
	"github.com/exhgo/exh/examples/internal/prompt"
	"github.com/exhgo/exh/exhtest"
)

func main() {
	// Ctrl-C cancels ctx: a prompt or a call in flight returns, and the
	// deferred clean-ups run before the exit with status 130.
	prompt.Main("mfa-setup", run)
}

// target is the account to set up, on the embedded fake or a real cluster.
type target struct {
	client          *exh.Client
	email, password string
	embedded        bool
	code            func(ctx context.Context, secret string) (string, error) // what the app shows now
}

func run(ctx context.Context) error {
	t, closeFn, err := newTarget(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	c := t.client

	_, err = c.Auth.Authenticate(ctx, t.email, t.password)
	if errors.As(err, new(*exh.MfaRequiredError)) {
		return errors.New("this account already uses MFA: mfa-setup needs one without")
	} else if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Println("1. Logged in as", t.email)
	presence, err := c.Auth.ConfirmPresence(ctx, t.password)
	if err != nil {
		return fmt.Errorf("confirm presence: %w", err)
	}
	fmt.Println("2. Presence confirmed until", presence.ExpiryTimestamp.Local().Format(time.TimeOnly))

	totp, err := c.Mfa.AddMethod(ctx, exh.MfaMethodRequest{PresenceToken: presence.Token, Type: exh.MfaTOTP, Name: "mfa-setup"})
	if err != nil {
		return fmt.Errorf("add TOTP method: %w", err)
	}
	link, err := totp.OTPAuthURL("exh mfa-setup", t.email)
	if err != nil {
		return err
	}
	fmt.Println("3. TOTP method added. Scan or paste this URL into your authenticator app:\n  ", link)
	if t.embedded {
		fmt.Println("   (embedded server, fake values) secret:", totp.Secret)
	}
	err = withCode(ctx, t, totp.Secret, func(code string) error {
		return c.Mfa.ConfirmMethod(ctx, exh.MfaMethodConfirmation{MethodID: totp.ID, PresenceToken: presence.Token, Code: code})
	})
	if err != nil {
		return fmt.Errorf("verify TOTP method: %w", err)
	}
	fmt.Println("4. TOTP method verified")

	codes, err := c.Mfa.AddMethod(ctx, exh.MfaMethodRequest{PresenceToken: presence.Token, Type: exh.MfaRecoveryCodes})
	if err != nil {
		return fmt.Errorf("add recovery codes: %w", err)
	}
	fmt.Printf("5. %d recovery codes added (a real program shows them to the user once)\n", len(codes.Codes))
	if err := c.Mfa.Enable(ctx, "", presence.Token); err != nil {
		return fmt.Errorf("enable MFA: %w", err)
	}
	settings, err := c.Mfa.Settings(ctx, "")
	if err != nil {
		return fmt.Errorf("read MFA settings: %w", err)
	}
	fmt.Printf("6. MFA enabled: %t, with %d methods\n", settings.Enabled, len(settings.Methods))

	if err := c.Auth.RevokeSession(ctx); err != nil { // log out, on the server too
		return fmt.Errorf("log out: %w", err)
	}
	_, err = c.Auth.Authenticate(ctx, t.email, t.password)
	var mfa *exh.MfaRequiredError
	if !errors.As(err, &mfa) {
		return fmt.Errorf("the login after enabling MFA should ask for it, got: %v", err)
	}
	fmt.Println("7. Logged out; logging in again asks for MFA")
	err = withCode(ctx, t, totp.Secret, func(code string) error {
		_, err := c.Auth.ConfirmMfa(ctx, exh.MfaConfirmation{Token: mfa.Challenge.Token, MethodID: totp.ID, Code: code})
		return err
	})
	if err != nil {
		return fmt.Errorf("MFA login: %w", err)
	}
	fmt.Println("8. Logged in with the code")

	if presence, err = c.Auth.ConfirmPresence(ctx, t.password); err != nil {
		return fmt.Errorf("confirm presence: %w", err)
	}
	if err := c.Mfa.Disable(ctx, "", presence.Token); err != nil {
		return fmt.Errorf("disable MFA: %w", err)
	}
	for _, id := range []string{totp.ID, codes.ID} {
		if err := c.Mfa.RemoveMethod(ctx, "", id, presence.Token); err != nil {
			return fmt.Errorf("remove method %s: %w", id, err)
		}
	}
	if err := c.Auth.RevokeSession(ctx); err != nil {
		return fmt.Errorf("log out: %w", err)
	}
	fmt.Println("9. MFA disabled, methods removed, logged out: the account is as it was")
	return nil
}

// withCode runs try with the code the app shows. After a wrong code, or one
// sent too soon after a wrong one, it asks again, three times at most.
func withCode(ctx context.Context, t *target, secret string, try func(code string) error) error {
	for attempt := 1; ; attempt++ {
		code, err := t.code(ctx, secret)
		if err != nil {
			return err
		}
		err = try(code)
		if attempt == 3 || !errors.Is(err, exh.ErrCodeInvalidMfaCode) && !errors.Is(err, exh.ErrCodeMfaReattemptDelay) {
			return err
		}
		fmt.Println("   Not accepted, try the next code:", err) // errors never hold the code
	}
}

// newTarget returns the embedded fake's demo account, or the EXH_* account
// whose codes are asked on the terminal. The function releases it.
func newTarget(ctx context.Context) (*target, func(), error) {
	env := map[string]string{}
	for _, n := range []string{"EXH_HOST", "EXH_CONSUMER_KEY", "EXH_CONSUMER_SECRET", "EXH_EMAIL", "EXH_PASSWORD"} {
		if v := os.Getenv(n); v != "" {
			env[n] = v
		}
	}
	switch len(env) {
	case 0:
		srv := exhtest.NewServer()
		app := srv.AddApplication(exhtest.Application{Name: "mfa-setup"})
		user := srv.AddUser(exhtest.User{Email: "demo@example.com", Password: "demo-password"})
		client, err := exh.NewClient(exh.Config{Host: srv.URL, ConsumerKey: app.ConsumerKey, ConsumerSecret: app.ConsumerSecret},
			exh.WithHTTPClient(srv.Client()))
		if err != nil {
			srv.Close()
			return nil, nil, err
		}
		fmt.Println("No EXH_HOST: using an embedded exhtest server at", srv.URL)
		appCode := func(_ context.Context, secret string) (string, error) { return exhtest.TOTP(secret, srv.Now()), nil }
		return &target{client: client, email: user.Email, password: user.Password, embedded: true, code: appCode}, srv.Close, nil
	case 1, 2, 3, 4:
		return nil, nil, errors.New("set all of EXH_HOST, EXH_CONSUMER_KEY, EXH_CONSUMER_SECRET, EXH_EMAIL and EXH_PASSWORD, or none for the embedded server")
	}
	client, err := exh.NewClient(exh.Config{Host: env["EXH_HOST"], ConsumerKey: env["EXH_CONSUMER_KEY"], ConsumerSecret: env["EXH_CONSUMER_SECRET"]})
	if err != nil {
		return nil, nil, err
	}
	fmt.Println("Setting up MFA on", client.BaseURL())
	in := prompt.New(os.Stdin, os.Stdout)
	ask := func(ctx context.Context, _ string) (string, error) {
		return in.Ask(ctx, "   Code from your app: ")
	}
	return &target{client: client, email: env["EXH_EMAIL"], password: env["EXH_PASSWORD"], code: ask}, func() {}, nil
}
