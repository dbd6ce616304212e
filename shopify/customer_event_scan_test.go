package shopify

import (
	"encoding/binary"
	"fmt"
	"strings"
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

// TestSyntaxErrorsCountFromTheBodysStart: a syntax error names the byte
// of the body it is at, whitespace before the object (Unicode's, which
// the parser allows there) counted, whatever the kind of error.
func TestSyntaxErrorsCountFromTheBodysStart(t *testing.T) {
	for _, lead := range []string{"", " \n", "\u00a0\t"} {
		for _, c := range []struct{ body, at string }{
			{`{"shop":x}`, "x"},
			{`{"shop":"s","shop":"t"}`, `"shop":"t"`},
			{`{"shop":"a` + "\x01" + `"}`, "\x01"},
			{`{"shop":"s"} }`, "}"},
		} {
			body := lead + c.body
			want := fmt.Sprintf("at byte %d:", strings.LastIndex(body, c.at))
			_, err := ParseCollectBatch([]byte(body))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%q: %v, want an error %s", body, err, want)
			}
		}
	}
}
