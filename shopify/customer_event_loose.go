package shopify

import (
	"math"
	"regexp"
	"strconv"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The loose types decode what the pixel's context, data and customData
// carry without ever failing on a field's type: the pixel forwards what
// Shopify gave it, and one odd field must not cost the shopper's whole
// batch. Each reads as absent when the JSON is not what it expects.

// looseOpts are the decoding options inside loose values: repeated names
// and invalid UTF-8 are tolerated (the strings are cleaned when read).
var looseOpts = jsonv2.JoinOptions(jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))

// loose holds a T decoded from an object or array; any other JSON, or a
// value T cannot hold, leaves it zero.
type loose[T any] struct{ V T }

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (l *loose[T]) UnmarshalJSON(b []byte) error {
	var v T
	if jsonv2.Unmarshal(b, &v, looseOpts) == nil {
		l.V = v
	}
	return nil
}

// looseString is a JSON string's text; a number keeps its literal, and
// anything else reads as "".
type looseString string

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (s *looseString) UnmarshalJSON(b []byte) error {
	*s = ""
	switch jsontext.Value(b).Kind() {
	case '"':
		var v string
		if jsonv2.Unmarshal(b, &v, looseOpts) == nil {
			*s = looseString(v)
		}
	case '0':
		*s = looseString(b)
	}
	return nil
}

// looseInt is a JSON number (truncated towards zero, within int64) or a
// string holding one; anything else reads as 0.
type looseInt int64

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (n *looseInt) UnmarshalJSON(b []byte) error {
	*n = 0
	text := string(b)
	if jsontext.Value(b).Kind() == '"' {
		var s string
		if jsonv2.Unmarshal(b, &s, looseOpts) != nil {
			return nil
		}
		text = s
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || f >= math.MaxInt64 || f <= math.MinInt64 {
		return nil
	}
	*n = looseInt(f)
	return nil
}

// pixelAmount is the shape of a pixel's amount: a decimal, with up to 20
// decimals since the pixel sends JSON numbers that a float may have
// written long (0.30000000000000004); funnel.ParseMoney rounds them.
var pixelAmount = regexp.MustCompile(`\A-?[0-9]{1,18}(\.[0-9]{1,20})?\z`)

// looseAmount is a money amount: a JSON number's literal or a string's
// text when it has the shape of an amount (pixelAmount), else "".
type looseAmount string

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (a *looseAmount) UnmarshalJSON(b []byte) error {
	var s looseString
	_ = s.UnmarshalJSON(b)
	*a = ""
	if pixelAmount.MatchString(string(s)) {
		*a = looseAmount(s)
	}
	return nil
}
