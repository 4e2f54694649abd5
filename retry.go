package exh

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how a Client retries. The zero value means the defaults:
// 5 attempts in all, backoff from 300ms doubling up to 8s, with jitter.
//
// Only calls that are safe to repeat are retried: GET, HEAD and DELETE on a
// connection error, 429, 500, 502, 503 or 504 (honouring Retry-After up to
// MaxBackoff). POST, PUT and PATCH — logins, MFA confirmations, SSO token
// consumption among them — are retried only when the connection could not be
// made, so the server never saw them. Every attempt is signed anew.
//
// Two corrections happen once per call whatever the policy: a 109 answer
// whose Date header is more than 30s away from local time makes the client
// adopt the server's clock and try again, and a 110 answer to a GET, HEAD or
// DELETE (Go's transport re-sent it on a fresh connection) is tried again.
type RetryPolicy struct {
	MaxAttempts    int           // attempts in all, the first included; 1 disables retries; 0 means 5
	InitialBackoff time.Duration // wait before the first retry, doubled each time; 0 means 300ms
	MaxBackoff     time.Duration // cap of one wait; a longer Retry-After gives a *RetryAfterError; 0 means 8s
}

// NoRetry is a RetryPolicy that never retries.
var NoRetry = RetryPolicy{MaxAttempts: 1}

// WithRetry sets the retry policy. WithRetry(exh.NoRetry) disables retries.
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

// backoff returns the wait before retry n (1 for the first retry): the
// exponential step, capped, with the client's jitter applied.
func (c *Client) backoff(n int) time.Duration {
	p := c.opts.retry
	d := p.InitialBackoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return c.jitter(min(d, p.MaxBackoff))
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

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (relative to now). It reports false for a missing, negative or unparsable
// value. The result is clamped to 24h.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs >= int64(maxDelay/time.Second) {
			return maxDelay, true
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return min(d, maxDelay), true
}
