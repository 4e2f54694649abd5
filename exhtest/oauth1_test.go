package exhtest

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Shared values of the signing test vectors V1–V5 (docs/protocol.md, Test
// vectors).
const (
	vKey         = "3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c"
	vSecret      = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	vToken       = "fedcba9876543210fedcba9876543210fedcba98"
	vTokenSecret = "0123456789abcdef0123456789abcdef01234567"
	vBase        = "https://api.dev.example.extrahorizon.io"
	vTimestamp   = "1700000000"
)

func vParams(nonce string, withToken bool) map[string]string {
	p := map[string]string{
		"oauth_consumer_key":     vKey,
		"oauth_nonce":            nonce,
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        vTimestamp,
		"oauth_version":          "1.0",
	}
	if withToken {
		p["oauth_token"] = vToken
	}
	return p
}

func TestSpecVectors(t *testing.T) {
	tests := []struct {
		name, method, baseURL, query string
		params                       map[string]string
		consumerSecret, tokenSecret  string
		normalized                   string // optional
		base                         string
		key                          string // optional
		sig                          string
	}{
		{
			name: "V1 password grant", method: "POST", baseURL: vBase + "/auth/v2/oauth1/tokens",
			params:         vParams("kllo9940pd9333jh6Ao2KzIW5wUb1hHx", false),
			consumerSecret: vSecret,
			base:           "POST&https%3A%2F%2Fapi.dev.example.extrahorizon.io%2Fauth%2Fv2%2Foauth1%2Ftokens&oauth_consumer_key%3D3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c%26oauth_nonce%3Dkllo9940pd9333jh6Ao2KzIW5wUb1hHx%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0",
			key:            "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678&",
			sig:            "cWT+LaHMK1NjCaGJzgN8SYwPQoo=",
		},
		{
			name: "V2 token check", method: "GET", baseURL: vBase + "/users/v1/me",
			params:         vParams("Q8mWz2Lr5TnYb7Vc1Xd4Fg6Hj9Kp3Ms0", true),
			consumerSecret: vSecret, tokenSecret: vTokenSecret,
			base: "GET&https%3A%2F%2Fapi.dev.example.extrahorizon.io%2Fusers%2Fv1%2Fme&oauth_consumer_key%3D3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c%26oauth_nonce%3DQ8mWz2Lr5TnYb7Vc1Xd4Fg6Hj9Kp3Ms0%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3Dfedcba9876543210fedcba9876543210fedcba98%26oauth_version%3D1.0",
			key:  "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678&0123456789abcdef0123456789abcdef01234567",
			sig:  "+T/xG1ggOD5Ft2Kz6/lT4NFnxWk=",
		},
		{
			name: "V3 RQL listing", method: "GET", baseURL: vBase + "/auth/v2/oauth1/tokens",
			query:          "select(id,name)&limit(10)&eq(userId,abc)",
			params:         vParams("aB3dE5gH7jK9mN1pQ2sT4vW6yZ8cF0hJ", true),
			consumerSecret: vSecret, tokenSecret: vTokenSecret,
			normalized: "eq%28userId%2Cabc%29=&limit%2810%29=&oauth_consumer_key=3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c&oauth_nonce=aB3dE5gH7jK9mN1pQ2sT4vW6yZ8cF0hJ&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1700000000&oauth_token=fedcba9876543210fedcba9876543210fedcba98&oauth_version=1.0&select%28id%2Cname%29=",
			base:       "GET&https%3A%2F%2Fapi.dev.example.extrahorizon.io%2Fauth%2Fv2%2Foauth1%2Ftokens&eq%2528userId%252Cabc%2529%3D%26limit%252810%2529%3D%26oauth_consumer_key%3D3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c%26oauth_nonce%3DaB3dE5gH7jK9mN1pQ2sT4vW6yZ8cF0hJ%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3Dfedcba9876543210fedcba9876543210fedcba98%26oauth_version%3D1.0%26select%2528id%252Cname%2529%3D",
			sig:        "jZyGocszbmafX1n10WdK4rcxjZk=",
		},
		{
			name: "V4 double-encoded RQL", method: "GET", baseURL: vBase + "/data/v1/abc",
			query:          "eq(name,Hypertension%2520%252D%2520STAGE%25201)&limit(5,10)",
			params:         vParams("zzzzzzzzzzyyyyyyyyyyxxxxxxxxxx01", true),
			consumerSecret: vSecret, tokenSecret: vTokenSecret,
			base: "GET&https%3A%2F%2Fapi.dev.example.extrahorizon.io%2Fdata%2Fv1%2Fabc&eq%2528name%252CHypertension%252520%25252D%252520STAGE%2525201%2529%3D%26limit%25285%252C10%2529%3D%26oauth_consumer_key%3D3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c%26oauth_nonce%3Dzzzzzzzzzzyyyyyyyyyyxxxxxxxxxx01%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3Dfedcba9876543210fedcba9876543210fedcba98%26oauth_version%3D1.0",
			sig:  "U1fo/oRFb+FqwXS49QCS3RCJncw=",
		},
		{
			name: "V5 qs edge cases", method: "GET", baseURL: vBase + "/files/v1/",
			query:          "a[b]=c&x[]=1&x[]=2&r=2&r=1&flag&q=a+b%20c&oauth_nonce=evil",
			params:         vParams("00000000001111111111222222222233", true),
			consumerSecret: vSecret, tokenSecret: vTokenSecret,
			normalized: "a%5Bb%5D=c&flag=&oauth_consumer_key=3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c&oauth_nonce=00000000001111111111222222222233&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1700000000&oauth_token=fedcba9876543210fedcba9876543210fedcba98&oauth_version=1.0&q=a%20b%20c&r=1&r=2&x=1&x=2",
			base:       "GET&https%3A%2F%2Fapi.dev.example.extrahorizon.io%2Ffiles%2Fv1%2F&a%255Bb%255D%3Dc%26flag%3D%26oauth_consumer_key%3D3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c%26oauth_nonce%3D00000000001111111111222222222233%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3Dfedcba9876543210fedcba9876543210fedcba98%26oauth_version%3D1.0%26q%3Da%2520b%2520c%26r%3D1%26r%3D2%26x%3D1%26x%3D2",
			sig:        "kKgay1HrZ2Ulc7fxpDl1Naai9wU=",
		},
		{
			name: "V6 localhost, special key and secret", method: "POST", baseURL: "http://localhost:8080/auth/v2/oauth1/tokens/mfa",
			params: map[string]string{
				"oauth_consumer_key": "key with space", "oauth_nonce": "MfaNonce000000000000000000000000",
				"oauth_signature_method": "HMAC-SHA1", "oauth_timestamp": "1712345678", "oauth_version": "1.0",
			},
			consumerSecret: `c&s=+/!*'()~`,
			base:           "POST&http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fv2%2Foauth1%2Ftokens%2Fmfa&oauth_consumer_key%3Dkey%2520with%2520space%26oauth_nonce%3DMfaNonce000000000000000000000000%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1712345678%26oauth_version%3D1.0",
			key:            "c%26s%3D%2B%2F%21%2A%27%28%29~&",
			sig:            "sZ+MG6PbkSkuWl9NjB50yDOrsZo=",
		},
		{
			name: "V7 special token and token secret", method: "DELETE", baseURL: "http://localhost:8080/auth/v2/oauth1/tokens/656f1ae833190297b20641d0",
			params: map[string]string{
				"oauth_consumer_key": "key with space", "oauth_nonce": "DeleteNonce111111111111111111111",
				"oauth_signature_method": "HMAC-SHA1", "oauth_timestamp": "1712345678", "oauth_token": "tok/en+1", "oauth_version": "1.0",
			},
			consumerSecret: `c&s=+/!*'()~`, tokenSecret: "sec&ret=2 ü",
			base: "DELETE&http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fv2%2Foauth1%2Ftokens%2F656f1ae833190297b20641d0&oauth_consumer_key%3Dkey%2520with%2520space%26oauth_nonce%3DDeleteNonce111111111111111111111%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1712345678%26oauth_token%3Dtok%252Fen%252B1%26oauth_version%3D1.0",
			key:  "c%26s%3D%2B%2F%21%2A%27%28%29~&sec%26ret%3D2%20%C3%BC",
			sig:  "ENAFtpk3pwGlKwXAuW/XBQl47bM=",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.normalized != "" {
				require.Equal(t, tt.normalized, normalizedParams(tt.query, tt.params))
			}
			base := signatureBaseString(tt.method, tt.baseURL, tt.query, tt.params)
			require.Equal(t, tt.base, base)
			key := signatureKey(tt.consumerSecret, tt.tokenSecret)
			if tt.key != "" {
				require.Equal(t, tt.key, key)
			}
			require.Equal(t, tt.sig, hmacSHA1Base64(key, base))
		})
	}
}

// TestParseAuthorizationV1 reads the exact V1 header.
func TestParseAuthorizationV1(t *testing.T) {
	h := `OAuth oauth_consumer_key="3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c", oauth_nonce="kllo9940pd9333jh6Ao2KzIW5wUb1hHx", oauth_signature="cWT%2BLaHMK1NjCaGJzgN8SYwPQoo%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_version="1.0"`
	p, err := parseAuthorization(h)
	require.NoError(t, err)
	require.Equal(t, "cWT+LaHMK1NjCaGJzgN8SYwPQoo=", p["oauth_signature"])
	ts, ok := checkProtocolParams(p)
	require.True(t, ok)
	require.Equal(t, int64(1700000000), ts)
	base := signatureBaseString("POST", vBase+"/auth/v2/oauth1/tokens", "", signedParams(p))
	require.Equal(t, p["oauth_signature"], hmacSHA1Base64(signatureKey(vSecret, ""), base))

	for _, bad := range []string{
		"",
		"Bearer abc",
		`OAuth oauth_nonce`,
		`OAuth oauth_nonce="%ZZ"`,
		`OAuth oauth_nonce="a", oauth_nonce="b"`,
		`OAuth ="x"`,
	} {
		_, err := parseAuthorization(bad)
		require.Error(t, err, "header %q", bad)
	}
}

func TestCheckProtocolParams(t *testing.T) {
	good := func() map[string]string { return vParams("n", false) }
	p := good()
	p["oauth_signature"] = "x"
	_, ok := checkProtocolParams(p)
	require.True(t, ok)
	delete(p, "oauth_version")
	_, ok = checkProtocolParams(p)
	require.True(t, ok, "oauth_version is optional")

	for _, mutate := range []func(map[string]string){
		func(m map[string]string) { delete(m, "oauth_signature") },
		func(m map[string]string) { delete(m, "oauth_nonce") },
		func(m map[string]string) { delete(m, "oauth_consumer_key") },
		func(m map[string]string) { delete(m, "oauth_timestamp") },
		func(m map[string]string) { m["oauth_signature_method"] = "PLAINTEXT" },
		func(m map[string]string) { m["oauth_version"] = "2.0" },
		func(m map[string]string) { m["oauth_timestamp"] = "-5" },
		func(m map[string]string) { m["oauth_timestamp"] = "17e8" },
	} {
		m := good()
		m["oauth_signature"] = "x"
		mutate(m)
		_, ok := checkProtocolParams(m)
		require.False(t, ok, "%v", m)
	}
}

func TestPercentEncode(t *testing.T) {
	require.Equal(t, "AZaz09-._~", percentEncode("AZaz09-._~"))
	require.Equal(t, "%20%21%2A%27%28%29%2B%2F%3D%26%25", percentEncode(" !*'()+/=&%"))
	require.Equal(t, "%C3%A9", percentEncode("é"))
}

func TestQSDecode(t *testing.T) {
	require.Equal(t, "a b c", qsDecode("a+b%20c"))
	require.Equal(t, "%41%ZZ", qsDecode("%41%ZZ"), "a bad escape keeps the whole text raw")
	require.Equal(t, "x %C3", qsDecode("x+%C3"), "truncated UTF-8 keeps the raw text, + still a space")
	require.Equal(t, "%ED%A0%80", qsDecode("%ED%A0%80"), "surrogates are invalid UTF-8")
	require.Equal(t, "é", qsDecode("%c3%a9"))
}

// pairs flattens a query the way the signer does, sorted, as "name=value".
func pairs(query string) []string {
	var out []string
	for _, p := range flattenParams(qsParse(query)) {
		out = append(out, p.name+"="+p.value)
	}
	sort.Strings(out)
	return out
}

func TestQSParse(t *testing.T) {
	repeat := func(name string, n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, name+"="+string(rune('a'+i)))
		}
		return strings.Join(parts, "&")
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", nil},
		{"a=1&&b=2", []string{"a=1", "b=2"}},
		{"a=1;b=2", []string{"a=1;b=2"}},
		{"k=v=w", []string{"k=v=w"}},
		{"flag", []string{"flag="}},
		{"=x&y=1", []string{"y=1"}},
		{"a=%41%ZZ", []string{"a=%41%ZZ"}},
		{"r=2&r=1", []string{"r=1", "r=2"}},
		{"a.b=c", []string{"a.b=c"}},
		{"sort(+name)", []string{"sort( name)="}},
		{"a[b]=c", []string{"a[b]=c"}},
		{"a%5Bb%5D=c", []string{"a[b]=c"}},
		{"a[]=1&a[]=2", []string{"a=1", "a=2"}},
		{"a[0]=1&a[1]=2", []string{"a=1", "a=2"}},
		{"a[1]=x", []string{"a=x"}},
		{"a[b][c]=d", []string{"a[b]=[object Object]"}},
		{"a[0][b]=c", []string{"a=[object Object]"}},
		{"a[b][]=1&a[b][]=2", []string{"a[b]=1,2"}},
		{"eq(a[b],c)", []string{"eq(a[b]="}},
		{"constructor=1&toString=2&__proto__[x]=3&ok=4", []string{"ok=4"}},
		{"a[constructor]=1", nil},
		{"a[20]=x", []string{"a[20]=x"}},
		{"a[19]=x", []string{"a=x"}},
		{repeat("a", 20), strings.Split(repeat("a", 20), "&")},
		{repeat("a", 21), func() []string {
			var out []string
			for i := range 21 {
				out = append(out, "a["+strconv.Itoa(i)+"]="+string(rune('a'+i)))
			}
			sort.Strings(out)
			return out
		}()},
		{"a=1&a[b]=2", []string{"a=1", "a=[object Object]"}},
		{"a[b]=1&a=2", []string{"a=[object Object]", "a=2"}},
	}
	for _, tt := range tests {
		want := append([]string(nil), tt.want...)
		sort.Strings(want)
		require.Equal(t, want, pairs(tt.query), "query %q", tt.query)
	}
}

func TestQSParameterLimit(t *testing.T) {
	var parts []string
	for i := range 1005 {
		parts = append(parts, "p"+strconv.Itoa(i)+"=v")
	}
	got := flattenParams(qsParse(strings.Join(parts, "&")))
	require.Len(t, got, 1000, "only the first 1000 pieces are read")
	for _, p := range got {
		require.NotContains(t, []string{"p1000", "p1004"}, p.name)
	}
}

// TestEndToEndVectorsV6V7 sends the exact V6 and V7 Authorization headers
// to a running server and checks that it accepts them.
func TestEndToEndVectorsV6V7(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.SetNow(time.Unix(1712345678, 999_000_000))
	app := srv.AddApplication(Application{ConsumerKey: "key with space", ConsumerSecret: `c&s=+/!*'()~`})
	user := srv.AddUser(User{})
	tok := srv.AddToken(user.ID, app.ConsumerKey)
	srv.mu.Lock()
	stored := srv.tokensByTok[tok.Token]
	delete(srv.tokensByTok, tok.Token)
	stored.ID, stored.Token, stored.TokenSecret = "656f1ae833190297b20641d0", "tok/en+1", "sec&ret=2 ü"
	srv.tokensByTok[stored.Token] = stored
	srv.mu.Unlock()

	v6 := `OAuth oauth_consumer_key="key%20with%20space", oauth_nonce="MfaNonce000000000000000000000000", oauth_signature="sZ%2BMG6PbkSkuWl9NjB50yDOrsZo%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1712345678", oauth_version="1.0"`
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/auth/v2/oauth1/tokens/mfa", nil)
	require.NoError(t, err)
	req.Host = "localhost:8080"
	req.Header.Set("Authorization", v6)
	// The signature is accepted; the empty body then lacks the MFA fields.
	requireError(t, send(t, srv.Client(), req), 400, 14, "MISSING_REQUIRED_FIELDS_EXCEPTION")

	v7 := `OAuth oauth_consumer_key="key%20with%20space", oauth_nonce="DeleteNonce111111111111111111111", oauth_signature="ENAFtpk3pwGlKwXAuW%2FXBQl47bM%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1712345678", oauth_token="tok%2Fen%2B1", oauth_version="1.0"`
	del := func(host, header string) result {
		req, err := http.NewRequest(http.MethodDelete, srv.URL+"/auth/v2/oauth1/tokens/656f1ae833190297b20641d0", nil)
		require.NoError(t, err)
		req.Host = host
		req.Header.Set("Authorization", header)
		return send(t, srv.Client(), req)
	}
	// Another host is another signed URL.
	requireError(t, del("localhost:8081", v7), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
	// A changed signature is rejected.
	requireError(t, del("localhost:8080", strings.Replace(v7, "ENAF", "ENAG", 1)), 401, 109, "OAUTH_SIGNATURE_EXCEPTION")
	// The Host is compared case-insensitively.
	res := del("LOCALHOST:8080", v7)
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	require.JSONEq(t, `{"affectedRecords":1}`, string(res.Body))
	// The same request again: the token is gone now.
	requireError(t, del("localhost:8080", v7), 401, 108, "OAUTH_TOKEN_EXCEPTION")
}
