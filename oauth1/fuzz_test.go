package oauth1

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var encodedForm = regexp.MustCompile(`^(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*$`)

// FuzzPercentEncode checks that the output uses only unreserved characters
// and upper-case escapes, and that url.PathUnescape gives the input back.
func FuzzPercentEncode(f *testing.F) {
	for _, s := range []string{"", "abc", "a b", "!*'()", "ü☃", "\x00\xff", "%41", "+/=&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := PercentEncode(s)
		require.Regexp(t, encodedForm, enc)
		dec, err := url.PathUnescape(enc)
		require.NoError(t, err)
		require.Equal(t, s, dec)
		require.Equal(t, "x"+enc, string(AppendPercentEncode([]byte("x"), s)))
		require.Equal(t, refEncode(s), enc)
	})
}

// FuzzQueryParse checks the query parser: it never panics, its fast path
// agrees with the qs model wherever it takes a query, and both agree with
// the plain reference on the safe subset.
func FuzzQueryParse(f *testing.F) {
	for _, tt := range qsCases {
		f.Add(tt.query)
	}
	f.Fuzz(func(t *testing.T, query string) {
		got := normalized(t, query)

		fast, slow := getState(), getState()
		defer putState(fast)
		defer putState(slow)
		if fast.addQueryFast(query, oauthNamesToken) && !fast.hasLongRun(sortedPairs(fast)) {
			slow.addQuerySlow(query, oauthNamesToken)
			require.Equal(t, pairStrings(slow), pairStrings(fast), "fast path and qs model differ")
		}

		if params, ok := refQueryParams(query); ok && refInSafeSubset(query) {
			require.Equal(t, refNormalized(params), got)
		}
	})
}

func sortedPairs(st *state) []pair {
	slices.SortFunc(st.pairs, st.compare)
	return st.pairs
}

// pairStrings returns the pairs of st as sorted name=value strings.
func pairStrings(st *state) []string {
	var out []string
	for _, p := range st.pairs {
		out = append(out, string(st.bytes(p.name))+"="+string(st.bytes(p.value)))
	}
	slices.Sort(out)
	return out
}

// FuzzAuthorizationHeader builds a header from fuzzed credentials, nonce and
// time, parses it back and checks every parameter and the signature.
func FuzzAuthorizationHeader(f *testing.F) {
	f.Add("3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c", "fedcba98", "s", "ts", "kllo9940pd9333jh6Ao2KzIW5wUb1hHx", int64(1700000000))
	f.Add("key with space", "", `c&s=+/!*'()~`, "", "MfaNonce000000000000000000000000", int64(1712345678))
	f.Add("k", "tok/en+1", "", "sec&ret=2 ü", "a b,\"c\"", int64(-1))
	f.Add("k\"=, ", "\x00", "\xff", "", "", int64(0))
	f.Fuzz(func(t *testing.T, key, token, secret, tokenSecret, nonce string, unix int64) {
		c := Credentials{ConsumerKey: key, ConsumerSecret: secret, Token: token, TokenSecret: tokenSecret}
		s := &Signer{Now: func() time.Time { return time.Unix(unix, 0) }, Nonce: func() string { return nonce }}
		u := mustParse(t, "https://api.example.com/a/b?select(id,name)&limit(10)&x=1")
		header, err := s.Authorization("GET", u, &c)
		if key == "" {
			require.ErrorIs(t, err, errConsumerKey)
			return
		}
		require.NoError(t, err)

		params, err := parseHeader(header)
		require.NoError(t, err, header)
		require.Equal(t, key, params["oauth_consumer_key"])
		require.Equal(t, nonce, params["oauth_nonce"])
		require.Equal(t, "HMAC-SHA1", params["oauth_signature_method"])
		require.Equal(t, strconv.FormatInt(unix, 10), params["oauth_timestamp"])
		require.Equal(t, "1.0", params["oauth_version"])
		wantLen := 6
		if token != "" {
			wantLen = 7
			require.Equal(t, token, params["oauth_token"])
		}
		require.Len(t, params, wantLen, header)
		require.Equal(t, 1, strings.Count(header, "oauth_signature="))
		require.NoError(t, verifyRequest("GET", u, header, c))
	})
}
