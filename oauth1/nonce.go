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
	buf  [255]byte // a multiple of 3
	left int       // unused bytes at the end of buf
}

// appendNonce appends a new nonce to dst. Each character takes 6 random
// bits; the values 62 and 63 are rejected (rejection sampling), so every
// character is equally likely and there is no modulo bias.
func (r *randomBytes) appendNonce(dst []byte) []byte {
	var nonce [nonceLen + 3]byte // room for a last group of 4 that overshoots
	for n := 0; n < nonceLen; {
		if r.left < 3 {
			rand.Read(r.buf[:])
			r.left = len(r.buf)
		}
		b := r.buf[len(r.buf)-r.left:]
		r.left -= 3
		bits := uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
		for shift := 18; shift >= 0; shift -= 6 {
			c := nonceTable[bits>>shift&63]
			nonce[n] = c
			if c != 0 {
				n++
			}
		}
	}
	return append(dst, nonce[:nonceLen]...)
}

// nonceTable maps 6 random bits to a nonce character, or to 0 for the two
// values that are rejected.
var nonceTable = func() (t [64]byte) {
	copy(t[:], nonceAlphabet)
	return t
}()
