package rql

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports a query string that [Parse] does not accept. Its
// message holds the byte offset and a short reason, never the query text,
// which may contain personal data. Use errors.As to read the offset.
type SyntaxError struct {
	Offset int    // byte offset in the string given to Parse, a leading '?' included
	Reason string // what is wrong, such as "missing ')'"
}

// Error returns "rql: syntax error at byte N: reason".
func (e *SyntaxError) Error() string {
	return "rql: syntax error at byte " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Parse returns a builder that starts from an existing RQL string, so that
// more operators can be added to it. A leading '?' is removed; an empty string
// gives an empty builder. Values added later are double-encoded, as with New.
// The operators keep their order; [Builder.Limit] and [Builder.Offset] treat
// a top-level limit operator of the string as described there.
//
// The string must be a list of operators name(args) joined by '&'. Arguments
// are separated by ',' and may be nested operators name(args) or lists
// (args). Names consist of ASCII letters, digits and '_' and do not start
// with a digit; other arguments consist of ASCII letters, digits and
// + * $ - : % . _ / and must hold valid percent-encoded UTF-8. Parentheses
// must balance.
//
// Parse also refuses a top-level operator that the OAuth1 signer would not
// read as a plain parameter name (see the package documentation): one whose
// name starts with the name of a built-in JavaScript object member, such as
// constructor or toString, and one that holds '[' or ']' after one
// percent-decoding (from %5B or %5D). Operators that repeat an earlier one
// byte for byte are dropped, as in the builder.
//
// On any error Parse returns a nil builder and a [*SyntaxError].
func Parse(s string) (*Builder, error) {
	base := 0
	if strings.HasPrefix(s, "?") {
		s = s[1:]
		base = 1
	}
	b := New()
	for i := 0; i < len(s); {
		end, name, err := scanOperator(s, i)
		if err != nil {
			err.Offset += base
			return nil, err
		}
		if isPrototypeName(name) {
			return nil, &SyntaxError{Offset: base + i, Reason: "operator name starts with a JavaScript object member name such as constructor"}
		}
		if hasDecodedBracket(s[i:end]) {
			return nil, &SyntaxError{Offset: base + i, Reason: "operator contains '[' or ']' after percent-decoding"}
		}
		b.add(s[i:end])
		i = end
		if i == len(s) {
			break
		}
		switch s[i] {
		case '&':
			i++
			if i == len(s) {
				return nil, &SyntaxError{Offset: base + i, Reason: "expected an operator after '&'"}
			}
		case '|':
			return nil, &SyntaxError{Offset: base + i, Reason: "'|' between top-level operators is not supported; use or(...)"}
		default:
			return nil, &SyntaxError{Offset: base + i, Reason: "expected '&' after the operator"}
		}
	}
	return b, nil
}

// scanOperator checks the operator name(args) that starts at s[start] and
// returns the index just after its closing parenthesis, and its name.
func scanOperator(s string, start int) (int, string, *SyntaxError) {
	i := start
	for i < len(s) && isNameByte(s[i], i == start) {
		i++
	}
	if i == start {
		return 0, "", unexpected(s, i, "an operator name")
	}
	name := s[start:i]
	if i == len(s) || s[i] != '(' {
		return 0, "", unexpected(s, i, "'(' after the operator name")
	}
	end, err := scanArguments(s, i+1)
	return end, name, err
}

// scanArguments checks the arguments after an opening parenthesis at
// s[i-1], nested operators and lists included, and returns the index just
// after the matching ')'.
func scanArguments(s string, i int) (int, *SyntaxError) {
	depth := 1
	argStart := true // at the start of an argument: after '(' or ','
	for depth > 0 {
		if i == len(s) {
			return 0, &SyntaxError{Offset: i, Reason: "missing ')'"}
		}
		switch c := s[i]; {
		case c == ')':
			depth--
			i++
			argStart = false
		case c == ',':
			i++
			argStart = true
		case !argStart && (c == '(' || isArgByte(c)):
			return 0, unexpected(s, i, "',' or ')'")
		case c == '(':
			depth++
			i++
		case isArgByte(c):
			j, opens, err := scanArgument(s, i)
			if err != nil {
				return 0, err
			}
			if opens {
				depth++
			} else {
				argStart = false
			}
			i = j
		case c == '&' || c == '|':
			return 0, &SyntaxError{Offset: i, Reason: strconv.QuoteRune(rune(c)) + " inside parentheses is not supported; use and(...) or or(...)"}
		default:
			return 0, unexpected(s, i, "',' or ')' or an argument")
		}
	}
	return i, nil
}

// scanArgument checks the argument at s[i]: a value, or the name of a nested
// operator followed by '(' (opens reports which). It returns the index after
// the value, or after the nested operator's '('.
func scanArgument(s string, i int) (next int, opens bool, err *SyntaxError) {
	j := i
	for j < len(s) && isArgByte(s[j]) {
		j++
	}
	if j < len(s) && s[j] == '(' {
		if !isName(s[i:j]) {
			return 0, false, &SyntaxError{Offset: i, Reason: "invalid operator name"}
		}
		return j + 1, true, nil
	}
	if _, ok := unescape(s[i:j]); !ok {
		return 0, false, &SyntaxError{Offset: i, Reason: "malformed percent-encoding or UTF-8 in an argument"}
	}
	return j, false, nil
}

// unexpected reports what was found at s[i] where want was expected. Only
// ASCII punctuation and spaces are quoted; other bytes could be personal
// data.
func unexpected(s string, i int, want string) *SyntaxError {
	found := "end of string"
	if i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || (c > ' ' && c < 0x7f && !isAlnum(c)):
			found = strconv.QuoteRune(rune(c))
		case c < ' ' || c >= 0x7f:
			found = "a control or non-ASCII byte"
		default:
			found = "a letter or digit"
		}
	}
	return &SyntaxError{Offset: i, Reason: "expected " + want + ", found " + found}
}

// unescape decodes percent-escapes the way JavaScript's decodeURIComponent
// does: every '%' must start a two-digit hex escape and the result must be
// valid UTF-8. url.PathUnescape has the same escape rules ('+' stays '+').
func unescape(s string) (string, bool) {
	d, err := url.PathUnescape(s)
	if err != nil || !utf8.ValidString(d) {
		return "", false
	}
	return d, true
}

// hasDecodedBracket reports whether a query parameter name contains '[' or
// ']' once decoded as the OAuth1 signer decodes it: '+' becomes a space, then
// the text is percent-decoded, and kept as is if that fails.
func hasDecodedBracket(name string) bool {
	name = strings.ReplaceAll(name, "+", " ")
	if d, ok := unescape(name); ok {
		name = d
	}
	return strings.ContainsAny(name, "[]")
}

// prototypeNames are the members of JavaScript's Object.prototype. The
// OAuth1 signer drops top-level query parameters with these names; Parse
// keeps well away from them by refusing operator names that start with one.
var prototypeNames = []string{
	"__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__", "__proto__",
	"constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
	"toLocaleString", "toString", "valueOf",
}

// isPrototypeName reports whether name starts with an Object.prototype
// member name.
func isPrototypeName(name string) bool {
	for _, p := range prototypeNames {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// isNameByte reports whether c may appear in an operator name: ASCII
// letters, digits (not first) and '_'.
func isNameByte(c byte, first bool) bool {
	return isAlnum(c) && !(first && '0' <= c && c <= '9') || c == '_'
}

// isName reports whether s is a valid operator name.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

// isArgByte reports whether c may appear in an argument: the characters the
// JavaScript SDK's RQL parser accepts in a value ([+*$\-:\w%._]), plus '/',
// which that parser turns into a list.
func isArgByte(c byte) bool {
	if isAlnum(c) {
		return true
	}
	switch c {
	case '+', '*', '$', '-', ':', '%', '.', '_', '/':
		return true
	}
	return false
}
