package exh

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRawMethods(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"method":"`+r.Method+`","n":1}`)
	})
	type echo struct {
		Method string `json:"method"`
		N      int    `json:"n"`
	}
	ctx := t.Context()
	calls := []struct {
		method string
		do     func(out *echo) (*RawResponse, error)
		body   string
	}{
		{"GET", func(o *echo) (*RawResponse, error) { return c.Raw.Get(ctx, "/a/b?limit(10)", o) }, ""},
		{"POST", func(o *echo) (*RawResponse, error) { return c.Raw.Post(ctx, "/a/b", map[string]string{"k": "v"}, o) }, `{"k":"v"}`},
		{"PUT", func(o *echo) (*RawResponse, error) { return c.Raw.Put(ctx, "/a/b", []int{1, 2}, o) }, `[1,2]`},
		{"PATCH", func(o *echo) (*RawResponse, error) { return c.Raw.Patch(ctx, "/a/b", struct{ X int }{3}, o) }, `{"X":3}`},
		{"DELETE", func(o *echo) (*RawResponse, error) { return c.Raw.Delete(ctx, "/a/b", o) }, ""},
	}
	for i, call := range calls {
		var out echo
		resp, err := call.do(&out)
		require.NoError(t, err, call.method)
		assert.Equal(t, echo{call.method, 1}, out)
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		assert.JSONEq(t, `{"method":"`+call.method+`","n":1}`, string(resp.Body))
		got := rec.all()[i]
		assert.Equal(t, call.method, got.Method)
		assert.Equal(t, "/a/b", got.Path)
		if call.body != "" {
			assert.JSONEq(t, call.body, got.Body)
		} else {
			assert.Empty(t, got.Body)
		}
	}
	assert.Equal(t, "limit(10)", rec.all()[0].RawQuery, "the query goes out as written")
}

func TestRawOutBytesAndNil(t *testing.T) {
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "not json")
	})
	var raw []byte
	_, err := c.Raw.Get(t.Context(), "/x", &raw)
	require.NoError(t, err)
	assert.Equal(t, "not json", string(raw))
	resp, err := c.Raw.Get(t.Context(), "/x", nil)
	require.NoError(t, err)
	assert.Equal(t, "not json", string(resp.Body))

	var m map[string]any
	_, err = c.Raw.Get(t.Context(), "/x", &m)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 200, de.StatusCode)
	assert.Equal(t, "text/plain", de.ContentType)
	assert.NotContains(t, err.Error(), "not json", "no body in the error")
}

func TestRawNoContent(t *testing.T) {
	c, _ := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	var m map[string]any
	resp, err := c.Raw.Delete(t.Context(), "/x", &m)
	require.NoError(t, err)
	assert.Equal(t, 204, resp.StatusCode)
	assert.Nil(t, m)
}

func TestRawRejectsBadPathsBeforeIO(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	for _, p := range []string{"", "x", "https://evil.example/x", "//evil.example/x", "/a/../b", "/a/./b", "/..",
		"/a/%2e%2e/b", "/a/%2E%2e", "/a/..%2Fb", "/a b", "/é", "/a#frag", "/a\\..\\b", "/a%zz"} {
		_, err := c.Raw.Get(t.Context(), p, nil)
		assert.ErrorIs(t, err, ErrInvalidPath, p)
	}
	_, err := c.Raw.Do(t.Context(), "TRACE", "/x", nil, nil)
	assert.ErrorIs(t, err, ErrInvalidArgument)
	assert.Empty(t, rec.all(), "nothing reached the server")

	// Encoded characters and RQL are fine.
	_, err = c.Raw.Get(t.Context(), "/a%20b/c?select(id,name)&eq(name,a%2520b)", nil)
	require.NoError(t, err)
	_, err = c.Raw.Do(t.Context(), "get", "/ok", nil, nil)
	require.NoError(t, err)
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	target, targetRec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{}`) })
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.BaseURL()+"/stolen", http.StatusTemporaryRedirect)
	})
	_, err := c.Auth.Authenticate(t.Context(), "a@b.c", "canary-password")
	var re *RedirectError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 307, re.StatusCode)
	assert.Equal(t, target.baseURL.Host, re.Host)
	assert.Contains(t, err.Error(), "307")
	assert.Len(t, rec.all(), 1)
	assert.Empty(t, targetRec.all(), "the redirect target got nothing")
}

func TestResponseTooLarge(t *testing.T) {
	c, rec := newServerClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"data":"`+strings.Repeat("x", 2000)+`"}`)
	}, WithMaxResponseBytes(1000))
	_, err := c.Raw.Get(t.Context(), "/big", nil)
	var tl *ResponseTooLargeError
	require.ErrorAs(t, err, &tl)
	assert.EqualValues(t, 1000, tl.Limit)
	assert.Len(t, rec.all(), 1, "an oversized body is not retried")
}

// TestRawPathErrorNamesTheCharacter: the error says which byte is wrong and where.
func TestRawPathErrorNamesTheCharacter(t *testing.T) {
	for path, want := range map[string]string{
		"/a b":          "a space at byte 2",
		"/x?q=\x1b[31m": "control character 0x1B at byte 5",
		"/caf\xc3\xa9":  "non-ASCII byte 0xC3 at byte 4",
		"/a#frag":       "'#' at byte 2",
		"/a\\b":         "'\\\\' at byte 2",
	} {
		err := checkPath(path)
		require.ErrorIs(t, err, ErrInvalidPath, path)
		assert.Contains(t, err.Error(), want, path)
	}
}
