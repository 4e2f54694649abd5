package oauth1

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// normalized returns the normalized parameter string (docs/protocol.md §2.5) that
// BaseString computes for a query, with no oauth parameters added.
func normalized(t testing.TB, query string) string {
	t.Helper()
	base := BaseString("GET", &url.URL{Scheme: "https", Host: "h", Path: "/", RawQuery: query}, nil)
	_, params, ok := strings.Cut(strings.TrimPrefix(base, "GET&https%3A%2F%2Fh%2F"), "&")
	require.True(t, ok || params == "", "base string %q", base)
	decoded, err := url.PathUnescape(params)
	require.NoError(t, err)
	return decoded
}

// repeatQuery joins n copies of piece with '&', each '#' replaced by the
// copy's index.
func repeatQuery(piece string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strings.ReplaceAll(piece, "#", strconv.Itoa(i))
	}
	return strings.Join(parts, "&")
}

// qsCases are queries and the normalized parameter strings the JS SDK 8.14.1
// signs for them: the expected values were computed with qs 6.15.2 and the
// SDK's flattening and encoding code in Node 20. They cover every rule of
// docs/protocol.md §2.4, the fast path and the qs model behind it.
var qsCases = []struct{ query, want string }{
	{"a=1&&b=2", "a=1&b=2"},
	{"a=1;b=2", "a=1%3Bb%3D2"},
	{"k=v=w", "k=v%3Dw"},
	{"flag", "flag="},
	{"=x", ""},
	{"=", ""},
	{"&", ""},
	{"a=%41%ZZ", "a=%2541%25ZZ"},
	{"a=%C3", "a=%25C3"},
	{"a=%ED%A0%80", "a=%25ED%25A0%2580"},
	{"a=%c3%a9", "a=%C3%A9"},
	{"%c3%a9=%e2%82%ac", "%C3%A9=%E2%82%AC"},
	{"sort(+name)", "sort%28%20name%29="},
	{"q=a+b%20c", "q=a%20b%20c"},
	{"select(id,name)&limit(10)&eq(userId,abc)", "eq%28userId%2Cabc%29=&limit%2810%29=&select%28id%2Cname%29="},
	{"eq(data.a,1)", "eq%28data.a%2C1%29="},
	{"a.b=c", "a.b=c"},
	{"a[b]=c", "a%5Bb%5D=c"},
	{"a%5Bb%5D=c", "a%5Bb%5D=c"},
	{"a%5bb%5d=c", "a%5Bb%5D=c"},
	{"x[]=1&x[]=2", "x=1&x=2"},
	{"a[0]=1&a[1]=2", "a=1&a=2"},
	{"a[1]=x", "a=x"},
	{"a[b][c]=d", "a%5Bb%5D=%5Bobject%20Object%5D"},
	{"a[0][b]=c", "a=%5Bobject%20Object%5D"},
	{"a[b][]=1&a[b][]=2", "a%5Bb%5D=1%2C2"},
	{"eq(a[b],c)", "eq%28a%5Bb%5D="},
	{"a[b]x[c]=d", "a%5Bb%5D=%5Bobject%20Object%5D"},
	{"a[b=c", "a%5B%5Bb%5D=c"},
	{"a]b=c", "a%5Db=c"},
	{"a]=b", "a%5D=b"},
	{"a=x]=y", "a%3Dx%5D=y"},
	{"a=x%5D=y", "a%3Dx%5D=y"},
	{"a=%5Bx%5D", "a=%5Bx%5D"},
	{"a=%5B%ZZ", "a=%5B%25ZZ"},
	{"[a]=b", "a=b"},
	{"[]=x", "0=x"},
	{"[0]=x", "0=x"},
	{"a[1][2][3][4][5][6]=x", "a=%5Bobject%20Object%5D"},
	{"a[[b]]=c", "a%5B%5Bb%5D%5D=c"},
	{"a[20]=x", "a%5B20%5D=x"},
	{"a[19]=x", "a=x"},
	{"a[007]=x", "a%5B007%5D=x"},
	{"a[-1]=x", "a%5B-1%5D=x"},
	{repeatQuery("a=#", 20), "a=0&a=1&a=10&a=11&a=12&a=13&a=14&a=15&a=16&a=17&a=18&a=19&a=2&a=3&a=4&a=5&a=6&a=7&a=8&a=9"},
	{repeatQuery("a=#", 21), "a%5B0%5D=0&a%5B1%5D=1&a%5B10%5D=10&a%5B11%5D=11&a%5B12%5D=12&a%5B13%5D=13&a%5B14%5D=14&a%5B15%5D=15&a%5B16%5D=16&a%5B17%5D=17&a%5B18%5D=18&a%5B19%5D=19&a%5B2%5D=2&a%5B20%5D=20&a%5B3%5D=3&a%5B4%5D=4&a%5B5%5D=5&a%5B6%5D=6&a%5B7%5D=7&a%5B8%5D=8&a%5B9%5D=9"},
	{repeatQuery("a[]=#", 21), "a%5B0%5D=0&a%5B1%5D=1&a%5B10%5D=10&a%5B11%5D=11&a%5B12%5D=12&a%5B13%5D=13&a%5B14%5D=14&a%5B15%5D=15&a%5B16%5D=16&a%5B17%5D=17&a%5B18%5D=18&a%5B19%5D=19&a%5B2%5D=2&a%5B20%5D=20&a%5B3%5D=3&a%5B4%5D=4&a%5B5%5D=5&a%5B6%5D=6&a%5B7%5D=7&a%5B8%5D=8&a%5B9%5D=9"},
	{repeatQuery("a[#]=x", 22), "a%5B0%5D=x&a%5B1%5D=x&a%5B10%5D=x&a%5B11%5D=x&a%5B12%5D=x&a%5B13%5D=x&a%5B14%5D=x&a%5B15%5D=x&a%5B16%5D=x&a%5B17%5D=x&a%5B18%5D=x&a%5B19%5D=x&a%5B2%5D=x&a%5B20%5D=x&a%5B21%5D=x&a%5B3%5D=x&a%5B4%5D=x&a%5B5%5D=x&a%5B6%5D=x&a%5B7%5D=x&a%5B8%5D=x&a%5B9%5D=x"},
	{"toString=1", ""},
	{"constructor=1&b=2", "b=2"},
	{"__proto__=1", ""},
	{"hasOwnProperty", ""},
	{"a[toString]=1", ""},
	{"toString[a]=1", ""},
	{"valueOf[]=1", ""},
	{"a[b]=1&a=2", "a=%5Bobject%20Object%5D&a=2"},
	{"a=1&a[b]=2", "a=%5Bobject%20Object%5D&a=1"},
	{"a[b]=1&a=", "a%5Bb%5D=1"},
	{"a=1&a[]=2", "a=1&a=2"},
	{"a[]=1&a=2", "a=1&a=2"},
	{"a=&a=", "a=&a="},
	{"oauth_nonce=evil&oauth_x=1", "oauth_nonce=evil&oauth_x=1"},
	{"a=%", "a=%25"},
	{"a=%2", "a=%252"},
	{"%=%", "%25=%25"},
	{"a+b=c+d", "a%20b=c%20d"},
	{"a=%2B", "a=%2B"},
	{"a=%20%2B%25", "a=%20%2B%25"},
}

func TestQueryParsing(t *testing.T) {
	for _, tt := range qsCases {
		name := tt.query
		if len(name) > 40 {
			name = name[:40] + "…"
		}
		t.Run(name, func(t *testing.T) {
			require.Equal(t, tt.want, normalized(t, tt.query))
		})
	}
}

// TestQueryParameterLimit checks that qs reads at most 1000 pieces, empty
// ones included.
func TestQueryParameterLimit(t *testing.T) {
	require.Equal(t, "a=1", normalized(t, strings.Repeat("&", 999)+"a=1&b=2"))
	require.Equal(t, "", normalized(t, strings.Repeat("&", 1000)+"a=1&b=2"))

	got := normalized(t, repeatQuery("p#=#", 1005))
	require.Len(t, strings.Split(got, "&"), 1000)
	require.Contains(t, got, "p999=999")
	require.NotContains(t, got, "p1000=")

	// The same limit in the qs model.
	got = normalized(t, repeatQuery("p#[]=#", 1005))
	require.Len(t, strings.Split(got, "&"), 1000)
	require.NotContains(t, got, "p1000=")
}

// TestQueryOverwrite checks docs/protocol.md §2.5: an oauth parameter replaces every
// query parameter with its top-level name, lists and objects included.
func TestQueryOverwrite(t *testing.T) {
	u := mustParse(t, "https://h/?oauth_nonce=evil&oauth_nonce=evil2&oauth_timestamp[x]=1&oauth_token=kept&oauth_foo=kept")
	base := BaseString("GET", u, []Param{{"oauth_nonce", "n"}, {"oauth_timestamp", "1"}})
	require.Equal(t, "GET&https%3A%2F%2Fh%2F&oauth_foo%3Dkept%26oauth_nonce%3Dn%26oauth_timestamp%3D1%26oauth_token%3Dkept", base)

	// Authorization leaves a query oauth_token alone when it sends none.
	s := fixedSigner(vectors[0].unixMilli, "n")
	c := vConsumer
	h1, err := s.Authorization("GET", mustParse(t, "https://h/?oauth_token=x"), &c)
	require.NoError(t, err)
	h2, err := s.Authorization("GET", mustParse(t, "https://h/"), &c)
	require.NoError(t, err)
	require.NotEqual(t, signatureOf(t, h1), signatureOf(t, h2))
	require.NotContains(t, h1, "oauth_token")

	// ... and overwrites it when it sends one.
	c = vUser
	h1, err = s.Authorization("GET", mustParse(t, "https://h/?oauth_token=x&oauth_nonce=y"), &c)
	require.NoError(t, err)
	h2, err = s.Authorization("GET", mustParse(t, "https://h/"), &c)
	require.NoError(t, err)
	require.Equal(t, h2, h1)
}

// signatureOf returns the decoded oauth_signature of a header value.
func signatureOf(t testing.TB, header string) string {
	t.Helper()
	params, err := parseHeader(header)
	require.NoError(t, err)
	return params["oauth_signature"]
}
