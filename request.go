package exh

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Response is the raw outcome of a successful call: status, headers and the
// body bytes as received.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// call is one API call as the services describe it. Every call of the SDK,
// typed or Raw, goes through Client.do.
type call struct {
	method string
	path   string // relative to the base URL, starting with '/', query included
	body   any    // JSON-encoded once; nil for none
	out    any    // nil, *[]byte, or a JSON target
	// consumerOnly signs without oauth_token (password and MFA grants).
	consumerOnly bool
	// sensitive marks calls whose bodies hold credentials: no body snippet is
	// ever kept in their errors.
	sensitive bool
}

// attempt is what one try of a call brought back.
type attempt struct {
	status     int
	header     http.Header
	body       []byte
	receivedAt time.Time
}

// do runs c with the client's signing, retries, limits and error mapping.
func (c *Client) do(ctx context.Context, k *call) (*Response, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrInvalidArgument)
	}
	path := pathOnly(k.path)
	var body []byte
	if k.body != nil {
		var err error
		if body, err = json.Marshal(k.body); err != nil {
			return nil, fmt.Errorf("exh: %s %s: encoding the request body: %w", k.method, path, err)
		}
	}
	if d, ok := ctx.Deadline(); c.opts.timeout > 0 && (!ok || time.Until(d) > c.opts.timeout) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.timeout)
		defer cancel()
	}
	if k.consumerOnly {
		ctx = withConsumerOnly(ctx)
	}
	target := c.base + k.path
	repeatable := idempotent(k.method)
	var clockFixed, duplicateRetried bool
	retries := 0
	for n := 1; ; n++ {
		start := time.Now()
		a, err := c.send(ctx, k, target, body, path)
		c.logAttempt(ctx, k.method, path, n, a, err, time.Since(start))

		var wait time.Duration
		switch {
		case err != nil:
			var tooLarge *ResponseTooLargeError
			if errors.As(err, &tooLarge) || ctx.Err() != nil || isCertificateError(err) {
				return nil, err
			}
			neverSent := isDialError(err)
			if !neverSent && !repeatable {
				return nil, &OutcomeUnknownError{Method: k.method, Path: path, Err: errors.Unwrap(err)}
			}
			if retries+1 >= c.opts.retry.MaxAttempts {
				return nil, err
			}
			retries++
			wait = c.backoff(retries)

		case a.status < 300:
			return c.decode(k, path, a)

		case a.status < 400:
			return nil, redirectError(k.method, path, a)

		default:
			apiErr := newAPIError(k.method, path, a.status, a.body, k.sensitive)
			asAPIError(apiErr).Attempt = n
			code := codeOf(apiErr)
			switch {
			case code == ErrCodeOAuthSignature && !clockFixed && c.adoptServerClock(a.header, a.receivedAt):
				clockFixed = true
			case code == ErrCodeDuplicateRequest && repeatable && !duplicateRetried:
				duplicateRetried = true
			case repeatable && retryableStatus(a.status) && retries+1 < c.opts.retry.MaxAttempts:
				retries++
				wait = c.backoff(retries)
				if ra, ok := parseRetryAfter(a.header.Get("Retry-After"), time.Now()); ok {
					if ra > c.opts.retry.MaxBackoff {
						return nil, &RetryAfterError{RetryAfter: ra, Err: asAPIError(apiErr)}
					}
					wait = max(ra, wait)
				}
			default:
				return nil, apiErr
			}
		}
		c.logRetry(ctx, k.method, path, n, a, wait)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, &RequestError{Method: k.method, Path: path, Err: err}
		}
	}
}

// send makes one attempt and reads the body within the limits. Errors come
// back as *RequestError or *ResponseTooLargeError.
func (c *Client) send(ctx context.Context, k *call, target string, body []byte, path string) (*attempt, error) {
	r := c.rest.R().SetContext(ctx)
	if body != nil {
		r.SetBody(body).SetHeader("Content-Type", "application/json")
	}
	resp, err := r.Execute(k.method, target)
	if err != nil {
		if resp != nil && resp.RawResponse != nil {
			resp.RawResponse.Body.Close()
		}
		return nil, &RequestError{Method: k.method, Path: path, Err: stripURL(err)}
	}
	raw := resp.RawResponse
	defer raw.Body.Close()
	a := &attempt{status: raw.StatusCode, header: raw.Header, receivedAt: time.Now()}
	limit := c.opts.maxBytes
	if raw.StatusCode >= 400 {
		limit = min(limit, maxErrorBodyBytes)
	}
	a.body, err = readBody(raw, limit)
	if err != nil {
		return nil, &RequestError{Method: k.method, Path: path, Err: stripURL(err)}
	}
	if int64(len(a.body)) > limit {
		if raw.StatusCode >= 400 {
			// An oversized error body still tells the status: keep what fits.
			a.body = a.body[:limit]
			return a, nil
		}
		return nil, &ResponseTooLargeError{Method: k.method, Path: path, StatusCode: raw.StatusCode, Limit: limit}
	}
	return a, nil
}

// readBody reads up to limit+1 bytes of r's body. A declared Content-Length
// of at most 64 KiB is read into one exact allocation; the read that ends
// such a body also reports io.EOF, so the connection is still reused.
func readBody(r *http.Response, limit int64) ([]byte, error) {
	if n := r.ContentLength; n >= 0 && n <= limit && n <= 64<<10 {
		b := make([]byte, n)
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	return io.ReadAll(io.LimitReader(r.Body, limit+1))
}

// decode fills k.out from a successful attempt.
func (c *Client) decode(k *call, path string, a *attempt) (*Response, error) {
	resp := &Response{StatusCode: a.status, Header: a.header, Body: a.body}
	switch out := k.out.(type) {
	case nil:
	case *[]byte:
		*out = a.body
	default:
		if a.status == http.StatusNoContent {
			break
		}
		if err := json.Unmarshal(a.body, out); err != nil {
			return nil, &DecodeError{Method: k.method, Path: path, StatusCode: a.status,
				ContentType: a.header.Get("Content-Type"), Err: decodeCause(err, a.body)}
		}
	}
	return resp, nil
}

// decodeCause keeps JSON errors short and free of body content.
func decodeCause(err error, body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("empty body")
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Errorf("invalid JSON at byte %d", syntax.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("JSON %s cannot go into %s (field %q)", typ.Value, typ.Type, typ.Field)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated JSON")
	}
	return errors.New("invalid JSON")
}

func redirectError(method, path string, a *attempt) error {
	e := &RedirectError{Method: method, Path: path, StatusCode: a.status}
	if loc, err := url.Parse(a.header.Get("Location")); err == nil {
		e.Host = loc.Host
	}
	return e
}

// stripURL removes the *url.Error layer, whose message repeats the full URL
// with its query string.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// pathOnly drops the query string, which never goes into errors or logs.
func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

func codeOf(err error) ErrorCode {
	if e := asAPIError(err); e != nil {
		return e.Code
	}
	return 0
}

func asAPIError(err error) *APIError {
	var e *APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// logAttempt writes the debug line of one attempt: never headers, bodies or
// the query string.
func (c *Client) logAttempt(ctx context.Context, method, path string, n int, a *attempt, err error, d time.Duration) {
	if !c.opts.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("method", method), slog.String("path", path),
		slog.Int("attempt", n), slog.Duration("duration", d)}
	if a != nil {
		attrs = append(attrs, slog.Int("status", a.status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.opts.logger.LogAttrs(ctx, slog.LevelDebug, "exh: request", attrs...)
}

// logRetry writes the warning before a retry.
func (c *Client) logRetry(ctx context.Context, method, path string, n int, a *attempt, wait time.Duration) {
	attrs := []slog.Attr{slog.String("method", method), slog.String("path", path),
		slog.Int("attempt", n), slog.Duration("wait", wait)}
	if a != nil {
		attrs = append(attrs, slog.Int("status", a.status))
	}
	c.opts.logger.LogAttrs(ctx, slog.LevelWarn, "exh: retrying", attrs...)
}
