package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestRaiseAnomalyWindow checks the one-per-window rule: an anomaly over
// the 3 days to 22 Nov is not raised while the same step and device has
// one on 20 Nov, one over the 3 days to 23 Nov is (20 Nov is out of its
// window), and another device's is; the window's length is kept.
func TestRaiseAnomalyWindow(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, _ *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "anomaly-window.myshopify.com")
		queued := 0
		enqueue := func(context.Context, *sql.Tx, store.Anomaly) error { queued++; return nil }
		raise := func(day string, days int, device funnel.Device) bool {
			t.Helper()
			_, created, err := s.RaiseAnomaly(ctx, store.Anomaly{ShopID: shop.ID, Day: day, WindowDays: days, Step: funnel.StageCompleted,
				Device: device, DetectedAt: at(8 * time.Hour), Since: at(0), ExpectedRate: 0.7, ObservedRate: 0.35,
				Shoppers: 33, Reached: 12, Lost: 11, Currency: "USD"}, enqueue)
			if err != nil {
				t.Fatal(err)
			}
			return created
		}
		for _, tc := range []struct {
			day    string
			days   int
			device funnel.Device
			want   bool
		}{
			{"2026-11-20", 1, funnel.DeviceMobile, true},
			{"2026-11-22", 3, funnel.DeviceMobile, false},
			{"2026-11-22", 3, funnel.DeviceDesktop, true},
			{"2026-11-23", 3, funnel.DeviceMobile, true},
			{"2026-11-24", 2, funnel.DeviceMobile, false},
		} {
			if got := raise(tc.day, tc.days, tc.device); got != tc.want {
				t.Fatalf("raise on %s over %d days on %s: created %v, want %v", tc.day, tc.days, tc.device, got, tc.want)
			}
		}
		if queued != 3 {
			t.Fatalf("%d jobs queued, want 3", queued)
		}
		list, err := s.Anomalies(ctx, shop.ID, "2026-11-23", "2026-11-23", 0)
		if err != nil || len(list) != 1 || list[0].WindowDays != 3 || list[0].FirstDay() != "2026-11-21" {
			t.Fatalf("anomalies of 23 Nov: %+v, %v", list, err)
		}
		if _, _, err := s.RaiseAnomaly(ctx, store.Anomaly{ShopID: shop.ID, Day: "23 Nov", Step: funnel.StageCompleted}, enqueue); err == nil {
			t.Fatal("an anomaly with no date for a day was raised")
		}
	})
}
