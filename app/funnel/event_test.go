package funnel

import (
	"maps"
	"testing"
	"time"
)

var (
	t0 = time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	t1 = t0.Add(5 * time.Minute)
	t2 = t0.Add(20 * time.Minute)
)

func ptr[T any](v T) *T { return &v }

func TestReached(t *testing.T) {
	items := []LineItem{{Title: "Mug", Quantity: 1}}
	checkout := func(mod func(*Event)) Event {
		e := Event{Kind: KindCheckout, CartToken: "c", CheckoutToken: "k", CreatedAt: t0, UpdatedAt: t1, RequiresShipping: true}
		mod(&e)
		return e
	}
	tests := []struct {
		name string
		e    Event
		want map[Stage]time.Time
	}{
		{"cart with items", Event{Kind: KindCart, CreatedAt: t0, UpdatedAt: t1, LineItems: items}, map[Stage]time.Time{StageAddedToCart: t0}},
		{"cart with only an item count", Event{Kind: KindCart, CreatedAt: t0, ItemCount: 2}, map[Stage]time.Time{StageAddedToCart: t0}},
		{"empty cart", Event{Kind: KindCart, CreatedAt: t0, UpdatedAt: t1}, map[Stage]time.Time{}},
		{"cart ignores checkout fields", Event{Kind: KindCart, CreatedAt: t0, LineItems: items, Email: "a@b", HasShippingAddress: true, CompletedAt: ptr(t2)}, map[Stage]time.Time{StageAddedToCart: t0}},
		{"cart without created_at", Event{Kind: KindCart, UpdatedAt: t1, LineItems: items}, map[Stage]time.Time{StageAddedToCart: t1}},
		{"bare checkout", checkout(func(*Event) {}), map[Stage]time.Time{StageCheckoutStarted: t0}},
		{"email", checkout(func(e *Event) { e.Email = "a@b" }), map[Stage]time.Time{StageCheckoutStarted: t0, StageContactSubmitted: t1}},
		{"phone", checkout(func(e *Event) { e.Phone = "+1" }), map[Stage]time.Time{StageCheckoutStarted: t0, StageContactSubmitted: t1}},
		{"contact without updated_at", checkout(func(e *Event) { e.Email = "a@b"; e.UpdatedAt = time.Time{} }), map[Stage]time.Time{StageCheckoutStarted: t0, StageContactSubmitted: t0}},
		{"shipping address", checkout(func(e *Event) { e.HasShippingAddress = true }), map[Stage]time.Time{StageCheckoutStarted: t0, StageAddressSubmitted: t1}},
		{"billing only, shipping required", checkout(func(e *Event) { e.HasBillingAddress = true }), map[Stage]time.Time{StageCheckoutStarted: t0}},
		{"billing only, no shipping, no contact", checkout(func(e *Event) { e.HasBillingAddress = true; e.RequiresShipping = false }),
			map[Stage]time.Time{StageCheckoutStarted: t0, StageAddressSubmitted: t1}},
		{"billing and contact, no shipping", checkout(func(e *Event) { e.HasBillingAddress = true; e.RequiresShipping = false; e.Email = "a@b" }),
			map[Stage]time.Time{StageCheckoutStarted: t0, StageContactSubmitted: t1, StageAddressSubmitted: t1, StagePaymentReached: t1}},
		{"shipping line without contact", checkout(func(e *Event) { e.HasShippingAddress = true; e.HasShippingLine = true }),
			map[Stage]time.Time{StageCheckoutStarted: t0, StageAddressSubmitted: t1}},
		{"shipping line with contact", checkout(func(e *Event) { e.HasShippingAddress = true; e.HasShippingLine = true; e.Email = "a@b" }),
			map[Stage]time.Time{StageCheckoutStarted: t0, StageContactSubmitted: t1, StageAddressSubmitted: t1, StagePaymentReached: t1}},
		{"contact and address, no shipping line", checkout(func(e *Event) { e.HasShippingAddress = true; e.Email = "a@b"; e.HasBillingAddress = true }),
			map[Stage]time.Time{StageCheckoutStarted: t0, StageContactSubmitted: t1, StageAddressSubmitted: t1}},
		{"shipping line ignored when no shipping needed", checkout(func(e *Event) { e.RequiresShipping = false; e.HasShippingLine = true; e.Email = "a@b" }),
			map[Stage]time.Time{StageCheckoutStarted: t0, StageContactSubmitted: t1}},
		{"completed checkout", checkout(func(e *Event) { e.CompletedAt = ptr(t2) }), map[Stage]time.Time{StageCheckoutStarted: t0, StageCompleted: t2}},
		{"completed_at zero falls back to updated_at", checkout(func(e *Event) { e.CompletedAt = &time.Time{} }), map[Stage]time.Time{StageCheckoutStarted: t0, StageCompleted: t1}},
		{"order", Event{Kind: KindOrder, CreatedAt: t2, UpdatedAt: t2.Add(time.Hour), Email: "a@b", HasShippingAddress: true, HasShippingLine: true, RequiresShipping: true},
			map[Stage]time.Time{StageCompleted: t2}},
		{"order with earlier completed_at", Event{Kind: KindOrder, CreatedAt: t2, CompletedAt: ptr(t1)}, map[Stage]time.Time{StageCompleted: t1}},
		{"order with later completed_at", Event{Kind: KindOrder, CreatedAt: t1, CompletedAt: ptr(t2)}, map[Stage]time.Time{StageCompleted: t1}},
		{"unknown kind", Event{Kind: "refund", CreatedAt: t0, LineItems: items, Email: "a@b", CompletedAt: ptr(t1)}, map[Stage]time.Time{}},
		{"times come back in UTC", Event{Kind: KindCart, CreatedAt: t0.In(time.FixedZone("X", 3600)), LineItems: items}, map[Stage]time.Time{StageAddedToCart: t0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.e.Reached()
			// maps.Equal on time.Time compares the representation, location
			// included, which is what FromEvent relies on.
			if !maps.Equal(got, tt.want) {
				t.Errorf("Reached() = %v\nwant        %v", got, tt.want)
			}
		})
	}
}

func TestKeyOf(t *testing.T) {
	tests := []struct{ cart, checkout, want string }{
		{"c", "k", "c"},
		{"", "k", "k"},
		{"c", "", "c"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := KeyOf(Event{CartToken: tt.cart, CheckoutToken: tt.checkout}); got != tt.want {
			t.Errorf("KeyOf(cart %q, checkout %q) = %q, want %q", tt.cart, tt.checkout, got, tt.want)
		}
	}
}

func TestKindRank(t *testing.T) {
	ranked := KindOrder.Rank() > KindCheckout.Rank() && KindCheckout.Rank() > KindCart.Rank() && KindCart.Rank() > EventKind("x").Rank()
	if !ranked {
		t.Errorf("ranks order %d checkout %d cart %d unknown %d", KindOrder.Rank(), KindCheckout.Rank(), KindCart.Rank(), EventKind("x").Rank())
	}
	for _, k := range []EventKind{KindCart, KindCheckout, KindOrder} {
		if !k.Valid() {
			t.Errorf("%q.Valid() = false", k)
		}
	}
	if EventKind("").Valid() || EventKind("Cart").Valid() {
		t.Error("unknown kinds are valid")
	}
}
