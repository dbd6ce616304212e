package shopify

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// QueryTimestampTolerance is how far a signed query's timestamp may be from
// the current time (the value shopify-app-js uses).
const QueryTimestampTolerance = 90 * time.Second

// CheckTimestamp checks that q carries exactly one timestamp parameter, an
// integer number of Unix seconds within tolerance of now (either side). The
// error wraps ErrBadTimestamp.
func CheckTimestamp(q url.Values, now time.Time, tolerance time.Duration) error {
	vs := q["timestamp"]
	switch len(vs) {
	case 0:
		return fmt.Errorf("%w: missing", ErrBadTimestamp)
	case 1:
	default:
		return fmt.Errorf("%w: repeated", ErrBadTimestamp)
	}
	s := vs[0]
	if s == "" || len(s) > 18 {
		return fmt.Errorf("%w: not an integer", ErrBadTimestamp)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%w: not an integer", ErrBadTimestamp)
		}
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: not an integer", ErrBadTimestamp)
	}
	diff := now.Sub(time.Unix(sec, 0))
	if diff < 0 {
		diff = -diff
	}
	if diff > tolerance {
		return fmt.Errorf("%w: outside the %s tolerance", ErrBadTimestamp, tolerance)
	}
	return nil
}
