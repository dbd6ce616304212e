package shopify

import (
	"github.com/go-json-experiment/json/jsontext"
)

// walker reads a /collect body in one pass over its bytes
// (ParseCollectBatch): it checks the syntax of every byte as RFC 8259
// has it (invalid UTF-8 inside strings allowed, as the former decoder's
// jsontext.AllowInvalidUTF8), refuses a repeated name in any object and
// nesting deeper than maxDepth, keeps what the accessors read and skips
// the rest without decoding it (customer_event_scan.go has the grammar).
type walker struct {
	b []byte
	// lead is how many bytes of the body came before b (whitespace),
	// for the offsets of errors.
	lead int
	// s is b as one string, so that a string value without escapes is a
	// substring of it rather than an allocation of its own.
	s     string
	pos   int
	depth int
	names nameStack
	// name and text are scratch space for names and strings that hold
	// escapes or invalid UTF-8, which must be unquoted (unquote).
	name, text []byte
}

func newWalker(b []byte, lead int) *walker {
	return &walker{b: b, lead: lead, s: string(b)}
}

// kind is the kind of the value the walker is at, by its first byte, as
// jsontext.Kind names them: '"', '0' (a number), '{', '[', 'n', 't', 'f';
// 0 at the end of the body or at a byte no value begins with.
type kind byte

func (w *walker) peek() kind {
	w.space()
	if w.pos >= len(w.b) {
		return 0
	}
	switch c := w.b[w.pos]; c {
	case '"', '{', '[', 'n', 't', 'f':
		return kind(c)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return '0'
	}
	return 0
}

// end checks that nothing but whitespace follows the top-level value.
func (w *walker) end() error {
	w.space()
	if w.pos < len(w.b) {
		return w.syntax("unexpected data after the batch's object")
	}
	return nil
}

// members reads the object the walker is at, calling each with every
// member's name (valid until the value is read), which must read or skip
// the member's value.
func (w *walker) members(each func(name []byte) error) error {
	if err := w.open('{'); err != nil {
		return err
	}
	w.names.push()
	if w.space(); w.at('}') {
		w.close()
		return nil
	}
	for {
		name, err := w.memberName()
		if err != nil {
			return err
		}
		if err := each(name); err != nil {
			return err
		}
		w.space()
		switch {
		case w.at(','):
			w.pos++
			w.space()
		case w.at('}'):
			w.close()
			return nil
		default:
			return w.unexpected("after an object's member (expecting ',' or '}')")
		}
	}
}

// memberName reads a member's name and its colon, refusing a name the
// object already has.
func (w *walker) memberName() ([]byte, error) {
	if !w.at('"') {
		return nil, w.unexpected("where an object's name begins (expecting '\"')")
	}
	start := w.pos
	name, verbatim, err := w.unquote(&w.name)
	if err != nil {
		return nil, err
	}
	if !w.names.insert(name, !verbatim) {
		return nil, w.syntaxAt(start, "duplicate name "+quoteForError(name)+" in an object")
	}
	if w.space(); !w.at(':') {
		return nil, w.unexpected("after an object's name (expecting ':')")
	}
	w.pos++
	return name, nil
}

// elements reads the array the walker is at, calling each for every
// element, which must read or skip it.
func (w *walker) elements(each func() error) error {
	if err := w.open('['); err != nil {
		return err
	}
	if w.space(); w.at(']') {
		w.close()
		return nil
	}
	for {
		if err := each(); err != nil {
			return err
		}
		w.space()
		switch {
		case w.at(','):
			w.pos++
		case w.at(']'):
			w.close()
			return nil
		default:
			return w.unexpected("after an array's element (expecting ',' or ']')")
		}
	}
}

// str reads a string value the walker is at: its text, a substring of
// the body when the string has no escape and is valid UTF-8.
func (w *walker) str() (string, error) {
	w.space()
	start := w.pos
	text, verbatim, err := w.unquote(&w.text)
	if verbatim {
		return w.s[start+1 : w.pos-1], nil
	}
	return string(text), err
}

// unquote reads the string the walker is at: its bytes between the
// quotes when they are its text (verbatim), else its text unquoted into
// scratch (invalid UTF-8 becomes U+FFFD, as with the former decoder).
func (w *walker) unquote(scratch *[]byte) (text []byte, verbatim bool, err error) {
	start := w.pos
	if verbatim, err = w.scanString(); err != nil {
		return nil, false, err
	}
	if verbatim {
		return w.b[start+1 : w.pos-1], true, nil
	}
	// The checked string's only possible error is the invalid UTF-8
	// allowed, already replaced.
	*scratch, _ = jsontext.AppendUnquote((*scratch)[:0], w.b[start:w.pos])
	return *scratch, false, nil
}

// number reads a number value the walker is at: its literal.
func (w *walker) number() (string, error) {
	w.space()
	start := w.pos
	if err := w.scanNumber(); err != nil {
		return "", err
	}
	return w.s[start:w.pos], nil
}

// envelope reads a member of the batch or of an event's envelope: its
// kind, and its text when it is a string (the checks come after the
// object, in a fixed order).
func (w *walker) envelope(f *envelopeField) error {
	f.kind = w.peek()
	if f.kind != '"' {
		return w.skip()
	}
	var err error
	f.text, err = w.str()
	return err
}

// looseMembers is a part of an event read leniently (customer_event_fields.go):
// member reads or skips the value of the member called name.
type looseMembers interface {
	member(w *walker, name []byte) error
}

// object reads into o the object the walker is at; any other value
// (null, a string, an array…) is skipped and leaves o as it was: absent.
func (w *walker) object(o looseMembers) error {
	if w.peek() != '{' {
		return w.skip()
	}
	return w.members(func(name []byte) error { return o.member(w, name) })
}

// looseString reads a string's text, or a number's literal; anything else
// is skipped and reads as "".
func (w *walker) looseString(s *looseString) error {
	var t string
	var err error
	switch w.peek() {
	case '"':
		t, err = w.str()
	case '0':
		t, err = w.number()
	default:
		return w.skip()
	}
	*s = looseString(t)
	return err
}

// looseInt reads a number, or a string holding one (looseIntOf); anything
// else reads as 0.
func (w *walker) looseInt(n *looseInt) error {
	var s looseString
	err := w.looseString(&s)
	*n = looseIntOf(string(s))
	return err
}

// looseAmount reads a money amount: a looseString with the shape of an
// amount (pixelAmount), else "".
func (w *walker) looseAmount(a *looseAmount) error {
	var s looseString
	err := w.looseString(&s)
	*a = looseAmountOf(s)
	return err
}
