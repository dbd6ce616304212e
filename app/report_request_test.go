package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestReportsFromParsedRequests calls the report code with parsed
// requests, no HTTP request or echo.Context in sight: the funnel report,
// its page view, a segment value's report, the daily trend and the session
// list each count the requested shop's carts of the requested days, and
// no other shop's.
func TestReportsFromParsedRequests(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
		a, err := New(Config{APIKey: "k", APISecret: "s", AppURL: "http://127.0.0.1", AbandonAfter: time.Hour},
			st, Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		var shops []store.Shop
		for i, domain := range []string{"parsed.myshopify.com", "other.myshopify.com"} {
			shop, err := st.InstallShop(ctx, domain, store.Tokens{AccessToken: "shpat_x", Scope: "read_orders"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			shops = append(shops, shop)
			// 3 carts on 2026-11-20 for the first shop, 1 for the other.
			for j := range 3 - 2*i {
				d, ev := cartDelivery(domain, fmt.Sprintf("%s-%d", domain, j), fmt.Sprintf("%s-cart-%d", domain, j))
				if _, err := st.IngestEvent(ctx, shop.ID, d, ev); err != nil {
					t.Fatal(err)
				}
			}
		}
		shop := shops[0]
		days := funnel.NewDayRange(time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), time.UTC)

		r, idle, err := a.funnelReport(ctx, reportRequest{Shop: shop, Days: days})
		if err != nil || idle != time.Hour || r.From != "2026-11-18" || r.To != "2026-11-24" || r.Stages[0].Sessions != 3 {
			t.Fatalf("funnelReport = %+v, %v, %v; want 3 carts from 2026-11-18 to 2026-11-24 at a 1h threshold", r, idle, err)
		}
		if r.AbandonedCarts != 3 {
			t.Errorf("abandoned carts = %d, want 3 (idle for days)", r.AbandonedCarts)
		}
		seg, _, err := a.funnelReport(ctx, reportRequest{Shop: shop, Days: days, Segment: funnel.SegmentValueBand, SegmentValue: "<25"})
		if err != nil || len(seg.Segments) != 1 || seg.Segments[0].Value != "<25" || seg.Stages[0].Sessions != 3 {
			t.Errorf("the <25 value band: %+v, %v; want its 3 carts", seg, err)
		}
		view, status := a.reportFor(ctx, reportRequest{Shop: shop, Days: days})
		if status != 200 || view.State != reportOK || view.Carts != 3 || view.IdleMinutes != 60 {
			t.Errorf("reportFor = %d, state %q, %d carts, %d minutes; want 200, ok, 3 carts, 60", status, view.State, view.Carts, view.IdleMinutes)
		}
		empty := funnel.NewDayRange(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), time.UTC)
		if view, _ := a.reportFor(ctx, reportRequest{Shop: shop, Days: empty}); view.State != reportEmptyRange {
			t.Errorf("a range without carts of a shop with some: state %q, want %q", view.State, reportEmptyRange)
		}
		trend, err := a.trend(ctx, shop.ID, days)
		if err != nil || len(trend.Days) != 7 || trend.Days[2].Date != "2026-11-20" || trend.Days[2].Sessions[0] != 3 {
			t.Errorf("trend = %+v, %v; want 7 days with 3 carts on 2026-11-20", trend, err)
		}
		list, err := a.listSessions(ctx, sessionsRequest{Shop: shop, Days: &days,
			Page: 1, PerPage: 2, OrderBy: "started_at", Desc: true})
		if err != nil || list.Total != 3 || len(list.Sessions) != 2 || list.Sessions[0].Status != funnel.StatusAbandonedCart {
			t.Errorf("listSessions = %+v, %v; want 2 of 3 abandoned carts", list, err)
		}
	})
}
