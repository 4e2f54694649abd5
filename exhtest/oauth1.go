package exhtest

// This file is the fake's own OAuth1 verifier (HMAC-SHA1, as the
// ExtraHorizon SDKs sign; docs/protocol.md, Signing), deliberately
// independent of package oauth1 (the client's signer): a shared
// implementation would accept the client's own bugs. The query is parsed by
// the qs model in qs.go. It favours plain maps, sort and strings over
// speed.

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// percentEncode is the RFC 3986 encoder of OAuth1: every byte except
// A-Z a-z 0-9 - . _ ~ becomes %XX with upper-case hex.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// strictUnescape decodes %XX escapes like JavaScript's decodeURIComponent:
// it fails on a malformed escape or when the result is not valid UTF-8
// (truncated sequences, surrogates, overlong forms). '+' is left alone.
func strictUnescape(s string) (string, bool) {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			out = append(out, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, ok1 := fromHex(s[i+1])
		lo, ok2 := fromHex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		out = append(out, hi<<4|lo)
		i += 2
	}
	if !utf8.Valid(out) {
		return "", false
	}
	return string(out), true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// normalizedParams builds the normalized parameter string as the JS SDK
// does: the query parsed by qs, every oauth parameter overwriting the query
// parameter of the same top-level name, flattened into pairs, then encoded,
// sorted by name and value, and joined.
func normalizedParams(rawQuery string, oauthParams map[string]string) string {
	top := qsParse(rawQuery)
	for k, v := range oauthParams {
		top.set(k, qsStr(v))
	}
	var encoded []param
	for _, p := range flattenParams(top) {
		encoded = append(encoded, param{percentEncode(p.name), percentEncode(p.value)})
	}
	sort.Slice(encoded, func(i, j int) bool {
		if encoded[i].name != encoded[j].name {
			return encoded[i].name < encoded[j].name
		}
		return encoded[i].value < encoded[j].value
	})
	parts := make([]string, len(encoded))
	for i, p := range encoded {
		parts[i] = p.name + "=" + p.value
	}
	return strings.Join(parts, "&")
}

// signatureBaseString is METHOD & enc(baseURL) & enc(normalized).
// oauthParams must not contain oauth_signature.
func signatureBaseString(method, baseURL, rawQuery string, oauthParams map[string]string) string {
	return strings.ToUpper(method) + "&" + percentEncode(baseURL) + "&" +
		percentEncode(normalizedParams(rawQuery, oauthParams))
}

// signatureKey is enc(consumerSecret) & enc(tokenSecret).
func signatureKey(consumerSecret, tokenSecret string) string {
	return percentEncode(consumerSecret) + "&" + percentEncode(tokenSecret)
}

// hmacSHA1Base64 is the signature: standard base64 of HMAC-SHA1(key, base).
func hmacSHA1Base64(key, base string) string {
	mac := hmac.New(sha1.New, []byte(key))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// requestBaseURL rebuilds the signed base URL from what the server received,
// the way the service does: scheme, lower-cased Host header without its
// default port, and the escaped path exactly as sent.
func requestBaseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(r.Host)
	if scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	} else {
		host = strings.TrimSuffix(host, ":443")
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

var errBadAuthorization = errors.New("malformed OAuth Authorization header")

// parseAuthorization reads an `OAuth k="v", k2="v2"` header into a map of
// percent-decoded names and values. Quotes around values are optional;
// empty items are skipped; a repeated name is an error.
func parseAuthorization(header string) (map[string]string, error) {
	header = strings.TrimSpace(header)
	if len(header) < 6 || !strings.EqualFold(header[:6], "OAuth ") {
		return nil, errBadAuthorization
	}
	params := map[string]string{}
	for _, item := range strings.Split(header[6:], ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		rawName, rawValue, found := strings.Cut(item, "=")
		if !found {
			return nil, errBadAuthorization
		}
		rawName = strings.TrimSpace(rawName)
		rawValue = strings.TrimSpace(rawValue)
		if len(rawValue) >= 2 && strings.HasPrefix(rawValue, `"`) && strings.HasSuffix(rawValue, `"`) {
			rawValue = rawValue[1 : len(rawValue)-1]
		}
		name, ok1 := strictUnescape(rawName)
		value, ok2 := strictUnescape(rawValue)
		if !ok1 || !ok2 || name == "" {
			return nil, errBadAuthorization
		}
		if _, dup := params[name]; dup {
			return nil, errBadAuthorization
		}
		params[name] = value
	}
	return params, nil
}

// signedParams returns the header parameters that take part in the
// signature: all of them except oauth_signature and a realm.
func signedParams(header map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range header {
		if k == "oauth_signature" || k == "realm" || k == "oauth_realm" {
			continue
		}
		out[k] = v
	}
	return out
}

// checkProtocolParams validates the oauth parameters every request must
// carry and returns the parsed timestamp. oauth_version may be left out
// (RFC 5849 §3.1), but if present it must be "1.0".
func checkProtocolParams(p map[string]string) (int64, bool) {
	for _, required := range []string{"oauth_consumer_key", "oauth_signature", "oauth_signature_method", "oauth_timestamp", "oauth_nonce"} {
		if p[required] == "" {
			return 0, false
		}
	}
	if p["oauth_signature_method"] != "HMAC-SHA1" {
		return 0, false
	}
	if v, ok := p["oauth_version"]; ok && v != "1.0" {
		return 0, false
	}
	return parseTimestamp(p["oauth_timestamp"])
}

// parseTimestamp reads oauth_timestamp: decimal digits only.
func parseTimestamp(ts string) (int64, bool) {
	if ts == "" {
		return 0, false
	}
	for i := 0; i < len(ts); i++ {
		if ts[i] < '0' || ts[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}
