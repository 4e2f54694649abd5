package oauth1

import (
	"unicode/utf8"
)

const upperHex = "0123456789ABCDEF"

// unreserved reports the bytes that RFC 3986 §2.3 leaves unencoded.
var unreserved = func() (t [256]bool) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['.'], t['_'], t['~'] = true, true, true, true
	return t
}()

// Parameter names and values appear in the base string encoded twice (docs/protocol.md
// §2.6): the internal encoders take a flag that writes each escape "%XX" as
// "%25XX" directly.
const (
	once  = false
	twice = true
)

// PercentEncode encodes s per RFC 3986: the bytes of its UTF-8 form other than
// A-Z a-z 0-9 - . _ ~ are written as %XX with upper-case hex. It is the encoder
// used for every part of a signature (docs/protocol.md §2.2).
func PercentEncode(s string) string {
	if !needsEncoding(s) {
		return s
	}
	return string(AppendPercentEncode(make([]byte, 0, 3*len(s)), s))
}

// AppendPercentEncode appends PercentEncode(s) to dst and returns the extended buffer.
func AppendPercentEncode(dst []byte, s string) []byte {
	return appendEscaped(dst, s, once)
}

// appendEscaped appends s percent-encoded, once or twice.
func appendEscaped(dst []byte, s string, twice bool) []byte {
	for {
		i := unreservedPrefix(s)
		dst = append(dst, s[:i]...)
		if i == len(s) {
			return dst
		}
		dst = appendEscape(dst, s[i], twice)
		s = s[i+1:]
	}
}

// unreservedPrefix returns the length of the longest prefix of s that needs
// no encoding.
func unreservedPrefix(s string) int {
	i := 0
	for i+4 <= len(s) && unreserved[s[i]] && unreserved[s[i+1]] && unreserved[s[i+2]] && unreserved[s[i+3]] {
		i += 4
	}
	for i < len(s) && unreserved[s[i]] {
		i++
	}
	return i
}

// appendEscape appends the escape of c, once ("%XX") or twice ("%25XX").
func appendEscape(dst []byte, c byte, twice bool) []byte {
	if twice {
		return append(dst, '%', '2', '5', upperHex[c>>4], upperHex[c&15])
	}
	return append(dst, '%', upperHex[c>>4], upperHex[c&15])
}

func appendEscapedByte(dst []byte, c byte, twice bool) []byte {
	if unreserved[c] {
		return append(dst, c)
	}
	return appendEscape(dst, c, twice)
}

// needsEncoding reports whether PercentEncode(s) != s.
func needsEncoding(s string) bool {
	return unreservedPrefix(s) < len(s)
}

// brackets records the brackets qs would see in a decoded name or value.
type brackets struct {
	any    bool // a '[' or ']'
	equals bool // a ']' right before a raw '=': qs splits a piece there
}

// note records the bracket c, if it is one, decoded from raw up to raw[i].
func (b *brackets) note(c byte, raw string, i int) {
	if c == '[' || c == ']' {
		b.any = true
		b.equals = b.equals || c == ']' && i+1 < len(raw) && raw[i+1] == '='
	}
}

// appendDecodeEscaped appends the encoding (once or twice) of qsDecode(raw)
// without building the decoded text: the common case of a parameter name or
// value. It also reports the brackets of the decoded text.
func appendDecodeEscaped(dst []byte, raw string, twice bool) ([]byte, brackets) {
	var br brackets
	start := len(dst)
	nonASCII := false
	for i := 0; i < len(raw); i++ {
		j := i + unreservedPrefix(raw[i:])
		dst = append(dst, raw[i:j]...)
		if i = j; i == len(raw) {
			break
		}
		c := raw[i]
		switch c {
		case '+':
			c = ' '
		case '%':
			b, ok := unhexPair(raw, i)
			if !ok {
				return appendEscapedRaw(dst[:start], raw, twice)
			}
			c, i = b, i+2
		}
		nonASCII = nonASCII || c >= utf8.RuneSelf
		br.note(c, raw, i)
		dst = appendEscapedByte(dst, c, twice)
	}
	if nonASCII && !utf8.Valid(appendDecoded(nil, raw)) {
		return appendEscapedRaw(dst[:start], raw, twice)
	}
	return dst, br
}

// qsDecode decodes a name or value the way qs does (docs/protocol.md §2.4 rule 4): '+'
// becomes a space, then the text is percent-decoded as strict UTF-8; if that
// fails anywhere, the raw text is kept with only the '+' change and the
// %5B/%5D → [ ] rewrite that qs applies to the whole query first.
func qsDecode(raw string) string {
	if d := appendDecoded(nil, raw); d != nil && utf8.Valid(d) {
		return string(d)
	}
	return string(appendRaw(nil, raw))
}

// appendDecoded appends the percent-decoding of raw (with '+' as a space) to
// dst. It returns nil if raw holds a malformed escape.
func appendDecoded(dst []byte, raw string) []byte {
	if dst == nil {
		dst = make([]byte, 0, len(raw))
	}
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '+':
			dst = append(dst, ' ')
		case '%':
			b, ok := unhexPair(raw, i)
			if !ok {
				return nil
			}
			dst = append(dst, b)
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendRaw appends raw as qs keeps it when decoding fails: '+' as a space and
// %5B, %5D (any case) as the brackets they stand for.
func appendRaw(dst []byte, raw string) []byte {
	for i := 0; i < len(raw); i++ {
		var c byte
		c, i = rawByteAt(raw, i)
		dst = append(dst, c)
	}
	return dst
}

// appendEscapedRaw appends the encoding of what appendRaw would produce and
// reports its brackets.
func appendEscapedRaw(dst []byte, raw string, twice bool) ([]byte, brackets) {
	var br brackets
	for i := 0; i < len(raw); i++ {
		var c byte
		c, i = rawByteAt(raw, i)
		br.note(c, raw, i)
		dst = appendEscapedByte(dst, c, twice)
	}
	return dst, br
}

// rawByteAt returns the byte of the undecoded text that starts at raw[i] and
// the index of the last input byte it used.
func rawByteAt(raw string, i int) (byte, int) {
	c := raw[i]
	switch {
	case c == '+':
		return ' ', i
	case isBracketEscape(raw, i):
		if raw[i+2] == 'B' || raw[i+2] == 'b' {
			return '[', i + 2
		}
		return ']', i + 2
	}
	return c, i
}

// isBracketEscape reports whether raw[i:] starts with %5B or %5D, any case.
func isBracketEscape(raw string, i int) bool {
	if i+2 >= len(raw) || raw[i] != '%' || raw[i+1] != '5' {
		return false
	}
	switch raw[i+2] {
	case 'B', 'b', 'D', 'd':
		return true
	}
	return false
}

// unhexPair decodes the escape "%XY" that starts at s[i].
func unhexPair(s string, i int) (byte, bool) {
	if i+2 >= len(s) {
		return 0, false
	}
	hi, ok1 := unhex(s[i+1])
	lo, ok2 := unhex(s[i+2])
	return hi<<4 | lo, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
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
