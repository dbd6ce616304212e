package shopify

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// walker reads a /collect body as one stream of JSON tokens
// (ParseCollectBatch): the decoder checks the syntax of every byte, and
// refuses a repeated name in any object, as it goes; the walker keeps
// what the accessors read and skips the rest without decoding it.
type walker struct {
	d *jsontext.Decoder
	// name and text are scratch space for names and strings that hold
	// escapes or invalid UTF-8, which must be unquoted.
	name, text []byte
}

func newWalker(body []byte) *walker {
	// A bytes.Buffer is read in place, not copied.
	return &walker{d: jsontext.NewDecoder(bytes.NewBuffer(body), jsontext.AllowInvalidUTF8(true))}
}

// errTrailing is the error of a body with more after its object.
var errTrailing = errors.New("unexpected data after the batch's object")

// end checks that nothing but whitespace follows the top-level value.
func (w *walker) end() error {
	_, err := w.d.ReadValue()
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return err
	}
	return errTrailing
}

func (w *walker) skip() error { return w.d.SkipValue() }

// members reads the object the decoder is at, calling each with every
// member's name (valid until the value is read), which must read or skip
// the member's value.
func (w *walker) members(each func(name []byte) error) error {
	if _, err := w.d.ReadToken(); err != nil {
		return err
	}
	for w.d.PeekKind() != '}' {
		v, err := w.d.ReadValue()
		if err != nil {
			return err
		}
		if v.Kind() != '"' {
			// Unreachable: the decoder reads only a string where a name
			// goes; kept so that no misstep can read a value as a name.
			return errors.New("object name is not a string")
		}
		var name []byte
		name, w.name = unquoted(v, w.name)
		if err := each(name); err != nil {
			return err
		}
	}
	_, err := w.d.ReadToken()
	return err
}

// elements reads the array the decoder is at, calling each for every
// element, which must read or skip it.
func (w *walker) elements(each func() error) error {
	if _, err := w.d.ReadToken(); err != nil {
		return err
	}
	for w.d.PeekKind() != ']' {
		if err := each(); err != nil {
			return err
		}
	}
	_, err := w.d.ReadToken()
	return err
}

// unquoted is the text of the JSON string v: v's own bytes when it has no
// escape and is valid UTF-8, else unquoted into scratch (invalid UTF-8
// becomes U+FFFD, as the decoder's own strings do).
func unquoted(v jsontext.Value, scratch []byte) (text, newScratch []byte) {
	raw := v[1 : len(v)-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return raw, scratch
	}
	// The decoder has checked the string, so the only error possible is
	// the invalid UTF-8 the options allow, already replaced.
	scratch, _ = jsontext.AppendUnquote(scratch[:0], v)
	return scratch, scratch
}

// str reads a string value the decoder is at.
func (w *walker) str() (string, error) {
	v, err := w.d.ReadValue()
	if err != nil {
		return "", err
	}
	var text []byte
	text, w.text = unquoted(v, w.text)
	return string(text), nil
}

// envelope reads a member of the batch or of an event's envelope: its
// kind, and its text when it is a string (the checks come after the
// object, in a fixed order).
func (w *walker) envelope(f *envelopeField) error {
	f.kind = w.d.PeekKind()
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

// object reads into o the object the decoder is at; any other value
// (null, a string, an array…) is skipped and leaves o as it was: absent.
func (w *walker) object(o looseMembers) error {
	if w.d.PeekKind() != '{' {
		return w.skip()
	}
	return w.members(func(name []byte) error { return o.member(w, name) })
}

// looseString reads a string's text, or a number's literal; anything else
// is skipped and reads as "".
func (w *walker) looseString(s *looseString) error {
	switch w.d.PeekKind() {
	case '"':
		t, err := w.str()
		*s = looseString(t)
		return err
	case '0':
		v, err := w.d.ReadValue()
		*s = looseString(v)
		return err
	}
	return w.skip()
}

// looseInt reads a number, or a string holding one (looseIntOf); anything
// else reads as 0.
func (w *walker) looseInt(n *looseInt) error {
	switch w.d.PeekKind() {
	case '"':
		t, err := w.str()
		*n = looseIntOf(t)
		return err
	case '0':
		v, err := w.d.ReadValue()
		*n = looseIntOf(string(v))
		return err
	}
	return w.skip()
}

// looseAmount reads a money amount: a looseString with the shape of an
// amount (pixelAmount), else "".
func (w *walker) looseAmount(a *looseAmount) error {
	var s looseString
	err := w.looseString(&s)
	*a = looseAmountOf(s)
	return err
}
