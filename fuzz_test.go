package exh

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDecodeError feeds any status and body to the error decoder: it must
// never panic, always give an *APIError with that status, keep a bounded
// valid-UTF-8 snippet, and print one line.
func FuzzDecodeError(f *testing.F) {
	for _, seed := range []struct {
		status int
		body   string
	}{
		{401, `{"code":109,"name":"OAUTH_SIGNATURE_EXCEPTION","message":"x"}`},
		{403, `{"code":129,"mfa":{"token":"t","tokenExpiresIn":900000,"methods":[{"id":"1","type":"totp"}]}}`},
		{403, `{"code":"129","mfa":{"tokenExipresIn":"600000","methods":null}}`},
		{400, `{"code":134,"remainingDelay":1e300}`},
		{502, `<html>bad gateway</html>`},
		{500, ``},
		{500, `{"code":`},
		{404, `{"code":-1,"name":"\n","message":"\u0000"}`},
		{418, "\xff\xfe{"},
	} {
		f.Add(seed.status, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			status = 400 + (status%200+200)%200
		}
		err := newAPIError("GET", "/x", status, body, false)
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("not an *APIError: %T", err)
		}
		if apiErr.StatusCode != status {
			t.Fatalf("status %d, want %d", apiErr.StatusCode, status)
		}
		if len(apiErr.Snippet) > maxSnippet || !utf8.ValidString(apiErr.Snippet) {
			t.Fatalf("snippet of %d bytes, valid UTF-8 %v", len(apiErr.Snippet), utf8.ValidString(apiErr.Snippet))
		}
		if apiErr.RemainingDelay < 0 || apiErr.RemainingDelay > maxDelay {
			t.Fatalf("delay %v out of range", apiErr.RemainingDelay)
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || len(msg) > 600 {
			t.Fatalf("Error() not one bounded line: %q", msg)
		}
		var mfa *MfaRequiredError
		if errors.As(err, &mfa) && mfa.Challenge.ExpiresIn < 0 {
			t.Fatalf("negative MFA expiry")
		}
	})
}

// FuzzParseRetryAfter: any header value gives a wait in [0, 24h] or is ignored.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "2", "-1", "abc", "3600", "99999999999999999999", "1.5",
		"Wed, 21 Oct 2015 07:28:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if !ok && d != 0 {
			t.Fatalf("ignored value %q gave %v", v, d)
		}
		if d < 0 || d > maxDelay {
			t.Fatalf("%q gave %v", v, d)
		}
	})
}
