package exh

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/exhgo/exh/internal/codegen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCodesGoIsUpToDate fails when codes.go differs from what the generator
// makes of internal/codegen/codes.txt: someone edited one without the other.
func TestCodesGoIsUpToDate(t *testing.T) {
	want, err := codegen.Generate()
	require.NoError(t, err)
	got, err := os.ReadFile("codes.go")
	require.NoError(t, err)
	if bytes.Equal(got, want) {
		return
	}
	gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gotLines), len(wantLines)); i++ {
		var g, w string
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if g != w {
			t.Fatalf("codes.go is stale (run go generate ./...); first difference at line %d:\n have %q\n want %q", i+1, g, w)
		}
	}
	t.Fatal("codes.go is stale (run go generate ./...)")
}

// statusFallback is the category of an answer whose code has none.
var statusFallback = map[int]error{
	0: nil, 200: nil, 302: nil,
	400: ErrBadRequest, 409: ErrBadRequest, 429: ErrBadRequest,
	401: ErrUnauthorized, 403: ErrForbidden, 404: ErrNotFound,
	500: ErrServer, 503: ErrServer,
}

func TestEveryTableCodeHasItsCategoryOrFallsBack(t *testing.T) {
	codes, err := codegen.Codes()
	require.NoError(t, err)
	sentinels := map[string]error{
		"BadRequest": ErrBadRequest, "Unauthorized": ErrUnauthorized, "Forbidden": ErrForbidden,
		"NotFound": ErrNotFound, "Server": ErrServer,
	}
	require.Len(t, sentinels, len(codegen.Categories))
	for _, c := range codes {
		code := ErrorCode(c.Num)
		assert.Equal(t, c.Name, code.Name(), "Name of %d", c.Num)
		for status, fallback := range statusFallback {
			want := fallback
			if c.Category != "" {
				want = sentinels[c.Category]
				require.NotNil(t, want, "category %q of %d", c.Category, c.Num)
			}
			assert.Equal(t, want, categoryOf(code, status), "code %d, status %d", c.Num, status)

			apiErr := error(&APIError{StatusCode: status, Code: code})
			for _, s := range sentinels {
				assert.Equal(t, s == want, errors.Is(apiErr, s), "code %d, status %d, %v", c.Num, status, s)
			}
		}
	}
}

func TestCategoryOf(t *testing.T) {
	cases := []struct {
		code   ErrorCode
		status int
		want   error
	}{
		{ErrCodeAuthentication, 400, ErrUnauthorized}, // the code wins over the status
		{ErrCodeResourceUnknown, 400, ErrNotFound},
		{ErrCodeServiceUnreachable, 200, ErrServer},
		{ErrCodeTokenNotDeleteable, 500, ErrForbidden},
		{ErrCodeOIDCIDToken, 400, ErrServer},
		{ErrCodeDisabledForOIDCUsers, 400, ErrForbidden},
		{ErrCodeMfaRequired, 403, ErrForbidden}, // no category: by status
		{ErrCodeEmptyRQL, 404, ErrNotFound},
		{ErrCodeBodyFormat, 200, nil},
		{1401, 500, ErrBadRequest}, // no constant, but a category
		{1409, 401, ErrBadRequest},
		{1411, 404, ErrBadRequest},
		{1413, 200, ErrBadRequest},
		{1400, 500, ErrServer}, // unknown codes: by status
		{1410, 500, ErrServer},
		{1414, 401, ErrUnauthorized},
		{0, 404, ErrNotFound},
		{99999, 0, nil},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, categoryOf(tc.code, tc.status), "code %d, status %d", int(tc.code), tc.status)
	}
}

func TestErrorCodeNames(t *testing.T) {
	cases := []struct {
		code      ErrorCode
		name, err string
	}{
		{106, "AUTHENTICATION_EXCEPTION", "exh: error 106 AUTHENTICATION_EXCEPTION"},
		{103, "APPLICATION_UNKOWN_EXCEPTION", "exh: error 103 APPLICATION_UNKOWN_EXCEPTION"}, // the wire's spelling
		{16, "RESOURCE_UNKNOWN_EXCEPTION", "exh: error 16 RESOURCE_UNKNOWN_EXCEPTION"},
		{129, "MFA_REQUIRED_EXCEPTION", "exh: error 129 MFA_REQUIRED_EXCEPTION"},
		{213, "TOO_MANY_FAILED_ATTEMPTS_EXCEPTION", "exh: error 213 TOO_MANY_FAILED_ATTEMPTS_EXCEPTION"},
		{4, "", "exh: error 4"},       // a constant without a documented name
		{1405, "", "exh: error 1405"}, // a category without a name
		{0, "", "exh: error 0"},
		{424242, "", "exh: error 424242"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.name, tc.code.Name(), "code %d", int(tc.code))
		assert.Equal(t, tc.err, tc.code.Error(), "code %d", int(tc.code))
	}
}

func TestRenamedOIDCConstants(t *testing.T) {
	assert.Equal(t, ErrorCode(136), ErrCodeOIDCIDToken)
	assert.Equal(t, ErrorCode(138), ErrCodeOIDCProviderResponse)
	assert.Equal(t, ErrorCode(139), ErrCodeOIDCInvalidAuthorizationCode)
	assert.Equal(t, ErrorCode(215), ErrCodeDisabledForOIDCUsers)
}
