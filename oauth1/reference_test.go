package oauth1

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"net/url"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// This file holds a plain, deliberately slow reference implementation of the
// ExH signature, written without looking at the optimized code: strings,
// maps, sort.Strings-style sorting and the standard library's escaping. It
// covers the safe subset of docs/protocol.md §2.4 only: no bracket in any name or value
// (literal or %5B/%5D), and no name repeated more than 20 times. Prototype
// names and the 1000-piece limit are modelled. Queries outside the subset
// are checked against qs itself in qs_test.go instead.

var refPrototypeNames = map[string]bool{
	"constructor": true, "__defineGetter__": true, "__defineSetter__": true, "hasOwnProperty": true,
	"__lookupGetter__": true, "__lookupSetter__": true, "isPrototypeOf": true, "propertyIsEnumerable": true,
	"toString": true, "valueOf": true, "__proto__": true, "toLocaleString": true,
}

// refEncode is RFC 3986 percent-encoding built on url.QueryEscape, which
// keeps exactly the unreserved characters and writes a space as '+'.
func refEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// refDecode is qs's decoder: '+' is a space, then strict UTF-8
// percent-decoding, falling back to the text as it was.
func refDecode(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if d, err := url.PathUnescape(s); err == nil && utf8.ValidString(d) {
		return d
	}
	return s
}

// refInSafeSubset reports whether a query is in the subset the reference models.
func refInSafeSubset(query string) bool {
	upper := strings.ToUpper(query)
	return !strings.ContainsAny(query, "[]") && !strings.Contains(upper, "%5B") && !strings.Contains(upper, "%5D")
}

// refQueryParams parses a query in the safe subset into decoded names and
// their values; it reports false if a name repeats more than 20 times.
func refQueryParams(query string) (map[string][]string, bool) {
	params := map[string][]string{}
	pieces := strings.Split(query, "&")
	if len(pieces) > 1000 {
		pieces = pieces[:1000]
	}
	for _, piece := range pieces {
		name, value := piece, ""
		if i := strings.Index(piece, "="); i >= 0 {
			name, value = piece[:i], piece[i+1:]
		}
		if name == "" {
			continue
		}
		name = refDecode(name)
		if refPrototypeNames[name] {
			continue
		}
		params[name] = append(params[name], refDecode(value))
		if len(params[name]) > 20 {
			return nil, false
		}
	}
	return params, true
}

// refNormalized is the normalized parameter string of docs/protocol.md §2.5.
func refNormalized(params map[string][]string) string {
	var pairs []string
	for name, values := range params {
		for _, v := range values {
			pairs = append(pairs, refEncode(name)+"\x00"+refEncode(v))
		}
	}
	// Encoded names and values hold no NUL, so sorting "name\x00value"
	// sorts by name, then by value.
	sort.Strings(pairs)
	for i, p := range pairs {
		pairs[i] = strings.Replace(p, "\x00", "=", 1)
	}
	return strings.Join(pairs, "&")
}

// refBaseURL is scheme://host/path as docs/protocol.md §2.3 describes.
func refBaseURL(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Host)
	if scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	}
	if scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	}
	return scheme + "://" + host + refRemoveDots(u.EscapedPath())
}

// refRemoveDots resolves "." and ".." segments (also written %2e).
func refRemoveDots(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	var out []string
	segments := strings.Split(path, "/")[1:]
	for i, seg := range segments {
		last := i == len(segments)-1
		switch strings.ToLower(seg) {
		case "..", ".%2e", "%2e.", "%2e%2e":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		case ".", "%2e":
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/")
}

// refBaseString is the base string for a request whose oauth parameters
// are oauth; it reports false if the query is outside the safe subset.
func refBaseString(method string, u *url.URL, oauth map[string]string) (string, bool) {
	if !refInSafeSubset(u.RawQuery) {
		return "", false
	}
	params, ok := refQueryParams(u.RawQuery)
	if !ok {
		return "", false
	}
	for name, value := range oauth {
		params[name] = []string{value}
	}
	if method == "" {
		method = "GET"
	}
	return refEncode(strings.ToUpper(method)) + "&" + refEncode(refBaseURL(u)) + "&" + refEncode(refNormalized(params)), true
}

// refSign is the HMAC-SHA1 signature of docs/protocol.md §2.6.
func refSign(base, consumerSecret, tokenSecret string) string {
	mac := hmac.New(sha1.New, []byte(refEncode(consumerSecret)+"&"+refEncode(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// parseHeader parses an Authorization value of the form
// OAuth k1="v1", k2="v2" into its decoded parameters, checking that the
// names are sorted and that every value is percent-encoded.
func parseHeader(header string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(header, "OAuth ")
	if !ok {
		return nil, errors.New("no OAuth scheme")
	}
	params := map[string]string{}
	last := ""
	for item := range strings.SplitSeq(rest, ", ") {
		name, quoted, ok := strings.Cut(item, "=")
		if !ok || len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
			return nil, errors.New("malformed item " + item)
		}
		value := quoted[1 : len(quoted)-1]
		if refEncode(mustUnescape(value)) != value {
			return nil, errors.New("value not percent-encoded: " + value)
		}
		if name <= last {
			return nil, errors.New("names not sorted at " + name)
		}
		params[name], last = mustUnescape(value), name
	}
	return params, nil
}

func mustUnescape(s string) string {
	d, err := url.PathUnescape(s)
	if err != nil {
		return "\x00invalid"
	}
	return d
}

// verifyRequest checks an Authorization header the way a server would:
// rebuild the base string from the request line and the header's own oauth
// parameters with the reference code, and compare signatures.
func verifyRequest(method string, u *url.URL, header string, c Credentials) error {
	params, err := parseHeader(header)
	if err != nil {
		return err
	}
	sig := params["oauth_signature"]
	delete(params, "oauth_signature")
	switch {
	case params["oauth_consumer_key"] != c.ConsumerKey:
		return errors.New("wrong consumer key")
	case params["oauth_token"] != c.Token:
		return errors.New("wrong token")
	case params["oauth_signature_method"] != "HMAC-SHA1" || params["oauth_version"] != "1.0":
		return errors.New("wrong signature method or version")
	}
	base, ok := refBaseString(method, u, params)
	if !ok {
		return errors.New("query outside the reference's subset")
	}
	if !hmac.Equal([]byte(sig), []byte(refSign(base, c.ConsumerSecret, c.TokenSecret))) {
		return errors.New("bad signature")
	}
	return nil
}

func TestReferenceMatchesVectors(t *testing.T) {
	for _, v := range vectors {
		u := mustParse(t, v.url)
		oauth := map[string]string{}
		for _, p := range v.oauthParams() {
			oauth[p.Name] = p.Value
		}
		base, ok := refBaseString(v.method, u, oauth)
		if !ok {
			require.True(t, strings.Contains(v.url, "["), "%s is in the safe subset", v.name)
			continue
		}
		require.Equal(t, v.base, base, v.name)
		require.Equal(t, v.sig, refSign(base, v.creds.ConsumerSecret, v.creds.TokenSecret), v.name)
	}
}

// randomRequest returns a random method, URL and credentials built from
// pieces that stress encoding, decoding and sorting.
func randomRequest(r *rand.Rand) (string, *url.URL, Credentials) {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	pieceName := func() string {
		return pick("a", "b", "B", "_", "a.b", "limit(10)", "select(id,name)", "eq(userId,abc)", "sort(+name)",
			"%41", "%c3%a9", "%C3", "%ZZ", "%", "%2", "a+b", "ü", "x y", "%00", "%2B", ";", "oauth_nonce", "oauth_x",
			"toString", "__proto__", "constructor", "0", "20", "!*'()", "~", "%25", "%7E", "é")
	}
	pieceValue := func() string {
		return pick("", "1", "2", "10", "a b", "a+b", "%20", "%ED%A0%80", "%F0%9F%98%80", "=", "==x", "%3D", "&", ",",
			"Hypertension%2520%252D", "x%ZZ", "ü", "%e2%82%ac", "-._~", "%7e")
	}
	var pieces []string
	for range r.IntN(12) {
		switch r.IntN(6) {
		case 0:
			pieces = append(pieces, pieceName())
		case 1:
			pieces = append(pieces, "")
		default:
			pieces = append(pieces, pieceName()+"="+pieceValue())
		}
	}
	if r.IntN(10) == 0 { // repeats up to the array limit
		for range r.IntN(21) {
			pieces = append(pieces, "r="+pieceValue())
		}
	}
	r.Shuffle(len(pieces), func(i, j int) { pieces[i], pieces[j] = pieces[j], pieces[i] })
	u := &url.URL{
		Scheme:   pick("https", "http", "HTTPS"),
		Host:     pick("api.example.com", "API.Example.COM", "api.example.com:443", "localhost:8080", "localhost:80", "[::1]:8443"),
		Path:     pick("", "/", "/a/b", "/a/./b/../c", "/a b/é", "/users/v1/me", "/a/..", "/x/%2e%2E/y", "/a//b/"),
		RawQuery: strings.Join(pieces, "&"),
	}
	c := Credentials{
		ConsumerKey:    pick("ck", "key with space", "3f6c1a2b4d5e6f708192a3b4c5d6e7f8091a2b3c"),
		ConsumerSecret: pick("", "s", `c&s=+/!*'()~`, strings.Repeat("long", 20)),
		Token:          pick("", "tok", "tok/en+1"),
		TokenSecret:    pick("", "ts", "sec&ret=2 ü"),
	}
	return pick("GET", "get", "POST", "Patch", "DELETE", ""), u, c
}

// TestBaseStringDifferential compares BaseString, Sign and Authorization
// with the reference on random requests in the safe subset.
func TestBaseStringDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for range 20000 {
		method, u, c := randomRequest(r)
		s := fixedSigner(1700000000123, NewNonce())
		header, err := s.Authorization(method, u, &c)
		require.NoError(t, err)
		if !refInSafeSubset(u.RawQuery) {
			continue
		}
		checked++
		require.NoError(t, verifyRequest(method, u, header, c), "%s %s\n%s", method, u, header)

		oauth := map[string]string{"oauth_consumer_key": c.ConsumerKey, "oauth_nonce": "n", "oauth_timestamp": "1"}
		want, ok := refBaseString(method, u, oauth)
		require.True(t, ok)
		got := BaseString(method, u, []Param{{"oauth_consumer_key", c.ConsumerKey}, {"oauth_nonce", "n"}, {"oauth_timestamp", "1"}})
		require.Equal(t, want, got, "%s %s", method, u)
		require.Equal(t, refSign(want, c.ConsumerSecret, c.TokenSecret), Sign(got, c.ConsumerSecret, c.TokenSecret))
	}
	require.Greater(t, checked, 10000)
}

// FuzzBaseStringDifferential compares BaseString and Sign with the reference
// for fuzzed methods, paths and queries in the safe subset.
func FuzzBaseStringDifferential(f *testing.F) {
	for _, v := range vectors {
		u := mustParse(f, v.url)
		f.Add(v.method, u.Path, u.RawQuery, v.creds.ConsumerSecret)
	}
	f.Add("get", "/a/./b/../c", "a=1&&b=2&a=%c3%a9&k=v=w&flag&=x", "s")
	f.Add("POST", "/a b/é", "sort(+name)&x=%ZZ&y=%C3&z=%ED%A0%80&toString=1", "")
	f.Fuzz(func(t *testing.T, method, path, query, secret string) {
		for i := 0; i < len(method); i++ {
			if method[i] >= utf8.RuneSelf {
				t.Skip("HTTP methods are ASCII tokens")
			}
		}
		u := &url.URL{Scheme: "https", Host: "api.example.com", Path: path, RawQuery: query}
		params := []Param{{"oauth_consumer_key", "ck"}, {"oauth_nonce", "n"}, {"oauth_timestamp", "1"}}
		got := BaseString(method, u, params) // must not panic, whatever the input
		want, ok := refBaseString(method, u, map[string]string{"oauth_consumer_key": "ck", "oauth_nonce": "n", "oauth_timestamp": "1"})
		if !ok {
			t.Skip("query outside the safe subset")
		}
		require.Equal(t, want, got)
		require.Equal(t, refSign(want, secret, "t"), Sign(got, secret, "t"))
	})
}
