package rql

import (
	"slices"
	"strconv"
	"strings"
)

// defaultLimit is the service's page size when a query has no limit
// operator; Offset without Limit writes it.
const defaultLimit = 20

// Builder builds an RQL query string. Start with [New] or [Parse]; a zero
// Builder behaves like one returned by New.
//
// The builder keeps a list of top-level operators such as eq(name,x).
// [Builder.Build] joins them with '&' behind a leading '?', and
// [Builder.Intermediate] turns them into one expression for And, Or,
// Contains or Excludes of another builder. The limit set by [Builder.Limit]
// and [Builder.Offset] comes last.
//
// Every method that adds an operator changes the receiver and returns it, so
// calls chain. Sub-builders given to And, Or, Contains and Excludes are read
// once, when the method is called: changing a sub-builder afterwards does not
// change the builder it was given to, and builders never share memory. A
// builder is not safe for concurrent modification. Calling a method on a nil
// *Builder does not panic: the read-only methods report an empty query, and
// a method that adds an operator starts a new builder (as New does) and
// returns it.
//
// Values (the value of Eq, Ne, Lt, Le, Gt, Ge and Like, and the values of
// In and Out) are double-encoded unless [Builder.DoubleEncodeValues] turns
// that off: each UTF-8 byte other than A-Z, a-z and 0-9 is percent-encoded
// with upper-case hex, and the result is encoded the same way again, so
// "a b" becomes "a%2520b". A value that is not valid UTF-8 is encoded byte by
// byte; the service may reject it.
//
// Field names and the operands of Select and Sort are written as given and
// are never encoded. They are meant to be plain field paths chosen by the
// program. A name containing '&', '=', '[', ']', '%', '(', ')', ',', '#',
// spaces or other reserved characters yields a query that the service may
// read differently, or whose OAuth1 signature may not verify (see the
// package documentation).
//
// An operator that is already present at the top level, byte for byte, is
// not added a second time: top-level operators are joined with AND, so a
// repeat changes nothing, and a name repeated more than 20 times would break
// the OAuth1 signature.
type Builder struct {
	ops       []string // top-level operators other than the page, each "name(args)", in order; owned by this builder
	rawValues bool     // values are written as given (double encoding off)

	// The page set by Limit and Offset. paged is false until one of them is
	// called; then ops holds no top-level limit operator.
	paged    bool
	hasLimit bool // limit was set, by Limit or from a parsed limit operator
	limit    int
	offset   int
}

// New returns an empty builder that double-encodes values.
func New() *Builder {
	return &Builder{}
}

// DoubleEncodeValues switches double encoding of values on or off for the
// values that are added to this builder from now on; values added earlier
// keep their encoding. With double encoding off, values are written exactly
// as given, like rqlBuilder({doubleEncodeValues: false}) in the JavaScript
// SDK, and the caller is responsible for encoding them: a raw '&', '=', '['
// or ']' breaks the query and its OAuth1 signature.
func (b *Builder) DoubleEncodeValues(on bool) *Builder {
	b = b.orNew()
	b.rawValues = !on
	return b
}

// Select adds select(f1,f2,...), which trims every returned record to the
// given fields. Fields are not encoded.
func (b *Builder) Select(fields ...string) *Builder {
	return b.orNew().push("select", strings.Join(fields, ","))
}

// Limit sets the page size: the query returns at most n records. The builder
// holds one limit operator, written after all other top-level operators:
// limit(n), or limit(n,offset) once [Builder.Offset] has set a non-zero
// offset. Calling Limit again replaces n; the last Limit wins, and the
// offset stays. The first Limit or Offset removes every top-level limit
// operator that came from [Parse]; the operators around them keep their
// places. If the last of those operators has one or two integer arguments,
// its page size and offset are the starting values, so Offset on a parsed
// "?limit(10)" gives limit(10,offset). n is written as given.
func (b *Builder) Limit(n int) *Builder {
	b = b.orNew().page()
	b.hasLimit = true
	b.limit = n
	return b
}

// Offset sets how many records the query skips before the first one it
// returns. It changes the builder's one limit operator, so
// Limit(10).Offset(20) and Offset(20).Limit(10) both give limit(10,20). An
// offset of 0 is left out: limit(10). Without a page size from
// [Builder.Limit] or from a parsed limit operator, Offset writes the
// service's default page size of 20, as limit(20,offset). The last Offset
// wins; see Limit for how a limit operator from [Parse] is treated. n is
// written as given.
func (b *Builder) Offset(n int) *Builder {
	b = b.orNew().page()
	b.offset = n
	return b
}

// Sort adds sort(f1,f2,...). Each field keeps its prefix: '+' (or none) sorts
// ascending and '-' descending. Fields are not encoded. The OAuth1 signer
// reads a '+' in the query as a space, as the service does, so sort(+name)
// and sort(name) work alike.
func (b *Builder) Sort(fields ...string) *Builder {
	return b.orNew().push("sort", strings.Join(fields, ","))
}

// In adds in(field,v1,v2,...): the field's value is one of the values. The
// values are double-encoded unless that is switched off; the field is not
// encoded. Without values it adds in(field,), as the JavaScript SDK does.
func (b *Builder) In(field string, values ...string) *Builder {
	return b.orNew().list("in", field, values)
}

// Out adds out(field,v1,v2,...): the field's value is none of the values.
// Encoding is as for In.
func (b *Builder) Out(field string, values ...string) *Builder {
	return b.orNew().list("out", field, values)
}

// Eq adds eq(field,value): the field equals value. The value is
// double-encoded unless that is switched off; the field is not encoded.
func (b *Builder) Eq(field, value string) *Builder {
	return b.orNew().compare("eq", field, value)
}

// Ne adds ne(field,value): the field does not equal value. Encoding is as for
// Eq.
func (b *Builder) Ne(field, value string) *Builder {
	return b.orNew().compare("ne", field, value)
}

// Lt adds lt(field,value): the field is less than value. Encoding is as for
// Eq.
func (b *Builder) Lt(field, value string) *Builder {
	return b.orNew().compare("lt", field, value)
}

// Le adds le(field,value): the field is less than or equal to value.
// Encoding is as for Eq.
func (b *Builder) Le(field, value string) *Builder {
	return b.orNew().compare("le", field, value)
}

// Gt adds gt(field,value): the field is greater than value. Encoding is as
// for Eq.
func (b *Builder) Gt(field, value string) *Builder {
	return b.orNew().compare("gt", field, value)
}

// Ge adds ge(field,value): the field is greater than or equal to value.
// Encoding is as for Eq.
func (b *Builder) Ge(field, value string) *Builder {
	return b.orNew().compare("ge", field, value)
}

// Like adds like(field,value): the string field contains value. Encoding is
// as for Eq.
func (b *Builder) Like(field, value string) *Builder {
	return b.orNew().compare("like", field, value)
}

// And adds and(e1,e2,...) where each e is the [Builder.Intermediate] of one
// of exprs, taken now. Nil and empty builders are skipped; if nothing is
// left, And adds nothing.
func (b *Builder) And(exprs ...*Builder) *Builder {
	return b.orNew().group("and", exprs)
}

// Or adds or(e1,e2,...) where each e is the [Builder.Intermediate] of one of
// exprs, taken now. Nil and empty builders are skipped; if nothing is left,
// Or adds nothing.
func (b *Builder) Or(exprs ...*Builder) *Builder {
	return b.orNew().group("or", exprs)
}

// Contains adds contains(field) when no condition is given: the record has
// the field. With conditions it adds contains(field,and(c1,c2,...)), as the
// JavaScript SDK does: the field is an array with an element for which all
// conditions hold. Conditions are the [Builder.Intermediate] of each
// builder, taken now; nil and empty builders are skipped. The field is not
// encoded.
func (b *Builder) Contains(field string, conds ...*Builder) *Builder {
	return b.orNew().nested("contains", field, conds)
}

// Excludes adds excludes(field) or excludes(field,and(c1,c2,...)), the
// negation of [Builder.Contains], with the same rules.
func (b *Builder) Excludes(field string, conds ...*Builder) *Builder {
	return b.orNew().nested("excludes", field, conds)
}

// SkipCount adds skipCount(), which asks the service not to count the
// matching records, so the returned page's total is not exact. It has
// nothing to do with [Builder.Offset].
func (b *Builder) SkipCount() *Builder {
	return b.orNew().push("skipCount", "")
}

// Build returns the query string: '?' followed by the top-level operators
// joined with '&', or "" when the builder is empty.
func (b *Builder) Build() string {
	if b.empty() {
		return ""
	}
	return "?" + b.join("&")
}

// Intermediate returns the builder's operators as one expression for And,
// Or, Contains or Excludes: the operator itself when there is one,
// and(e1,e2,...) when there are several, and "" when there are none.
func (b *Builder) Intermediate() string {
	switch {
	case b.empty():
		return ""
	case b.count() == 1:
		return b.join(",")
	default:
		return "and(" + b.join(",") + ")"
	}
}

// String returns the same as [Builder.Build].
func (b *Builder) String() string {
	return b.Build()
}

// HasOperator reports whether a top-level operator with the given name, such
// as "limit" or "skipCount", is present. Operators nested inside and(...),
// or(...) and the like are not looked at. The comparison is case-sensitive.
func (b *Builder) HasOperator(name string) bool {
	if b == nil {
		return false
	}
	if b.paged && name == "limit" {
		return true
	}
	for _, op := range b.ops {
		if operatorName(op) == name {
			return true
		}
	}
	return false
}

// orNew returns b, or a new builder when b is nil.
func (b *Builder) orNew() *Builder {
	if b == nil {
		return New()
	}
	return b
}

// empty reports whether b has no operator; b may be nil.
func (b *Builder) empty() bool {
	return b == nil || len(b.ops) == 0 && !b.paged
}

// count returns the number of top-level operators, the limit included.
func (b *Builder) count() int {
	if b.paged {
		return len(b.ops) + 1
	}
	return len(b.ops)
}

// join returns the top-level operators, the limit last, joined with sep.
func (b *Builder) join(sep string) string {
	if !b.paged {
		return strings.Join(b.ops, sep)
	}
	var sb strings.Builder
	for _, op := range b.ops {
		sb.WriteString(op)
		sb.WriteString(sep)
	}
	limit := b.limit
	if !b.hasLimit {
		limit = defaultLimit
	}
	sb.WriteString("limit(")
	sb.WriteString(strconv.Itoa(limit))
	if b.offset != 0 {
		sb.WriteByte(',')
		sb.WriteString(strconv.Itoa(b.offset))
	}
	sb.WriteByte(')')
	return sb.String()
}

// page makes Limit and Offset take over the limit operator: the first time,
// it removes the top-level limit operators that came from Parse and starts
// from the page size and offset of the last of them, if it holds integers.
func (b *Builder) page() *Builder {
	if b.paged {
		return b
	}
	b.paged = true
	last := ""
	b.ops = slices.DeleteFunc(b.ops, func(op string) bool {
		if operatorName(op) != "limit" {
			return false
		}
		last = op
		return true
	})
	if limit, offset, ok := parsePage(last); ok {
		b.hasLimit, b.limit, b.offset = true, limit, offset
	}
	return b
}

// parsePage reads limit(n) or limit(n,offset) with decimal integers.
func parsePage(op string) (limit, offset int, ok bool) {
	args, ok := strings.CutPrefix(op, "limit(")
	if !ok {
		return 0, 0, false
	}
	args, ok = strings.CutSuffix(args, ")")
	if !ok {
		return 0, 0, false
	}
	first, second, hasOffset := strings.Cut(args, ",")
	limit, ok = parseInt(first)
	if ok && hasOffset {
		offset, ok = parseInt(second)
	}
	return limit, offset, ok
}

// parseInt reads an optional '-' followed by decimal digits.
func parseInt(s string) (int, bool) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// push appends name(args) as a top-level operator.
func (b *Builder) push(name, args string) *Builder {
	b.add(name + "(" + args + ")")
	return b
}

// add appends op unless the same operator is already present.
func (b *Builder) add(op string) {
	if !slices.Contains(b.ops, op) {
		b.ops = append(b.ops, op)
	}
}

// compare appends name(field,value) with value encoded.
func (b *Builder) compare(name, field, value string) *Builder {
	return b.push(name, field+","+b.value(value))
}

// list appends name(field,v1,v2,...) with the values encoded.
func (b *Builder) list(name, field string, values []string) *Builder {
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
func (b *Builder) group(name string, exprs []*Builder) *Builder {
	parts := intermediates(exprs)
	if len(parts) == 0 {
		return b
	}
	return b.push(name, strings.Join(parts, ","))
}

// nested appends name(field) or name(field,and(c1,c2,...)).
func (b *Builder) nested(name, field string, conds []*Builder) *Builder {
	parts := intermediates(conds)
	if len(parts) == 0 {
		return b.push(name, field)
	}
	return b.push(name, field+",and("+strings.Join(parts, ",")+")")
}

// value encodes v as the builder's setting asks.
func (b *Builder) value(v string) string {
	if b.rawValues {
		return v
	}
	return encode(encode(v))
}

// intermediates returns the non-empty intermediate expressions of bs.
func intermediates(bs []*Builder) []string {
	parts := make([]string, 0, len(bs))
	for _, e := range bs {
		if s := e.Intermediate(); s != "" {
			parts = append(parts, s)
		}
	}
	return parts
}

// encode percent-encodes every byte of s other than A-Z, a-z and 0-9 with
// upper-case hex: JavaScript's encodeURIComponent with - _ . ! ~ * ' ( ) also
// encoded.
func encode(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
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
		if isAlnum(c) {
			buf = append(buf, c)
		} else {
			buf = append(buf, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(buf)
}

// operatorName returns the name of a top-level operator "name(args)".
func operatorName(op string) string {
	name, _, _ := strings.Cut(op, "(")
	return name
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
