package oauth1

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

var errNoCredentialsFunc = errors.New("oauth1: Transport.Credentials is nil")

// Transport is an http.RoundTripper that signs every request it sends: every
// attempt, every retry and every redirect gets a fresh nonce and timestamp.
//
// It never modifies the caller's request. It clones it (a shallow copy plus a
// new header map, as x/oauth2's Transport does), normalizes the
// clone's URL the way it is signed (lower-case host, default port dropped from
// URL.Host and Request.Host, dot segments resolved) so that what is signed is
// exactly what goes on the wire, and sets the Authorization header, replacing
// any the caller set. When Request.Host is set it is the host that is signed,
// because it is the Host header the server sees.
//
// As the RoundTripper contract requires, it closes the request body when it
// fails before handing the request to Base.
type Transport struct {
	// Base sends the signed requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Signer signs the requests; nil means the zero Signer.
	Signer *Signer
	// Credentials returns the credentials for one request attempt. It is
	// called once per RoundTrip. A nil *Credentials with a nil error sends the
	// request unsigned and unchanged; an error fails the RoundTrip with it.
	Credentials func(*http.Request) (*Credentials, error)
}

// RoundTrip signs a clone of req and sends it with Base.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	bodyClosed := false
	if req.Body != nil {
		defer func() {
			if !bodyClosed {
				req.Body.Close()
			}
		}()
	}
	if t.Credentials == nil {
		return nil, errNoCredentialsFunc
	}
	c, err := t.Credentials(req)
	if err != nil {
		return nil, err
	}
	signed := req
	if c != nil {
		if signed, err = t.sign(req, c); err != nil {
			return nil, err
		}
	}
	bodyClosed = true // from here on, closing it is Base's job
	return t.base().RoundTrip(signed)
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// sign returns a normalized, signed clone of req.
func (t *Transport) sign(req *http.Request, c *Credentials) (*http.Request, error) {
	target, err := newTarget(req.URL, req.Host)
	if err != nil {
		return nil, err
	}
	auth, err := t.Signer.authorization(req.Method, target, c)
	if err != nil {
		return nil, err
	}

	sr := new(signedRequest)
	r := &sr.req
	*r = *req
	if req.Host != "" {
		r.Host = target.host
	}
	r.URL = wireURL(req.URL, target)
	// A new map sharing the caller's value slices: neither side writes to
	// them, and it saves copying every header value per attempt.
	r.Header = make(http.Header, len(req.Header)+1)
	for k, v := range req.Header {
		if !strings.EqualFold(k, "Authorization") {
			r.Header[k] = v
		}
	}
	sr.auth[0] = auth
	r.Header["Authorization"] = sr.auth[:]
	return r, nil
}

// signedRequest is the clone sign returns, together with the backing array
// of its Authorization value: one allocation instead of two per attempt.
type signedRequest struct {
	req  http.Request
	auth [1]string
}

// wireURL returns u, or a normalized copy of it if its host or path is not
// in the form that is signed.
func wireURL(u *url.URL, t target) *url.URL {
	host := normalizeHost(t.scheme, u.Host)
	escaped := u.EscapedPath()
	pathOK := escaped == t.path || escaped == "" // an empty path is sent as "/"
	if host == u.Host && pathOK {
		return u
	}
	u2 := *u
	u2.Host = host
	if !pathOK {
		if p, err := url.PathUnescape(t.path); err == nil {
			u2.Path, u2.RawPath = p, t.path
		}
	}
	return &u2
}

// StaticCredentials returns a Transport.Credentials func that always returns
// a copy of c.
func StaticCredentials(c Credentials) func(*http.Request) (*Credentials, error) {
	return func(*http.Request) (*Credentials, error) {
		cc := c
		return &cc, nil
	}
}
