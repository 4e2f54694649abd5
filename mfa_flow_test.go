package exh_test

import (
	"bytes"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/exhgo/exh"
	"github.com/exhgo/exh/exhtest"
)

// mfaUser adds a user without MFA to f, logs the client in and confirms
// the user's presence.
func mfaUser(t *testing.T, f *fake, email, password string) (exhtest.User, *exh.PresenceToken) {
	t.Helper()
	user := f.srv.AddUser(exhtest.User{Email: email, Password: password})
	_, err := f.client.Auth.Authenticate(t.Context(), email, password)
	require.NoError(t, err)
	presence, err := f.client.Auth.ConfirmPresence(t.Context(), password)
	require.NoError(t, err)
	return user, presence
}

// TestFlowMfaEnrolment runs the whole set-up of MFA, the login it then
// requires, and its removal.
func TestFlowMfaEnrolment(t *testing.T) {
	f := setup(t)
	const email, password = "enrol@example.com", "pw-enrol"
	user, presence := mfaUser(t, f, email, password)
	ctx := t.Context()
	assert.Equal(t, 10*time.Minute, presence.ExpiryTimestamp.Sub(presence.CreationTimestamp))

	totp, err := f.client.Mfa.AddMethod(ctx, exh.MfaMethodRequest{PresenceToken: presence.Token, Type: exh.MfaTOTP, Name: "Phone", Tags: []string{"selected"}})
	require.NoError(t, err)
	assert.Equal(t, exh.MfaTOTP, totp.Type)
	assert.Equal(t, "Phone", totp.Name)
	assert.Equal(t, []string{"selected"}, totp.Tags)
	assert.False(t, totp.Verified)
	assert.Regexp(t, "^[0-9a-f]{40}$", totp.Secret)
	assert.False(t, totp.CreationTimestamp.IsZero())

	// The otpauth URL carries the same key in base32: an app set up from it
	// shows the codes the server expects.
	link, err := totp.OTPAuthURL("Example", email)
	require.NoError(t, err)
	u, err := url.Parse(link)
	require.NoError(t, err)
	assert.Equal(t, "otpauth", u.Scheme)
	assert.Equal(t, "totp", u.Host)
	assert.Equal(t, "/Example:"+email, u.Path)
	key, err := hex.DecodeString(totp.Secret)
	require.NoError(t, err)
	appSecret := u.Query().Get("secret")
	assert.Equal(t, base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key), appSecret)
	assert.Equal(t, exhtest.TOTP(totp.Secret, f.srv.Now()), exhtest.TOTP(appSecret, f.srv.Now()))

	require.NoError(t, f.client.Mfa.ConfirmMethod(ctx, exh.MfaMethodConfirmation{
		MethodID: totp.ID, PresenceToken: presence.Token, Code: exhtest.TOTP(appSecret, f.srv.Now())}))
	codes, err := f.client.Mfa.AddMethod(ctx, exh.MfaMethodRequest{PresenceToken: presence.Token, Type: exh.MfaRecoveryCodes})
	require.NoError(t, err)
	assert.Equal(t, "Recovery Codes", codes.Name)
	require.Len(t, codes.Codes, 10)
	require.NoError(t, f.client.Mfa.Enable(ctx, "", presence.Token))

	settings, err := f.client.Mfa.Settings(ctx, "")
	require.NoError(t, err)
	assert.True(t, settings.Enabled)
	assert.Equal(t, user.ID, settings.UserID)
	assert.False(t, settings.UpdateTimestamp.IsZero())
	require.Len(t, settings.Methods, 2)
	assert.Equal(t, totp.ID, settings.Methods[0].ID)
	assert.True(t, settings.Methods[0].Verified)
	assert.Empty(t, settings.Methods[0].Secret, "the listing has no secret")
	assert.Equal(t, codes.ID, settings.Methods[1].ID)
	assert.False(t, settings.Methods[1].Verified, "recovery codes are never verified, yet usable")

	f.client.Auth.Logout()
	f.srv.Advance(time.Minute)
	_, err = f.client.Auth.Authenticate(ctx, email, password)
	var mfa *exh.MfaRequiredError
	require.ErrorAs(t, err, &mfa)
	var offered []string
	for _, m := range mfa.Challenge.Methods {
		offered = append(offered, m.ID)
	}
	assert.Equal(t, []string{totp.ID, codes.ID}, offered)
	tok, err := f.client.Auth.ConfirmMfa(ctx, exh.MfaConfirmation{Token: mfa.Challenge.Token, MethodID: totp.ID,
		Code: exhtest.TOTP(totp.Secret, f.srv.Now())})
	require.NoError(t, err)
	assert.Equal(t, user.ID, tok.UserID)

	presence, err = f.client.Auth.ConfirmPresence(ctx, password)
	require.NoError(t, err)
	require.NoError(t, f.client.Mfa.Disable(ctx, user.ID, presence.Token))
	f.client.Auth.Logout()
	_, err = f.client.Auth.Authenticate(ctx, email, password)
	require.NoError(t, err, "MFA off: the password grant alone logs in")
	settings, err = f.client.Mfa.Settings(ctx, "")
	require.NoError(t, err)
	assert.False(t, settings.Enabled)

	for _, r := range f.srv.Requests() {
		assert.NotEqual(t, 109, r.Code, "every signature verified: %+v", r)
	}
}

func TestFlowMfaPresenceTokenExpires(t *testing.T) {
	// A wide timestamp window: the server clock jumps ahead of the SDK's.
	f := setup(t, exhtest.WithTimestampWindow(time.Hour))
	_, presence := mfaUser(t, f, "expire@example.com", "pw")
	ctx := t.Context()
	request := exh.MfaMethodRequest{PresenceToken: presence.Token, Type: exh.MfaTOTP}
	_, err := f.client.Mfa.AddMethod(ctx, request)
	require.NoError(t, err)

	f.srv.Advance(10 * time.Minute)
	_, err = f.client.Mfa.AddMethod(ctx, request)
	require.ErrorIs(t, err, exh.ErrCodeInvalidPresenceToken)
	assert.ErrorIs(t, err, exh.ErrBadRequest)
	err = f.client.Mfa.Disable(ctx, "", presence.Token)
	require.ErrorIs(t, err, exh.ErrCodeInvalidPresenceToken)
	assert.NotContains(t, err.Error(), presence.Token)

	// Confirm presence again and retry, as MfaService says.
	presence, err = f.client.Auth.ConfirmPresence(ctx, "pw")
	require.NoError(t, err)
	require.NoError(t, f.client.Mfa.Disable(ctx, "", presence.Token))
}

func TestFlowMfaErrors(t *testing.T) {
	f := setup(t)
	user, presence := mfaUser(t, f, "errors@example.com", "pw")
	other := f.srv.AddUser(exhtest.User{Email: "other@example.com", Password: "pw2"})
	ctx := t.Context()

	err := f.client.Mfa.Enable(ctx, "", presence.Token)
	require.ErrorIs(t, err, exh.ErrCodeNotEnoughMfaMethods, "no verified method yet")
	totp, err := f.client.Mfa.AddMethod(ctx, exh.MfaMethodRequest{PresenceToken: presence.Token, Type: exh.MfaTOTP})
	require.NoError(t, err)
	err = f.client.Mfa.Enable(ctx, user.ID, presence.Token)
	require.ErrorIs(t, err, exh.ErrCodeNotEnoughMfaMethods, "an unverified TOTP method is not enough")

	wrong := "000000"
	for exhtest.TOTP(totp.Secret, f.srv.Now()) == wrong || exhtest.TOTP(totp.Secret, f.srv.Now().Add(-30*time.Second)) == wrong ||
		exhtest.TOTP(totp.Secret, f.srv.Now().Add(30*time.Second)) == wrong {
		wrong = "111111"
	}
	confirm := exh.MfaMethodConfirmation{MethodID: totp.ID, PresenceToken: presence.Token, Code: wrong}
	err = f.client.Mfa.ConfirmMethod(ctx, confirm)
	require.ErrorIs(t, err, exh.ErrCodeInvalidMfaCode)
	codes, err := f.client.Mfa.AddMethod(ctx, exh.MfaMethodRequest{PresenceToken: presence.Token, Type: exh.MfaRecoveryCodes})
	require.NoError(t, err)
	confirm.MethodID, confirm.Code = codes.ID, codes.Codes[0]
	require.ErrorIs(t, f.client.Mfa.ConfirmMethod(ctx, confirm), exh.ErrCodeIllegalArgument)

	err = f.client.Mfa.RemoveMethod(ctx, "", "000000000000000000000000", presence.Token)
	require.ErrorIs(t, err, exh.ErrCodeResourceUnknown)
	assert.ErrorIs(t, err, exh.ErrNotFound)
	require.NoError(t, f.client.Mfa.RemoveMethod(ctx, "", codes.ID, presence.Token))

	_, err = f.client.Mfa.Settings(ctx, other.ID)
	require.ErrorIs(t, err, exh.ErrCodeNoPermission)
	assert.ErrorIs(t, err, exh.ErrUnauthorized)
	err = f.client.Mfa.Disable(ctx, other.ID, presence.Token)
	require.ErrorIs(t, err, exh.ErrCodeNoPermission)
}

// TestFlowMfaSecretsNeverPrinted: the TOTP secret (in both forms), the
// recovery codes and the presence token reach no error string, no
// formatted value and no slog output of the values the MFA calls give.
func TestFlowMfaSecretsNeverPrinted(t *testing.T) {
	f := setup(t)
	user, presence := mfaUser(t, f, "canary@example.com", "pw-canary")
	ctx := t.Context()
	var values []any
	keep := func(v any, err error) {
		values = append(values, v)
		if err != nil {
			values = append(values, err)
		}
	}

	request := exh.MfaMethodRequest{PresenceToken: presence.Token, Type: exh.MfaTOTP, Name: "Phone"}
	totp, err := f.client.Mfa.AddMethod(ctx, request)
	require.NoError(t, err)
	codes, err := f.client.Mfa.AddMethod(ctx, exh.MfaMethodRequest{PresenceToken: presence.Token, Type: exh.MfaRecoveryCodes})
	require.NoError(t, err)
	key, err := hex.DecodeString(totp.Secret)
	require.NoError(t, err)
	secrets := append([]string{presence.Token, totp.Secret, base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key)}, codes.Codes...)
	values = append(values, presence, *presence, request, totp, *totp, codes, *codes, []exh.MfaMethod{*totp, *codes})

	wrong := exh.MfaMethodConfirmation{MethodID: totp.ID, PresenceToken: presence.Token, Code: codes.Codes[1]}
	values = append(values, wrong)
	keep(nil, f.client.Mfa.ConfirmMethod(ctx, wrong)) // 130: a recovery code is not a TOTP code
	wrong.MethodID = codes.ID
	keep(nil, f.client.Mfa.ConfirmMethod(ctx, wrong)) // 26
	keep(nil, f.client.Mfa.Enable(ctx, "", presence.Token))
	keep(nil, f.client.Mfa.RemoveMethod(ctx, "", "000000000000000000000000", presence.Token))
	keep(f.client.Mfa.Settings(ctx, "000000000000000000000000"))
	keep(f.client.Mfa.AddMethod(ctx, exh.MfaMethodRequest{PresenceToken: codes.Codes[2], Type: exh.MfaTOTP}))
	right := exh.MfaMethodConfirmation{MethodID: totp.ID, PresenceToken: presence.Token, Code: exhtest.TOTP(totp.Secret, f.srv.Now())}
	require.NoError(t, f.client.Mfa.ConfirmMethod(ctx, right))
	require.NoError(t, f.client.Mfa.Enable(ctx, user.ID, presence.Token))
	keep(f.client.Mfa.Settings(ctx, ""))
	f.srv.Advance(time.Hour)
	keep(nil, f.client.Mfa.Disable(ctx, "", presence.Token)) // 132, after a clock correction
	f.srv.FailNext("", "", exhtest.Fault{Status: 502, Body: "<html>" + strings.Join(secrets, " ") + "</html>"})
	keep(f.client.Mfa.AddMethod(ctx, request))

	var errs int
	var out strings.Builder
	var logs bytes.Buffer
	jsonLog := slog.New(slog.NewJSONHandler(&logs, nil))
	for _, v := range values {
		if v == nil {
			continue
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		if e, ok := v.(error); ok {
			out.WriteString(e.Error() + "\n")
			errs++
		}
		jsonLog.Info("value", "v", v)
	}
	require.Equal(t, 8, errs, "every failing call failed")
	require.Contains(t, out.String(), "REDACTED")
	require.Contains(t, logs.String(), "REDACTED")
	for i, s := range secrets {
		require.NotEmpty(t, s)
		if strings.Contains(out.String(), s) {
			t.Errorf("secret #%d leaked in fmt output", i) // never print the canary itself
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("secret #%d leaked in slog JSON output", i)
		}
	}
}
