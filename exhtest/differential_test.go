package exhtest

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/exhgo/exh/oauth1"
)

// The differential test: requests signed by the SDK's optimized signer
// (package oauth1) must verify with this package's own plain verifier, and a
// one-byte change to a signed part must not. The two implementations were
// written separately; each checks the other. Every query is fair game, since
// both follow qs 6.15.2 all the way (brackets, limits, prototype names).

var diffCreds = oauth1.Credentials{
	ConsumerKey:    "key with space",
	ConsumerSecret: `c&s=+/!*'()~`,
	Token:          "tok/en+1",
	TokenSecret:    "sec&ret=2 ü",
}

// verifies reports whether header is a valid signature of method, path and
// query according to the fake's verifier.
func verifies(t *testing.T, header, method, path, query string) bool {
	t.Helper()
	params, err := parseAuthorization(header)
	if err != nil {
		t.Fatalf("the verifier cannot parse the signer's header: %v", err)
	}
	if path == "" {
		path = "/"
	}
	base := signatureBaseString(method, "http://127.0.0.1:8080"+path, query, signedParams(params))
	return hmacSHA1Base64(signatureKey(diffCreds.ConsumerSecret, diffCreds.TokenSecret), base) == params["oauth_signature"]
}

// flipAlnum changes the i-th alphanumeric byte of s (counted modulo their
// number) to another alphanumeric byte. It reports false when s has none.
func flipAlnum(s string, i int) (string, bool) {
	var idx []int
	for j := 0; j < len(s); j++ {
		if c := s[j]; c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			idx = append(idx, j)
		}
	}
	if len(idx) == 0 {
		return s, false
	}
	j := idx[(i%len(idx)+len(idx))%len(idx)]
	b := []byte(s)
	if b[j] == 'q' {
		b[j] = 'r'
	} else {
		b[j] = 'q'
	}
	return string(b), true
}

func FuzzSignerAgreesWithVerifier(f *testing.F) {
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
	seeds := []struct{ method, path, query string }{
		{"GET", "/auth/v2/oauth1/tokens", "select(id,name)&limit(10)&eq(userId,abc)"},
		{"GET", "/data/v1/abc", "eq(name,Hypertension%2520%252D%2520STAGE%25201)&limit(5,10)"},
		{"DELETE", "/auth/v2/oauth1/tokens/656f1ae833190297b20641d0", ""},
		{"POST", "/auth/v2/oauth1/tokens/mfa", ""},
		{"GET", "/files/v1/", "r=2&r=1&flag&q=a+b%20c&oauth_nonce=evil"},
		{"GET", "/a%2fb/c%20d", "k=v=w&a=1;b=2&&x=%41%ZZ&u=%C3%BC&bad=%C3&sur=%ED%A0%80"},
		{"PUT", "/x", "sort(+name)&select(a,b)&in(id,a,b,c)"},
		{"PATCH", "/é/ü", "name=%E2%82%AC&lower=%2f%2a"},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, 0)
	}
	// The hand-picked queries of the qs case file (brackets, the array and
	// depth limits, prototype names), except the long ones of the parameter
	// limit, which would slow the fuzzer down.
	for i, c := range loadQSCases(f).Cases {
		if c.Note != "" && len(c.Query) < 2000 {
			f.Add(methods[i%len(methods)], "/users/v1/me", c.Query, i)
		}
	}
	signer := &oauth1.Signer{
		Now:   func() time.Time { return time.Unix(1712345678, 0) },
		Nonce: func() string { return "DiffNonce00000000000000000000000" },
	}
	f.Fuzz(func(t *testing.T, method, path, query string, pick int) {
		method = strings.ToUpper(method)
		if !contains(methods, method) || len(query) > 1<<15 {
			t.Skip()
		}
		u, err := url.Parse("http://127.0.0.1:8080" + path + "?" + query)
		if err != nil || u.Host != "127.0.0.1:8080" || u.Fragment != "" || hasDotSegment(u.EscapedPath()) {
			t.Skip()
		}
		u.RawQuery = query
		header, err := signer.Authorization(method, u, &diffCreds)
		if err != nil {
			t.Fatalf("signer refused %s %q: %v", method, u, err)
		}
		wirePath := u.EscapedPath()
		if !verifies(t, header, method, wirePath, query) {
			t.Fatalf("%s %s?%s: signed by oauth1 but rejected by the verifier", method, wirePath, query)
		}

		// A different method must not verify.
		other := methods[(indexOf(methods, method)+1+(pick&3))%len(methods)]
		if verifies(t, header, other, wirePath, query) {
			t.Fatalf("signature for %s also verifies for %s", method, other)
		}
		// A changed path byte must not verify.
		if p, ok := flipAlnum(wirePath, pick); ok && verifies(t, header, method, p, query) {
			t.Fatalf("signature verifies for a changed path %q", p)
		}
		// A changed query byte must not verify, unless the change leaves the
		// parameters the same (qs drops or merges some text).
		if q, ok := flipAlnum(query, pick); ok {
			params, _ := parseAuthorization(header)
			signed := signedParams(params)
			same := normalizedParams(q, signed) == normalizedParams(query, signed)
			if !same && verifies(t, header, method, wirePath, q) {
				t.Fatalf("signature verifies for a changed query %q", q)
			}
		}
	})
}

func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool { return indexOf(list, s) >= 0 }

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
