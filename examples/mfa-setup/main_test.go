package main

import (
	"bufio"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/exhgo/exh/exhtest"
)

var envNames = []string{"EXH_HOST", "EXH_CONSUMER_KEY", "EXH_CONSUMER_SECRET", "EXH_EMAIL", "EXH_PASSWORD"}

// TestEmbeddedRun runs the whole set-up against the embedded server.
func TestEmbeddedRun(t *testing.T) {
	for _, n := range envNames {
		t.Setenv(n, "")
	}
	require.NoError(t, run(t.Context()))
}

func TestPartialEnvironment(t *testing.T) {
	for _, n := range envNames {
		t.Setenv(n, "")
	}
	t.Setenv("EXH_HOST", "api.example.com")
	err := run(t.Context())
	require.ErrorContains(t, err, "set all of EXH_HOST")
}

// TestClusterMode runs the EXH_* path against an exhtest server standing in
// for a cluster: it answers the code prompts from the otpauth URL, as an
// authenticator app would, and checks that nothing secret is printed but
// that URL.
func TestClusterMode(t *testing.T) {
	srv := exhtest.NewServer()
	defer srv.Close()
	app := srv.AddApplication(exhtest.Application{})
	user := srv.AddUser(exhtest.User{Email: "cluster@example.com", Password: "pw-cluster-canary"})
	for n, v := range map[string]string{"EXH_HOST": srv.URL, "EXH_CONSUMER_KEY": app.ConsumerKey,
		"EXH_CONSUMER_SECRET": app.ConsumerSecret, "EXH_EMAIL": user.Email, "EXH_PASSWORD": user.Password} {
		t.Setenv(n, v)
	}
	inR, inW, err := os.Pipe()
	require.NoError(t, err)
	outR, outW, err := os.Pipe()
	require.NoError(t, err)
	stdin, stdout := os.Stdin, os.Stdout
	os.Stdin, os.Stdout = inR, outW
	t.Cleanup(func() { os.Stdin, os.Stdout = stdin, stdout })

	done := make(chan error, 1)
	go func() {
		done <- run(t.Context())
		outW.Close()
	}()
	var out strings.Builder
	var secret string
	prompts := 0
	r := bufio.NewReader(outR)
	for {
		b, err := r.ReadByte()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		out.WriteByte(b)
		text := out.String()
		if secret == "" {
			if m := regexp.MustCompile(`secret=([A-Z2-7]+)&`).FindStringSubmatch(text); m != nil {
				secret = m[1]
			}
		}
		if strings.HasSuffix(text, "Code from your app: ") {
			prompts++
			code := exhtest.TOTP(secret, srv.Now())
			if prompts == 1 {
				code = "12345" // wrong: asked again
			}
			_, err := io.WriteString(inW, code+"\n")
			require.NoError(t, err)
		}
	}
	require.NoError(t, <-done, out.String())
	inW.Close() // ends the reading goroutine
	require.Equal(t, 3, prompts)
	require.Contains(t, out.String(), "Not accepted")
	require.Contains(t, out.String(), "9. MFA disabled")
	require.NotEmpty(t, secret)
	require.NotContains(t, out.String(), user.Password)
	require.NotRegexp(t, `[0-9a-f]{40}`, out.String(), "no token, presence token or hex secret")
	require.NotRegexp(t, `\b[A-Z2-7]{8}\b`, out.String(), "no recovery code")
	require.Empty(t, srv.Tokens(), "both tokens revoked")
}
