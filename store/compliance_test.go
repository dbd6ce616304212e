package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
)

func TestRedactCustomer(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		a := install(t, s, "redact-a.myshopify.com")
		b := install(t, s, "redact-b.myshopify.com")
		ann := checkoutEvent("c1", "co1", at(0), at(time.Minute), 100)
		ann.Email, ann.Phone, ann.RecoveryURL = "Ann@Example.com", "+4912345", "https://x/recover?token=co1"
		bob := checkoutEvent("c2", "co2", at(0), at(time.Minute), 100)
		bob.Email = "bob@example.com"
		for _, tc := range []struct {
			shop store.Shop
			id   string
			ev   funnel.Event
			body string
		}{
			{a, "r1", ann, `{"email":"Ann@Example.com","token":"co1"}`},
			{a, "r2", bob, `{"email":"bob@example.com","phone":"+4912345"}`},
			{a, "r3", bob, `{"email":"ANN@EXAMPLE.COM"}`},
			{b, "r4", ann, `{"email":"Ann@Example.com"}`},
		} {
			if _, err := s.IngestEvent(ctx, tc.shop.ID, delivery(tc.id, tc.shop.Domain, "checkouts/update", tc.body), &tc.ev); err != nil {
				t.Fatal(err)
			}
		}

		data, err := s.CustomerData(ctx, a.ID, "ann@example.com", "")
		if err != nil || len(data) != 1 || data[0].Key != "c1" {
			t.Fatalf("CustomerData = %v, %v", keys(data), err)
		}
		if data, err := s.CustomerData(ctx, a.ID, "", ""); err != nil || len(data) != 0 {
			t.Errorf("CustomerData with nothing = %v, %v", keys(data), err)
		}

		// Kept while the shop was uninstalled: no shop id, only its domain.
		if _, err := s.KeepDelivery(ctx, nil, delivery("r5", a.Domain, "checkouts/update", `{"email":"ann@example.com"}`), "shop is not installed"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.KeepDelivery(ctx, nil, delivery("r6", b.Domain, "checkouts/update", `{"email":"ann@example.com"}`), "shop is not installed"); err != nil {
			t.Fatal(err)
		}

		n, err := s.RedactCustomer(ctx, a.ID, "Ann@Example.com", "+4912345")
		if err != nil || n != 1 {
			t.Fatalf("RedactCustomer = %d, %v; want 1", n, err)
		}
		got, err := s.SessionByKey(ctx, a.ID, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Email != "" || got.Phone != "" || got.RecoveryURL != "" {
			t.Errorf("redacted session keeps personal data: %+v", got)
		}
		if got.Value != 100 || got.Furthest() != funnel.StageAddressSubmitted {
			t.Errorf("redaction lost funnel facts: %+v", got)
		}
		if other, _ := s.SessionByKey(ctx, a.ID, "c2"); other.Email != "bob@example.com" {
			t.Errorf("another customer's session was redacted: %+v", other)
		}
		if other, _ := s.SessionByKey(ctx, b.ID, "c1"); other.Email != "Ann@Example.com" {
			t.Errorf("another shop's session was redacted: %+v", other)
		}
		// Payloads mentioning the email (in any case) or the phone are
		// dropped, also one kept under the shop's domain without a shop id;
		// the other shop's are not.
		for id, kept := range map[string]bool{"r1": false, "r2": false, "r3": false, "r4": true, "r5": false, "r6": true} {
			if n := countRows(t, s, "deliveries", "webhook_id = $1 AND payload IS NOT NULL", id); (n == 1) != kept {
				t.Errorf("delivery %s payload kept = %v, want %v", id, n == 1, kept)
			}
		}
		if n, err := s.RedactCustomer(ctx, a.ID, "", ""); err != nil || n != 0 {
			t.Errorf("RedactCustomer with nothing = %d, %v", n, err)
		}
	})
}

func TestRedactShop(t *testing.T) {
	forEach(t, func(t *testing.T, s *store.Store, c *clock) {
		ctx := context.Background()
		a := install(t, s, "gone.myshopify.com")
		b := install(t, s, "stays.myshopify.com")
		for _, sh := range []store.Shop{a, b} {
			ingest(t, s, sh.ID, sh.Domain+"-1", cartEvent("cart", at(0), at(0), 100))
			if err := s.SaveSettings(ctx, store.Settings{ShopID: sh.ID, AbandonAfter: 2 * time.Hour}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().ExecContext(ctx, "INSERT INTO alerts (shop_id, session_key, kind, created_at) VALUES ($1, 'cart', 'abandoned_cart', $2)", sh.ID, t0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.KeepDelivery(ctx, nil, delivery("orphan", "gone.myshopify.com", "shop/redact", `{}`), ""); err != nil {
			t.Fatal(err)
		}
		if err := s.RedactShop(ctx, "gone.myshopify.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ShopByDomain(ctx, a.Domain); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("shop still there: %v", err)
		}
		for _, table := range []string{"sessions", "settings", "alerts", "deliveries"} {
			if n := countRows(t, s, table, "shop_id = $1", a.ID); n != 0 {
				t.Errorf("%d %s rows left", n, table)
			}
			if n := countRows(t, s, table, "shop_id = $1", b.ID); n != 1 {
				t.Errorf("other shop has %d %s rows, want 1", n, table)
			}
		}
		if n := countRows(t, s, "deliveries", "shop_domain = $1", a.Domain); n != 0 {
			t.Errorf("%d deliveries of the domain left", n)
		}
		if err := s.RedactShop(ctx, "gone.myshopify.com"); err != nil {
			t.Errorf("second RedactShop = %v", err)
		}
	})
}
