package exh

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RetryPolicy says how a Client retries. The zero value means the defaults:
// 5 attempts in all, backoff from 300ms doubling up to 8s, with jitter.
//
// Only calls that are safe to repeat are retried after they may have reached
// the server: GET, HEAD, OPTIONS and DELETE, on a connection error, 429, 500,
// 502, 503 or 504 (honouring Retry-After up to MaxBackoff). POST, PUT and
// PATCH — logins, MFA confirmations, SSO token consumption among them — are
// retried only when the connection could not be made, so the server never saw
// them. A request that failed before anything was sent for another reason (a
// header net/http refuses, an error of your own RoundTripper) is tried once.
// A RoundTripper that does not send through net/http's transport cannot show
// whether it wrote the request, so a network error from it other than a dial
// error counts as possibly sent. Every attempt is signed anew.
//
// Two corrections happen once per call whatever the policy: a 109 answer
// whose Date header is more than 30s away from the signing clock makes the
// client adopt the server's clock and try again, and a 110 answer to a GET,
// HEAD, OPTIONS or DELETE (Go's transport re-sent it on a fresh connection)
// is tried again.
type RetryPolicy struct {
	MaxAttempts    int           // attempts in all, the first included; 1 disables retries; 0 means 5
	InitialBackoff time.Duration // wait before the first retry, doubled each time; 0 means 300ms
	MaxBackoff     time.Duration // cap of one wait; a longer Retry-After gives a *RetryAfterError; 0 means 8s
}

// NoRetry returns the policy that never retries: WithRetry(exh.NoRetry()).
// The two once-per-call corrections of RetryPolicy still apply.
func NoRetry() RetryPolicy { return RetryPolicy{MaxAttempts: 1} }

// WithRetry sets the retry policy.
func WithRetry(p RetryPolicy) Option {
	return func(o *options) error {
		o.retry = p
		return p.validate()
	}
}

func (p RetryPolicy) validate() error {
	if p.MaxAttempts < 0 || p.InitialBackoff < 0 || p.MaxBackoff < 0 {
		return fmt.Errorf("%w: negative value in RetryPolicy", ErrInvalidConfig)
	}
	return nil
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 5
	}
	if p.InitialBackoff == 0 {
		p.InitialBackoff = 300 * time.Millisecond
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = 8 * time.Second
	}
	if p.InitialBackoff > p.MaxBackoff {
		p.InitialBackoff = p.MaxBackoff
	}
	return p
}

// outcome is what one attempt of a call brought back, as decide sees it.
type outcome struct {
	status     int           // HTTP status; 0 when no answer came
	code       ErrorCode     // ExH code of an error answer
	err        error         // nil for a 2xx answer; the transport error or the mapped answer otherwise
	written    bool          // the request may have reached the server
	ctxDone    bool          // the call's context had ended
	retryAfter string        // the answer's Retry-After header
	skew       time.Duration // the answer's Date minus the signing clock
	hasDate    bool          // the answer had a usable Date
}

// retryState is what decide remembers between the attempts of one call.
type retryState struct {
	retries          int  // backoff retries made
	clockAdopted     bool // the 109 correction was used
	duplicateRetried bool // the 110 correction was used
	answerLost       bool // an attempt was written and its answer lost
}

// decision is what to do after an attempt: retry after wait (adopting the
// server's clock first when adoptClock), or return err (nil for success).
type decision struct {
	retry      bool
	wait       time.Duration
	adoptClock bool
	err        error
}

// decide is the retry policy as a pure function: given the call's method,
// what the earlier attempts left in st and this attempt's outcome, it says
// what to do next and what to remember. jitter spreads backoff waits.
func (p RetryPolicy) decide(method string, st retryState, o outcome, jitter func(time.Duration) time.Duration) (decision, retryState) {
	repeatable := idempotent(method)
	switch {
	case o.status == 0:
		return p.decideFailure(repeatable, st, o, jitter)
	case o.err == nil || o.status < 400:
		return decision{err: o.err}, st
	}
	if d, next, ok := correction(repeatable, st, o); ok {
		return d, next
	}
	if !repeatable || !retryableStatus(o.status) || st.retries+1 >= p.MaxAttempts {
		return decision{err: o.err}, st
	}
	wait := p.backoff(st.retries+1, jitter)
	if ra, ok := parseRetryAfter(o.retryAfter, time.Now()); ok {
		if ra > p.MaxBackoff {
			return decision{err: &RetryAfterError{RetryAfter: ra, Err: asAPIError(o.err)}}, st
		}
		wait = max(ra, wait)
	}
	st.retries++
	return decision{retry: true, wait: wait}, st
}

// correction decides the two once-per-call corrections: a 109 whose Date
// shows a skewed clock, and a 110 to a repeatable call. ok is false when
// neither applies.
func correction(repeatable bool, st retryState, o outcome) (decision, retryState, bool) {
	skewed := o.hasDate && (o.skew >= maxClockSkew || o.skew <= -maxClockSkew)
	switch {
	case o.code == ErrCodeOAuthSignature && skewed && !st.clockAdopted:
		st.clockAdopted = true
		return decision{retry: true, adoptClock: true}, st, true
	case o.code == ErrCodeDuplicateRequest && repeatable && !st.duplicateRetried:
		st.duplicateRetried = true
		return decision{retry: true}, st, true
	}
	return decision{}, st, false
}

// decideFailure decides after an attempt that got no answer.
func (p RetryPolicy) decideFailure(repeatable bool, st retryState, o outcome, jitter func(time.Duration) time.Duration) (decision, retryState) {
	var tooLarge *ResponseTooLargeError
	switch {
	case errors.As(o.err, &tooLarge) || isCertificateError(o.err):
		return decision{err: o.err}, st
	case o.written && !repeatable:
		return decision{err: outcomeUnknown(o.err)}, st
	case o.ctxDone || (!o.written && !isNetworkError(o.err)) || st.retries+1 >= p.MaxAttempts:
		return decision{err: o.err}, st
	}
	st.answerLost = st.answerLost || o.written
	st.retries++
	return decision{retry: true, wait: p.backoff(st.retries, jitter)}, st
}

// outcomeUnknown turns the *RequestError of a written, unrepeatable request
// into an *OutcomeUnknownError.
func outcomeUnknown(err error) error {
	var re *RequestError
	if errors.As(err, &re) {
		return &OutcomeUnknownError{Method: re.Method, Path: re.Path, Err: re.Err}
	}
	return err
}

// backoff returns the wait before retry n (1 for the first retry): the
// exponential step, capped, with jitter applied.
func (p RetryPolicy) backoff(n int, jitter func(time.Duration) time.Duration) time.Duration {
	d := p.InitialBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return jitter(min(d, p.MaxBackoff))
}

// randomJitter returns a wait uniformly in [d/2, d].
func randomJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// idempotent reports whether a request with this method may be sent again
// after it may have reached the server.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// retryableStatus reports whether an idempotent call answered with status is
// worth another attempt.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// maxDelay bounds delays taken from bodies (remainingDelay) and headers.
const maxDelay = 24 * time.Hour

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (relative to now). It reports false for a missing, negative or unparsable
// value. A value too large to represent, in digits or as a far date, is
// clamped to 24h like any other long wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if allDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs >= int64(maxDelay/time.Second) {
			return maxDelay, true // out of range: longer than any wait
		}
		return time.Duration(secs) * time.Second, true
	}
	if strings.HasPrefix(v, "-") && allDigits(v[1:]) {
		return 0, false
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if t.Sub(now) >= maxDelay || t.After(now.Add(maxDelay)) {
		return maxDelay, true
	}
	return max(t.Sub(now), 0), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// isCertificateError reports whether err is a TLS certificate failure, which
// another attempt cannot fix.
func isCertificateError(err error) bool {
	var verr *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verr) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// isNetworkError reports whether err came from the network (DNS, connect,
// TLS handshake, reset, timeout) rather than from a local refusal such as a
// header net/http will not send or an error of the caller's RoundTripper.
func isNetworkError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED)
}

// isDialError reports whether err happened while connecting (DNS, connect),
// before any request could be written.
func isDialError(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial") || errors.Is(err, syscall.ECONNREFUSED)
}

// networkErrorKind names the kind of a failed attempt for logs: never the
// error's text, which can hold addresses or a URL.
func networkErrorKind(err error) string {
	var ne net.Error
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return "timeout"
	case errors.As(err, &dns):
		return "DNS failure"
	case errors.As(err, &op) && op.Op == "dial":
		return "connection refused or unreachable"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	case isNetworkError(err):
		return "network error"
	}
	return "request failed"
}
