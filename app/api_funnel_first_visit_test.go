package app

import (
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
)

// TestFirstVisitDay checks when the report says the storefront's figures
// begin after its range does: only for a first visit on a later
// store-local day.
func TestFirstVisitDay(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	days := funnel.NewDayRange(time.Date(2026, 11, 1, 0, 0, 0, 0, ny), time.Date(2026, 11, 30, 0, 0, 0, 0, ny), ny)
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	for _, c := range []struct {
		first *time.Time
		want  string
	}{
		{nil, ""},
		{at("2026-10-20T12:00:00Z"), ""},           // before the range
		{at("2026-11-01T03:30:00Z"), ""},           // 23:30 on Oct 31 in New York (EDT): before the range
		{at("2026-11-01T15:00:00Z"), ""},           // the range's first day
		{at("2026-11-18T03:00:00Z"), "2026-11-17"}, // late on the 17th in New York
		{at("2026-11-24T14:02:11Z"), "2026-11-24"},
	} {
		if got := firstVisitDay(c.first, days); got != c.want {
			t.Errorf("firstVisitDay(%v) = %q, want %q", c.first, got, c.want)
		}
	}
}
