package exhtest

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// qsCaseFile is testdata/qs_cases.json, written by testdata/qsgen/gen.js
// with the real qs: queries and the normalized parameter string that JS SDK
// 8.14.1 signs for each, with the file's oauth parameters merged in.
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

func loadQSCases(t testing.TB) qsCaseFile {
	t.Helper()
	data, err := os.ReadFile("testdata/qs_cases.json")
	require.NoError(t, err)
	var f qsCaseFile
	require.NoError(t, json.Unmarshal(data, &f))
	return f
}

// TestQSCases checks the verifier's normalized parameter string against
// every case that qs and the JS SDK's signing code produced.
func TestQSCases(t *testing.T) {
	f := loadQSCases(t)
	require.Equal(t, "6.15.2", f.QS, "the cases must come from the qs of JS SDK 8.14.1")
	brackets := 0
	for _, c := range f.Cases {
		if hasBracket(c.Query) {
			brackets++
		}
	}
	require.GreaterOrEqual(t, len(f.Cases), 1500)
	require.GreaterOrEqual(t, brackets, 500)

	failed := 0
	for _, c := range f.Cases {
		if got := normalizedParams(c.Query, f.OAuth); got != c.Params {
			if failed++; failed <= 20 {
				t.Errorf("query %q (%s):\n got  %s\n want %s", c.Query, c.Note, got, c.Params)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d cases differ (%d with brackets)", failed, len(f.Cases), brackets)
	}
}
