package store_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestDeliveryInsertPathsAgree records the same deliveries through each
// statement that inserts into deliveries (KeepDelivery's, the SQLite
// batch's and, on PostgreSQL, the batch of arrays) and checks that each
// stores the same row, and deduplicates a redelivery the same way: by
// webhook id, never when there is none.
func TestDeliveryInsertPathsAgree(t *testing.T) {
	t.Parallel()
	forEach(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		shop := storetest.Install(t, s, "paths.myshopify.com")
		paris := time.FixedZone("Paris", 3600)
		triggered := time.Date(2026, 11, 20, 12, 30, 0, 123456000, paris)
		cases := []struct {
			name     string
			d        store.Delivery
			ingested bool
		}{
			{"every field", store.Delivery{WebhookID: "wh-1", EventID: "ev-1", Topic: "carts/create", ShopDomain: " Paths.MyShopify.com ",
				APIVersion: "2026-10", TriggeredAt: &triggered, Payload: []byte(`{"id":"c1","note":"crème \u00e9"}`)}, true},
			{"bare", store.Delivery{WebhookID: "wh-2", Topic: "checkouts/delete", ShopDomain: "paths.myshopify.com"}, false},
			{"no webhook id", store.Delivery{EventID: "ev-3", Topic: "orders/create", ShopDomain: "paths.myshopify.com", Payload: []byte("{}")}, true},
		}
		paths := s.DeliveryInsertPaths()
		if len(paths) != map[string]int{store.DialectPostgres: 3, store.DialectSQLite: 2}[s.Dialect()] {
			t.Fatalf("insert paths on %s: %v", s.Dialect(), paths)
		}
		for _, tc := range cases {
			var first *store.StoredDelivery
			for _, path := range paths {
				c.Set(t0.Add(time.Minute))
				for round := range 2 {
					inserted, err := s.RecordDeliveryVia(ctx, path, shop.ID, tc.d, tc.ingested)
					if err != nil {
						t.Fatalf("%s via %s: %v", tc.name, path, err)
					}
					if want := round == 0 || tc.d.WebhookID == ""; inserted != want {
						t.Errorf("%s via %s, delivery %d: inserted %v, want %v", tc.name, path, round+1, inserted, want)
					}
				}
				rows, err := s.StoredDeliveries(ctx)
				if err != nil {
					t.Fatal(err)
				}
				want := 1
				if tc.d.WebhookID == "" {
					want = 2
				}
				if len(rows) != want {
					t.Fatalf("%s via %s: %d rows, want %d", tc.name, path, len(rows), want)
				}
				if n := countRows(t, s, "deliveries", "payload IS NULL"); n != 0 {
					t.Errorf("%s via %s: %d rows without a payload, want an empty one", tc.name, path, n)
				}
				got := rows[0]
				if first == nil {
					first = &got
					checkStoredDelivery(t, tc.name+" via "+path, got, shop.ID, tc.d, tc.ingested, c.Now())
				} else if diff := storedDiff(*first, got); diff != "" {
					t.Errorf("%s: %s stores another row than %s: %s", tc.name, path, paths[0], diff)
				}
				if _, err := s.DB().ExecContext(ctx, "DELETE FROM deliveries"); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// checkStoredDelivery fails unless row is d as the store records it: the
// shop's domain normalised, times in UTC, a missing webhook id NULL and a
// missing payload empty (the caller checks it is not NULL).
func checkStoredDelivery(t *testing.T, what string, row store.StoredDelivery, shopID int64, d store.Delivery, ingested bool, now time.Time) {
	t.Helper()
	if row.ShopID == nil || *row.ShopID != shopID {
		t.Errorf("%s: shop_id %v, want %d", what, row.ShopID, shopID)
	}
	if (d.WebhookID == "") != (row.WebhookID == nil) || row.WebhookID != nil && *row.WebhookID != d.WebhookID {
		t.Errorf("%s: webhook_id %v, want %q (NULL when empty)", what, row.WebhookID, d.WebhookID)
	}
	if row.EventID != d.EventID || row.Topic != d.Topic || row.ShopDomain != "paths.myshopify.com" || row.APIVersion != d.APIVersion {
		t.Errorf("%s: event %q, topic %q, shop %q, version %q", what, row.EventID, row.Topic, row.ShopDomain, row.APIVersion)
	}
	if (d.TriggeredAt == nil) != (row.TriggeredAt == nil) || d.TriggeredAt != nil && !row.TriggeredAt.Equal(*d.TriggeredAt) {
		t.Errorf("%s: triggered_at %v, want %v", what, row.TriggeredAt, d.TriggeredAt)
	}
	if !row.ReceivedAt.Equal(now) || !bytes.Equal(row.Payload, d.Payload) || row.Ingested != ingested || row.Reason != "" {
		t.Errorf("%s: received %v (want %v), payload %q, ingested %v, reason %q", what, row.ReceivedAt, now, row.Payload, row.Ingested, row.Reason)
	}
}

// storedDiff says how two rows differ, but for their ids.
func storedDiff(a, b store.StoredDelivery) string {
	show := func(r store.StoredDelivery) string {
		opt := func(p *string) string {
			if p == nil {
				return "NULL"
			}
			return fmt.Sprintf("%q", *p)
		}
		var shop, trig string
		if r.ShopID != nil {
			shop = fmt.Sprint(*r.ShopID)
		}
		if r.TriggeredAt != nil {
			trig = r.TriggeredAt.UTC().Format(time.RFC3339Nano)
		}
		return fmt.Sprintf("shop=%s webhook=%s event=%q topic=%q domain=%q version=%q triggered=%s received=%s payload=%q ingested=%v reason=%q",
			shop, opt(r.WebhookID), r.EventID, r.Topic, r.ShopDomain, r.APIVersion, trig, r.ReceivedAt.UTC().Format(time.RFC3339Nano),
			r.Payload, r.Ingested, r.Reason)
	}
	if sa, sb := show(a), show(b); sa != sb {
		return sb + "\nwant " + sa
	}
	return ""
}
