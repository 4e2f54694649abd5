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
	"net/http/httptrace"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"time"
)

// call is one API call as the services describe it. Every call of the SDK,
// typed or Raw, goes through Client.do.
type call struct {
	method  string
	path    string // relative to the base URL, starting with '/', query included
	body    any    // JSON-encoded once; nil for none
	out     any    // nil, *[]byte, or a pointer to a JSON target
	signing signing
	session *sessionState // signs the call instead of the current session when set
	// sensitive marks calls whose bodies hold credentials: no body snippet is
	// ever kept in their errors, and secrets are scrubbed from messages.
	sensitive bool
	secrets   []string // values of this call never to be echoed in an error

	// answerLost is set by do: an attempt was written and its answer lost
	// before a later attempt was answered.
	answerLost bool
}

// answer is a response as one attempt read it, within the size limits.
type answer struct {
	status     int
	header     http.Header
	body       []byte
	receivedAt time.Time
}

// do runs k with the client's signing, retries, limits and error mapping.
func (c *Client) do(ctx context.Context, k *call) (*RawResponse, error) {
	ctx, body, cancel, err := c.prepare(ctx, k)
	if err != nil {
		return nil, err
	}
	defer cancel()
	var trace *sendTrace // nil for safe methods: see sendTrace
	if !safeMethod(k.method) {
		trace = new(sendTrace)
		ctx = trace.context(ctx)
	}
	var st retryState
	for n := 1; ; n++ {
		a, o := c.attempt(ctx, k, body, n, trace)
		var d decision
		d, st = c.opts.retry.decide(k.method, st, o, c.jitter)
		if !d.retry {
			k.answerLost = st.answerLost
			if d.err != nil {
				return nil, d.err
			}
			return c.decode(k, &a)
		}
		if d.adoptClock {
			c.sessions.adoptClock(o.skew, a.receivedAt)
			c.opts.logger.Warn("exh: adopting the server's clock", "skew", o.skew.Round(time.Second))
		}
		c.logRetry(ctx, k, n, o, d.wait)
		if err := c.sleep(ctx, d.wait); err != nil {
			return nil, &RequestError{Method: k.method, Path: pathOnly(k.path), Err: err}
		}
	}
}

// prepare checks k before any I/O, resolves the credentials every attempt
// signs with, encodes the body once and bounds ctx by the client timeout.
func (c *Client) prepare(ctx context.Context, k *call) (context.Context, []byte, context.CancelFunc, error) {
	if err := checkContext(ctx); err != nil {
		return nil, nil, nil, err
	}
	if err := checkOut(k.out); err != nil {
		return nil, nil, nil, err
	}
	creds, err := c.sessions.credentials(k.signing, k.session)
	if err != nil {
		return nil, nil, nil, err
	}
	var body []byte
	if k.body != nil {
		if body, err = json.Marshal(k.body); err != nil {
			return nil, nil, nil, fmt.Errorf("exh: %s %s: encoding the request body: %w", k.method, pathOnly(k.path), err)
		}
	}
	cancel := context.CancelFunc(func() {})
	if d, ok := ctx.Deadline(); c.opts.timeout > 0 && (!ok || time.Until(d) > c.opts.timeout) {
		ctx, cancel = context.WithTimeout(ctx, c.opts.timeout)
	}
	return withCredentials(ctx, creds), body, cancel, nil
}

// sendTrace tells, attempt by attempt, whether a request may have reached
// the server. net/http's transport asks for a connection (GetConn) at the
// start of every attempt and writes the request only once it has one
// (GotConn). A transport that is not net/http's reports neither: a network
// error from it may come after the request went out, unless it is a dial
// error. Safe methods (GET, HEAD, OPTIONS) are not traced, which spares
// the hot path the trace's allocations: for them only that last rule
// matters (retry after a network error, try a local error once).
type sendTrace struct{ traced, written atomic.Bool }

func (t *sendTrace) context(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { t.traced.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { t.written.Store(true) },
	})
}

// start forgets the previous attempt.
func (t *sendTrace) start() {
	if t != nil {
		t.traced.Store(false)
		t.written.Store(false)
	}
}

// mayHaveSent reports whether the attempt that failed with err may have
// reached the server.
func (t *sendTrace) mayHaveSent(err error) bool {
	if t != nil && (t.written.Load() || t.traced.Load()) {
		return t.written.Load()
	}
	return isNetworkError(err) && !isDialError(err)
}

// attempt sends k once and describes what came back.
func (c *Client) attempt(ctx context.Context, k *call, body []byte, n int, trace *sendTrace) (answer, outcome) {
	trace.start()
	start := time.Now()
	a, err := c.send(ctx, k, body)
	c.logAttempt(ctx, k, n, a.status, err, time.Since(start))
	if err != nil {
		return answer{}, outcome{err: err, ctxDone: ctx.Err() != nil, written: trace.mayHaveSent(err)}
	}
	o := outcome{status: a.status, err: c.answerError(k, &a), retryAfter: a.header.Get("Retry-After")}
	o.code = codeOf(o.err)
	if o.code == ErrCodeOAuthSignature {
		o.skew, o.hasDate = c.sessions.clockSkew(a.header, a.receivedAt)
	}
	return a, o
}

// answerError maps a non-2xx answer to its error; nil for 2xx.
func (c *Client) answerError(k *call, a *answer) error {
	path := pathOnly(k.path)
	switch {
	case a.status >= 200 && a.status < 300:
		return nil
	case a.status >= 300 && a.status < 400:
		return redirectError(k.method, path, a)
	}
	// 4xx, 5xx, and a final 1xx, which no API call should ever get.
	err := newAPIError(k.method, path, a.status, a.body, k.sensitive)
	scrubSecrets(err, k.secrets)
	return err
}

// send makes one attempt and reads the body within the limits. Errors come
// back as *RequestError or *ResponseTooLargeError.
func (c *Client) send(ctx context.Context, k *call, body []byte) (answer, error) {
	path := pathOnly(k.path)
	r := c.rest.R().SetContext(ctx)
	if body != nil {
		r.SetBody(body).SetHeader("Content-Type", "application/json")
	}
	resp, err := r.Execute(k.method, c.base+k.path)
	if err != nil {
		if resp != nil && resp.RawResponse != nil {
			resp.RawResponse.Body.Close()
		}
		return answer{}, &RequestError{Method: k.method, Path: path, Err: stripURL(err)}
	}
	raw := resp.RawResponse
	defer raw.Body.Close()
	a := answer{status: raw.StatusCode, header: raw.Header, receivedAt: time.Now()}
	limit := c.opts.maxBytes
	if raw.StatusCode >= 400 {
		limit = min(limit, maxErrorBodyBytes)
	}
	a.body, err = readBody(raw, limit)
	if err != nil {
		return answer{}, &RequestError{Method: k.method, Path: path, Err: stripURL(err)}
	}
	if int64(len(a.body)) > limit {
		if raw.StatusCode >= 400 {
			// An oversized error body still tells the status: keep what fits.
			a.body = a.body[:limit]
			return a, nil
		}
		return answer{}, &ResponseTooLargeError{Method: k.method, Path: path, StatusCode: raw.StatusCode, Limit: limit}
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

// checkOut rejects, before any I/O, an out that cannot receive a result.
func checkOut(out any) error {
	if out == nil {
		return nil
	}
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer {
		return fmt.Errorf("%w: out must be a pointer (or nil), not %T", ErrInvalidArgument, out)
	}
	if v.IsNil() {
		return fmt.Errorf("%w: out is a nil %T", ErrInvalidArgument, out)
	}
	return nil
}

// decode fills k.out from a successful answer.
func (c *Client) decode(k *call, a *answer) (*RawResponse, error) {
	resp := &RawResponse{StatusCode: a.status, Header: a.header, Body: a.body}
	switch out := k.out.(type) {
	case nil:
	case *[]byte:
		*out = a.body
	default:
		if a.status == http.StatusNoContent {
			break
		}
		if err := json.Unmarshal(a.body, out); err != nil {
			return nil, &DecodeError{Method: k.method, Path: pathOnly(k.path), StatusCode: a.status,
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

func redirectError(method, path string, a *answer) error {
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
	if err == nil {
		return nil
	}
	var e *APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// logAttempt writes the debug line of one attempt: never headers, bodies or
// the query string.
func (c *Client) logAttempt(ctx context.Context, k *call, n, status int, err error, d time.Duration) {
	if !c.opts.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("method", k.method), slog.String("path", pathOnly(k.path)),
		slog.Int("attempt", n), slog.Duration("duration", d)}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.opts.logger.LogAttrs(ctx, slog.LevelDebug, "exh: request", attrs...)
}

// logRetry writes the warning before a retry, with its cause: the status
// and code of the answer, or the kind of network failure.
func (c *Client) logRetry(ctx context.Context, k *call, n int, o outcome, wait time.Duration) {
	attrs := []slog.Attr{slog.String("method", k.method), slog.String("path", pathOnly(k.path)),
		slog.Int("attempt", n), slog.Duration("wait", wait), slog.String("cause", retryCause(o))}
	if o.status != 0 {
		attrs = append(attrs, slog.Int("status", o.status))
	}
	c.opts.logger.LogAttrs(ctx, slog.LevelWarn, "exh: retrying", attrs...)
}

// retryCause names why an attempt is retried, without secrets or queries.
func retryCause(o outcome) string {
	switch {
	case o.code == ErrCodeOAuthSignature:
		return "clock skew (109)"
	case o.code == ErrCodeDuplicateRequest:
		return "duplicate request (110)"
	case o.status != 0:
		return fmt.Sprintf("status %d %s", o.status, http.StatusText(o.status))
	}
	return networkErrorKind(o.err)
}

// safeMethod reports whether the method has no side effects on the server.
func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}
