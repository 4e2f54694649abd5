package oauth1

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewNonce(t *testing.T) {
	const n = 100_000
	valid := regexp.MustCompile(`^[A-Za-z0-9]{32}$`)
	seen := make(map[string]bool, n)
	counts := map[rune]int{}
	for range n {
		nonce := NewNonce()
		if !valid.MatchString(nonce) {
			t.Fatalf("nonce %q does not match %s", nonce, valid)
		}
		if seen[nonce] {
			t.Fatalf("nonce %q repeated", nonce)
		}
		seen[nonce] = true
		for _, c := range nonce {
			counts[c]++
		}
	}

	// Pearson's chi-square over the 62 characters, 61 degrees of freedom:
	// mean 61, standard deviation 11. A bound of 200 is never reached by a
	// uniform source (p < 1e-15) but is far exceeded by a modulo bias (one
	// character in eight drawn 25% too often) or a constant.
	require.Len(t, counts, 62)
	expected := float64(n*nonceLen) / 62
	chi2 := 0.0
	for _, c := range nonceAlphabet {
		d := float64(counts[c]) - expected
		chi2 += d * d / expected
	}
	require.Less(t, chi2, 200.0, "chi-square of the nonce characters")
}

// TestNonceChiSquareDetectsBias checks that the bound of TestNewNonce would
// catch the classic mistake of reducing random bytes modulo 62.
func TestNonceChiSquareDetectsBias(t *testing.T) {
	counts := make([]float64, 62)
	for b := range 256 {
		counts[b%62] += 3.2e6 / 256
	}
	expected := 3.2e6 / 62
	chi2 := 0.0
	for _, c := range counts {
		chi2 += (c - expected) * (c - expected) / expected
	}
	require.Greater(t, chi2, 200.0)
}

// TestNonceRejection feeds the nonce generator bytes whose 6-bit groups are
// all 62 or 63 before valid ones: those groups must be skipped.
func TestNonceRejection(t *testing.T) {
	var r randomBytes
	for i := range r.buf {
		r.buf[i] = 0xFF // every 6-bit group is 63: rejected
	}
	r.buf[len(r.buf)-3], r.buf[len(r.buf)-2], r.buf[len(r.buf)-1] = 0, 0, 0 // four 'A's
	r.left = len(r.buf)
	nonce := string(r.appendNonce(nil))
	require.True(t, strings.HasPrefix(nonce, "AAAA"), nonce)
	require.Len(t, nonce, nonceLen)
	require.Regexp(t, `^[A-Za-z0-9]{32}$`, nonce)
}
