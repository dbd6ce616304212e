package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// benchBatch is the size of the batches BenchmarkIngestEvents commits: a
// busy group commit's (app/webhook_commit.go gathers up to 64).
const benchBatch = 32

// benchJourney is one shopper's deliveries as the benchmark sends them: a
// cart, a checkout and three updates of it, then the order.
func benchJourney(n int) []funnel.Event {
	cart, co := fmt.Sprintf("bench-cart-%d", n), fmt.Sprintf("bench-co-%d", n)
	start := t0.Add(time.Duration(n) * time.Second)
	evs := []funnel.Event{cartEvent(cart, start, start.Add(time.Second), 2500)}
	for u := range 4 {
		evs = append(evs, checkoutEvent(cart, co, start.Add(time.Minute), start.Add(time.Duration(2+u)*time.Minute), 2500))
	}
	return append(evs, orderEvent(cart, co, start.Add(10*time.Minute), 2500))
}

// BenchmarkIngestEvents measures store.IngestEvents on each dialect:
// batches of benchBatch deliveries, each from one of benchBatch shoppers
// in the middle of their journeys (benchJourney), so that every batch
// loads, merges and writes sessions that exist, as a live store does. It
// reports deliveries per second.
func BenchmarkIngestEvents(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(d, func(b *testing.B) {
			s := storetest.Open(b, d)
			ctx := context.Background()
			sh, err := s.InstallShop(ctx, "bench.myshopify.com", store.Tokens{AccessToken: "shpat_bench", Scope: "read_orders"}, nil)
			if err != nil {
				b.Fatal(err)
			}
			journeyLen := len(benchJourney(0))
			id := 0
			b.ResetTimer()
			for i := range b.N {
				// Batch i carries step i%journeyLen of shoppers
				// benchBatch*(i/journeyLen) onwards.
				step, first := i%journeyLen, benchBatch*(i/journeyLen)
				items := make([]store.IngestItem, benchBatch)
				for j := range items {
					ev := benchJourney(first + j)[step]
					id++
					items[j] = store.IngestItem{ShopID: sh.ID, Event: &ev,
						Delivery: store.Delivery{WebhookID: fmt.Sprintf("bench-%d", id), Topic: "checkouts/update", ShopDomain: sh.Domain, Payload: []byte(`{}`)}}
				}
				if _, err := s.IngestEvents(ctx, items); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
