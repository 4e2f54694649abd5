package exh

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/exhgo/exh/oauth1"
)

// Version is the SDK's version, sent in the X-User-Agent header.
const Version = "0.1.0"

// Defaults of a new Client.
const (
	DefaultTimeout          = 30 * time.Second // per call, retries included
	DefaultMaxResponseBytes = 10 << 20         // success bodies
	maxErrorBodyBytes       = 1 << 20          // error bodies are read up to this much
	defaultIdleConnsPerHost = 64
)

// Config holds what a Client needs to reach a cluster as an OAuth1 application.
// ConsumerSecret and TokenSecret are secrets: String, GoString, Format and
// LogValue redact them; json.Marshal would write them.
type Config struct {
	// Host is the cluster, e.g. "dev.example.extrahorizon.io" or a full URL.
	// Any host but a loopback one (localhost, 127.0.0.0/8, [::1]) is reached as
	// https://api.<host>, whatever scheme or "api."/"apx." prefix it is given
	// with. A port or a path prefix is kept.
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
// the session is swapped atomically, so every request is signed with a
// consistent token and secret pair.
type Client struct {
	Auth   *AuthService   // logins, session, presence, health
	Tokens *TokensService // the user's OAuth1 tokens
	SSO    *SSOService    // single-use SSO tokens
	Raw    *RawService    // any endpoint, signed

	baseURL  *url.URL // scheme, host and path prefix; no trailing slash
	base     string   // baseURL as a string
	consumer oauth1.Credentials
	session  atomic.Pointer[sessionState]
	skew     atomic.Pointer[clockAnchor]
	logins   loginGroup
	rest     *resty.Client
	opts     options
	sleep    func(context.Context, time.Duration) error // replaced in tests
	jitter   func(time.Duration) time.Duration          // replaced in tests
	common   service
}

type service struct{ client *Client }

// options are the settings Option functions change.
type options struct {
	httpClient      *http.Client
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

// WithHTTPClient sends requests through hc's Transport (wrapped by the
// signer) and keeps its Timeout as a per-attempt limit. Its redirect policy and
// cookie jar are not used: the SDK never follows redirects and keeps no cookies.
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
// ("Go/<version> OS/<os>-<arch> exh/<version>").
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		if ua == "" || strings.ContainsAny(ua, "\r\n") {
			return fmt.Errorf("%w: bad user agent", ErrInvalidConfig)
		}
		o.userAgent = ua
		return nil
	}
}

// WithHeader adds a header to every request, for example
// X-Forwarded-Application. Authorization cannot be set this way: the signer
// owns it.
func WithHeader(key, value string) Option {
	return func(o *options) error {
		if key == "" || !validHeader(key, value) {
			return fmt.Errorf("%w: bad header %q", ErrInvalidConfig, key)
		}
		if strings.EqualFold(key, "Authorization") {
			return fmt.Errorf("%w: the Authorization header is set by the signer", ErrInvalidConfig)
		}
		o.headers.Add(key, value)
		return nil
	}
}

// WithLogger makes the client log one debug line per attempt (method, path
// without query, status, attempt, duration) and a warning per retry. It never
// logs headers or bodies. The default logs nothing.
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
// It runs on the goroutine that made the change and must not block for long.
func WithOnSessionChange(fn func(Session)) Option {
	return func(o *options) error {
		o.onSessionChange = fn
		return nil
	}
}

// NewClient returns a client for cfg. It does no I/O: a token given in cfg is
// installed as the session without a check (see AuthService.AuthenticateWithToken).
func NewClient(cfg Config, opts ...Option) (*Client, error) {
	if cfg.ConsumerKey == "" || cfg.ConsumerSecret == "" {
		return nil, fmt.Errorf("%w: ConsumerKey and ConsumerSecret are required", ErrInvalidConfig)
	}
	if (cfg.Token == "") != (cfg.TokenSecret == "") {
		return nil, fmt.Errorf("%w: give both Token and TokenSecret, or neither", ErrInvalidConfig)
	}
	base, err := parseHost(cfg.Host)
	if err != nil {
		return nil, err
	}
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
			return nil, err
		}
	}
	if err := o.retry.validate(); err != nil {
		return nil, err
	}
	o.retry = o.retry.withDefaults()

	c := &Client{
		baseURL:  base,
		base:     base.String(),
		consumer: oauth1.Credentials{ConsumerKey: cfg.ConsumerKey, ConsumerSecret: cfg.ConsumerSecret},
		opts:     o,
		sleep:    sleepCtx,
		jitter:   randomJitter,
	}
	c.rest = c.newResty()
	if cfg.Token != "" {
		c.session.Store(c.newSessionState(Session{Token: cfg.Token, TokenSecret: cfg.TokenSecret}))
	}
	c.common.client = c
	c.Auth = (*AuthService)(&c.common)
	c.Tokens = (*TokensService)(&c.common)
	c.SSO = (*SSOService)(&c.common)
	c.Raw = (*RawService)(&c.common)
	return c, nil
}

// BaseURL returns the URL every request path is joined to, e.g.
// "https://api.dev.example.extrahorizon.io".
func (c *Client) BaseURL() string { return c.base }

// String describes the client without its credentials.
func (c *Client) String() string {
	return "exh.Client{" + c.base + ", consumer key " + c.consumer.ConsumerKey + "}"
}

// GoString is String: the client's fields hold credentials.
func (c *Client) GoString() string { return c.String() }

// Format makes every fmt verb print String.
func (c *Client) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String(), c.String()) }

// LogValue makes slog print String.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// newResty builds the one resty client: our signing transport, no redirects,
// no cookie jar, no resty logging or retries (the SDK retries itself).
func (c *Client) newResty() *resty.Client {
	hc := &http.Client{
		Transport: &oauth1.Transport{
			Base:        c.baseTransport(),
			Signer:      &oauth1.Signer{Now: c.now},
			Credentials: c.credentials,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if c.opts.httpClient != nil {
		hc.Timeout = c.opts.httpClient.Timeout
	}
	r := resty.NewWithClient(hc).
		SetLogger(discardLogger{}).
		SetDoNotParseResponse(true).
		SetHeader("Accept", "application/json, text/plain, */*").
		SetHeader("User-Agent", "exh-go/"+Version)
	ua := c.opts.userAgent
	if ua == "" {
		ua = "Go/" + runtime.Version() + " OS/" + runtime.GOOS + "-" + runtime.GOARCH + " exh/" + Version
	}
	r.SetHeader("X-User-Agent", ua)
	for k, vs := range c.opts.headers {
		r.Header[k] = append([]string(nil), vs...)
	}
	return r
}

func (c *Client) baseTransport() http.RoundTripper {
	if hc := c.opts.httpClient; hc != nil && hc.Transport != nil {
		return hc.Transport
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 2 * defaultIdleConnsPerHost
	t.MaxIdleConnsPerHost = defaultIdleConnsPerHost
	return t
}

// credentials picks the signing credentials for one attempt: consumer only
// for the grants, the call's own session when it carries one, otherwise the
// current session (loaded once, so the token and its secret always match). Requests to another host are not signed.
func (c *Client) credentials(r *http.Request) (*oauth1.Credentials, error) {
	if !strings.EqualFold(r.URL.Host, c.baseURL.Host) {
		return nil, nil
	}
	ctx := r.Context()
	if consumerOnly(ctx) {
		return &c.consumer, nil
	}
	if s := sessionFrom(ctx); s != nil {
		return &s.creds, nil
	}
	if s := c.session.Load(); s != nil {
		return &s.creds, nil
	}
	return &c.consumer, nil
}

// consumerOnlyKey marks a context whose request is signed without oauth_token.
type consumerOnlyKey struct{}

func withConsumerOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, consumerOnlyKey{}, true)
}

func consumerOnly(ctx context.Context) bool {
	v, _ := ctx.Value(consumerOnlyKey{}).(bool)
	return v
}

// clockAnchor is the server's time at a local monotonic instant: now() adds
// the time elapsed since, so a later jump of the wall clock cannot spoil it.
type clockAnchor struct {
	server time.Time
	local  time.Time // carries a monotonic reading
}

// now is the signer's clock: local time, or the server's once a skew was seen.
func (c *Client) now() time.Time {
	if a := c.skew.Load(); a != nil {
		return a.server.Add(time.Since(a.local))
	}
	return time.Now()
}

// maxClockSkew is the difference between the server's Date and local time
// above which a 109 answer makes the client adopt the server's clock.
const maxClockSkew = 30 * time.Second

// adoptServerClock reads the Date of a 109 answer received at receivedAt and,
// when it is more than maxClockSkew away from local time, signs later requests
// with the server's clock. It reports whether the clock changed.
func (c *Client) adoptServerClock(h http.Header, receivedAt time.Time) bool {
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return false
	}
	skew := date.Sub(c.nowAt(receivedAt))
	if skew > -maxClockSkew && skew < maxClockSkew {
		return false
	}
	c.skew.Store(&clockAnchor{server: date, local: receivedAt})
	c.opts.logger.Warn("exh: adopting the server's clock", "skew", skew.Round(time.Second))
	return true
}

// nowAt is what now() returned at the local instant t.
func (c *Client) nowAt(t time.Time) time.Time {
	if a := c.skew.Load(); a != nil {
		return a.server.Add(t.Sub(a.local))
	}
	return t
}

// parseHost turns a Config.Host into the base URL (protocol §4.1, minus its
// bugs): case-insensitive, http kept only for loopback hosts, every other host
// reached as https://api.<host>.
func parseHost(host string) (*url.URL, error) {
	host = strings.TrimSpace(host)
	host = strings.TrimSuffix(host, "/")
	if host == "" {
		return nil, fmt.Errorf("%w: Host is required", ErrInvalidConfig)
	}
	raw := host
	if strings.Contains(raw, ":/") && !strings.Contains(raw, "://") {
		return nil, fmt.Errorf("%w: cannot parse Host %q", ErrInvalidConfig, host)
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
		if isLoopback(hostnameOf(raw)) {
			raw = "http://" + host
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%w: cannot parse Host %q", ErrInvalidConfig, host)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("%w: Host must not have user info, a query or a fragment", ErrInvalidConfig)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: Host scheme must be http or https", ErrInvalidConfig)
	}
	name, port := strings.ToLower(u.Hostname()), u.Port()
	if name == "" {
		return nil, fmt.Errorf("%w: Host has no host name", ErrInvalidConfig)
	}
	if !isLoopback(name) {
		u.Scheme = "https"
		name = strings.TrimPrefix(name, "api.")
		name = strings.TrimPrefix(name, "apx.")
		name = "api." + name
	}
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(name, ":") {
		name = "[" + name + "]"
	}
	u.Host = name
	if port != "" {
		u.Host += ":" + port
	}
	if u.Path == "/" {
		u.Path, u.RawPath = "", ""
	}
	if strings.Contains(u.Path, "/./") || strings.Contains(u.Path, "/../") ||
		strings.HasSuffix(u.Path, "/.") || strings.HasSuffix(u.Path, "/..") {
		return nil, fmt.Errorf("%w: Host path must not have dot segments", ErrInvalidConfig)
	}
	return u, nil
}

func hostnameOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// isLoopback reports whether name is localhost or a loopback IP address.
func isLoopback(name string) bool {
	if name == "localhost" {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}

func validHeader(key, value string) bool {
	for _, r := range key {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) {
			return false
		}
	}
	return !strings.ContainsAny(value, "\r\n\x00")
}

// discardLogger silences resty: the SDK logs through slog, and resty's own
// messages can carry URLs with their query strings.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}

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

// isDialError reports whether err happened before the request was written:
// DNS or connection failures. Such a request never reached the server.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
