package shopify

import (
	"encoding/binary"
	"testing"
)

// TestPlain8AnswersAsTheByteRule: plain8 says eight bytes are plain
// exactly when each of them is, by the byte-at-a-time rule of
// scanString, whatever byte stands at whichever place among plain ones
// or among other special ones.
func TestPlain8AnswersAsTheByteRule(t *testing.T) {
	plain := func(c byte) bool { return c >= ' ' && c < 0x80 && c != '"' && c != '\\' }
	for _, filler := range []byte{'a', ' ', '~', '!', '#', '[', ']'} {
		for at := range 8 {
			for c := range 256 {
				var b [8]byte
				for i := range b {
					b[i] = filler
				}
				b[at] = byte(c)
				if got, want := plain8(binary.LittleEndian.Uint64(b[:])), plain(byte(c)); got != want {
					t.Fatalf("plain8(%q) = %v, want %v", b, got, want)
				}
				// A special byte elsewhere makes the eight special
				// whatever this one is.
				b[(at+3)%8] = '"'
				if plain8(binary.LittleEndian.Uint64(b[:])) {
					t.Fatalf("plain8(%q) = true with a quote in it", b)
				}
			}
		}
	}
}
