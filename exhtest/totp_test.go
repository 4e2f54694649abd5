package exhtest

import (
	"encoding/base32"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// RFC 6238 Appendix B, SHA-1 rows: secret "12345678901234567890"; the RFC
// prints 8 digits, a 6-digit TOTP is their last six.
func TestTOTPRFC6238Vectors(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	require.Equal(t, secret, base32.StdEncoding.EncodeToString([]byte("12345678901234567890")))
	for _, v := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},          // 94287082
		{1111111109, "081804"},  // 07081804
		{1111111111, "050471"},  // 14050471
		{1234567890, "005924"},  // 89005924
		{2000000000, "279037"},  // 69279037
		{20000000000, "353130"}, // 65353130
	} {
		require.Equal(t, v.want, TOTP(secret, time.Unix(v.unix, 0)), "t=%d", v.unix)
	}
}

func TestTOTPSecretForms(t *testing.T) {
	at := time.Unix(59, 0)
	require.Equal(t, "287082", TOTP("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", at), "lower case")
	require.Equal(t, "287082", TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====", at), "padding")
	require.NotEmpty(t, TOTP("MFRGG", at), "unpadded odd length")
	require.Equal(t, TOTP("MFRGG===", at), TOTP("MFRGG", at))
	require.Empty(t, TOTP("not base32!", at))
	require.Empty(t, TOTP("A", at))
	require.Empty(t, TOTP("MFR", at), "3 characters is not a base32 length")
	require.Empty(t, TOTP("", at))
}

func TestTOTPValidWindow(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	now := time.Unix(1234567890, 0)
	require.True(t, totpValid(secret, TOTP(secret, now), now))
	require.True(t, totpValid(secret, TOTP(secret, now.Add(-30*time.Second)), now))
	require.True(t, totpValid(secret, TOTP(secret, now.Add(30*time.Second)), now))
	require.False(t, totpValid(secret, TOTP(secret, now.Add(-60*time.Second)), now))
	require.False(t, totpValid(secret, TOTP(secret, now.Add(90*time.Second)), now))
	require.False(t, totpValid(secret, "", now))
	require.False(t, totpValid("!!", TOTP(secret, now), now))
}

// The service's answers give TOTP secrets as 40 hex digits: the RFC's key
// "12345678901234567890" is 3132…3930.
func TestTOTPHexSecret(t *testing.T) {
	const hexSecret = "3132333435363738393031323334353637383930"
	at := time.Unix(59, 0)
	require.Equal(t, "287082", TOTP(hexSecret, at))
	require.Equal(t, TOTP(hexSecret, time.Unix(1234567890, 0)), TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", time.Unix(1234567890, 0)))
	require.True(t, totpValid(hexSecret, "287082", at))

	// Upper-case hex digits are hex too; 40 characters that are not all
	// hex digits are base32 (25 bytes).
	upper := "ABCDEF0123ABCDEF0123ABCDEF0123ABCDEF0123"
	require.Equal(t, TOTP(strings.ToLower(upper), at), TOTP(upper, at))
	key, err := hex.DecodeString(upper)
	require.NoError(t, err)
	require.Equal(t, hotp(key, totpCounter(at)), TOTP(upper, at))
	b32 := strings.Repeat("A", 39) + "Q"
	require.Len(t, b32, 40)
	require.Equal(t, hotp(append(make([]byte, 24), 0x10), totpCounter(at)), TOTP(b32, at))
	// 39 or 41 hex digits are neither form.
	require.Empty(t, TOTP(hexSecret[:39], at))
	require.Empty(t, TOTP(hexSecret+"1", at))
}
