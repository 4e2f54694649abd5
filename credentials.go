package exh

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Keys of the ExH CLI's credentials file, also used as environment variables.
const (
	credHost           = "API_HOST"
	credConsumerKey    = "API_OAUTH_CONSUMER_KEY"
	credConsumerSecret = "API_OAUTH_CONSUMER_SECRET"
	credToken          = "API_OAUTH_TOKEN"
	credTokenSecret    = "API_OAUTH_TOKEN_SECRET"
)

// maxCredentialsSize is the largest credentials file LoadCredentials reads.
// The five keys take a few hundred bytes.
const maxCredentialsSize = 64 << 10

// ErrInsecureCredentials is returned by LoadCredentials, before reading, for
// a credentials file that its group or other users may read, write or
// execute. The error names the file and the fix: chmod 600.
var ErrInsecureCredentials = errors.New("exh: credentials file is accessible to other users")

// DefaultCredentialsPath returns where the ExH CLI keeps its credentials:
// .exh/credentials under the user's home directory (os.UserHomeDir).
func DefaultCredentialsPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("exh: locating the credentials file: %w", err)
	}
	return filepath.Join(home, ".exh", "credentials"), nil
}

// LoadCredentials reads a credentials file in the format of the ExH CLI
// (see DefaultCredentialsPath). The file holds secrets: the consumer secret
// and the token secret sign requests as the user.
//
// The format is one KEY=VALUE per line, LF or CRLF, with the five keys
// API_HOST, API_OAUTH_CONSUMER_KEY, API_OAUTH_CONSUMER_SECRET,
// API_OAUTH_TOKEN and API_OAUTH_TOKEN_SECRET, all required and non-empty; a
// missing one is an error naming it, and so is one given twice. A line is
// split at its first '=', so values may contain '='. Spaces and tabs around
// keys and values are ignored, and one pair of matching quotes ('…' or "…")
// around a value is removed; there are no escapes, and '#' starts a comment
// only at the beginning of a line. Blank lines, comment lines and other
// keys are ignored, and a line may start with "export " so that the file
// can also be sourced by a shell. A line without '=' or with a malformed
// key, or a value with a control character or invalid UTF-8, is an error
// giving the line number; no error ever repeats the contents of the file.
//
// A path starting with "~/" is relative to the home directory. Files larger
// than 64 KiB are refused. On Unix, a regular file whose mode gives its group
// or others any access (mode&0o077 != 0) is refused, before it is read, with
// an error wrapping ErrInsecureCredentials that says to run chmod 600;
// SaveCredentials writes files with mode 0600. Content errors wrap
// ErrInvalidConfig; I/O errors keep their cause (errors.Is(err,
// fs.ErrNotExist) when the file does not exist).
func LoadCredentials(path string) (Config, error) {
	path, err := expandHome(path)
	if err != nil {
		return Config{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("exh: reading credentials: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Config{}, fmt.Errorf("exh: reading credentials: %w", err)
	}
	// Only the file at rest is checked: pipes and devices (a password
	// manager's output through /dev/stdin) have no meaningful mode.
	if checkFileModes() && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
		return Config{}, fmt.Errorf("%w: %s has mode %#o; run chmod 600 %s",
			ErrInsecureCredentials, path, fi.Mode().Perm(), path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxCredentialsSize+1))
	if err != nil {
		return Config{}, fmt.Errorf("exh: reading credentials: %w", err)
	}
	if len(data) > maxCredentialsSize {
		return Config{}, fmt.Errorf("%w: credentials file %s is larger than %d KiB",
			ErrInvalidConfig, path, maxCredentialsSize>>10)
	}
	return parseCredentials(path, data)
}

// SaveCredentials writes cfg to path in the format LoadCredentials reads,
// one KEY=VALUE line per key, so that LoadCredentials(path) returns cfg.
// The file holds secrets and gets mode 0600, also when it replaces an
// existing file; a missing parent directory is created with mode 0700. The
// write is atomic: a temporary file in the same directory is written,
// synced and renamed over path, so readers see the old file or the new one,
// never a part; on failure no temporary file is left behind. A symbolic link
// at path is replaced, not followed.
//
// All five fields are required, as LoadCredentials and the ExH CLI require
// them. A value with a line break, another control character or invalid
// UTF-8 is refused before anything is written; such errors name the key,
// never the value. A value with spaces at either end, or with a matching
// quote at both ends, is written inside double quotes. A value containing
// '=' is written as is: LoadCredentials reads it, the ExH CLI does not.
// A path starting with "~/" is relative to the home directory.
func SaveCredentials(path string, cfg Config) error {
	data, err := formatCredentials(cfg)
	if err != nil {
		return err
	}
	path, err = expandHome(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("exh: saving credentials: %w", err)
	}
	return writeFileAtomic(path, data, os.Rename)
}

// writeFileAtomic writes data to a 0600 temporary file next to path, syncs
// it and renames it over path with rename (os.Rename but in tests). The
// temporary file is removed on every error.
func writeFileAtomic(path string, data []byte, rename func(oldpath, newpath string) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("exh: saving credentials: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close() // may already be closed; the error is the one to report
			os.Remove(tmp.Name())
			err = fmt.Errorf("exh: saving credentials: %w", err)
		}
	}()
	// CreateTemp uses 0600 already; Chmod makes it independent of the umask.
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where directories can be synced.
// It is best effort: the new file is in place whatever it returns.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// checkFileModes reports whether Unix permission bits mean anything here.
func checkFileModes() bool {
	switch runtime.GOOS {
	case "windows", "plan9", "js", "wasip1":
		return false
	}
	return true
}

// expandHome replaces a leading "~/" with the home directory.
func expandHome(path string) (string, error) {
	rest, ok := strings.CutPrefix(path, "~/")
	if !ok && os.PathSeparator == '\\' {
		rest, ok = strings.CutPrefix(path, `~\`)
	}
	if !ok {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("exh: expanding ~ in the credentials path: %w", err)
	}
	return filepath.Join(home, rest), nil
}

// credentialKeys lists the file's keys in the order SaveCredentials writes
// them, with the Config field each fills.
var credentialKeys = [...]struct {
	name  string
	field func(*Config) *string
}{
	{credHost, func(c *Config) *string { return &c.Host }},
	{credConsumerKey, func(c *Config) *string { return &c.ConsumerKey }},
	{credConsumerSecret, func(c *Config) *string { return &c.ConsumerSecret }},
	{credToken, func(c *Config) *string { return &c.Token }},
	{credTokenSecret, func(c *Config) *string { return &c.TokenSecret }},
}

// parseCredentials parses the contents of the credentials file at path (used
// in errors only). Errors give line numbers and key names, never contents.
func parseCredentials(path string, data []byte) (Config, error) {
	fail := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: credentials file %s: %s", ErrInvalidConfig, path, fmt.Sprintf(format, args...))
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // a BOM some editors add
	var cfg Config
	seenAt := map[string]int{}
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		key, value, err := parseCredentialLine(line)
		if err != "" {
			return fail("line %d %s", n, err)
		}
		field := credentialField(&cfg, key)
		if field == nil {
			continue // a blank line, a comment, or a key this SDK does not use
		}
		if prev, dup := seenAt[key]; dup {
			return fail("%s is set on lines %d and %d", key, prev, n)
		}
		seenAt[key] = n
		if reason := badValue(value); reason != "" {
			return fail("line %d: the value of %s %s", n, key, reason)
		}
		*field = value
	}
	var missing []string
	for _, k := range credentialKeys {
		if *k.field(&cfg) == "" {
			missing = append(missing, k.name)
		}
	}
	if len(missing) > 0 {
		return fail("lacks %s", strings.Join(missing, ", "))
	}
	return cfg, nil
}

// parseCredentialLine splits one line into its key and unquoted value; both
// are "" for a blank line or a comment. A malformed line gives a reason that
// never quotes the line.
func parseCredentialLine(line string) (key, value, reason string) {
	line = strings.Trim(strings.TrimSuffix(line, "\r"), " \t")
	if line == "" || line[0] == '#' {
		return "", "", ""
	}
	if rest, ok := strings.CutPrefix(line, "export"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
		line = strings.TrimLeft(rest, " \t")
	}
	key, value, ok := strings.Cut(line, "=")
	if !ok {
		return "", "", "is not KEY=VALUE"
	}
	key = strings.TrimRight(key, " \t")
	if !validKeyName(key) {
		return "", "", "has an invalid key name"
	}
	return key, unquote(strings.Trim(value, " \t")), ""
}

// credentialField returns where the value of key goes in cfg, nil for a key
// the SDK does not use.
func credentialField(cfg *Config, key string) *string {
	for _, k := range credentialKeys {
		if k.name == key {
			return k.field(cfg)
		}
	}
	return nil
}

// formatCredentials encodes cfg in the credentials file format.
func formatCredentials(cfg Config) ([]byte, error) {
	var b bytes.Buffer
	var missing []string
	for _, k := range credentialKeys {
		v := *k.field(&cfg)
		if v == "" {
			missing = append(missing, k.name)
			continue
		}
		if reason := badValue(v); reason != "" {
			return nil, fmt.Errorf("%w: the value of %s %s", ErrInvalidConfig, k.name, reason)
		}
		if needsQuotes(v) {
			v = `"` + v + `"`
		}
		b.WriteString(k.name + "=" + v + "\n")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: saving credentials needs %s", ErrInvalidConfig, strings.Join(missing, ", "))
	}
	return b.Bytes(), nil
}

// validKeyName reports whether key looks like an environment variable name.
func validKeyName(key string) bool {
	if key == "" || key[0] >= '0' && key[0] <= '9' {
		return false
	}
	for _, c := range []byte(key) {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// badValue says why v cannot be a value of the file, or returns "".
func badValue(v string) string {
	if !utf8.ValidString(v) {
		return "is not valid UTF-8"
	}
	for _, r := range v {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return "has a line break or another control character"
		}
	}
	return ""
}

// isQuoted reports whether v has a matching quote at both ends.
func isQuoted(v string) bool {
	return len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0]
}

// unquote removes one pair of matching quotes around v.
func unquote(v string) string {
	if isQuoted(v) {
		return v[1 : len(v)-1]
	}
	return v
}

// needsQuotes reports whether LoadCredentials would change v written bare.
func needsQuotes(v string) bool {
	return isQuoted(v) || strings.Trim(v, " \t") != v
}
