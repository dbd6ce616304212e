package store_test

import (
	"context"
	"testing"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestListSessionsByKey finds one session by its key, in the shop asked
// for only, and combines the key with the other filters.
func TestListSessionsByKey(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		a := storetest.Install(t, s, "key-a.myshopify.com")
		b := storetest.Install(t, s, "key-b.myshopify.com")
		seedReport(t, s, a.ID, "")
		seedReport(t, s, b.ID, "b-")
		base := store.SessionFilter{ShopID: a.ID, Now: reportNow, Idle: reportIdle}

		f := base
		f.Key = "c3"
		got, total, err := s.ListSessions(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(got) != 1 || got[0].Key != "c3" {
			t.Fatalf("key c3 = %v (total %d), want only c3", keys(got), total)
		}

		f.Key = "b-c3" // shop b's session
		if got, total, err = s.ListSessions(ctx, f); err != nil || total != 0 || len(got) != 0 {
			t.Errorf("another shop's key = %v (total %d, %v), want nothing", keys(got), total, err)
		}

		f.Key, f.Status = "c3", funnel.StatusAbandonedCart // c3 is a payment drop-off
		if got, total, err = s.ListSessions(ctx, f); err != nil || total != 0 {
			t.Errorf("key with another status = %v (total %d, %v), want nothing", keys(got), total, err)
		}
		f.From, f.To, f.Status = day2, day3, "" // c3 started on day 1
		if got, total, err = s.ListSessions(ctx, f); err != nil || total != 0 {
			t.Errorf("key outside the dates = %v (total %d, %v), want nothing", keys(got), total, err)
		}
	})
}
