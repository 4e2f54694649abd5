package exhtest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// totpStep is the RFC 6238 time step.
const totpStep = 30

// TOTP returns the RFC 6238 one-time code for secret at time t: HMAC-SHA1,
// 6 digits, 30-second steps counted from the Unix epoch. The secret is
// either exactly 40 hexadecimal digits (the form the service's answers use,
// 20 key bytes) or base32 (RFC 4648), upper or lower case, with or without
// '=' padding (the form of seeded users and of authenticator apps). A
// 40-character secret made of hexadecimal digits only is read as hex. TOTP
// returns "" when the secret is empty or neither form.
//
// Tests use it to answer the MFA grant for a user seeded with a TOTP
// method, exhtest.TOTP(method.Secret, srv.Now()), or to verify a method
// added through the MFA settings endpoints with the secret of the answer.
func TOTP(secret string, t time.Time) string {
	key, ok := decodeTOTPSecret(secret)
	if !ok {
		return ""
	}
	return hotp(key, totpCounter(t))
}

// decodeTOTPSecret decodes a secret of exactly 40 hex digits, or else a
// base32 secret. Without its padding a base32 text has 0, 2, 4, 5 or 7
// characters past the last full group of 8; other lengths, and an empty
// secret, are invalid.
func decodeTOTPSecret(secret string) ([]byte, bool) {
	if len(secret) == 40 {
		if key, err := hex.DecodeString(secret); err == nil {
			return key, true
		}
	}
	s := strings.ToUpper(strings.TrimRight(secret, "="))
	switch len(s) % 8 {
	case 1, 3, 6:
		return nil, false
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil || len(key) == 0 {
		return nil, false
	}
	return key, true
}

// totpCounter is floor(unix seconds / 30); times before 1970 count as 0.
func totpCounter(t time.Time) uint64 {
	sec := t.Unix()
	if sec < 0 {
		return 0
	}
	return uint64(sec / totpStep)
}

// hotp is RFC 4226 HOTP with 6 digits.
func hotp(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", bin%1000000)
}

// totpValid reports whether code is the TOTP code of secret for the time
// step of t or the step just before or after it.
func totpValid(secret, code string, t time.Time) bool {
	key, ok := decodeTOTPSecret(secret)
	if !ok {
		return false
	}
	counter := totpCounter(t)
	valid := false
	for _, c := range []uint64{counter - 1, counter, counter + 1} {
		if subtle.ConstantTimeCompare([]byte(hotp(key, c)), []byte(code)) == 1 {
			valid = true
		}
	}
	return valid
}
