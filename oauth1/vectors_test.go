package oauth1

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Shared values of vectors V1–V5 (docs/protocol.md §2.10).
const (
	vConsumerKey    = "3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c"
	vConsumerSecret = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	vToken          = "fedcba9876543210fedcba9876543210fedcba98"
	vTokenSecret    = "0123456789abcdef0123456789abcdef01234567"
	vHost           = "https://api.dev.example.extrahorizon.io"
)

var (
	vUser     = Credentials{ConsumerKey: vConsumerKey, ConsumerSecret: vConsumerSecret, Token: vToken, TokenSecret: vTokenSecret}
	vConsumer = Credentials{ConsumerKey: vConsumerKey, ConsumerSecret: vConsumerSecret}
	vLocal    = Credentials{ConsumerKey: "key with space", ConsumerSecret: `c&s=+/!*'()~`}
)

// vector is one signed request of docs/protocol.md §2.10.
type vector struct {
	name      string
	method    string
	url       string
	creds     Credentials
	unixMilli int64
	nonce     string
	base      string
	sig       string
	header    string // empty when the spec gives no full header
}

var vectors = []vector{
	{
		name: "V1 password grant", method: "POST", url: vHost + "/auth/v2/oauth1/tokens",
		creds: vConsumer, unixMilli: 1700000000123, nonce: "kllo9940pd9333jh6Ao2KzIW5wUb1hHx",
		base:   "POST&https%3A%2F%2Fapi.dev.example.extrahorizon.io%2Fauth%2Fv2%2Foauth1%2Ftokens&oauth_consumer_key%3D3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c%26oauth_nonce%3Dkllo9940pd9333jh6Ao2KzIW5wUb1hHx%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_version%3D1.0",
		sig:    "cWT+LaHMK1NjCaGJzgN8SYwPQoo=",
		header: `OAuth oauth_consumer_key="3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c", oauth_nonce="kllo9940pd9333jh6Ao2KzIW5wUb1hHx", oauth_signature="cWT%2BLaHMK1NjCaGJzgN8SYwPQoo%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_version="1.0"`,
	},
	{
		name: "V2 token check", method: "GET", url: vHost + "/users/v1/me",
		creds: vUser, unixMilli: 1700000000123, nonce: "Q8mWz2Lr5TnYb7Vc1Xd4Fg6Hj9Kp3Ms0",
		base:   "GET&https%3A%2F%2Fapi.dev.example.extrahorizon.io%2Fusers%2Fv1%2Fme&oauth_consumer_key%3D3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c%26oauth_nonce%3DQ8mWz2Lr5TnYb7Vc1Xd4Fg6Hj9Kp3Ms0%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3Dfedcba9876543210fedcba9876543210fedcba98%26oauth_version%3D1.0",
		sig:    "+T/xG1ggOD5Ft2Kz6/lT4NFnxWk=",
		header: `OAuth oauth_consumer_key="3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c", oauth_nonce="Q8mWz2Lr5TnYb7Vc1Xd4Fg6Hj9Kp3Ms0", oauth_signature="%2BT%2FxG1ggOD5Ft2Kz6%2FlT4NFnxWk%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_token="fedcba9876543210fedcba9876543210fedcba98", oauth_version="1.0"`,
	},
	{
		name: "V3 RQL listing", method: "GET", url: vHost + "/auth/v2/oauth1/tokens?select(id,name)&limit(10)&eq(userId,abc)",
		creds: vUser, unixMilli: 1700000000123, nonce: "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8cF0hJ",
		base: "GET&https%3A%2F%2Fapi.dev.example.extrahorizon.io%2Fauth%2Fv2%2Foauth1%2Ftokens&eq%2528userId%252Cabc%2529%3D%26limit%252810%2529%3D%26oauth_consumer_key%3D3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c%26oauth_nonce%3DaB3dE5gH7jK9mN1pQ2sT4vW6yZ8cF0hJ%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3Dfedcba9876543210fedcba9876543210fedcba98%26oauth_version%3D1.0%26select%2528id%252Cname%2529%3D",
		sig:  "jZyGocszbmafX1n10WdK4rcxjZk=",
	},
	{
		name: "V4 double-encoded RQL", method: "GET", url: vHost + "/data/v1/abc?eq(name,Hypertension%2520%252D%2520STAGE%25201)&limit(5,10)",
		creds: vUser, unixMilli: 1700000000123, nonce: "zzzzzzzzzzyyyyyyyyyyxxxxxxxxxx01",
		base: "GET&https%3A%2F%2Fapi.dev.example.extrahorizon.io%2Fdata%2Fv1%2Fabc&eq%2528name%252CHypertension%252520%25252D%252520STAGE%2525201%2529%3D%26limit%25285%252C10%2529%3D%26oauth_consumer_key%3D3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c%26oauth_nonce%3Dzzzzzzzzzzyyyyyyyyyyxxxxxxxxxx01%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3Dfedcba9876543210fedcba9876543210fedcba98%26oauth_version%3D1.0",
		sig:  "U1fo/oRFb+FqwXS49QCS3RCJncw=",
	},
	{
		name: "V5 qs edge cases", method: "GET", url: vHost + "/files/v1/?a[b]=c&x[]=1&x[]=2&r=2&r=1&flag&q=a+b%20c&oauth_nonce=evil",
		creds: vUser, unixMilli: 1700000000123, nonce: "00000000001111111111222222222233",
		base: "GET&https%3A%2F%2Fapi.dev.example.extrahorizon.io%2Ffiles%2Fv1%2F&a%255Bb%255D%3Dc%26flag%3D%26oauth_consumer_key%3D3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c%26oauth_nonce%3D00000000001111111111222222222233%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3Dfedcba9876543210fedcba9876543210fedcba98%26oauth_version%3D1.0%26q%3Da%2520b%2520c%26r%3D1%26r%3D2%26x%3D1%26x%3D2",
		sig:  "kKgay1HrZ2Ulc7fxpDl1Naai9wU=",
	},
	{
		name: "V6 MFA grant on localhost", method: "POST", url: "http://localhost:8080/auth/v2/oauth1/tokens/mfa",
		creds: vLocal, unixMilli: 1712345678999, nonce: "MfaNonce000000000000000000000000",
		base:   "POST&http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fv2%2Foauth1%2Ftokens%2Fmfa&oauth_consumer_key%3Dkey%2520with%2520space%26oauth_nonce%3DMfaNonce000000000000000000000000%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1712345678%26oauth_version%3D1.0",
		sig:    "sZ+MG6PbkSkuWl9NjB50yDOrsZo=",
		header: `OAuth oauth_consumer_key="key%20with%20space", oauth_nonce="MfaNonce000000000000000000000000", oauth_signature="sZ%2BMG6PbkSkuWl9NjB50yDOrsZo%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1712345678", oauth_version="1.0"`,
	},
	{
		name: "V7 revoke with special token", method: "DELETE", url: "http://localhost:8080/auth/v2/oauth1/tokens/656f1ae833190297b20641d0",
		creds:     Credentials{ConsumerKey: vLocal.ConsumerKey, ConsumerSecret: vLocal.ConsumerSecret, Token: "tok/en+1", TokenSecret: "sec&ret=2 ü"},
		unixMilli: 1712345678999, nonce: "DeleteNonce111111111111111111111",
		base: "DELETE&http%3A%2F%2Flocalhost%3A8080%2Fauth%2Fv2%2Foauth1%2Ftokens%2F656f1ae833190297b20641d0&oauth_consumer_key%3Dkey%2520with%2520space%26oauth_nonce%3DDeleteNonce111111111111111111111%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1712345678%26oauth_token%3Dtok%252Fen%252B1%26oauth_version%3D1.0",
		sig:  "ENAFtpk3pwGlKwXAuW/XBQl47bM=",
	},
}

// fixedSigner returns a Signer with a fixed clock and nonce.
func fixedSigner(unixMilli int64, nonce string) *Signer {
	return &Signer{
		Now:   func() time.Time { return time.UnixMilli(unixMilli) },
		Nonce: func() string { return nonce },
	}
}

// oauthParams returns the oauth parameters of a vector, as BaseString takes them.
func (v vector) oauthParams() []Param {
	ps := []Param{
		{"oauth_consumer_key", v.creds.ConsumerKey},
		{"oauth_nonce", v.nonce},
		{"oauth_signature_method", "HMAC-SHA1"},
		{"oauth_timestamp", strconv.FormatInt(v.unixMilli/1000, 10)},
		{"oauth_version", "1.0"},
	}
	if v.creds.Token != "" {
		ps = append(ps, Param{"oauth_token", v.creds.Token})
	}
	return ps
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			u, err := url.Parse(v.url)
			require.NoError(t, err)

			base := BaseString(v.method, u, v.oauthParams())
			require.Equal(t, v.base, base, "base string")
			require.Equal(t, v.sig, Sign(base, v.creds.ConsumerSecret, v.creds.TokenSecret), "signature")

			header, err := fixedSigner(v.unixMilli, v.nonce).Authorization(v.method, u, &v.creds)
			require.NoError(t, err)
			require.Contains(t, header, `oauth_signature="`+PercentEncode(v.sig)+`"`)
			if v.header != "" {
				require.Equal(t, v.header, header)
			}
			if v.creds.Token != "" {
				require.Contains(t, header, `oauth_token="`+PercentEncode(v.creds.Token)+`"`)
			} else {
				require.NotContains(t, header, "oauth_token")
			}
		})
	}
}

func TestVectorV7TokenInHeader(t *testing.T) {
	v := vectors[6]
	u, err := url.Parse(v.url)
	require.NoError(t, err)
	header, err := fixedSigner(v.unixMilli, v.nonce).Authorization(v.method, u, &v.creds)
	require.NoError(t, err)
	require.Contains(t, header, `oauth_token="tok%2Fen%2B1"`)
}

// TestKeyWithoutToken checks docs/protocol.md §2.6: a token secret is part of the key
// even when oauth_token is left out because the token is empty.
func TestKeyWithoutToken(t *testing.T) {
	v := vectors[0]
	u, err := url.Parse(v.url)
	require.NoError(t, err)
	creds := v.creds
	creds.TokenSecret = "orphan"
	header, err := fixedSigner(v.unixMilli, v.nonce).Authorization(v.method, u, &creds)
	require.NoError(t, err)
	want := PercentEncode(Sign(v.base, creds.ConsumerSecret, "orphan"))
	require.Contains(t, header, `oauth_signature="`+want+`"`)
	require.NotContains(t, header, "oauth_token")
}

// The RFC 5849 and Twitter vectors of RFC 5849 and Twitter's documented signing example.
func TestRFC5849Vectors(t *testing.T) {
	tests := []struct {
		name                        string
		method, url                 string
		params                      []Param
		consumerSecret, tokenSecret string
		base, sig                   string
	}{
		{
			// §3.4.1.1, with the body params c2 and a3 passed alongside. The
			// RFC prints bYT5CMsGcbgUdFHObYMEfcx6bsw=, which is wrong (erratum 2550).
			name: "RFC 5849 §3.4.1.1", method: "POST", url: "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
			params: []Param{
				{"oauth_consumer_key", "9djdj82h48djs9d2"}, {"oauth_token", "kkk9d7dh3k39sjv7"},
				{"oauth_signature_method", "HMAC-SHA1"}, {"oauth_timestamp", "137131201"}, {"oauth_nonce", "7d8f3e4a"},
				{"c2", ""}, {"a3", "2 q"},
			},
			consumerSecret: "j49sk3j29djd", tokenSecret: "dh893hdasih9",
			base: "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7",
			sig:  "r6/TJjbCOr97/+UU0NsvSne7s5g=",
		},
		{
			name: "RFC 5849 §2.1 (no oauth_version)", method: "GET", url: "http://photos.example.net/photos?file=vacation.jpg&size=original",
			params: []Param{
				{"oauth_consumer_key", "dpf43f3p2l4k3l03"}, {"oauth_token", "nnch734d00sl2jdk"},
				{"oauth_signature_method", "HMAC-SHA1"}, {"oauth_timestamp", "137131202"}, {"oauth_nonce", "chapoH"},
			},
			consumerSecret: "kd94hf93k423kf44", tokenSecret: "pfkkdhi9sl3r4s00",
			base: "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal",
			sig:  "MdpQcU8iPSUjWoN/UDMsK2sui9I=",
		},
		{
			name: "OAuth Core 1.0a A.5", method: "GET", url: "http://photos.example.net/photos?file=vacation.jpg&size=original",
			params: []Param{
				{"oauth_consumer_key", "dpf43f3p2l4k3l03"}, {"oauth_token", "nnch734d00sl2jdk"},
				{"oauth_signature_method", "HMAC-SHA1"}, {"oauth_timestamp", "1191242096"}, {"oauth_nonce", "kllo9940pd9333jh"},
				{"oauth_version", "1.0"},
			},
			consumerSecret: "kd94hf93k423kf44", tokenSecret: "pfkkdhi9sl3r4s00",
			base: "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal",
			sig:  "tR3+Ty81lMeYAr/Fid0kMTYa/WM=",
		},
		{
			name: "Twitter /1/", method: "POST", url: "https://api.twitter.com/1/statuses/update.json?include_entities=true",
			params:         twitterParams,
			consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
			base: "POST&https%3A%2F%2Fapi.twitter.com%2F1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521",
			sig:  "tnnArxj06cWHq44gCs1OSKk/jLY=",
		},
		{
			name: "Twitter /1.1/", method: "POST", url: "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
			params:         twitterParams,
			consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
			base: "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521",
			sig:  "hCtSmYh+iHYCEqBWrE7C7hYmtUk=",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			require.NoError(t, err)
			base := BaseString(tt.method, u, tt.params)
			require.Equal(t, tt.base, base)
			require.Equal(t, tt.sig, Sign(base, tt.consumerSecret, tt.tokenSecret))
		})
	}
}

var twitterParams = []Param{
	{"status", "Hello Ladies + Gentlemen, a signed OAuth request!"},
	{"oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"},
	{"oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"},
	{"oauth_signature_method", "HMAC-SHA1"},
	{"oauth_timestamp", "1318622958"},
	{"oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"},
	{"oauth_version", "1.0"},
}
