// Package oauth1 signs HTTP requests for the ExtraHorizon (ExH) API with the
// ExH variant of OAuth 1.0a HMAC-SHA1, byte for byte as the ExH JavaScript
// SDK 8.14.1 does it (docs/protocol.md §2).
//
// The variant differs from plain RFC 5849 in a few ways that matter for the
// signature:
//
//   - The query string is read the way the npm qs library reads it (docs/protocol.md
//     §2.4): pieces are split on '&' only, '+' is a space, a name or value
//     that is not valid percent-encoded UTF-8 is signed as it was written, a
//     name without '=' gets an empty value, names matching JavaScript
//     Object.prototype members are dropped, and brackets in names nest
//     (a[b]=c is signed as "a[b]" = "c"; more than 20 values of one name are
//     signed as a[0], a[1], …). Those last rules are best avoided: the SDK
//     keeps its own URLs in the safe subset of docs/protocol.md §2.4 (no bracket
//     in a name, no name repeated more than 20 times, no Object.prototype name).
//     RQL queries such as ?select(id,name)&limit(10) are the common case:
//     each piece is a name with an empty value.
//   - A query parameter named like an oauth parameter the header sends is
//     overwritten by it, not signed next to it.
//   - The request body is never signed, whatever its content type, and no
//     body hash is sent.
//   - The header carries no realm; its parameters are sorted by name and
//     separated by ", ". oauth_token is left out when there is no token,
//     while the token secret, if any, is still part of the key.
//   - The base URL is the lower-cased scheme and host without a default port,
//     followed by the path as it is sent, with dot segments resolved.
//   - The nonce is 32 characters from [A-Za-z0-9], drawn with crypto/rand.
//
// Most programs use a Transport, which signs every request an http.Client
// sends, retries and redirects included, with a fresh nonce and timestamp
// each time:
//
//	client := &http.Client{Transport: &oauth1.Transport{
//		Credentials: oauth1.StaticCredentials(oauth1.Credentials{
//			ConsumerKey: key, ConsumerSecret: secret,
//			Token: token, TokenSecret: tokenSecret,
//		}),
//	}}
//
// Signer.Authorization computes one header value directly. BaseString and
// Sign expose the two halves of the computation, for tests and for servers
// that verify signatures.
//
// Signing is on the path of every request, so it is written not to allocate:
// with the default nonce and a query in the safe subset, an Authorization
// call allocates only the string it returns.
package oauth1
