package codegen

import (
	"go/format"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRow(t *testing.T) {
	src := "# header\n\n" +
		"16    ResourceUnknown  RESOURCE_UNKNOWN_EXCEPTION  NotFound  Unknown route; or id.\n" +
		"20\tEmptyRQL\tEMPTY_RQL_EXCEPTION\t-\n" +
		"1401  -  -  BadRequest\n"
	codes, err := parse([]byte(src))
	require.NoError(t, err)
	assert.Equal(t, []Code{
		{Num: 16, Const: "ResourceUnknown", Name: "RESOURCE_UNKNOWN_EXCEPTION", Category: "NotFound", Comment: "Unknown route; or id."},
		{Num: 20, Const: "EmptyRQL", Name: "EMPTY_RQL_EXCEPTION"},
		{Num: 1401, Category: "BadRequest"},
	}, codes)
	assert.Equal(t, "ErrCodeResourceUnknown", codes[0].ConstName())
	assert.Equal(t, "", codes[2].ConstName())
}

func TestParseRejects(t *testing.T) {
	cases := []struct{ src, want string }{
		{"", "no codes"},
		{"# only a comment\n", "no codes"},
		{"1 Server SERVER_EXCEPTION\n", "codes.txt:1: want at least 4 columns"},
		{"x Server - Server\n", `code "x" is not a positive decimal`},
		{"0 Server - Server\n", `code "0" is not a positive decimal`},
		{"-4 Server - Server\n", `code "-4" is not a positive decimal`},
		{"01 Server - Server\n", `code "01" is not a positive decimal`},
		{"2 A - Server\n1 B - Server\n", "codes.txt:2: code 1 is not above the previous code 2"},
		{"1 A - Server\n1 B - Server\n", "code 1 is not above"},
		{"1 A - Server\n2 A - Server\n", "constant ErrCodeA appears twice"},
		{"1 A X_EXCEPTION Server\n2 B X_EXCEPTION Server\n", "name X_EXCEPTION appears twice"},
		{"1 server - Server\n", "upper-case first letter"},
		{"1 Ser_ver - Server\n", "ASCII letters and digits only"},
		{"1 OidcIDToken - Server\n", `write "Oidc" as "OIDC"`},
		{"1 ResourceId - Server\n", `write "Id" as "ID"`},
		{"1 OauthKey - Server\n", `write "Oauth" as "OAuth"`},
		{"1 InvalidPkce - Server\n", `write "Pkce" as "PKCE"`},
		{"1 CallbackUrlBad - Server\n", `write "Url" as "URL"`},
		{"1 Oauth2ClientID - Server\n", `write "Oauth" as "OAuth"`},
		{"1 Server server_exception Server\n", "want upper-case letters, digits and underscores"},
		{"1 Server - Teapot\n", `category "Teapot": want one of BadRequest, Unauthorized, Forbidden, NotFound, Server or -`},
		{"1 - - Server A note.\n", "a comment needs a constant"},
		{"1 - - -\n", "code 1 has no constant, name or category"},
	}
	for _, tc := range cases {
		_, err := parse([]byte(tc.src))
		if assert.Error(t, err, "%q", tc.src) {
			assert.Contains(t, err.Error(), tc.want, "%q", tc.src)
		}
	}
}

func TestCheckConstAllowsWordsThatStartLikeInitialisms(t *testing.T) {
	for _, s := range []string{"Identity", "Ssoft", "Httpd", "OIDCIDToken", "InvalidMfaCode", "OAuth2ClientID", "IDFormat"} {
		assert.NoError(t, checkConst(s), s)
	}
}

func TestGenerate(t *testing.T) {
	out, err := Generate()
	require.NoError(t, err)
	src := string(out)

	first, _, _ := strings.Cut(src, "\n")
	assert.Regexp(t, regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`), first)
	formatted, err := format.Source(out)
	require.NoError(t, err)
	assert.Equal(t, src, string(formatted), "output is not gofmt'ed")

	again, err := Generate()
	require.NoError(t, err)
	assert.Equal(t, src, string(again), "output is not deterministic")

	has(t, src, "\t// ErrCodeResourceUnknown is code 16, RESOURCE_UNKNOWN_EXCEPTION; category [ErrNotFound].\n"+
		"\t// Unknown route or id; expired or used SSO token.\n"+
		"\tErrCodeResourceUnknown ErrorCode = 16\n")
	has(t, src, "\t// ErrCodeServiceUnreachable is code 4 (wire name not documented); category [ErrServer].\n")
	has(t, src, "\t// ErrCodeEmptyRQL is code 20, EMPTY_RQL_EXCEPTION; no category, so classed by its HTTP status.\n")
	has(t, src, "\tcase ErrCodeAuthentication:\n\t\treturn \"AUTHENTICATION_EXCEPTION\"\n")
	assert.False(t, strings.Contains(src, "case ErrCodeServiceUnreachable:\n\t\treturn"), "a code without a name has no Name case")
	has(t, src, "\t\t1409,\n\t\t1411,\n") // codes without a constant are cased by number
}

func TestRenderGroupsByCategory(t *testing.T) {
	out, err := render([]Code{
		{Num: 1, Const: "A", Name: "A_EXCEPTION", Category: "Server"},
		{Num: 2, Const: "B", Category: "BadRequest"},
		{Num: 3, Const: "C", Name: "C_EXCEPTION"},
		{Num: 7, Category: "BadRequest"},
	})
	require.NoError(t, err)
	src := string(out)
	assert.Contains(t, src, "\tcase ErrCodeB,\n\t\t7:\n\t\treturn ErrBadRequest\n\tcase ErrCodeA:\n\t\treturn ErrServer\n\t}\n\treturn nil\n")
	assert.Contains(t, src, "\tcase ErrCodeA:\n\t\treturn \"A_EXCEPTION\"\n\tcase ErrCodeC:\n\t\treturn \"C_EXCEPTION\"\n\t}\n\treturn \"\"\n")
	assert.NotContains(t, src, "ErrCode7")
}

func TestTable(t *testing.T) {
	codes, err := Codes()
	require.NoError(t, err)
	var consts, bare int
	for _, c := range codes {
		if c.Const == "" {
			bare++
			assert.True(t, c.Num >= 1401 && c.Num <= 1413 && c.Num != 1410, "code %d has no constant", c.Num)
			assert.Equal(t, "BadRequest", c.Category, "code %d", c.Num)
			continue
		}
		consts++
	}
	assert.Equal(t, 12, bare, "1401–1409 and 1411–1413")
	assert.GreaterOrEqual(t, consts, 89, "a code of the JavaScript SDK's error map lost its row")
}

// has reports a missing part of a long source without printing all of it.
func has(t *testing.T, src, part string) {
	t.Helper()
	assert.True(t, strings.Contains(src, part), "missing %q", part)
}
