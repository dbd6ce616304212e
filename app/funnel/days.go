package funnel

import "time"

// DayRange is a run of calendar days as a shop sees them in its time zone:
// the days from its first to its last, both included. A session belongs to
// the local day on which it started.
//
// Its instants are half-open, [Start, End): each bound is the first instant
// of a local day, found for that day in the location, never by adding 24
// hours, so a day across a daylight-saving change is 23 or 25 hours long
// and still holds exactly the sessions that started on it locally.
type DayRange struct {
	first, last civilDay
	loc         *time.Location
}

// civilDay is a calendar date as days since 1970-01-01, independent of any
// location, so that date arithmetic never meets a daylight-saving change.
type civilDay int64

func civilOf(y int, m time.Month, d int) civilDay {
	return civilDay(floorDiv(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix(), 86400))
}

func (c civilDay) date() (int, time.Month, int) {
	return time.Unix(int64(c)*86400, 0).UTC().Date()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// NewDayRange is the days from from to to, both included, in loc (nil is
// UTC). from and to are read as calendar dates: their year, month and day
// in their own location. A to before from gives an empty range.
func NewDayRange(from, to time.Time, loc *time.Location) DayRange {
	if loc == nil {
		loc = time.UTC
	}
	return DayRange{first: civilOf(from.Date()), last: civilOf(to.Date()), loc: loc}
}

// Location is the range's time zone (UTC for the zero DayRange).
func (r DayRange) Location() *time.Location {
	if r.loc == nil {
		return time.UTC
	}
	return r.loc
}

// Len is the number of days in the range.
func (r DayRange) Len() int { return max(int(r.last-r.first)+1, 0) }

// Last is the range's last day, as the instant it begins.
func (r DayRange) Last() time.Time { return dayStart(r.last, r.Location()) }

// Start is the first instant of the range: its first day's start.
func (r DayRange) Start() time.Time { return dayStart(r.first, r.Location()) }

// End is the first instant after the range: the start of the day after its
// last.
func (r DayRange) End() time.Time { return dayStart(r.last+1, r.Location()) }

// Elapsed is how much of the range has passed at now: from its start to its
// end, or to now while it has not ended (it may end today, partway through
// the day); 0 for a range that has not begun. Its days are the zone's, a
// daylight-saving day's 23 or 25 hours included.
func (r DayRange) Elapsed(now time.Time) time.Duration {
	end := r.End()
	if now.Before(end) {
		end = now
	}
	return max(end.Sub(r.Start()), 0)
}

// Days returns each day of the range as the instant it begins, in the
// range's location (so that Format gives the local date); the slice is new
// on every call.
func (r DayRange) Days() []time.Time {
	out := make([]time.Time, 0, r.Len())
	for c := r.first; c <= r.last; c++ {
		out = append(out, dayStart(c, r.Location()))
	}
	return out
}

// Index returns which day of the range (0 for the first) holds the
// instant t, and false when t falls outside the range.
func (r DayRange) Index(t time.Time) (int, bool) {
	c := civilOf(t.In(r.Location()).Date())
	if c < r.first || c > r.last {
		return 0, false
	}
	return int(c - r.first), true
}

// dayStart is the first instant of the calendar day c in loc. That is
// local midnight, except where midnight is skipped or repeated by a
// daylight-saving change, for which time.Date does not promise which
// instant it gives: in a zone that springs forward at 00:00
// (America/Havana, America/Santiago) the day begins at the transition, and
// in one that falls back from 01:00 to 00:00 (Asia/Gaza) at the first of
// the two midnights.
func dayStart(c civilDay, loc *time.Location) time.Time {
	y, m, d := c.date()
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if civilOf(t.Date()) < c {
		_, end := t.ZoneBounds()
		return end
	}
	if start, _ := t.ZoneBounds(); !start.IsZero() {
		if before := start.Add(-time.Nanosecond); civilOf(before.Date()) == c {
			_, offset := before.Zone()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(-time.Duration(offset) * time.Second).In(loc)
		}
	}
	return t
}
