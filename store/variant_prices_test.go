package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestRecordPrices keeps prices per shop and variant: a first sighting
// records nothing, a new price one change naming the old and new prices,
// the same price or an older update nothing; describe sees only the
// variants that changed.
func TestRecordPrices(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		sh := storetest.Install(t, s, "variant-prices.myshopify.com")
		var seen [][]store.PriceChange
		describe := func(changed []store.PriceChange) store.Change {
			seen = append(seen, changed)
			return store.Change{At: t0, Kind: funnel.ChangePriceChanged, Source: funnel.ChangeFromWebhook,
				Description: "changed", DedupeKey: "k" + strconv.Itoa(len(seen))}
		}
		record := func(at time.Time, prices ...store.VariantPrice) bool {
			t.Helper()
			added, err := s.RecordPrices(ctx, sh.ID, 1, at, prices, describe)
			if err != nil {
				t.Fatal(err)
			}
			return added
		}
		small, large := store.VariantPrice{VariantID: 11, Title: "Small", Price: 2100}, store.VariantPrice{VariantID: 12, Title: "Large", Price: 2500}
		if record(t0, small, large) || len(seen) != 0 {
			t.Fatalf("a first sighting recorded a change: %v", seen)
		}
		cheaper := small
		cheaper.Price = 1900
		if !record(t0.Add(time.Hour), cheaper, large) || len(seen) != 1 || len(seen[0]) != 1 ||
			seen[0][0].VariantID != 11 || seen[0][0].Old != 2100 || seen[0][0].Price != 1900 {
			t.Fatalf("the price change: %v", seen)
		}
		if record(t0.Add(2*time.Hour), cheaper, large) || record(t0, small, large) || len(seen) != 1 {
			t.Fatalf("the same price, or an older update, recorded a change: %v", seen)
		}
		list, err := s.Changes(ctx, sh.ID, t0.Add(-time.Hour), t0.Add(time.Hour), 10)
		if err != nil || len(list) != 1 || list[0].Description != "changed" {
			t.Fatalf("changes = %+v, %v", list, err)
		}
	})
}
