package exh

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// RQLBuilder builds a Resource Query Language (RQL) query string, the Go
// counterpart of the JavaScript SDK's rqlBuilder. Start with [RQL] or
// [ParseRQL]; a zero RQLBuilder behaves like one returned by RQL.
//
// The builder keeps a list of top-level operators such as eq(name,x) or
// limit(10). [RQLBuilder.Build] joins them with '&' behind a leading '?'
// (the service combines top-level operators with AND), and
// [RQLBuilder.Intermediate] turns them into one expression for And, Or,
// Contains or Excludes of another builder.
//
// Every method that adds an operator changes the receiver and returns it, so
// calls chain as in the JavaScript SDK. Sub-builders given to And, Or,
// Contains and Excludes are read once, when the method is called: changing a
// sub-builder afterwards does not change the builder it was given to, and
// builders never share memory. A builder is not safe for concurrent
// modification. Calling a method on a nil *RQLBuilder does not panic: the
// read-only methods report an empty query, and a method that adds an operator
// starts a new builder (as RQL does) and returns it.
//
// Values (the value of Eq, Ne, Lt, Le, Gt, Ge, Like and the values of In and
// Out) are double-encoded by default, as in the JavaScript SDK since 8.0.0:
// each UTF-8 byte other than A-Z, a-z and 0-9 is percent-encoded with
// upper-case hex, and the result is encoded the same way again, so "a b"
// becomes "a%2520b". Such a query stays inside the subset that the OAuth1
// signer handles the same way as the service (spec/protocol.md §1.5): no '[',
// ']', '=', '&' or '+' ever reaches the query from a value. A value that is
// not valid UTF-8 is encoded byte by byte; the service may reject it.
//
// Field names and the operands of Select and Sort are written as given and
// are never encoded. They are meant to be plain field paths such as
// "data.heartRate" or "-creationTimestamp" chosen by the program, not user
// input: a name containing '&', '=', '[', ']', '%', '(', ')', ',', '#',
// spaces or other reserved characters yields a query that the service may
// parse differently, or whose OAuth1 signature may not verify.
//
// An operator that is already present at the top level, byte for byte, is not
// added a second time. Top-level operators are joined with AND, so a repeat
// changes nothing, and a query parameter name repeated more than 20 times is
// turned into an indexed object by the query-string parser used for OAuth1
// signing (spec/protocol.md §1.5), which would break the signature.
type RQLBuilder struct {
	ops       []string // top-level operators, each "name(args)", in order; owned by this builder
	rawValues bool     // values are written as given (double encoding off)
}

// RQL returns an empty builder that double-encodes values, the default of the
// JavaScript SDK since 8.0.0.
func RQL() *RQLBuilder {
	return &RQLBuilder{}
}

// ParseRQL returns a builder that starts from an existing RQL string, so that
// more operators can be added to it. A leading '?' is removed; an empty string
// gives an empty builder. Values added later are double-encoded, as with RQL.
//
// The string must be a list of operators name(args) joined by '&'. Arguments
// are separated by ',' and may be nested operators name(args) or lists
// (args). Names consist of ASCII letters, digits and '_' and do not start
// with a digit; other arguments consist of ASCII letters, digits and
// + * $ - : % . _ / and must hold valid percent-encoded UTF-8. Parentheses
// must balance. ParseRQL returns an error, which gives the byte offset but
// not the query text, for anything else, and also when a top-level operator
// would not be signed safely: a name that is, or starts with, a JavaScript
// Object.prototype member (such as constructor or toString), or a '[' or ']'
// after one percent-decoding (from %5B or %5D). Operators that repeat an
// earlier one byte for byte are dropped, as in the builder.
func ParseRQL(s string) (*RQLBuilder, error) {
	base := 0
	if strings.HasPrefix(s, "?") {
		s = s[1:]
		base = 1
	}
	b := RQL()
	for i := 0; i < len(s); {
		end, name, err := rqlScanOperator(s, i)
		if err != nil {
			err.offset += base
			return nil, err
		}
		if rqlIsPrototypeName(name) {
			return nil, &rqlSyntaxError{offset: base + i, msg: "operator name starts with a JavaScript prototype member such as constructor"}
		}
		if rqlHasDecodedBracket(s[i:end]) {
			return nil, &rqlSyntaxError{offset: base + i, msg: "operator contains '[' or ']' after percent-decoding"}
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
				return nil, &rqlSyntaxError{offset: base + i, msg: "expected an operator after '&'"}
			}
		case '|':
			return nil, &rqlSyntaxError{offset: base + i, msg: "'|' between top-level operators is not supported; use or(...)"}
		default:
			return nil, &rqlSyntaxError{offset: base + i, msg: "expected '&' after the " + name + " operator"}
		}
	}
	return b, nil
}

// DoubleEncodeValues switches double encoding of values on or off for the
// values that are added to this builder from now on; values added earlier
// keep their encoding. With double encoding off, values are written exactly
// as given, like rqlBuilder({doubleEncodeValues: false}) in the JavaScript
// SDK, and the caller is responsible for encoding them: a raw '&', '=', '['
// or ']' breaks the query and its OAuth1 signature.
func (b *RQLBuilder) DoubleEncodeValues(on bool) *RQLBuilder {
	b = b.orNew()
	b.rawValues = !on
	return b
}

// Select adds select(f1,f2,...), which trims every returned record to the
// given fields. Fields are not encoded.
func (b *RQLBuilder) Select(fields ...string) *RQLBuilder {
	return b.orNew().push("select", strings.Join(fields, ","))
}

// Limit adds limit(limit) or, with a non-zero offset, limit(limit,offset):
// return at most limit records after skipping offset records. An offset of 0
// is left out, and only the first offset is used. Every earlier top-level
// limit operator is removed first, so the last Limit wins; the operators
// around a removed limit keep their places and separators (the JavaScript
// SDK's bug #910, which also ate a '&', is not reproduced).
func (b *RQLBuilder) Limit(limit int, offset ...int) *RQLBuilder {
	b = b.orNew()
	b.ops = slices.DeleteFunc(b.ops, func(op string) bool { return rqlOperatorName(op) == "limit" })
	args := strconv.Itoa(limit)
	if len(offset) > 0 && offset[0] != 0 {
		args += "," + strconv.Itoa(offset[0])
	}
	return b.push("limit", args)
}

// Sort adds sort(f1,f2,...). Each field keeps its prefix: '+' (or none) sorts
// ascending and '-' descending. Fields are not encoded; note that the OAuth1
// signer reads a '+' in the query as a space, as the service does.
func (b *RQLBuilder) Sort(fields ...string) *RQLBuilder {
	return b.orNew().push("sort", strings.Join(fields, ","))
}

// In adds in(field,v1,v2,...): the field's value is one of the values. The
// values are double-encoded unless that is switched off; the field is not
// encoded. Without values it adds in(field,), as the JavaScript SDK does.
func (b *RQLBuilder) In(field string, values ...string) *RQLBuilder {
	return b.orNew().list("in", field, values)
}

// Out adds out(field,v1,v2,...): the field's value is none of the values.
// Encoding is as for In.
func (b *RQLBuilder) Out(field string, values ...string) *RQLBuilder {
	return b.orNew().list("out", field, values)
}

// Eq adds eq(field,value): the field equals value. The value is
// double-encoded unless that is switched off; the field is not encoded.
func (b *RQLBuilder) Eq(field, value string) *RQLBuilder {
	return b.orNew().compare("eq", field, value)
}

// Ne adds ne(field,value): the field does not equal value. Encoding is as for
// Eq.
func (b *RQLBuilder) Ne(field, value string) *RQLBuilder {
	return b.orNew().compare("ne", field, value)
}

// Lt adds lt(field,value): the field is less than value. Encoding is as for
// Eq.
func (b *RQLBuilder) Lt(field, value string) *RQLBuilder {
	return b.orNew().compare("lt", field, value)
}

// Le adds le(field,value): the field is less than or equal to value.
// Encoding is as for Eq.
func (b *RQLBuilder) Le(field, value string) *RQLBuilder {
	return b.orNew().compare("le", field, value)
}

// Gt adds gt(field,value): the field is greater than value. Encoding is as
// for Eq.
func (b *RQLBuilder) Gt(field, value string) *RQLBuilder {
	return b.orNew().compare("gt", field, value)
}

// Ge adds ge(field,value): the field is greater than or equal to value.
// Encoding is as for Eq.
func (b *RQLBuilder) Ge(field, value string) *RQLBuilder {
	return b.orNew().compare("ge", field, value)
}

// Like adds like(field,value): the string field contains value. Encoding is
// as for Eq.
func (b *RQLBuilder) Like(field, value string) *RQLBuilder {
	return b.orNew().compare("like", field, value)
}

// And adds and(e1,e2,...) where each e is the [RQLBuilder.Intermediate] of
// one of exprs, taken now. Nil and empty builders are skipped; if nothing is
// left, And adds nothing.
func (b *RQLBuilder) And(exprs ...*RQLBuilder) *RQLBuilder {
	return b.orNew().group("and", exprs)
}

// Or adds or(e1,e2,...) where each e is the [RQLBuilder.Intermediate] of one
// of exprs, taken now. Nil and empty builders are skipped; if nothing is
// left, Or adds nothing.
func (b *RQLBuilder) Or(exprs ...*RQLBuilder) *RQLBuilder {
	return b.orNew().group("or", exprs)
}

// Contains adds contains(field) when no condition is given: the record has the
// field. With conditions it adds contains(field,and(c1,c2,...)), as the
// JavaScript SDK does: the field is an array with an element for which all
// conditions hold. Conditions are the [RQLBuilder.Intermediate] of each
// builder, taken now; nil and empty builders are skipped. The field is not
// encoded.
func (b *RQLBuilder) Contains(field string, conds ...*RQLBuilder) *RQLBuilder {
	return b.orNew().nested("contains", field, conds)
}

// Excludes adds excludes(field) or excludes(field,and(c1,c2,...)), the
// negation of [RQLBuilder.Contains], with the same rules.
func (b *RQLBuilder) Excludes(field string, conds ...*RQLBuilder) *RQLBuilder {
	return b.orNew().nested("excludes", field, conds)
}

// SkipCount adds skipCount(), which asks the service not to count the
// matching records, so the returned page's total is not exact.
func (b *RQLBuilder) SkipCount() *RQLBuilder {
	return b.orNew().push("skipCount", "")
}

// Build returns the query string: '?' followed by the top-level operators
// joined with '&', or "" when the builder is empty.
func (b *RQLBuilder) Build() string {
	if b == nil || len(b.ops) == 0 {
		return ""
	}
	return "?" + strings.Join(b.ops, "&")
}

// Intermediate returns the builder's operators as one expression for And, Or,
// Contains or Excludes: the operator itself when there is one,
// and(e1,e2,...) when there are several, and "" when there are none.
func (b *RQLBuilder) Intermediate() string {
	switch {
	case b == nil || len(b.ops) == 0:
		return ""
	case len(b.ops) == 1:
		return b.ops[0]
	default:
		return "and(" + strings.Join(b.ops, ",") + ")"
	}
}

// String returns the same as [RQLBuilder.Build].
func (b *RQLBuilder) String() string {
	return b.Build()
}

// HasOperator reports whether a top-level operator with the given name, such
// as "limit" or "skipCount", is present. Operators nested inside and(...),
// or(...) and the like are not looked at. The comparison is case-sensitive.
func (b *RQLBuilder) HasOperator(name string) bool {
	if b == nil {
		return false
	}
	for _, op := range b.ops {
		if rqlOperatorName(op) == name {
			return true
		}
	}
	return false
}

// orNew returns b, or a new builder when b is nil.
func (b *RQLBuilder) orNew() *RQLBuilder {
	if b == nil {
		return RQL()
	}
	return b
}

// push appends name(args) as a top-level operator.
func (b *RQLBuilder) push(name, args string) *RQLBuilder {
	b.add(name + "(" + args + ")")
	return b
}

// add appends op unless the same operator is already present.
func (b *RQLBuilder) add(op string) {
	if !slices.Contains(b.ops, op) {
		b.ops = append(b.ops, op)
	}
}

// compare appends name(field,value) with value encoded.
func (b *RQLBuilder) compare(name, field, value string) *RQLBuilder {
	return b.push(name, field+","+b.value(value))
}

// list appends name(field,v1,v2,...) with the values encoded.
func (b *RQLBuilder) list(name, field string, values []string) *RQLBuilder {
	var sb strings.Builder
	sb.WriteString(field)
	sb.WriteByte(',')
	for i, v := range values {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(b.value(v))
	}
	return b.push(name, sb.String())
}

// group appends name(e1,e2,...) of the non-empty intermediates of exprs, or
// nothing when there are none.
func (b *RQLBuilder) group(name string, exprs []*RQLBuilder) *RQLBuilder {
	parts := rqlIntermediates(exprs)
	if len(parts) == 0 {
		return b
	}
	return b.push(name, strings.Join(parts, ","))
}

// nested appends name(field) or name(field,and(c1,c2,...)).
func (b *RQLBuilder) nested(name, field string, conds []*RQLBuilder) *RQLBuilder {
	parts := rqlIntermediates(conds)
	if len(parts) == 0 {
		return b.push(name, field)
	}
	return b.push(name, field+",and("+strings.Join(parts, ",")+")")
}

// value encodes v as the builder's setting asks.
func (b *RQLBuilder) value(v string) string {
	if b.rawValues {
		return v
	}
	return rqlEncode(rqlEncode(v))
}

// rqlIntermediates returns the non-empty intermediate expressions of bs.
func rqlIntermediates(bs []*RQLBuilder) []string {
	parts := make([]string, 0, len(bs))
	for _, e := range bs {
		if s := e.Intermediate(); s != "" {
			parts = append(parts, s)
		}
	}
	return parts
}

// rqlEncode percent-encodes every byte of s other than A-Z, a-z and 0-9 with
// upper-case hex: JavaScript's encodeURIComponent with - _ . ! ~ * ' ( ) also
// encoded.
func rqlEncode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !rqlIsAlnum(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	buf := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if rqlIsAlnum(c) {
			buf = append(buf, c)
		} else {
			buf = append(buf, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(buf)
}

// rqlOperatorName returns the name of a top-level operator "name(args)".
func rqlOperatorName(op string) string {
	name, _, _ := strings.Cut(op, "(")
	return name
}

// rqlSyntaxError reports an RQL string that ParseRQL does not accept. It
// holds a byte offset and a reason, never the query text, which may contain
// personal data.
type rqlSyntaxError struct {
	offset int
	msg    string
}

func (e *rqlSyntaxError) Error() string {
	return "exh: invalid RQL at byte " + strconv.Itoa(e.offset) + ": " + e.msg
}

// rqlScanOperator checks the operator name(args) that starts at s[start] and
// returns the index just after its closing parenthesis, and its name.
func rqlScanOperator(s string, start int) (int, string, *rqlSyntaxError) {
	i := start
	for i < len(s) && rqlIsNameByte(s[i], i == start) {
		i++
	}
	if i == start {
		return 0, "", rqlUnexpected(s, i, "an operator name")
	}
	name := s[start:i]
	if i == len(s) || s[i] != '(' {
		return 0, "", rqlUnexpected(s, i, "'(' after the operator name")
	}
	i++
	depth := 1
	argStart := true // at the start of an argument: after '(' or ','
	for depth > 0 {
		if i == len(s) {
			return 0, "", &rqlSyntaxError{offset: i, msg: "missing ')'"}
		}
		switch c := s[i]; {
		case c == ')':
			depth--
			i++
			argStart = false
		case c == ',':
			i++
			argStart = true
		case c == '(':
			if !argStart {
				return 0, "", rqlUnexpected(s, i, "',' or ')'")
			}
			depth++
			i++
		case rqlIsArgByte(c):
			if !argStart {
				return 0, "", rqlUnexpected(s, i, "',' or ')'")
			}
			j := i
			for j < len(s) && rqlIsArgByte(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '(' {
				if !rqlIsName(s[i:j]) {
					return 0, "", &rqlSyntaxError{offset: i, msg: "invalid operator name"}
				}
				depth++
				j++
			} else {
				if _, ok := rqlUnescape(s[i:j]); !ok {
					return 0, "", &rqlSyntaxError{offset: i, msg: "malformed percent-encoding or UTF-8 in an argument"}
				}
				argStart = false
			}
			i = j
		case c == '&' || c == '|':
			return 0, "", &rqlSyntaxError{offset: i, msg: strconv.QuoteRune(rune(c)) + " inside parentheses is not supported; use and(...) or or(...)"}
		default:
			return 0, "", rqlUnexpected(s, i, "',' or ')' or an argument")
		}
	}
	return i, name, nil
}

// rqlUnexpected reports what was found at s[i] where want was expected. Only
// ASCII punctuation and spaces are quoted; other bytes could be personal data.
func rqlUnexpected(s string, i int, want string) *rqlSyntaxError {
	found := "end of string"
	if i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || (c > ' ' && c < 0x7f && !rqlIsAlnum(c)):
			found = strconv.QuoteRune(rune(c))
		case c < ' ' || c >= 0x7f:
			found = "a control or non-ASCII byte"
		default:
			found = "a letter or digit"
		}
	}
	return &rqlSyntaxError{offset: i, msg: "expected " + want + ", found " + found}
}

// rqlUnescape decodes percent-escapes the way JavaScript's
// decodeURIComponent does: every '%' must start a two-digit hex escape and
// the result must be valid UTF-8. url.PathUnescape has the same escape rules
// ('+' stays '+').
func rqlUnescape(s string) (string, bool) {
	d, err := url.PathUnescape(s)
	if err != nil || !utf8.ValidString(d) {
		return "", false
	}
	return d, true
}

// rqlHasDecodedBracket reports whether a query parameter name contains '[' or
// ']' once decoded as the qs library does for OAuth1 signing: '+' becomes a
// space, then the text is percent-decoded, and kept as is if that fails.
func rqlHasDecodedBracket(name string) bool {
	name = strings.ReplaceAll(name, "+", " ")
	if d, ok := rqlUnescape(name); ok {
		name = d
	}
	return strings.ContainsAny(name, "[]")
}

// rqlPrototypeNames are the members of JavaScript's Object.prototype. qs drops
// top-level query parameters with these names; ParseRQL keeps well away from
// them by refusing operator names that start with one.
var rqlPrototypeNames = []string{
	"__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__", "__proto__",
	"constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
	"toLocaleString", "toString", "valueOf",
}

// rqlIsPrototypeName reports whether name starts with an Object.prototype
// member name.
func rqlIsPrototypeName(name string) bool {
	for _, p := range rqlPrototypeNames {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// rqlIsAlnum reports whether c is an ASCII letter or digit.
func rqlIsAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// rqlIsNameByte reports whether c may appear in an operator name: ASCII
// letters, digits (not first) and '_'.
func rqlIsNameByte(c byte, first bool) bool {
	return rqlIsAlnum(c) && !(first && '0' <= c && c <= '9') || c == '_'
}

// rqlIsName reports whether s is a valid operator name.
func rqlIsName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !rqlIsNameByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

// rqlIsArgByte reports whether c may appear in an argument: the characters the
// JavaScript SDK's RQL parser accepts in a value ([+*$\-:\w%._]), plus '/',
// which that parser turns into a list.
func rqlIsArgByte(c byte) bool {
	if rqlIsAlnum(c) {
		return true
	}
	switch c {
	case '+', '*', '$', '-', ':', '%', '.', '_', '/':
		return true
	}
	return false
}
