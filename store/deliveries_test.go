package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

func TestKeepDeliveryAndUnusable(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		sh := storetest.Install(t, s, "keep.myshopify.com")
		trig := at(-time.Minute)
		d := delivery("k1", "unknown.myshopify.com", "carts/create", `not json`)
		d.TriggeredAt = &trig
		dup, err := s.KeepDelivery(ctx, nil, d, "unknown shop")
		if err != nil || dup {
			t.Fatalf("KeepDelivery = %v, %v", dup, err)
		}
		if dup, err := s.KeepDelivery(ctx, nil, d, "unknown shop"); err != nil || !dup {
			t.Errorf("second KeepDelivery = %v, %v; want duplicate", dup, err)
		}
		c.Set(at(time.Minute))
		if _, err := s.KeepDelivery(ctx, &sh.ID, delivery("k2", sh.Domain, "carts/update", `{`), "malformed JSON"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.KeepDelivery(ctx, &sh.ID, delivery("k3", sh.Domain, "app/uninstalled", `{}`), ""); err != nil {
			t.Fatal(err)
		}
		got, err := s.UnusableDeliveries(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Delivery.WebhookID != "k2" || got[1].Delivery.WebhookID != "k1" {
			t.Fatalf("UnusableDeliveries = %+v", got)
		}
		k1 := got[1]
		if k1.ShopID != nil || k1.Reason != "unknown shop" || string(k1.Delivery.Payload) != "not json" ||
			k1.Delivery.TriggeredAt == nil || !k1.Delivery.TriggeredAt.Equal(trig) || !k1.ReceivedAt.Equal(t0) ||
			k1.Delivery.Topic != "carts/create" || k1.Delivery.APIVersion != "2026-10" || k1.Delivery.EventID != "ev-k1" {
			t.Errorf("kept delivery = %+v", k1)
		}
		if got[0].ShopID == nil || *got[0].ShopID != sh.ID {
			t.Errorf("k2 shop = %v", got[0].ShopID)
		}
	})
}

func TestPurgePayloads(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		sh := storetest.Install(t, s, "purge.myshopify.com")
		c.Set(t0.AddDate(0, 0, -40))
		ingest(t, s, sh.ID, "ancient", cartEvent("a", t0, t0, 1))
		c.Set(t0.AddDate(0, 0, -10))
		ingest(t, s, sh.ID, "old", cartEvent("b", t0, t0, 1))
		c.Set(t0)
		ingest(t, s, sh.ID, "new", cartEvent("c", t0, t0, 1))

		n, err := s.PurgePayloads(ctx, t0.AddDate(0, 0, -7))
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("purged %d payloads, want 2", n)
		}
		if n := countRows(t, s, "deliveries", "webhook_id = $1", "ancient"); n != 0 {
			t.Error("row older than retention + 30 days kept")
		}
		if n := countRows(t, s, "deliveries", "webhook_id = $1 AND payload IS NULL", "old"); n != 1 {
			t.Error("old row should stay with a null payload")
		}
		if n := countRows(t, s, "deliveries", "webhook_id = $1 AND payload IS NOT NULL", "new"); n != 1 {
			t.Error("new payload purged")
		}
		// The kept row still deduplicates.
		ev := cartEvent("b", t0, t0, 1)
		if dup, err := s.IngestEvent(ctx, sh.ID, delivery("old", "", "", ""), &ev); err != nil || !dup {
			t.Errorf("redelivery after purge = %v, %v; want duplicate", dup, err)
		}
		if n, err := s.PurgePayloads(ctx, t0.AddDate(0, 0, -7)); err != nil || n != 0 {
			t.Errorf("second purge = %d, %v", n, err)
		}
	})
}
