package exh

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Decoding of error answers. The code is what callers match on, so it is
// read first and every other field leniently: a field of an unexpected type
// is skipped, never a reason to lose the code.

// maxSnippet bounds APIError.Snippet.
const maxSnippet = 512

// newAPIError builds the error for an answer that is not a success. Bodies
// of authentication calls (sensitive) are never copied into the error.
func newAPIError(method, path string, status int, body []byte, sensitive bool) error {
	e := &APIError{StatusCode: status, Method: method, Path: path}
	var wire map[string]json.RawMessage
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &wire) != nil {
		if !sensitive {
			e.Snippet = snippet(body)
		}
		return e
	}
	e.Code = parseCode(wire["code"])
	oauthError := text(wire["error"]) // OAuth2-style bodies
	e.Name = firstNonEmpty(text(wire["name"]), oauthError, e.Code.Name())
	e.Message = firstNonEmpty(text(wire["description"]), text(wire["message"]))
	e.RemainingDelay = parseMillis(wire["remainingDelay"])
	if e.Code == ErrCodeMfaRequired || oauthError == "mfa_required" {
		mfa := &MfaRequiredError{APIError: e}
		mfa.Challenge, mfa.missing = parseChallenge(wire["mfa"])
		return mfa
	}
	return e
}

// parseChallenge reads the mfa object of a 129 answer, keeping what is
// usable and naming what is missing.
func parseChallenge(raw json.RawMessage) (MfaChallenge, []string) {
	var wire map[string]json.RawMessage
	if json.Unmarshal(raw, &wire) != nil || wire == nil {
		return MfaChallenge{}, []string{"the mfa object"}
	}
	var c MfaChallenge
	var missing []string
	if json.Unmarshal(wire["token"], &c.Token) != nil || c.Token == "" {
		c.Token = ""
		missing = append(missing, "a token")
	}
	expires := wire["tokenExpiresIn"]
	if expires == nil {
		expires = wire["tokenExipresIn"] // the spelling of the vendor's OpenAPI example
	}
	c.ExpiresIn = parseMillis(expires)
	var methods []json.RawMessage
	if json.Unmarshal(wire["methods"], &methods) != nil {
		missing = append(missing, "a list of methods")
	}
	for _, m := range methods {
		var method MfaMethod
		if json.Unmarshal(m, &method) == nil && method.ID != "" {
			c.Methods = append(c.Methods, method)
		}
	}
	if len(methods) > 0 && len(c.Methods) < len(methods) {
		missing = append(missing, "usable methods ("+strconv.Itoa(len(methods)-len(c.Methods))+" skipped)")
	}
	return c, missing
}

// text reads a field meant to be a string: a string, a number or boolean as
// written, or an array of those joined with "; ". Anything else is "".
func text(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case float64, bool:
		return string(bytes.TrimSpace(raw))
	case []any:
		var parts []string
		for _, item := range x {
			if s, ok := item.(string); ok && s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

// parseCode reads a code written as a number (129, 129.0) or a numeric string ("129").
func parseCode(raw json.RawMessage) ErrorCode {
	f, ok := parseNumber(raw)
	if !ok || f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
		return 0
	}
	return ErrorCode(f)
}

// parseMillis reads a millisecond count (number or numeric string) as a
// Duration clamped to [0, 24h]. Anything else is 0.
func parseMillis(raw json.RawMessage) time.Duration {
	f, ok := parseNumber(raw)
	if !ok || f <= 0 {
		return 0
	}
	if f >= float64(maxDelay/time.Millisecond) {
		return maxDelay
	}
	return time.Duration(f * float64(time.Millisecond))
}

func parseNumber(raw json.RawMessage) (float64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	switch n := v.(type) {
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// snippet returns at most maxSnippet bytes of body as valid UTF-8.
func snippet(body []byte) string {
	s := strings.ToValidUTF8(string(body[:min(len(body), maxSnippet)]), "\uFFFD")
	for len(s) > maxSnippet { // replacement characters are longer than the bytes they replace
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// oneLine makes server text safe for an Error string: valid UTF-8, at most
// max bytes, and printable — line breaks, escape sequences, NEL, the Unicode
// line and paragraph separators and other invisible controls each become a
// space, so a server cannot forge log lines through an error.
func oneLine(s string, max int) string {
	if len(s) > max {
		s = s[:max]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	if isPrintable(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
}

func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < ' ' || b >= 0x7f {
			return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
		}
	}
	return true
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// scrubSecrets replaces every secret of a call that the server echoed in
// the error's name or message.
func scrubSecrets(err error, secrets []string) {
	e := asAPIError(err)
	if e == nil {
		return
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		e.Message = strings.ReplaceAll(e.Message, s, redacted)
		e.Name = strings.ReplaceAll(e.Name, s, redacted)
	}
}
