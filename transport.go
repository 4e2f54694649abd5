package exh

import (
	"fmt"
	"net/http"
	"runtime"

	"github.com/go-resty/resty/v2"

	"github.com/exhgo/exh/oauth1"
)

// newResty builds the one resty client: our signing transport, no redirects,
// no cookie jar, no resty logging or retries (the SDK retries itself).
func (c *Client) newResty() *resty.Client {
	hc := &http.Client{
		Transport:     c.signingTransport(c.baseTransport()),
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

// baseTransport returns what sends the signed requests: the caller's
// transport, or the default one (see defaultTransport).
func (c *Client) baseTransport() http.RoundTripper {
	if hc := c.opts.httpClient; hc != nil {
		if hc.Transport != nil {
			return hc.Transport
		}
		return &defaultTransport{orig: nil}
	}
	d := &defaultTransport{orig: http.DefaultTransport}
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		c.owned = t.Clone()
		c.owned.MaxIdleConns = 2 * defaultIdleConnsPerHost
		c.owned.MaxIdleConnsPerHost = defaultIdleConnsPerHost
		d.tuned = c.owned
	}
	return d
}

// defaultTransport sends through the client's tuned copy of
// http.DefaultTransport while http.DefaultTransport is still the one the
// client was made with, and through the current http.DefaultTransport
// otherwise — so that replacing it, before or after NewClient (as
// httpmock.Activate does), takes effect.
type defaultTransport struct {
	orig  http.RoundTripper // http.DefaultTransport when the client was made
	tuned *http.Transport   // its tuned copy; nil when it was no *http.Transport
}

// RoundTrip implements http.RoundTripper.
func (t *defaultTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	cur := http.DefaultTransport
	if t.tuned != nil && cur == t.orig {
		return t.tuned.RoundTrip(r)
	}
	if cur == nil {
		return nil, fmt.Errorf("%w: http.DefaultTransport is nil", ErrInvalidConfig)
	}
	return cur.RoundTrip(r)
}

// discardLogger silences resty: the SDK logs through slog, and resty's own
// messages can carry URLs with their query strings.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}

// signingTransport wraps base with the OAuth1 signer of the client.
func (c *Client) signingTransport(base http.RoundTripper) *oauth1.Transport {
	return &oauth1.Transport{
		Base:        base,
		Signer:      &oauth1.Signer{Now: c.sessions.now},
		Credentials: signingCredentials(c.baseURL.Host),
	}
}

// CloseIdleConnections closes the idle connections of the client's
// transport: the one it made itself, or the Transport of the http.Client
// given with WithHTTPClient when it has such a method. Calls still work
// afterwards; they open new connections.
func (c *Client) CloseIdleConnections() {
	if c.owned != nil {
		c.owned.CloseIdleConnections()
	}
	if hc := c.opts.httpClient; hc != nil && hc.Transport != nil {
		if ci, ok := hc.Transport.(interface{ CloseIdleConnections() }); ok {
			ci.CloseIdleConnections()
		}
	}
}
