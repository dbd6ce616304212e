package funnel

import (
	"math"
	"strconv"
)

// FormatMoney writes an amount in minor units (hundredths) as a decimal
// string with two places, "31250.00" or "-0.05", the way Shopify writes
// money and the report JSON carries it: a string, so no float ever rounds it.
func FormatMoney(minor int64) string {
	// Work on the magnitude as uint64: -math.MinInt64 does not fit in int64.
	mag := uint64(minor)
	sign := ""
	if minor < 0 {
		mag = -mag
		sign = "-"
	}
	cents := mag % 100
	s := sign + strconv.FormatUint(mag/100, 10) + "."
	if cents < 10 {
		s += "0"
	}
	return s + strconv.FormatUint(cents, 10)
}

// MoneyError is the error ParseMoney returns; a type rather than a sentinel
// variable so the package holds no mutable state.
type MoneyError struct {
	Input  string // the string that was rejected
	Reason string
}

// Error reports the rejected input and why.
func (e *MoneyError) Error() string {
	return "funnel: money " + strconv.Quote(e.Input) + ": " + e.Reason
}

// ParseMoney reads a decimal amount such as "19.99", "1000", "0.5" or
// "-3.10" into minor units. Digits beyond the second decimal round half away
// from zero. It rejects the empty string, spaces,
// exponents, a bare "." or sign, and amounts that overflow int64, with a *MoneyError.
func ParseMoney(s string) (int64, error) {
	fail := func(why string) (int64, error) {
		return 0, &MoneyError{Input: s, Reason: why}
	}
	rest := s
	neg := false
	if len(rest) > 0 && (rest[0] == '-' || rest[0] == '+') {
		neg = rest[0] == '-'
		rest = rest[1:]
	}
	intPart, frac := rest, ""
	for i := 0; i < len(rest); i++ {
		if rest[i] == '.' {
			intPart, frac = rest[:i], rest[i+1:]
			if frac == "" {
				return fail("no digits after the decimal point")
			}
			break
		}
	}
	if intPart == "" {
		return fail("no digits before the decimal point")
	}
	// The magnitude may reach 2^63 for a negative amount (math.MinInt64).
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var mag uint64
	add := func(d byte) bool {
		if mag > (limit-uint64(d))/10 {
			return false
		}
		mag = mag*10 + uint64(d)
		return true
	}
	for i := 0; i < len(intPart); i++ {
		c := intPart[i]
		if c < '0' || c > '9' {
			return fail("not a decimal number")
		}
		if !add(c - '0') {
			return fail("out of range")
		}
	}
	for i := 0; i < len(frac); i++ {
		if c := frac[i]; c < '0' || c > '9' {
			return fail("not a decimal number")
		}
	}
	for i := range 2 {
		d := byte(0)
		if i < len(frac) {
			d = frac[i] - '0'
		}
		if !add(d) {
			return fail("out of range")
		}
	}
	// Half away from zero: the third decimal alone decides, because a 5
	// there means the dropped part is at least one half.
	if len(frac) > 2 && frac[2] >= '5' {
		if mag == limit {
			return fail("out of range")
		}
		mag++
	}
	if neg {
		return int64(-mag), nil
	}
	return int64(mag), nil
}

// Bounds of what one cart, checkout or order can plausibly hold. A payload
// past them is not a real purchase; it would overflow the sessions table's
// 32-bit item_count, or make sums of session values wrap around.
const (
	// MaxQuantity is the largest quantity of one line.
	MaxQuantity = 1_000_000
	// MaxItems is the largest number of items of one snapshot, all its
	// lines together.
	MaxItems = 10_000_000
	// MaxAmount is the largest amount, in minor units, of one price, line
	// or total: 100 billion units of the currency, which covers the
	// largest orders in currencies of many digits (a few million US
	// dollars in Indonesian rupiah) and leaves room to sum over 900,000
	// such sessions within int64.
	MaxAmount int64 = 10_000_000_000_000
)

// ParseAmount reads a price or total with ParseMoney and refuses, with a
// *MoneyError, an amount below zero or above MaxAmount: Shopify's prices
// and totals are never negative.
func ParseAmount(s string) (int64, error) {
	v, err := ParseMoney(s)
	if err != nil {
		return 0, err
	}
	if why := amountProblem(v); why != "" {
		return 0, &MoneyError{Input: s, Reason: why}
	}
	return v, nil
}

// CheckAmount returns a *MoneyError when v, in minor units, is below zero
// or above MaxAmount: the bounds of ParseAmount, for amounts computed from
// others (a line's price × quantity, a cart's sum of lines).
func CheckAmount(v int64) error {
	if why := amountProblem(v); why != "" {
		return &MoneyError{Input: FormatMoney(v), Reason: why}
	}
	return nil
}

func amountProblem(v int64) string {
	switch {
	case v < 0:
		return "negative"
	case v > MaxAmount:
		return "above " + FormatMoney(MaxAmount) + ", the largest plausible amount"
	}
	return ""
}

// MulAmount returns a × b, and false when the product does not fit in an
// int64.
func MulAmount(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	// The sign test catches math.MinInt64 × -1, whose quotient check
	// passes: the product wraps to math.MinInt64 and divides back exactly.
	if (c < 0) != ((a < 0) != (b < 0)) || c/b != a {
		return 0, false
	}
	return c, true
}

// AddAmount returns a + b, and false when the sum does not fit in an int64.
func AddAmount(a, b int64) (int64, bool) {
	c := a + b
	if (a > 0 && b > 0 && c < 0) || (a < 0 && b < 0 && c >= 0) {
		return 0, false
	}
	return c, true
}
