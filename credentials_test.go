package exh

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Canaries: secret values that must never show up in an error.
const (
	canaryConsumerSecret = "CANARY-consumer-secret-7f3a"
	canaryTokenSecret    = "CANARY-token-secret-91bc"
)

// canaryConfig is a complete Config whose secrets are canaries.
var canaryConfig = Config{
	Host:           "dev.example.io",
	ConsumerKey:    "ck-1",
	ConsumerSecret: canaryConsumerSecret,
	Token:          "tk-1",
	TokenSecret:    canaryTokenSecret,
}

// canaryFile is canaryConfig in the file format, without a final newline.
const canaryFile = "API_HOST=dev.example.io\nAPI_OAUTH_CONSUMER_KEY=ck-1\n" +
	"API_OAUTH_CONSUMER_SECRET=" + canaryConsumerSecret + "\nAPI_OAUTH_TOKEN=tk-1\n" +
	"API_OAUTH_TOKEN_SECRET=" + canaryTokenSecret

// assertNoCanary fails if err's message holds a canary.
func assertNoCanary(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "CANARY")
	assert.NotContains(t, err.Error(), "canary")
}

// writeCreds writes a credentials file with mode 0600 and returns its path.
func writeCreds(t *testing.T, dir, content string) string {
	t.Helper()
	path := filepath.Join(dir, "credentials")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	require.NoError(t, os.Chmod(path, 0o600)) // whatever the umask
	return path
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestLoadCredentials(t *testing.T) {
	dir := t.TempDir()
	good := writeCreds(t, dir, "API_HOST=dev.example.io\r\nAPI_OAUTH_CONSUMER_KEY=ck\r\n"+
		"API_OAUTH_CONSUMER_SECRET=cs\nAPI_OAUTH_TOKEN=tk\nAPI_OAUTH_TOKEN_SECRET=ts\nOTHER=a=b\n\n")
	cfg, err := LoadCredentials(good)
	require.NoError(t, err)
	assert.Equal(t, Config{Host: "dev.example.io", ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tk", TokenSecret: "ts"}, cfg)

	_, err = LoadCredentials(filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

// TestLoadCredentialsFormat pins how lines and values are read.
func TestLoadCredentialsFormat(t *testing.T) {
	rest := "\nAPI_OAUTH_CONSUMER_KEY=ck\nAPI_OAUTH_CONSUMER_SECRET=cs\nAPI_OAUTH_TOKEN=tk\n"
	for _, tc := range []struct {
		name, file  string
		host, tsecr string
	}{
		{"plain", "API_HOST=h" + rest + "API_OAUTH_TOKEN_SECRET=ts", "h", "ts"},
		{"equals in a value", "API_HOST=h" + rest + "API_OAUTH_TOKEN_SECRET=a=b==", "h", "a=b=="},
		{"double quotes", `API_HOST="h"` + rest + `API_OAUTH_TOKEN_SECRET="ts"`, "h", "ts"},
		{"single quotes", `API_HOST='h'` + rest + `API_OAUTH_TOKEN_SECRET='t s'`, "h", "t s"},
		{"quotes keep inner spaces and quotes", `API_HOST="h"` + rest + `API_OAUTH_TOKEN_SECRET=" 'x" "`, "h", ` 'x" `},
		{"one pair removed", `API_HOST=""h""` + rest + `API_OAUTH_TOKEN_SECRET=''ts''`, `"h"`, "'ts'"},
		{"unmatched quotes kept", `API_HOST="h` + rest + `API_OAUTH_TOKEN_SECRET='ts"`, `"h`, `'ts"`},
		{"spaces and tabs around", " \tAPI_HOST \t= h \t" + rest + "API_OAUTH_TOKEN_SECRET =  ts", "h", "ts"},
		{"comments and blank lines", "# ExH\n\n  # indented\r\n\t\nAPI_HOST=h#not-a-comment" + rest +
			"# API_OAUTH_TOKEN_SECRET=old\nAPI_OAUTH_TOKEN_SECRET=ts\n\n", "h#not-a-comment", "ts"},
		{"export prefix", "export API_HOST=h" + rest + "export\tAPI_OAUTH_TOKEN_SECRET=ts\nexport=ignored", "h", "ts"},
		{"CRLF and BOM", "\uFEFFAPI_HOST=h" + strings.ReplaceAll(rest, "\n", "\r\n") + "API_OAUTH_TOKEN_SECRET=ts\r\n", "h", "ts"},
		{"other keys ignored", "API_HOST=h" + rest + "API_OAUTH_TOKEN_SECRET=ts\nAPI_HOST_2=x\napi_host=y\nEMPTY=", "h", "ts"},
		{"unicode", "API_HOST=h" + rest + "API_OAUTH_TOKEN_SECRET=sécret✓", "h", "sécret✓"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadCredentials(writeCreds(t, t.TempDir(), tc.file))
			require.NoError(t, err)
			assert.Equal(t, Config{Host: tc.host, ConsumerKey: "ck", ConsumerSecret: "cs", Token: "tk", TokenSecret: tc.tsecr}, cfg)
		})
	}
}

// TestLoadCredentialsErrors checks that bad files are refused with an error
// that names the line or key and never repeats a value.
func TestLoadCredentialsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string // substrings of the error
		notWant    []string
	}{
		{"missing keys", "API_HOST=x\nAPI_OAUTH_CONSUMER_KEY=ck\nAPI_OAUTH_TOKEN_SECRET=" + canaryTokenSecret,
			[]string{"lacks API_OAUTH_CONSUMER_SECRET, API_OAUTH_TOKEN"}, []string{"API_HOST", "API_OAUTH_TOKEN_SECRET"}},
		{"empty values are missing", "API_HOST=\nAPI_OAUTH_CONSUMER_KEY=\"\"\nAPI_OAUTH_CONSUMER_SECRET=" + canaryConsumerSecret +
			"\nAPI_OAUTH_TOKEN=''\nAPI_OAUTH_TOKEN_SECRET=" + canaryTokenSecret,
			[]string{"lacks API_HOST, API_OAUTH_CONSUMER_KEY, API_OAUTH_TOKEN"}, nil},
		{"empty file", "", []string{"lacks API_HOST, API_OAUTH_CONSUMER_KEY, API_OAUTH_CONSUMER_SECRET, API_OAUTH_TOKEN, API_OAUTH_TOKEN_SECRET"}, nil},
		{"line without =", canaryFile + "\n" + canaryTokenSecret, []string{"line 6 is not KEY=VALUE"}, nil},
		{"pasted secret", canaryConsumerSecret + "\n" + canaryFile, []string{"line 1 is not KEY=VALUE"}, nil},
		{"invalid key", canaryFile + "\nAPI TOKEN " + canaryTokenSecret + "=x", []string{"line 6 has an invalid key name"}, nil},
		{"empty key", canaryFile + "\n=" + canaryTokenSecret, []string{"line 6 has an invalid key name"}, nil},
		{"key starting with a digit", "1" + canaryTokenSecret + "=x\n" + canaryFile, []string{"line 1 has an invalid key name"}, nil},
		{"duplicate key", canaryFile + "\n\nAPI_OAUTH_TOKEN_SECRET=" + canaryTokenSecret,
			[]string{"API_OAUTH_TOKEN_SECRET is set on lines 5 and 7"}, nil},
		{"carriage return inside", "API_OAUTH_TOKEN_SECRET=" + canaryTokenSecret + "\rAPI_HOST=evil\n" + canaryFile,
			[]string{"line 1: the value of API_OAUTH_TOKEN_SECRET has a line break"}, nil},
		{"NUL", strings.Replace(canaryFile, canaryConsumerSecret, canaryConsumerSecret+"\x00", 1),
			[]string{"line 3: the value of API_OAUTH_CONSUMER_SECRET has a line break or another control character"}, nil},
		{"tab inside quotes", strings.Replace(canaryFile, canaryConsumerSecret, "\"\t"+canaryConsumerSecret+"\"", 1),
			[]string{"line 3: the value of API_OAUTH_CONSUMER_SECRET has"}, nil},
		{"DEL", strings.Replace(canaryFile, canaryTokenSecret, canaryTokenSecret+"\x7f", 1),
			[]string{"line 5: the value of API_OAUTH_TOKEN_SECRET has"}, nil},
		{"NEL", strings.Replace(canaryFile, canaryTokenSecret, canaryTokenSecret+"\u0085x", 1),
			[]string{"line 5: the value of API_OAUTH_TOKEN_SECRET has"}, nil},
		{"line separator", strings.Replace(canaryFile, canaryTokenSecret, canaryTokenSecret+"\u2028x", 1),
			[]string{"line 5: the value of API_OAUTH_TOKEN_SECRET has"}, nil},
		{"invalid UTF-8", strings.Replace(canaryFile, canaryTokenSecret, canaryTokenSecret+"\xff", 1),
			[]string{"line 5: the value of API_OAUTH_TOKEN_SECRET is not valid UTF-8"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeCreds(t, t.TempDir(), tc.file)
			_, err := LoadCredentials(path)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assertNoCanary(t, err)
			assert.Contains(t, err.Error(), path, "the error names the file")
			for _, s := range tc.want {
				assert.Contains(t, err.Error(), s)
			}
			for _, s := range tc.notWant {
				assert.NotContains(t, err.Error(), s)
			}
			assert.NotContains(t, err.Error(), "\n")
			assert.NotContains(t, err.Error(), "\r")
		})
	}
}

// TestLoadCredentialsSizeCap checks that LoadCredentials reads at most 64 KiB.
func TestLoadCredentialsSizeCap(t *testing.T) {
	dir := t.TempDir()
	// Exactly at the cap: read.
	pad := strings.Repeat("#"+strings.Repeat("x", 62)+"\n", maxCredentialsSize/64)
	pad = pad[:maxCredentialsSize-len(canaryFile)-1] + "\n"
	atCap := writeCreds(t, dir, pad+canaryFile)
	fi, err := os.Stat(atCap)
	require.NoError(t, err)
	require.EqualValues(t, maxCredentialsSize, fi.Size())
	cfg, err := LoadCredentials(atCap)
	require.NoError(t, err)
	assert.Equal(t, canaryConfig, cfg)

	// One byte over, and 1 MiB: refused.
	for _, content := range []string{pad + canaryFile + "\n", canaryFile + "\n" + strings.Repeat("#", 1<<20)} {
		_, err = LoadCredentials(writeCreds(t, dir, content))
		require.ErrorIs(t, err, ErrInvalidConfig)
		assert.Contains(t, err.Error(), "larger than 64 KiB")
		assertNoCanary(t, err)
	}
}

// TestLoadCredentialsDevZero checks that an endless file ends quickly. A
// device has no meaningful mode, so /dev/zero (0666) reaches the size cap.
func TestLoadCredentialsDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	done := make(chan error, 1)
	go func() {
		_, err := LoadCredentials("/dev/zero")
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, ErrInvalidConfig)
		assert.Contains(t, err.Error(), "larger than 64 KiB")
	case <-time.After(10 * time.Second):
		t.Fatal("LoadCredentials(/dev/zero) did not return")
	}
}

// setHome points the home directory at a fresh temporary directory.
func setHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home) // Windows
	t.Setenv("home", home)        // Plan 9
	return home
}

func TestCredentialsHome(t *testing.T) {
	home := setHome(t)
	def, err := DefaultCredentialsPath()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(home, ".exh", "credentials"), def)

	require.NoError(t, SaveCredentials("~/.exh/credentials", canaryConfig))
	data, err := os.ReadFile(def)
	require.NoError(t, err, "~/ was expanded on save")
	assert.Contains(t, string(data), "API_HOST=dev.example.io\n")
	cfg, err := LoadCredentials("~/.exh/credentials")
	require.NoError(t, err, "~/ was expanded on load")
	assert.Equal(t, canaryConfig, cfg)
	if checkFileModes() {
		fi, err := os.Stat(filepath.Join(home, ".exh"))
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o700), fi.Mode().Perm(), "missing directory created 0700")
	}

	// Only a leading "~/" is expanded.
	_, err = LoadCredentials("x/~/.exh/credentials")
	assert.ErrorIs(t, err, fs.ErrNotExist)

	if runtime.GOOS != "windows" && runtime.GOOS != "plan9" {
		t.Setenv("HOME", "")
		_, err = DefaultCredentialsPath()
		assert.Error(t, err)
		_, err = LoadCredentials("~/.exh/credentials")
		assert.ErrorContains(t, err, "expanding ~")
		assert.ErrorContains(t, SaveCredentials("~/.exh/credentials", canaryConfig), "expanding ~")
	}
}

// TestLoadCredentialsLooseMode checks that a file other users may access is
// refused, before it is read, with the fix in the error.
func TestLoadCredentialsLooseMode(t *testing.T) {
	if !checkFileModes() {
		t.Skip("no Unix file modes on " + runtime.GOOS)
	}
	dir := t.TempDir()
	path := writeCreds(t, dir, canaryFile)
	for _, mode := range []fs.FileMode{0o644, 0o640, 0o604, 0o620, 0o602, 0o610, 0o601, 0o666, 0o777} {
		require.NoError(t, os.Chmod(path, mode))
		_, err := LoadCredentials(path)
		require.ErrorIs(t, err, ErrInsecureCredentials, "mode %#o", mode)
		assert.NotErrorIs(t, err, ErrInvalidConfig)
		assert.Contains(t, err.Error(), "chmod 600 "+path)
		assert.Contains(t, err.Error(), fmt.Sprintf("has mode %#o;", mode))
		assertNoCanary(t, err)
	}
	// The mode checked is the one of the file a symlink points to.
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(path, link))
	_, err := LoadCredentials(link)
	assert.ErrorIs(t, err, ErrInsecureCredentials)

	for _, mode := range []fs.FileMode{0o600, 0o400, 0o700} {
		require.NoError(t, os.Chmod(path, mode))
		cfg, err := LoadCredentials(path)
		require.NoError(t, err, "mode %#o", mode)
		assert.Equal(t, canaryConfig, cfg)
	}
}

func TestSaveCredentials(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b") // missing parents
	path := filepath.Join(dir, "credentials")
	require.NoError(t, SaveCredentials(path, canaryConfig))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, canaryFile+"\n", string(data), "the ExH CLI's format, values bare")
	cfg, err := LoadCredentials(path)
	require.NoError(t, err)
	assert.Equal(t, canaryConfig, cfg)
	assert.Equal(t, []string{"credentials"}, dirNames(t, dir))
	if checkFileModes() {
		for p, want := range map[string]fs.FileMode{path: 0o600, dir: 0o700, filepath.Dir(dir): 0o700} {
			fi, err := os.Stat(p)
			require.NoError(t, err)
			assert.Equal(t, want, fi.Mode().Perm(), p)
		}
	}
}

// TestSaveCredentialsReplacesLooseFile checks that replacing a 0644 file
// leaves a 0600 one with the new contents.
func TestSaveCredentialsReplacesLooseFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	require.NoError(t, os.WriteFile(path, []byte("API_HOST=old\n"), 0o644))
	require.NoError(t, os.Chmod(path, 0o644))
	require.NoError(t, SaveCredentials(path, canaryConfig))
	if checkFileModes() {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
	}
	cfg, err := LoadCredentials(path)
	require.NoError(t, err)
	assert.Equal(t, canaryConfig, cfg)
	assert.Equal(t, []string{"credentials"}, dirNames(t, dir))
}

// TestSaveCredentialsRefused checks that bad values and missing fields are
// refused before anything is written, naming the key but not the value.
func TestSaveCredentialsRefused(t *testing.T) {
	set := func(c Config, key, v string) Config {
		for _, k := range credentialKeys {
			if k.name == key {
				*k.field(&c) = v
			}
		}
		return c
	}
	for _, k := range credentialKeys {
		for _, bad := range []string{"\n", "\r", "\r\n", "\x00", "\t", "\x1b", "\x7f", "\u0085", "\u2028", "\u2029", "\xff"} {
			for _, v := range []string{canaryTokenSecret + bad + "API_HOST=evil", bad + canaryConsumerSecret, canaryTokenSecret + bad} {
				parent := t.TempDir()
				dir := filepath.Join(parent, "sub")
				err := SaveCredentials(filepath.Join(dir, "credentials"), set(canaryConfig, k.name, v))
				require.ErrorIs(t, err, ErrInvalidConfig, "%s=%q", k.name, v)
				assert.Contains(t, err.Error(), "the value of "+k.name)
				assertNoCanary(t, err)
				assert.Empty(t, dirNames(t, parent), "nothing written")
			}
		}
	}

	// Missing fields, including an empty token: all five are required.
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	require.NoError(t, SaveCredentials(path, canaryConfig))
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	err = SaveCredentials(path, Config{Host: "h", ConsumerKey: "ck", ConsumerSecret: canaryConsumerSecret})
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.Contains(t, err.Error(), "needs API_OAUTH_TOKEN, API_OAUTH_TOKEN_SECRET")
	assertNoCanary(t, err)
	err = SaveCredentials(path, set(canaryConfig, credTokenSecret, "\n"))
	require.ErrorIs(t, err, ErrInvalidConfig)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a refused save leaves the old file")
	assert.Equal(t, []string{"credentials"}, dirNames(t, dir))
}

// TestSaveCredentialsFailedRename checks that no temporary file is left
// behind when the final rename fails, and that the old file is kept.
func TestSaveCredentialsFailedRename(t *testing.T) {
	// The target is a non-empty directory: the rename fails even for root.
	dir := t.TempDir()
	target := filepath.Join(dir, "credentials")
	require.NoError(t, os.MkdirAll(filepath.Join(target, "x"), 0o700))
	err := SaveCredentials(target, canaryConfig)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exh: saving credentials")
	assertNoCanary(t, err)
	assert.Equal(t, []string{"credentials"}, dirNames(t, dir))

	// An injected failure, over an existing file.
	dir = t.TempDir()
	path := writeCreds(t, dir, "API_HOST=old\n")
	boom := errors.New("boom")
	var renamed string
	err = writeFileAtomic(path, []byte("new"), func(oldpath, _ string) error {
		renamed = oldpath
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, dir, filepath.Dir(renamed), "the temporary file is in the same directory")
	assert.Equal(t, []string{"credentials"}, dirNames(t, dir))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "API_HOST=old\n", string(data))
}

// TestSaveCredentialsRoundTrip saves values that need care and loads them back.
func TestSaveCredentialsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	for _, v := range []string{"a=b", "=", "==x==", `"`, `'`, `""`, `''`, `"x"`, `'x'`, `"x'`, `x"`, " x", "x ", " ",
		"# x", "#", "sécret✓", "\uFEFFx", "export x", `a\nb`, "\u00a0x\u00a0"} {
		cfg := Config{Host: v, ConsumerKey: v, ConsumerSecret: v, Token: "t" + v, TokenSecret: v + "t"}
		require.NoError(t, SaveCredentials(path, cfg), "%q", v)
		got, err := LoadCredentials(path)
		require.NoError(t, err, "%q", v)
		assert.Equal(t, cfg, got, "%q", v)
	}
	assert.Equal(t, []string{"credentials"}, dirNames(t, dir))
}

// FuzzParseCredentials parses any file: no panic, no value with a line break
// or control character, and whatever it accepts survives save and load.
func FuzzParseCredentials(f *testing.F) {
	for _, seed := range []string{
		canaryFile,
		strings.ReplaceAll(canaryFile, "\n", "\r\n") + "\r\n",
		"export API_HOST='h'\nAPI_OAUTH_CONSUMER_KEY=\"ck\"\nAPI_OAUTH_CONSUMER_SECRET= a=b \n# c\n\nAPI_OAUTH_TOKEN=\" t \"\nAPI_OAUTH_TOKEN_SECRET='\"'",
		"\uFEFF" + canaryFile,
		canaryFile + "\nAPI_HOST=x",
		canaryFile + "\rAPI_HOST=x",
		"API_HOST=\"\"\"\nAPI_OAUTH_CONSUMER_KEY=''''\nAPI_OAUTH_CONSUMER_SECRET=\"'\nAPI_OAUTH_TOKEN=\x85\nAPI_OAUTH_TOKEN_SECRET=\xff",
		"=\n==\nexport\nexport =\n#\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseCredentials("fuzz", data)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) || strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error %q: not ErrInvalidConfig or not one line", err)
			}
			if cfg != (Config{}) {
				t.Fatalf("error %v with a non-empty Config", err)
			}
			return
		}
		for _, v := range []string{cfg.Host, cfg.ConsumerKey, cfg.ConsumerSecret, cfg.Token, cfg.TokenSecret} {
			if v == "" || badValue(v) != "" || strings.ContainsAny(v, "\r\n") {
				t.Fatalf("accepted value %q", v)
			}
		}
		path := filepath.Join(t.TempDir(), "credentials")
		if err := SaveCredentials(path, cfg); err != nil {
			t.Fatalf("save of an accepted Config: %v", err)
		}
		got, err := LoadCredentials(path)
		if err != nil {
			t.Fatalf("load after save: %v", err)
		}
		if got != cfg {
			t.Fatalf("round trip: got %q, want %q", got, cfg)
		}
		saved, err := os.ReadFile(path)
		if err != nil || !slices.Contains(strings.Split(string(saved), "\n"), credHost+"="+cfg.Host) && !needsQuotes(cfg.Host) {
			t.Fatalf("a plain Host is written bare: %q (%v)", saved, err)
		}
	})
}
