package oauth1

import "crypto/rand"

const (
	nonceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	nonceLen      = 32
)

// NewNonce returns 32 characters drawn uniformly from [A-Za-z0-9] with
// crypto/rand: about 190 bits of entropy.
func NewNonce() string {
	st := getState()
	defer putState(st)
	var b [nonceLen]byte
	return string(st.random.appendNonce(b[:0]))
}

// randomBytes hands out bytes from crypto/rand, read in batches because each
// read has a fixed cost. Every byte is used once. The zero value is ready.
type randomBytes struct {
	buf  [1020]byte // a multiple of 6
	left int        // unused bytes at the end of buf
}

// appendNonce appends a new nonce to dst. Each character takes 6 random
// bits; the values 62 and 63 are rejected (rejection sampling), so every
// character is equally likely and there is no modulo bias.
//
// It takes 6 bytes at a time as 8 candidate characters. Every candidate is
// written; n only moves past the accepted ones, which avoids a hard to
// predict branch per character.
func (r *randomBytes) appendNonce(dst []byte) []byte {
	var nonce [nonceLen + 7]byte // room for a last group of 8 that overshoots
	for n := 0; n < nonceLen; {
		if r.left < 6 {
			rand.Read(r.buf[:])
			r.left = len(r.buf)
		}
		b := r.buf[len(r.buf)-r.left:][:6]
		r.left -= 6
		bits := uint64(b[0])<<40 | uint64(b[1])<<32 | uint64(b[2])<<24 |
			uint64(b[3])<<16 | uint64(b[4])<<8 | uint64(b[5])
		for shift := 42; shift >= 0; shift -= 6 {
			x := bits >> shift & 63
			nonce[n] = nonceTable[x] // a rejected x is written, then overwritten
			n += int(nonceAccept[x])
		}
	}
	return append(dst, nonce[:nonceLen]...)
}

// nonceAccept is 1 for the 6-bit values that map to a character, 0 for the
// two that are rejected.
var nonceAccept = func() (t [64]uint8) {
	for i := range len(nonceAlphabet) {
		t[i] = 1
	}
	return t
}()

// nonceTable maps 6 random bits to a nonce character, or to 0 for the two
// values that are rejected.
var nonceTable = func() (t [64]byte) {
	copy(t[:], nonceAlphabet)
	return t
}()
