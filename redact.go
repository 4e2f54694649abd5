package exh

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Redaction: every exported type that holds a secret prints it as REDACTED
// through String, GoString, Format (%v, %+v, %#v, %s, %q) and LogValue
// (slog). json.Marshal is left alone on purpose: persisting a token needs the
// real values.

const redacted = "REDACTED"

// hide returns "" for an empty secret and REDACTED otherwise, so a print
// still shows whether the value is set.
func hide(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// field is one name and printable value of a redacted struct.
type field struct {
	name, value string
	secret      bool
}

// redactedString renders typeName{Name:"value", Secret:REDACTED}.
func redactedString(typeName string, fields []field) string {
	var b strings.Builder
	b.WriteString(typeName)
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.name)
		b.WriteByte(':')
		if f.secret {
			b.WriteString(hide(f.value))
		} else {
			b.WriteString(strconv.Quote(f.value))
		}
	}
	b.WriteByte('}')
	return b.String()
}

// formatRedacted implements fmt.Formatter for a type whose String and
// GoString already redact: every verb prints one of those.
func formatRedacted(f fmt.State, verb rune, s, goString string) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, goString)
			return
		}
		fmt.Fprint(f, s)
	case 'q':
		fmt.Fprint(f, strconv.Quote(s))
	default:
		fmt.Fprint(f, s)
	}
}

// logGroup renders fields as a slog group, secrets redacted.
func logGroup(fields []field) slog.Value {
	attrs := make([]slog.Attr, 0, len(fields))
	for _, f := range fields {
		v := f.value
		if f.secret {
			v = hide(v)
		}
		attrs = append(attrs, slog.String(f.name, v))
	}
	return slog.GroupValue(attrs...)
}

func (c Config) fields() []field {
	return []field{
		{"Host", c.Host, false},
		{"ConsumerKey", c.ConsumerKey, false},
		{"ConsumerSecret", c.ConsumerSecret, true},
		{"Token", c.Token, true},
		{"TokenSecret", c.TokenSecret, true},
	}
}

// String prints the config with its secrets redacted.
func (c Config) String() string { return redactedString("Config", c.fields()) }

// GoString prints the config with its secrets redacted.
func (c Config) GoString() string { return redactedString("exh.Config", c.fields()) }

// Format makes every fmt verb print the redacted form.
func (c Config) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String(), c.GoString()) }

// LogValue makes slog print the redacted form.
func (c Config) LogValue() slog.Value { return logGroup(c.fields()) }

func (m MfaChallenge) fields() []field {
	methods := make([]string, len(m.Methods))
	for i, x := range m.Methods {
		methods[i] = x.Type + ":" + x.ID
	}
	return []field{
		{"Token", m.Token, true},
		{"ExpiresIn", m.ExpiresIn.String(), false},
		{"Methods", strings.Join(methods, ","), false},
	}
}

// String prints the challenge with its token redacted.
func (m MfaChallenge) String() string { return redactedString("MfaChallenge", m.fields()) }

// GoString prints the challenge with its token redacted.
func (m MfaChallenge) GoString() string { return redactedString("exh.MfaChallenge", m.fields()) }

// Format makes every fmt verb print the redacted form.
func (m MfaChallenge) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, m.String(), m.GoString())
}

// LogValue makes slog print the redacted form.
func (m MfaChallenge) LogValue() slog.Value { return logGroup(m.fields()) }

// Format makes every fmt verb print the one-line error, so %+v and %#v cannot
// reach the MFA token.
func (e *MfaRequiredError) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, e.Error(), "&exh.MfaRequiredError{"+e.Error()+", Mfa:"+e.Mfa.GoString()+"}")
}

// LogValue makes slog print the one-line error.
func (e *MfaRequiredError) LogValue() slog.Value { return slog.StringValue(e.Error()) }
