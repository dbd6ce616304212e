package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/funnelscope/funnelscope/internal/testkit"
	"github.com/funnelscope/funnelscope/store"
)

// TestProductPriceChangesRecordAChange delivers products/update through the
// real signed endpoint: a first sighting keeps the price and records
// nothing; a new price records one change, described in the shop's
// currency and dated by the product's updated_at, however often that
// update is delivered; the same price again, or a malformed payload
// (kept, answered 200), records nothing; another shop's product of the
// same ids does not touch this shop's prices.
func TestProductPriceChangesRecordAChange(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop, other = "prices.myshopify.com", "prices-other.myshopify.com"
		sh := h.install(shop)
		h.install(other)
		if err := st.SetShopDetails(t.Context(), sh.ID, "USD", "America/New_York"); err != nil {
			t.Fatal(err)
		}
		body := testkit.Fixture(t, "products_update.json") // 19.00, updated 2026-11-20T11:04:10-05:00
		edit := func(b []byte, from, to string) []byte {
			t.Helper()
			out := bytes.ReplaceAll(b, []byte(from), []byte(to))
			if bytes.Equal(out, b) {
				t.Fatalf("%s is not in the payload", from)
			}
			return out
		}
		earlier := edit(edit(body, `"price": "19.00"`, `"price": "21.00"`),
			`"updated_at": "2026-11-20T11:04:10-05:00"`, `"updated_at": "2026-11-10T08:00:00-05:00"`)
		status := func(id string, payload []byte, to string) string {
			t.Helper()
			resp, b := h.webhook("products/update", to, id, payload)
			var got struct{ Status string }
			if err := json.Unmarshal(b, &got); resp.StatusCode != http.StatusOK || err != nil {
				t.Fatalf("products/update %s: %d %s", id, resp.StatusCode, b)
			}
			return got.Status
		}
		// First sighting: the price is kept, no change.
		if got := status("p-1", earlier, shop); got != "kept" {
			t.Errorf("the first sighting: %s, want kept", got)
		}
		if list := h.changesOf(shop, ""); len(list) != 0 {
			t.Fatalf("a first sighting recorded %+v", list)
		}
		// Another shop's product of the same ids, at another price: its own
		// first sighting, nothing for this shop.
		if got := status("p-other", edit(earlier, `"price": "21.00"`, `"price": "5.00"`), other); got != "kept" {
			t.Errorf("the other shop's first sighting: %s, want kept", got)
		}
		// The price changes: one change.
		if got := status("p-2", body, shop); got != "applied" {
			t.Errorf("the price change: %s, want applied", got)
		}
		// Redelivered, and delivered again under another id (the second
		// subscription): nothing more.
		if got := status("p-2", body, shop); got != "duplicate" {
			t.Errorf("the redelivery: %s, want duplicate", got)
		}
		if got := status("p-2-again", body, shop); got != "kept" {
			t.Errorf("the same update under another id: %s, want kept", got)
		}
		// Another edit at the same price: nothing.
		retitled := edit(edit(body, `"body_html": "A sturdy canvas tote with a cotton lining."`, `"body_html": "Now with a pocket."`),
			`"updated_at": "2026-11-20T11:04:10-05:00"`, `"updated_at": "2026-11-21T09:00:00-05:00"`)
		if got := status("p-3", retitled, shop); got != "kept" {
			t.Errorf("an edit keeping the price: %s, want kept", got)
		}
		// The older update delivered late brings back no old price.
		if got := status("p-1-late", earlier, shop); got != "kept" {
			t.Errorf("the older update delivered late: %s, want kept", got)
		}
		// A malformed payload: kept with its reason, answered 200.
		bad := edit(body, `"price": "19.00"`, `"price": "19,00"`)
		if got := status("p-bad", bad, shop); got != "kept" {
			t.Errorf("a malformed price: %s, want kept", got)
		}
		list := h.changesOf(shop, "")
		want := time.Date(2026, 11, 20, 16, 4, 10, 0, time.UTC)
		if len(list) != 1 || list[0].Kind != "price_changed" || list[0].Source != "webhook" ||
			!list[0].At.Equal(want) || list[0].Description != "Canvas Tote Bag: $21.00 → $19.00" {
			t.Fatalf("the shop's changes: %+v", list)
		}
		// The other shop's price moves from its own 5.00, not this shop's.
		if got := status("p-other-2", body, other); got != "applied" {
			t.Errorf("the other shop's price change: %s, want applied", got)
		}
		if list := h.changesOf(other, ""); len(list) != 1 || list[0].Description != "Canvas Tote Bag: 5.00 → 19.00" {
			t.Errorf("the other shop's changes: %+v", list)
		}
		if list := h.changesOf(shop, ""); len(list) != 1 {
			t.Errorf("the shop's changes after the other shop's: %+v", list)
		}
	})
}

// TestDiscountsRecordChanges delivers the discount topics: a discount
// created and then deleted is two changes, its expiry and deletion one
// "ended"; an update that ends nothing records nothing.
func TestDiscountsRecordChanges(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, st *store.Store) {
		h := newHarness(t, st)
		const shop = "discounts.myshopify.com"
		h.install(shop)
		status := func(topic, id string, payload []byte) string {
			t.Helper()
			resp, b := h.webhook(topic, shop, id, payload)
			var got struct{ Status string }
			if err := json.Unmarshal(b, &got); resp.StatusCode != http.StatusOK || err != nil {
				t.Fatalf("%s %s: %d %s", topic, id, resp.StatusCode, b)
			}
			return got.Status
		}
		created := testkit.Fixture(t, "discounts_create.json")
		if got := status("discounts/create", "d-1", created); got != "applied" {
			t.Errorf("discounts/create: %s, want applied", got)
		}
		if got := status("discounts/create", "d-1-again", created); got != "duplicate" {
			t.Errorf("discounts/create again: %s, want duplicate", got)
		}
		active := bytes.Replace(created, []byte(`"updated_at": "2026-11-19T08:00:00-05:00"`), []byte(`"updated_at": "2026-11-20T08:00:00-05:00"`), 1)
		if got := status("discounts/update", "d-2", active); got != "kept" {
			t.Errorf("an update of an active discount: %s, want kept", got)
		}
		if got := status("discounts/delete", "d-3", testkit.Fixture(t, "discounts_delete.json")); got != "applied" {
			t.Errorf("discounts/delete: %s, want applied", got)
		}
		list := h.changesOf(shop, "")
		if len(list) != 2 ||
			list[0].Kind != "discount" || list[0].Description != "Ended the discount “#1057371300”" ||
			!list[0].At.Equal(time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)) ||
			list[1].Kind != "discount" || list[1].Description != "Created the discount “Free shipping over $50”" ||
			!list[1].At.Equal(time.Date(2026, 11, 19, 13, 0, 0, 0, time.UTC)) {
			t.Fatalf("the shop's changes: %+v", list)
		}
		// Its expiry, had it come, is the same end: nothing more.
		if got := status("discounts/update", "d-4", testkit.Fixture(t, "discounts_update.json")); got != "duplicate" {
			t.Errorf("the expiry after the deletion: %s, want duplicate", got)
		}
		if list := h.changesOf(shop, ""); len(list) != 2 {
			t.Errorf("the shop's changes after the expiry: %+v", list)
		}
	})
}
