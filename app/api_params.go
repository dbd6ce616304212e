package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/funnelscope/funnelscope/app/funnel"
)

const (
	dateLayout       = "2006-01-02"
	defaultRangeDays = 30
	maxRangeDays     = 366
)

// shopLocation is the authenticated shop's time zone, in which every day
// the app counts or shows is a day (store.Settings.Location).
func (a *App) shopLocation(c echo.Context) (*time.Location, error) {
	shop := shopOf(c)
	set, err := a.store.Settings(c.Request().Context(), shop.ID)
	if err != nil {
		return nil, err
	}
	return set.Location(shop), nil
}

// today is the shop's today, the date of the app's clock in loc, as a
// calendar date (its year, month and day, at midnight UTC).
func (a *App) today(loc *time.Location) time.Time {
	y, m, d := a.now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dateRange reads from/to, inclusive calendar dates in the shop's time
// zone. Both default to the last 30 days ending the shop's today.
func (a *App) dateRange(c echo.Context) (funnel.DayRange, error) {
	loc, err := a.shopLocation(c)
	if err != nil {
		return funnel.DayRange{}, err
	}
	today := a.today(loc)
	to, from := today, today.AddDate(0, 0, -(defaultRangeDays-1))
	if v := c.QueryParam("to"); v != "" {
		if to, err = time.Parse(dateLayout, v); err != nil {
			return funnel.DayRange{}, fieldError("to", "to must be a date like 2026-11-24.")
		}
		if c.QueryParam("from") == "" {
			from = to.AddDate(0, 0, -(defaultRangeDays - 1))
		}
	}
	if v := c.QueryParam("from"); v != "" {
		if from, err = time.Parse(dateLayout, v); err != nil {
			return funnel.DayRange{}, fieldError("from", "from must be a date like 2026-11-01.")
		}
	}
	switch {
	case from.After(to):
		return funnel.DayRange{}, fieldError("from", "from must not be after to.")
	case to.Sub(from) >= maxRangeDays*24*time.Hour:
		return funnel.DayRange{}, fieldError("from", "The date range can span at most %d days.", maxRangeDays)
	}
	return funnel.NewDayRange(from, to, loc), nil
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
