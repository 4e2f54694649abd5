package exh

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Redaction: every exported type that holds a secret prints it as REDACTED
// through String, Format (%v, %+v, %#v, %s, %q), LogValue (slog)
// and MarshalJSON (so slog's JSON handler and any json.Marshal of a value, a
// slice or a map of them stay clean too). To persist a secret, read the
// field itself or use SaveCredentials.

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

// formatFields implements fmt.Formatter for a type with secrets: %#v
// prints exh.Type{…}, every other verb Type{…}, secrets redacted.
func formatFields(f fmt.State, verb rune, typeName string, fields []field) {
	formatRedacted(f, verb, redactedString(typeName, fields), redactedString("exh."+typeName, fields))
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

// redactedJSON renders fields as a JSON object of strings, secrets redacted.
func redactedJSON(fields []field) ([]byte, error) {
	b := []byte{'{'}
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, f.name)
		b = append(b, ':')
		v := f.value
		if f.secret {
			v = hide(v)
		}
		q, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b = append(b, q...)
	}
	return append(b, '}'), nil
}

func timeField(name string, t time.Time) field {
	if t.IsZero() {
		return field{name, "", false}
	}
	return field{name, t.Format(time.RFC3339Nano), false}
}

// The redacted forms, type by type. Each type lists its fields once; the
// String, Format, LogValue and MarshalJSON methods below it are the same for
// all. Format covers %#v too, so no type needs a GoString.

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

// Format makes every fmt verb print the redacted form.
func (c Config) Format(f fmt.State, verb rune) { formatFields(f, verb, "Config", c.fields()) }

// LogValue makes slog print the redacted form.
func (c Config) LogValue() slog.Value { return logGroup(c.fields()) }

// MarshalJSON writes the redacted form.
func (c Config) MarshalJSON() ([]byte, error) { return redactedJSON(c.fields()) }

func (s Session) fields() []field {
	return []field{
		{"Token", s.Token, true},
		{"TokenSecret", s.TokenSecret, true},
		{"TokenID", s.TokenID, false},
		{"UserID", s.UserID, false},
		{"ApplicationID", s.ApplicationID, false},
	}
}

// String prints the session with its token and secret redacted.
func (s Session) String() string { return redactedString("Session", s.fields()) }

// Format makes every fmt verb print the redacted form.
func (s Session) Format(f fmt.State, verb rune) { formatFields(f, verb, "Session", s.fields()) }

// LogValue makes slog print the redacted form.
func (s Session) LogValue() slog.Value { return logGroup(s.fields()) }

// MarshalJSON writes the redacted form.
func (s Session) MarshalJSON() ([]byte, error) { return redactedJSON(s.fields()) }

func (t Token) fields() []field {
	return []field{
		{"ID", t.ID, false},
		{"UserID", t.UserID, false},
		{"ApplicationID", t.ApplicationID, false},
		{"Token", t.Token, true},
		{"TokenSecret", t.TokenSecret, true},
		timeField("CreationTimestamp", t.CreationTimestamp),
		timeField("UpdateTimestamp", t.UpdateTimestamp),
		timeField("LastUsedTimestamp", t.LastUsedTimestamp),
	}
}

// String prints the token with its secrets redacted.
func (t Token) String() string { return redactedString("Token", t.fields()) }

// Format makes every fmt verb print the redacted form.
func (t Token) Format(f fmt.State, verb rune) { formatFields(f, verb, "Token", t.fields()) }

// LogValue makes slog print the redacted form.
func (t Token) LogValue() slog.Value { return logGroup(t.fields()) }

// MarshalJSON writes the redacted form.
func (t Token) MarshalJSON() ([]byte, error) { return redactedJSON(t.fields()) }

func (t SSOToken) fields() []field {
	return []field{
		{"ID", t.ID, false},
		{"SSOToken", t.SSOToken, true},
		{"UserID", t.UserID, false},
		{"CreatedByApplicationID", t.CreatedByApplicationID, false},
		timeField("ExpiryTimestamp", t.ExpiryTimestamp),
	}
}

// String prints the SSO token redacted.
func (t SSOToken) String() string { return redactedString("SSOToken", t.fields()) }

// Format makes every fmt verb print the redacted form.
func (t SSOToken) Format(f fmt.State, verb rune) { formatFields(f, verb, "SSOToken", t.fields()) }

// LogValue makes slog print the redacted form.
func (t SSOToken) LogValue() slog.Value { return logGroup(t.fields()) }

// MarshalJSON writes the redacted form.
func (t SSOToken) MarshalJSON() ([]byte, error) { return redactedJSON(t.fields()) }

func (p PresenceToken) fields() []field {
	return []field{{"Token", p.Token, true}, timeField("ExpiryTimestamp", p.ExpiryTimestamp)}
}

// String prints the presence token redacted.
func (p PresenceToken) String() string { return redactedString("PresenceToken", p.fields()) }

// Format makes every fmt verb print the redacted form.
func (p PresenceToken) Format(f fmt.State, verb rune) {
	formatFields(f, verb, "PresenceToken", p.fields())
}

// LogValue makes slog print the redacted form.
func (p PresenceToken) LogValue() slog.Value { return logGroup(p.fields()) }

// MarshalJSON writes the redacted form.
func (p PresenceToken) MarshalJSON() ([]byte, error) { return redactedJSON(p.fields()) }

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

// Format makes every fmt verb print the redacted form.
func (m MfaChallenge) Format(f fmt.State, verb rune) {
	formatFields(f, verb, "MfaChallenge", m.fields())
}

// LogValue makes slog print the redacted form.
func (m MfaChallenge) LogValue() slog.Value { return logGroup(m.fields()) }

// MarshalJSON writes the redacted form.
func (m MfaChallenge) MarshalJSON() ([]byte, error) { return redactedJSON(m.fields()) }

func (m MfaConfirmation) fields() []field {
	return []field{{"Token", m.Token, true}, {"MethodID", m.MethodID, false}, {"Code", m.Code, true}}
}

// String prints the confirmation with its token and code redacted.
func (m MfaConfirmation) String() string { return redactedString("MfaConfirmation", m.fields()) }

// Format makes every fmt verb print the redacted form.
func (m MfaConfirmation) Format(f fmt.State, verb rune) {
	formatFields(f, verb, "MfaConfirmation", m.fields())
}

// LogValue makes slog print the redacted form.
func (m MfaConfirmation) LogValue() slog.Value { return logGroup(m.fields()) }

// MarshalJSON writes the redacted form.
func (m MfaConfirmation) MarshalJSON() ([]byte, error) { return redactedJSON(m.fields()) }

func (m MfaMethod) fields() []field {
	return []field{
		{"ID", m.ID, false},
		{"Type", m.Type, false},
		{"Name", m.Name, false},
		{"Tags", strings.Join(m.Tags, ","), false},
		{"Verified", strconv.FormatBool(m.Verified), false},
		{"Secret", m.Secret, true},
		{"Codes", strings.Join(m.Codes, ","), true},
	}
}

// String prints the method with its secret and codes redacted.
func (m MfaMethod) String() string { return redactedString("MfaMethod", m.fields()) }

// Format makes every fmt verb print the redacted form.
func (m MfaMethod) Format(f fmt.State, verb rune) { formatFields(f, verb, "MfaMethod", m.fields()) }

// LogValue makes slog print the redacted form.
func (m MfaMethod) LogValue() slog.Value { return logGroup(m.fields()) }

// MarshalJSON writes the redacted form.
func (m MfaMethod) MarshalJSON() ([]byte, error) { return redactedJSON(m.fields()) }

func (r MfaMethodRequest) fields() []field {
	return []field{
		{"UserID", r.UserID, false},
		{"PresenceToken", r.PresenceToken, true},
		{"Type", r.Type, false},
		{"Name", r.Name, false},
		{"Tags", strings.Join(r.Tags, ","), false},
	}
}

// String prints the request with its presence token redacted.
func (r MfaMethodRequest) String() string { return redactedString("MfaMethodRequest", r.fields()) }

// Format makes every fmt verb print the redacted form.
func (r MfaMethodRequest) Format(f fmt.State, verb rune) {
	formatFields(f, verb, "MfaMethodRequest", r.fields())
}

// LogValue makes slog print the redacted form.
func (r MfaMethodRequest) LogValue() slog.Value { return logGroup(r.fields()) }

// MarshalJSON writes the redacted form.
func (r MfaMethodRequest) MarshalJSON() ([]byte, error) { return redactedJSON(r.fields()) }

func (c MfaMethodConfirmation) fields() []field {
	return []field{
		{"UserID", c.UserID, false},
		{"MethodID", c.MethodID, false},
		{"PresenceToken", c.PresenceToken, true},
		{"Code", c.Code, true},
	}
}

// String prints the confirmation with its presence token and code redacted.
func (c MfaMethodConfirmation) String() string {
	return redactedString("MfaMethodConfirmation", c.fields())
}

// Format makes every fmt verb print the redacted form.
func (c MfaMethodConfirmation) Format(f fmt.State, verb rune) {
	formatFields(f, verb, "MfaMethodConfirmation", c.fields())
}

// LogValue makes slog print the redacted form.
func (c MfaMethodConfirmation) LogValue() slog.Value { return logGroup(c.fields()) }

// MarshalJSON writes the redacted form.
func (c MfaMethodConfirmation) MarshalJSON() ([]byte, error) { return redactedJSON(c.fields()) }

// Format makes every fmt verb print the one-line error, so %+v and %#v cannot
// reach the MFA token.
func (e *MfaRequiredError) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, e.Error(), "&exh.MfaRequiredError{"+e.Error()+", Challenge:"+redactedString("exh.MfaChallenge", e.Challenge.fields())+"}")
}

// LogValue makes slog print the one-line error.
func (e *MfaRequiredError) LogValue() slog.Value { return slog.StringValue(e.Error()) }

// Format makes every fmt verb, %#v included, print String.
func (c *Client) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String(), c.String()) }

// LogValue makes slog print String.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }
