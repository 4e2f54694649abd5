package exh

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// RawService calls any endpoint of the cluster, signed like every other call,
// with the same retries, limits and error mapping. Use it for endpoints
// without a typed wrapper:
//
//	var page exh.TokenPage
//	_, err := client.Raw.Get(ctx, "/auth/v2/oauth1/tokens?limit(10)", &page)
//
// path is relative to the host and starts with '/'. Its query string, RQL
// included, is part of the signature. Spaces, control characters, '#', '\'
// and non-ASCII characters must be percent-encoded; double and single
// quotes, '<' and '>' are encoded for you, as the JavaScript SDK does. An absolute URL or a path
// with '.' or '..' segments is rejected with ErrInvalidPath before any I/O.
//
// body is encoded as JSON (nil for none). out may be nil, a *[]byte that gets
// the raw body, or a pointer to any JSON target; anything else is rejected
// before any I/O. Calls are signed with the session when there is one, with
// the consumer key only otherwise.
type RawService service

// RawResponse is the outcome of a successful Raw call: status, headers and
// the body as received. Its fmt and slog forms show the status and the body's
// length, never the body.
type RawResponse struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// String returns the status and the body's length.
func (r *RawResponse) String() string {
	return "exh.RawResponse{" + strconv.Itoa(r.StatusCode) + ", " + strconv.Itoa(len(r.Body)) + " bytes}"
}

// Format makes every fmt verb print String.
func (r *RawResponse) Format(f fmt.State, verb rune) { formatRedacted(f, verb, r.String(), r.String()) }

// LogValue makes slog print the status and the body's length.
func (r *RawResponse) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("status", r.StatusCode), slog.Int("bytes", len(r.Body)))
}

// Do sends a request with any method.
func (s *RawService) Do(ctx context.Context, method, path string, body, out any) (*RawResponse, error) {
	method = strings.ToUpper(method)
	switch method {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
	default:
		return nil, fmt.Errorf("%w: unsupported method %q", ErrInvalidArgument, method)
	}
	if err := checkPath(path); err != nil {
		return nil, err
	}
	return s.client.do(ctx, &call{method: method, path: quoteUnsafe(path), body: body, out: out,
		signing: signAny, sensitive: strings.HasPrefix(path, "/auth/")})
}

// Get sends a GET request.
func (s *RawService) Get(ctx context.Context, path string, out any) (*RawResponse, error) {
	return s.Do(ctx, "GET", path, nil, out)
}

// Post sends a POST request with a JSON body.
func (s *RawService) Post(ctx context.Context, path string, body, out any) (*RawResponse, error) {
	return s.Do(ctx, "POST", path, body, out)
}

// Put sends a PUT request with a JSON body.
func (s *RawService) Put(ctx context.Context, path string, body, out any) (*RawResponse, error) {
	return s.Do(ctx, "PUT", path, body, out)
}

// Patch sends a PATCH request with a JSON body.
func (s *RawService) Patch(ctx context.Context, path string, body, out any) (*RawResponse, error) {
	return s.Do(ctx, "PATCH", path, body, out)
}

// Delete sends a DELETE request.
func (s *RawService) Delete(ctx context.Context, path string, out any) (*RawResponse, error) {
	return s.Do(ctx, "DELETE", path, nil, out)
}

// checkPath accepts only relative paths that stay on the configured host.
func checkPath(path string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidPath, fmt.Sprintf(format, args...))
	}
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return bad("the path must start with a single '/'")
	}
	for i := 0; i < len(path); i++ {
		if b := path[i]; b <= ' ' || b >= 0x7f || b == '#' || b == '\\' {
			return bad("%s at byte %d must be percent-encoded", describeByte(b), i)
		}
	}
	p, _, _ := strings.Cut(path, "?")
	for p != "" {
		var seg string
		seg, p, _ = strings.Cut(p, "/")
		if err := checkDots(seg); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidPath, err)
		}
	}
	return nil
}

// checkSegment checks a caller's value (what) that goes into one path
// segment: not empty, and no '.' or '..' part between slashes or
// backslashes, as given or once percent-decoded ("%2e%2e", "a%2f..").
func checkSegment(what, v string) error {
	if v == "" {
		return fmt.Errorf("%w: %s is required", ErrInvalidArgument, what)
	}
	err := checkDots(url.PathEscape(v))
	if dec, derr := url.PathUnescape(v); err == nil && derr == nil {
		err = checkDots(url.PathEscape(dec))
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidArgument, what, err)
	}
	return nil
}

// checkDots rejects a path segment that is, or decodes to, '.' or '..' —
// also through an encoded slash or backslash inside it.
func checkDots(seg string) error {
	if seg == "." || seg == ".." {
		return fmt.Errorf("'.' and '..' segments are not allowed")
	}
	if !strings.Contains(seg, "%") {
		return nil
	}
	dec, err := url.PathUnescape(seg)
	if err != nil {
		return fmt.Errorf("malformed percent-encoding in segment %q", seg)
	}
	for _, part := range strings.FieldsFunc(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == "." || part == ".." {
			return fmt.Errorf("'.' and '..' segments are not allowed, encoded or not")
		}
	}
	return nil
}

// describeByte names b for an error message.
func describeByte(b byte) string {
	switch {
	case b == ' ':
		return "a space"
	case b < ' ' || b == 0x7f:
		return fmt.Sprintf("control character 0x%02X", b)
	case b >= 0x80:
		return fmt.Sprintf("non-ASCII byte 0x%02X", b)
	}
	return fmt.Sprintf("%q", rune(b))
}

// unsafeQuoter percent-encodes the characters the JavaScript SDK's HTTP
// client encodes before it signs, so both sign the same bytes.
var unsafeQuoter = strings.NewReplacer(`"`, "%22", `'`, "%27", "<", "%3C", ">", "%3E")

func quoteUnsafe(path string) string {
	if !strings.ContainsAny(path, `"'<>`) {
		return path
	}
	return unsafeQuoter.Replace(path)
}
