package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/app/funnel"
	"github.com/funnelscope/funnelscope/store"
	"github.com/funnelscope/funnelscope/store/storetest"
)

// TestMigrateAttrSeen fills a session as the release before migration 00024
// stored it (one details_at/details_rank for every detail) and checks that
// the migrated session stamps each attribute with that snapshot, so that a
// later event merges with it field by field.
func TestMigrateAttrSeen(t *testing.T) {
	t.Parallel()
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.MigrateDown(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.MigrateTo(ctx, 22); err != nil {
			t.Fatal(err)
		}
		db := s.DB()
		now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		seen := time.Date(2026, 11, 20, 10, 30, 0, 123456000, time.UTC)
		var shopID int64
		if err := db.QueryRowContext(ctx, `INSERT INTO shops (domain, installed_at, created_at, updated_at)
			VALUES ('old.myshopify.com', $1, $1, $1) RETURNING id`, now).Scan(&shopID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO sessions (shop_id, session_key, cart_token, started_at, last_activity,
				furthest_stage, checkout_started_at, address_submitted_at, details_at, details_rank, email, country,
				source_name, returning_customer, returning_known, created_at, updated_at)
			VALUES ($1, 'cart-old', 'cart-old', $2, $2, 4, $2, $2, $2, 2, 'ann@example.com', 'DE', 'web', TRUE, TRUE, $3, $3)`,
			shopID, seen, now); err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrating the old schema: %v", err)
		}
		got, err := s.SessionByKey(ctx, shopID, "cart-old")
		if err != nil {
			t.Fatal(err)
		}
		want := funnel.Stamp{At: seen, Rank: 2}
		for _, a := range []funnel.Attr{funnel.AttrEmail, funnel.AttrCountry, funnel.AttrSource, funnel.AttrCustomerType} {
			if v := got.Attr(a); v.Value == "" || !v.Seen.At.Equal(want.At) || v.Seen.Rank != want.Rank {
				t.Errorf("%s after migration = %+v, want a value stamped %+v", a.Key(), v, want)
			}
		}
		if v := got.Attr(funnel.AttrPhone); v != (funnel.Attribute{}) {
			t.Errorf("phone after migration = %+v, want none", v)
		}
		// An order without a country, older than the checkout, changes
		// nothing; a newer one naming none keeps the checkout's.
		order := funnel.Event{Kind: funnel.KindOrder, CartToken: "cart-old", CheckoutToken: "chk", CreatedAt: seen.Add(time.Hour),
			UpdatedAt: seen.Add(time.Hour), Value: 100, Currency: "EUR", ItemCount: 1}
		if _, err := s.IngestEvent(ctx, shopID, store.Delivery{WebhookID: "after-migration", Topic: "orders/create"}, &order); err != nil {
			t.Fatal(err)
		}
		got, err = s.SessionByKey(ctx, shopID, "cart-old")
		if err != nil {
			t.Fatal(err)
		}
		if got.Country != "DE" || got.SourceName != "web" || got.Email != "ann@example.com" || !got.Completed() {
			t.Errorf("the order erased the checkout's attributes: %+v", got)
		}
	})
}
