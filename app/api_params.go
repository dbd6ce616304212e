package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

const (
	dateLayout       = "2006-01-02"
	defaultRangeDays = 30
	maxRangeDays     = 366
)

// dateRange reads from/to (inclusive calendar dates, UTC). Both default to
// the last 30 days ending today.
func (a *App) dateRange(c echo.Context) (from, to time.Time, err error) {
	today := a.now().UTC().Truncate(24 * time.Hour)
	to, from = today, today.AddDate(0, 0, -(defaultRangeDays-1))
	if v := c.QueryParam("to"); v != "" {
		if to, err = time.Parse(dateLayout, v); err != nil {
			return from, to, fieldError("to", "to must be a date like 2026-11-24.")
		}
		if c.QueryParam("from") == "" {
			from = to.AddDate(0, 0, -(defaultRangeDays - 1))
		}
	}
	if v := c.QueryParam("from"); v != "" {
		if from, err = time.Parse(dateLayout, v); err != nil {
			return from, to, fieldError("from", "from must be a date like 2026-11-01.")
		}
	}
	switch {
	case from.After(to):
		return from, to, fieldError("from", "from must not be after to.")
	case to.Sub(from) >= maxRangeDays*24*time.Hour:
		return from, to, fieldError("from", "The date range can span at most %d days.", maxRangeDays)
	}
	return from, to, nil
}

// rangeElapsed is how much of the inclusive date range [from, to] has
// passed at now: from the start of from's day to the end of to's, or to
// now while the range has not ended (it may end today, partway through
// the day); 0 for a range that has not begun. The dates are read in their
// own location, so a range of a shop's local days measures those days,
// a daylight-saving change included.
func rangeElapsed(from, to, now time.Time) time.Duration {
	y, m, d := from.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, from.Location())
	y, m, d = to.Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, to.Location())
	if now.Before(end) {
		end = now
	}
	return max(end.Sub(start), 0)
}

// intParam reads an optional positive integer query parameter.
func intParam(c echo.Context, name string, def, max int) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, &Error{Status: http.StatusBadRequest, Field: name,
			Message: name + " must be a whole number from 1 to " + strconv.Itoa(max) + "."}
	}
	return n, nil
}
