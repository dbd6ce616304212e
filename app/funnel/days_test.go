package funnel

import (
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, on hosts without zoneinfo
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utcAt(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestDayRangeBounds checks each day's first instant where a naive
// midnight-plus-24h would be wrong: daylight-saving changes, half- and
// three-quarter-hour offsets, and zones where midnight does not exist.
func TestDayRangeBounds(t *testing.T) {
	for _, tc := range []struct {
		zone       string
		day        time.Time
		start, end string
	}{
		{"UTC", date(2026, 11, 24), "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"},
		// Spring forward: a 23-hour day; fall back: a 25-hour one.
		{"America/New_York", date(2026, 3, 8), "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"},
		{"America/New_York", date(2026, 11, 1), "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z"},
		{"Asia/Kolkata", date(2026, 11, 24), "2026-11-23T18:30:00Z", "2026-11-24T18:30:00Z"},
		{"Asia/Kathmandu", date(2026, 11, 24), "2026-11-23T18:15:00Z", "2026-11-24T18:15:00Z"},
		// Chatham's daylight saving starts on the last Sunday of September
		// at 02:45 (+12:45 to +13:45).
		{"Pacific/Chatham", date(2026, 9, 27), "2026-09-26T11:15:00Z", "2026-09-27T10:15:00Z"},
		// Havana and Santiago spring forward at midnight: the day begins at
		// 01:00, not at an instant of the evening before.
		{"America/Havana", date(2026, 3, 8), "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"},
		{"America/Santiago", date(2026, 9, 6), "2026-09-06T04:00:00Z", "2026-09-07T03:00:00Z"},
		// Gaza fell back from 01:00 to 00:00: the day begins at the first
		// midnight, and lasts 25 hours.
		{"Asia/Gaza", date(2020, 10, 24), "2020-10-23T21:00:00Z", "2020-10-24T22:00:00Z"},
	} {
		r := NewDayRange(tc.day, tc.day, mustZone(t, tc.zone))
		if got, want := r.Start(), utcAt(tc.start); !got.Equal(want) {
			t.Errorf("%s %s: Start = %s, want %s", tc.zone, tc.day.Format("2006-01-02"), got.UTC(), want)
		}
		if got, want := r.End(), utcAt(tc.end); !got.Equal(want) {
			t.Errorf("%s %s: End = %s, want %s", tc.zone, tc.day.Format("2006-01-02"), got.UTC(), want)
		}
		if days := r.Days(); r.Len() != 1 || len(days) != 1 || days[0].Format("2006-01-02") != tc.day.Format("2006-01-02") {
			t.Errorf("%s: Len %d, Days %v", tc.zone, r.Len(), days)
		}
		for _, probe := range []struct {
			at time.Time
			in bool
		}{{r.Start(), true}, {r.End().Add(-time.Nanosecond), true}, {r.Start().Add(-time.Nanosecond), false}, {r.End(), false}} {
			if _, ok := r.Index(probe.at); ok != probe.in {
				t.Errorf("%s: Index(%s) in range = %v, want %v", tc.zone, probe.at.UTC(), ok, probe.in)
			}
		}
	}
}

// tzZones are zones with unusual offsets or daylight-saving rules.
var tzZones = []string{"UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham",
	"Australia/Lord_Howe", "Australia/Eucla", "America/St_Johns", "Asia/Tehran", "Pacific/Marquesas",
	"America/Havana", "America/Santiago", "Antarctica/Troll", "Pacific/Kiritimati", "Pacific/Pago_Pago",
	"Europe/Dublin", "Africa/Casablanca", "Asia/Gaza"}

// TestDayRangeLaws checks, over random ranges and instants in many zones,
// that the days tile [Start, End) without gap or overlap, that Index puts
// each instant in the day whose bounds hold it, and that the day is the
// instant's local date.
func TestDayRangeLaws(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 23))
	for _, name := range tzZones {
		loc := mustZone(t, name)
		for range 200 {
			first := date(2020, 1, 1).AddDate(0, 0, rng.IntN(3650))
			r := NewDayRange(first, first.AddDate(0, 0, rng.IntN(40)), loc)
			days := r.Days()
			if len(days) != r.Len() || !days[0].Equal(r.Start()) || !r.Last().Equal(days[len(days)-1]) {
				t.Fatalf("%s: Days %v against Len %d, Start %s, Last %s", name, days, r.Len(), r.Start(), r.Last())
			}
			for i, d := range days {
				next := r.End()
				if i+1 < len(days) {
					next = days[i+1]
				}
				if l := next.Sub(d); l < 22*time.Hour || l > 26*time.Hour {
					t.Fatalf("%s: day %s lasts %s", name, d.Format("2006-01-02"), l)
				}
				if d.In(loc).Format("2006-01-02") != first.AddDate(0, 0, i).Format("2006-01-02") {
					t.Fatalf("%s: day %d starts at %s, local date not %s", name, i, d, first.AddDate(0, 0, i).Format("2006-01-02"))
				}
				if d.Add(-time.Nanosecond).In(loc).Format("2006-01-02") == d.In(loc).Format("2006-01-02") {
					t.Fatalf("%s: the instant before %s is on the same local day", name, d)
				}
			}
			span := r.End().Sub(r.Start())
			at := r.Start().Add(time.Duration(rng.Int64N(int64(span) + int64(48*time.Hour)))).Add(-24 * time.Hour)
			i, ok := r.Index(at)
			if inside := !at.Before(r.Start()) && at.Before(r.End()); ok != inside {
				t.Fatalf("%s: Index(%s) ok = %v, inside [%s, %s) = %v", name, at, ok, r.Start(), r.End(), inside)
			}
			if !ok {
				continue
			}
			next := r.End()
			if i+1 < len(days) {
				next = days[i+1]
			}
			if at.Before(days[i]) || !at.Before(next) || at.In(loc).Format("2006-01-02") != days[i].In(loc).Format("2006-01-02") {
				t.Fatalf("%s: Index(%s) = %d, a day from %s to %s", name, at, i, days[i], next)
			}
		}
	}
}

// TestDayBoundsAreQuarterHours is the assumption the store's rollups rest
// on (store/rollups.go): in every zone, each local day since 2000 begins
// on a whole UTC quarter-hour, so a day is a whole number of quarters.
func TestDayBoundsAreQuarterHours(t *testing.T) {
	for _, name := range tzZones {
		r := NewDayRange(date(2000, 1, 1), date(2039, 12, 31), mustZone(t, name))
		for _, d := range r.Days() {
			if d.Unix()%900 != 0 {
				t.Fatalf("%s: %s begins at %s, not on a quarter-hour", name, d.Format("2006-01-02"), d.UTC())
			}
		}
	}
}

func TestDayRangeAcrossChange(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	month := NewDayRange(date(2026, 10, 25), date(2026, 11, 23), ny)
	if month.Len() != 30 || month.Start().Format("2006-01-02") != "2026-10-25" || month.Last().Format("2006-01-02") != "2026-11-23" {
		t.Errorf("30 days = %s..%s (%d)", month.Start(), month.Last(), month.Len())
	}
	// The range crosses the fall-back change: 29 days of 24 hours and one of 25.
	if h := month.End().Sub(month.Start()); h != 30*24*time.Hour+time.Hour {
		t.Errorf("30 days across the change last %s", h)
	}
	// A late-evening instant in New York is already the next day in UTC.
	if i, ok := month.Index(utcAt("2026-11-24T03:00:00Z")); !ok || i != 29 {
		t.Errorf("Index(2026-11-24T03:00Z) = %d, %v; want the last day, 2026-11-23", i, ok)
	}
	if u := NewDayRange(date(2026, 11, 24), date(2026, 11, 24), nil); u.Location() != time.UTC || !u.Start().Equal(utcAt("2026-11-24T00:00:00Z")) {
		t.Errorf("a nil location is not UTC: %s", u.Start())
	}
	if empty := NewDayRange(date(2026, 11, 2), date(2026, 11, 1), ny); empty.Len() != 0 || len(empty.Days()) != 0 {
		t.Errorf("reversed range: Len %d", empty.Len())
	}
}

// TestDayRangeZero checks that the zero DayRange is one day in UTC, the
// first of 1970, rather than a panic.
func TestDayRangeZero(t *testing.T) {
	var r DayRange
	if r.Location() != time.UTC || r.Len() != 1 || !r.Start().Equal(utcAt("1970-01-01T00:00:00Z")) || len(r.Days()) != 1 {
		t.Errorf("zero DayRange: %s, %d days from %s", r.Location(), r.Len(), r.Start())
	}
	if _, ok := r.Index(utcAt("1970-01-01T12:00:00Z")); !ok {
		t.Error("zero DayRange does not hold its own day")
	}
}

// TestDayRangeElapsed measures the part of a range that has passed, which the
// monthly estimates scale from.
func TestDayRangeElapsed(t *testing.T) {
	day := func(s string, loc *time.Location) time.Time {
		d, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	const h = time.Hour
	for _, c := range []struct {
		name     string
		from, to time.Time
		now      time.Time
		want     time.Duration
	}{
		{"past range", day("2026-10-01", time.UTC), day("2026-10-30", time.UTC), time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), 30 * 24 * h},
		{"ends today at noon", day("2026-10-26", time.UTC), day("2026-11-24", time.UTC), time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), 29*24*h + 12*h},
		{"today only, at 02:30", day("2026-11-24", time.UTC), day("2026-11-24", time.UTC), time.Date(2026, 11, 24, 2, 30, 0, 0, time.UTC), 2*h + 30*time.Minute},
		{"ends after today", day("2026-11-20", time.UTC), day("2026-12-01", time.UTC), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), 4 * 24 * h},
		{"not begun", day("2026-12-01", time.UTC), day("2026-12-05", time.UTC), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), 0},
		// Local days: New York's 1 November 2026 has 25 hours.
		{"a shop's days across DST", day("2026-10-31", ny), day("2026-11-01", ny), time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), 49 * h},
	} {
		if got := NewDayRange(c.from, c.to, c.from.Location()).Elapsed(c.now); got != c.want {
			t.Errorf("%s: Elapsed = %s, want %s", c.name, got, c.want)
		}
	}
}
