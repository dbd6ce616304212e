package shopify

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The grammar of the walker (customer_event_walk.go): RFC 8259's JSON,
// checked byte by byte. What it accepts and refuses is held to the former
// jsontext decoder's by FuzzParseCollectBatchDifferential.

// maxDepth is the deepest nesting of arrays and objects accepted, the
// former decoder's limit.
const maxDepth = 10000

// syntaxError is a body that is not well-formed JSON: what is wrong, at
// which byte of the body.
type syntaxError struct {
	offset int
	what   string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.offset, e.what)
}

// syntax is the error of what is wrong where the walker is; syntaxAt,
// at the byte pos of b.
func (w *walker) syntax(what string) error { return w.syntaxAt(w.pos, what) }

func (w *walker) syntaxAt(pos int, what string) error {
	return &syntaxError{offset: w.lead + pos, what: what}
}

// unexpected is the error of the byte the walker is at, or of the body's
// end, where the grammar wants something else.
func (w *walker) unexpected(where string) error {
	if w.pos >= len(w.b) {
		return w.syntax("the body ends early")
	}
	return w.syntax("unexpected " + quoteForError(w.b[w.pos:w.pos+1]) + " " + where)
}

// space skips JSON's whitespace.
func (w *walker) space() {
	b, i := w.b, w.pos
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	w.pos = i
}

// at is whether the walker is at the byte c.
func (w *walker) at(c byte) bool { return w.pos < len(w.b) && w.b[w.pos] == c }

// open steps into the array or object whose opening bracket c the walker
// is at.
func (w *walker) open(c byte) error {
	if w.space(); !w.at(c) {
		return w.unexpected("(expecting " + strconv.QuoteRune(rune(c)) + ")")
	}
	if w.depth++; w.depth > maxDepth {
		return w.syntax(fmt.Sprintf("nested deeper than %d", maxDepth))
	}
	w.pos++
	return nil
}

// close steps out of the array or object whose closing bracket the
// walker is at.
func (w *walker) close() {
	if w.b[w.pos] == '}' {
		w.names.pop()
	}
	w.depth--
	w.pos++
}

// skip checks the value the walker is at and steps over it.
func (w *walker) skip() error {
	switch w.peek() {
	case '"':
		_, err := w.scanString()
		return err
	case '0':
		return w.scanNumber()
	case '{':
		return w.members(func([]byte) error { return w.skip() })
	case '[':
		return w.elements(w.skip)
	case 'n':
		return w.literal("null")
	case 't':
		return w.literal("true")
	case 'f':
		return w.literal("false")
	}
	return w.unexpected("where a value begins")
}

func (w *walker) literal(word string) error {
	if len(w.b)-w.pos < len(word) || string(w.b[w.pos:w.pos+len(word)]) != word {
		return w.syntax("not a JSON value (expecting " + word + ")")
	}
	w.pos += len(word)
	return nil
}

// scanString steps over the string the walker is at, and tells whether
// its text is its bytes as they are: no escape, valid UTF-8.
func (w *walker) scanString() (verbatim bool, err error) {
	b, start := w.b, w.pos
	i := start + 1 // after the opening quote
	escaped := false
	var high byte // every byte of the string or'ed: ASCII below 0x80
	for {
		// Any byte but a quote, a backslash and a control character is
		// taken as it is, invalid UTF-8 included: eight at a time while
		// they are plain ASCII, then one at a time.
		for i+8 <= len(b) && plain8(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		for i < len(b) && b[i] >= ' ' && b[i] != '"' && b[i] != '\\' {
			high |= b[i]
			i++
		}
		switch {
		case i >= len(b):
			w.pos = i
			return false, w.syntax("the body ends within a string")
		case b[i] == '"':
			w.pos = i + 1
			return !escaped && (high < utf8.RuneSelf || utf8.Valid(b[start+1:i])), nil
		case b[i] == '\\':
			escaped = true
			w.pos = i
			if err := w.scanEscape(); err != nil {
				return false, err
			}
			i = w.pos
		default:
			w.pos = i
			return false, w.syntax("control character " + strconv.QuoteRune(rune(b[i])) + " in a string")
		}
	}
}

// scanEscape steps over the escape sequence the walker is at. A \u
// escape of a lone surrogate is allowed, as invalid UTF-8 is.
func (w *walker) scanEscape() error {
	if w.pos+1 >= len(w.b) {
		return w.syntax("the body ends within a string")
	}
	switch w.b[w.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		w.pos += 2
		return nil
	case 'u':
		if len(w.b)-w.pos < 6 {
			return w.syntax("the body ends within a string")
		}
		for _, h := range w.b[w.pos+2 : w.pos+6] {
			if !isHex(h) {
				return w.syntax("invalid escape " + quoteForError(w.b[w.pos:w.pos+6]) + " in a string")
			}
		}
		w.pos += 6
		return nil
	}
	return w.syntax("invalid escape " + quoteForError(w.b[w.pos:w.pos+2]) + " in a string")
}

// plain8 is whether the eight bytes of x are all printable ASCII other
// than a quote and a backslash (the tests of a byte below a bound and of
// a byte equal to one, done on all eight at once).
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := x^(ones*'"'), x^(ones*'\\')
	return (x|(x-ones*' ')&^x|(q-ones)&^q|(bs-ones)&^bs)&highs == 0
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// scanNumber steps over the number the walker is at:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (w *walker) scanNumber() error {
	if w.at('-') {
		w.pos++
	}
	switch {
	case w.at('0'):
		w.pos++
	case w.pos < len(w.b) && '1' <= w.b[w.pos] && w.b[w.pos] <= '9':
		w.digits()
	default:
		return w.unexpected("in a number (expecting a digit)")
	}
	if w.at('.') {
		w.pos++
		if !w.digits() {
			return w.unexpected("after a number's decimal point (expecting a digit)")
		}
	}
	if w.at('e') || w.at('E') {
		w.pos++
		if w.at('+') || w.at('-') {
			w.pos++
		}
		if !w.digits() {
			return w.unexpected("in a number's exponent (expecting a digit)")
		}
	}
	return nil
}

// digits steps over a run of digits and tells whether there was one.
func (w *walker) digits() bool {
	start := w.pos
	for w.pos < len(w.b) && '0' <= w.b[w.pos] && w.b[w.pos] <= '9' {
		w.pos++
	}
	return w.pos > start
}

// nameStack holds the names of every object open, for the check that no
// object repeats one: the innermost object's names are those from its
// mark on. An object of many names is checked through a map instead.
type nameStack struct {
	names [][]byte
	marks []nameMark
}

type nameMark struct {
	start int
	// seen has the bit of every name's nameBit: a name whose bit is not
	// set is new without a scan.
	seen uint64
	set  map[string]struct{}
}

// nameBit is a cheap hash of a name onto one of 64 bits.
func nameBit(name []byte) uint64 {
	h := uint(len(name))
	if len(name) > 0 {
		h = h*31 + uint(name[0])*7 + uint(name[len(name)-1])
	}
	return 1 << (h & 63)
}

// linearNames is how many names an object holds before its check turns
// from a scan of them to a map.
const linearNames = 32

func (s *nameStack) push() { s.marks = append(s.marks, nameMark{start: len(s.names)}) }

func (s *nameStack) pop() {
	top := s.marks[len(s.marks)-1]
	s.names = s.names[:top.start]
	s.marks = s.marks[:len(s.marks)-1]
}

// insert adds name to the innermost object's names (a copy when owned,
// the caller's scratch) and tells whether it was not already there.
func (s *nameStack) insert(name []byte, owned bool) bool {
	top := &s.marks[len(s.marks)-1]
	if top.set != nil {
		if _, ok := top.set[string(name)]; ok {
			return false
		}
		top.set[string(name)] = struct{}{}
		return true
	}
	bit := nameBit(name)
	if top.seen&bit != 0 {
		for _, n := range s.names[top.start:] {
			if string(n) == string(name) {
				return false
			}
		}
	}
	top.seen |= bit
	if len(s.names)-top.start == linearNames {
		top.set = make(map[string]struct{}, 2*linearNames)
		for _, n := range s.names[top.start:] {
			top.set[string(n)] = struct{}{}
		}
		top.set[string(name)] = struct{}{}
		return true
	}
	if owned {
		name = append([]byte(nil), name...)
	}
	s.names = append(s.names, name)
	return true
}
