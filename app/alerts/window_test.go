package alerts

import (
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

// TestWindowAtBoundaries checks the last finished window at, just before
// and just after the hour and the day turn, in UTC, in a zone half an hour
// off UTC and across both daylight-saving changes.
func TestWindowAtBoundaries(t *testing.T) {
	utc, kolkata, paris, santiago := time.UTC, testkit.Zone(t, "Asia/Kolkata"), testkit.Zone(t, "Europe/Paris"), testkit.Zone(t, "America/Santiago")
	at := func(loc *time.Location, y int, m time.Month, d, h, min, s, ns int) time.Time {
		return time.Date(y, m, d, h, min, s, ns, loc)
	}
	for _, c := range []struct {
		name       string
		loc        *time.Location
		now        time.Time
		period     string
		start, end time.Time
	}{
		{"hour turns", utc, at(utc, 2026, 3, 10, 10, 0, 0, 0), store.DigestHourly,
			at(utc, 2026, 3, 10, 9, 0, 0, 0), at(utc, 2026, 3, 10, 10, 0, 0, 0)},
		{"just before the hour", utc, at(utc, 2026, 3, 10, 9, 59, 59, 999999999), store.DigestHourly,
			at(utc, 2026, 3, 10, 8, 0, 0, 0), at(utc, 2026, 3, 10, 9, 0, 0, 0)},
		{"hour across midnight", utc, at(utc, 2026, 3, 10, 0, 30, 0, 0), store.DigestHourly,
			at(utc, 2026, 3, 9, 23, 0, 0, 0), at(utc, 2026, 3, 10, 0, 0, 0, 0)},
		{"Kolkata's hour, at :30 UTC", kolkata, at(kolkata, 2026, 3, 10, 15, 45, 0, 0), store.DigestHourly,
			at(kolkata, 2026, 3, 10, 14, 0, 0, 0), at(kolkata, 2026, 3, 10, 15, 0, 0, 0)},
		{"day turns", utc, at(utc, 2026, 3, 10, 0, 0, 0, 0), store.DigestDaily,
			at(utc, 2026, 3, 9, 0, 0, 0, 0), at(utc, 2026, 3, 10, 0, 0, 0, 0)},
		{"just before midnight", utc, at(utc, 2026, 3, 9, 23, 59, 59, 999999999), store.DigestDaily,
			at(utc, 2026, 3, 8, 0, 0, 0, 0), at(utc, 2026, 3, 9, 0, 0, 0, 0)},
		{"day across a month and a year", utc, at(utc, 2026, 1, 1, 8, 0, 0, 0), store.DigestDaily,
			at(utc, 2025, 12, 31, 0, 0, 0, 0), at(utc, 2026, 1, 1, 0, 0, 0, 0)},
		// 01:30 in Kolkata is 20:00 the day before in UTC.
		{"Kolkata's day, not UTC's", kolkata, at(kolkata, 2026, 3, 11, 1, 30, 0, 0), store.DigestDaily,
			at(kolkata, 2026, 3, 10, 0, 0, 0, 0), at(kolkata, 2026, 3, 11, 0, 0, 0, 0)},
		// Paris springs forward on 29 March 2026 (02:00 → 03:00) and falls
		// back on 25 October 2026 (03:00 → 02:00).
		{"the 23-hour day", paris, at(paris, 2026, 3, 30, 9, 0, 0, 0), store.DigestDaily,
			at(paris, 2026, 3, 29, 0, 0, 0, 0), at(paris, 2026, 3, 30, 0, 0, 0, 0)},
		{"the 25-hour day", paris, at(paris, 2026, 10, 26, 9, 0, 0, 0), store.DigestDaily,
			at(paris, 2026, 10, 25, 0, 0, 0, 0), at(paris, 2026, 10, 26, 0, 0, 0, 0)},
		{"the hour after springing forward", paris, at(paris, 2026, 3, 29, 3, 30, 0, 0), store.DigestHourly,
			at(utc, 2026, 3, 29, 0, 0, 0, 0), at(utc, 2026, 3, 29, 1, 0, 0, 0)},
		{"the first 02:00 hour of falling back", paris, at(utc, 2026, 10, 25, 0, 30, 0, 0), store.DigestHourly,
			at(utc, 2026, 10, 24, 23, 0, 0, 0), at(utc, 2026, 10, 25, 0, 0, 0, 0)},
		{"the second 02:00 hour of falling back", paris, at(utc, 2026, 10, 25, 1, 30, 0, 0), store.DigestHourly,
			at(utc, 2026, 10, 25, 0, 0, 0, 0), at(utc, 2026, 10, 25, 1, 0, 0, 0)},
		// Santiago springs forward at midnight on 6 September 2026: that day
		// begins at 01:00 (-03), which is 04:00 UTC, not at 23:00 the day
		// before, which time.Date gives for the missing 00:00.
		{"the day whose midnight is skipped", santiago, at(santiago, 2026, 9, 7, 12, 0, 0, 0), store.DigestDaily,
			at(utc, 2026, 9, 6, 4, 0, 0, 0), at(santiago, 2026, 9, 7, 0, 0, 0, 0)},
		{"the day before it", santiago, at(santiago, 2026, 9, 6, 12, 0, 0, 0), store.DigestDaily,
			at(santiago, 2026, 9, 5, 0, 0, 0, 0), at(utc, 2026, 9, 6, 4, 0, 0, 0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			start, end := Window(c.now, c.period, c.loc)
			if !start.Equal(c.start) || !end.Equal(c.end) {
				t.Errorf("Window(%s, %s) = [%s, %s), want [%s, %s)", c.now.In(c.loc), c.period, start, end, c.start.In(c.loc), c.end.In(c.loc))
			}
			if start.Location() != c.loc || end.Location() != c.loc {
				t.Errorf("the window is in %s and %s, not the shop's %s", start.Location(), end.Location(), c.loc)
			}
		})
	}
}

// TestWindowsTile checks, every 7 minutes (so at each minute of the hour
// in turn) over the weeks of a year's daylight-saving changes, that each
// window has finished, that a window follows the one before without gap or
// overlap, and that an hourly window is an hour and a daily one the local
// day before now's.
func TestWindowsTile(t *testing.T) {
	for _, name := range []string{"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu",
		"America/Santiago", "America/Havana", "Asia/Gaza"} {
		loc := testkit.Zone(t, name)
		for _, period := range []string{store.DigestHourly, store.DigestDaily} {
			for _, from := range []time.Time{
				time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC),
				time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 22, 0, 0, 0, 0, time.UTC),
				time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			} {
				prevStart, prevEnd := Window(from, period, loc)
				for now := from; now.Before(from.AddDate(0, 0, 9)); now = now.Add(7 * time.Minute) {
					start, end := Window(now, period, loc)
					if end.After(now) {
						t.Fatalf("%s %s at %s: the window [%s, %s) has not finished", name, period, now, start, end)
					}
					if !start.Equal(prevStart) && !start.Equal(prevEnd) {
						t.Fatalf("%s %s at %s: [%s, %s) does not follow [%s, %s)", name, period, now.In(loc), start, end, prevStart, prevEnd)
					}
					switch period {
					case store.DigestHourly:
						if end.Sub(start) != time.Hour || now.Sub(end) >= time.Hour {
							t.Fatalf("%s hourly at %s: [%s, %s) is not the hour before", name, now, start, end)
						}
					case store.DigestDaily:
						y, m, d := now.In(loc).Date()
						today, yesterday := time.Date(y, m, d, 0, 0, 0, 0, time.UTC), time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC)
						if !sameDate(start, yesterday) {
							t.Fatalf("%s daily at %s: the window begins %s, not on the day before", name, now.In(loc), start)
						}
						if !sameDate(end, today) {
							t.Fatalf("%s daily at %s: the window ends %s, not when today began", name, now.In(loc), end)
						}
						if before := start.Add(-time.Nanosecond); sameDate(before, yesterday) {
							t.Fatalf("%s daily at %s: the day before began before %s", name, now.In(loc), start)
						}
						if h := end.Sub(start); h < 23*time.Hour || h > 25*time.Hour {
							t.Fatalf("%s daily at %s: a day of %s", name, now.In(loc), h)
						}
					}
					prevStart, prevEnd = start, end
				}
			}
		}
	}
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
