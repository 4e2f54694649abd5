package oauth1

import (
	"encoding/json"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// qsCaseFile is ../exhtest/testdata/qs_cases.json, written by
// exhtest/testdata/qsgen/gen.js with the real qs: queries and the
// normalized parameter string that JS SDK 8.14.1 signs for each, with the
// file's oauth parameters merged in. The fake's verifier in package exhtest
// is checked against the same file.
type qsCaseFile struct {
	QS    string            `json:"qs"`
	OAuth map[string]string `json:"oauth"`
	Cases []struct {
		Query  string `json:"query"`
		Params string `json:"params"`
		Note   string `json:"note"`
	} `json:"cases"`
}

// hasBracket reports whether a raw query holds a bracket, literal or
// percent-encoded.
var hasBracket = regexp.MustCompile(`(?i)[\[\]]|%5[bd]`).MatchString

// TestQSCaseFile checks the normalized parameter string of BaseString
// against every case that qs and the JS SDK's signing code produced.
func TestQSCaseFile(t *testing.T) {
	data, err := os.ReadFile("../exhtest/testdata/qs_cases.json")
	require.NoError(t, err)
	var f qsCaseFile
	require.NoError(t, json.Unmarshal(data, &f))
	require.Equal(t, "6.15.2", f.QS, "the cases must come from the qs of JS SDK 8.14.1")
	brackets := 0
	for _, c := range f.Cases {
		if hasBracket(c.Query) {
			brackets++
		}
	}
	require.GreaterOrEqual(t, len(f.Cases), 1500)
	require.GreaterOrEqual(t, brackets, 500)

	var params []Param
	for name, value := range f.OAuth {
		params = append(params, Param{name, value})
	}
	sort.Slice(params, func(i, j int) bool { return params[i].Name < params[j].Name })
	const prefix = "GET&https%3A%2F%2Fh%2F&"
	failed := 0
	for _, c := range f.Cases {
		base := BaseString("GET", &url.URL{Scheme: "https", Host: "h", Path: "/", RawQuery: c.Query}, params)
		require.True(t, strings.HasPrefix(base, prefix), "base string %q", base)
		got, err := url.PathUnescape(base[len(prefix):])
		require.NoError(t, err)
		if got != c.Params {
			if failed++; failed <= 20 {
				t.Errorf("query %q (%s):\n got  %s\n want %s", c.Query, c.Note, got, c.Params)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d cases differ (%d with brackets)", failed, len(f.Cases), brackets)
	}
}
