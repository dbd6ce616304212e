package funnel

import (
	"testing"
	"time"
)

// TestWebhookEntry places an event's entry at the time its snapshot
// describes, with the furthest stage the event shows on its own.
func TestWebhookEntry(t *testing.T) {
	created := time.Date(2026, 11, 20, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	updated := created.Add(7 * time.Minute)
	for _, tc := range []struct {
		name string
		e    Event
		at   time.Time
		st   Stage
	}{
		{"an empty cart", Event{Kind: KindCart, CreatedAt: created, UpdatedAt: updated}, updated, StageNone},
		{"a cart", Event{Kind: KindCart, CreatedAt: created, UpdatedAt: updated, ItemCount: 1}, updated, StageAddedToCart},
		{"a checkout with contact", Event{Kind: KindCheckout, CreatedAt: created, UpdatedAt: updated, Email: "a@b.c"}, updated, StageContactSubmitted},
		{"a checkout ready to pay", Event{Kind: KindCheckout, CreatedAt: created, Email: "a@b.c", RequiresShipping: true,
			HasShippingAddress: true, HasShippingLine: true}, created, StagePaymentReached},
		{"an order", Event{Kind: KindOrder, CreatedAt: created}, created, StageCompleted},
	} {
		e := tc.e
		e.Value, e.Currency = 1250, "EUR"
		got := WebhookEntry(e, "checkouts/update")
		want := TimelineEntry{Source: SourceWebhook, Name: "checkouts/update", At: tc.at.UTC(), Stage: tc.st, Value: 1250, Currency: "EUR", ItemCount: e.ItemCount}
		if got != want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, want)
		}
	}
	if !SourceWebhook.Valid() || !SourceStorefront.Valid() || Source("email").Valid() {
		t.Error("Source.Valid")
	}
	if TimelineHead <= 0 || TimelineHead >= TimelineCap {
		t.Errorf("TimelineHead %d of TimelineCap %d keeps no latest entries", TimelineHead, TimelineCap)
	}
}
