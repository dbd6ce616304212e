package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "iso-a.myshopify.com")
		b := storetest.Install(t, s, "iso-b.myshopify.com")
		// The same tokens in two shops make two independent sessions.
		ingest(t, s, a.ID, "i1", cartEvent("cart", at(0), at(time.Minute), 100))
		ingest(t, s, b.ID, "i2", cartEvent("cart", at(0), at(time.Minute), 200))
		ingest(t, s, a.ID, "i3", orderEvent("cart", "co", at(time.Hour), 100))
		sa, err := s.SessionByKey(ctx, a.ID, "cart")
		if err != nil {
			t.Fatal(err)
		}
		sb, err := s.SessionByKey(ctx, b.ID, "cart")
		if err != nil {
			t.Fatal(err)
		}
		if sa.CompletedAt == nil || sb.CompletedAt != nil || sb.Value != 200 || sb.CheckoutToken != "" {
			t.Errorf("sessions leaked across shops: a=%+v b=%+v", sa, sb)
		}
		for _, sh := range []store.Shop{a, b} {
			list, total, err := s.ListSessions(ctx, store.SessionFilter{ShopID: sh.ID})
			if err != nil || total != 1 || len(list) != 1 {
				t.Errorf("shop %s lists %d (total %d), %v", sh.Domain, len(list), total, err)
			}
			tally, err := s.FunnelTally(ctx, sh.ID, time.Time{}, time.Time{}, at(2*time.Hour), time.Hour, "")
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for _, c := range tally[store.AllSegment].Furthest {
				n += c
			}
			if n != 1 {
				t.Errorf("shop %s tallies %d sessions", sh.Domain, n)
			}
		}
		if data, err := s.CustomerData(ctx, b.ID, funnel.Customer{Email: "ann@example.com"}); err != nil || len(data) != 0 {
			t.Errorf("shop b sees shop a's customer: %v, %v", keys(data), err)
		}
		if _, err := s.SessionByKey(ctx, 999, "cart"); err == nil {
			t.Error("SessionByKey of an unknown shop succeeded")
		}
	})
}
