package exh

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoggerLinesPerAttemptAndRetry(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := newServerClient(t, statusSequence("", 503, 200), WithLogger(logger))
	_, err := c.Raw.Get(t.Context(), "/auth/v2/oauth1/tokens?eq(email,private@example.com)", nil)
	require.NoError(t, err)

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		lines = append(lines, m)
	}
	require.Len(t, lines, 3, buf.String())
	assert.Equal(t, "DEBUG", lines[0]["level"])
	assert.Equal(t, "GET", lines[0]["method"])
	assert.Equal(t, "/auth/v2/oauth1/tokens", lines[0]["path"])
	assert.EqualValues(t, 503, lines[0]["status"])
	assert.EqualValues(t, 1, lines[0]["attempt"])
	assert.Contains(t, lines[0], "duration")
	assert.Equal(t, "WARN", lines[1]["level"])
	assert.Equal(t, "exh: retrying", lines[1]["msg"])
	assert.Equal(t, "status 503 Service Unavailable", lines[1]["cause"], "the warning says why it retries")
	assert.EqualValues(t, 2, lines[2]["attempt"])
	assert.EqualValues(t, 200, lines[2]["status"])
	assert.NotContains(t, buf.String(), "private@example.com")
	assert.NotContains(t, buf.String(), "OAuth ")
	assert.NotContains(t, buf.String(), "oauth_signature")
}

func TestLoggerNeverSeesSecrets(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 401, `{"code":106,"name":"AUTHENTICATION_EXCEPTION","message":"This password email combination is unknown"}`)
	}, WithLogger(logger))
	_, err := c.Auth.Authenticate(t.Context(), "canary-email@example.com", "canary-password")
	assert.ErrorIs(t, err, ErrCodeAuthentication)
	logger.Info("caller logs the error", "err", err, "session", c.Auth.Session())
	assert.NotContains(t, buf.String(), "canary-password")
	assert.NotContains(t, buf.String(), testSecret)
	assert.Contains(t, buf.String(), "/auth/v2/oauth1/tokens")
}

// TestRetryWarningNamesTheCause: a network failure is named by its kind,
// never by the error's text (which can hold addresses).
func TestRetryWarningNamesTheCause(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	c, _ := newServerClient(t, dropConnection, WithLogger(logger), WithRetry(RetryPolicy{MaxAttempts: 2}))
	_, err := c.Raw.Get(t.Context(), "/x?secret-query", nil)
	require.Error(t, err)
	assert.Contains(t, buf.String(), "cause=\"connection closed\"")
	assert.NotContains(t, buf.String(), "secret-query")
	assert.NotContains(t, buf.String(), "127.0.0.1")
}
