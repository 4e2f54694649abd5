package oauth1

import (
	"bytes"
	"crypto/sha1"
	"encoding"
	"encoding/base64"
	"hash"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Signer computes Authorization header values. The zero value is ready to
// use, and a Signer is safe for concurrent use as long as its fields are not
// changed.
type Signer struct {
	// Now returns the current time; nil means time.Now. The
	// oauth_timestamp is Now().Unix().
	Now func() time.Time
	// Nonce returns the oauth_nonce of one signature; nil means NewNonce.
	Nonce func() string
}

// Param is one name/value pair, as it is before percent-encoding.
type Param struct{ Name, Value string }

// The oauth parameters an Authorization header carries, which overwrite
// query parameters of the same name (docs/protocol.md §2.5).
var (
	oauthNames      = []string{"oauth_consumer_key", "oauth_nonce", "oauth_signature_method", "oauth_timestamp", "oauth_version"}
	oauthNamesToken = append(slices.Clip(oauthNames), "oauth_token")
)

// Authorization returns the Authorization header value
// ("OAuth oauth_consumer_key=\"…\", …") for a request with this method and
// URL exactly as it will go on the wire: lower-cased scheme and host, default
// port (:443 https, :80 http) dropped, u.EscapedPath() (an empty path is "/";
// dot segments resolved), and u.RawQuery parsed the qs way (docs/protocol.md §2.4). The
// body is never signed. oauth_token is sent only when c.Token is not empty;
// c.TokenSecret is part of the key whenever it is set.
//
// It returns an error only for unusable input: a nil URL or credentials, an
// empty consumer key, a scheme other than http or https, an opaque URL, or a
// missing or non-ASCII host.
func (s *Signer) Authorization(method string, u *url.URL, c *Credentials) (string, error) {
	t, err := newTarget(u, "")
	if err != nil {
		return "", err
	}
	return s.authorization(method, t, c)
}

func (s *Signer) authorization(method string, t target, c *Credentials) (string, error) {
	switch {
	case c == nil:
		return "", errNilCreds
	case c.ConsumerKey == "":
		return "", errConsumerKey
	}
	var signer Signer
	if s != nil {
		signer = *s
	}

	st := getState()
	defer putState(st)
	over := oauthNames
	if c.Token != "" {
		over = oauthNamesToken
	}
	st.addQuery(t.query, over)
	query := len(st.pairs)
	h := st.addOAuthParams(c, signer)
	st.writeBase(method, t, query)
	var sig [28]byte
	st.sign(&sig, c.ConsumerSecret, c.TokenSecret)
	return st.header(h, sig), nil
}

// headerValues are the oauth parameter values that the header repeats: raw,
// and as spans of st.kv.
type headerValues struct {
	consumerKey, nonce, token  string
	key, nonceValue, timestamp span
	tokenValue                 span
}

// addOAuthParams adds the oauth parameters in their sorted order.
func (st *state) addOAuthParams(c *Credentials, s Signer) headerValues {
	h := headerValues{consumerKey: c.ConsumerKey, token: c.Token}
	h.key = st.addOAuthParam("oauth_consumer_key", c.ConsumerKey)
	if s.Nonce != nil {
		h.nonce = s.Nonce()
		h.nonceValue = st.addOAuthParam("oauth_nonce", h.nonce)
	} else {
		name := st.appendName("oauth_nonce")
		st.kv = st.random.appendNonce(st.kv)
		h.nonceValue = st.endPair(name)
	}
	st.addOAuthParam("oauth_signature_method", "HMAC-SHA1")
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	name := st.appendName("oauth_timestamp")
	st.kv = strconv.AppendInt(st.kv, now().Unix(), 10)
	h.timestamp = st.endPair(name)
	if c.Token != "" {
		h.tokenValue = st.addOAuthParam("oauth_token", c.Token)
	}
	st.addOAuthParam("oauth_version", "1.0")
	return h
}

// header builds the Authorization header value (docs/protocol.md §2.7).
func (st *state) header(h headerValues, sig [28]byte) string {
	b := append(st.out[:0], `OAuth oauth_consumer_key="`...)
	b = st.appendOnce(b, h.key, h.consumerKey)
	b = append(b, `", oauth_nonce="`...)
	b = st.appendOnce(b, h.nonceValue, h.nonce)
	b = append(b, `", oauth_signature="`...)
	for _, c := range sig {
		b = appendEscapedByte(b, c, once)
	}
	b = append(b, `", oauth_signature_method="HMAC-SHA1", oauth_timestamp="`...)
	b = append(b, st.bytes(h.timestamp)...)
	if h.token != "" {
		b = append(b, `", oauth_token="`...)
		b = st.appendOnce(b, h.tokenValue, h.token)
	}
	b = append(b, `", oauth_version="1.0"`...)
	st.out = b
	return string(b)
}

// BaseString returns the signature base string (docs/protocol.md §2.6) for method and u,
// normalized as Authorization does, with params merged into the query's
// parameters: a param whose name starts with "oauth_" overwrites query
// parameters of that name (docs/protocol.md §2.5), any other param is added alongside
// (this is how form-body parameters of plain RFC 5849 requests are passed).
// u must not be nil.
func BaseString(method string, u *url.URL, params []Param) string {
	if u == nil {
		panic("oauth1: BaseString called with a nil URL")
	}
	st := getState()
	defer putState(st)
	var over []string
	for _, p := range params {
		if strings.HasPrefix(p.Name, "oauth_") {
			over = append(over, p.Name)
		}
	}
	if slices.ContainsFunc(over, needsEncoding) {
		st.addQuerySlow(u.RawQuery, over)
	} else {
		st.addQuery(u.RawQuery, over)
	}
	for _, p := range params {
		st.addParam(p.Name, p.Value)
	}
	slices.SortFunc(st.pairs, st.compare)
	st.writeBase(method, makeTarget(u, u.Host), len(st.pairs))
	return string(st.base)
}

// Sign returns base64(HMAC-SHA1(enc(consumerSecret)&enc(tokenSecret), base)),
// the oauth_signature of a base string (docs/protocol.md §2.6).
func Sign(base, consumerSecret, tokenSecret string) string {
	st := getState()
	defer putState(st)
	st.base = append(st.base[:0], base...)
	var sig [28]byte
	st.sign(&sig, consumerSecret, tokenSecret)
	return string(sig[:])
}

// span is a range of state.kv.
type span struct{ start, end int }

// pair is one name/value pair of the normalized parameter string. Both are
// held encoded twice, as they appear in the base string; that preserves
// their sort order, since '%' sorts before every unreserved byte.
type pair struct{ name, value span }

// state is the scratch memory of one signature, recycled through statePool.
type state struct {
	kv     []byte // names and values, encoded twice
	pairs  []pair
	base   []byte // the signature base string
	out    []byte // the header value
	mac    hmacSHA1
	random randomBytes
}

var statePool = sync.Pool{New: func() any { return new(state) }}

// maxPooledBuffer bounds what a pooled state keeps, so that one huge request
// doesn't pin its memory.
const maxPooledBuffer = 64 << 10

func getState() *state {
	st := statePool.Get().(*state)
	st.kv, st.pairs = st.kv[:0], st.pairs[:0]
	return st
}

func putState(st *state) {
	if cap(st.kv) > maxPooledBuffer || cap(st.base) > maxPooledBuffer || cap(st.out) > maxPooledBuffer {
		return
	}
	statePool.Put(st)
}

// addParam adds the pair name=value.
func (st *state) addParam(name, value string) {
	n := len(st.kv)
	st.kv = appendEscaped(st.kv, name, twice)
	v := len(st.kv)
	st.kv = appendEscaped(st.kv, value, twice)
	st.pairs = append(st.pairs, pair{span{n, v}, span{v, len(st.kv)}})
}

// addOAuthParam adds the pair name=value, where name needs no encoding, and
// returns the span of the value.
func (st *state) addOAuthParam(name, value string) span {
	n := st.appendName(name)
	st.kv = appendEscaped(st.kv, value, twice)
	return st.endPair(n)
}

// appendName appends a name that needs no encoding to st.kv.
func (st *state) appendName(name string) span {
	st.kv = append(st.kv, name...)
	return span{len(st.kv) - len(name), len(st.kv)}
}

// endPair adds the pair of name and the value written to st.kv after it, and
// returns the span of the value.
func (st *state) endPair(name span) span {
	value := span{name.end, len(st.kv)}
	st.pairs = append(st.pairs, pair{name, value})
	return value
}

func (st *state) bytes(s span) []byte { return st.kv[s.start:s.end] }

// appendOnce appends the single encoding of raw, whose double encoding is at
// s: a copy of s when the two are the same, as they are for values that need
// no encoding (and for a generated nonce, whose raw text is not kept: raw is
// empty). Encoding writes every byte it escapes as 5 bytes, so a double
// encoding as long as raw escaped nothing.
func (st *state) appendOnce(dst []byte, s span, raw string) []byte {
	if raw == "" || s.end-s.start == len(raw) {
		return append(dst, st.bytes(s)...)
	}
	return AppendPercentEncode(dst, raw)
}

// compare orders pairs by name, then by value, byte-wise.
func (st *state) compare(a, b pair) int {
	if c := compareBytes(st.bytes(a.name), st.bytes(b.name)); c != 0 {
		return c
	}
	return compareBytes(st.bytes(a.value), st.bytes(b.value))
}

// compareBytes is bytes.Compare, quicker when the first bytes differ.
func compareBytes(a, b []byte) int {
	if len(a) > 0 && len(b) > 0 && a[0] != b[0] {
		return int(a[0]) - int(b[0])
	}
	return bytes.Compare(a, b)
}

// writeBase writes the base string enc(METHOD)&enc(base URL)&enc(normalized
// parameters) to st.base. st.pairs[:split] and st.pairs[split:] must each be
// sorted; they are merged.
func (st *state) writeBase(method string, t target, split int) {
	if method == "" {
		method = "GET"
	}
	b := st.base[:0]
	for i := 0; i < len(method); i++ {
		c := method[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = appendEscapedByte(b, c, once)
	}
	b = append(b, '&')
	b = AppendPercentEncode(b, t.scheme)
	b = append(b, "%3A%2F%2F"...)
	b = AppendPercentEncode(b, t.host)
	b = AppendPercentEncode(b, t.path)
	b = append(b, '&')
	xs, ys := st.pairs[:split], st.pairs[split:]
	for n := 0; len(xs)+len(ys) > 0; n++ {
		var p pair
		if len(ys) == 0 || len(xs) > 0 && st.compare(xs[0], ys[0]) <= 0 {
			p, xs = xs[0], xs[1:]
		} else {
			p, ys = ys[0], ys[1:]
		}
		if n > 0 {
			b = append(b, "%26"...)
		}
		b = append(b, st.bytes(p.name)...)
		b = append(b, "%3D"...)
		b = append(b, st.bytes(p.value)...)
	}
	st.base = b
}

// sign writes the base64 HMAC-SHA1 of st.base to sig.
func (st *state) sign(sig *[28]byte, consumerSecret, tokenSecret string) {
	var sum [sha1.Size]byte
	st.mac.setKey(consumerSecret, tokenSecret)
	st.mac.sum(&sum, st.base)
	base64.StdEncoding.Encode(sig[:], sum[:])
}

// hmacSHA1 is HMAC-SHA1 (RFC 2104) with the key enc(consumer secret) &
// enc(token secret) (docs/protocol.md §2.6). Like crypto/hmac it keeps the hash states
// after the padded key blocks, but it can switch keys without allocating.
// What it keeps is secret-derived; it lives only in the state pool.
type hmacSHA1 struct {
	inner, outer   hash.Hash
	innerU, outerU encoding.BinaryUnmarshaler
	// The secrets the saved states belong to.
	consumerSecret, tokenSecret []byte
	innerState, outerState      []byte
	pad                         [sha1.BlockSize]byte
	buf                         []byte
}

// setKey makes the key enc(consumerSecret)&enc(tokenSecret) current,
// computing its padded states unless they are the last ones computed.
func (h *hmacSHA1) setKey(consumerSecret, tokenSecret string) {
	if h.inner == nil {
		h.inner, h.outer = sha1.New(), sha1.New()
		h.innerU = h.inner.(encoding.BinaryUnmarshaler)
		h.outerU = h.outer.(encoding.BinaryUnmarshaler)
	} else if h.innerState != nil && string(h.consumerSecret) == consumerSecret && string(h.tokenSecret) == tokenSecret {
		return
	}
	h.consumerSecret = append(h.consumerSecret[:0], consumerSecret...)
	h.tokenSecret = append(h.tokenSecret[:0], tokenSecret...)
	key := AppendPercentEncode(h.buf[:0], consumerSecret)
	key = append(key, '&')
	key = AppendPercentEncode(key, tokenSecret)
	h.buf = key
	if len(key) > sha1.BlockSize {
		s := sha1.Sum(key)
		key = s[:]
	}
	h.innerState = h.absorbPad(h.inner, h.innerState, key, 0x36)
	h.outerState = h.absorbPad(h.outer, h.outerState, key, 0x5c)
	clear(h.buf)
}

// absorbPad hashes the key block XOR pad into d and returns d's state.

func (h *hmacSHA1) absorbPad(d hash.Hash, state, key []byte, pad byte) []byte {
	for i := range h.pad {
		h.pad[i] = pad
	}
	for i, b := range key {
		h.pad[i] ^= b
	}
	d.Reset()
	d.Write(h.pad[:])
	clear(h.pad[:])
	state, _ = d.(encoding.BinaryAppender).AppendBinary(state[:0])
	return state
}

// sum writes the HMAC of msg with the key of the last setKey to out.
func (h *hmacSHA1) sum(out *[sha1.Size]byte, msg []byte) {
	h.innerU.UnmarshalBinary(h.innerState)
	h.inner.Write(msg)
	h.buf = h.inner.Sum(h.buf[:0])
	h.outerU.UnmarshalBinary(h.outerState)
	h.outer.Write(h.buf)
	h.buf = h.outer.Sum(h.buf[:0])
	copy(out[:], h.buf)
}
