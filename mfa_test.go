package exh

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/exhgo/exh/exhtest"
)

// TestMfaEndpointRequests pins each MFA call's request: method, path, body,
// and that it is signed with the session's token.
func TestMfaEndpointRequests(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/users/v1/me":
			writeJSON(w, 200, `{"id":"u1"}`)
		case strings.HasSuffix(r.URL.Path, "/methods"):
			writeJSON(w, 200, `{"id":"m1","type":"totp","name":"Phone","verified":false,"secret":"3132333435363738393031323334353637383930"}`)
		case r.Method == "GET":
			writeJSON(w, 200, `{"id":"u1","enabled":true,"methods":[{"id":"m1","type":"totp","verified":true}],"updateTimestamp":1701780200751}`)
		default:
			writeJSON(w, 200, `{"affectedRecords":1}`)
		}
	})
	c.sessions.install(c.sessions.state(Session{Token: "tok", TokenSecret: "sec"}))
	ctx := t.Context()
	steps := []struct {
		name               string
		run                func() error
		method, path, body string
	}{
		{"settings of the session's user (asks /users/v1/me once)", func() error {
			s, err := c.Mfa.Settings(ctx, "")
			if err == nil {
				assert.True(t, s.Enabled)
				assert.Equal(t, "u1", s.UserID)
				require.Len(t, s.Methods, 1)
				assert.True(t, s.Methods[0].Verified)
				assert.Equal(t, int64(1701780200751), s.UpdateTimestamp.UnixMilli())
			}
			return err
		}, "GET", "/auth/v2/mfa/users/u1", ""},
		{"add method", func() error {
			m, err := c.Mfa.AddMethod(ctx, MfaMethodRequest{PresenceToken: "p1", Type: MfaTOTP, Name: "Phone", Tags: []string{"x"}})
			if err == nil {
				assert.Equal(t, "m1", m.ID)
				assert.Equal(t, "3132333435363738393031323334353637383930", m.Secret)
			}
			return err
		}, "POST", "/auth/v2/mfa/users/u1/methods", `{"presenceToken":"p1","type":"totp","name":"Phone","tags":["x"]}`},
		{"confirm method", func() error {
			return c.Mfa.ConfirmMethod(ctx, MfaMethodConfirmation{UserID: "u2", MethodID: "m1", PresenceToken: "p1", Code: "123456"})
		}, "POST", "/auth/v2/mfa/users/u2/methods/m1/verification/confirm", `{"presenceToken":"p1","code":"123456"}`},
		{"enable", func() error { return c.Mfa.Enable(ctx, "", "p1") },
			"POST", "/auth/v2/mfa/users/u1/enable", `{"presenceToken":"p1"}`},
		{"disable", func() error { return c.Mfa.Disable(ctx, "", "p1") },
			"POST", "/auth/v2/mfa/users/u1/disable", `{"presenceToken":"p1"}`},
		{"remove method", func() error { return c.Mfa.RemoveMethod(ctx, "", "m1", "p1") },
			"POST", "/auth/v2/mfa/users/u1/methods/m1/remove", `{"presenceToken":"p1"}`},
	}
	for _, s := range steps {
		before := len(rec.all())
		require.NoError(t, s.run(), s.name)
		reqs := rec.all()[before:]
		assertRequest(t, reqs[len(reqs)-1], wantRequest{s.method, s.path, "", s.body, "tok"}, s.name)
	}
	var me int
	for _, r := range rec.all() {
		if r.Path == "/users/v1/me" {
			me++
		}
	}
	assert.Equal(t, 1, me, "the user ID is asked once and remembered")
}

func TestMfaArgumentsCheckedBeforeIO(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	ctx := t.Context()
	_, err := c.Mfa.Settings(ctx, "u1")
	assert.ErrorIs(t, err, ErrNotAuthenticated)
	c.sessions.install(c.sessions.state(Session{Token: "tok", TokenSecret: "sec", UserID: "u1"}))
	_, err = c.Mfa.AddMethod(ctx, MfaMethodRequest{PresenceToken: "p", Type: "sms"})
	assert.ErrorIs(t, err, ErrInvalidArgument)
	_, err = c.Mfa.AddMethod(ctx, MfaMethodRequest{Type: MfaTOTP})
	assert.ErrorIs(t, err, ErrInvalidArgument)
	assert.ErrorIs(t, c.Mfa.ConfirmMethod(ctx, MfaMethodConfirmation{MethodID: "m", PresenceToken: "p"}), ErrInvalidArgument)
	assert.ErrorIs(t, c.Mfa.Enable(ctx, "", ""), ErrInvalidArgument)
	for _, id := range []string{"", ".", "..", "%2e%2E"} {
		assert.ErrorIs(t, c.Mfa.RemoveMethod(ctx, "", id, "p"), ErrInvalidArgument, id)
		assert.ErrorIs(t, c.Mfa.Disable(ctx, id+"x/..", "p"), ErrInvalidArgument, id)
	}
	assert.Empty(t, rec.all())
}

// TestMfaWritesAreNotRetried: a POST whose connection drops after it was
// written is *OutcomeUnknownError and sent once; Settings (a GET) is retried.
func TestMfaWritesAreNotRetried(t *testing.T) {
	c, rec := newServerClient(t, dropConnection)
	c.sessions.install(c.sessions.state(Session{Token: "tok", TokenSecret: "sec", UserID: "u1"}))
	err := c.Mfa.Enable(t.Context(), "", "p1")
	var unknown *OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	assert.Len(t, rec.all(), 1)
	_, err = c.Mfa.Settings(t.Context(), "")
	require.Error(t, err)
	assert.Len(t, rec.all(), 1+5, "GET retried: 5 attempts")
}

func TestOTPAuthURL(t *testing.T) {
	// RFC 6238 appendix B: the SHA1 key is the ASCII "12345678901234567890";
	// 6-digit codes are the last six digits of its 8-digit values.
	rfc := map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130"}
	for _, secret := range []string{"3132333435363738393031323334353637383930", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "gezd gnbv gy3t qojq gezd gnbv gy3t qojq"} {
		m := MfaMethod{Type: MfaTOTP, Secret: secret}
		raw, err := m.OTPAuthURL("Example Co", "alice@example.com")
		require.NoError(t, err, secret)
		assert.Equal(t, "otpauth://totp/Example%20Co:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example+Co&algorithm=SHA1&digits=6&period=30", raw)
		u, err := url.Parse(raw)
		require.NoError(t, err)
		for sec, want := range rfc {
			assert.Equal(t, want, exhtest.TOTP(u.Query().Get("secret"), time.Unix(sec, 0)), "t=%d", sec)
		}
	}
	// Google's Key Uri Format example, plus the parameters we always write.
	m := MfaMethod{Type: MfaTOTP, Secret: "JBSWY3DPEHPK3PXP"}
	raw, err := m.OTPAuthURL("Example", "alice@google.com")
	require.NoError(t, err)
	assert.Equal(t, "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30", raw)

	for _, bad := range []MfaMethod{{Type: MfaRecoveryCodes, Secret: "JBSWY3DPEHPK3PXP"}, {Type: MfaTOTP, Secret: "not base32!"}, {Type: MfaTOTP}} {
		_, err := bad.OTPAuthURL("Example", "a")
		assert.ErrorIs(t, err, ErrInvalidArgument, bad.Secret)
	}
	_, err = m.OTPAuthURL("Ex:ample", "a")
	assert.ErrorIs(t, err, ErrInvalidArgument)
}
