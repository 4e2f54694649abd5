package exh_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/exhgo/exh"
	"github.com/exhgo/exh/exhtest"
	"github.com/exhgo/exh/oauth1"
)

// TestCanarySecretsNeverPrinted drives every flow, failures included, with
// unique secret values and checks that none reaches an error string, a
// formatted value, slog output or the SDK's own log.
func TestCanarySecretsNeverPrinted(t *testing.T) {
	const (
		consumerSecret = "CanaryConsumerSecret7f3a"
		password       = "CanaryPassword9b2c"
		wrongCode      = "CanaryMfaCode4d1e"
	)
	srv := exhtest.NewServer()
	defer srv.Close()
	app := srv.AddApplication(exhtest.Application{Name: "a", ConsumerSecret: consumerSecret})
	appB := srv.AddApplication(exhtest.Application{Name: "b"})
	mfaUser := srv.AddUser(exhtest.User{Email: "mfa@example.com", Password: password,
		Mfa: []exhtest.MfaMethod{{Type: "totp", Name: "Authenticator"}}})
	srv.AddUser(exhtest.User{Email: "plain@example.com", Password: password})

	var sdkLog bytes.Buffer
	client, err := exh.NewClient(exh.Config{Host: srv.URL, ConsumerKey: app.ConsumerKey, ConsumerSecret: consumerSecret},
		exh.WithHTTPClient(srv.Client()),
		exh.WithLogger(slog.New(slog.NewTextHandler(&sdkLog, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	clientB, err := exh.NewClient(exh.Config{Host: srv.URL, ConsumerKey: appB.ConsumerKey, ConsumerSecret: appB.ConsumerSecret},
		exh.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	ctx := t.Context()

	var values []any // everything the flows produced: errors and results
	keep := func(v any, err error) {
		values = append(values, v)
		if err != nil {
			values = append(values, err)
		}
	}
	secrets := []string{consumerSecret, password, wrongCode}

	// Failures first.
	keep(client.Auth.Authenticate(ctx, "plain@example.com", password+"x"))
	_, err = client.Auth.Authenticate(ctx, "mfa@example.com", password)
	keep(nil, err)
	var mfa *exh.MfaRequiredError
	require.ErrorAs(t, err, &mfa)
	secrets = append(secrets, mfa.Challenge.Token)
	values = append(values, mfa.Challenge)
	confirm := exh.MfaConfirmation{Token: mfa.Challenge.Token, MethodID: mfaUser.Mfa[0].ID, Code: wrongCode}
	values = append(values, confirm)
	keep(client.Auth.ConfirmMfa(ctx, confirm))
	keep(client.Auth.ConfirmMfa(ctx, confirm)) // 134
	srv.Advance(time.Minute)
	confirm.Code = exhtest.TOTP(mfaUser.Mfa[0].Secret, srv.Now())
	tok, err := client.Auth.ConfirmMfa(ctx, confirm)
	require.NoError(t, err)
	values = append(values, tok, *tok)
	secrets = append(secrets, tok.Token, tok.TokenSecret)

	sess := client.Auth.Session()
	values = append(values, sess)
	page, err := client.Tokens.Find(ctx, nil)
	keep(page, err)
	sso, err := client.SSO.Generate(ctx)
	require.NoError(t, err)
	values = append(values, sso, *sso)
	secrets = append(secrets, sso.SSOToken)
	tokB, err := clientB.Auth.AuthenticateWithSSOToken(ctx, sso.SSOToken)
	require.NoError(t, err)
	values = append(values, tokB)
	secrets = append(secrets, tokB.Token, tokB.TokenSecret)
	keep(clientB.SSO.Consume(ctx, sso.SSOToken)) // used: 404/16
	presence, err := client.Auth.ConfirmPresence(ctx, password)
	require.NoError(t, err)
	values = append(values, presence, *presence)
	secrets = append(secrets, presence.Token)
	keep(client.Auth.ConfirmPresence(ctx, password+"x"))
	keep(client.Auth.AuthenticateWithToken(ctx, tok.Token, tok.TokenSecret+"0"))
	srv.FailNext("", "", exhtest.Fault{Status: 502, Body: "<html>" + password + "</html>"})
	keep(client.Auth.Authenticate(ctx, "plain@example.com", password))
	srv.FailNext("", "", exhtest.Fault{Drop: true})
	keep(client.Auth.Authenticate(ctx, "plain@example.com", password))
	keep(nil, client.Auth.RevokeSession(ctx))
	keep(client.Tokens.Find(ctx, nil))
	values = append(values, exh.Config{Host: srv.URL, ConsumerKey: app.ConsumerKey, ConsumerSecret: consumerSecret,
		Token: tok.Token, TokenSecret: tok.TokenSecret}, client)

	var out strings.Builder
	var slogBuf bytes.Buffer
	textLog := slog.New(slog.NewTextHandler(&slogBuf, nil))
	jsonLog := slog.New(slog.NewJSONHandler(&slogBuf, nil))
	for _, v := range values {
		if v == nil {
			continue
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		if e, ok := v.(error); ok {
			out.WriteString(e.Error() + "\n")
		}
		textLog.Info("value", "v", v)
		jsonLog.Info("value", "v", v)
		for _, sec := range secrets {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				if strings.Contains(fmt.Sprintf(verb, v), sec) {
					t.Errorf("%T leaks a secret with %s", v, verb)
				}
			}
		}
	}
	all := out.String() + slogBuf.String() + sdkLog.String()
	require.NotEmpty(t, sdkLog.String(), "the SDK logged something to check")
	for i, s := range secrets {
		require.NotEmpty(t, s)
		for name, text := range map[string]string{"fmt": out.String(), "slog": slogBuf.String(), "SDK log": sdkLog.String()} {
			if strings.Contains(text, s) {
				t.Errorf("secret #%d leaked in %s output", i, name) // never print the canary itself
			}
		}
	}
	assert.Contains(t, all, "REDACTED", "secrets are shown as redacted, not dropped silently")
	assert.Contains(t, all, "AUTHENTICATION_EXCEPTION")
}

// TestConcurrentSigningWhileSessionChanges signs 64×250 GETs while another
// goroutine logs in 100 times and revokes old tokens.
func TestConcurrentSigningWhileSessionChanges(t *testing.T) {
	workers, perWorker, logins := 64, 250, 100
	if testing.Short() {
		workers, perWorker, logins = 16, 50, 20
	}
	f := setup(t)
	f.srv.AddUser(exhtest.User{Email: "c@example.com", Password: "pw"})
	ctx := t.Context()
	_, err := f.client.Auth.Authenticate(ctx, "c@example.com", "pw")
	require.NoError(t, err)

	var wg sync.WaitGroup
	var ok, revoked, other atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWorker {
				_, err := f.client.Raw.Get(ctx, "/auth/v2/health", nil)
				switch {
				case err == nil:
					ok.Add(1)
				case exhErrIs(err, exh.ErrCodeOAuthToken):
					revoked.Add(1) // signed with a token revoked meanwhile: legitimate
				default:
					other.Add(1)
					t.Errorf("unexpected error: %v", err)
				}
			}
		}()
	}
	var last exh.Session
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range logins {
			prev := f.client.Auth.Session()
			if _, err := f.client.Auth.Authenticate(ctx, "c@example.com", "pw"); err != nil {
				t.Errorf("login %d: %v", i, err)
				return
			}
			if i%5 == 0 {
				if err := f.client.Tokens.Remove(ctx, prev.TokenID); err != nil {
					t.Errorf("revoke %d: %v", i, err)
				}
			}
		}
		last = f.client.Auth.Session()
	}()
	wg.Wait()
	assert.Zero(t, other.Load())
	assert.EqualValues(t, workers*perWorker, ok.Load()+revoked.Load())

	nonces := map[string]bool{}
	for _, r := range f.srv.Requests() {
		assert.NotEqual(t, 109, r.Code, "no signature failure (a torn token/secret pair would give one)")
		assert.NotEqual(t, 110, r.Code, "no duplicate nonce")
		assert.False(t, nonces[r.Nonce], "nonce reused")
		nonces[r.Nonce] = true
	}
	f.srv.ResetRequests()
	for range 10 {
		_, err := f.client.Raw.Get(ctx, "/auth/v2/health", nil)
		require.NoError(t, err)
	}
	for _, r := range f.srv.Requests() {
		assert.Equal(t, last.Token, r.Token, "requests after the last login carry the last token")
	}
}

func exhErrIs(err error, code exh.ErrorCode) bool { return errors.Is(err, code) }

// json.Marshal writes the real secrets, on purpose: sessions and tokens are
// persisted that way (documented on each type).
// TestJSONRedactsSecrets: encoding/json, and so slog's JSON handler, never
// writes a secret of any SDK type, alone or inside slices and maps.
func TestJSONRedactsSecrets(t *testing.T) {
	const canary = "canary-json-secret"
	tok := exh.Token{ID: "i", Token: canary + "1", TokenSecret: canary + "2"}
	values := []any{
		exh.Config{Host: "h", ConsumerKey: "k", ConsumerSecret: canary, Token: canary, TokenSecret: canary},
		exh.Session{Token: canary, TokenSecret: canary, TokenID: "id-1"},
		tok, []exh.Token{tok, tok}, map[string]exh.Token{"a": tok}, exh.TokenPage{Data: []exh.Token{tok}},
		exh.SSOToken{ID: "s", SSOToken: canary},
		exh.PresenceToken{Token: canary},
		exh.MfaChallenge{Token: canary, Methods: []exh.MfaMethod{{ID: "m", Secret: canary}}},
		exh.MfaConfirmation{Token: canary, MethodID: "m", Code: canary},
		exh.MfaMethod{ID: "m", Type: exh.MfaTOTP, Secret: canary, Codes: []string{canary}},
		exh.MfaSettings{Methods: []exh.MfaMethod{{ID: "m", Codes: []string{canary}}}},
		exh.MfaMethodRequest{PresenceToken: canary, Type: exh.MfaTOTP},
		exh.MfaMethodConfirmation{MethodID: "m", PresenceToken: canary, Code: canary},
		oauth1.Credentials{ConsumerKey: "k", ConsumerSecret: canary, Token: canary, TokenSecret: canary},
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	for _, v := range values {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.NotContains(t, string(b), canary, "%T", v)
		assert.Contains(t, string(b), "REDACTED", "%T shows that a secret is set", v)
		logger.Info("value", "v", v)
	}
	assert.NotContains(t, logs.String(), canary)
	var back map[string]string
	require.NoError(t, json.Unmarshal([]byte(mustJSON(t, tok)), &back))
	assert.Equal(t, "i", back["ID"], "non-secret fields are kept")
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
