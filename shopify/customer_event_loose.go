package shopify

import (
	"math"
	"regexp"
	"strconv"
)

// The loose types hold what the pixel's context, data and customData
// carry, read without ever failing on a field's type (walker.object,
// looseString, looseInt, looseAmount): the pixel forwards what Shopify
// gave it, and one odd field must not cost the shopper's whole batch.
// Each reads as absent when the JSON is not what it expects.

// loose holds a T read from an object (or, for a slice, an array); any
// other JSON leaves it zero.
type loose[T any] struct{ V T }

// looseString is a JSON string's text; a number keeps its literal, and
// anything else reads as "".
type looseString string

// looseInt is a JSON number (truncated towards zero, within int64) or a
// string holding one; anything else reads as 0.
type looseInt int64

// looseIntOf is the looseInt of a number's literal or a string's text.
func looseIntOf(text string) looseInt {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || f >= math.MaxInt64 || f <= math.MinInt64 {
		return 0
	}
	return looseInt(f)
}

// pixelAmount is the shape of a pixel's amount: a decimal, with up to 20
// decimals since the pixel sends JSON numbers that a float may have
// written long (0.30000000000000004); funnel.ParseMoney rounds them.
var pixelAmount = regexp.MustCompile(`\A-?[0-9]{1,18}(\.[0-9]{1,20})?\z`)

// looseAmount is a money amount: a JSON number's literal or a string's
// text when it has the shape of an amount (pixelAmount), else "".
type looseAmount string

// looseAmountOf is s when it has the shape of an amount, else "".
func looseAmountOf(s looseString) looseAmount {
	if pixelAmount.MatchString(string(s)) {
		return looseAmount(s)
	}
	return ""
}
