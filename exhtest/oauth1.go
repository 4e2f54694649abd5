package exhtest

// This file is the fake's own OAuth1 verifier, written from
// spec/protocol.md §1 and deliberately independent of package oauth1 (the
// client's signer): a shared implementation would accept the client's own
// bugs. It favours plain maps, sort and strings over speed.

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// percentEncode is the RFC 3986 encoder of spec §1.3: every byte except
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

// qsDecode is qs's default decoder (spec §1.5 rule 4): '+' becomes a space,
// then the whole text is percent-decoded; if that fails the text is kept as
// it is (with the '+' already turned into spaces).
func qsDecode(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if decoded, ok := strictUnescape(s); ok {
		return decoded
	}
	return s
}

// qsArrayLimit is qs's arrayLimit: lists longer than this, and explicit
// indices at or above it, become objects with index keys (qs ≥ 6.14.2, the
// version of JS SDK 8.14.1).
const qsArrayLimit = 20

// qsParameterLimit is qs's parameterLimit: pieces after the first 1000 are
// ignored.
const qsParameterLimit = 1000

// qsDepth is qs's depth: at most five bracket groups are nested.
const qsDepth = 5

// prototypeNames are the members of JavaScript's Object.prototype. qs drops
// a parameter whose top-level name or bracket segment is one of them.
var prototypeNames = map[string]bool{
	"constructor": true, "__defineGetter__": true, "__defineSetter__": true,
	"hasOwnProperty": true, "__lookupGetter__": true, "__lookupSetter__": true,
	"isPrototypeOf": true, "propertyIsEnumerable": true, "toString": true,
	"valueOf": true, "__proto__": true, "toLocaleString": true,
}

// qsKind tells the three shapes a parsed qs value can have.
type qsKind int

const (
	qsString qsKind = iota
	qsArray
	qsObject
)

// qsValue is a JavaScript value as qs builds it: a string, an array (a nil
// item is a hole of a sparse array) or a plain object.
type qsValue struct {
	kind  qsKind
	str   string
	items []*qsValue
	props map[string]*qsValue
	// overflow marks an object that qsCombine made from a list that grew
	// past qsArrayLimit; further values are appended at the next index.
	overflow bool
}

func qsStr(s string) *qsValue { return &qsValue{kind: qsString, str: s} }

func newQSObject() *qsValue { return &qsValue{kind: qsObject, props: map[string]*qsValue{}} }

func (v *qsValue) isObjectLike() bool { return v.kind == qsArray || v.kind == qsObject }

// truthy is JavaScript truthiness for the values qs produces: only the
// empty string is falsy.
func (v *qsValue) truthy() bool { return v.kind != qsString || v.str != "" }

// ownKeys is Object.keys: an array's indices that are not holes, or an
// object's property names.
func (v *qsValue) ownKeys() []string {
	var keys []string
	switch v.kind {
	case qsArray:
		for i, it := range v.items {
			if it != nil {
				keys = append(keys, strconv.Itoa(i))
			}
		}
	case qsObject:
		for k := range v.props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
	}
	return keys
}

func (v *qsValue) get(key string) *qsValue {
	if v.kind == qsObject {
		return v.props[key]
	}
	i, err := strconv.Atoi(key)
	if err != nil || i < 0 || i >= len(v.items) {
		return nil
	}
	return v.items[i]
}

// jsString is String(v) in JavaScript: arrays are joined with commas
// (holes give ""), objects give "[object Object]".
func (v *qsValue) jsString() string {
	switch v.kind {
	case qsArray:
		parts := make([]string, len(v.items))
		for i, it := range v.items {
			if it != nil {
				parts[i] = it.jsString()
			}
		}
		return strings.Join(parts, ",")
	case qsObject:
		return "[object Object]"
	}
	return v.str
}

// qsCombine is qs's utils.combine: the concatenation of a and b, turned into
// an object with index keys when it holds more than qsArrayLimit values. An
// object a (an earlier overflow) gets b at the next index.
func qsCombine(a, b *qsValue) *qsValue {
	if a != nil && a.overflow {
		a.props[strconv.Itoa(len(a.props))] = b
		return a
	}
	var items []*qsValue
	for _, v := range []*qsValue{a, b} {
		switch {
		case v == nil:
		case v.kind == qsArray:
			items = append(items, v.items...)
		default:
			items = append(items, v)
		}
	}
	if len(items) > qsArrayLimit {
		obj := newQSObject()
		obj.overflow = true
		for i, it := range items {
			if it != nil {
				obj.props[strconv.Itoa(i)] = it
			}
		}
		return obj
	}
	return &qsValue{kind: qsArray, items: items}
}

// qsMerge is qs's utils.merge(target, source).
func qsMerge(target, source *qsValue) *qsValue {
	if source == nil || !source.truthy() {
		return target
	}
	if !source.isObjectLike() {
		switch target.kind {
		case qsArray:
			target.items = append(target.items, source)
		case qsObject:
			if !prototypeNames[source.str] {
				target.props[source.str] = qsStr("true")
			}
		default:
			return &qsValue{kind: qsArray, items: []*qsValue{target, source}}
		}
		return target
	}
	if !target.isObjectLike() {
		items := []*qsValue{target}
		if source.kind == qsArray {
			items = append(items, source.items...)
		} else {
			items = append(items, source)
		}
		return &qsValue{kind: qsArray, items: items}
	}
	if target.kind == qsArray && source.kind == qsArray {
		for i, item := range source.items {
			if item == nil {
				continue // forEach skips holes
			}
			if i < len(target.items) && target.items[i] != nil {
				existing := target.items[i]
				if existing.isObjectLike() && item.isObjectLike() {
					target.items[i] = qsMerge(existing, item)
				} else {
					target.items = append(target.items, item)
				}
			} else {
				for len(target.items) <= i {
					target.items = append(target.items, nil)
				}
				target.items[i] = item
			}
		}
		return target
	}
	merged := target
	if target.kind == qsArray {
		// arrayToObject
		merged = newQSObject()
		for i, it := range target.items {
			if it != nil {
				merged.props[strconv.Itoa(i)] = it
			}
		}
	}
	for _, k := range source.ownKeys() {
		value := source.get(k)
		if existing, ok := merged.props[k]; ok {
			merged.props[k] = qsMerge(existing, value)
		} else {
			merged.props[k] = value
		}
	}
	return merged
}

// qsCompact removes the holes of every array, recursively.
func qsCompact(v *qsValue) {
	switch v.kind {
	case qsArray:
		var items []*qsValue
		for _, it := range v.items {
			if it != nil {
				qsCompact(it)
				items = append(items, it)
			}
		}
		v.items = items
	case qsObject:
		for _, it := range v.props {
			qsCompact(it)
		}
	}
}

// bracketGroup is one "[...]" without brackets inside, as in qs's key
// splitter.
var bracketGroup = regexp.MustCompile(`\[[^\[\]]*\]`)

// qsSplitKey splits a decoded name like "a[b][c]" into its segments
// ("a", "[b]", "[c]"). Text after the last bracket group is dropped; groups
// past qsDepth are kept as one final segment. It returns nil when qs drops
// the parameter because a segment names an Object.prototype member.
func qsSplitKey(key string) []string {
	groups := bracketGroup.FindAllStringIndex(key, -1)
	parent := key
	if len(groups) > 0 {
		parent = key[:groups[0][0]]
	}
	var segments []string
	if parent != "" {
		if prototypeNames[parent] {
			return nil
		}
		segments = append(segments, parent)
	}
	for i, g := range groups {
		if i == qsDepth {
			segments = append(segments, "["+key[g[0]:]+"]")
			break
		}
		seg := key[g[0]:g[1]]
		if prototypeNames[seg[1:len(seg)-1]] {
			return nil
		}
		segments = append(segments, seg)
	}
	return segments
}

// qsBuild is qs's parseObject: it wraps leaf in the nesting that the
// segments describe, innermost last.
func qsBuild(segments []string, leaf *qsValue) *qsValue {
	for i := len(segments) - 1; i >= 0; i-- {
		root := segments[i]
		if root == "[]" {
			if !leaf.overflow {
				leaf = qsCombine(&qsValue{kind: qsArray}, leaf)
			}
			continue
		}
		clean := root
		bracketed := strings.HasPrefix(root, "[") && strings.HasSuffix(root, "]")
		if bracketed {
			clean = root[1 : len(root)-1]
		}
		if index, err := strconv.Atoi(clean); err == nil && bracketed && index >= 0 &&
			strconv.Itoa(index) == clean && index < qsArrayLimit {
			arr := &qsValue{kind: qsArray, items: make([]*qsValue, index+1)}
			arr.items[index] = leaf
			leaf = arr
			continue
		}
		obj := newQSObject()
		if clean != "__proto__" {
			obj.props[clean] = leaf
		}
		leaf = obj
	}
	return leaf
}

// qsParse parses a raw query string (no leading '?') the way qs.parse does
// with its default options (spec §1.5) and returns the top-level object.
func qsParse(rawQuery string) *qsValue {
	result := newQSObject()
	if rawQuery == "" {
		return result
	}
	pieces := strings.Split(rawQuery, "&")
	if len(pieces) > qsParameterLimit {
		pieces = pieces[:qsParameterLimit]
	}

	// Pass 1 (qs parseValues): decode names and values, combining repeats.
	var order []string
	values := map[string]*qsValue{}
	for _, piece := range pieces {
		if piece == "" {
			continue
		}
		pos := strings.Index(piece, "=")
		if bracketEq := strings.Index(piece, "]="); bracketEq >= 0 {
			pos = bracketEq + 1
		}
		var name, value string
		if pos < 0 {
			name = qsDecode(piece)
		} else {
			name, value = qsDecode(piece[:pos]), qsDecode(piece[pos+1:])
		}
		if existing, ok := values[name]; ok {
			values[name] = qsCombine(existing, qsStr(value))
		} else {
			values[name] = qsStr(value)
			order = append(order, name)
		}
	}

	// Pass 2 (qs parseKeys + merge): expand bracketed names into objects.
	for _, name := range order {
		if name == "" {
			continue
		}
		segments := qsSplitKey(name)
		if segments == nil {
			continue
		}
		result = qsMerge(result, qsBuild(segments, values[name]))
	}
	qsCompact(result)
	return result
}

// param is one (name, value) pair of the normalized parameter string.
type param struct{ name, value string }

// flattenParams turns the parsed query into pairs the way the JS SDK does
// (spec §1.5 "Flattening"): a list gives one pair per element, an object is
// flattened one level as name[key], anything deeper goes through String().
func flattenParams(top *qsValue) []param {
	var out []param
	for _, name := range top.ownKeys() {
		v := top.props[name]
		switch v.kind {
		case qsString:
			out = append(out, param{name, v.str})
		case qsArray:
			for _, it := range v.items {
				out = append(out, param{name, it.jsString()})
			}
		case qsObject:
			for _, k := range v.ownKeys() {
				out = append(out, param{name + "[" + k + "]", v.props[k].jsString()})
			}
		}
	}
	return out
}

// normalizedParams builds the normalized parameter string of spec §1.6: the
// query parsed qs-style, every oauth parameter overwriting a query parameter
// of the same name, then encoded, sorted by name and value, and joined.
func normalizedParams(rawQuery string, oauthParams map[string]string) string {
	top := qsParse(rawQuery)
	for k, v := range oauthParams {
		top.props[k] = qsStr(v)
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

// signatureBaseString is spec §1.7: METHOD & enc(baseURL) & enc(normalized).
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

// requestBaseURL rebuilds the signed base URL from what the server received
// (spec §1.4): scheme, lower-cased Host header without its default port, and
// the escaped path exactly as sent.
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
