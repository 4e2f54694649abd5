package oauth1

import (
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"
)

var (
	errNilURL      = errors.New("oauth1: nil URL")
	errScheme      = errors.New("oauth1: URL scheme must be http or https")
	errNoHost      = errors.New("oauth1: URL has no host")
	errOpaque      = errors.New("oauth1: opaque URLs are not supported")
	errHostASCII   = errors.New("oauth1: host must be ASCII (write an internationalized name in its xn-- form)")
	errNilCreds    = errors.New("oauth1: nil credentials")
	errConsumerKey = errors.New("oauth1: empty consumer key")
)

// target is the part of a request URL that is signed: the base URL of
// docs/protocol.md §2.3 and the raw query of §2.4.
type target struct {
	scheme string // "http" or "https"
	host   string // lower case, without a default port
	path   string // escaped, starts with "/", no dot segments
	query  string // raw, as sent
}

// newTarget checks that u can be signed and normalizes it (docs/protocol.md §2.3). host,
// if not empty, replaces u.Host: it is the Host header that goes on the wire.
func newTarget(u *url.URL, host string) (target, error) {
	if u == nil {
		return target{}, errNilURL
	}
	if host == "" {
		host = u.Host
	}
	switch {
	case !isHTTPScheme(u.Scheme):
		return target{}, errScheme
	case u.Opaque != "":
		return target{}, errOpaque
	case host == "":
		return target{}, errNoHost
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= utf8.RuneSelf {
			return target{}, errHostASCII
		}
	}
	return makeTarget(u, host), nil
}

// isHTTPScheme reports whether scheme is http or https in any case.
func isHTTPScheme(scheme string) bool {
	return scheme == "https" || scheme == "http" || // what url.Parse leaves
		strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "http")
}

// makeTarget normalizes u without checking it.
func makeTarget(u *url.URL, host string) target {
	scheme := u.Scheme
	if scheme != "https" && scheme != "http" {
		scheme = strings.ToLower(scheme)
	}
	return target{
		scheme: scheme,
		host:   normalizeHost(scheme, host),
		path:   signedPath(u),
		query:  u.RawQuery,
	}
}

// normalizeHost lower-cases host and drops the scheme's default port, as the
// WHATWG URL serializer does. An empty port (a trailing ':') is dropped too and
// leading zeros of a port are removed.
func normalizeHost(scheme, host string) string {
	if isPlainHost(host) {
		return host
	}
	host = strings.ToLower(host)
	colon := strings.LastIndexByte(host, ':')
	if colon < 0 || strings.IndexByte(host[colon:], ']') >= 0 {
		return host
	}
	name, port := host[:colon], host[colon+1:]
	if !allDigits(port) {
		return host
	}
	for len(port) > 1 && port[0] == '0' {
		port = port[1:]
	}
	switch {
	case port == "",
		scheme == "https" && port == "443",
		scheme == "http" && port == "80":
		return name
	case len(port) == len(host)-colon-1:
		return host
	}
	return name + ":" + port
}

// isPlainHost reports whether host is already normal: no upper-case letter
// and no port. That is the common case, and one scan is cheaper than
// lower-casing and looking for a port.
func isPlainHost(host string) bool {
	for i := 0; i < len(host); i++ {
		if c := host[i]; 'A' <= c && c <= 'Z' || c == ':' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// signedPath returns normalizePath(u.EscapedPath()). Its fast path is the
// common path that EscapedPath returns unchanged and that has no dot segment:
// one scan instead of EscapedPath's and mayHaveDotSegment's.
func signedPath(u *url.URL) string {
	if u.RawPath == "" && isPlainPath(u.Path) {
		return u.Path
	}
	return normalizePath(u.EscapedPath())
}

// isPlainPath reports whether p starts with '/', holds only unreserved bytes
// and '/' (which url.URL never escapes in a path), and has no segment that
// starts with '.'. Such a path is its own escaped, normalized form.
func isPlainPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	for i := 1; i < len(p); i++ {
		switch c := p[i]; {
		case c == '.' && p[i-1] == '/':
			return false // maybe a dot segment
		case !unreserved[c] && c != '/':
			return false
		}
	}
	return true
}

// normalizePath makes an escaped path absolute and removes its dot segments.
// Escapes are kept byte for byte, lower-case hex included.
func normalizePath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	if !mayHaveDotSegment(p) {
		return p
	}
	segs := strings.Split(p[1:], "/")
	out := segs[:0] // filtered in place
	for i, s := range segs {
		last := i == len(segs)-1
		switch {
		case isDoubleDot(s):
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		case isSingleDot(s):
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

// mayHaveDotSegment reports whether a segment of p starts with "." or "%2e".
func mayHaveDotSegment(p string) bool {
	for i := 0; i+1 < len(p); i++ {
		if p[i] == '/' && (p[i+1] == '.' || strings.HasPrefix(p[i+1:], "%2e") || strings.HasPrefix(p[i+1:], "%2E")) {
			return true
		}
	}
	return false
}

// isSingleDot and isDoubleDot recognize dot segments as the WHATWG URL
// standard does, including their percent-encoded forms.
func isSingleDot(s string) bool {
	return s == "." || strings.EqualFold(s, "%2e")
}

func isDoubleDot(s string) bool {
	switch len(s) {
	case 2:
		return s == ".."
	case 4:
		return strings.EqualFold(s, ".%2e") || strings.EqualFold(s, "%2e.")
	case 6:
		return strings.EqualFold(s, "%2e%2e")
	}
	return false
}
