package shopify

import (
	"fmt"
	"math"
)

// ParseMoney converts a decimal money string such as "19.99" or "-0.5" to
// minor units (hundredths): 1999, -50. Digits past the second decimal are
// rounded half away from zero ("1.005" → 101). Signs other than a leading
// "-", exponents, separators, spaces and empty parts are rejected.
func ParseMoney(s string) (int64, error) {
	orig := s
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("shopify: money %q: %s", truncateForError(orig), why)
	}
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg = true
		s = s[1:]
	}
	intPart, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			intPart, frac = s[:i], s[i+1:]
			break
		}
	}
	if intPart == "" {
		return bad("no integer digits")
	}
	if len(s) > len(intPart) && frac == "" {
		return bad("no digits after the decimal point")
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return bad("not a decimal number")
	}
	var units int64
	for i := 0; i < len(intPart); i++ {
		d := int64(intPart[i] - '0')
		if units > (math.MaxInt64/100-d)/10 {
			return bad("out of range")
		}
		units = units*10 + d
	}
	units *= 100
	cents := int64(0)
	for i := 0; i < 2; i++ {
		cents *= 10
		if i < len(frac) {
			cents += int64(frac[i] - '0')
		}
	}
	if units > math.MaxInt64-cents {
		return bad("out of range")
	}
	units += cents
	if len(frac) > 2 && frac[2] >= '5' {
		if units == math.MaxInt64 {
			return bad("out of range")
		}
		units++
	}
	if neg {
		units = -units
	}
	return units, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
