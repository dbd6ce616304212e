package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// zoneCase is a shop in a time zone: sessions are placed around the local
// midnights from the day before first to the day after last, and the
// report's ranges are checked against an oracle.
type zoneCase struct {
	name        string
	loc         *time.Location
	first, last time.Time // calendar dates
	ranges      [][2]time.Time
}

func zoneCases(t *testing.T) []zoneCase {
	ny, ist, chatham := testkit.Zone(t, "America/New_York"), testkit.Zone(t, "Asia/Kolkata"), testkit.Zone(t, "Pacific/Chatham")
	return []zoneCase{
		// Spring forward on 2026-03-08 (a 23-hour day), fall back on
		// 2026-11-01 (25 hours).
		{"ny-spring", ny, ymd(2026, 3, 6), ymd(2026, 3, 10),
			[][2]time.Time{{ymd(2026, 3, 8), ymd(2026, 3, 8)}, {ymd(2026, 3, 7), ymd(2026, 3, 9)}, {ymd(2026, 3, 6), ymd(2026, 3, 10)}}},
		{"ny-fall", ny, ymd(2026, 10, 30), ymd(2026, 11, 3),
			[][2]time.Time{{ymd(2026, 11, 1), ymd(2026, 11, 1)}, {ymd(2026, 10, 31), ymd(2026, 11, 2)}}},
		{"kolkata", ist, ymd(2026, 11, 22), ymd(2026, 11, 25),
			[][2]time.Time{{ymd(2026, 11, 23), ymd(2026, 11, 23)}, {ymd(2026, 11, 22), ymd(2026, 11, 25)}}},
		// Chatham (+12:45) springs forward to +13:45 on the last Sunday of
		// September.
		{"chatham", chatham, ymd(2026, 9, 25), ymd(2026, 9, 29),
			[][2]time.Time{{ymd(2026, 9, 27), ymd(2026, 9, 27)}, {ymd(2026, 9, 26), ymd(2026, 9, 28)}}},
		// An offset off the quarter-hour (as historical ones were): the
		// rollups cannot split a quarter, the sessions fill it in.
		{"odd-offset", time.FixedZone("+05:07", 5*3600+7*60), ymd(2026, 11, 22), ymd(2026, 11, 24),
			[][2]time.Time{{ymd(2026, 11, 23), ymd(2026, 11, 23)}, {ymd(2026, 11, 22), ymd(2026, 11, 24)}}},
	}
}

// seedMidnights ingests sessions a second before, at, and a second and a
// quarter-hour after each local midnight of the case, of every kind: idle
// carts, checkout drop-offs, orders, and carts recovered after being
// flagged.
func seedMidnights(t *testing.T, s *store.Store, shopID int64, zc zoneCase) {
	t.Helper()
	days := funnel.NewDayRange(zc.first.AddDate(0, 0, -1), zc.last.AddDate(0, 0, 1), zc.loc).Days()
	n := 0
	var recover []funnel.Event
	for _, midnight := range days {
		for _, off := range []time.Duration{-time.Second, 0, time.Second, 15*time.Minute - time.Second} {
			n++
			start := midnight.Add(off)
			key := fmt.Sprintf("%s-%d", zc.name, n)
			value := int64(1000 + 10*n)
			switch n % 4 {
			case 0:
				ingest(t, s, shopID, key+"-cart", cartEvent(key, start, start.Add(time.Minute), value))
			case 1:
				ingest(t, s, shopID, key+"-chk", checkoutEvent(key, key+"-co", start, start.Add(2*time.Minute), value))
			case 2:
				ingest(t, s, shopID, key+"-cart", cartEvent(key, start, start, value))
				ingest(t, s, shopID, key+"-order", orderEvent(key, key+"-co", start.Add(20*time.Minute), value))
			case 3:
				ingest(t, s, shopID, key+"-cart", cartEvent(key, start, start, value))
				recover = append(recover, orderEvent(key, key+"-co", start.Add(48*time.Hour), value))
			}
		}
	}
	// The scan flags every idle cart; the orders that follow recover some.
	if _, err := flagAbandoned(context.Background(), s, shopID, days[len(days)-1].Add(24*time.Hour), time.Hour); err != nil {
		t.Fatal(err)
	}
	for i, ev := range recover {
		ingest(t, s, shopID, fmt.Sprintf("%s-recover-%d", zc.name, i), ev)
	}
}

// sortDurations sorts a tally's durations, which carry no order.
func sortDurations(t *funnel.Tally) {
	for st := range t.Durations {
		slices.Sort(t.Durations[st])
	}
}

// TestReportShopLocalDays checks, in New York across both daylight-saving
// changes of 2026, in Kolkata, in Chatham across its change and at an
// offset off the quarter-hour, that FunnelTally over a range of local days
// and DailyFurthest equal folding the same sessions with funnel.Tally.Add,
// grouped by the local date they started.
func TestReportShopLocalDays(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		now := ymd(2026, 12, 20)
		idle := time.Hour
		for _, zc := range zoneCases(t) {
			shop := storetest.Install(t, s, zc.name+".myshopify.com")
			seedMidnights(t, s, shop.ID, zc)
			all, total, err := s.ListSessions(ctx, store.SessionFilter{ShopID: shop.ID, Limit: store.MaxListLimit})
			if err != nil || int64(len(all)) != total {
				t.Fatalf("%s: listed %d of %d sessions, %v", zc.name, len(all), total, err)
			}
			for _, rg := range zc.ranges {
				r := funnel.NewDayRange(rg[0], rg[1], zc.loc)
				var want funnel.Tally
				for _, sess := range all {
					if _, ok := r.Index(sess.StartedAt); ok {
						want.Add(sess, now, idle)
					}
				}
				got, err := s.FunnelTally(ctx, shop.ID, r.Start(), r.End(), now, idle, "")
				if err != nil {
					t.Fatal(err)
				}
				tally := got[store.AllSegment]
				sortDurations(tally)
				sortDurations(&want)
				if want.Furthest == [funnel.StageCompleted + 1]int64{} {
					t.Fatalf("%s %s..%s: the oracle counts nothing", zc.name, rg[0].Format(time.DateOnly), rg[1].Format(time.DateOnly))
				}
				if !reflect.DeepEqual(*tally, want) {
					t.Errorf("%s %s..%s: FunnelTally =\n%+v\nfolded\n%+v", zc.name, rg[0].Format(time.DateOnly), rg[1].Format(time.DateOnly), *tally, want)
				}
			}

			r := funnel.NewDayRange(zc.first, zc.last, zc.loc)
			want := make([][funnel.StageCompleted + 1]int64, r.Len())
			for _, sess := range all {
				local := sess.StartedAt.In(zc.loc)
				for i, d := range r.Days() {
					if d.Format(time.DateOnly) == local.Format(time.DateOnly) {
						want[i][sess.Furthest()]++
					}
				}
			}
			got, err := s.DailyFurthest(ctx, shop.ID, r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: DailyFurthest =\n%v\nby local date\n%v", zc.name, got, want)
			}
		}
	})
}

// TestRollupsAnyZone checks that the same rollups serve the same sessions
// in any zone: the days of one week in each of several zones, with no
// rebuild between them, equal the oracle.
func TestRollupsAnyZone(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "anyzone.myshopify.com")
		// A session every 7 minutes and 13 seconds over three days.
		start := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
		for i := range 600 {
			at := start.Add(time.Duration(i) * (7*time.Minute + 13*time.Second))
			key := fmt.Sprintf("any-%d", i)
			if i%3 == 0 {
				ingest(t, s, shop.ID, key, checkoutEvent(key, key+"-co", at, at, 100))
			} else {
				ingest(t, s, shop.ID, key, cartEvent(key, at, at, 100))
			}
		}
		all, _, err := s.ListSessions(ctx, store.SessionFilter{ShopID: shop.ID, Limit: store.MaxListLimit})
		if err != nil || len(all) != 500 {
			t.Fatalf("listed %d sessions (the page holds 500), %v", len(all), err)
		}
		rest, _, err := s.ListSessions(ctx, store.SessionFilter{ShopID: shop.ID, Limit: store.MaxListLimit, Offset: 500})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rest...)
		for _, name := range []string{"UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "Australia/Eucla", "America/St_Johns"} {
			r := funnel.NewDayRange(ymd(2026, 11, 21), ymd(2026, 11, 26), testkit.Zone(t, name))
			want := make([][funnel.StageCompleted + 1]int64, r.Len())
			for _, sess := range all {
				if i, ok := r.Index(sess.StartedAt); ok {
					want[i][sess.Furthest()]++
				}
			}
			got, err := s.DailyFurthest(ctx, shop.ID, r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: DailyFurthest =\n%v\nwant\n%v", name, got, want)
			}
		}
	})
}
