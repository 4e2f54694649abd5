package oauth1

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// Credentials holds the OAuth1 consumer credentials and the optional token
// credentials of a user.
//
// String, GoString, Format (so every fmt verb), LogValue and MarshalJSON
// redact ConsumerSecret, Token and TokenSecret. encoding/gob still writes the
// real values: treat its output as secret.
type Credentials struct {
	ConsumerKey, ConsumerSecret string
	// Token and TokenSecret are optional. oauth_token is sent only when Token
	// is not empty; TokenSecret is part of the signing key whenever it is set.
	Token, TokenSecret string
}

const redacted = "REDACTED"

// String returns the credentials with the secrets redacted, for example
// Credentials{ConsumerKey:"abc", ConsumerSecret:REDACTED, Token:"", TokenSecret:""}.
// An empty secret prints as "" so that a missing one shows.
func (c Credentials) String() string {
	return "Credentials" + c.fields()
}

// GoString is String for %#v.
func (c Credentials) GoString() string {
	return "oauth1.Credentials" + c.fields()
}

func (c Credentials) fields() string {
	return "{ConsumerKey:" + strconv.Quote(c.ConsumerKey) +
		", ConsumerSecret:" + redact(c.ConsumerSecret) +
		", Token:" + redact(c.Token) +
		", TokenSecret:" + redact(c.TokenSecret) + "}"
}

func redact(secret string) string {
	if secret == "" {
		return `""`
	}
	return redacted
}

// Format makes every fmt verb print the redacted form: %#v prints GoString,
// %q a quoted String, anything else String.
func (c Credentials) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, c.GoString())
	case verb == 'q':
		io.WriteString(f, strconv.Quote(c.String()))
	default:
		io.WriteString(f, c.String())
	}
}

// LogValue implements slog.LogValuer: a group with both secrets redacted.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("consumer_key", c.ConsumerKey),
		slog.String("consumer_secret", redactValue(c.ConsumerSecret)),
		slog.String("token", redactValue(c.Token)),
		slog.String("token_secret", redactValue(c.TokenSecret)),
	)
}

func redactValue(secret string) string {
	if secret == "" {
		return ""
	}
	return redacted
}

// MarshalJSON writes the consumer key and the other fields redacted.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return []byte(`{"ConsumerKey":` + strconv.Quote(c.ConsumerKey) +
		`,"ConsumerSecret":"` + redactValue(c.ConsumerSecret) +
		`","Token":"` + redactValue(c.Token) +
		`","TokenSecret":"` + redactValue(c.TokenSecret) + `"}`), nil
}
