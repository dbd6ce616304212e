package store

import "time"

// sessionsIn is the condition, with its arguments, that picks the shop's
// sessions started in [start, end), a zero time leaving that side open: a
// range of shop-local days is funnel.DayRange's Start and End. Every query
// on a range of sessions (the tallies, their stage gaps, the list, the
// partial quarters of the rollups) starts from it, so they agree on which
// sessions a range holds.
func sessionsIn(shopID int64, start, end time.Time) (string, []any) {
	where, args := "shop_id = ?", []any{shopID}
	if !start.IsZero() {
		where, args = where+" AND started_at >= ?", append(args, utc(start))
	}
	if !end.IsZero() {
		where, args = where+" AND started_at < ?", append(args, utc(end))
	}
	return where, args
}
