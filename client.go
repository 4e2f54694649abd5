package exh

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/exhgo/exh/oauth1"
)

// Version is the SDK's version, sent in the User-Agent and X-User-Agent headers.
const Version = "1.0.0"

// Defaults of a new Client.
const (
	DefaultTimeout          = 30 * time.Second // per call, retries included
	DefaultMaxResponseBytes = 10 << 20         // success bodies
	maxErrorBodyBytes       = 1 << 20          // error bodies are read up to this much
	defaultIdleConnsPerHost = 64
)

// Config holds what a Client needs to reach a cluster as an OAuth1 application.
// ConsumerSecret and TokenSecret are secrets: String, GoString, Format,
// LogValue and MarshalJSON redact them.
type Config struct {
	// Host is the cluster, e.g. "dev.example.extrahorizon.io" or a full URL.
	// Any host but a loopback one (localhost, 127.0.0.0/8, [::1]) is reached as
	// https://api.<host>, whatever scheme or "api."/"apx." prefix it is given
	// with. A port or a path prefix is kept. An IP address is used as given,
	// over https. With WithBaseURL, Host is not used and may be empty.
	Host           string
	ConsumerKey    string
	ConsumerSecret string
	// Token and TokenSecret resume a stored session without a network call.
	// Give both or neither.
	Token       string
	TokenSecret string
}

// Client talks to one ExtraHorizon cluster as one OAuth1 application, on
// behalf of at most one user session at a time. It is safe for concurrent use:
// the session is swapped atomically, and every call signs all its attempts
// with the credentials it started with.
type Client struct {
	Auth   *AuthService   // logins, session, presence, health
	Tokens *TokensService // the user's OAuth1 tokens
	SSO    *SSOService    // single-use SSO tokens
	Mfa    *MfaService    // the user's MFA settings and methods
	Raw    *RawService    // any endpoint, signed

	baseURL  *url.URL // scheme, host and path prefix; no trailing slash
	base     string   // baseURL as a string
	sessions *sessions
	logins   loginGroup
	rest     *resty.Client
	owned    *http.Transport // the transport the client made itself, if any
	opts     options
	sleep    func(context.Context, time.Duration) error // replaced in tests
	jitter   func(time.Duration) time.Duration          // replaced in tests
	common   service
}

// service is what every service shares: the client.
type service struct{ client *Client }

// NewClient returns a client for cfg. It does no I/O: a token given in cfg is
// installed as the session without a check (AuthService.AuthenticateWithToken
// checks one).
func NewClient(cfg Config, opts ...Option) (*Client, error) {
	if cfg.ConsumerKey == "" || cfg.ConsumerSecret == "" {
		return nil, fmt.Errorf("%w: ConsumerKey and ConsumerSecret are required", ErrInvalidConfig)
	}
	if (cfg.Token == "") != (cfg.TokenSecret == "") {
		return nil, fmt.Errorf("%w: give both Token and TokenSecret, or neither", ErrInvalidConfig)
	}
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	base := o.baseURL // WithBaseURL wins over Host
	if base == nil {
		if base, err = parseHost(cfg.Host); err != nil {
			return nil, err
		}
	}
	consumer := oauth1.Credentials{ConsumerKey: cfg.ConsumerKey, ConsumerSecret: cfg.ConsumerSecret}
	c := &Client{
		baseURL:  base,
		base:     base.String(),
		sessions: newSessions(consumer, o.onSessionChange),
		opts:     o,
		sleep:    sleepCtx,
		jitter:   randomJitter,
	}
	c.rest = c.newResty()
	if cfg.Token != "" {
		c.sessions.install(c.sessions.state(Session{Token: cfg.Token, TokenSecret: cfg.TokenSecret}))
	}
	c.common.client = c
	c.Auth = (*AuthService)(&c.common)
	c.Tokens = (*TokensService)(&c.common)
	c.SSO = (*SSOService)(&c.common)
	c.Mfa = (*MfaService)(&c.common)
	c.Raw = (*RawService)(&c.common)
	return c, nil
}

// BaseURL returns the URL every request path is joined to, e.g.
// "https://api.dev.example.extrahorizon.io".
func (c *Client) BaseURL() string { return c.base }

// String describes the client without its credentials.
func (c *Client) String() string {
	return "exh.Client{" + c.base + ", consumer key " + c.sessions.consumer.ConsumerKey + "}"
}

// options are the settings Option functions change.
type options struct {
	httpClient      *http.Client
	baseURL         *url.URL
	timeout         time.Duration
	userAgent       string
	headers         http.Header
	retry           RetryPolicy
	logger          *slog.Logger
	maxBytes        int64
	onSessionChange func(Session)
}

// Option configures a Client.
type Option func(*options) error

func newOptions(opts []Option) (options, error) {
	o := options{
		timeout:  DefaultTimeout,
		headers:  http.Header{},
		maxBytes: DefaultMaxResponseBytes,
		logger:   slog.New(slog.DiscardHandler),
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return options{}, err
		}
	}
	if err := o.retry.validate(); err != nil {
		return options{}, err
	}
	o.retry = o.retry.withDefaults()
	return o, nil
}

// WithHTTPClient sends requests through hc's Transport (wrapped by the
// signer) and keeps its Timeout as a per-attempt limit. NewClient reads
// hc.Transport once; a nil Transport means http.DefaultTransport as it is at
// each request, so replacing that (httpmock.Activate) works before or after
// NewClient. hc's redirect policy and cookie jar are not used: the SDK never
// follows redirects and keeps no cookies.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return fmt.Errorf("%w: WithHTTPClient(nil)", ErrInvalidConfig)
		}
		o.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each call, retries and waits included (default 30s).
// Zero means no limit beyond the context's.
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return fmt.Errorf("%w: negative timeout", ErrInvalidConfig)
		}
		o.timeout = d
		return nil
	}
}

// WithUserAgent replaces the default X-User-Agent header value
// ("Go/<version> OS/<os>-<arch> exh/<version>"), the header the ExtraHorizon
// services read (browsers cannot set User-Agent, so the JavaScript SDK uses
// it too). User-Agent itself stays "exh-go/<version>".
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		if ua == "" || !validHeaderValue(ua) {
			return fmt.Errorf("%w: the user agent is empty or has control characters", ErrInvalidConfig)
		}
		o.userAgent = ua
		return nil
	}
}

// WithHeader adds a header to every request, for example
// X-Forwarded-Application. It refuses, in any letter case, the headers the
// SDK sets itself (Authorization, Accept, Content-Type, Content-Length,
// User-Agent, X-User-Agent), Host and the transfer headers, and
// Idempotency-Key and X-Idempotency-Key, which would let net/http re-send a
// login on its own.
func WithHeader(key, value string) Option {
	return func(o *options) error {
		if !validHeaderName(key) || !validHeaderValue(value) {
			return fmt.Errorf("%w: header %q has an invalid name or value", ErrInvalidConfig, key)
		}
		if reservedHeaders[http.CanonicalHeaderKey(key)] {
			return fmt.Errorf("%w: header %q is set by the SDK or changes how requests are sent", ErrInvalidConfig, http.CanonicalHeaderKey(key))
		}
		o.headers.Add(key, value)
		return nil
	}
}

// reservedHeaders cannot be set with WithHeader.
var reservedHeaders = map[string]bool{
	"Authorization": true, "Accept": true, "Content-Type": true, "Content-Length": true,
	"User-Agent": true, "X-User-Agent": true, "Host": true, "Connection": true,
	"Transfer-Encoding": true, "Te": true, "Trailer": true, "Upgrade": true, "Expect": true,
	"Keep-Alive": true, "Proxy-Connection": true, "Idempotency-Key": true, "X-Idempotency-Key": true,
}

// validHeaderName reports whether key is an HTTP token.
func validHeaderName(key string) bool {
	for i := 0; i < len(key); i++ {
		b := key[i]
		if b <= ' ' || b >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, b) >= 0 {
			return false
		}
	}
	return key != ""
}

// validHeaderValue reports whether net/http will send v: no control
// characters but tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// WithLogger makes the client log one debug line per attempt (method, path
// without query, status, attempt, duration) and a warning per retry with its
// cause. It never logs headers, bodies or queries. The default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("%w: WithLogger(nil)", ErrInvalidConfig)
		}
		o.logger = l
		return nil
	}
}

// WithMaxResponseBytes caps the size of a successful response body (default
// 10 MiB); a larger body gives a *ResponseTooLargeError. Error bodies are read
// up to 1 MiB, or up to n when n is smaller.
func WithMaxResponseBytes(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("%w: max response bytes must be positive", ErrInvalidConfig)
		}
		o.maxBytes = n
		return nil
	}
}

// WithOnSessionChange registers fn, called after every change of the session
// (password, MFA, token and SSO grants, logout, revocation) with a copy of the
// new session; the zero Session means logged out. Use it to persist tokens.
// Calls come one at a time, in the order the sessions were installed, usually
// on the goroutine that made the change; a change made while an earlier
// notification is running is delivered right after it, on that notification's
// goroutine. fn may call the client. A panic in fn reaches the caller whose
// call installed the session (for Authenticate, the caller that saw the
// result first); the session stays installed.
func WithOnSessionChange(fn func(Session)) Option {
	return func(o *options) error {
		o.onSessionChange = fn
		return nil
	}
}
