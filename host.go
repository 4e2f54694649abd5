package exh

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// parseHost turns a Config.Host into the base URL, as the JavaScript SDK
// does but without its quirks:
//   - case does not matter, a trailing slash is dropped, a port and a path
//     prefix are kept;
//   - a loopback host (localhost, 127.0.0.0/8, [::1]) keeps its scheme, http
//     by default;
//   - an IP address is used as given, over https;
//   - any other host name is reached as https://api.<name>, whatever scheme
//     or "api."/"apx." prefix it came with.
//
// It refuses what could never work: user info, a query or fragment, dot
// segments, the unspecified address (0.0.0.0, ::), an IPv6 address with a
// zone, and host names that are not plain ASCII DNS names (an
// internationalized name must be given in its xn-- form).
func parseHost(host string) (*url.URL, error) {
	host = strings.TrimSuffix(strings.TrimSpace(host), "/")
	if host == "" {
		return nil, fmt.Errorf("%w: Host is required", ErrInvalidConfig)
	}
	raw := host
	if !strings.Contains(raw, "://") {
		if strings.Contains(raw, ":/") {
			return nil, fmt.Errorf("%w: cannot parse Host %q", ErrInvalidConfig, host)
		}
		raw = "https://" + raw
		if isLoopback(hostnameOf(raw)) {
			raw = "http://" + host
		}
	}
	u, err := parseBase(raw)
	if err != nil {
		return nil, err
	}
	name := u.Hostname()
	switch {
	case isLoopback(name):
	case isIP(name):
		u.Scheme = "https"
	default:
		u.Scheme = "https"
		name = "api." + strings.TrimPrefix(strings.TrimPrefix(name, "api."), "apx.")
	}
	setHost(u, name, u.Port())
	return u, nil
}

// WithBaseURL makes the client send every request to base exactly as given
// (scheme, host, port and path prefix), instead of the URL derived from
// Config.Host: for a proxy, a gateway under another name, or a fake server
// on another machine. Both https and http are accepted; with http, signed
// requests — login passwords included — travel in the clear, so use it only
// for a server on a network you trust.
func WithBaseURL(base string) Option {
	return func(o *options) error {
		u, err := parseBase(strings.TrimSuffix(strings.TrimSpace(base), "/"))
		if err != nil {
			return err
		}
		o.baseURL = u
		return nil
	}
}

// parseBase parses an absolute http(s) URL and checks what both parseHost and
// WithBaseURL require of it. The scheme and host come back in lower case.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%w: cannot parse host %q", ErrInvalidConfig, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#") {
		return nil, fmt.Errorf("%w: the host must not have user info, a query or a fragment", ErrInvalidConfig)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: the scheme must be http or https", ErrInvalidConfig)
	}
	name := strings.ToLower(u.Hostname())
	if err := checkHostName(name); err != nil {
		return nil, err
	}
	// No trailing slash: request paths start with one.
	u.Path, u.RawPath = strings.TrimRight(u.Path, "/"), strings.TrimRight(u.RawPath, "/")
	if hasDotSegment(u.Path) {
		return nil, fmt.Errorf("%w: the host's path must not have dot segments", ErrInvalidConfig)
	}
	setHost(u, name, u.Port())
	return u, nil
}

// checkHostName accepts an IP address other than the unspecified one, or an
// ASCII DNS name: labels of letters, digits, '-' and '_'.
func checkHostName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: the host has no name", ErrInvalidConfig)
	}
	if ip, err := netip.ParseAddr(name); err == nil {
		switch {
		case ip.IsUnspecified():
			return fmt.Errorf("%w: %s is not an address a request can go to", ErrInvalidConfig, name)
		case ip.Zone() != "":
			// The Host header goes out without the zone, so the server could
			// never verify a signature made over it.
			return fmt.Errorf("%w: an IPv6 address with a zone (%s) cannot be used", ErrInvalidConfig, name)
		}
		return nil
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("%w: host %q is not a valid DNS name", ErrInvalidConfig, name)
		}
		for i := 0; i < len(label); i++ {
			b := label[i]
			if b >= 0x80 {
				return fmt.Errorf("%w: host %q is not ASCII; give an internationalized name in its xn-- (punycode) form", ErrInvalidConfig, name)
			}
			if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
				return fmt.Errorf("%w: host %q has a character a DNS name cannot have", ErrInvalidConfig, name)
			}
		}
	}
	return nil
}

// setHost writes name and port into u, dropping the scheme's default port
// and bracketing an IPv6 address.
func setHost(u *url.URL, name, port string) {
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
}

func hasDotSegment(p string) bool {
	return strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
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

func isIP(name string) bool { return net.ParseIP(name) != nil }
