package exh

import (
	"context"
	"fmt"
	"net/url"
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
// included, is part of the signature; pre-encode spaces and non-ASCII
// characters. An absolute URL or a path with '.' or '..' segments is rejected
// with ErrInvalidPath before any I/O.
//
// body is encoded as JSON (nil for none). out may be nil, a *[]byte that gets
// the raw body, or any JSON target.
type RawService service

// Do sends a request with any method.
func (s *RawService) Do(ctx context.Context, method, path string, body, out any) (*Response, error) {
	method = strings.ToUpper(method)
	switch method {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
	default:
		return nil, fmt.Errorf("%w: unsupported method %q", ErrInvalidArgument, method)
	}
	if err := checkPath(path); err != nil {
		return nil, err
	}
	return s.client.do(ctx, &call{method: method, path: path, body: body, out: out,
		sensitive: strings.HasPrefix(path, "/auth/")})
}

// Get sends a GET request.
func (s *RawService) Get(ctx context.Context, path string, out any) (*Response, error) {
	return s.Do(ctx, "GET", path, nil, out)
}

// Post sends a POST request with a JSON body.
func (s *RawService) Post(ctx context.Context, path string, body, out any) (*Response, error) {
	return s.Do(ctx, "POST", path, body, out)
}

// Put sends a PUT request with a JSON body.
func (s *RawService) Put(ctx context.Context, path string, body, out any) (*Response, error) {
	return s.Do(ctx, "PUT", path, body, out)
}

// Patch sends a PATCH request with a JSON body.
func (s *RawService) Patch(ctx context.Context, path string, body, out any) (*Response, error) {
	return s.Do(ctx, "PATCH", path, body, out)
}

// Delete sends a DELETE request.
func (s *RawService) Delete(ctx context.Context, path string, out any) (*Response, error) {
	return s.Do(ctx, "DELETE", path, nil, out)
}

// checkPath accepts only relative paths that stay on the configured host.
func checkPath(path string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrInvalidPath, why) }
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return bad("the path must start with a single '/'")
	}
	for i := 0; i < len(path); i++ {
		if b := path[i]; b <= ' ' || b >= 0x7f || b == '#' || b == '\\' {
			return bad("spaces, control characters, '#', '\\' and non-ASCII must be percent-encoded")
		}
	}
	p, _, _ := strings.Cut(path, "?")
	for p != "" {
		var seg string
		seg, p, _ = strings.Cut(p, "/")
		if !strings.Contains(seg, "%") {
			if seg == "." || seg == ".." {
				return bad("'.' and '..' segments are not allowed")
			}
			continue
		}
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return bad("malformed percent-encoding")
		}
		// An encoded slash must not smuggle a dot segment in either.
		for _, part := range strings.FieldsFunc(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
			if part == "." || part == ".." {
				return bad("'.' and '..' segments are not allowed")
			}
		}
	}
	return nil
}
